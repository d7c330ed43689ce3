/*
 * test_portfolio.c - sites in rank order drawing down shared substation
 * capacity (decision/portfolio.h).
 *
 * Every expected allocation is worked out by hand in the comments from the
 * rule in portfolio.h: each site, in order, takes the first of its
 * connections whose remaining headroom covers its demand.
 */
#include "testutil.h"

#include <math.h>
#include <stdint.h>

#include "decision/portfolio.h"

/* Three sites of 100 MW, each preferring X (250 MW) then Y (150 MW):
 * A takes X (150 left), B takes X (50 left), C finds X full and moves to
 * Y (50 left). */
static void test_third_site_moves_to_its_second_choice(void **state)
{
    (void)state;
    const char *sub[] = {"X", "Y", "X", "Y", "X", "Y"};
    const double cost[] = {10, 20, 11, 21, 12, 22};
    const double cap[] = {250, 150, 250, 150, 250, 150};
    const double need[] = {100, 100, 100};
    dcs_portfolio_input in = {.n = 3, .k = 2, .sub = sub, .cost = cost, .capacity = cap,
                              .need = need, .target_mw = NAN};
    dcs_portfolio p;
    dcs_error err;
    assert_int_equal(dcs_portfolio_allocate(&in, &p, &err), DCS_OK);
    assert_int_equal(p.status[0], DCS_PF_FIRST);
    assert_int_equal(p.status[1], DCS_PF_FIRST);
    assert_int_equal(p.status[2], DCS_PF_MOVED);
    assert_int_equal(p.choice[2], 1);
    size_t x = dcs_portfolio_find(&p, "X"), y = dcs_portfolio_find(&p, "Y");
    assert_int_equal(p.nsubs, 2);
    assert_int_equal(p.site_sub[2], y);
    assert_int_equal(p.first_sub[2], x);
    assert_near(p.allocated[x], 200, 0);
    assert_near(p.allocated[y], 100, 0);
    assert_int_equal(p.nsites[x], 2);
    assert_near(p.total_mw, 300, 0);
    assert_int_equal(p.nallocated, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(p.alone[i], 1); /* 250 >= 100: each fits alone */
    assert_false(p.conflict[x]);
    dcs_portfolio_free(&p);
}

/* The same with one connection each: C gets nothing. */
static void test_no_capacity_left(void **state)
{
    (void)state;
    const char *sub[] = {"X", "X", "X"};
    const double cost[] = {1, 1, 1}, cap[] = {250, 250, 250}, need[] = {100, 100, 100};
    dcs_portfolio_input in = {.n = 3, .k = 1, .sub = sub, .cost = cost, .capacity = cap,
                              .need = need, .target_mw = NAN};
    dcs_portfolio p;
    dcs_error err;
    assert_int_equal(dcs_portfolio_allocate(&in, &p, &err), DCS_OK);
    assert_int_equal(p.status[2], DCS_PF_NO_CAPACITY);
    assert_int_equal(p.choice[2], -1);
    assert_int_equal(p.site_sub[2], SIZE_MAX);
    assert_near(p.allocated[0], 200, 0);
    assert_string_equal(dcs_pf_status_name(p.status[2]), "no capacity");
    dcs_portfolio_free(&p);
}

/* Target 150 MW: A (100, total 100 < 150) and B (total 200) are allocated;
 * C comes after the target was reached. */
static void test_target_stops_allocation(void **state)
{
    (void)state;
    const char *sub[] = {"X", "X", "X"};
    const double cost[] = {1, 1, 1}, cap[] = {1000, 1000, 1000}, need[] = {100, 100, 100};
    dcs_portfolio_input in = {.n = 3, .k = 1, .sub = sub, .cost = cost, .capacity = cap,
                              .need = need, .target_mw = 150};
    dcs_portfolio p;
    dcs_error err;
    assert_int_equal(dcs_portfolio_allocate(&in, &p, &err), DCS_OK);
    assert_int_equal(p.status[1], DCS_PF_FIRST);
    assert_int_equal(p.status[2], DCS_PF_BEYOND_TARGET);
    assert_near(p.total_mw, 200, 0);
    dcs_portfolio_free(&p);
}

/* Unknown headroom counts as room; a site without a connection has none;
 * a site too big for its first choice even alone is not "alone"; two
 * sites reporting different headrooms for one substation mark a
 * conflict. */
static void test_unknown_none_alone_conflict(void **state)
{
    (void)state;
    const char *sub[] = {"U", NULL, NULL, NULL, "X", "U", "X", NULL};
    const double cost[] = {1, NAN, NAN, NAN, 1, 2, 1, NAN};
    const double cap[] = {NAN, NAN, NAN, NAN, 50, NAN, 60, NAN};
    const double need[] = {500, 10, 100, 10};
    dcs_portfolio_input in = {.n = 4, .k = 2, .sub = sub, .cost = cost, .capacity = cap,
                              .need = need, .target_mw = NAN};
    dcs_portfolio p;
    dcs_error err;
    assert_int_equal(dcs_portfolio_allocate(&in, &p, &err), DCS_OK);
    assert_int_equal(p.status[0], DCS_PF_FIRST); /* U unknown: room */
    assert_int_equal(p.alone[0], 1);
    assert_int_equal(p.status[1], DCS_PF_NO_CONNECTION);
    assert_int_equal(p.status[2], DCS_PF_MOVED); /* X: 50 < 100, then U */
    assert_int_equal(p.alone[2], 0);
    assert_int_equal(p.status[3], DCS_PF_FIRST); /* X: 50 >= 10 */
    size_t x = dcs_portfolio_find(&p, "X");
    assert_true(p.conflict[x]); /* 50 from site C, 60 from site D */
    assert_near(p.capacity[x], 50, 0);
    assert_int_equal(dcs_portfolio_find(&p, "nope"), SIZE_MAX);
    dcs_portfolio_free(&p);
}

static void test_status_names(void **state)
{
    (void)state;
    for (int s = 0; s < DCS_PF_STATUS_COUNT; s++)
        assert_string_not_equal(dcs_pf_status_name((dcs_pf_status)s), "?");
    assert_string_equal(dcs_pf_status_name(DCS_PF_STATUS_COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_third_site_moves_to_its_second_choice),
        cmocka_unit_test(test_no_capacity_left),
        cmocka_unit_test(test_target_stops_allocation),
        cmocka_unit_test(test_unknown_none_alone_conflict),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests_name("portfolio", tests, NULL, NULL);
}
