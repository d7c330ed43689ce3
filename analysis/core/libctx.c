/* libctx.c - the libraries' process set-up and per-thread GEOS contexts.
 * See libctx.h. */
#include "core/libctx.h"
#include "core/version.h"

#include <cpl_error.h>
#include <gdal.h>
#include <sqlite3.h>

static void geos_quiet(const char *fmt, ...)
{
    (void)fmt;
}

/* SQLite keeps process-wide memory statistics by default, under one global
 * mutex taken by every allocation.  GDAL's GeoPackage driver allocates from
 * two threads at once when it fills a layer's R-tree beside the inserts
 * (report_gis.c), and the two contended for that mutex: writing the bench's
 * 100k sites made 61,000 futex calls with the statistics, 10,000 without.
 * dcsite never reads them.  SQLite accepts the setting only before it is initialised;
 * if something initialised it first, it stays on (slower, same results). */
static void sqlite_without_statistics(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void dcs_init(void)
{
    sqlite_without_statistics();
    GDALAllRegister();
    CPLSetErrorHandler(CPLQuietErrorHandler);
    dcs_library_versions_init();
}

GEOSContextHandle_t dcs_geos_init(void)
{
    GEOSContextHandle_t h = GEOS_init_r();
    if (h) {
        GEOSContext_setNoticeHandler_r(h, geos_quiet);
        GEOSContext_setErrorHandler_r(h, geos_quiet);
    }
    return h;
}

void dcs_geos_finish(GEOSContextHandle_t geos)
{
    if (geos)
        GEOS_finish_r(geos);
}
