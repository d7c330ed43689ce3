/*
 * hourly_grid.h - a year of facility power against the grid's hourly
 * signals: hourly carbon, 24/7 carbon-free-energy (CFE) scores and hourly
 * cost (pure: no I/O, thread-safe, nothing to free).
 *
 * The signals are the columns of an hourly grid table (inputs/hourly.h):
 * average and marginal emission rate (lb CO2/MWh, as eGRID publishes),
 * CFE share of the grid mix (0-1), price ($/MWh) and system load (MW).
 * dcs_hourly_combine() takes DCS_HOURS values of each (NULL: not given)
 * and the facility's power in each hour (MW = MWh in the hour); the
 * formulas are in docs/methods.md ("Hour by hour against the grid").
 */
#ifndef DCS_HOURLY_GRID_H
#define DCS_HOURLY_GRID_H

#include <stddef.h>

#define DCS_HOURS 8760

typedef enum {
    DCS_SIG_CO2_AVG,      /* lb CO2 / MWh, average of the grid mix */
    DCS_SIG_CO2_MARGINAL, /* lb CO2 / MWh, marginal unit */
    DCS_SIG_CFE_SHARE,    /* carbon-free share of the grid mix, 0-1 */
    DCS_SIG_PRICE,        /* $ / MWh */
    DCS_SIG_SYSTEM_LOAD,  /* MW */
    DCS_SIG_COUNT
} dcs_signal;

/* "co2_avg_lb_mwh", "co2_marginal_lb_mwh", "cfe_share", "price_usd_mwh",
 * "system_load_mw": the keys of "fields" and the default column names. */
extern const char *const dcs_signal_names[DCS_SIG_COUNT];

typedef struct {
    double energy_mwh;      /* Σ load */
    double co2_avg_t;       /* Σ load × average rate, in tonnes */
    double co2_marginal_t;  /* Σ load × marginal rate, in tonnes */
    double cfe_grid_pct;    /* 100 Σ load × cfe / Σ load */
    double cfe_matched_pct; /* 100 Σ min(load, ppa + (load - ppa)+ × cfe) / Σ load */
    double unmatched_mwh;   /* Σ load - Σ matched: energy not carbon-free in its hour */
    double cost_usd;        /* Σ load × price */
} dcs_hourly_figures;

/* n hours of load_mw against sig[k] (NULL: that signal is not given, its
 * figures NaN) and a clean supply ppa_mw (NULL: none; the matched figures
 * NaN).  A NaN signal value makes its figure NaN. */
dcs_hourly_figures dcs_hourly_combine(const double *load_mw, size_t n,
                                      const double *const sig[DCS_SIG_COUNT],
                                      const double *ppa_mw);

#endif
