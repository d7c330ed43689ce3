/*
 * test_spatial_order.c - the order sites are measured in
 * (dcs_sites_spatial_order, sites.h): Z-order of their points over the
 * extent, ties by index.
 *
 * Reference: the definition written out here independently: each site's
 * key interleaves the bits of its 16-bit cells in x (even bits) and y (odd
 * bits), the cells being (v - lo) / (hi - lo) * 65535 truncated (0 for
 * NaN); the order is a sort by (key, index) with qsort.  Random points,
 * points stacked on one spot (ties), NaN points and a single-site and
 * empty set.  Exact comparison: an order is a permutation.
 */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "inputs/sites.h"

typedef struct {
    uint32_t key;
    size_t i;
} ref_key;

static uint32_t ref_cell(double v, double lo, double hi)
{
    double t = (v - lo) / (hi - lo);
    if (isnan(t))
        return 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return (uint32_t)(t * 65535);
}

static uint32_t ref_interleave(uint32_t cx, uint32_t cy)
{
    uint32_t key = 0;
    for (int b = 0; b < 16; b++)
        key |= ((cx >> b) & 1u) << (2 * b) | ((cy >> b) & 1u) << (2 * b + 1);
    return key;
}

static int ref_compare(const void *a, const void *b)
{
    const ref_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The sites at x[0 .. n), y[0 .. n) over the extent e must come in the
 * reference order. */
static void check_order(double *x, double *y, size_t n, const double e[4])
{
    dcs_sites s = {.n = n, .x = x, .y = y};
    for (int k = 0; k < 4; k++)
        s.extent[k] = e[k];
    size_t *got = malloc((n ? n : 1) * sizeof *got);
    ref_key *want = malloc((n ? n : 1) * sizeof *want);
    assert_non_null(got);
    assert_non_null(want);
    assert_int_equal(dcs_sites_spatial_order(&s, got), 0);
    for (size_t i = 0; i < n; i++)
        want[i] = (ref_key){ref_interleave(ref_cell(x[i], e[0], e[2]), ref_cell(y[i], e[1], e[3])),
                            i};
    qsort(want, n, sizeof *want, ref_compare);
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i].i)
            fail_msg("position %zu: site %zu, reference %zu", i, got[i], want[i].i);
    free(got);
    free(want);
}

static void test_random_points_with_ties_and_nan(void **state)
{
    (void)state;
    enum { N = 200000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    unsigned seed = 7;
    for (size_t i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        double u = (seed >> 8) / 16777216.0;
        seed = seed * 1103515245u + 12345u;
        double v = (seed >> 8) / 16777216.0;
        x[i] = 500000 + 80000 * u;
        y[i] = 3600000 + 50000 * v;
        if (i % 97 == 0) /* many sites on one spot: ties, by index */
            x[i] = 520000, y[i] = 3610000;
        if (i % 1009 == 0)
            x[i] = NAN;
    }
    const double e[4] = {500000, 3600000, 580000, 3650000};
    check_order(x, y, N, e);
    check_order(x, y, 1, e);
    check_order(x, y, 0, e);
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_points_with_ties_and_nan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
