/*
 * energy.h - a year of a data center's energy and water at one weather
 * station, hour by hour, for one cooling design (pure: no I/O).
 *
 * dcs_energy_year() derives each hour's wet bulb and humidity ratios from
 * the station's dry bulb, dew point and pressure (psychro.h), runs the
 * cooling archetype (cooling.h) at the IT load, and sums the year: annual
 * and peak PUE, peak facility demand (the size of the grid request),
 * annual energy, water (evaporation plus blowdown), WUE, the peak day's
 * water, hours in each operating mode and monthly totals.  It runs once per
 * station and design; sites share the result of their nearest station.
 *
 * Peaks: flagged weather hours (weather.h: dew point above dry bulb,
 * isolated spikes) count in the annual sums (a dew point above the dry
 * bulb taken as saturated air at the dry bulb) but in no peak (pue_peak,
 * peak_mw, peak_day_water_m3: the peak day's water sums its unflagged
 * hours).  Beside the typical-year peak, a design-condition peak: the
 * cooling model run at one or two design hours at the station's standard
 * pressure (psychro.h eq. 3), the larger power kept:
 *  - DCS_DESIGN_EPW (an EPW header with design conditions): the 20-year
 *    extreme dry bulb with the humidity ratio of the 0.4 % cooling dry
 *    bulb and its mean coincident wet bulb ("dry" hour), and the extreme
 *    annual wet bulb at the mean coincident dry bulb of the 0.4 % wet bulb
 *    (at least the wet bulb) ("wet" hour);
 *  - DCS_DESIGN_PERCENTILE (otherwise): the same two hours from the year
 *    itself, unflagged hours only: the dry bulb that DCS_DESIGN_TAIL_HOURS
 *    hours exceed (0.4 % of 8760, ASHRAE's cooling percentile) with the
 *    mean humidity ratio of the hours at or above it, and likewise the wet
 *    bulb with the mean dry bulb of its tail.  Below the year's hottest
 *    hour by construction: a percentile, not an extreme;
 *  - DCS_DESIGN_USER (opts->design_dry_bulb_c given): that dry bulb with
 *    opts->design_wet_bulb_c, or when NaN with the humidity ratio of the
 *    file's dry design hour above; one hour.
 * design_day_water_m3 is 24 hours at the design hour that uses most water
 * (an upper bound: a whole day held at the design condition).
 *
 * dcs_energy_run() can also return the year hour by hour (for audits:
 * dcsite energy --hourly).
 *
 * dcs_energy_economics() adds what depends on the site's grid: CO2 from the
 * grid region's emission rate and cost from the electricity price.
 *
 * Everything here is a plain value: nothing to free.
 */
#ifndef DCS_ENERGY_H
#define DCS_ENERGY_H

#include "energy/cooling.h"
#include "core/error.h"
#include "energy/weather.h"

#define DCS_DESIGN_TAIL_HOURS 35 /* 0.4 % of 8760 hours */

typedef enum {
    DCS_DESIGN_NONE = 0,   /* no design hour could be made */
    DCS_DESIGN_EPW,        /* the EPW header's ASHRAE design conditions */
    DCS_DESIGN_PERCENTILE, /* 0.4 % percentiles of the year */
    DCS_DESIGN_USER        /* a design dry bulb given by the user */
} dcs_design_source;

/* One hour of the year as modelled. */
typedef struct {
    double dry_bulb_c, wet_bulb_c, dew_point_c;
    dcs_cooling_mode mode;
    double facility_mw;  /* everything the facility draws (= MWh in the hour) */
    double water_m3;     /* evaporated + blown down */
    unsigned flag;       /* the weather's DCS_WX_FLAG_* bits: not in the peaks */
} dcs_energy_hour;

typedef struct {
    double design_dry_bulb_c; /* NaN: design conditions from the file */
    double design_wet_bulb_c; /* NaN: the file's design humidity */
    dcs_energy_hour *hours;   /* NULL, or w->hours entries to fill */
} dcs_energy_options;

typedef struct {
    double it_mw;
    double pue_annual;        /* facility energy / IT energy */
    double pue_peak;          /* highest hourly PUE */
    double peak_mw;           /* highest hourly facility demand */
    double energy_mwh;        /* facility energy in the year */
    double it_energy_mwh;
    double water_m3;          /* evaporated + blown down */
    double wue_l_kwh;         /* water litres per kWh of IT energy */
    double peak_day_water_m3; /* the day with most water */
    int mode_hours[3];        /* hours free, partial, mechanical */
    int excluded_hours;       /* flagged weather hours left out of the peaks */
    dcs_design_source design_source;
    double design_dry_bulb_c; /* the design hour that sets peak_design_mw */
    double design_wet_bulb_c;
    double peak_design_mw;    /* facility demand at the design condition */
    double pue_design;        /* peak_design_mw / it_mw */
    double design_day_water_m3; /* 24 h at the design hour with most water */
    double month_energy_mwh[12];
    double month_it_mwh[12];
    double month_water_m3[12];
} dcs_energy;

typedef struct {
    double co2_t;             /* tonnes CO2 per year */
    double cost_usd;          /* energy cost per year */
    double usd_per_mwh_it;    /* cost per MWh of IT energy */
    double usd_per_accel_hour;/* cost per accelerator-hour */
} dcs_economics;

/* A year at IT load it_mw (constant) with cooling design p; the design
 * peak from the file.  Same as dcs_energy_run() with opts NULL. */
dcs_status dcs_energy_year(const dcs_weather *w, const dcs_cooling_params *p, double it_mw,
                           dcs_energy *e, dcs_error *err);

/* The same with options (NULL: none): a user design condition and the
 * hourly detail.  DCS_ERR_SCENARIO for a design wet bulb above its dry bulb
 * or a wet bulb without a dry bulb. */
dcs_status dcs_energy_run(const dcs_weather *w, const dcs_cooling_params *p, double it_mw,
                          const dcs_energy_options *opts, dcs_energy *e, dcs_error *err);

/* "EPW design conditions", "0.4 % percentiles of the year", "user", "none". */
const char *dcs_design_source_name(dcs_design_source s);

/* Economics at a grid emission rate (lb CO2 per MWh, as eGRID publishes),
 * an electricity price ($/kWh) and an accelerator's power (kW, its share
 * of server power included).  NaN inputs give NaN outputs. */
dcs_economics dcs_energy_economics(const dcs_energy *e, double co2_lb_mwh, double usd_kwh,
                                   double accelerator_kw);

/* PUE of month m (0-11). */
double dcs_energy_month_pue(const dcs_energy *e, int m);

#endif
