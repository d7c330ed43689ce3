/*
 * test_route.c - least-cost routes on a cost raster (route.h).
 *
 * Every expected figure is worked out by hand in the comment above its
 * test, from the documented move costs: an orthogonal or diagonal move
 * costs its length times the mean of its two end cells, a knight's move
 * its length times the mean of the four cells it crosses.  Cells are 1 km
 * squares unless said otherwise, so with cost 1 per km a route's cost is
 * its length in km.  Tolerance 1e-9 (sums of a few dozen terms of order
 * 1; rounding is below 1e-13).  The comparison with an independent solver
 * on random rasters is tests/e2e/test_route.py.
 */
#include "testutil.h"

#include <stdlib.h>

#include "geometry/route.h"

#define TOL 1e-9
#define R2 1.4142135623730951   /* sqrt(2) */
#define R5 2.2360679774997898   /* sqrt(5) */

typedef struct {
    dcs_route_grid g;
    double *cost;
    unsigned char *bar;
} grid;

/* A w x h grid of cells cw x ch metres, every cell costing c per km, no
 * barriers yet; top-left corner at (0, h * ch). */
static grid make_grid(long w, long h, double cw, double ch, double c)
{
    grid G = {.cost = malloc((size_t)(w * h) * sizeof(double)),
              .bar = calloc((size_t)(w * h), 1)};
    assert_non_null(G.cost);
    assert_non_null(G.bar);
    for (long i = 0; i < w * h; i++)
        G.cost[i] = c;
    G.g = (dcs_route_grid){.width = w, .height = h, .gt = {0, cw, 0, (double)h * ch, 0, -ch},
                           .cost = G.cost, .barrier = G.bar};
    return G;
}

static void free_grid(grid *G)
{
    free(G->cost);
    free(G->bar);
}

static void set_bar(grid *G, long c, long r, unsigned char v)
{
    G->bar[r * G->g.width + c] = v;
}

static void set_cost(grid *G, long c, long r, double v)
{
    G->cost[r * G->g.width + c] = v;
}

static dcs_route_cell cell(long c, long r)
{
    return (dcs_route_cell){.col = c, .row = r};
}

/* The route from a to b; asserts success. */
static void route_ok(const grid *G, const dcs_route_opts *o, dcs_route_cell a, dcs_route_cell b,
                     dcs_route *out)
{
    dcs_route_work w = {0};
    dcs_error err = {0};
    dcs_status st = dcs_route_find(&G->g, o, a, &b, 1, &w, out, &err);
    if (st != DCS_OK)
        fail_msg("route failed: %s", err.message);
    assert_int_equal(out->found, 1);
    dcs_route_work_free(&w);
}

/* The centre of cell (c, r) lies on the route's polyline. */
static int passes(const dcs_route *rt, const dcs_route_grid *g, long c, long r)
{
    double px = g->gt[0] + (c + 0.5) * g->gt[1], py = g->gt[3] + (r + 0.5) * g->gt[5];
    for (size_t i = 0; i + 1 < rt->nverts; i++) {
        double ax = rt->x[i], ay = rt->y[i], bx = rt->x[i + 1], by = rt->y[i + 1];
        double cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
        if (fabs(cross) < 1e-6 && px >= fmin(ax, bx) - 1e-6 && px <= fmax(ax, bx) + 1e-6 &&
            py >= fmin(ay, by) - 1e-6 && py <= fmax(ay, by) + 1e-6)
            return 1;
    }
    return 0;
}

/* Uniform cost 2 per km on 1 km cells: 7 cells east is 7 km and 14; 5
 * cells down-right is 5 sqrt 2 km and 10 sqrt 2, each one segment from
 * centre to centre.  On 1000 m x 500 m cells, 4 rows down is 2 km and 3
 * diagonal steps are 3 hypot(1, 0.5) km. */
static void test_uniform_straight_and_diagonal(void **state)
{
    (void)state;
    grid G = make_grid(10, 10, 1000, 1000, 2.0);
    dcs_route rt = {0};
    dcs_route_opts o = {.neighbours = 8};

    route_ok(&G, &o, cell(0, 0), cell(7, 0), &rt);
    assert_near(rt.length_km, 7, TOL);
    assert_near(rt.cost, 14, TOL);
    assert_int_equal(rt.nverts, 2);
    assert_near(rt.x[0], 500, 1e-9);
    assert_near(rt.y[0], 9500, 1e-9);
    assert_near(rt.x[1], 7500, 1e-9);
    assert_near(rt.y[1], 9500, 1e-9);

    route_ok(&G, &o, cell(0, 0), cell(5, 5), &rt);
    assert_near(rt.length_km, 5 * R2, TOL);
    assert_near(rt.cost, 10 * R2, TOL);
    assert_int_equal(rt.nverts, 2);
    assert_near(rt.x[1], 5500, 1e-9);
    assert_near(rt.y[1], 4500, 1e-9);

    /* the start is the target: no length, one vertex */
    route_ok(&G, &o, cell(3, 4), cell(3, 4), &rt);
    assert_near(rt.cost, 0, 0);
    assert_near(rt.length_km, 0, 0);
    assert_int_equal(rt.nverts, 1);
    free_grid(&G);

    grid R = make_grid(6, 8, 1000, 500, 1.0);
    route_ok(&R, &o, cell(1, 0), cell(1, 4), &rt);
    assert_near(rt.length_km, 2, TOL);
    assert_near(rt.cost, 2, TOL);
    route_ok(&R, &o, cell(0, 0), cell(3, 3), &rt);
    assert_near(rt.length_km, 3 * hypot(1, 0.5), TOL);
    assert_int_equal(rt.nverts, 2);
    free_grid(&R);
    dcs_route_free(&rt);
}

/* An 11 x 11 grid, cost 1: a hard wall down column 5, rows 0-9, leaves a
 * gap at row 10.  From (2, 0) to (8, 0), 6 km apart, the route must pass
 * the gap cell (5, 10): 3 columns and 10 rows from each end, at best 3
 * diagonal and 7 straight moves each way, so 2 (3 sqrt 2 + 7) = 6 sqrt 2 +
 * 14 = 22.485 km, and the cost is the same.  (The diagonal from (4, 9) to
 * (5, 10) passes the wall's end corner; only one of its side cells is
 * blocked, so it is allowed.) */
static void test_hard_wall_with_gap(void **state)
{
    (void)state;
    grid G = make_grid(11, 11, 1000, 1000, 1.0);
    for (long r = 0; r < 10; r++)
        set_bar(&G, 5, r, DCS_ROUTE_HARD);
    dcs_route rt = {0};
    dcs_route_opts o = {.neighbours = 8};
    route_ok(&G, &o, cell(2, 0), cell(8, 0), &rt);
    assert_near(rt.length_km, 6 * R2 + 14, TOL);
    assert_near(rt.cost, 6 * R2 + 14, TOL);
    assert_true(passes(&rt, &G.g, 5, 10));
    for (long r = 0; r < 10; r++)
        assert_false(passes(&rt, &G.g, 5, r));

    /* the same wall as impassable cells (NaN and negative costs) */
    for (long r = 0; r < 10; r++) {
        set_bar(&G, 5, r, 0);
        set_cost(&G, 5, r, r % 2 ? NAN : -1);
    }
    route_ok(&G, &o, cell(2, 0), cell(8, 0), &rt);
    assert_near(rt.cost, 6 * R2 + 14, TOL);
    free_grid(&G);
    dcs_route_free(&rt);
}

/* A hard wall along the anti-diagonal of an 11 x 11 grid, cells (k, 10 -
 * k), touching only at corners.  By default no diagonal squeezes between
 * two of its cells: (0, 0) cannot reach (10, 10).  With allow_corner_cut:
 * an all-diagonal route keeps col + row even and so must step on the wall
 * (col + row = 10); two straight moves make it odd and even again, so the
 * best is 9 diagonals and 2 straight moves, 9 sqrt 2 + 2 = 14.728 km
 * (e.g. (0,0) -> (4,4) -> (4,5) -> (5,6) through the corner -> (9,10)
 * -> (10,10)). */
static void test_corner_of_a_diagonal_wall(void **state)
{
    (void)state;
    grid G = make_grid(11, 11, 1000, 1000, 1.0);
    for (long k = 0; k <= 10; k++)
        set_bar(&G, k, 10 - k, DCS_ROUTE_HARD);
    dcs_route rt = {0};
    dcs_route_work w = {0};
    dcs_error err = {0};
    dcs_route_opts o = {.neighbours = 8};
    dcs_route_cell t = cell(10, 10);
    assert_int_equal(dcs_route_find(&G.g, &o, cell(0, 0), &t, 1, &w, &rt, &err), DCS_ERR_DATA);
    assert_int_equal(rt.found, 0);
    assert_true(isnan(rt.cost));

    o.allow_corner_cut = 1;
    assert_int_equal(dcs_route_find(&G.g, &o, cell(0, 0), &t, 1, &w, &rt, &err), DCS_OK);
    assert_near(rt.length_km, 9 * R2 + 2, TOL);
    assert_near(rt.cost, 9 * R2 + 2, TOL);
    free_grid(&G);
    dcs_route_free(&rt);
    dcs_route_work_free(&w);
}

/* A 21 x 11 grid, cost 1, a soft wall down column 10, rows 0-9, with a gap
 * at row 10; from (5, 0) to (15, 0).
 * Through the wall on row 0: 10 km; the two moves touching the soft cell
 * cost (1 + f) / 2 each, the other 8 cost 1: 9 + f, plus the penalty P
 * once.  Round by the gap (5 diagonals and 5 straight moves each way):
 * 10 sqrt 2 + 10 = 24.142.
 *  f = 1,  P = 5:  15 < 24.142, crosses: cost 15, 10 km, 2 vertices.
 *  f = 1,  P = 20: 30 > 24.142, goes round: cost = length = 24.142.
 *  f = 10, P = 0:  19 < 24.142, crosses: cost 19.
 *  f = 20, P = 0:  29 > 24.142, goes round.
 * A band three cells wide (columns 9-11), f = 1, P = 5: still one entry,
 * cost 15, not 10 + 3 x 5. */
static void test_soft_wall_crossed_only_when_cheaper(void **state)
{
    (void)state;
    grid G = make_grid(21, 11, 1000, 1000, 1.0);
    for (long r = 0; r < 10; r++)
        set_bar(&G, 10, r, DCS_ROUTE_SOFT);
    const double detour = 10 * R2 + 10;
    dcs_route rt = {0};

    dcs_route_opts o = {.neighbours = 8, .soft_factor = 1, .soft_penalty = 5};
    route_ok(&G, &o, cell(5, 0), cell(15, 0), &rt);
    assert_near(rt.cost, 15, TOL);
    assert_near(rt.length_km, 10, TOL);
    assert_int_equal(rt.nverts, 2);

    o.soft_penalty = 20;
    route_ok(&G, &o, cell(5, 0), cell(15, 0), &rt);
    assert_near(rt.cost, detour, TOL);
    assert_near(rt.length_km, detour, TOL);
    assert_true(passes(&rt, &G.g, 10, 10));

    o = (dcs_route_opts){.neighbours = 8, .soft_factor = 10};
    route_ok(&G, &o, cell(5, 0), cell(15, 0), &rt);
    assert_near(rt.cost, 19, TOL);
    assert_near(rt.length_km, 10, TOL);

    o.soft_factor = 20;
    route_ok(&G, &o, cell(5, 0), cell(15, 0), &rt);
    assert_near(rt.cost, detour, TOL);

    /* the defaults leave a soft barrier without effect */
    o = (dcs_route_opts){.neighbours = 8};
    route_ok(&G, &o, cell(5, 0), cell(15, 0), &rt);
    assert_near(rt.cost, 10, TOL);

    for (long r = 0; r < 10; r++) {
        set_bar(&G, 9, r, DCS_ROUTE_SOFT);
        set_bar(&G, 11, r, DCS_ROUTE_SOFT);
    }
    o = (dcs_route_opts){.neighbours = 8, .soft_penalty = 5};
    route_ok(&G, &o, cell(5, 0), cell(15, 0), &rt);
    assert_near(rt.cost, 15, TOL);
    free_grid(&G);
    dcs_route_free(&rt);
}

/* A diagonal soft line (cells (k, 10 - k)) crossed by a diagonal move that
 * slips between two of its cells still pays the penalty once: from (0, 0)
 * to (10, 10), cost 1, P = 3.  Crossing through a soft cell or its corner
 * costs 10 sqrt 2 + 3 (the straight diagonal through (5, 5), whose two
 * moves cost sqrt 2 each since f = 1); the way round is far longer. */
static void test_soft_corner_crossing_pays(void **state)
{
    (void)state;
    grid G = make_grid(11, 11, 1000, 1000, 1.0);
    for (long k = 0; k <= 10; k++)
        set_bar(&G, k, 10 - k, DCS_ROUTE_SOFT);
    dcs_route rt = {0};
    dcs_route_opts o = {.neighbours = 8, .soft_penalty = 3};
    route_ok(&G, &o, cell(0, 0), cell(10, 10), &rt);
    assert_near(rt.cost, 10 * R2 + 3, TOL);
    assert_near(rt.length_km, 10 * R2, TOL);
    free_grid(&G);
    dcs_route_free(&rt);
}

/* Unreachable targets: a ring of hard cells round (6, 6) on a 9 x 9 grid,
 * then the same ring as NaN costs; the message names the cells.  A blocked
 * start is named as the start. */
static void test_unreachable_target(void **state)
{
    (void)state;
    grid G = make_grid(9, 9, 1000, 1000, 1.0);
    for (long r = 5; r <= 7; r++)
        for (long c = 5; c <= 7; c++)
            if (r != 6 || c != 6)
                set_bar(&G, c, r, DCS_ROUTE_HARD);
    dcs_route rt = {0};
    dcs_route_work w = {0};
    dcs_error err = {0};
    dcs_route_opts o = {.neighbours = 16};
    dcs_route_cell t = cell(6, 6);
    assert_int_equal(dcs_route_find(&G.g, &o, cell(0, 0), &t, 1, &w, &rt, &err), DCS_ERR_DATA);
    assert_int_equal(rt.found, 0);
    assert_contains(err.message, "no route from cell (col 0, row 0) to cell (col 6, row 6)");
    assert_contains(err.message, "hard barriers");

    for (long i = 0; i < 81; i++)
        if (G.bar[i]) {
            G.bar[i] = 0;
            G.cost[i] = NAN;
        }
    dcs_error_clear(&err);
    assert_int_equal(dcs_route_find(&G.g, &o, cell(0, 0), &t, 1, &w, &rt, &err), DCS_ERR_DATA);
    assert_int_equal(rt.found, 0);
    assert_contains(err.message, "(col 6, row 6)");

    /* the start inside the ring and the target outside */
    dcs_route_cell out = cell(0, 0);
    assert_int_equal(dcs_route_find(&G.g, &o, cell(6, 6), &out, 1, &w, &rt, &err), DCS_ERR_DATA);
    assert_int_equal(rt.found, 0);
    /* a blocked start */
    assert_int_equal(dcs_route_find(&G.g, &o, cell(5, 5), &out, 1, &w, &rt, &err), DCS_ERR_DATA);
    assert_contains(err.message, "start cell (col 5, row 5) is impassable");
    /* a target outside the grid */
    dcs_route_cell far = cell(9, 0);
    assert_int_equal(dcs_route_find(&G.g, &o, cell(0, 0), &far, 1, &w, &rt, &err), DCS_ERR_DATA);
    assert_contains(err.message, "target cell (col 9, row 0) lies outside");
    free_grid(&G);
    dcs_route_free(&rt);
    dcs_route_work_free(&w);
}

/* Knight's moves.  Cost 1, (0, 0) to (8, 4): 8 neighbours give 4 diagonal
 * and 4 straight moves, 4 sqrt 2 + 4 = 9.657 km; 16 neighbours 4 knight's
 * moves, 4 sqrt 5 = 8.944 km, in one segment.
 * On a 3 x 2 grid whose middle column costs 5 (the rest 1), from (0, 0) to
 * (2, 1): the knight's move crosses (0,0), (1,0), (1,1), (2,1) a quarter
 * each: sqrt 5 (1 + 5 + 5 + 1) / 4 = 3 sqrt 5 = 6.708.  With 8 neighbours
 * a route enters and leaves one middle cell: a straight and a diagonal
 * move cost (1 + 5) / 2 + sqrt 2 (5 + 1) / 2 = 3 (1 + sqrt 2) = 7.243,
 * three straight moves ((0,0) (1,0) (2,0) (2,1), or by (0,1) and (1,1))
 * 3 + 3 + 1 = 7, the least, 3 km long.  With (1,1) blocked the knight's
 * move is refused and the three straight moves by (1,0) remain: 7. */
static void test_sixteen_neighbours(void **state)
{
    (void)state;
    grid G = make_grid(10, 6, 1000, 1000, 1.0);
    dcs_route rt = {0};
    dcs_route_opts o8 = {.neighbours = 8}, o16 = {.neighbours = 16};
    route_ok(&G, &o8, cell(0, 0), cell(8, 4), &rt);
    assert_near(rt.length_km, 4 * R2 + 4, TOL);
    route_ok(&G, &o16, cell(0, 0), cell(8, 4), &rt);
    assert_near(rt.length_km, 4 * R5, TOL);
    assert_near(rt.cost, 4 * R5, TOL);
    assert_int_equal(rt.nverts, 2);
    free_grid(&G);

    grid K = make_grid(3, 2, 1000, 1000, 1.0);
    set_cost(&K, 1, 0, 5);
    set_cost(&K, 1, 1, 5);
    route_ok(&K, &o16, cell(0, 0), cell(2, 1), &rt);
    assert_near(rt.cost, 3 * R5, TOL);
    assert_near(rt.length_km, R5, TOL);
    route_ok(&K, &o8, cell(0, 0), cell(2, 1), &rt);
    assert_near(rt.cost, 7, TOL);
    assert_near(rt.length_km, 3, TOL);
    /* a knight's move is refused when a cell it crosses is blocked */
    set_cost(&K, 1, 1, NAN);
    route_ok(&K, &o16, cell(0, 0), cell(2, 1), &rt);
    assert_near(rt.cost, 7, TOL);
    assert_near(rt.length_km, 3, TOL);
    assert_true(passes(&rt, &K.g, 2, 0));
    free_grid(&K);
    dcs_route_free(&rt);
}

/* Several targets: the cheapest is chosen and its index returned. */
static void test_cheapest_of_several_targets(void **state)
{
    (void)state;
    grid G = make_grid(12, 12, 1000, 1000, 1.0);
    for (long r = 0; r < 12; r++)
        set_cost(&G, 8, r, 50);  /* a costly column in front of the nearest target */
    dcs_route rt = {0};
    dcs_route_work w = {0};
    dcs_error err = {0};
    dcs_route_opts o = {0};
    /* (10, 5) is 5 km east behind the costly column (at least 2 + 49 + ... ),
     * (5, 0) is 5 km north with nothing in between: cost 5 */
    dcs_route_cell t[] = {cell(10, 5), cell(5, 0), cell(0, 11)};
    assert_int_equal(dcs_route_find(&G.g, &o, cell(5, 5), t, 3, &w, &rt, &err), DCS_OK);
    assert_int_equal(rt.target, 1);
    assert_near(rt.cost, 5, TOL);
    free_grid(&G);
    dcs_route_free(&rt);
    dcs_route_work_free(&w);
}

/* The search window: the gap of test_hard_wall_with_gap is 10 rows from
 * the start, so a margin of 1 km misses it (unreachable, the message says
 * to widen the window), a margin of 10 km finds the same route as the
 * whole grid.  The window also shows in how few cells are settled. */
static void test_search_window(void **state)
{
    (void)state;
    grid G = make_grid(11, 40, 1000, 1000, 1.0);
    for (long r = 0; r < 10; r++)
        set_bar(&G, 5, r, DCS_ROUTE_HARD);
    dcs_route rt = {0};
    dcs_route_work w = {0};
    dcs_error err = {0};
    dcs_route_cell t = cell(8, 0);
    dcs_route_opts o = {.window_margin_m = 1000};
    assert_int_equal(dcs_route_find(&G.g, &o, cell(2, 0), &t, 1, &w, &rt, &err), DCS_ERR_DATA);
    assert_contains(err.message, "rows 0-1");
    assert_contains(err.message, "widen the search window");
    o.window_margin_m = 10000;
    assert_int_equal(dcs_route_find(&G.g, &o, cell(2, 0), &t, 1, &w, &rt, &err), DCS_OK);
    assert_near(rt.cost, 6 * R2 + 14, TOL);
    long windowed = rt.cells_settled;
    assert_true(windowed <= 11 * 11);
    o.window_margin_m = 0;
    assert_int_equal(dcs_route_find(&G.g, &o, cell(2, 0), &t, 1, &w, &rt, &err), DCS_OK);
    assert_near(rt.cost, 6 * R2 + 14, TOL);
    free_grid(&G);
    dcs_route_free(&rt);
    dcs_route_work_free(&w);
}

static void test_cells_of_points_and_bad_options(void **state)
{
    (void)state;
    grid G = make_grid(4, 3, 250, 250, 1.0);   /* x 0-1000, y 0-750 */
    dcs_route_cell c;
    assert_int_equal(dcs_route_cell_of(&G.g, 260, 740, &c), 0);
    assert_int_equal(c.col, 1);
    assert_int_equal(c.row, 0);
    assert_int_equal(dcs_route_cell_of(&G.g, 999, 1, &c), 0);
    assert_int_equal(c.col, 3);
    assert_int_equal(c.row, 2);
    assert_int_equal(dcs_route_cell_of(&G.g, 1000.5, 10, &c), -1);
    assert_int_equal(dcs_route_cell_of(&G.g, 10, -0.1, &c), -1);

    dcs_route rt = {0};
    dcs_route_work w = {0};
    dcs_error err = {0};
    dcs_route_cell t = cell(3, 2);
    dcs_route_opts o = {.neighbours = 4};
    assert_int_equal(dcs_route_find(&G.g, &o, cell(0, 0), &t, 1, &w, &rt, &err), DCS_ERR_DATA);
    assert_contains(err.message, "use 8 or 16");
    o = (dcs_route_opts){.soft_penalty = -1};
    assert_int_equal(dcs_route_find(&G.g, &o, cell(0, 0), &t, 1, &w, &rt, &err), DCS_ERR_DATA);
    assert_contains(err.message, "penalty");
    o = (dcs_route_opts){0};
    G.g.gt[2] = 0.5;
    assert_int_equal(dcs_route_find(&G.g, &o, cell(0, 0), &t, 1, &w, &rt, &err), DCS_ERR_DATA);
    assert_contains(err.message, "north-up");
    assert_int_equal(dcs_route_cell_of(&G.g, 260, 740, &c), -1);
    free_grid(&G);
    dcs_route_free(&rt);
    dcs_route_work_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_straight_and_diagonal),
        cmocka_unit_test(test_hard_wall_with_gap),
        cmocka_unit_test(test_corner_of_a_diagonal_wall),
        cmocka_unit_test(test_soft_wall_crossed_only_when_cheaper),
        cmocka_unit_test(test_soft_corner_crossing_pays),
        cmocka_unit_test(test_unreachable_target),
        cmocka_unit_test(test_sixteen_neighbours),
        cmocka_unit_test(test_cheapest_of_several_targets),
        cmocka_unit_test(test_search_window),
        cmocka_unit_test(test_cells_of_points_and_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
