/*
 * cooling.h - hour-by-hour energy and water of a data center's cooling
 * and power chain, for four cooling archetypes (pure: no I/O).
 *
 * Given one hour of weather (dry bulb, wet bulb, dew point, pressure) and
 * the facility's IT load, dcs_cooling_hour() decides the operating mode
 * (free, partial or mechanical cooling), and returns the power drawn by
 * compressors, fans and pumps, the electrical losses (UPS, distribution,
 * lighting) and the water evaporated and blown down.  The archetypes:
 *
 *  - DCS_COOL_AIR_ECONOMIZER: outside air (mixed with return air when
 *    cold) straight to the white space while the supply stays inside the
 *    humidity envelope (dew point and relative humidity limits); direct
 *    evaporative cooling of the outside air, modulated to the warmest
 *    allowed supply and stopped at the envelope's edge; mechanical (DX)
 *    trim for what evaporation cannot do, or recirculation with DX when
 *    the outside air is too humid; adiabatic humidification of the
 *    outside-air share when its dew point is below the envelope.
 *  - DCS_COOL_WATER_ECONOMIZER: chilled-water plant with cooling towers;
 *    a plate heat exchanger carries the whole load when the tower water is
 *    cold enough, part of it while it is colder than the chilled-water
 *    return, and water-cooled chillers the rest.  The towers' air leaves
 *    saturated, so the evaporated share of the heat falls in cold weather;
 *    drift is a share of the circulating water and blowdown follows the
 *    cycles of concentration.
 *  - DCS_COOL_AIR_CHILLER: air-cooled chillers with a free-cooling coil; no
 *    water.
 *  - DCS_COOL_LIQUID: direct-to-chip liquid cooling at warm facility water
 *    rejected by dry coolers (trim chiller when the air is too warm), the
 *    air-cooled remainder of the IT heat by air-cooled chillers; no water.
 *
 * Design classes (hyperscale, colocation, enterprise) set the electrical
 * and mechanical parameters together: dcs_cooling_class_defaults().
 * Every parameter of every class has a documented value and source in
 * docs/methods.md ("Cooling parameters and their defaults").  All powers
 * are in kW, water in kg for the hour.
 *
 * Everything here is a pure function of its arguments (thread-safe);
 * nothing is allocated.
 */
#ifndef DCS_COOLING_H
#define DCS_COOLING_H

#include "core/error.h"

typedef enum {
    DCS_COOL_AIR_ECONOMIZER,
    DCS_COOL_WATER_ECONOMIZER,
    DCS_COOL_AIR_CHILLER,
    DCS_COOL_LIQUID,
    DCS_COOL_COUNT
} dcs_cooling_archetype;

/* Design classes; colocation is the default (dcs_cooling_defaults). */
typedef enum {
    DCS_CLASS_COLOCATION,
    DCS_CLASS_HYPERSCALE,
    DCS_CLASS_ENTERPRISE,
    DCS_CLASS_COUNT
} dcs_design_class;

typedef enum { DCS_MODE_FREE, DCS_MODE_PARTIAL, DCS_MODE_MECHANICAL } dcs_cooling_mode;

typedef struct {
    dcs_cooling_archetype archetype;
    dcs_design_class design_class;
    /* air side (white space) */
    double supply_c;         /* server inlet (supply air) setpoint */
    double supply_max_c;     /* warmest supply allowed (evaporative / economizer limit) */
    double supply_dew_max_c; /* highest supply dew point */
    double supply_rh_max;    /* highest supply relative humidity, % */
    double supply_dew_min_c; /* lowest supply dew point: humidify below it */
    double server_dt_k;      /* air temperature rise through the IT equipment */
    double fan_pa;           /* air-side pressure drop at design flow */
    double fan_eff;          /* fan + motor + drive efficiency */
    double evap_effectiveness; /* direct evaporative media saturation effectiveness */
    double evap_media_pa;    /* added pressure drop through wetted media */
    /* chilled water / facility water */
    double chw_supply_c;     /* chilled-water supply */
    double chw_dt_k;         /* chilled-water temperature rise */
    double tower_approach_k; /* cooling tower leaving water above wet bulb */
    double hx_approach_k;    /* plate heat exchanger approach */
    double drycooler_approach_k; /* dry cooler / free-cooling coil leaving water above dry bulb */
    double condenser_approach_k; /* air-cooled condenser refrigerant above dry bulb */
    double carnot_fraction_water; /* water-cooled chiller COP as a share of Carnot */
    double carnot_fraction_air;   /* air-cooled chiller (and DX) COP as a share of Carnot */
    double cop_max;          /* cap on any chiller COP */
    double pump_kpa;         /* pump head per water loop */
    double pump_eff;
    double tower_fan_kw_per_kw; /* tower fan power per kW of heat rejected */
    double drycooler_fan_kw_per_kw; /* dry cooler fan power per kW of heat rejected */
    double liquid_fraction;  /* share of IT heat captured by cold plates (liquid) */
    double liquid_supply_c;  /* facility water supply to the cold plates (W32 class) */
    double liquid_dt_k;      /* facility water temperature rise through the cold plates */
    double tower_lg;         /* tower water-to-air mass flow ratio (L/G) */
    /* water chemistry */
    double cycles_of_concentration; /* towers and evaporative media */
    double drift_pct;        /* tower drift, % of the circulating water */
    /* electrical */
    double ups_efficiency;
    double distribution_loss;    /* share of IT load lost in transformers and PDUs */
    double lighting_misc;        /* share of IT load for lighting, offices, security */
} dcs_cooling_params;

typedef struct {
    double dry_bulb_c, wet_bulb_c, dew_point_c;
    double pressure_pa;
    double w_outdoor;    /* humidity ratio, kg/kg */
    double w_evap;       /* humidity ratio after direct evaporative cooling to
                          * the media's leaving temperature, kg/kg */
} dcs_hour_weather;

typedef struct {
    dcs_cooling_mode mode;
    double it_kw;
    double chiller_kw;  /* compressors (chillers, DX) */
    double fan_kw;      /* air handlers, tower and dry-cooler fans */
    double pump_kw;
    double loss_kw;     /* UPS, distribution, lighting */
    double total_kw;    /* everything the facility draws */
    double evaporated_kg; /* towers, evaporative media and humidifiers */
    double blowdown_kg;   /* blowdown (bleed) plus tower drift */
} dcs_hour_result;

/* One settable parameter: its scenario name, where it lives in
 * dcs_cooling_params, its valid range and unit. */
typedef struct {
    const char *name;
    size_t offset;
    double lo, hi;
    const char *unit;
} dcs_cooling_param;

/* The table of settable parameters (n entries). */
const dcs_cooling_param *dcs_cooling_param_table(size_t *n);

/* Parameters of an archetype in a design class (values and sources in
 * docs/methods.md). */
dcs_cooling_params dcs_cooling_class_defaults(dcs_cooling_archetype archetype,
                                              dcs_design_class design_class);

/* The colocation class: dcs_cooling_class_defaults(a, DCS_CLASS_COLOCATION). */
dcs_cooling_params dcs_cooling_defaults(dcs_cooling_archetype archetype);

/* "colocation", "hyperscale", "enterprise". */
const char *dcs_design_class_name(dcs_design_class design_class);
int dcs_design_class_from_name(const char *name, dcs_design_class *out);

/* "air_economizer", "water_economizer", "air_chiller", "liquid". */
const char *dcs_cooling_name(dcs_cooling_archetype archetype);
int dcs_cooling_from_name(const char *name, dcs_cooling_archetype *out);

/* Check the parameters are physically meaningful; DCS_ERR_SCENARIO naming
 * the first bad one. */
dcs_status dcs_cooling_check(const dcs_cooling_params *p, dcs_error *err);

/* The temperature the evaporative media brings outside air to. */
double dcs_evap_leaving_c(const dcs_cooling_params *p, double dry_bulb_c, double wet_bulb_c);

/* One hour at IT load it_kw. */
void dcs_cooling_hour(const dcs_cooling_params *p, const dcs_hour_weather *wx, double it_kw,
                      dcs_hour_result *out);

#endif
