/*
 * ordinance.h - a jurisdiction's data-center ordinance checked against one
 * site: which rules it fails, in sentences naming the jurisdiction and the
 * rule, and the margin to each limit.
 *
 * The rules (one column each in the ordinance table, docs/scenario.md):
 * setbacks from residences, from property lines and for mechanical
 * equipment (m), day and night noise limits (dBA), a night low-frequency
 * limit (dBC), yearly generator hours, a water limit (m3/day) and a
 * moratorium.  A limit that is NaN is not in the ordinance; a limit whose
 * modelled value is NaN is counted as unchecked, never as met or failed.
 * Margins are positive when the rule is met: distance (or area, hours,
 * water) to spare, or dB below the limit.  Pure, no I/O, thread-safe.
 */
#ifndef DCS_ORDINANCE_H
#define DCS_ORDINANCE_H

#include <stddef.h>

enum {
    DCS_ORD_RESIDENCE_M,   /* setback from residences, m */
    DCS_ORD_PROPERTY_M,    /* setback from property lines, m */
    DCS_ORD_MECHANICAL_M,  /* mechanical-equipment setback from property lines, m */
    DCS_ORD_NOISE_DAY,     /* dBA */
    DCS_ORD_NOISE_NIGHT,   /* dBA */
    DCS_ORD_NOISE_DBC,     /* dBC at night */
    DCS_ORD_GEN_HOURS,     /* generator hours a year */
    DCS_ORD_WATER,         /* m3/day */
    DCS_ORD_MORATORIUM,    /* 1: a moratorium on data centers, 0: none */
    DCS_ORD_COUNT
};

/* The ordinance table's default column names, in the order above. */
extern const char *const dcs_ord_columns[DCS_ORD_COUNT];
/* The site metrics that carry each limit (ordinance_<...>). */
extern const char *const dcs_ord_limit_metrics[DCS_ORD_COUNT];
/* The margin metrics (ordinance_<...>_margin_<unit>); NULL for the moratorium. */
extern const char *const dcs_ord_margin_metrics[DCS_ORD_COUNT];

/* What was modelled at the site (NaN: not known). */
typedef struct {
    double residence_m;      /* nearest residence from the site's boundary */
    double property_left_ha; /* area left inside the property-line setback */
    double land_ha;          /* the facility's land need */
    double interior_m;       /* deepest interior point's distance to the boundary */
    double noise_day_dba, noise_night_dba, noise_night_dbc, receptor_km;
    double gen_test_hours, gen_curtail_hours;
    double water_m3_day;     /* peak-day water */
} dcs_ord_site;

typedef struct {
    double margin[DCS_ORD_COUNT]; /* NaN: rule absent or not checked */
    int nmet, nfailed, nunchecked; /* rules in the ordinance: met, failed, not checked */
    unsigned failed;    /* bit k: rule k failed */
    unsigned unchecked; /* bit k: rule k is in the ordinance but its modelled value is unknown */
} dcs_ord_result;

/* Check the limits of jurisdiction `name` against site; the failed rules'
 * sentences, parted by "; ", go into reasons ("" when none; cut to size). */
void dcs_ordinance_check(const char *name, const double limit[DCS_ORD_COUNT],
                         const dcs_ord_site *site, dcs_ord_result *out, char *reasons,
                         size_t size);

#endif
