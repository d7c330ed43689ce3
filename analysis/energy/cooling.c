/* cooling.c - hourly cooling archetypes and design classes. See cooling.h;
 * every parameter's value and source is in docs/methods.md ("Cooling
 * parameters and their defaults"). */
#include "energy/cooling.h"

#include "energy/psychro.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define CP_AIR 1.006     /* kJ/(kg K), dry air */
#define CP_WATER 4.186   /* kJ/(kg K) */
#define R_AIR 287.05     /* J/(kg K) */
#define KELVIN 273.15
#define CW_RANGE_K 5.5   /* condenser water range across the chiller / tower */
#define EVAP_APPROACH_K 2.0 /* chiller evaporator below chilled water supply */
#define COND_APPROACH_K 2.0 /* water-cooled condenser above leaving condenser water */
#define DX_COIL_K 8.0    /* DX coil evaporating below the supply air */

static const char *const names[DCS_COOL_COUNT] = {"air_economizer", "water_economizer",
                                                  "air_chiller", "liquid"};

const char *dcs_cooling_name(dcs_cooling_archetype a)
{
    return (unsigned)a < DCS_COOL_COUNT ? names[a] : "?";
}

/* The index of name in table[0..n), or -1. */
static int name_index(const char *const *table, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp(name, table[i]) == 0)
            return i;
    return -1;
}

int dcs_cooling_from_name(const char *name, dcs_cooling_archetype *out)
{
    int i = name_index(names, DCS_COOL_COUNT, name);
    if (i >= 0)
        *out = (dcs_cooling_archetype)i;
    return i >= 0;
}

static const char *const class_names[DCS_CLASS_COUNT] = {"colocation", "hyperscale",
                                                          "enterprise"};

const char *dcs_design_class_name(dcs_design_class c)
{
    return (unsigned)c < DCS_CLASS_COUNT ? class_names[c] : "?";
}

int dcs_design_class_from_name(const char *name, dcs_design_class *out)
{
    int i = name_index(class_names, DCS_CLASS_COUNT, name);
    if (i >= 0)
        *out = (dcs_design_class)i;
    return i >= 0;
}

/* Colocation: a modern multi-tenant hall held to ASHRAE's recommended
 * envelope, double-conversion UPS (dcsite's defaults before design classes). */
static dcs_cooling_params colocation(dcs_cooling_archetype a)
{
    return (dcs_cooling_params){
        .archetype = a,
        .design_class = DCS_CLASS_COLOCATION,
        .supply_c = 24,
        .supply_max_c = 27,
        .supply_dew_max_c = 15,
        .supply_rh_max = 60,
        .supply_dew_min_c = -9,
        .server_dt_k = 12,
        .fan_pa = a == DCS_COOL_AIR_ECONOMIZER ? 400 : 250,
        .fan_eff = 0.65,
        .evap_effectiveness = 0.85,
        .evap_media_pa = 150,
        .chw_supply_c = 18,
        .chw_dt_k = 6,
        .tower_approach_k = 4,
        .hx_approach_k = 1.5,
        .drycooler_approach_k = 8,
        .condenser_approach_k = 12,
        .carnot_fraction_water = 0.65,
        .carnot_fraction_air = 0.45,
        .cop_max = 15,
        .pump_kpa = 200,
        .pump_eff = 0.7,
        .tower_fan_kw_per_kw = 0.009,
        .drycooler_fan_kw_per_kw = 0.02,
        .liquid_fraction = 0.8,
        .liquid_supply_c = 32,
        .liquid_dt_k = 10,
        .tower_lg = 1.0,
        .cycles_of_concentration = a == DCS_COOL_AIR_ECONOMIZER ? 3 : 4,
        .drift_pct = 0.008,
        .ups_efficiency = 0.96,
        .distribution_loss = 0.015,
        .lighting_misc = 0.01,
    };
}

/* Hyperscale: operator-published envelopes, low-loss power chain, warm
 * water and generous heat-rejection surface. */
static dcs_cooling_params hyperscale(dcs_cooling_archetype a)
{
    dcs_cooling_params p = colocation(a);
    p.design_class = DCS_CLASS_HYPERSCALE;
    p.supply_max_c = 29.4;
    p.supply_dew_max_c = 21;
    p.supply_rh_max = 90;
    p.supply_dew_min_c = -9;
    p.supply_c = 18.3;
    p.server_dt_k = 14;
    p.fan_pa = a == DCS_COOL_AIR_ECONOMIZER ? 250 : 150;
    p.fan_eff = 0.7;
    p.chw_supply_c = 21;
    p.chw_dt_k = 8;
    p.tower_approach_k = 3;
    p.hx_approach_k = 1;
    p.pump_kpa = 150;
    p.pump_eff = 0.75;
    p.tower_fan_kw_per_kw = 0.006;
    p.cycles_of_concentration = a == DCS_COOL_AIR_ECONOMIZER ? 4 : 6;
    p.ups_efficiency = 0.99;
    p.distribution_loss = 0.025;
    p.lighting_misc = 0.005;
    return p;
}

/* Enterprise: an owner-operated room of the kind ASHRAE 90.1 baselines
 * describe: cool chilled water, raised-floor air handlers, lightly loaded
 * double-conversion UPS. */
static dcs_cooling_params enterprise(dcs_cooling_archetype a)
{
    dcs_cooling_params p = colocation(a);
    p.design_class = DCS_CLASS_ENTERPRISE;
    p.supply_c = 22;
    p.server_dt_k = 10;
    p.fan_pa = a == DCS_COOL_AIR_ECONOMIZER ? 500 : 400;
    p.fan_eff = 0.55;
    p.chw_supply_c = 10;
    p.tower_approach_k = 5;
    p.hx_approach_k = 2;
    p.pump_kpa = 250;
    p.pump_eff = 0.65;
    p.cycles_of_concentration = 3;
    p.ups_efficiency = 0.92;
    p.distribution_loss = 0.025;
    p.lighting_misc = 0.02;
    return p;
}

dcs_cooling_params dcs_cooling_class_defaults(dcs_cooling_archetype archetype,
                                              dcs_design_class design_class)
{
    switch (design_class) {
    case DCS_CLASS_HYPERSCALE:
        return hyperscale(archetype);
    case DCS_CLASS_ENTERPRISE:
        return enterprise(archetype);
    case DCS_CLASS_COLOCATION:
    case DCS_CLASS_COUNT:
        break;
    }
    return colocation(archetype);
}

dcs_cooling_params dcs_cooling_defaults(dcs_cooling_archetype archetype)
{
    return colocation(archetype);
}

#define P(field, lo, hi, unit) {#field, offsetof(dcs_cooling_params, field), lo, hi, unit}
static const dcs_cooling_param param_table[] = {
    P(supply_c, 10, 45, "C"),
    P(supply_max_c, 10, 50, "C"),
    P(supply_dew_max_c, -20, 30, "C"),
    P(supply_rh_max, 20, 100, "%"),
    P(supply_dew_min_c, -40, 20, "C"),
    P(server_dt_k, 2, 40, "K"),
    P(fan_pa, 0, 3000, "Pa"),
    P(fan_eff, 0.1, 1, ""),
    P(evap_effectiveness, 0, 1, ""),
    P(evap_media_pa, 0, 1000, "Pa"),
    P(chw_supply_c, 4, 35, "C"),
    P(chw_dt_k, 1, 20, "K"),
    P(tower_approach_k, 1, 15, "K"),
    P(hx_approach_k, 0, 10, "K"),
    P(drycooler_approach_k, 1, 25, "K"),
    P(condenser_approach_k, 2, 30, "K"),
    P(carnot_fraction_water, 0.1, 0.9, ""),
    P(carnot_fraction_air, 0.1, 0.9, ""),
    P(cop_max, 1, 50, ""),
    P(pump_kpa, 0, 2000, "kPa"),
    P(pump_eff, 0.1, 1, ""),
    P(tower_fan_kw_per_kw, 0, 0.2, "kW/kW"),
    P(drycooler_fan_kw_per_kw, 0, 0.2, "kW/kW"),
    P(liquid_fraction, 0, 1, ""),
    P(liquid_supply_c, 15, 60, "C"),
    P(liquid_dt_k, 1, 30, "K"),
    P(tower_lg, 0.3, 3, ""),
    P(cycles_of_concentration, 1.5, 20, ""),
    P(drift_pct, 0, 0.5, "%"),
    P(ups_efficiency, 0.5, 1, ""),
    P(distribution_loss, 0, 0.5, ""),
    P(lighting_misc, 0, 0.5, ""),
};
#undef P

const dcs_cooling_param *dcs_cooling_param_table(size_t *n)
{
    *n = sizeof param_table / sizeof param_table[0];
    return param_table;
}

dcs_status dcs_cooling_check(const dcs_cooling_params *p, dcs_error *err)
{
    for (size_t i = 0; i < sizeof param_table / sizeof param_table[0]; i++) {
        const dcs_cooling_param *t = &param_table[i];
        double v = *(const double *)((const char *)p + t->offset);
        if (!(v >= t->lo && v <= t->hi))
            return dcs_error_set(err, DCS_ERR_SCENARIO,
                                 "cooling.%s: %g is out of range (expected %g to %g)", t->name, v,
                                 t->lo, t->hi);
    }
    if (p->supply_max_c < p->supply_c)
        return dcs_error_set(err, DCS_ERR_SCENARIO,
                             "cooling.supply_max_c: %g is below supply_c %g", p->supply_max_c,
                             p->supply_c);
    if (p->supply_dew_min_c > p->supply_dew_max_c)
        return dcs_error_set(err, DCS_ERR_SCENARIO,
                             "cooling.supply_dew_min_c: %g is above supply_dew_max_c %g",
                             p->supply_dew_min_c, p->supply_dew_max_c);
    return DCS_OK;
}

double dcs_evap_leaving_c(const dcs_cooling_params *p, double dry_bulb_c, double wet_bulb_c)
{
    return dry_bulb_c - p->evap_effectiveness * (dry_bulb_c - wet_bulb_c);
}

/* COP of a vapour-compression machine as a share of Carnot's, capped. */
static double chiller_cop(const dcs_cooling_params *p, double evap_c, double cond_c,
                          double carnot_fraction)
{
    double lift = cond_c - evap_c;
    if (lift <= 0)
        return p->cop_max;
    double cop = carnot_fraction * (evap_c + KELVIN) / lift;
    return cop < p->cop_max ? cop : p->cop_max;
}

/* Fan power (kW) to move the air carrying heat_kw at the server rise. */
static double air_fan_kw(const dcs_cooling_params *p, const dcs_hour_weather *wx,
                         double heat_kw, double extra_pa)
{
    double mass = heat_kw / (CP_AIR * p->server_dt_k); /* kg/s */
    double rho = wx->pressure_pa / (R_AIR * (p->supply_c + KELVIN));
    return mass / rho * (p->fan_pa + extra_pa) / p->fan_eff / 1000.0;
}

/* Pump power (kW) for a water loop carrying heat_kw at a rise of dt_k. */
static double pump_kw(const dcs_cooling_params *p, double heat_kw, double dt_k)
{
    double m3s = heat_kw / (CP_WATER * dt_k) / 1000.0;
    return m3s * p->pump_kpa / p->pump_eff;
}

static void electrical_losses(const dcs_cooling_params *p, double it_kw, dcs_hour_result *r)
{
    r->it_kw = it_kw;
    r->loss_kw = it_kw * (1.0 / p->ups_efficiency - 1.0) +
                 it_kw * (p->distribution_loss + p->lighting_misc);
}

/* Share of a load a free-cooling source at source_c can take when the
 * loop is supplied at supply_c and returns dt_k warmer: 1, 0, or between. */
static double free_share(double source_c, double supply_c, double dt_k)
{
    if (source_c <= supply_c)
        return 1;
    if (source_c >= supply_c + dt_k)
        return 0;
    return (supply_c + dt_k - source_c) / dt_k;
}

static dcs_cooling_mode mode_of(double share)
{
    return share >= 1 ? DCS_MODE_FREE : share > 0 ? DCS_MODE_PARTIAL : DCS_MODE_MECHANICAL;
}

/* Humidity ratio on the wet-bulb line after the media have cooled the
 * outside air to t_c (straight line between the outside state and the
 * media's leaving state: the wet-bulb line is straight on the chart to
 * well under 1 % over this span). */
static double w_on_wet_bulb_line(const dcs_hour_weather *wx, double leave_c, double t_c)
{
    double span = wx->dry_bulb_c - leave_c;
    if (span <= 0)
        return wx->w_outdoor;
    return wx->w_outdoor + (wx->w_evap - wx->w_outdoor) * (wx->dry_bulb_c - t_c) / span;
}

/* Whether supply air at t_c with humidity ratio w is inside the envelope
 * (at or below the highest dew point and relative humidity). */
static int humid_ok(const dcs_cooling_params *p, double t_c, double w, double pa)
{
    return !(w > dcs_psy_w_from_dew_point(p->supply_dew_max_c, pa)) &&
           !(dcs_psy_rh_from_w(t_c, w, pa) > p->supply_rh_max);
}

/* The coldest temperature down the wet-bulb line, between the media's
 * leaving air and the dry bulb, whose state is inside the envelope (the
 * dry bulb itself when none is). */
static double evap_limit_c(const dcs_cooling_params *p, const dcs_hour_weather *wx, double leave_c)
{
    double pa = wx->pressure_pa;
    if (humid_ok(p, leave_c, wx->w_evap, pa))
        return leave_c;
    double ok = wx->dry_bulb_c, bad = leave_c;
    if (!humid_ok(p, ok, wx->w_outdoor, pa))
        return ok;
    for (int i = 0; i < 40; i++) { /* bisection: 2^-40 of the span */
        double mid = 0.5 * (ok + bad);
        if (humid_ok(p, mid, w_on_wet_bulb_line(wx, leave_c, mid), pa))
            ok = mid;
        else
            bad = mid;
    }
    return ok;
}

/* Free hour (outside air at most supply_c): too humid even at the
 * warmest supply -> recirculate on DX; too dry -> humidify the outside
 * air share adiabatically to the lowest dew point.  Returns the water. */
static double air_free(const dcs_cooling_params *p, const dcs_hour_weather *wx, double q,
                       double mass, double dx_cop, dcs_hour_result *r)
{
    double pa = wx->pressure_pa;
    if (wx->dew_point_c > p->supply_dew_max_c ||
        dcs_psy_rh_from_w(p->supply_max_c, wx->w_outdoor, pa) > p->supply_rh_max) {
        r->mode = DCS_MODE_MECHANICAL;
        r->chiller_kw = q / dx_cop;
        return 0;
    }
    r->mode = DCS_MODE_FREE;
    if (!(wx->dew_point_c < p->supply_dew_min_c))
        return 0;
    /* outside air mixed with return air (supply + server rise) to supply_c */
    double t_s = wx->dry_bulb_c > p->supply_c ? wx->dry_bulb_c : p->supply_c;
    double share = p->server_dt_k / (t_s + p->server_dt_k - wx->dry_bulb_c);
    double dw = dcs_psy_w_from_dew_point(p->supply_dew_min_c, pa) - wx->w_outdoor;
    return dw > 0 ? share * mass * dw * 3600.0 : 0;
}

/* Outside air, direct evaporative cooling modulated to hold the supply
 * setpoint (accepting up to the warmest supply when the envelope or the
 * media stop it), DX for the rest, recirculation on DX when the outside
 * air is too humid or hotter than the return. */
static void air_economizer(const dcs_cooling_params *p, const dcs_hour_weather *wx,
                           dcs_hour_result *r)
{
    double fan0 = air_fan_kw(p, wx, r->it_kw + r->loss_kw, 0);
    double q = r->it_kw + r->loss_kw + fan0;
    double mass = q / (CP_AIR * p->server_dt_k);
    double dx_cop = chiller_cop(p, p->supply_c - DX_COIL_K,
                                wx->dry_bulb_c + p->condenser_approach_k, p->carnot_fraction_air);
    r->fan_kw = fan0;
    if (wx->dry_bulb_c <= p->supply_c) {
        r->evaporated_kg = air_free(p, wx, q, mass, dx_cop, r);
    } else if (wx->dew_point_c > p->supply_dew_max_c) { /* too humid: recirculate, DX */
        r->mode = DCS_MODE_MECHANICAL;
        r->chiller_kw = q / dx_cop;
    } else {
        double leave = dcs_evap_leaving_c(p, wx->dry_bulb_c, wx->wet_bulb_c);
        double t_after = evap_limit_c(p, wx, leave);
        if (t_after < p->supply_c)
            t_after = p->supply_c; /* evaporate no more than the setpoint needs */
        if (t_after > p->supply_max_c && wx->dry_bulb_c <= p->supply_max_c)
            t_after = wx->dry_bulb_c; /* no use evaporating: the outside air will do */
        double trim = mass * CP_AIR * (t_after - p->supply_max_c);
        r->evaporated_kg = mass * (w_on_wet_bulb_line(wx, leave, t_after) - wx->w_outdoor) * 3600.0;
        if (r->evaporated_kg > 0)
            r->fan_kw = air_fan_kw(p, wx, r->it_kw + r->loss_kw, p->evap_media_pa);
        r->mode = trim > 0 ? DCS_MODE_MECHANICAL
                  : r->evaporated_kg > 0 ? DCS_MODE_PARTIAL : DCS_MODE_FREE;
        if (trim > q) { /* outside air hotter than the return: recirculate */
            r->evaporated_kg = 0;
            r->fan_kw = fan0;
            trim = q;
        }
        r->chiller_kw = trim > 0 ? trim / dx_cop : 0;
    }
    if (r->evaporated_kg < 0)
        r->evaporated_kg = 0;
    r->blowdown_kg = r->evaporated_kg / (p->cycles_of_concentration - 1);
}

/* Water a tower evaporates (kg in the hour) rejecting heat_kw with its
 * water entering at hot_c and cooled by range_k: the air (water flow / L/G)
 * takes the heat and leaves saturated, at most at the entering water
 * temperature; what it carries off as vapour is the evaporation. */
static double tower_evaporation_kg(const dcs_cooling_params *p, const dcs_hour_weather *wx,
                                   double heat_kw, double hot_c, double range_k)
{
    double pa = wx->pressure_pa;
    double air = heat_kw / (CP_WATER * range_k) / p->tower_lg; /* kg/s dry air */
    double h_in = dcs_psy_enthalpy(wx->dry_bulb_c, wx->w_outdoor);
    double t_out = dcs_psy_saturated_at_enthalpy(h_in + heat_kw / air, pa);
    if (t_out > hot_c) { /* the air cannot leave warmer than the water: more of it */
        t_out = hot_c;
        double dh = dcs_psy_enthalpy(hot_c, dcs_psy_w_sat(hot_c, pa)) - h_in;
        air = dh > 0 ? heat_kw / dh : air;
    }
    double dw = dcs_psy_w_sat(t_out, pa) - wx->w_outdoor;
    return dw > 0 && !isnan(dw) ? air * dw * 3600.0 : 0;
}

/* Towers, plate heat exchanger and water-cooled chillers. */
static void water_economizer(const dcs_cooling_params *p, const dcs_hour_weather *wx,
                             dcs_hour_result *r)
{
    r->fan_kw = air_fan_kw(p, wx, r->it_kw + r->loss_kw, 0);
    double q = r->it_kw + r->loss_kw + r->fan_kw;
    double tower_c = wx->wet_bulb_c + p->tower_approach_k;
    double share = free_share(tower_c + p->hx_approach_k, p->chw_supply_c, p->chw_dt_k);
    double cop = chiller_cop(p, p->chw_supply_c - EVAP_APPROACH_K,
                             tower_c + CW_RANGE_K + COND_APPROACH_K, p->carnot_fraction_water);
    r->mode = mode_of(share);
    r->chiller_kw = (1 - share) * q / cop;
    double rejected = q + r->chiller_kw;
    r->pump_kw = pump_kw(p, q, p->chw_dt_k) + pump_kw(p, rejected, CW_RANGE_K);
    r->fan_kw += p->tower_fan_kw_per_kw * rejected;
    r->evaporated_kg = tower_evaporation_kg(p, wx, rejected, tower_c + CW_RANGE_K, CW_RANGE_K);
    /* drift leaves with concentrated water, so blowdown needs that much less */
    double drift = rejected / (CP_WATER * CW_RANGE_K) * p->drift_pct / 100.0 * 3600.0;
    double bleed = r->evaporated_kg / (p->cycles_of_concentration - 1) - drift;
    r->blowdown_kg = drift + (bleed > 0 ? bleed : 0);
}

/* Air-cooled chillers with a free-cooling coil, for heat_kw carried by a
 * chilled-water loop supplied at supply_c with rise dt_k. */
static dcs_cooling_mode air_cooled_loop(const dcs_cooling_params *p, const dcs_hour_weather *wx,
                                        double heat_kw, double supply_c, double dt_k,
                                        dcs_hour_result *r)
{
    double share = free_share(wx->dry_bulb_c + p->drycooler_approach_k, supply_c, dt_k);
    double cop = chiller_cop(p, supply_c - EVAP_APPROACH_K,
                             wx->dry_bulb_c + p->condenser_approach_k, p->carnot_fraction_air);
    double chiller = (1 - share) * heat_kw / cop;
    r->chiller_kw += chiller;
    r->fan_kw += p->drycooler_fan_kw_per_kw * (heat_kw + chiller);
    r->pump_kw += pump_kw(p, heat_kw, dt_k);
    return mode_of(share);
}

static void air_chiller(const dcs_cooling_params *p, const dcs_hour_weather *wx,
                        dcs_hour_result *r)
{
    r->fan_kw = air_fan_kw(p, wx, r->it_kw + r->loss_kw, 0);
    double q = r->it_kw + r->loss_kw + r->fan_kw;
    r->mode = air_cooled_loop(p, wx, q, p->chw_supply_c, p->chw_dt_k, r);
}

/* Cold plates on warm water through dry coolers; the rest by air. */
static void liquid(const dcs_cooling_params *p, const dcs_hour_weather *wx, dcs_hour_result *r)
{
    double q_liquid = p->liquid_fraction * r->it_kw;
    double air_heat = r->it_kw - q_liquid + r->loss_kw;
    r->fan_kw = air_fan_kw(p, wx, air_heat, 0);
    dcs_cooling_mode wet = air_cooled_loop(p, wx, q_liquid, p->liquid_supply_c, p->liquid_dt_k, r);
    dcs_cooling_mode dry = air_cooled_loop(p, wx, air_heat + r->fan_kw, p->chw_supply_c,
                                           p->chw_dt_k, r);
    if (wet == DCS_MODE_FREE && dry == DCS_MODE_FREE)
        r->mode = DCS_MODE_FREE;
    else if (wet == DCS_MODE_MECHANICAL && dry == DCS_MODE_MECHANICAL)
        r->mode = DCS_MODE_MECHANICAL;
    else
        r->mode = DCS_MODE_PARTIAL;
}

void dcs_cooling_hour(const dcs_cooling_params *p, const dcs_hour_weather *wx, double it_kw,
                      dcs_hour_result *out)
{
    memset(out, 0, sizeof *out);
    electrical_losses(p, it_kw, out);
    switch (p->archetype) {
    case DCS_COOL_AIR_ECONOMIZER:
        air_economizer(p, wx, out);
        break;
    case DCS_COOL_WATER_ECONOMIZER:
        water_economizer(p, wx, out);
        break;
    case DCS_COOL_AIR_CHILLER:
        air_chiller(p, wx, out);
        break;
    case DCS_COOL_LIQUID:
    case DCS_COOL_COUNT:
        liquid(p, wx, out);
        break;
    }
    out->total_kw = out->it_kw + out->chiller_kw + out->fan_kw + out->pump_kw + out->loss_kw;
}
