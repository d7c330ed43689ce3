/*
 * test_sensitivity.c - Monte Carlo over the weights and one-at-a-time
 * sweeps, on hand-made criterion values whose answers are known exactly.
 *
 * References:
 *  - splitmix64: the published outputs for seed 0 (Steele, Lea and Flood's
 *    generator as in Vigna's reference C code): e220a8397b1dcdaf,
 *    6e789e6aa1b965f4, 06c45d188009454f.
 *  - A site better than every other on every criterion is first under any
 *    positive weights: p_top = 1 and ranks 1..1 exactly, whatever the draw.
 *  - Two sites A = (1, 0.2) and B = (0.4, 1) under a weighted sum: A
 *    scores w0 + 0.2 w1, B 0.4 w0 + w1, so A leads iff 0.6 w0 > 0.8 w1,
 *    i.e. w0 / (w0 + w1) > 4/7.  With w0 ~ U(0, 1) and w1 fixed at 0.5,
 *    P(A first) = P(w0 > 2/3) = 1/3; with 20000 runs the binomial standard
 *    deviation is sqrt(2/9 / 20000) = 0.0033, tolerance 0.015 (4.5 sd).
 *    In the sweep of criterion 0 the lead changes at w0 = 4/7 (criterion
 *    1: w1 = 3/7); bisection tolerance 1e-8.
 */
#include "testutil.h"

#include <stdlib.h>

#include "decision/mcda.h"
#include "decision/sensitivity.h"

static const char *const ids3[] = {"A", "B", "C"};

static dcs_sens_input input(size_t n, size_t ncrits, const double *value,
                            const unsigned char *eligible, const char *const *id,
                            const size_t *base_rank, const double *w, int agg)
{
    dcs_sens_input in = {.n = n,
                         .ncrits = ncrits,
                         .value = value,
                         .eligible = eligible,
                         .id = id,
                         .base_rank = base_rank,
                         .weight = w,
                         .aggregation = agg};
    return in;
}

static void run_ok(const dcs_sens_input *in, const dcs_sens_params *p, dcs_sensitivity *out)
{
    dcs_error err;
    dcs_error_clear(&err);
    if (dcs_sensitivity_run(in, p, out, &err) != DCS_OK)
        fail_msg("dcs_sensitivity_run: %s", err.message);
}

static void test_splitmix64_reference(void **state)
{
    (void)state;
    uint64_t s = 0;
    assert_true(dcs_splitmix64(&s) == 0xe220a8397b1dcdafULL);
    assert_true(dcs_splitmix64(&s) == 0x6e789e6aa1b965f4ULL);
    assert_true(dcs_splitmix64(&s) == 0x06c45d188009454fULL);
}

/* Mean of 100000 uniforms: 0.5 with sd 0.289 / sqrt(1e5) = 0.0009;
 * tolerance 0.005.  Every draw lies in [0, 1). */
static void test_rand_unit_range_and_mean(void **state)
{
    (void)state;
    uint64_t s = 7;
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        double u = dcs_rand_unit(&s);
        assert_true(u >= 0 && u < 1);
        sum += u;
    }
    assert_near(sum / 100000, 0.5, 0.005);
}

/* (0.5, 0.3, 0.2), criterion 0 at 0.8: the others share 0.2 as 3:2. */
static void test_sweep_weights(void **state)
{
    (void)state;
    const double base[3] = {0.5, 0.3, 0.2};
    double w[3];
    dcs_sweep_weights(base, 3, 0, 0.8, w);
    assert_near(w[0], 0.8, 1e-15);
    assert_near(w[1], 0.12, 1e-15);
    assert_near(w[2], 0.08, 1e-15);
    const double only[3] = {1, 0, 0};
    dcs_sweep_weights(only, 3, 0, 0.4, w); /* the others were all 0: equal shares */
    assert_near(w[1], 0.3, 1e-15);
    assert_near(w[2], 0.3, 1e-15);
}

/* A dominates B dominates C on both criteria; any aggregation. */
static void check_dominance(int agg)
{
    const double v[6] = {1, 1, 0.5, 0.2, 0.1, 0.1};
    const unsigned char el[3] = {1, 1, 1};
    const size_t rank[3] = {1, 2, 3};
    const double w[2] = {0.6, 0.4};
    dcs_sens_input in = input(3, 2, v, el, ids3, rank, w, agg);
    dcs_sens_params p = {.runs = 500, .seed = 42, .top_n = 1, .perturbation = 0.9,
                         .lo = NULL, .hi = NULL, .sweep_steps = 11};
    dcs_sensitivity s;
    run_ok(&in, &p, &s);
    assert_true(s.p_top[0] == 1.0);
    assert_true(s.p_top[1] == 0.0 && s.p_top[2] == 0.0);
    for (size_t i = 0; i < 3; i++) {
        assert_true(s.rank_p05[i] == (double)(i + 1));
        assert_true(s.rank_p50[i] == (double)(i + 1));
        assert_true(s.rank_p95[i] == (double)(i + 1));
    }
    for (size_t c = 0; c < 2; c++) {
        for (size_t k = 0; k < 11; k++) /* at weight 0 the other criterion ranks A first */
            assert_int_equal(s.sweep_top[c * 11 + k], 0);
        assert_true(s.sweep_lo[c] == 0 && s.sweep_hi[c] == 1);
        assert_true(s.sweep_lo_site[c] == DCS_SENS_NONE && s.sweep_hi_site[c] == DCS_SENS_NONE);
    }
    dcs_sensitivity_free(&s);
}

static void test_dominant_site_weighted_sum(void **state)
{
    (void)state;
    check_dominance(DCS_AGG_WEIGHTED_SUM);
}

static void test_dominant_site_product_and_topsis(void **state)
{
    (void)state;
    check_dominance(DCS_AGG_WEIGHTED_PRODUCT);
    check_dominance(DCS_AGG_TOPSIS);
}

/* top_n = 2: A and B are always in the top 2, C never; an excluded
 * site has no probability. */
static void test_top_n_and_excluded(void **state)
{
    (void)state;
    const double v[8] = {1, 1, 0.5, 0.2, 0.1, 0.1, 0.9, 0.9};
    const unsigned char el[4] = {1, 1, 1, 0};
    const char *const id[4] = {"A", "B", "C", "D"};
    const size_t rank[4] = {1, 2, 3, 0};
    const double w[2] = {0.5, 0.5};
    dcs_sens_input in = input(4, 2, v, el, id, rank, w, DCS_AGG_WEIGHTED_SUM);
    dcs_sens_params p = {.runs = 200, .seed = 1, .top_n = 2, .perturbation = 0.5,
                         .lo = NULL, .hi = NULL, .sweep_steps = 5};
    dcs_sensitivity s;
    run_ok(&in, &p, &s);
    assert_true(s.p_top[0] == 1 && s.p_top[1] == 1 && s.p_top[2] == 0);
    assert_true(isnan(s.p_top[3]) && isnan(s.rank_p05[3]) && isnan(s.rank_p95[3]));
    dcs_sensitivity_free(&s);
}

static const double swap_v[4] = {1, 0.2, 0.4, 1}; /* A, B */
static const unsigned char swap_el[2] = {1, 1};
static const size_t swap_rank[2] = {1, 2};
static const double swap_w[2] = {0.7, 0.3};

static void ranged_run(uint64_t seed, dcs_sensitivity *s)
{
    static const double lo[2] = {0, 0.5}, hi[2] = {1, 0.5};
    dcs_sens_input in = input(2, 2, swap_v, swap_el, ids3, swap_rank, swap_w,
                              DCS_AGG_WEIGHTED_SUM);
    dcs_sens_params p = {.runs = 20000, .seed = seed, .top_n = 1, .perturbation = 0,
                         .lo = lo, .hi = hi, .sweep_steps = 21};
    run_ok(&in, &p, s);
}

static void test_ranges_probability(void **state)
{
    (void)state;
    dcs_sensitivity s;
    ranged_run(42, &s);
    assert_near(s.p_top[0], 1.0 / 3, 0.015);
    assert_near(s.p_top[1], 2.0 / 3, 0.015);
    assert_near(s.p_top[0] + s.p_top[1], 1.0, 1e-12);
    /* A is first in about a third of the runs: 5th percentile 1, median 2 */
    assert_true(s.rank_p05[0] == 1 && s.rank_p50[0] == 2 && s.rank_p95[0] == 2);
    assert_true(s.rank_p05[1] == 1 && s.rank_p50[1] == 1 && s.rank_p95[1] == 2);
    dcs_sensitivity_free(&s);
}

static void test_seed_reproducible(void **state)
{
    (void)state;
    dcs_sensitivity a, b, c;
    ranged_run(42, &a);
    ranged_run(42, &b);
    ranged_run(43, &c);
    assert_memory_equal(a.p_top, b.p_top, 2 * sizeof *a.p_top);
    assert_memory_equal(a.rank_p50, b.rank_p50, 2 * sizeof *a.rank_p50);
    assert_true(a.p_top[0] != c.p_top[0]);
    dcs_sensitivity_free(&a);
    dcs_sensitivity_free(&b);
    dcs_sensitivity_free(&c);
}

/* Perturbation 0.1 around (0.7, 0.3): w0 / (w0 + w1) >= 0.63 / 0.96 =
 * 0.656 > 4/7, so A always leads. */
static void test_small_perturbation_keeps_lead(void **state)
{
    (void)state;
    dcs_sens_input in = input(2, 2, swap_v, swap_el, ids3, swap_rank, swap_w,
                              DCS_AGG_WEIGHTED_SUM);
    dcs_sens_params p = {.runs = 1000, .seed = 5, .top_n = 1, .perturbation = 0.1,
                         .lo = NULL, .hi = NULL, .sweep_steps = 11};
    dcs_sensitivity s;
    run_ok(&in, &p, &s);
    assert_true(s.p_top[0] == 1 && s.p_top[1] == 0);
    dcs_sensitivity_free(&s);
}

static void test_sweep_switch_points(void **state)
{
    (void)state;
    dcs_sens_input in = input(2, 2, swap_v, swap_el, ids3, swap_rank, swap_w,
                              DCS_AGG_WEIGHTED_SUM);
    dcs_sens_params p = {.runs = 10, .seed = 1, .top_n = 1, .perturbation = 0.2,
                         .lo = NULL, .hi = NULL, .sweep_steps = 11};
    dcs_sensitivity s;
    run_ok(&in, &p, &s);
    /* criterion 0: A keeps the lead from 4/7 up to 1; B below */
    assert_near(s.sweep_lo[0], 4.0 / 7, 1e-8);
    assert_int_equal(s.sweep_lo_site[0], 1);
    assert_true(s.sweep_hi[0] == 1 && s.sweep_hi_site[0] == DCS_SENS_NONE);
    /* criterion 1: A leads from 0 up to 3/7, then B */
    assert_true(s.sweep_lo[1] == 0 && s.sweep_lo_site[1] == DCS_SENS_NONE);
    assert_near(s.sweep_hi[1], 3.0 / 7, 1e-8);
    assert_int_equal(s.sweep_hi_site[1], 1);
    /* grid of criterion 0 at 0, 0.1, ... 1: B up to 0.5, A from 0.6 */
    for (size_t k = 0; k < 11; k++)
        assert_int_equal(s.sweep_top[k], k <= 5 ? 1 : 0);
    dcs_sensitivity_free(&s);
}

static void test_bad_parameters(void **state)
{
    (void)state;
    dcs_sens_input in = input(2, 2, swap_v, swap_el, ids3, swap_rank, swap_w,
                              DCS_AGG_WEIGHTED_SUM);
    dcs_sens_params p = {.runs = 0, .seed = 1, .top_n = 1, .perturbation = 0.2,
                         .lo = NULL, .hi = NULL, .sweep_steps = 11};
    dcs_sensitivity s;
    dcs_error err;
    assert_int_equal(dcs_sensitivity_run(&in, &p, &s, &err), DCS_ERR_INTERNAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_splitmix64_reference),
        cmocka_unit_test(test_rand_unit_range_and_mean),
        cmocka_unit_test(test_sweep_weights),
        cmocka_unit_test(test_dominant_site_weighted_sum),
        cmocka_unit_test(test_dominant_site_product_and_topsis),
        cmocka_unit_test(test_top_n_and_excluded),
        cmocka_unit_test(test_ranges_probability),
        cmocka_unit_test(test_seed_reproducible),
        cmocka_unit_test(test_small_perturbation_keeps_lead),
        cmocka_unit_test(test_sweep_switch_points),
        cmocka_unit_test(test_bad_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
