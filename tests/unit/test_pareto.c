/*
 * test_pareto.c - the non-dominated set on hand-made metric rows whose
 * front is known by inspection, and on random rows against a brute-force
 * pairwise check written here (the definition, O(n^2)).
 */
#include "testutil.h"

#include <stdlib.h>

#include "decision/pareto.h"
#include "decision/sensitivity.h"

static void front_ok(const double *num, size_t nnum, size_t n, const unsigned char *el,
                     const dcs_pareto_goal *g, size_t ng, unsigned char *front)
{
    dcs_error err;
    dcs_error_clear(&err);
    if (dcs_pareto_front(num, nnum, n, el, g, ng, front, &err) != DCS_OK)
        fail_msg("dcs_pareto_front: %s", err.message);
}

/* cost and water, both lower is better (columns 0 and 1; column 2 is
 * not used):
 *   A (1, 5)  B (2, 2)  C (5, 1)  D (3, 3): B beats it  E (2, 2): equal to B
 *   F (0, 0): excluded, so it neither counts nor dominates
 * Front: A, B, C, E. */
static void test_two_metrics_min(void **state)
{
    (void)state;
    const double num[] = {1, 5, 9, 2, 2, 9, 5, 1, 9, 3, 3, 9, 2, 2, 9, 0, 0, 9};
    const unsigned char el[6] = {1, 1, 1, 1, 1, 0};
    const dcs_pareto_goal g[2] = {{0, 0}, {1, 0}};
    unsigned char front[6];
    front_ok(num, 3, 6, el, g, 2, front);
    const unsigned char want[6] = {1, 1, 1, 0, 1, 0};
    assert_memory_equal(front, want, 6);
}

/* Water "max" instead: A (1, 5) is best on both -> the only member,
 * apart from nobody: F is excluded. */
static void test_max_goal(void **state)
{
    (void)state;
    const double num[] = {1, 5, 9, 2, 2, 9, 5, 1, 9, 3, 3, 9, 2, 2, 9, 0, 0, 9};
    const unsigned char el[6] = {1, 1, 1, 1, 1, 0};
    const dcs_pareto_goal g[2] = {{0, 0}, {1, 1}};
    unsigned char front[6];
    front_ok(num, 3, 6, el, g, 2, front);
    const unsigned char want[6] = {1, 0, 0, 0, 0, 0};
    assert_memory_equal(front, want, 6);
}

/* Missing values count as the worst: G (NaN, 0.5) is best on water and
 * stays; H (NaN, 6) is beaten by A (1, 5); with one metric, a missing
 * value loses to any present one. */
static void test_missing_values(void **state)
{
    (void)state;
    const double num[] = {1, 5, 2, 2, NAN, 0.5, NAN, 6};
    const unsigned char el[4] = {1, 1, 1, 1};
    const dcs_pareto_goal g[2] = {{0, 0}, {1, 0}};
    unsigned char front[4];
    front_ok(num, 2, 4, el, g, 2, front);
    const unsigned char want[4] = {1, 1, 1, 0};
    assert_memory_equal(front, want, 4);
    const double one[] = {NAN, 3, NAN};
    const unsigned char el3[3] = {1, 1, 1};
    front_ok(one, 1, 3, el3, g, 1, front);
    const unsigned char want1[3] = {0, 1, 0};
    assert_memory_equal(front, want1, 3);
    const double none[] = {NAN, NAN};
    front_ok(none, 1, 2, el3, g, 1, front); /* every site missing: all equal, all stay */
    assert_true(front[0] == 1 && front[1] == 1);
}

/* Brute-force reference: i is on the front iff no eligible j is <= on
 * every key and < on one (keys: value for min, -value for max, missing =
 * +inf). */
static int brute_dominated(const double *num, size_t nnum, size_t n, const unsigned char *el,
                           const dcs_pareto_goal *g, size_t ng, size_t i)
{
    for (size_t j = 0; j < n; j++) {
        if (j == i || !el[j])
            continue;
        int worse = 0, better = 0;
        for (size_t k = 0; k < ng; k++) {
            double a = num[j * nnum + g[k].col], b = num[i * nnum + g[k].col];
            a = isnan(a) ? INFINITY : g[k].maximize ? -a : a;
            b = isnan(b) ? INFINITY : g[k].maximize ? -b : b;
            worse |= a > b;
            better |= a < b;
        }
        if (!worse && better)
            return 1;
    }
    return 0;
}

/* 300 random sites on 3 metrics with values on a coarse grid (so ties
 * occur), some missing, some excluded; 20 seeds. */
static void test_random_against_brute_force(void **state)
{
    (void)state;
    enum { N = 300, M = 3 };
    static double num[N * M];
    unsigned char el[N], front[N];
    const dcs_pareto_goal g[M] = {{0, 0}, {1, 1}, {2, 0}};
    for (uint64_t seed = 1; seed <= 20; seed++) {
        uint64_t s = seed;
        for (size_t i = 0; i < N * M; i++) {
            double u = dcs_rand_unit(&s);
            num[i] = u < 0.03 ? NAN : (double)(int)(u * 12);
        }
        for (size_t i = 0; i < N; i++)
            el[i] = dcs_rand_unit(&s) > 0.1;
        front_ok(num, M, N, el, g, M, front);
        size_t members = 0;
        for (size_t i = 0; i < N; i++) {
            int want = el[i] && !brute_dominated(num, M, N, el, g, M, i);
            if (front[i] != want)
                fail_msg("seed %llu site %zu: front %d, brute force %d", (unsigned long long)seed,
                         i, front[i], want);
            members += front[i];
        }
        assert_true(members >= 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_metrics_min),
        cmocka_unit_test(test_max_goal),
        cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_random_against_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
