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

/* A year at IT load it_mw (constant) with cooling design p. */
dcs_status dcs_energy_year(const dcs_weather *w, const dcs_cooling_params *p, double it_mw,
                           dcs_energy *e, dcs_error *err);

/* Economics at a grid emission rate (lb CO2 per MWh, as eGRID publishes),
 * an electricity price ($/kWh) and an accelerator's power (kW, its share
 * of server power included).  NaN inputs give NaN outputs. */
dcs_economics dcs_energy_economics(const dcs_energy *e, double co2_lb_mwh, double usd_kwh,
                                   double accelerator_kw);

/* PUE of month m (0-11). */
double dcs_energy_month_pue(const dcs_energy *e, int m);

#endif
