/*
 * utility_water.h - a site's water as a share of its utility's spare
 * capacity, in a normal and in a drought year.
 *
 * Spare capacity is the utility's given spare, else capacity minus
 * demand; in a drought year the capacity shrinks by the drought factor
 * while the demand stays (capacity x factor - demand; needs the capacity).
 * The peak-day share is the site's peak-day water over the spare per day,
 * the annual share its year's water over 365 days of spare.  Pure, no
 * I/O, thread-safe.  docs/methods.md, Water against the utility.
 */
#ifndef DCS_UTILITY_WATER_H
#define DCS_UTILITY_WATER_H

/* A utility's figures in m3/day (NaN: not known). */
typedef struct {
    double capacity, demand, spare;
    double drought_factor; /* share of the capacity left in a drought year, (0, 1] */
} dcs_utility;

typedef struct {
    double spare_m3_day, spare_drought_m3_day;
    double peak_day_pct, annual_pct;                 /* NaN: no positive spare */
    double peak_day_drought_pct, annual_drought_pct; /* NaN: no positive drought spare */
} dcs_water_share;

void dcs_water_share_compute(const dcs_utility *u, double peak_day_m3, double annual_m3,
                             dcs_water_share *out);

#endif
