/* geos_fixture.h - one GEOS context for the tests of a file, made by the
 * group setup and freed by the group teardown:
 *     cmocka_run_group_tests(tests, geos_setup, geos_teardown)
 * Include it in the test file only (it defines static objects). */
#ifndef DCS_GEOS_FIXTURE_H
#define DCS_GEOS_FIXTURE_H

#include "core/libctx.h"
#include "pipeline/run.h"

static GEOSContextHandle_t geos;

static inline int geos_setup(void **state)
{
    (void)state;
    geos = dcs_geos_init();
    return geos ? 0 : -1;
}

static inline int geos_teardown(void **state)
{
    (void)state;
    dcs_geos_finish(geos);
    return 0;
}

#endif
