/*
 * test_flex.c - flexible capacity (Duke "curtailment-enabled headroom").
 *
 * References:
 *  - A two-level shape worked by hand: 100 hours at 900 MW, 8660 at 500
 *    MW, capacity 1000 MW.  Hours budgets: 0 or 99 h -> F = 100 MW (the
 *    100 tied peak hours must all stay uncurtailed); 100 h -> F = 500 MW,
 *    100 hours curtailed by 400 MW each = 40 000 MWh = 40 000 / (500 x
 *    8760) = 0.913 %.  Energy budgets X % with B = X/100 x 8760: while
 *    only the 100 peak hours are curtailed (100 < F <= 500) the condition
 *    100 (F - 100) <= B F gives F = 10 000 / (100 - B): 0.25 % -> B = 21.9,
 *    F = 128.04 MW; 0.5 % -> B = 43.8, F = 177.94 MW.  At 1 % (B = 87.6)
 *    that bound, 806 MW, is past 500, so every hour is curtailed and
 *    8760 F - 4 340 000 <= 87.6 F gives F = 4 340 000 / 8672.4 = 500.44 MW.
 *    Exact figures; tolerance 1e-9 MW (rounding only).
 *  - A synthetic 8760-hour shape (seeded generator below: a daily cycle,
 *    a seasonal cycle and uniform noise) whose answers are found here
 *    independently by bisection on F over the unsorted hours with a direct
 *    count or sum, never through flex.c's sorted-gap solution; bisection
 *    runs to 1e-10 MW, tolerance 1e-6 MW.
 */
#include "testutil.h"

#include <stdlib.h>

#include "energy/flex.h"

#define N_HOURS 8760

static void two_level(double *l)
{
    for (size_t h = 0; h < N_HOURS; h++)
        l[h] = 500;
    for (size_t i = 0; i < 100; i++)
        l[37 + i * 87] = 900; /* spread over the year: order must not matter */
}

static dcs_flex_result run(const double *l, size_t n, double cap, dcs_flex_budget_kind kind,
                           double budget)
{
    dcs_flex_input in = {.load = l, .n = n, .capacity_mw = cap, .budget_kind = kind,
                         .budget = budget};
    dcs_flex_result r = {.extra_mw = -1};
    dcs_error err;
    dcs_error_clear(&err);
    dcs_status st = dcs_flex_headroom(&in, &r, &err);
    if (st != DCS_OK)
        fail_msg("dcs_flex_headroom: %s", err.message);
    return r;
}

static void test_two_level_hours(void **state)
{
    (void)state;
    static double l[N_HOURS];
    two_level(l);
    dcs_flex_result r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_HOURS, 0);
    assert_near(r.extra_mw, 100, 1e-9);
    assert_near(r.hours, 0, 0);
    assert_near(r.energy_mwh, 0, 0);
    r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_HOURS, 99); /* ties: still 100 */
    assert_near(r.extra_mw, 100, 1e-9);
    assert_near(r.hours, 0, 0);
    r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_HOURS, 100);
    assert_near(r.extra_mw, 500, 1e-9);
    assert_near(r.hours, 100, 0);
    assert_near(r.energy_mwh, 40000, 1e-6);
    assert_near(r.energy_pct, 100.0 * 40000 / (500.0 * 8760), 1e-9);
    r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_HOURS, 8759); /* the largest hours budget */
    assert_near(r.extra_mw, 500, 1e-9);
    assert_near(r.hours, 100, 0);
}

static void test_two_level_energy(void **state)
{
    (void)state;
    static double l[N_HOURS];
    two_level(l);
    dcs_flex_result r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_ENERGY, 0);
    assert_near(r.extra_mw, 100, 1e-9);
    assert_near(r.hours, 0, 0);
    r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_ENERGY, 0.25);
    assert_near(r.extra_mw, 10000 / 78.1, 1e-9);
    assert_near(r.hours, 100, 0);
    assert_near(r.energy_mwh, 100 * (10000 / 78.1 - 100), 1e-6);
    assert_near(r.energy_pct, 0.25, 1e-9);
    r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_ENERGY, 0.5);
    assert_near(r.extra_mw, 10000 / 56.2, 1e-9);
    assert_near(r.hours, 100, 0);
    assert_near(r.energy_pct, 0.5, 1e-9);
    r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_ENERGY, 1);
    assert_near(r.extra_mw, 4340000 / 8672.4, 1e-9);
    assert_near(r.hours, 8760, 0);
    assert_near(r.energy_mwh, 0.01 * 8760 * (4340000 / 8672.4), 1e-6);
    assert_near(r.energy_pct, 1, 1e-9);
}

static void test_load_above_capacity(void **state)
{
    (void)state;
    static double l[N_HOURS];
    two_level(l);
    for (size_t h = 0; h < 10; h++)
        l[h] = 1100; /* 10 hours already over a 1000 MW capacity */
    /* 10 overloaded hours are more than 5: nothing fits, nothing curtailed */
    dcs_flex_result r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_HOURS, 5);
    assert_near(r.extra_mw, 0, 0);
    assert_near(r.hours, 0, 0);
    assert_near(r.energy_pct, 0, 0);
    /* 10 overloaded + the 100 at 900: budgets of 10 .. 109 h give 100 MW */
    r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_HOURS, 10);
    assert_near(r.extra_mw, 100, 1e-9);
    assert_near(r.hours, 10, 0);
    assert_near(r.energy_mwh, 10 * 100, 1e-9); /* an overloaded hour drops all of F */
}

/* --- the synthetic year and its independent answers ---------------------- */

static double uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL; /* Knuth's MMIX LCG */
    return (double)(*s >> 11) / 9007199254740992.0;
}

static void synthetic(double *l)
{
    uint64_t s = 20250211;
    for (size_t h = 0; h < N_HOURS; h++) {
        double day = (double)(h / 24), hour = (double)(h % 24);
        l[h] = 10000 + 1500 * sin(2 * M_PI * (hour - 9) / 24) +
               2500 * cos(2 * M_PI * (day - 200) / 365) + 600 * (uniform(&s) - 0.5);
    }
}

static double peak_of(const double *l)
{
    double m = l[0];
    for (size_t h = 1; h < N_HOURS; h++)
        m = l[h] > m ? l[h] : m;
    return m;
}

static double hours_over(const double *l, double cap, double f)
{
    double k = 0;
    for (size_t h = 0; h < N_HOURS; h++)
        k += l[h] + f > cap;
    return k;
}

static double energy_over(const double *l, double cap, double f)
{
    double e = 0;
    for (size_t h = 0; h < N_HOURS; h++)
        e += l[h] + f > cap ? l[h] + f - cap : 0;
    return e;
}

/* sup of F in [0, cap] with hours_over <= nh (or, nh < 0, energy within x %) */
static double bisect(const double *l, double cap, double nh, double x_pct)
{
    double lo = 0, hi = cap;
    while (hi - lo > 1e-10) {
        double mid = 0.5 * (lo + hi);
        int ok = nh >= 0 ? hours_over(l, cap, mid) <= nh
                         : energy_over(l, cap, mid) <= x_pct / 100 * mid * N_HOURS;
        if (ok)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static void check_synthetic(const double *l, double cap, dcs_flex_budget_kind kind, double b)
{
    dcs_flex_result r = run(l, N_HOURS, cap, kind, b);
    double want = kind == DCS_FLEX_BUDGET_HOURS ? bisect(l, cap, b, 0) : bisect(l, cap, -1, b);
    assert_near(r.extra_mw, want, 1e-6);
    assert_near(r.hours, hours_over(l, cap, r.extra_mw), 0);
    assert_near(r.energy_mwh, energy_over(l, cap, r.extra_mw), 1e-6 * (1 + r.energy_mwh));
    if (kind == DCS_FLEX_BUDGET_HOURS)
        assert_true(r.hours <= b);
    else
        assert_near(r.energy_pct, b, 1e-9); /* the budget binds on a continuous shape */
}

static void test_synthetic_region(void **state)
{
    (void)state;
    static double l[N_HOURS];
    synthetic(l);
    double cap = peak_of(l); /* Duke: the region's own peak */
    const double pct[] = {0.25, 0.5, 1};
    double prev = 0;
    for (size_t i = 0; i < 3; i++) {
        check_synthetic(l, cap, DCS_FLEX_BUDGET_ENERGY, pct[i]);
        double f = run(l, N_HOURS, cap, DCS_FLEX_BUDGET_ENERGY, pct[i]).extra_mw;
        assert_true(f > prev); /* a larger budget admits more load */
        prev = f;
    }
    const double hrs[] = {0, 1, 10, 50, 100, 500};
    for (size_t i = 0; i < 6; i++)
        check_synthetic(l, cap, DCS_FLEX_BUDGET_HOURS, hrs[i]);
    /* at its own peak there is no firm headroom */
    assert_near(run(l, N_HOURS, cap, DCS_FLEX_BUDGET_HOURS, 0).extra_mw, 0, 0);
}

static void test_synthetic_substation(void **state)
{
    (void)state;
    static double l[N_HOURS], s[N_HOURS];
    synthetic(l);
    dcs_error err;
    dcs_error_clear(&err);
    /* a 300 MW substation with 40 MW of headroom: its own peak is 260 MW */
    assert_int_equal(dcs_flex_scale_to_peak(l, N_HOURS, 300 - 40, s, &err), DCS_OK);
    assert_near(peak_of(s), 260, 1e-9);
    double k = 260 / peak_of(l);
    assert_near(s[1234], l[1234] * k, 1e-9); /* the shape is kept */
    /* budget 0 gives back the firm headroom; budgets add flexible capacity */
    assert_near(run(s, N_HOURS, 300, DCS_FLEX_BUDGET_HOURS, 0).extra_mw, 40, 1e-9);
    check_synthetic(s, 300, DCS_FLEX_BUDGET_HOURS, 50);
    check_synthetic(s, 300, DCS_FLEX_BUDGET_ENERGY, 0.5);
    assert_true(run(s, N_HOURS, 300, DCS_FLEX_BUDGET_ENERGY, 0.5).extra_mw > 40);
    /* in place */
    memcpy(s, l, sizeof s);
    assert_int_equal(dcs_flex_scale_to_peak(s, N_HOURS, 100, s, &err), DCS_OK);
    assert_near(peak_of(s), 100, 1e-9);
}

/* one sorted regional shape, queried per substation, gives the same answers */
static void test_shape_queries(void **state)
{
    (void)state;
    static double l[N_HOURS], s[N_HOURS];
    synthetic(l);
    dcs_error err;
    dcs_error_clear(&err);
    dcs_flex_shape shape;
    assert_int_equal(dcs_flex_shape_init(&shape, l, N_HOURS, &err), DCS_OK);
    assert_near(shape.peak, peak_of(l), 0);
    const double caps[] = {300, 120}, heads[] = {40, 0};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(dcs_flex_scale_to_peak(l, N_HOURS, caps[i] - heads[i], s, &err), DCS_OK);
        const dcs_flex_query base = {.scale = (caps[i] - heads[i]) / shape.peak,
                                     .capacity_mw = caps[i]};
        const double b[] = {0, 50, 0.25, 0.5, 1};
        for (size_t j = 0; j < 5; j++) {
            dcs_flex_query q = base;
            q.budget_kind = j < 2 ? DCS_FLEX_BUDGET_HOURS : DCS_FLEX_BUDGET_ENERGY;
            q.budget = b[j];
            dcs_flex_result r;
            assert_int_equal(dcs_flex_headroom_shape(&shape, &q, &r, &err), DCS_OK);
            dcs_flex_result want = run(s, N_HOURS, caps[i], q.budget_kind, q.budget);
            assert_near(r.extra_mw, want.extra_mw, 1e-9);
            assert_near(r.hours, want.hours, 0);
            assert_near(r.energy_mwh, want.energy_mwh, 1e-6);
            check_synthetic(s, caps[i], q.budget_kind, q.budget); /* and the bisection */
        }
    }
    dcs_flex_query bad = {.scale = 0, .capacity_mw = 300};
    dcs_flex_result r = {.extra_mw = -7};
    assert_int_equal(dcs_flex_headroom_shape(&shape, &bad, &r, &err), DCS_ERR_DATA);
    assert_contains(err.message, "scale 0 is not a positive number");
    assert_near(r.extra_mw, -7, 0);
    dcs_flex_shape_free(&shape);
    assert_null(shape.desc);
    assert_int_equal(dcs_flex_headroom_shape(&shape, &bad, &r, &err), DCS_ERR_DATA);
    assert_contains(err.message, "no hourly load shape");
    l[17] = INFINITY;
    assert_int_equal(dcs_flex_shape_init(&shape, l, N_HOURS, &err), DCS_ERR_DATA);
    assert_contains(err.message, "hour 17");
    assert_null(shape.desc);
    dcs_flex_shape_free(&shape);
    dcs_flex_shape_free(NULL);
}

static void test_generator_cap(void **state)
{
    (void)state;
    static double l[N_HOURS];
    two_level(l);
    /* 100 curtailed hours: over the federal 50 h, within a 500 h permit */
    dcs_flex_result r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_HOURS, 100);
    assert_int_equal(dcs_flex_within_cap(&r, 50), 0);
    assert_int_equal(dcs_flex_within_cap(&r, 500), 1);
    /* 8760 hours at the 1 % energy budget: over both */
    r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_ENERGY, 1);
    assert_int_equal(dcs_flex_within_cap(&r, 50), 0);
    assert_int_equal(dcs_flex_within_cap(&r, 500), 0);
    /* none: within both */
    r = run(l, N_HOURS, 1000, DCS_FLEX_BUDGET_HOURS, 0);
    assert_int_equal(dcs_flex_within_cap(&r, 50), 1);
    assert_int_equal(dcs_flex_within_cap(&r, 500), 1);
    /* exactly at the cap counts as within (continuous shape: no ties) */
    synthetic(l);
    r = run(l, N_HOURS, peak_of(l), DCS_FLEX_BUDGET_HOURS, 50);
    assert_near(r.hours, 50, 0);
    assert_int_equal(dcs_flex_within_cap(&r, 50), 1);
    assert_int_equal(dcs_flex_within_cap(&r, 49), 0);
    assert_int_equal(dcs_flex_within_cap(&r, NAN), 0);
    assert_int_equal(dcs_flex_within_cap(NULL, 500), 0);
}

static void expect_error(const dcs_flex_input *in, const char *needle)
{
    dcs_flex_result r = {.extra_mw = -7};
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_flex_headroom(in, &r, &err), DCS_ERR_DATA);
    assert_contains(err.message, needle);
    assert_near(r.extra_mw, -7, 0); /* out untouched */
}

static void test_bad_input(void **state)
{
    (void)state;
    static double l[N_HOURS];
    two_level(l);
    dcs_flex_input ok = {.load = l, .n = N_HOURS, .capacity_mw = 1000,
                         .budget_kind = DCS_FLEX_BUDGET_HOURS, .budget = 10};
    dcs_flex_input in = ok;
    in.load = NULL;
    expect_error(&in, "no hourly load shape");
    in = ok;
    in.n = 0;
    expect_error(&in, "no hourly load shape");
    in = ok;
    in.capacity_mw = 0;
    expect_error(&in, "capacity 0 MW");
    in = ok;
    in.budget = 8760;
    expect_error(&in, "8760 curtailed hours");
    in = ok;
    in.budget = -1;
    expect_error(&in, "-1 curtailed hours");
    in = ok;
    in.budget_kind = DCS_FLEX_BUDGET_ENERGY;
    in.budget = 100;
    expect_error(&in, "100 % of the new load's energy");
    l[4321] = NAN;
    expect_error(&ok, "hour 4321");

    dcs_error err;
    dcs_error_clear(&err);
    double out[3] = {0}, z[3] = {0, 0, 0}, one[3] = {1, 2, 3};
    assert_int_equal(dcs_flex_scale_to_peak(z, 3, 10, out, &err), DCS_ERR_DATA);
    assert_contains(err.message, "peak 0 MW is not positive");
    assert_int_equal(dcs_flex_scale_to_peak(one, 3, -5, out, &err), DCS_ERR_DATA);
    assert_contains(err.message, "target peak -5 MW");
    assert_near(out[2], 0, 0); /* untouched */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_level_hours),
        cmocka_unit_test(test_two_level_energy),
        cmocka_unit_test(test_load_above_capacity),
        cmocka_unit_test(test_synthetic_region),
        cmocka_unit_test(test_synthetic_substation),
        cmocka_unit_test(test_shape_queries),
        cmocka_unit_test(test_generator_cap),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
