/* version.c - library versions. See version.h. */
#include "core/version.h"

#include <cjson/cJSON.h>
#include <gdal.h>
#include <geos_c.h>
#include <proj.h>
#include <stdio.h>
#include <xlsxwriter.h>

/* PROJ's release, read once: proj_info() rebuilds PROJ's global search
 * path text, which PROJ reads without a lock while it transforms in other
 * threads (ThreadSanitizer saw the workbook's thread race the GeoPackage
 * writer's). */
static char proj_release[64];

void dcs_library_versions_init(void)
{
    if (!proj_release[0])
        snprintf(proj_release, sizeof proj_release, "%s", proj_info().release);
}

void dcs_library_versions(dcs_lib_version libs[DCS_NLIBS])
{
    dcs_library_versions_init();
    libs[0].name = "GDAL";
    snprintf(libs[0].version, sizeof libs[0].version, "%s", GDALVersionInfo("RELEASE_NAME"));
    libs[1].name = "PROJ";
    snprintf(libs[1].version, sizeof libs[1].version, "%s", proj_release);
    libs[2].name = "GEOS";
    snprintf(libs[2].version, sizeof libs[2].version, "%s", GEOSversion());
    libs[3].name = "libxlsxwriter";
    snprintf(libs[3].version, sizeof libs[3].version, "%s", LXW_VERSION);
    libs[4].name = "cJSON";
    snprintf(libs[4].version, sizeof libs[4].version, "%s", cJSON_Version());
}
