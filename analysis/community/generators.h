/*
 * generators.h - backup generators for a facility's peak demand: how many
 * units, and their yearly NOx and PM against an air permit's thresholds.
 *
 * Units: N = ceil(peak kW / unit kW) carry the peak; "N+1" installs N + 1,
 * "2N" installs 2N.  Emissions are the permit-style upper bound: every
 * installed unit at its rated power for the tested plus curtailment hours,
 * times the engine tier's emission factor (g/kWh, 40 CFR 89.112 and
 * 40 CFR 1039.101 for engines above 560 kW; docs/methods.md, Backup
 * generators).  Pure functions, no I/O, thread-safe.
 */
#ifndef DCS_GENERATORS_H
#define DCS_GENERATORS_H

typedef enum { DCS_GEN_N_PLUS_1, DCS_GEN_2N } dcs_gen_redundancy;

/* Engine tiers with factors, in the order of dcs_gen_tier_names. */
typedef enum { DCS_TIER_1, DCS_TIER_2, DCS_TIER_4, DCS_TIER_COUNT } dcs_gen_tier;

/* "tier1", "tier2", "tier4", NULL. */
extern const char *const dcs_gen_tier_names[];
/* "N+1", "2N", NULL. */
extern const char *const dcs_gen_redundancy_names[];

/* The tier's NOx (NMHC + NOx where the standard combines them) and PM
 * limits in g/kWh for engines above 560 kW; NaN for an unknown tier. */
void dcs_gen_tier_factors(dcs_gen_tier tier, double *nox_g_kwh, double *pm_g_kwh);

typedef struct {
    double unit_kw;             /* rated power of one unit (> 0) */
    dcs_gen_redundancy redundancy;
    double hours_yr;            /* tested + curtailment hours a year */
    double nox_g_kwh, pm_g_kwh; /* emission factors */
} dcs_gen_spec;

typedef struct {
    double units;        /* installed units */
    double installed_mw; /* units x unit_kw / 1000 */
    double nox_t_yr, pm_t_yr;
} dcs_gen_result;

/* Size and emissions for a peak of peak_mw; every field NaN when peak_mw
 * is not a number >= 0 or unit_kw is not > 0. */
void dcs_generators(const dcs_gen_spec *spec, double peak_mw, dcs_gen_result *out);

#endif
