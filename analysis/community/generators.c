/* generators.c - backup-generator sizing and emissions. See generators.h. */
#include "community/generators.h"

#include <math.h>
#include <stddef.h>

const char *const dcs_gen_tier_names[] = {"tier1", "tier2", "tier4", NULL};
const char *const dcs_gen_redundancy_names[] = {"N+1", "2N", NULL};

void dcs_gen_tier_factors(dcs_gen_tier tier, double *nox_g_kwh, double *pm_g_kwh)
{
    /* engines above 560 kW: Tier 1 and Tier 2 from 40 CFR 89.112 (Tier 2's
     * figure is NMHC + NOx), Tier 4 generator sets from 40 CFR 1039.101 */
    static const double nox[DCS_TIER_COUNT] = {9.2, 6.4, 0.67};
    static const double pm[DCS_TIER_COUNT] = {0.54, 0.20, 0.03};
    int ok = tier >= 0 && tier < DCS_TIER_COUNT;
    *nox_g_kwh = ok ? nox[tier] : NAN;
    *pm_g_kwh = ok ? pm[tier] : NAN;
}

void dcs_generators(const dcs_gen_spec *spec, double peak_mw, dcs_gen_result *out)
{
    *out = (dcs_gen_result){NAN, NAN, NAN, NAN};
    if (!(peak_mw >= 0) || !(spec->unit_kw > 0))
        return;
    /* a peak a rounding error above a whole number of units needs no more */
    double n = ceil(peak_mw * 1000 / spec->unit_kw - 1e-9);
    if (n < 1)
        n = 1;
    out->units = spec->redundancy == DCS_GEN_2N ? 2 * n : n + 1;
    out->installed_mw = out->units * spec->unit_kw / 1000;
    double kwh = out->units * spec->unit_kw * spec->hours_yr;
    out->nox_t_yr = kwh * spec->nox_g_kwh / 1e6;
    out->pm_t_yr = kwh * spec->pm_g_kwh / 1e6;
}
