/*
 * test_psychro.c - psychrometrics against published tables and examples.
 *
 * dcs_psy_saturated_at_enthalpy is checked to the bit against the 50
 * halvings it is defined as (written out here), at 200 000 random roots
 * and pressures and beyond its range.
 *
 * References (ASHRAE Handbook - Fundamentals 2017, SI, chapter 1; the
 * tabulated figures below as transcribed in the test suite of PsychroLib,
 * github.com/psychrometrics/psychrolib, tests/test_psychrolib_si.py, which
 * cites the same tables; cross-checked where noted):
 *  - Table 1 "Standard atmospheric data for altitudes to 10 000 m":
 *    p = 107.478, 101.325, 95.461, 89.875, 61.640, 26.436 kPa at
 *    Z = -500, 0, 500, 1000, 4000, 10 000 m.  Printed to 1 Pa, so the
 *    tolerance is 1 Pa (eq. 3 is what the table was computed from).
 *  - Table 3 "Thermodynamic properties of water at saturation": pws =
 *    1.08, 103.24, 401.74, 872.6, 3169.7, 12 351.3, 101 418.0, 476 101.4 Pa
 *    at -60, -20, -5, 5, 25, 50, 100, 150 C.  Eqs. 5 and 6 reproduce
 *    these within 300 ppm (PsychroLib's stated bound, met here at every
 *    point: 7 to 203 ppm), tighter than the 1 % the issue asks, except at
 *    -60 C where the table prints only three digits.  Further anchors,
 *    IAPWS values as printed in steam tables (which differ by a unit in
 *    the last digit; 300 ppm covers that): 611.657 Pa at the triple point
 *    0.01 C, 2339.2 Pa at 20 C, 7384.9 Pa at 40 C, 19 946 Pa at 60 C, and
 *    the sublimation pressure of ice at 0 C, 611.15 Pa.
 *  - Table 2 "Thermodynamic properties of moist air at standard
 *    atmospheric pressure, 101.325 kPa": Ws = 0.0000243, 0.0006373,
 *    0.0024863, 0.005425, 0.020173, 0.086863 kg/kg at -50, -20, -5, 5, 25,
 *    50 C.  Table 2 comes from the real-gas Hyland-Wexler formulation
 *    (with the enhancement factor fs ~ 1.004); the perfect-gas eq. 20 used
 *    here falls 0.4-0.6 % below it over this range, which the chapter
 *    bounds at 0.7 % for -50..50 C (Kuehn et al. 1998).  Tolerance 1 %.
 *    Above 50 C the gap grows (1.2 % at 85 C), so no hotter point is used.
 *  - Example 1: moist air at 40 C dry bulb, 20 C thermodynamic wet bulb,
 *    101.325 kPa.  Published (rounded): h = 56.7 kJ/kg, RH = 14 %,
 *    v = 0.896 m3/kg, td = 7 C.  For W the chain of eqs. 6, 20 (at
 *    saturation) and 33 gives 0.00640 kg/kg, and only that value
 *    reproduces the published enthalpy through eq. 32 (1.006*40 +
 *    0.00640*(2501 + 1.86*40) = 56.7); the 0.00651 quoted in the issue
 *    would give h = 57.0.  PsychroLib's transcription checks W against
 *    0.0065 +- 0.0001, which 0.00640 also meets.  The dew point is
 *    rounded to whole degrees in the text; the chapter's own regression
 *    eq. 37 (td = 6.54 + 14.526 a + 0.7389 a^2 + 0.09486 a^3 +
 *    0.4569 pw^0.1984, a = ln pw, pw in kPa) evaluated here independently
 *    gives 7.46 C, against which the exact inverse of eq. 6 is held to
 *    0.1 C.
 *  - Independent implementation: PsychroLib's SI tests (values it computed
 *    in Excel): W(30 C, twb 25 C, 95 461 Pa) = 0.0192281274241096 and
 *    W(-1 C, twb -5 C, 95 461 Pa) = 0.00120399819933844, to 3e-4.
 */
#include "testutil.h"

#include "energy/psychro.h"

#define P_STD 101325.0

/* |actual/expected - 1| <= rel */
#define assert_rel(actual, expected, rel)                                                   \
    do {                                                                                    \
        double ar_ = (actual), er_ = (expected);                                            \
        if (!(fabs(ar_ / er_ - 1.0) <= (rel)))                                              \
            fail_msg("%s = %.10g, expected %.10g within %.3g relative", #actual, ar_, er_,  \
                     (double)(rel));                                                        \
    } while (0)

static void test_standard_atmosphere_table1(void **state)
{
    (void)state;
    static const double z[] = {-500, 0, 500, 1000, 4000, 10000};
    static const double p[] = {107478, 101325, 95461, 89875, 61640, 26436};
    for (size_t i = 0; i < sizeof z / sizeof z[0]; i++)
        assert_near(dcs_psy_std_pressure(z[i]), p[i], 1.0);
    assert_near(dcs_psy_std_pressure(0), 101325.0, 1e-9);
}

static void test_saturation_pressure_table3(void **state)
{
    (void)state;
    static const double t[] = {-20, -5, 5, 25, 50, 100, 150};
    static const double p[] = {103.24, 401.74, 872.6, 3169.7, 12351.3, 101418.0, 476101.4};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        assert_rel(dcs_psy_sat_pressure(t[i]), p[i], 3e-4);
    assert_near(dcs_psy_sat_pressure(-60), 1.08, 0.01);
}

static void test_saturation_pressure_iapws(void **state)
{
    (void)state;
    assert_rel(dcs_psy_sat_pressure(0.01), 611.657, 3e-4);
    assert_rel(dcs_psy_sat_pressure(20), 2339.2, 3e-4);
    assert_rel(dcs_psy_sat_pressure(40), 7384.9, 3e-4);
    assert_rel(dcs_psy_sat_pressure(60), 19946.0, 3e-4);
    /* below 0 C the ice branch (eq. 5) applies */
    assert_rel(dcs_psy_sat_pressure(-1e-9), 611.15, 3e-4);
    assert_true(dcs_psy_sat_pressure(-1e-9) < dcs_psy_sat_pressure(0));
}

static void test_saturation_humidity_ratio_table2(void **state)
{
    (void)state;
    static const double t[] = {-50, -20, -5, 5, 25, 50};
    static const double ws[] = {0.0000243, 0.0006373, 0.0024863, 0.005425, 0.020173, 0.086863};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double w = dcs_psy_w_sat(t[i], P_STD);
        assert_rel(w, ws[i], 0.01);
        assert_true(w < ws[i]); /* perfect gas: no enhancement factor */
    }
}

/* The chapter's dew-point regression, eq. 37 (0..93 C), pw in Pa. */
static double dew_point_eq37(double pw_pa)
{
    double pw = pw_pa / 1000.0, a = log(pw);
    return 6.54 + 14.526 * a + 0.7389 * a * a + 0.09486 * a * a * a + 0.4569 * pow(pw, 0.1984);
}

static void test_example1(void **state)
{
    (void)state;
    double w = dcs_psy_w_from_wet_bulb(40, 20, P_STD);
    assert_rel(w, 0.00640, 0.01);
    assert_near(w, 0.0065, 1e-4);
    assert_near(dcs_psy_enthalpy(40, w), 56.7, 0.05);
    assert_near(dcs_psy_rh_from_w(40, w, P_STD), 14.0, 0.5);
    assert_near(dcs_psy_specific_volume(40, w, P_STD), 0.896, 5e-4);
    double td = dcs_psy_dew_point(w, P_STD);
    assert_near(td, dew_point_eq37(dcs_psy_pw_from_w(w, P_STD)), 0.1);
    assert_near(td, 7.0, 0.5);
    assert_near(dcs_psy_wet_bulb(40, w, P_STD), 20.0, 1e-6);
    assert_near(dcs_psy_density(40, w, P_STD), (1 + w) / dcs_psy_specific_volume(40, w, P_STD),
                1e-12);
}

static void test_against_psychrolib(void **state)
{
    (void)state;
    assert_rel(dcs_psy_w_from_wet_bulb(30, 25, 95461), 0.0192281274241096, 3e-4);
    assert_rel(dcs_psy_w_from_wet_bulb(-1, -5, 95461), 0.00120399819933844, 3e-4);
    assert_rel(dcs_psy_w_from_pw(3169.7, 95461), 0.0213603998047487, 1e-6);
    /* dry air at 25 C, Table 2: vda = 0.8443 m3/kg (printed to 4 digits) */
    assert_rel(dcs_psy_specific_volume(25, 0, P_STD), 0.8443, 1e-3);
}

static void test_enthalpy_volume(void **state)
{
    (void)state;
    assert_near(dcs_psy_enthalpy(30, 0.02), 1.006 * 30 + 0.02 * (2501 + 1.86 * 30), 1e-12);
    assert_near(dcs_psy_enthalpy(0, 0), 0, 0);
    /* eq. 28 at 0 C, dry, 1 atm: 0.287042 * 273.15 / 101.325 */
    assert_near(dcs_psy_specific_volume(0, 0, P_STD), 0.287042 * 273.15 / 101.325, 1e-12);
}

/* wet bulb -> W -> wet bulb over a grid, both branches of eqs. 33/35. */
static void test_round_trip_wet_bulb(void **state)
{
    (void)state;
    static const double pressures[] = {101325, 89875, 61640};
    for (size_t k = 0; k < 3; k++)
        for (double t = -40; t <= 60; t += 2.5)
            for (double dep = 0; dep <= 25; dep += 1.25) {
                double twb = t - dep;
                double w = dcs_psy_w_from_wet_bulb(t, twb, pressures[k]);
                if (isnan(w))
                    continue; /* wet bulb too low for any moisture */
                assert_near(dcs_psy_wet_bulb(t, w, pressures[k]), twb, 1e-6);
            }
}

static void test_round_trip_dew_point_rh(void **state)
{
    (void)state;
    for (double td = -60; td <= 90; td += 1.7) {
        double w = dcs_psy_w_from_dew_point(td, P_STD);
        assert_near(dcs_psy_dew_point(w, P_STD), td, 1e-6);
    }
    for (double t = -30; t <= 50; t += 5)
        for (double rh = 5; rh <= 100; rh += 5) {
            double w = dcs_psy_w_from_rh(t, rh, 95000);
            assert_near(dcs_psy_rh_from_w(t, w, 95000), rh, 1e-9);
            double td = dcs_psy_dew_point(w, 95000);
            assert_true(td <= t + 1e-6);
            double twb = dcs_psy_wet_bulb(t, w, 95000);
            assert_true(twb >= td - 1e-6 && twb <= t + 1e-6);
        }
    /* saturated air: dew point = wet bulb = dry bulb */
    double ws = dcs_psy_w_sat(25, P_STD);
    assert_near(dcs_psy_dew_point(ws, P_STD), 25, 1e-6);
    assert_near(dcs_psy_wet_bulb(25, ws, P_STD), 25, 1e-6);
}

static void test_out_of_range_is_nan(void **state)
{
    (void)state;
    assert_true(isnan(dcs_psy_sat_pressure(-100.5)));
    assert_true(isnan(dcs_psy_sat_pressure(200.5)));
    assert_true(isnan(dcs_psy_sat_pressure(NAN)));
    assert_false(isnan(dcs_psy_sat_pressure(-100)));
    assert_false(isnan(dcs_psy_sat_pressure(200)));
    assert_true(isnan(dcs_psy_std_pressure(12000)));
    assert_true(isnan(dcs_psy_std_pressure(-1500)));
    assert_true(isnan(dcs_psy_w_from_pw(-1, P_STD)));
    assert_true(isnan(dcs_psy_w_from_pw(P_STD, P_STD)));
    assert_true(isnan(dcs_psy_w_sat(100, P_STD)));  /* boiling: pws > p */
    assert_true(isnan(dcs_psy_w_from_rh(20, 101, P_STD)));
    assert_true(isnan(dcs_psy_w_from_rh(20, -1, P_STD)));
    assert_true(isnan(dcs_psy_w_from_wet_bulb(20, 21, P_STD)));  /* wet bulb above dry bulb */
    assert_true(isnan(dcs_psy_w_from_wet_bulb(60, 0, P_STD)));   /* would need W < 0 */
    assert_true(isnan(dcs_psy_wet_bulb(20, dcs_psy_w_sat(20, P_STD) * 1.01, P_STD)));
    assert_true(isnan(dcs_psy_wet_bulb(20, -0.001, P_STD)));
    assert_true(isnan(dcs_psy_dew_point(0, P_STD)));
    assert_true(isnan(dcs_psy_enthalpy(250, 0.01)));
    assert_true(isnan(dcs_psy_specific_volume(20, 0.01, 0)));
    assert_true(isnan(dcs_psy_density(20, 0.01, INFINITY)));
}

/* The definition dcs_psy_saturated_at_enthalpy must reproduce to the bit:
 * 50 halvings of -60 .. 100 C on "saturated enthalpy below h". */
static double halving_reference(double h, double pa)
{
    double lo = -60, hi = 100;
    for (int i = 0; i < 50; i++) {
        double mid = 0.5 * (lo + hi);
        if (dcs_psy_enthalpy(mid, dcs_psy_w_sat(mid, pa)) < h)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static void test_saturated_at_enthalpy_is_the_halving(void **state)
{
    (void)state;
    unsigned seed = 12345;
    int checked = 0;
    for (int k = 0; k < 200000; k++) {
        seed = seed * 1103515245u + 12345u;
        double u = (seed >> 8) / 16777216.0;
        seed = seed * 1103515245u + 12345u;
        double v = (seed >> 8) / 16777216.0;
        double pa = 60000 + 45000 * v;             /* 4000 m up to below sea level */
        double t = -55 + 140 * u;                  /* the root, from -55 to 85 C */
        double h = dcs_psy_enthalpy(t, dcs_psy_w_sat(t, pa));
        if (isnan(h))
            continue;                              /* boiling at this pressure */
        double got = dcs_psy_saturated_at_enthalpy(h, pa), want = halving_reference(h, pa);
        if (got != want)
            fail_msg("h %.17g pa %.17g: %.17g, halving %.17g", h, pa, got, want);
        assert_true(fabs(got - t) < 1e-9);
        checked++;
    }
    assert_true(checked > 150000);
    /* beyond either end, and nonsense: the halving's own answers */
    double odd[][2] = {{-80, P_STD}, {1e4, P_STD}, {NAN, P_STD}, {50, NAN}, {50, -5}};
    for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
        double got = dcs_psy_saturated_at_enthalpy(odd[k][0], odd[k][1]);
        double want = halving_reference(odd[k][0], odd[k][1]);
        assert_memory_equal(&got, &want, sizeof got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_atmosphere_table1),
        cmocka_unit_test(test_saturation_pressure_table3),
        cmocka_unit_test(test_saturation_pressure_iapws),
        cmocka_unit_test(test_saturation_humidity_ratio_table2),
        cmocka_unit_test(test_example1),
        cmocka_unit_test(test_against_psychrolib),
        cmocka_unit_test(test_enthalpy_volume),
        cmocka_unit_test(test_round_trip_wet_bulb),
        cmocka_unit_test(test_round_trip_dew_point_rh),
        cmocka_unit_test(test_out_of_range_is_nan),
        cmocka_unit_test(test_saturated_at_enthalpy_is_the_halving),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
