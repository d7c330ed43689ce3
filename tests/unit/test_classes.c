/*
 * test_classes.c - quantile score classes and their colours
 * (decision/classes.h), and distinct options (decision/distinct.h).
 *
 * References: breaks worked out by hand from the rule in classes.h (break
 * k = the sorted score at floor(k m / n)); colours are ColorBrewer's
 * published YlGnBu hex values (colorbrewer2.org); distances for the
 * spacing rule from the equatorial length of a degree of longitude on
 * WGS 84, 2 pi a / 360 = 111,319.49 m.
 */
#include "testutil.h"

#include <math.h>

#include "decision/classes.h"
#include "decision/distinct.h"

static void test_quantile_breaks_of_ten_scores(void **state)
{
    (void)state;
    const double s[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1, NAN};
    dcs_classes c;
    dcs_classes_quantile(s, 11, 5, &c);
    assert_int_equal(c.n, 5);
    const double want[] = {1, 3, 5, 7, 9, 10};
    for (size_t k = 0; k <= 5; k++)
        assert_near(c.brk[k], want[k], 0);
    assert_int_equal(dcs_class_of(&c, 1), 0);
    assert_int_equal(dcs_class_of(&c, 3), 0);   /* upper break included */
    assert_int_equal(dcs_class_of(&c, 3.5), 1);
    assert_int_equal(dcs_class_of(&c, 9.5), 4);
    assert_int_equal(dcs_class_of(&c, 0), 0);   /* below the lowest */
    assert_int_equal(dcs_class_of(&c, 11), 4);  /* above the highest */
    assert_int_equal(dcs_class_of(&c, NAN), -1);
    const unsigned ylgnbu5[] = {0xffffcc, 0xa1dab4, 0x41b6c4, 0x2c7fb8, 0x253494};
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(c.colour[k], ylgnbu5[k]);
}

static void test_ties_and_edges(void **state)
{
    (void)state;
    dcs_classes c;
    const double same[] = {0.5, 0.5, 0.5};
    dcs_classes_quantile(same, 3, 5, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(dcs_class_of(&c, 0.5), 0);
    const double ties[] = {1, 1, 1, 1, 2, 3};
    dcs_classes_quantile(ties, 6, 3, &c); /* breaks 1, v[2]=1, v[4]=2, 3 -> 1, 2, 3 */
    assert_int_equal(c.n, 2);
    assert_near(c.brk[1], 2, 0);
    assert_int_equal(c.colour[0], 0xedf8b1);
    assert_int_equal(c.colour[1], 0x2c7fb8);
    dcs_classes_quantile(ties, 0, 5, &c);
    assert_int_equal(c.n, 0);
    assert_int_equal(dcs_class_of(&c, 1), -1);
    const double many[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    dcs_classes_quantile(many, 14, 99, &c); /* clamped to 7 */
    assert_int_equal(c.n, 7);
    assert_int_equal(c.colour[6], 0x0c2c84);
}

static void test_distinct_by_group(void **state)
{
    (void)state;
    const size_t order[] = {4, 0, 1, 2, 3};
    const char *group[] = {"A", "A", "B", NULL, "B"};
    size_t out[10];
    dcs_distinct_input in = {.n = 5, .order = order, .group = group, .want = 10};
    assert_int_equal(dcs_distinct_pick(&in, out), 3);
    /* 4 (B) first, then 0 (A); 1 is A again, 2 is B again; 3 has no group */
    assert_int_equal(out[0], 4);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 3);
    in.want = 2;
    assert_int_equal(dcs_distinct_pick(&in, out), 2);
}

static void test_distinct_by_spacing(void **state)
{
    (void)state;
    /* on the equator: 0.0009 deg = 100.19 m, 0.0054 deg = 601.1 m */
    const double lon[] = {0, 0.0009, 0.0054, 0.0063};
    const double lat[] = {0, 0, 0, 0};
    const size_t order[] = {0, 1, 2, 3};
    size_t out[4];
    dcs_distinct_input in = {.n = 4, .order = order, .lon = lon, .lat = lat,
                             .min_spacing_m = 500, .want = 4};
    assert_int_equal(dcs_distinct_pick(&in, out), 2);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 2);
    in.min_spacing_m = 100.0; /* 100.19 m apart: far enough */
    assert_int_equal(dcs_distinct_pick(&in, out), 4);
    in.min_spacing_m = 100.3;
    assert_int_equal(dcs_distinct_pick(&in, out), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_breaks_of_ten_scores),
        cmocka_unit_test(test_ties_and_edges),
        cmocka_unit_test(test_distinct_by_group),
        cmocka_unit_test(test_distinct_by_spacing),
    };
    return cmocka_run_group_tests_name("classes", tests, NULL, NULL);
}
