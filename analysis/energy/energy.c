/* energy.c - a year of energy and water at one station. See energy.h. */
#include "energy/energy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "energy/psychro.h"

#define LB_TO_T 0.00045359237 /* tonnes per pound */

/* The weather a cooling archetype sees for dry bulb db, humidity ratio wr,
 * dew point td and pressure pa; 0, or -1 when the wet bulb cannot be
 * computed. */
static int make_hour(const dcs_cooling_params *p, double db, double wr, double td, double pa,
                     dcs_hour_weather *hw)
{
    double wb = dcs_psy_wet_bulb(db, wr, pa);
    if (isnan(db) || isnan(wr) || isnan(wb))
        return -1;
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
    return 0;
}

/* Wet bulb and humidity ratios of hour h; DCS_ERR_DATA when the weather
 * cannot give them.  The dew point is the one the file gives (or the
 * reader derived from RH): recomputing it through the humidity ratio
 * drifts by the bisection's tolerance, and a dew point of exactly the
 * design limit (15.0 C) would then test as above it.  A dew point above
 * the dry bulb (supersaturated, impossible) is taken as the dry bulb. */
static dcs_status hour_weather(const dcs_weather *w, const dcs_cooling_params *p, size_t h,
                               dcs_hour_weather *hw, dcs_error *err)
{
    double db = w->dry_bulb_c[h], pa = w->pressure_pa[h], td = w->dew_point_c[h];
    double wr = dcs_psy_w_from_dew_point(td, pa);
    if (isnan(wr))
        wr = dcs_psy_w_from_rh(db, w->rh_pct[h], pa);
    double ws = dcs_psy_w_sat(db, pa);
    if (wr > ws) { /* dew point above the dry bulb: saturated air at most */
        wr = ws;
        td = db;
    }
    if (make_hour(p, db, wr, td, pa, hw) != 0)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "weather station '%s': hour %zu (month %d, day of year %d) has no usable "
                             "dry bulb and humidity",
                             w->station, h + 1, w->month[h], w->day_of_year[h]);
    return DCS_OK;
}

static double hour_water(const dcs_hour_result *r)
{
    return (r->evaporated_kg + r->blowdown_kg) / 1000.0; /* m3 */
}

/* Sums always; peaks only when the hour is not flagged. */
static void add_hour(dcs_energy *e, const dcs_hour_result *r, int month, int flagged,
                     double *day_water)
{
    double mwh = r->total_kw / 1000.0, it = r->it_kw / 1000.0;
    double water = hour_water(r);
    e->energy_mwh += mwh;
    e->it_energy_mwh += it;
    e->water_m3 += water;
    e->month_energy_mwh[month] += mwh;
    e->month_it_mwh[month] += it;
    e->month_water_m3[month] += water;
    e->mode_hours[r->mode]++;
    if (flagged) {
        e->excluded_hours++;
        return;
    }
    *day_water += water;
    if (mwh > e->peak_mw)
        e->peak_mw = mwh;
    if (r->total_kw / r->it_kw > e->pue_peak)
        e->pue_peak = r->total_kw / r->it_kw;
}

/* ---- design conditions ---- */

/* One design hour: dry bulb and humidity ratio. */
typedef struct {
    double db, wr;
} design_hour;

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The value DCS_DESIGN_TAIL_HOURS unflagged hours exceed, of key[] (NaN
 * when too few hours). */
static double tail_threshold(const dcs_weather *w, const double *key, double *tmp)
{
    size_t n = 0;
    for (size_t h = 0; h < w->hours; h++)
        if (!(w->flag && w->flag[h]) && !isnan(key[h]))
            tmp[n++] = key[h];
    if (n <= DCS_DESIGN_TAIL_HOURS)
        return NAN;
    qsort(tmp, n, sizeof *tmp, cmp_desc);
    return tmp[DCS_DESIGN_TAIL_HOURS];
}

/* Mean of val[] over the unflagged hours whose key[] is at least t. */
static double tail_mean(const dcs_weather *w, const double *key, double t, const double *val)
{
    double sum = 0;
    size_t n = 0;
    for (size_t h = 0; h < w->hours; h++)
        if (!(w->flag && w->flag[h]) && key[h] >= t && !isnan(val[h])) {
            sum += val[h];
            n++;
        }
    return n ? sum / n : NAN;
}

/* The dry and the wet design hour from 0.4 % percentiles of the year
 * (energy.h); wr[] and wb[] are the hours' humidity ratio and wet bulb. */
static int percentile_hours(const dcs_weather *w, const double *wr, const double *wb,
                            double pa, design_hour out[2])
{
    double *tmp = malloc(w->hours * sizeof *tmp);
    if (!tmp)
        return -1;
    double db_t = tail_threshold(w, w->dry_bulb_c, tmp);
    double wb_t = tail_threshold(w, wb, tmp);
    free(tmp);
    out[0] = (design_hour){db_t, tail_mean(w, w->dry_bulb_c, db_t, wr)};
    double db_wet = tail_mean(w, wb, wb_t, w->dry_bulb_c);
    out[1] = (design_hour){db_wet, NAN};
    out[1].wr = isnan(db_wet) ? NAN : dcs_psy_w_from_wet_bulb(db_wet < wb_t ? wb_t : db_wet,
                                                              wb_t, pa);
    return 0;
}

/* The dry and the wet design hour of the EPW header (energy.h); 0 when
 * the header has neither. */
static int epw_hours(const dcs_weather *w, double pa, design_hour out[2])
{
    const dcs_weather_design *d = &w->design;
    double wr_dry = dcs_psy_w_from_wet_bulb(d->db004_c, d->mcwb_db004_c, pa);
    double db_wet = d->mcdb_wb004_c < d->wb_max_c ? d->wb_max_c : d->mcdb_wb004_c;
    out[0] = (design_hour){d->db_max_20y_c, wr_dry};
    out[1] = (design_hour){db_wet, dcs_psy_w_from_wet_bulb(db_wet, d->wb_max_c, pa)};
    return d->present && (!isnan(out[0].db + out[0].wr) || !isnan(out[1].db + out[1].wr));
}

/* Run the design hours (NaN ones skipped); keep the one with most power. */
static void run_design(const dcs_cooling_params *p, double it_mw, double pa,
                       const design_hour *dh, int n, dcs_energy *e)
{
    double water = 0;
    for (int i = 0; i < n; i++) {
        dcs_hour_weather hw;
        dcs_hour_result r;
        if (isnan(dh[i].db) || isnan(dh[i].wr) || make_hour(p, dh[i].db, dh[i].wr, NAN, pa, &hw))
            continue;
        dcs_cooling_hour(p, &hw, it_mw * 1000.0, &r);
        if (isnan(e->peak_design_mw) || r.total_kw / 1000.0 > e->peak_design_mw) {
            e->peak_design_mw = r.total_kw / 1000.0;
            e->design_dry_bulb_c = hw.dry_bulb_c;
            e->design_wet_bulb_c = hw.wet_bulb_c;
        }
        if (hour_water(&r) > water)
            water = hour_water(&r);
    }
    e->pue_design = e->peak_design_mw / it_mw;
    e->design_day_water_m3 = isnan(e->peak_design_mw) ? NAN : 24 * water;
}

static dcs_status design_peak(const dcs_weather *w, const dcs_cooling_params *p, double it_mw,
                              const dcs_energy_options *o, const double *wr, const double *wb,
                              dcs_energy *e, dcs_error *err)
{
    double pa = dcs_psy_std_pressure(w->elevation_m);
    design_hour dh[2];
    if (isnan(pa))
        pa = w->pressure_pa[0];
    e->design_source = epw_hours(w, pa, dh) ? DCS_DESIGN_EPW : DCS_DESIGN_PERCENTILE;
    if (e->design_source == DCS_DESIGN_PERCENTILE && percentile_hours(w, wr, wb, pa, dh) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    int n = 2;
    if (o && !isnan(o->design_dry_bulb_c)) {
        double udb = o->design_dry_bulb_c, uwb = o->design_wet_bulb_c;
        if (!isnan(uwb) && uwb > udb)
            return dcs_error_set(err, DCS_ERR_SCENARIO,
                                 "design wet bulb %g C is above the design dry bulb %g C; give "
                                 "a wet bulb at most the dry bulb",
                                 uwb, udb);
        dh[0] = (design_hour){udb, isnan(uwb) ? dh[0].wr : dcs_psy_w_from_wet_bulb(udb, uwb, pa)};
        e->design_source = DCS_DESIGN_USER;
        n = 1;
    } else if (o && !isnan(o->design_wet_bulb_c))
        return dcs_error_set(err, DCS_ERR_SCENARIO,
                             "a design wet bulb (%g C) needs a design dry bulb too",
                             o->design_wet_bulb_c);
    e->peak_design_mw = e->design_dry_bulb_c = e->design_wet_bulb_c = NAN;
    run_design(p, it_mw, pa, dh, n, e);
    if (isnan(e->peak_design_mw))
        e->design_source = DCS_DESIGN_NONE;
    return DCS_OK;
}

const char *dcs_design_source_name(dcs_design_source s)
{
    switch (s) {
    case DCS_DESIGN_EPW: return "EPW design conditions";
    case DCS_DESIGN_PERCENTILE: return "0.4 % percentiles of the year";
    case DCS_DESIGN_USER: return "user";
    default: return "none";
    }
}

/* ---- the year ---- */

static void keep_hour(dcs_energy_hour *out, const dcs_hour_weather *hw, const dcs_hour_result *r,
                      unsigned flag)
{
    *out = (dcs_energy_hour){
        .dry_bulb_c = hw->dry_bulb_c,
        .wet_bulb_c = hw->wet_bulb_c,
        .dew_point_c = hw->dew_point_c,
        .mode = r->mode,
        .facility_mw = r->total_kw / 1000.0,
        .water_m3 = hour_water(r),
        .flag = flag,
    };
}

static dcs_status run_hours(const dcs_weather *w, const dcs_cooling_params *p, double it_mw,
                            const dcs_energy_options *o, dcs_energy *e, double *wr, double *wb,
                            dcs_error *err)
{
    double day_water = 0;
    for (size_t h = 0; h < w->hours; h++) {
        dcs_hour_weather hw;
        dcs_hour_result r;
        dcs_status st = hour_weather(w, p, h, &hw, err);
        if (st != DCS_OK)
            return st;
        wr[h] = hw.w_outdoor;
        wb[h] = hw.wet_bulb_c;
        dcs_cooling_hour(p, &hw, it_mw * 1000.0, &r);
        int m = w->month[h] >= 1 && w->month[h] <= 12 ? w->month[h] - 1 : 0;
        unsigned flag = w->flag ? w->flag[h] : 0;
        add_hour(e, &r, m, flag != 0, &day_water);
        if (o && o->hours)
            keep_hour(&o->hours[h], &hw, &r, flag);
        if (h + 1 == w->hours || w->day_of_year[h + 1] != w->day_of_year[h]) {
            if (day_water > e->peak_day_water_m3)
                e->peak_day_water_m3 = day_water;
            day_water = 0;
        }
    }
    return DCS_OK;
}

dcs_status dcs_energy_run(const dcs_weather *w, const dcs_cooling_params *p, double it_mw,
                          const dcs_energy_options *o, dcs_energy *e, dcs_error *err)
{
    memset(e, 0, sizeof *e);
    e->it_mw = it_mw;
    double *wr = malloc((w->hours ? w->hours : 1) * sizeof *wr);
    double *wb = malloc((w->hours ? w->hours : 1) * sizeof *wb);
    dcs_status st = wr && wb ? DCS_OK : dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    if (st == DCS_OK)
        st = run_hours(w, p, it_mw, o, e, wr, wb, err);
    if (st == DCS_OK)
        st = design_peak(w, p, it_mw, o, wr, wb, e, err);
    e->pue_annual = e->it_energy_mwh > 0 ? e->energy_mwh / e->it_energy_mwh : NAN;
    e->wue_l_kwh = e->it_energy_mwh > 0 ? e->water_m3 * 1000.0 / (e->it_energy_mwh * 1000.0) : NAN;
    free(wr);
    free(wb);
    return st;
}

dcs_status dcs_energy_year(const dcs_weather *w, const dcs_cooling_params *p, double it_mw,
                           dcs_energy *e, dcs_error *err)
{
    return dcs_energy_run(w, p, it_mw, NULL, e, err);
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
