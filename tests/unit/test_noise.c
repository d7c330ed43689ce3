/*
 * test_noise.c - plant sound power and ISO 9613-2 propagation.
 *
 * References: hand calculations from the equations of ISO 9613-2:1996
 * (eq. 7 Adiv, eq. 8 Aatm with Table 2 at 10 C / 70 %, Table 3 general
 * ground method, eq. 12 barrier), written out below; tolerance 0.005 dB
 * (the hand values are rounded to 4 decimals).  Source height hs = 2 m,
 * receiver height hr = 1.5 m throughout, so 30 (hs + hr) = 105 m and the
 * slant distance d = sqrt(dp^2 + 0.25).
 *
 * Point source, G = 0 (hard ground): As = Ar = -1.5 dB in every band,
 * Am = -3 q with q = 0 for dp <= 105 m, else 1 - 105 / dp.
 *  dp = 100 m: d = 100.00125, Adiv = 20 lg d + 11 = 51.0001; q = 0,
 *    Agr = -3; 1 kHz: Aatm = 3.7 x 0.1 = 0.37 -> A = 48.3701;
 *    63 Hz: Aatm = 0.01 -> A = 48.0101; 8 kHz: Aatm = 11.7 -> 59.7001.
 *  dp = 500 m: d = 500.00025, Adiv = 64.9794; q = 0.79, Agr = -3 - 2.37
 *    = -5.37; 1 kHz: Aatm = 1.85 -> A = 61.4594; 4 kHz: 16.4 -> 76.0094.
 *  dp = 1000 m: Adiv = 71.0000; q = 0.895, Agr = -5.685; 1 kHz: Aatm =
 *    3.7 -> A = 69.0150; 2 kHz: 9.7 -> 75.0150.
 * No ground term at all (the free-field part): Adiv + Aatm at 1 kHz,
 *    dp = 500: 64.9794 + 1.85 = 66.8294 = A(G = 0) + 5.37.
 * G = 1 (porous ground), general method:
 *  500 Hz, dp = 500: c'(h) = 1.5 + 14 e^(-0.46 h^2) (1 - e^(-dp/50));
 *    e^(-10) = 4.54e-5; h = 2: 14 x 0.158817 x 0.999955 = 2.22334,
 *    As = -1.5 + c'(2) = 2.2233; h = 1.5: 14 x 0.355226 x 0.999955 =
 *    4.97294, Ar = 4.9729; Am = -3 q (1 - G) = 0; Agr = 7.1963.
 *    A = 64.9794 + 1.9 x 0.5 + 7.1963 = 73.1257.
 *  250 Hz, dp = 500: b'(h) = 1.5 + 8.6 e^(-0.09 h^2) (1 - e^(-10));
 *    h = 2: 8.6 x 0.697676 x 0.999955 = 5.99975; h = 1.5: 8.6 x 0.816686
 *    x 0.999955 = 7.02312; Agr = 13.0229; A = 64.9794 + 0.5 + 13.0229 =
 *    78.5023.
 *  125 Hz, dp = 1000: a'(h) = 1.5 + 3 e^(-0.12 (h-5)^2) (1 - e^(-20)) +
 *    5.7 e^(-0.09 h^2) (1 - e^(-2.8e-6 dp^2)), 1 - e^(-2.8) = 0.939190;
 *    h = 2: 3 x 0.339596 = 1.01879, 5.7 x 0.697676 x 0.939190 = 3.73494,
 *    As = 4.7537; h = 1.5: 3 x 0.229931 = 0.68979, 5.7 x 0.816686 x
 *    0.939190 = 4.37206, Ar = 5.0619; Agr = 9.8156; A = 71.0000 + 0.4 +
 *    9.8156 = 81.2156.
 *  63 Hz: As = Ar = -1.5, Am = -3 q whatever G: dp = 500 -> Agr = -5.37.
 *  2 kHz and up: As = Ar = -1.5 (1 - G) = 0, Am = 0: Agr = 0.
 * Barrier Dz = 10 dB in every band, G = 1, dp = 500 (eq. 12: Abar =
 *    Dz - Agr when positive, else 0):
 *  500 Hz: Agr = 7.1963 < 10 -> ground + barrier = 10, A = 64.9794 +
 *    0.95 + 10 = 75.9294;  250 Hz: Agr = 13.0229 > 10 -> Abar = 0,
 *    A = 78.5023 (as without);  63 Hz: Agr = -5.37 -> 10, A = 64.9794 +
 *    0.05 + 10 = 75.0294.
 *  Dz = 25 is capped at 20: 1 kHz A = 64.9794 + 1.85 + 20 = 86.8294.
 *
 * Sound power: 10 MW of IT on air-cooled chillers of 0.527 MW each needs
 * ceil(18.98) = 19 units, 10 lg 19 = 12.7875 dB above one unit (98 dB at
 * 63 Hz -> 110.7875); at a load fraction 0.5, ceil(9.5) = 10 run.  The
 * generic spectra reproduce their overall A-weighted level: the tower
 * 97 dBA (normalised shape) within 0.05 dB; the McQuay chiller's octave
 * data give 100.85 dBA against the 101.0 printed (rounding of the bands).
 */
#include "testutil.h"

#include "community/noise.h"

#define TOL 0.005

static dcs_noise_path path(double g, double dz)
{
    dcs_noise_path p = {.source_h_m = 2, .receiver_h_m = 1.5, .ground_g = g,
                        .atmosphere = DCS_ATM_10C_70};
    for (int b = 0; b < DCS_NOISE_BANDS; b++)
        p.barrier_db[b] = dz;
    return p;
}

static void test_hard_ground(void **state)
{
    (void)state;
    dcs_noise_path p = path(0, 0);
    double a[DCS_NOISE_BANDS];
    dcs_noise_attenuation(&p, 100, a);
    assert_near(a[4], 48.3701, TOL);
    assert_near(a[0], 48.0101, TOL);
    assert_near(a[7], 59.7001, TOL);
    dcs_noise_attenuation(&p, 500, a);
    assert_near(a[4], 61.4594, TOL);
    assert_near(a[6], 76.0094, TOL);
    assert_near(dcs_noise_agr(&p, 4, 500), -5.37, TOL);
    /* without the ground term: Adiv + Aatm */
    assert_near(a[4] - dcs_noise_agr(&p, 4, 500), 66.8294, TOL);
    dcs_noise_attenuation(&p, 1000, a);
    assert_near(a[4], 69.0150, TOL);
    assert_near(a[5], 75.0150, TOL);
    assert_near(dcs_noise_adiv(1000), 71.0, 1e-9);
}

static void test_porous_ground(void **state)
{
    (void)state;
    dcs_noise_path p = path(1, 0);
    double a[DCS_NOISE_BANDS];
    assert_near(dcs_noise_agr(&p, 3, 500), 7.1963, TOL);
    assert_near(dcs_noise_agr(&p, 2, 500), 13.0229, TOL);
    assert_near(dcs_noise_agr(&p, 0, 500), -5.37, TOL);
    assert_near(dcs_noise_agr(&p, 5, 500), 0, TOL);
    dcs_noise_attenuation(&p, 500, a);
    assert_near(a[3], 73.1257, TOL);
    assert_near(a[2], 78.5023, TOL);
    assert_near(dcs_noise_agr(&p, 1, 1000), 9.8156, TOL);
    dcs_noise_attenuation(&p, 1000, a);
    assert_near(a[1], 81.2156, TOL);
}

static void test_barrier(void **state)
{
    (void)state;
    dcs_noise_path p = path(1, 10);
    double a[DCS_NOISE_BANDS];
    dcs_noise_attenuation(&p, 500, a);
    assert_near(a[3], 75.9294, TOL);
    assert_near(a[2], 78.5023, TOL); /* the ground already gives more than the barrier */
    assert_near(a[0], 75.0294, TOL);
    p = path(1, 25);
    dcs_noise_attenuation(&p, 500, a);
    assert_near(a[4], 86.8294, TOL); /* Dz capped at 20 dB */
}

static void test_levels_and_weighting(void **state)
{
    (void)state;
    /* 100 dB at 1 kHz only, G = 0, 100 m: 100 - 48.3701 = 51.6299 dB, the
     * same A-weighted (0 dB at 1 kHz) and C-weighted (0 dB) */
    double lw[DCS_NOISE_BANDS] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, 100,
                                  -INFINITY, -INFINITY, -INFINITY};
    dcs_noise_path p = path(0, 0);
    double lp[DCS_NOISE_BANDS];
    dcs_noise_levels(lw, &p, 100, lp);
    assert_near(dcs_noise_total(lp, dcs_noise_a_weight), 51.6299, TOL);
    assert_near(dcs_noise_total(lp, dcs_noise_c_weight), 51.6299, TOL);
    /* two equal bands of 60 dB at 63 Hz and 1 kHz: A = 10 lg(10^3.38 + 10^6)
     * = 60.0104 (63 Hz weighted -26.2); C = 10 lg(10^5.92 + 10^6) = 62.6287 */
    double two[DCS_NOISE_BANDS] = {60, -INFINITY, -INFINITY, -INFINITY, 60,
                                   -INFINITY, -INFINITY, -INFINITY};
    assert_near(dcs_noise_total(two, dcs_noise_a_weight), 60.0104, TOL);
    assert_near(dcs_noise_total(two, dcs_noise_c_weight), 62.6287, TOL);
}

static void test_plant(void **state)
{
    (void)state;
    double n[DCS_NSRC_COUNT], half[DCS_NSRC_COUNT], lw[DCS_NOISE_BANDS];
    dcs_noise_plant_units(DCS_COOL_AIR_CHILLER, 0, 10, 1.3, n);
    assert_near(n[DCS_NSRC_AIR_CHILLER], 19, 0);
    assert_near(n[DCS_NSRC_COOLING_TOWER], 0, 0);
    dcs_noise_plant_lw(n, lw);
    assert_near(lw[0], 110.7875, TOL);
    dcs_noise_part_load(n, 0.5, half);
    assert_near(half[DCS_NSRC_AIR_CHILLER], 10, 0);
    /* towers: 10 MW x PUE 1.3 = 13 MW of heat in 2.5 MW cells -> 6 */
    dcs_noise_plant_units(DCS_COOL_WATER_ECONOMIZER, 0, 10, 1.3, n);
    assert_near(n[DCS_NSRC_COOLING_TOWER], 6, 0);
    /* liquid 0.8: 8 MW of dry coolers (8 units), 2 MW of chillers (4) */
    dcs_noise_plant_units(DCS_COOL_LIQUID, 0.8, 10, 1.3, n);
    assert_near(n[DCS_NSRC_DRY_COOLER], 8, 0);
    assert_near(n[DCS_NSRC_AIR_CHILLER], 4, 0);
    /* the generic tower spectrum carries 97 dBA, the chiller's data 100.85 */
    double one[DCS_NSRC_COUNT] = {[DCS_NSRC_COOLING_TOWER] = 1};
    dcs_noise_plant_lw(one, lw);
    assert_near(dcs_noise_total(lw, dcs_noise_a_weight), 97.0, 0.05);
    double ch[DCS_NSRC_COUNT] = {[DCS_NSRC_AIR_CHILLER] = 1};
    dcs_noise_plant_lw(ch, lw);
    assert_near(dcs_noise_total(lw, dcs_noise_a_weight), 100.85, 0.01);
    double none[DCS_NSRC_COUNT] = {0};
    dcs_noise_plant_lw(none, lw);
    assert_true(isinf(lw[3]) && lw[3] < 0);
}

static void test_atmosphere_names(void **state)
{
    (void)state;
    dcs_noise_atmosphere a;
    assert_int_equal(dcs_noise_atmosphere_from_name("15C_20pct", &a), 0);
    assert_int_equal(a, DCS_ATM_15C_20);
    assert_near(dcs_noise_alpha(a, 7), 202, 0);
    assert_int_equal(dcs_noise_atmosphere_from_name("hot", &a), -1);
    assert_string_equal(dcs_noise_atmosphere_name(DCS_ATM_10C_70), "10C_70pct");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hard_ground),     cmocka_unit_test(test_porous_ground),
        cmocka_unit_test(test_barrier),         cmocka_unit_test(test_levels_and_weighting),
        cmocka_unit_test(test_plant),           cmocka_unit_test(test_atmosphere_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
