/*
 * test_cooling.c - the cooling archetypes' mode switching at their
 * boundary temperatures, and energy and water balances worked out by hand.
 *
 * Boundaries with the default (colocation) parameters (cooling.c):
 *  - air economizer: free up to the supply setpoint (24 C dry bulb) while
 *    the dew point is at most 15 C; evaporative (partial) above that,
 *    holding 24 C, while the media and the envelope (dew point 15 C, RH
 *    60 %) let the air reach 27 C; mechanical beyond, or whenever the
 *    outside dew point is above 15 C;
 *  - water economizer: tower water wb + 4 K, through the exchanger + 1.5 K:
 *    free when wb + 5.5 <= 18 (wb <= 12.5 C), mechanical when
 *    wb + 5.5 >= 24 (wb >= 18.5 C), partial between;
 *  - air-cooled chiller: free-cooling coil db + 8 K: free when db <= 10 C,
 *    mechanical when db >= 16 C;
 *  - liquid: cold-plate loop free when db + 8 <= 32 (db <= 24 C), its
 *    chiller fully on when db >= 34 C; the air remainder as above.
 */
#include "testutil.h"

#include "energy/cooling.h"
#include "energy/psychro.h"

#define PA 101325.0

static dcs_hour_weather wx(double db, double wb, double dew)
{
    /* humidity ratios are not needed for the water and chiller modes;
     * w_evap - w_out is set to 0.004 kg/kg so that evaporation is visible */
    dcs_hour_weather w = {db, wb, dew, PA, 0.008, 0.012};
    return w;
}

/* A consistent hour from dry bulb and dew point (psychro.h, checked
 * against PsychroLib in test_psychro.c), the media's leaving state for
 * the default effectiveness 0.85 as energy.c computes it. */
static dcs_hour_weather moist(double db, double dew)
{
    double w = dcs_psy_w_from_dew_point(dew, PA);
    double wb = dcs_psy_wet_bulb(db, w, PA);
    double leave = db - 0.85 * (db - wb);
    dcs_hour_weather h = {db, wb, dew, PA, w, dcs_psy_w_from_wet_bulb(leave, wb, PA)};
    return h;
}

static dcs_hour_result hour_of(const dcs_cooling_params *p, dcs_hour_weather w)
{
    dcs_hour_result r;
    dcs_cooling_hour(p, &w, 1000, &r);
    return r;
}

static dcs_cooling_mode mode_at(dcs_cooling_archetype a, double db, double wb, double dew)
{
    dcs_cooling_params p = dcs_cooling_defaults(a);
    dcs_hour_weather w = wx(db, wb, dew);
    dcs_hour_result r;
    dcs_cooling_hour(&p, &w, 1000, &r);
    return r.mode;
}

static void test_air_economizer_modes(void **state)
{
    (void)state;
    dcs_cooling_params p = dcs_cooling_defaults(DCS_COOL_AIR_ECONOMIZER);
    assert_int_equal(hour_of(&p, moist(24.0, 5)).mode, DCS_MODE_FREE);
    dcs_hour_result r = hour_of(&p, moist(24.01, 5)); /* media start, hold 24 C */
    assert_int_equal(r.mode, DCS_MODE_PARTIAL);
    assert_true(r.evaporated_kg > 0);
    assert_int_equal(hour_of(&p, moist(35, 5)).mode, DCS_MODE_PARTIAL);
    /* db 35 C at dew 14 C: the media would reach about 24 C, but the
     * supply dew point may rise only to 15 C: the air stops above 27 C */
    r = hour_of(&p, moist(35, 14));
    assert_int_equal(r.mode, DCS_MODE_MECHANICAL);
    assert_true(r.evaporated_kg > 0 && r.chiller_kw > 0);
    assert_int_equal(hour_of(&p, moist(20, 15.0)).mode, DCS_MODE_FREE);
    assert_int_equal(hour_of(&p, moist(20, 15.01)).mode, DCS_MODE_MECHANICAL); /* too humid */
    /* a relative-humidity ceiling: at 27 C, dew 14 C is 1.5990 / 3.5679 =
     * 44.82 % and dew 15 C 1.7058 / 3.5679 = 47.81 % (saturation pressures
     * in kPa from ASHRAE Fundamentals 2017 ch. 1 table 3); with the
     * ceiling at 46.5 % the first is free, the second needs DX even though
     * its dew point is allowed */
    p.supply_rh_max = 46.5;
    assert_near(dcs_psy_rh_from_w(27, dcs_psy_w_from_dew_point(14, PA), PA), 44.82, 0.01);
    assert_near(dcs_psy_rh_from_w(27, dcs_psy_w_from_dew_point(15, PA), PA), 47.81, 0.01);
    assert_int_equal(hour_of(&p, moist(20, 14)).mode, DCS_MODE_FREE);
    assert_int_equal(hour_of(&p, moist(20, 15)).mode, DCS_MODE_MECHANICAL);
}

/* Humidification: at 0 C outside and dew point -20 C the outside air is
 * a third of the supply (return 24 + 12 = 36 C mixed with 0 C air to
 * 24 C: 12 / 36), brought to the lowest dew point (-9 C) adiabatically. */
static void test_humidification(void **state)
{
    (void)state;
    dcs_cooling_params p = dcs_cooling_defaults(DCS_COOL_AIR_ECONOMIZER);
    dcs_hour_result r = hour_of(&p, moist(0, -20));
    assert_int_equal(r.mode, DCS_MODE_FREE);
    double loss = 1000 * (1 / 0.96 - 1 + 0.025);
    double mass0 = (1000 + loss) / (1.006 * 12);
    double rho = PA / (287.05 * (24 + 273.15));
    double mass = (1000 + loss + mass0 / rho * 400 / 0.65 / 1000) / (1.006 * 12);
    double dw = dcs_psy_w_from_dew_point(-9, PA) - dcs_psy_w_from_dew_point(-20, PA);
    assert_near(r.evaporated_kg, mass / 3 * dw * 3600, 1e-9);
    assert_near(r.blowdown_kg, r.evaporated_kg / 2, 1e-9);
    assert_near(hour_of(&p, moist(0, -8.9)).evaporated_kg, 0, 0); /* moist enough */
}

static void test_water_economizer_modes(void **state)
{
    (void)state;
    dcs_cooling_archetype a = DCS_COOL_WATER_ECONOMIZER;
    assert_int_equal(mode_at(a, 20, 12.5, 5), DCS_MODE_FREE);
    assert_int_equal(mode_at(a, 20, 12.51, 5), DCS_MODE_PARTIAL);
    assert_int_equal(mode_at(a, 25, 18.49, 5), DCS_MODE_PARTIAL);
    assert_int_equal(mode_at(a, 25, 18.5, 5), DCS_MODE_MECHANICAL);
}

static void test_air_chiller_modes(void **state)
{
    (void)state;
    dcs_cooling_archetype a = DCS_COOL_AIR_CHILLER;
    assert_int_equal(mode_at(a, 10, 5, 0), DCS_MODE_FREE);
    assert_int_equal(mode_at(a, 10.01, 5, 0), DCS_MODE_PARTIAL);
    assert_int_equal(mode_at(a, 15.99, 5, 0), DCS_MODE_PARTIAL);
    assert_int_equal(mode_at(a, 16, 5, 0), DCS_MODE_MECHANICAL);
}

static void test_liquid_modes(void **state)
{
    (void)state;
    dcs_cooling_archetype a = DCS_COOL_LIQUID;
    assert_int_equal(mode_at(a, 10, 5, 0), DCS_MODE_FREE);
    assert_int_equal(mode_at(a, 20, 15, 10), DCS_MODE_PARTIAL); /* liquid free, air trims */
    assert_int_equal(mode_at(a, 34, 20, 10), DCS_MODE_MECHANICAL);
    assert_int_equal(mode_at(a, 33.99, 20, 10), DCS_MODE_PARTIAL);
}

/* Free air economizer hour: only fans and electrical losses.
 * losses = IT (1/0.96 - 1 + 0.015 + 0.01) = 1000 x 0.0666667 = 66.667 kW;
 * air mass = (1000 + 66.667) / (1.006 x 12) = 88.3587 kg/s; density at
 * 101325 Pa and 24 C = 101325 / (287.05 x 297.15) = 1.187907 kg/m3;
 * fan = 88.3587 / 1.187907 x 400 / 0.65 / 1000 = 45.773 kW. */
static void test_free_hour_energy(void **state)
{
    (void)state;
    dcs_cooling_params p = dcs_cooling_defaults(DCS_COOL_AIR_ECONOMIZER);
    dcs_hour_weather w = wx(10, 5, 0);
    dcs_hour_result r;
    dcs_cooling_hour(&p, &w, 1000, &r);
    double loss = 1000 * (1 / 0.96 - 1 + 0.025);
    double mass = (1000 + loss) / (1.006 * 12);
    double rho = 101325 / (287.05 * (24 + 273.15));
    assert_near(r.loss_kw, loss, 1e-9);
    assert_near(r.fan_kw, mass / rho * 400 / 0.65 / 1000, 1e-9);
    assert_near(r.chiller_kw, 0, 0);
    assert_near(r.evaporated_kg, 0, 0);
    assert_near(r.total_kw, 1000 + loss + r.fan_kw, 1e-9);
}

/* Saturated air's temperature at enthalpy h, by bisection on the
 * psychro.h functions (the reference for the tower's leaving air). */
static double t_sat_at(double h)
{
    double lo = -50, hi = 90;
    while (hi - lo > 1e-10) {
        double mid = 0.5 * (lo + hi);
        if (dcs_psy_enthalpy(mid, dcs_psy_w_sat(mid, PA)) < h)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* Water economizer, mechanical hour at wb 24 C: tower water 28 C,
 * condensing 28 + 5.5 + 2 = 35.5 C, evaporating 16 C:
 * COP = 0.65 x 289.15 / 19.5 = 9.638.  The tower's air (water flow
 * rejected / (4.186 x 5.5) over L/G 1) takes the heat and leaves
 * saturated; the vapour it gains is the evaporation; blowdown plus
 * drift = evaporation / (4 - 1). */
static void test_tower_water_balance(void **state)
{
    (void)state;
    dcs_cooling_params p = dcs_cooling_defaults(DCS_COOL_WATER_ECONOMIZER);
    dcs_hour_weather w = wx(32, 24, 20);
    dcs_hour_result r;
    dcs_cooling_hour(&p, &w, 1000, &r);
    assert_int_equal(r.mode, DCS_MODE_MECHANICAL);
    double cop = 0.65 * (16 + 273.15) / (35.5 - 16);
    double loss = 1000 * (1 / 0.96 - 1 + 0.025);
    double mass = (1000 + loss) / (1.006 * 12);
    double rho = 101325 / (287.05 * (24 + 273.15));
    double crah = mass / rho * 250 / 0.65 / 1000;
    double q = 1000 + loss + crah;
    assert_near(r.chiller_kw, q / cop, 1e-9);
    double rejected = q + q / cop;
    assert_near(r.fan_kw, crah + 0.009 * rejected, 1e-9);
    double air = rejected / (4.186 * 5.5);
    double t_out = t_sat_at(dcs_psy_enthalpy(32, 0.008) + rejected / air);
    assert_near(r.evaporated_kg, air * (dcs_psy_w_sat(t_out, PA) - 0.008) * 3600, 1e-6);
    assert_near(r.blowdown_kg, r.evaporated_kg / 3, 1e-9);
    /* the partial share is linear in the tower water temperature */
    dcs_hour_weather half = wx(25, 15.5, 5); /* 15.5 + 5.5 = 21: half of 18..24 */
    dcs_cooling_hour(&p, &half, 1000, &r);
    assert_int_equal(r.mode, DCS_MODE_PARTIAL);
    /* 0.65 x 289.15 / 11 = 17.1, above the COP cap of 15 */
    double cop_h = fmin(15, 0.65 * (16 + 273.15) / (15.5 + 4 + 5.5 + 2 - 16));
    assert_near(r.chiller_kw, 0.5 * q / cop_h, 1e-9);
}

static void test_no_water_archetypes(void **state)
{
    (void)state;
    for (dcs_cooling_archetype a = DCS_COOL_AIR_CHILLER; a <= DCS_COOL_LIQUID; a++) {
        dcs_cooling_params p = dcs_cooling_defaults(a);
        dcs_hour_weather w = wx(38, 24, 18);
        dcs_hour_result r;
        dcs_cooling_hour(&p, &w, 1000, &r);
        assert_near(r.evaporated_kg + r.blowdown_kg, 0, 0);
        assert_true(r.chiller_kw > 0);
    }
}

/* Share of the heat a tower evaporates: about all of it on a warm humid
 * day (the air leaves saturated near the water temperature), much less
 * in winter (cold air takes heat sensibly and holds little vapour). */
static void test_tower_evaporated_share(void **state)
{
    (void)state;
    dcs_cooling_params p = dcs_cooling_defaults(DCS_COOL_WATER_ECONOMIZER);
    double share[3];
    const double db[3] = {32, 15, -10}, dew[3] = {22, 8, -15};
    for (int i = 0; i < 3; i++) {
        dcs_hour_result r = hour_of(&p, moist(db[i], dew[i]));
        /* fan_kw holds the tower fans, 0.009 of the heat rejected */
        double heat = (r.it_kw + r.loss_kw + r.chiller_kw + r.fan_kw) / 1.009;
        share[i] = r.evaporated_kg / 3600 * 2450 / heat;
    }
    assert_true(share[0] > 0.85 && share[0] < 1.1);
    assert_true(share[1] < share[0]);
    assert_true(share[2] < 0.6 && share[2] > 0.1);
}

/* The evaporative hour's water: media modulated to the 24 C setpoint,
 * so the air moves down the wet-bulb line from 30 C to 24 C, the share
 * (30 - 24) / (30 - leave) of the way to the media's full effect, plus
 * half of that as bleed (3 cycles of concentration). */
static void test_evaporative_water(void **state)
{
    (void)state;
    dcs_cooling_params p = dcs_cooling_defaults(DCS_COOL_AIR_ECONOMIZER);
    dcs_hour_weather w = moist(30, 10);
    dcs_hour_result r = hour_of(&p, w);
    assert_int_equal(r.mode, DCS_MODE_PARTIAL);
    double loss = 1000 * (1 / 0.96 - 1 + 0.025);
    double mass0 = (1000 + loss) / (1.006 * 12);
    double rho = PA / (287.05 * (24 + 273.15));
    double mass = (1000 + loss + mass0 / rho * 400 / 0.65 / 1000) / (1.006 * 12);
    double leave = 30 - 0.85 * (30 - w.wet_bulb_c);
    double dw = (w.w_evap - w.w_outdoor) * (30 - 24) / (30 - leave);
    assert_near(r.evaporated_kg, mass * dw * 3600, 1e-9);
    assert_near(r.blowdown_kg, r.evaporated_kg / 2, 1e-9);
    /* the sensible drop matches the latent gain within the straight-line
     * approximation of the wet-bulb line: 1.006 x 6 K / 2450 kJ/kg */
    assert_near(dw, 1.006 * 6 / 2450, 0.05 * dw);
}

static void test_names_and_checks(void **state)
{
    (void)state;
    for (int a = 0; a < DCS_COOL_COUNT; a++) {
        dcs_cooling_archetype back;
        assert_true(dcs_cooling_from_name(dcs_cooling_name((dcs_cooling_archetype)a), &back));
        assert_int_equal(back, a);
        dcs_cooling_params p = dcs_cooling_defaults((dcs_cooling_archetype)a);
        dcs_error err;
        assert_int_equal(dcs_cooling_check(&p, &err), DCS_OK);
    }
    dcs_cooling_archetype x;
    assert_false(dcs_cooling_from_name("swamp", &x));
    dcs_cooling_params p = dcs_cooling_defaults(DCS_COOL_LIQUID);
    p.ups_efficiency = 1.2;
    dcs_error err;
    assert_int_equal(dcs_cooling_check(&p, &err), DCS_ERR_SCENARIO);
    assert_string_equal(err.message, "cooling.ups_efficiency: 1.2 is out of range (expected 0.5 to 1)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_air_economizer_modes),
        cmocka_unit_test(test_humidification),
        cmocka_unit_test(test_tower_evaporated_share),
        cmocka_unit_test(test_water_economizer_modes),
        cmocka_unit_test(test_air_chiller_modes),
        cmocka_unit_test(test_liquid_modes),
        cmocka_unit_test(test_free_hour_energy),
        cmocka_unit_test(test_tower_water_balance),
        cmocka_unit_test(test_no_water_archetypes),
        cmocka_unit_test(test_evaporative_water),
        cmocka_unit_test(test_names_and_checks),
    };
    return cmocka_run_group_tests_name("cooling", tests, NULL, NULL);
}
