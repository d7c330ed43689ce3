/* hourly_grid.c - hourly carbon, CFE and cost. See hourly_grid.h. */
#include "energy/hourly_grid.h"

#include <math.h>

#define LB_TO_T 0.00045359237 /* tonnes per pound */

const char *const dcs_signal_names[DCS_SIG_COUNT] = {
    [DCS_SIG_CO2_AVG] = "co2_avg_lb_mwh",   [DCS_SIG_CO2_MARGINAL] = "co2_marginal_lb_mwh",
    [DCS_SIG_CFE_SHARE] = "cfe_share",      [DCS_SIG_PRICE] = "price_usd_mwh",
    [DCS_SIG_SYSTEM_LOAD] = "system_load_mw",
};

/* Σ load × sig (NaN when sig is NULL). */
static double weighted_sum(const double *load, size_t n, const double *sig)
{
    if (!sig)
        return NAN;
    double s = 0;
    for (size_t h = 0; h < n; h++)
        s += load[h] * sig[h];
    return s;
}

/* The carbon-free energy of each hour: the clean supply up to the load,
 * then the grid's CFE share of what the supply leaves. */
static double matched_mwh(const double *load, size_t n, const double *cfe, const double *ppa)
{
    double s = 0;
    for (size_t h = 0; h < n; h++) {
        double rest = load[h] > ppa[h] ? load[h] - ppa[h] : 0;
        double m = ppa[h] + rest * cfe[h];
        s += m < load[h] ? m : load[h];
    }
    return s;
}

dcs_hourly_figures dcs_hourly_combine(const double *load_mw, size_t n,
                                      const double *const sig[DCS_SIG_COUNT],
                                      const double *ppa_mw)
{
    dcs_hourly_figures f = {.energy_mwh = 0};
    for (size_t h = 0; h < n; h++)
        f.energy_mwh += load_mw[h];
    f.co2_avg_t = weighted_sum(load_mw, n, sig[DCS_SIG_CO2_AVG]) * LB_TO_T;
    f.co2_marginal_t = weighted_sum(load_mw, n, sig[DCS_SIG_CO2_MARGINAL]) * LB_TO_T;
    f.cost_usd = weighted_sum(load_mw, n, sig[DCS_SIG_PRICE]);
    const double *cfe = sig[DCS_SIG_CFE_SHARE];
    f.cfe_grid_pct = 100.0 * weighted_sum(load_mw, n, cfe) / f.energy_mwh;
    f.cfe_matched_pct = f.unmatched_mwh = NAN;
    if (cfe && ppa_mw) {
        double m = matched_mwh(load_mw, n, cfe, ppa_mw);
        f.cfe_matched_pct = 100.0 * m / f.energy_mwh;
        f.unmatched_mwh = f.energy_mwh - m;
    }
    return f;
}
