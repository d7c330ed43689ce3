/*
 * test_mcda.c - AHP weights and consistency, weighted product, TOPSIS and
 * the aggregation names.
 *
 * References are independent of the code under test: AHP against
 * Saaty's published worked examples (numbers as printed, so the tolerance
 * is half a unit in the last printed digit, 5e-4), against matrices built
 * from known weights and against a closed-form solution of the 3 x 3
 * characteristic polynomial; the aggregations against hand computations
 * written out in the comments (tolerance 1e-12).
 */
#include "testutil.h"

#include "core/error.h"
#include "decision/mcda.h"

/* Half a unit in the third decimal: Saaty prints three decimals. */
#define PRINTED_TOL 5e-4

static void expect_ahp(const double *matrix, size_t n, const double *want_w, double want_lambda,
                       double want_ci, double want_cr, double tol)
{
    double w[DCS_AHP_MAX_N], lambda, ci, cr;
    dcs_error err;
    dcs_error_clear(&err);
    dcs_status st = dcs_ahp_weights(matrix, n, w, &lambda, &ci, &cr, &err);
    if (st != DCS_OK)
        fail_msg("dcs_ahp_weights: %s", err.message);
    for (size_t i = 0; i < n; i++)
        assert_near(w[i], want_w[i], tol);
    assert_near(lambda, want_lambda, tol);
    assert_near(ci, want_ci, tol);
    assert_near(cr, want_cr, tol);
}

/* T. L. Saaty, "How to make a decision: the Analytic Hierarchy Process",
 * European Journal of Operational Research 48 (1990) 9-26: the house
 * example, criteria (1) size of house, (2) transportation, (3)
 * neighbourhood, (4) age, (5) yard space, (6) modern facilities, (7)
 * general condition, (8) financing.  Printed with the matrix: priority
 * vector .173 .054 .188 .018 .031 .036 .167 .333, lambda_max = 9.669,
 * C.I. = 0.238, C.R. = 0.169. */
static void test_ahp_saaty_1990_house(void **state)
{
    (void)state;
    const double a[64] = {
        1,      5,      3,      7,      6,      6,      1 / 3., 1 / 4., /* size */
        1 / 5., 1,      1 / 3., 5,      3,      3,      1 / 5., 1 / 7., /* transportation */
        1 / 3., 3,      1,      6,      3,      4,      6,      1 / 5., /* neighbourhood */
        1 / 7., 1 / 5., 1 / 6., 1,      1 / 3., 1 / 4., 1 / 7., 1 / 8., /* age */
        1 / 6., 1 / 3., 1 / 3., 3,      1,      1 / 2., 1 / 5., 1 / 6., /* yard */
        1 / 6., 1 / 3., 1 / 4., 4,      2,      1,      1 / 5., 1 / 6., /* modern facilities */
        3,      5,      1 / 6., 7,      5,      5,      1,      1 / 2., /* condition */
        4,      7,      5,      8,      6,      6,      2,      1,      /* financing */
    };
    const double w[8] = {0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333};
    expect_ahp(a, 8, w, 9.669, 0.238, 0.169, PRINTED_TOL);
}

/* T. L. Saaty, "Decision making with the analytic hierarchy process",
 * International Journal of Services Sciences 1 (2008) 83-98: relative
 * consumption of drinks in the US (coffee, wine, tea, beer, soda, milk,
 * water).  Printed eigenvector .177 .019 .042 .116 .190 .129 .327.
 * C.R. = 0.022 is the value AHPy's README (Python package ahpy) gives for
 * this matrix with Saaty's RI, stated there to match Saaty's.  lambda_max
 * is not checked against a printed value but against the one CR implies:
 * CI = 0.022 * RI(7) = 0.022 * 1.32, lambda_max = 7 + 6 CI = 7.174, to
 * within 6 * 1.32 * 5e-4 = 0.004. */
static void test_ahp_saaty_2008_drinks(void **state)
{
    (void)state;
    const double a[49] = {
        1,      9,      5,      2,      1,      1,      1 / 2., /* coffee */
        1 / 9., 1,      1 / 3., 1 / 9., 1 / 9., 1 / 9., 1 / 9., /* wine */
        1 / 5., 3,      1,      1 / 3., 1 / 4., 1 / 3., 1 / 9., /* tea */
        1 / 2., 9,      3,      1,      1 / 2., 1,      1 / 3., /* beer */
        1,      9,      4,      2,      1,      2,      1 / 2., /* soda */
        1,      9,      3,      1,      1 / 2., 1,      1 / 3., /* milk */
        2,      9,      9,      3,      2,      3,      1,      /* water */
    };
    const double want[7] = {0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327};
    double w[7], lambda, cr;
    dcs_error err;
    assert_int_equal(dcs_ahp_weights(a, 7, w, &lambda, NULL, &cr, &err), DCS_OK);
    for (size_t i = 0; i < 7; i++)
        assert_near(w[i], want[i], PRINTED_TOL);
    assert_near(cr, 0.022, PRINTED_TOL);
    assert_near(lambda, 7 + 6 * 0.022 * 1.32, 6 * 1.32 * PRINTED_TOL);
}

/* a_ij = w_i / w_j is perfectly consistent: A w = n w exactly, so the
 * weights come back, lambda_max = n and CI = CR = 0 (Saaty 1990).
 * Tolerance 1e-12 (the iteration stops at 1e-12; with dyadic weights every
 * entry is exact). */
static void test_ahp_consistent(void **state)
{
    (void)state;
    const double dyadic[4] = {0.5, 0.25, 0.125, 0.125};
    const double decimal[5] = {0.1, 0.15, 0.2, 0.25, 0.3};
    double a[25];
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++)
            a[i * 4 + j] = dyadic[i] / dyadic[j];
    expect_ahp(a, 4, dyadic, 4, 0, 0, 1e-12);
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 5; j++)
            a[i * 5 + j] = decimal[i] / decimal[j];
    expect_ahp(a, 5, decimal, 5, 0, 0, 1e-12);
}

/* n = 1 and n = 2: always consistent, CI = CR = 0 by definition.  For
 * [[1, 3], [1/3, 1]]: w = (3/4, 1/4), lambda_max = 1 + 3 * 1/3 = 2. */
static void test_ahp_small(void **state)
{
    (void)state;
    const double one[1] = {1}, w1[1] = {1};
    expect_ahp(one, 1, w1, 1, 0, 0, 1e-12);
    const double two[4] = {1, 3, 1 / 3., 1}, w2[2] = {0.75, 0.25};
    expect_ahp(two, 2, w2, 2, 0, 0, 1e-12);
    double w[2];
    dcs_error err;
    assert_int_equal(dcs_ahp_weights(two, 2, w, NULL, NULL, NULL, &err), DCS_OK);
    assert_near(w[0], 0.75, 1e-12);
}

/* A 3 x 3 reciprocal matrix [[1, a, b], [1/a, 1, c], [1/b, 1/c, 1]] in
 * closed form.  With t = 1 - lambda, expanding along the first row:
 *   det(A - lambda I) = t (t^2 - 1) - a (t/a - c/b) + b (1/(ac) - t/b)
 *                     = t^3 - 3 t + r + 1/r,        r = a c / b.
 * t = -(s + 1/s) with s = cbrt(r) is a root: t^3 = -(r + 1/r) - 3 (s +
 * 1/s) = -(r + 1/r) + 3 t.  So lambda_max = 1 + s + 1/s (the other two
 * roots are complex and smaller in modulus); r = 1 (consistent) gives 3.
 * For a 3 x 3 matrix the eigenvector is proportional to the geometric
 * means of the rows (Crawford and Williams, J. Math. Psych. 29 (1985)
 * 387-405).  Tolerance 1e-6.
 *
 * a = 2, b = 1, c = 4: r = 8, s = 2, lambda_max = 1 + 2 + 1/2 = 3.5;
 * CI = (3.5 - 3) / 2 = 0.25; CR = 0.25 / 0.58 = 0.4310344827...
 * Row geometric means cbrt(2), cbrt(2), cbrt(1/4) are in ratio 2 : 2 : 1,
 * so w = (0.4, 0.4, 0.2); check: A w = (0.4 + 0.8 + 0.2, 0.2 + 0.4 + 0.8,
 * 0.4 + 0.1 + 0.2) = (1.4, 1.4, 0.7) = 3.5 w. */
static void test_ahp_closed_form_3x3(void **state)
{
    (void)state;
    const double a[9] = {1, 2, 1, 1 / 2., 1, 4, 1, 1 / 4., 1};
    const double w[3] = {0.4, 0.4, 0.2};
    expect_ahp(a, 3, w, 3.5, 0.25, 0.25 / 0.58, 1e-6);

    /* a = 3, b = 5, c = 1/2: r = 3 * 0.5 / 5 = 0.3, s = cbrt(0.3) =
     * 0.669433, lambda_max = 1 + 0.669433 + 1.493802 = 3.163235; row
     * geometric means cbrt(15), cbrt(1/6), cbrt(2/5). */
    const double b[9] = {1, 3, 5, 1 / 3., 1, 1 / 2., 1 / 5., 2, 1};
    double s = cbrt(0.3), lambda = 1 + s + 1 / s;
    double g[3] = {cbrt(15.0), cbrt(1 / 6.), cbrt(2 / 5.)}, gs = g[0] + g[1] + g[2];
    double wb[3] = {g[0] / gs, g[1] / gs, g[2] / gs};
    assert_near(lambda, 3.163235, 1e-6);
    expect_ahp(b, 3, wb, lambda, (lambda - 3) / 2, (lambda - 3) / 2 / 0.58, 1e-6);
}

static void expect_reject(const double *matrix, size_t n, const char *message)
{
    double w[DCS_AHP_MAX_N + 1];
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_ahp_weights(matrix, n, w, NULL, NULL, NULL, &err), DCS_ERR_SCENARIO);
    assert_int_equal(err.status, DCS_ERR_SCENARIO);
    assert_string_equal(err.message, message);
}

static void test_ahp_rejections(void **state)
{
    (void)state;
    const double not_reciprocal[9] = {1, 2, 3, 0.5, 1, 1, 0.5, 1, 1};
    expect_reject(not_reciprocal, 3,
                  "matrix[2][0] = 0.5 is not the reciprocal of matrix[0][2] = 3 (expected "
                  "0.3333)");
    const double four_digits[4] = {1, 3, 0.3333, 1}; /* 0.9999: off by 1e-4 */
    expect_reject(four_digits, 2,
                  "matrix[1][0] = 0.3333 is not the reciprocal of matrix[0][1] = 3 (expected "
                  "0.3333)");
    const double zero[4] = {1, 0, 2, 1};
    expect_reject(zero, 2, "matrix[0][1] = 0 is not a positive finite number");
    const double negative[4] = {1, 2, -0.5, 1};
    expect_reject(negative, 2, "matrix[1][0] = -0.5 is not a positive finite number");
    const double nan_entry[4] = {1, NAN, 1, 1};
    expect_reject(nan_entry, 2, "matrix[0][1] = nan is not a positive finite number");
    const double inf_entry[4] = {1, 1, INFINITY, 1};
    expect_reject(inf_entry, 2, "matrix[1][0] = inf is not a positive finite number");
    const double diagonal[4] = {1, 2, 0.5, 1.5};
    expect_reject(diagonal, 2, "matrix[1][1] = 1.5 is on the diagonal and must be 1");
    const double one[1] = {1};
    expect_reject(one, 0, "matrix size n = 0 is outside 1..15");
    double big[16 * 16];
    for (size_t i = 0; i < 16 * 16; i++)
        big[i] = 1;
    expect_reject(big, 16, "matrix size n = 16 is outside 1..15");
}

/* The tolerances: 1 within 1e-9 on the diagonal, reciprocals to 1e-6. */
static void test_ahp_tolerances(void **state)
{
    (void)state;
    double w[2];
    dcs_error err;
    const double near_one[4] = {1 + 5e-10, 3, 1 / 3., 1 - 5e-10};
    assert_int_equal(dcs_ahp_weights(near_one, 2, w, NULL, NULL, NULL, &err), DCS_OK);
    const double seven_digits[4] = {1, 3, 0.3333333, 1}; /* 0.9999999: off by 1e-7 */
    assert_int_equal(dcs_ahp_weights(seven_digits, 2, w, NULL, NULL, NULL, &err), DCS_OK);
    const double off_diagonal[4] = {1 + 2e-9, 3, 1 / 3., 1};
    assert_int_equal(dcs_ahp_weights(off_diagonal, 2, w, NULL, NULL, NULL, &err),
                     DCS_ERR_SCENARIO);
}

/* A valid but wildly inconsistent matrix: a12 = 1e6, a13 = 1e-6, a23 =
 * 1e5, so r = a12 a23 / a13 = 1e17 and s = cbrt(r) = 4.6e5 (see the
 * closed form above).  The other eigenvalues 1 + s w + 1/(s w), w = a
 * complex cube root of 1, have modulus about s - 1/2 against lambda_max
 * = s + 1 + 1/s, a ratio of 1 - 3.2e-6: power iteration would need
 * millions of steps, so the cap is reached and the call fails. */
static void test_ahp_no_convergence(void **state)
{
    (void)state;
    const double a[9] = {1, 1e6, 1e-6, 1e-6, 1, 1e5, 1e6, 1e-5, 1};
    expect_reject(a, 3,
                  "matrix: the power iteration for the principal eigenvector did not "
                  "converge in 10000 iterations");
}

/* Weights (1/2, 1/4, 1/4):
 *   (0.25, 0.0625, 1):  0.25^0.5 * 0.0625^0.25 * 1 = 0.5 * 0.5 = 0.25
 *   (0.64, 0.81, 0.01): 0.8 * 0.81^0.25 * 0.01^0.25 = 0.8 * (0.81 *
 *                       0.01)^0.25 = 0.8 * 0.0081^0.25 = 0.8 * 0.3 = 0.24
 *   (0.36, 0, 1):       a 0 value gives 0
 *   (1, NaN, 1):        NaN counts as 0, so 0
 *   (0.49, 0.49, 0.49): all equal, weights sum to 1: 0.49
 * Weights (3/4, 1/4, 0) on (0.25, 0.0625, 0): the weight-0 criterion is
 *   left out; 0.25^0.75 * 0.0625^0.25 = 2^-1.5 * 2^-1 = 2^-2.5 = sqrt(2)/8.
 * Tolerance 1e-12. */
static void test_weighted_product(void **state)
{
    (void)state;
    const double w[3] = {0.5, 0.25, 0.25};
    const double a1[3] = {0.25, 0.0625, 1}, a2[3] = {0.64, 0.81, 0.01};
    const double a3[3] = {0.36, 0, 1}, a4[3] = {1, NAN, 1}, a5[3] = {0.49, 0.49, 0.49};
    assert_near(dcs_weighted_product(a1, w, 3), 0.25, 1e-12);
    assert_near(dcs_weighted_product(a2, w, 3), 0.24, 1e-12);
    assert_true(dcs_weighted_product(a3, w, 3) == 0);
    assert_true(dcs_weighted_product(a4, w, 3) == 0);
    assert_near(dcs_weighted_product(a5, w, 3), 0.49, 1e-12);
    const double wz[3] = {0.75, 0.25, 0}, az[3] = {0.25, 0.0625, 0};
    assert_near(dcs_weighted_product(az, wz, 3), sqrt(2.0) / 8, 1e-12);
    const double wn[2] = {1, 0}, an[2] = {0.25, NAN};
    assert_near(dcs_weighted_product(an, wn, 2), 0.25, 1e-12);
    assert_near(dcs_weighted_product(a1, w, 0), 1, 0); /* empty product */
}

/* 3 alternatives x 2 benefit criteria, weights (0.75, 0.25):
 *        x1   x2
 *   A1  0.2  0.6
 *   A2  0.4  0.3
 *   A3  0.4  0.2
 * Column norms: sqrt(0.04 + 0.16 + 0.16) = 0.6, sqrt(0.36 + 0.09 + 0.04)
 * = 0.7.  Normalised r: (1/3, 2/3, 2/3) and (6/7, 3/7, 2/7).  Weighted v,
 * in 28ths: col 1 0.75 r = (7, 14, 14)/28, col 2 0.25 r = (6, 3, 2)/28.
 * Ideal (14, 6)/28, anti-ideal (7, 2)/28.
 *   A1: d+ = |(-7, 0)|/28 = 7/28,  d- = |(0, 4)|/28 = 4/28,  C = 4/11
 *   A2: d+ = |(0, -3)|/28 = 3/28,  d- = |(7, 1)|/28 = sqrt(50)/28,
 *       C = sqrt(50) / (3 + sqrt(50)) = 0.70211...
 *   A3: d+ = |(0, -4)|/28 = 4/28,  d- = |(7, 0)|/28 = 7/28,  C = 7/11
 * Tolerance 1e-12. */
static void test_topsis(void **state)
{
    (void)state;
    const double x[6] = {0.2, 0.6, 0.4, 0.3, 0.4, 0.2}, w[2] = {0.75, 0.25};
    double c[3];
    dcs_error err;
    assert_int_equal(dcs_topsis(x, 3, 2, w, c, &err), DCS_OK);
    assert_near(c[0], 4 / 11., 1e-12);
    assert_near(c[1], sqrt(50.0) / (3 + sqrt(50.0)), 1e-12);
    assert_near(c[2], 7 / 11., 1e-12);
}

/* Column 2 all zero (one of them NaN): its norm is 0, it stays 0 and adds
 * nothing.  Column 1 as above, v = (7, 14, 14)/28, ideal 14/28, anti 7/28:
 * A1 d+ = 7/28, d- = 0 -> 0; A2 and A3 d+ = 0, d- = 7/28 -> 1. */
static void test_topsis_zero_column(void **state)
{
    (void)state;
    const double x[6] = {0.2, 0, 0.4, NAN, 0.4, 0}, w[2] = {0.75, 0.25};
    double c[3];
    dcs_error err;
    assert_int_equal(dcs_topsis(x, 3, 2, w, c, &err), DCS_OK);
    assert_near(c[0], 0, 1e-12);
    assert_near(c[1], 1, 1e-12);
    assert_near(c[2], 1, 1e-12);
}

/* NaN counts exactly as 0; equal alternatives (and a single one) sit on
 * both the ideal and the anti-ideal: d+ + d- = 0, closeness 0. */
static void test_topsis_nan_and_ties(void **state)
{
    (void)state;
    const double w[2] = {0.75, 0.25};
    const double with_nan[6] = {0.2, NAN, 0.4, 0.3, 0.4, 0.2};
    const double with_zero[6] = {0.2, 0, 0.4, 0.3, 0.4, 0.2};
    double c[3], d[3];
    dcs_error err;
    assert_int_equal(dcs_topsis(with_nan, 3, 2, w, c, &err), DCS_OK);
    assert_int_equal(dcs_topsis(with_zero, 3, 2, w, d, &err), DCS_OK);
    for (int i = 0; i < 3; i++)
        assert_near(c[i], d[i], 0);
    const double equal[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    assert_int_equal(dcs_topsis(equal, 3, 2, w, c, &err), DCS_OK);
    for (int i = 0; i < 3; i++)
        assert_near(c[i], 0, 0);
    assert_int_equal(dcs_topsis(with_zero, 1, 2, w, c, &err), DCS_OK);
    assert_near(c[0], 0, 0);
    c[0] = 7;
    assert_int_equal(dcs_topsis(with_zero, 1, 0, w, c, &err), DCS_OK); /* no criteria */
    assert_near(c[0], 0, 0);
    assert_int_equal(dcs_topsis(with_zero, 0, 2, w, c, &err), DCS_OK); /* no alternatives */
}

static void test_topsis_bad_input(void **state)
{
    (void)state;
    const double x[4] = {0.5, 0.5, 1.5, 0.5}, ok[4] = {0.5, 0.5, 0.25, 0.5};
    const double w[2] = {0.5, 0.5}, bad_w[2] = {1.1, -0.1};
    double c[2];
    dcs_error err;
    assert_int_equal(dcs_topsis(x, 2, 2, w, c, &err), DCS_ERR_INTERNAL);
    assert_string_equal(err.message, "topsis: values[1][0] = 1.5 is outside [0, 1]");
    assert_int_equal(dcs_topsis(ok, 2, 2, bad_w, c, &err), DCS_ERR_INTERNAL);
    assert_string_equal(err.message, "topsis: weights[1] = -0.1 is not a finite number >= 0");
}

static void test_aggregation_names(void **state)
{
    (void)state;
    const dcs_aggregation all[] = {DCS_AGG_WEIGHTED_SUM, DCS_AGG_WEIGHTED_PRODUCT,
                                   DCS_AGG_TOPSIS};
    const char *names[] = {"weighted_sum", "weighted_product", "topsis"};
    for (size_t k = 0; k < 3; k++) {
        dcs_aggregation got = (dcs_aggregation)-1;
        assert_string_equal(dcs_aggregation_name(all[k]), names[k]);
        assert_int_equal(dcs_aggregation_from_name(names[k], &got), 1);
        assert_int_equal(got, all[k]);
        assert_int_equal(dcs_aggregation_from_name(dcs_aggregation_name(all[k]), &got), 1);
        assert_int_equal(got, all[k]);
    }
    const char *unknown[] = {"TOPSIS", "weighted", "weighted_sum ", "", NULL};
    for (size_t k = 0; k < 5; k++) {
        dcs_aggregation got = DCS_AGG_TOPSIS;
        assert_int_equal(dcs_aggregation_from_name(unknown[k], &got), 0);
        assert_int_equal(got, DCS_AGG_TOPSIS);
    }
    assert_string_equal(dcs_aggregation_name((dcs_aggregation)3), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ahp_saaty_1990_house),
        cmocka_unit_test(test_ahp_saaty_2008_drinks),
        cmocka_unit_test(test_ahp_consistent),
        cmocka_unit_test(test_ahp_small),
        cmocka_unit_test(test_ahp_closed_form_3x3),
        cmocka_unit_test(test_ahp_rejections),
        cmocka_unit_test(test_ahp_tolerances),
        cmocka_unit_test(test_ahp_no_convergence),
        cmocka_unit_test(test_weighted_product),
        cmocka_unit_test(test_topsis),
        cmocka_unit_test(test_topsis_zero_column),
        cmocka_unit_test(test_topsis_nan_and_ties),
        cmocka_unit_test(test_topsis_bad_input),
        cmocka_unit_test(test_aggregation_names),
    };
    return cmocka_run_group_tests_name("mcda", tests, NULL, NULL);
}
