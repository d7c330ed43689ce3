/*
 * test_community.c - the community models: backup generators, water
 * against the utility, ordinance rules (analysis/community/), and the
 * "ordinances" rule's verdict (decision/constraints.h).
 *
 * References, all worked by hand here:
 *  - Generators: a 10 MW peak on 2000 kW units needs N = 5; N+1 installs 6
 *    (12 MW), 2N installs 10.  100 h a year (50 tested + 50 curtailment):
 *    6 x 2000 kW x 100 h = 1.2e6 kWh; Tier 2 (6.4 g/kWh NOx, 0.20 g/kWh PM,
 *    40 CFR 89.112, > 560 kW) gives 7.68 t NOx and 0.24 t PM; Tier 4
 *    generator sets (0.67 and 0.03 g/kWh, 40 CFR 1039.101) give 0.804 t and
 *    0.036 t.  A peak of 10.01 MW needs N = 6, so N+1 = 7.
 *  - Water: capacity 100 000 m3/day, demand 80 000 -> spare 20 000; a
 *    1 000 m3 peak day is 5 %; 219 000 m3 a year over 365 x 20 000 =
 *    7.3e6 m3 is 3 %.  Drought factor 0.9: 90 000 - 80 000 = 10 000 spare
 *    -> 10 % and 6 %; factor 0.8 leaves none (no share).
 *  - Ordinances: margins are differences of the given figures (e.g. a
 *    residence at 250 m against a 300 m setback: -50 m).
 * Tolerance 1e-9 (relative 1e-12 where figures are large): rounding only.
 */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "community/generators.h"
#include "community/ordinance.h"
#include "community/utility_water.h"
#include "decision/constraints.h"

static dcs_gen_spec tier(dcs_gen_tier t, dcs_gen_redundancy red, double hours)
{
    dcs_gen_spec s = {.unit_kw = 2000, .redundancy = red, .hours_yr = hours};
    dcs_gen_tier_factors(t, &s.nox_g_kwh, &s.pm_g_kwh);
    return s;
}

static void test_generators_by_hand(void **state)
{
    (void)state;
    dcs_gen_result g;
    dcs_gen_spec s = tier(DCS_TIER_2, DCS_GEN_N_PLUS_1, 100);
    dcs_generators(&s, 10, &g);
    assert_near(g.units, 6, 0);
    assert_near(g.installed_mw, 12, 1e-12);
    assert_near(g.nox_t_yr, 7.68, 1e-9);
    assert_near(g.pm_t_yr, 0.24, 1e-9);
    s = tier(DCS_TIER_4, DCS_GEN_N_PLUS_1, 100);
    dcs_generators(&s, 10, &g);
    assert_near(g.nox_t_yr, 0.804, 1e-9);
    assert_near(g.pm_t_yr, 0.036, 1e-9);
    s = tier(DCS_TIER_2, DCS_GEN_2N, 100);
    dcs_generators(&s, 10, &g);
    assert_near(g.units, 10, 0);
    assert_near(g.nox_t_yr, 12.8, 1e-9); /* 10 x 2000 x 100 x 6.4 / 1e6 */
    s = tier(DCS_TIER_2, DCS_GEN_N_PLUS_1, 100);
    dcs_generators(&s, 10.01, &g);
    assert_near(g.units, 7, 0);
    dcs_generators(&s, 10 + 1e-10, &g); /* a rounding error above 5 units needs no sixth */
    assert_near(g.units, 6, 0);
    dcs_generators(&s, 0, &g); /* at least one unit carries the load */
    assert_near(g.units, 2, 0);
}

static void test_generators_bad_input(void **state)
{
    (void)state;
    dcs_gen_result g;
    dcs_gen_spec s = tier(DCS_TIER_2, DCS_GEN_N_PLUS_1, 100);
    dcs_generators(&s, NAN, &g);
    assert_true(isnan(g.units) && isnan(g.nox_t_yr));
    s.unit_kw = 0;
    dcs_generators(&s, 10, &g);
    assert_true(isnan(g.units) && isnan(g.pm_t_yr));
    double nox, pm;
    dcs_gen_tier_factors(DCS_TIER_COUNT, &nox, &pm);
    assert_true(isnan(nox) && isnan(pm));
    dcs_gen_tier_factors(DCS_TIER_1, &nox, &pm);
    assert_near(nox, 9.2, 0);
    assert_near(pm, 0.54, 0);
}

static void test_water_share_by_hand(void **state)
{
    (void)state;
    dcs_water_share w;
    dcs_utility u = {.capacity = 100000, .demand = 80000, .spare = NAN, .drought_factor = 0.9};
    dcs_water_share_compute(&u, 1000, 219000, &w);
    assert_near(w.spare_m3_day, 20000, 0);
    assert_near(w.peak_day_pct, 5, 1e-12);
    assert_near(w.annual_pct, 3, 1e-12);
    assert_near(w.spare_drought_m3_day, 10000, 1e-9);
    assert_near(w.peak_day_drought_pct, 10, 1e-9);
    assert_near(w.annual_drought_pct, 6, 1e-9);
    u.drought_factor = 0.8; /* 80 000 - 80 000: nothing to spare */
    dcs_water_share_compute(&u, 1000, 219000, &w);
    assert_near(w.spare_drought_m3_day, 0, 1e-9);
    assert_true(isnan(w.peak_day_drought_pct) && isnan(w.annual_drought_pct));
    assert_near(w.peak_day_pct, 5, 1e-12);
    /* spare given with the capacity: demand = capacity - spare */
    u = (dcs_utility){.capacity = 100000, .demand = NAN, .spare = 20000, .drought_factor = 0.9};
    dcs_water_share_compute(&u, 1000, 219000, &w);
    assert_near(w.peak_day_drought_pct, 10, 1e-9);
    /* spare alone: no drought figure */
    u = (dcs_utility){.capacity = NAN, .demand = NAN, .spare = 20000, .drought_factor = 0.9};
    dcs_water_share_compute(&u, 1000, 219000, &w);
    assert_near(w.peak_day_pct, 5, 1e-12);
    assert_true(isnan(w.spare_drought_m3_day) && isnan(w.peak_day_drought_pct));
    /* no spare at all: no share */
    u = (dcs_utility){.capacity = 100, .demand = 120, .spare = NAN, .drought_factor = 0.9};
    dcs_water_share_compute(&u, 1000, 219000, &w);
    assert_near(w.spare_m3_day, -20, 0);
    assert_true(isnan(w.peak_day_pct) && isnan(w.annual_pct));
}

static void no_limits(double *limit)
{
    for (int k = 0; k < DCS_ORD_COUNT; k++)
        limit[k] = NAN;
}

static dcs_ord_site quiet_site(void)
{
    return (dcs_ord_site){.residence_m = 250, .property_left_ha = 18, .land_ha = 20,
                          .interior_m = 150, .noise_day_dba = NAN, .noise_night_dba = NAN,
                          .noise_night_dbc = NAN, .receptor_km = NAN, .gen_test_hours = 50,
                          .gen_curtail_hours = 100, .water_m3_day = 6000};
}

static void test_ordinance_rules(void **state)
{
    (void)state;
    double limit[DCS_ORD_COUNT];
    no_limits(limit);
    limit[DCS_ORD_RESIDENCE_M] = 300;
    limit[DCS_ORD_PROPERTY_M] = 50;
    limit[DCS_ORD_MECHANICAL_M] = 100;
    limit[DCS_ORD_NOISE_DAY] = 60;
    limit[DCS_ORD_NOISE_NIGHT] = 55;
    limit[DCS_ORD_NOISE_DBC] = 70;
    limit[DCS_ORD_GEN_HOURS] = 100;
    limit[DCS_ORD_WATER] = 5000;
    limit[DCS_ORD_MORATORIUM] = 0;
    dcs_ord_site s = quiet_site();
    dcs_ord_result r;
    char why[512];
    dcs_ordinance_check("Fairfax", limit, &s, &r, why, sizeof why);
    assert_int_equal(r.nfailed, 4);
    assert_int_equal(r.nunchecked, 3); /* the three noise limits: no noise model */
    assert_int_equal(r.nmet, 2);       /* the mechanical setback and "no moratorium" */
    assert_near(r.margin[DCS_ORD_RESIDENCE_M], -50, 0);
    assert_near(r.margin[DCS_ORD_PROPERTY_M], -2, 0);
    assert_near(r.margin[DCS_ORD_MECHANICAL_M], 50, 0);
    assert_near(r.margin[DCS_ORD_GEN_HOURS], -50, 0);
    assert_near(r.margin[DCS_ORD_WATER], -1000, 0);
    assert_true(isnan(r.margin[DCS_ORD_NOISE_NIGHT]));
    assert_string_equal(why, "Fairfax: 300 m setback from residences, nearest at 250 m; "
                             "Fairfax: 50 m property-line setback leaves 18.0 ha, the facility "
                             "needs 20 ha; Fairfax: 100 h/yr generator limit, planned 150 "
                             "(tests 50 + curtailment 100); Fairfax: 5000 m3/day water limit, "
                             "modelled peak day 6000");
}

static void test_ordinance_noise_and_moratorium(void **state)
{
    (void)state;
    double limit[DCS_ORD_COUNT];
    no_limits(limit);
    limit[DCS_ORD_NOISE_DAY] = 60;
    limit[DCS_ORD_NOISE_NIGHT] = 55;
    dcs_ord_site s = quiet_site();
    s.noise_day_dba = 58.2;
    s.noise_night_dba = 58.2;
    s.receptor_km = 1.1;
    dcs_ord_result r;
    char why[256];
    dcs_ordinance_check("Prince William", limit, &s, &r, why, sizeof why);
    assert_int_equal(r.nfailed, 1);
    assert_int_equal(r.nmet, 1); /* the day limit; no moratorium rule in this ordinance */
    assert_near(r.margin[DCS_ORD_NOISE_DAY], 1.8, 1e-12);
    assert_near(r.margin[DCS_ORD_NOISE_NIGHT], -3.2, 1e-12);
    assert_string_equal(why, "Prince William: 55 dBA night limit, modelled 58.2 at 1.1 km");
    no_limits(limit);
    limit[DCS_ORD_MORATORIUM] = 1;
    dcs_ordinance_check("Loudoun", limit, &s, &r, why, sizeof why);
    assert_int_equal(r.nfailed, 1);
    assert_true(r.failed == 1u << DCS_ORD_MORATORIUM);
    assert_string_equal(why, "Loudoun: moratorium on data centers");
    /* no rule in the ordinance: nothing fails, nothing unchecked, all margins NaN */
    no_limits(limit);
    dcs_ordinance_check("Empty", limit, &s, &r, why, sizeof why);
    assert_int_equal(r.nfailed + r.nunchecked, 0);
    assert_string_equal(why, "");
    for (int k = 0; k < DCS_ORD_COUNT; k++)
        assert_true(isnan(r.margin[k]));
    /* a short buffer is cut, never overrun */
    limit[DCS_ORD_MORATORIUM] = 1;
    char tiny[12];
    memset(tiny, 'x', sizeof tiny);
    dcs_ordinance_check("Loudoun", limit, &s, &r, tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

static void test_empty_rule(void **state)
{
    (void)state;
    dcs_rule rule = {.name = "ordinances", .context = -1, .op = DCS_OP_EMPTY};
    char reason[128];
    assert_int_equal(dcs_rule_check(&rule, "ordinance_failed", NAN, NULL, reason,
                                    sizeof reason), 1);
    assert_int_equal(dcs_rule_check(&rule, "ordinance_failed", NAN, "Loudoun: moratorium on "
                                    "data centers", reason, sizeof reason), 0);
    assert_string_equal(reason, "ordinances: Loudoun: moratorium on data centers");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generators_by_hand),
        cmocka_unit_test(test_generators_bad_input),
        cmocka_unit_test(test_water_share_by_hand),
        cmocka_unit_test(test_ordinance_rules),
        cmocka_unit_test(test_ordinance_noise_and_moratorium),
        cmocka_unit_test(test_empty_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
