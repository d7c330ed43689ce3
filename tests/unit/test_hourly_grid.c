/*
 * test_hourly_grid.c - hourly carbon, CFE and cost on hand-built profiles
 * whose answers are worked out by hand in the comments (no dcsite output
 * is used as a reference).  Tolerance 1e-9 relative: the sums are of a
 * few exactly representable values.
 *
 * The load is flat, 100 MW in every hour of 365 days (876 000 MWh).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "energy/hourly_grid.h"

#define TOL 1e-9

static double load[DCS_HOURS], cfe[DCS_HOURS], price[DCS_HOURS], co2[DCS_HOURS],
    marg[DCS_HOURS], ppa[DCS_HOURS];

static void near(double got, double want)
{
    if (!(fabs(got - want) <= TOL * fabs(want)))
        fail_msg("got %.12g, want %.12g", got, want);
}

/* 0.2 in hours 0-11 of each day, 0.8 in hours 12-23; price 20 $/MWh
 * except 80 in hours 14-21; average rate 1000 lb/MWh; marginal 1500 in
 * hours 0-11 and 500 after. */
static int setup(void **state)
{
    (void)state;
    for (int h = 0; h < DCS_HOURS; h++) {
        int hod = h % 24;
        load[h] = 100;
        cfe[h] = hod < 12 ? 0.2 : 0.8;
        price[h] = hod >= 14 && hod <= 21 ? 80 : 20;
        co2[h] = 1000;
        marg[h] = hod < 12 ? 1500 : 500;
        ppa[h] = 0;
    }
    return 0;
}

static void test_grid_only(void **state)
{
    (void)state;
    const double *sig[DCS_SIG_COUNT] = {co2, marg, cfe, price, NULL};
    dcs_hourly_figures f = dcs_hourly_combine(load, DCS_HOURS, sig, NULL);
    near(f.energy_mwh, 876000);
    /* half the energy at 0.2, half at 0.8 */
    near(f.cfe_grid_pct, 50);
    /* a day: 100 MW x (16 h x 20 + 8 h x 80) = 96 000 $; x 365 */
    near(f.cost_usd, 35040000);
    /* 876 000 MWh x 1000 lb/MWh x 0.45359237 kg/lb / 1000 */
    near(f.co2_avg_t, 397346.91612);
    /* marginal: half at 1500, half at 500 = the same mean */
    near(f.co2_marginal_t, 397346.91612);
    assert_true(isnan(f.cfe_matched_pct));
    assert_true(isnan(f.unmatched_mwh));
}

static void test_matched(void **state)
{
    (void)state;
    const double *sig[DCS_SIG_COUNT] = {NULL, NULL, cfe, NULL, NULL};
    /* 50 MW of clean supply in hours 0-11: those hours 50 + 50 x 0.2 = 60
     * MWh clean of 100; hours 12-23: 100 x 0.8 = 80.  A day: 12 x 60 + 12 x
     * 80 = 1680 of 2400 = 70 %; unmatched 30 % of 876 000 = 262 800 MWh. */
    for (int h = 0; h < DCS_HOURS; h++)
        ppa[h] = h % 24 < 12 ? 50 : 0;
    dcs_hourly_figures f = dcs_hourly_combine(load, DCS_HOURS, sig, ppa);
    near(f.cfe_matched_pct, 70);
    near(f.unmatched_mwh, 262800);
    near(f.cfe_grid_pct, 50);
    assert_true(isnan(f.cost_usd));
    assert_true(isnan(f.co2_avg_t));
    /* 150 MW in hours 0-11: the surplus counts for nothing (hour by hour):
     * 12 x 100 + 12 x 80 = 2160 of 2400 = 90 %, not 100 % as an annual
     * total (657 000 MWh of supply + the grid's share) would suggest. */
    for (int h = 0; h < DCS_HOURS; h++)
        ppa[h] = h % 24 < 12 ? 150 : 0;
    f = dcs_hourly_combine(load, DCS_HOURS, sig, ppa);
    near(f.cfe_matched_pct, 90);
    near(f.unmatched_mwh, 87600);
}

static void test_nan_signal(void **state)
{
    (void)state;
    price[100] = NAN;
    const double *sig[DCS_SIG_COUNT] = {NULL, NULL, NULL, price, NULL};
    dcs_hourly_figures f = dcs_hourly_combine(load, DCS_HOURS, sig, NULL);
    assert_true(isnan(f.cost_usd));
    assert_true(isnan(f.cfe_grid_pct));
    price[100] = 20;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_grid_only, setup),
        cmocka_unit_test_setup(test_matched, setup),
        cmocka_unit_test_setup(test_nan_signal, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
