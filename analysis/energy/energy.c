/* energy.c - a year of energy and water at one station. See energy.h. */
#include "energy/energy.h"

#include <math.h>
#include <string.h>

#include "energy/psychro.h"

#define LB_TO_T 0.00045359237 /* tonnes per pound */

/* Wet bulb and humidity ratios of hour h; DCS_ERR_DATA when the weather
 * cannot give them.  The dew point is the one the file gives (or the
 * reader derived from RH): recomputing it through the humidity ratio
 * drifts by the bisection's tolerance, and a dew point of exactly the
 * design limit (15.0 C) would then test as above it. */
static dcs_status hour_weather(const dcs_weather *w, const dcs_cooling_params *p, size_t h,
                               dcs_hour_weather *hw, dcs_error *err)
{
    double db = w->dry_bulb_c[h], pa = w->pressure_pa[h], td = w->dew_point_c[h];
    double wr = dcs_psy_w_from_dew_point(w->dew_point_c[h], pa);
    if (isnan(wr))
        wr = dcs_psy_w_from_rh(db, w->rh_pct[h], pa);
    double wb = dcs_psy_wet_bulb(db, wr, pa);
    if (isnan(db) || isnan(wr) || isnan(wb))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "weather station '%s': hour %zu (month %d, day of year %d) has no usable "
                             "dry bulb and humidity",
                             w->station, h + 1, w->month[h], w->day_of_year[h]);
    double leave = dcs_evap_leaving_c(p, db, wb);
    double w_evap = dcs_psy_w_from_wet_bulb(leave, wb, pa);
    *hw = (dcs_hour_weather){
        .dry_bulb_c = db,
        .wet_bulb_c = wb,
        .dew_point_c = isnan(td) ? dcs_psy_dew_point(wr, pa) : td,
        .pressure_pa = pa,
        .w_outdoor = wr,
        .w_evap = isnan(w_evap) ? wr : w_evap,
    };
    return DCS_OK;
}

static void add_hour(dcs_energy *e, const dcs_hour_result *r, int month, double *day_water)
{
    double mwh = r->total_kw / 1000.0, it = r->it_kw / 1000.0;
    double water = (r->evaporated_kg + r->blowdown_kg) / 1000.0; /* m3 */
    e->energy_mwh += mwh;
    e->it_energy_mwh += it;
    e->water_m3 += water;
    e->month_energy_mwh[month] += mwh;
    e->month_it_mwh[month] += it;
    e->month_water_m3[month] += water;
    e->mode_hours[r->mode]++;
    *day_water += water;
    if (mwh > e->peak_mw)
        e->peak_mw = mwh;
    if (r->total_kw / r->it_kw > e->pue_peak)
        e->pue_peak = r->total_kw / r->it_kw;
}

dcs_status dcs_energy_year(const dcs_weather *w, const dcs_cooling_params *p, double it_mw,
                           dcs_energy *e, dcs_error *err)
{
    memset(e, 0, sizeof *e);
    e->it_mw = it_mw;
    double day_water = 0;
    for (size_t h = 0; h < w->hours; h++) {
        dcs_hour_weather hw;
        dcs_hour_result r;
        dcs_status st = hour_weather(w, p, h, &hw, err);
        if (st != DCS_OK)
            return st;
        dcs_cooling_hour(p, &hw, it_mw * 1000.0, &r);
        int m = w->month[h] >= 1 && w->month[h] <= 12 ? w->month[h] - 1 : 0;
        add_hour(e, &r, m, &day_water);
        if (h + 1 == w->hours || w->day_of_year[h + 1] != w->day_of_year[h]) {
            if (day_water > e->peak_day_water_m3)
                e->peak_day_water_m3 = day_water;
            day_water = 0;
        }
    }
    e->pue_annual = e->it_energy_mwh > 0 ? e->energy_mwh / e->it_energy_mwh : NAN;
    e->wue_l_kwh = e->it_energy_mwh > 0 ? e->water_m3 * 1000.0 / (e->it_energy_mwh * 1000.0) : NAN;
    return DCS_OK;
}

dcs_economics dcs_energy_economics(const dcs_energy *e, double co2_lb_mwh, double usd_kwh,
                                   double accelerator_kw)
{
    dcs_economics x;
    x.co2_t = e->energy_mwh * co2_lb_mwh * LB_TO_T;
    x.cost_usd = e->energy_mwh * 1000.0 * usd_kwh;
    x.usd_per_mwh_it = x.cost_usd / e->it_energy_mwh;
    /* IT kWh per accelerator-hour = accelerator_kw */
    x.usd_per_accel_hour = x.cost_usd / (e->it_energy_mwh * 1000.0) * accelerator_kw;
    return x;
}

double dcs_energy_month_pue(const dcs_energy *e, int m)
{
    return e->month_it_mwh[m] > 0 ? e->month_energy_mwh[m] / e->month_it_mwh[m] : NAN;
}
