/*
 * test_cooling.c - the cooling archetypes' mode switching at their
 * boundary temperatures, and energy and water balances worked out by hand.
 *
 * Boundaries with the default parameters (cooling.c):
 *  - air economizer: free up to the warmest supply (27 C dry bulb) while
 *    the dew point is at most 15 C; evaporative (partial) above that while
 *    the media's leaving air (db - 0.85 (db - wb)) is at most 27 C;
 *    mechanical beyond, or whenever the dew point is above 15 C;
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

static dcs_hour_weather wx(double db, double wb, double dew)
{
    /* humidity ratios are not needed for mode decisions; w_evap - w_out is
     * set to 0.004 kg/kg so that evaporation is visible */
    dcs_hour_weather w = {db, wb, dew, 101325, 0.008, 0.012};
    return w;
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
    dcs_cooling_archetype a = DCS_COOL_AIR_ECONOMIZER;
    assert_int_equal(mode_at(a, 27.0, 15, 10), DCS_MODE_FREE);
    assert_int_equal(mode_at(a, 27.01, 15, 10), DCS_MODE_PARTIAL);
    /* leaving air 35 - 0.85 (35 - wb) = 27 exactly at wb = 25.588... */
    double wb_edge = 35 - 8.0 / 0.85;
    assert_int_equal(mode_at(a, 35, wb_edge - 0.01, 14), DCS_MODE_PARTIAL);
    assert_int_equal(mode_at(a, 35, wb_edge + 0.01, 14), DCS_MODE_MECHANICAL);
    assert_int_equal(mode_at(a, 20, 17, 15.0), DCS_MODE_FREE);
    assert_int_equal(mode_at(a, 20, 17, 15.01), DCS_MODE_MECHANICAL); /* too humid */
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

/* Water economizer, mechanical hour at wb 24 C: tower water 28 C,
 * condensing 28 + 5.5 + 2 = 35.5 C, evaporating 16 C:
 * COP = 0.65 x 289.15 / 19.5 = 9.638; evaporation = heat rejected /
 * 2450 kJ/kg x 3600 s; blowdown = evaporation / (4 - 1). */
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
    assert_near(r.evaporated_kg, rejected / 2450 * 3600, 1e-9);
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

/* The evaporative hour's water: air mass x (w_evap - w_out) x 3600 and a
 * third of that again as bleed (3 cycles of concentration). */
static void test_evaporative_water(void **state)
{
    (void)state;
    dcs_cooling_params p = dcs_cooling_defaults(DCS_COOL_AIR_ECONOMIZER);
    dcs_hour_weather w = wx(30, 18, 10);
    dcs_hour_result r;
    dcs_cooling_hour(&p, &w, 1000, &r);
    assert_int_equal(r.mode, DCS_MODE_PARTIAL);
    double loss = 1000 * (1 / 0.96 - 1 + 0.025);
    double mass0 = (1000 + loss) / (1.006 * 12);
    double rho = 101325 / (287.05 * (24 + 273.15));
    double mass = (1000 + loss + mass0 / rho * 400 / 0.65 / 1000) / (1.006 * 12);
    assert_near(r.evaporated_kg, mass * 0.004 * 3600, 1e-9);
    assert_near(r.blowdown_kg, r.evaporated_kg / 2, 1e-9);
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
