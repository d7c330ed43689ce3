/*
 * test_assembly.c - parcel assembly on a hand-built fabric: a 3 x 3 grid
 * of 100 m squares (1 ha each) in UTM zone 14N near Dallas,
 *
 *     p6 p7 p8
 *     p3 p4 p5
 *     p0 p1 p2
 *
 * The campuses are worked out by hand from the rule in assembly.h
 * (seeds largest first, ties by id; grow by the largest free neighbour,
 * ties by id; corner contact is not adjacency).
 */
#include "core/libctx.h"
#include "testutil.h"

#include <stdlib.h>

#include "decision/assembly.h"
#include "pipeline/run.h"
#include "core/strlist.h"

#define X0 700000.0
#define Y0 3630000.0
#define NNUM (DCS_COL_BUILTIN_NUM + 1) /* + "value", a number attribute */
#define NTEXT (DCS_TCOL_BUILTIN + 1)   /* + "owner" */
#define OWNER_COL DCS_TCOL_BUILTIN
#define VALUE_COL DCS_COL_BUILTIN_NUM

typedef struct {
    GEOSContextHandle_t geos;
    dcs_crs crs;
    dcs_sites s;
    dcs_assembly a;
} fixture;

static GEOSGeometry *square(GEOSContextHandle_t h, double x, double y, double size)
{
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(h, 5, 2);
    const double xs[5] = {x, x + size, x + size, x, x}, ys[5] = {y, y, y + size, y + size, y};
    for (unsigned k = 0; k < 5; k++)
        GEOSCoordSeq_setXY_r(h, seq, k, xs[k], ys[k]);
    return GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, seq), NULL, 0);
}

static void add_parcel(fixture *f, const char *id, GEOSGeometry *g, double area_ha,
                       const char *owner, double value)
{
    dcs_sites *s = &f->s;
    size_t i = s->n++;
    s->id[i] = dcs_strdup(id);
    s->geom[i] = g;
    s->lon[i] = s->lat[i] = s->x[i] = s->y[i] = 0;
    s->centroid_lon[i] = s->centroid_lat[i] = 0;
    for (size_t k = 0; k < NNUM; k++)
        dcs_site_num(s, i)[k] = NAN;
    dcs_site_num(s, i)[DCS_COL_AREA_HA] = area_ha;
    dcs_site_num(s, i)[VALUE_COL] = value;
    for (size_t k = 0; k < NTEXT; k++)
        dcs_site_text(s, i)[k] = NULL;
    dcs_site_text(s, i)[OWNER_COL] = owner ? dcs_strdup(owner) : NULL;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->geos = dcs_geos_init();
    dcs_error err;
    if (dcs_crs_open(&f->crs, "EPSG:32614", -97, 32.7, -96.9, 32.8, &err) != DCS_OK)
        return -1;
    dcs_sites *s = &f->s;
    s->geos = f->geos;
    s->nnum = NNUM;
    s->ntext = NTEXT;
    s->cap = 16;
    s->id = calloc(s->cap, sizeof *s->id);
    s->geom = calloc(s->cap, sizeof *s->geom);
    s->wkb = calloc(s->cap, sizeof *s->wkb);
    s->wkb_size = calloc(s->cap, sizeof *s->wkb_size);
    s->lon = calloc(s->cap, sizeof *s->lon);
    s->lat = calloc(s->cap, sizeof *s->lat);
    s->centroid_lon = calloc(s->cap, sizeof *s->centroid_lon);
    s->centroid_lat = calloc(s->cap, sizeof *s->centroid_lat);
    s->x = calloc(s->cap, sizeof *s->x);
    s->y = calloc(s->cap, sizeof *s->y);
    s->num = calloc(s->cap * NNUM, sizeof *s->num);
    s->text = calloc(s->cap * NTEXT, sizeof *s->text);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    dcs_assembly_free(&f->a);
    dcs_sites_free(&f->s);
    dcs_crs_close(&f->crs);
    dcs_geos_finish(f->geos);
    free(f);
    return 0;
}

/* The 3 x 3 fabric; owner of pK is owners[K] (NULL: none). */
static void fabric(fixture *f, const char *const *owners)
{
    for (int k = 0; k < 9; k++) {
        char id[8];
        snprintf(id, sizeof id, "p%d", k);
        add_parcel(f, id, square(f->geos, X0 + 100 * (k % 3), Y0 + 100 * (k / 3), 100), 1,
                   owners ? owners[k] : "T", k < 3 ? 5 : k);
    }
}

static void assemble_ok(fixture *f, double min_ha, size_t max_parcels, long owner_col)
{
    dcs_assembly_params p = {
        .min_area_ha = min_ha, .max_parcels = max_parcels, .owner_col = owner_col, .owner_is_text = 1};
    dcs_error err;
    dcs_error_clear(&err);
    if (dcs_assemble_campuses(&f->s, &p, &f->crs, &f->a, &err) != DCS_OK)
        fail_msg("dcs_assemble_campuses: %s", err.message);
}

static void expect_campus(const fixture *f, size_t k, const char *id, const char *parcels)
{
    size_t i = f->a.first + k;
    assert_string_equal(f->s.id[i], id);
    assert_string_equal(f->a.parcel_ids[k], parcels);
    assert_int_equal(dcs_assembly_campus(&f->a, i), (long)k);
}

/* 2.5 ha needed, any owner: p0 + p1 (lowest id of the equal neighbours
 * p1, p3) + p2 (lowest of p2, p3, p4) = 3 ha; then p3 p4 p5; p6 p7 p8. */
static void test_rows_any_owner(void **state)
{
    fixture *f = *state;
    fabric(f, NULL);
    assemble_ok(f, 2.5, 8, -1);
    assert_int_equal(f->a.n, 3);
    assert_int_equal(f->a.first, 9);
    assert_int_equal(f->s.n, 12);
    expect_campus(f, 0, "campus_p0", "p0;p1;p2");
    expect_campus(f, 1, "campus_p3", "p3;p4;p5");
    expect_campus(f, 2, "campus_p6", "p6;p7;p8");
    assert_int_equal(dcs_assembly_campus(&f->a, 3), -1);
    size_t c = 9;
    assert_near(dcs_site_num(&f->s, c)[DCS_COL_AREA_HA], 3.0, 1e-12);
    double area;
    assert_int_equal(GEOSArea_r(f->geos, f->s.geom[c], &area), 1);
    assert_near(area, 30000, 1e-6); /* the union: 300 m x 100 m */
    assert_int_equal(GEOSGeomTypeId_r(f->geos, f->s.geom[c]), GEOS_POLYGON);
    /* shared values carry over, differing ones are missing */
    assert_string_equal(dcs_site_text(&f->s, c)[OWNER_COL], "T");
    assert_near(dcs_site_num(&f->s, c)[VALUE_COL], 5, 0);
    assert_true(isnan(dcs_site_num(&f->s, 10)[VALUE_COL]));
    /* a point on the campus: inside the bottom row, in lon/lat near Dallas */
    assert_true(f->s.x[c] > X0 && f->s.x[c] < X0 + 300 && f->s.y[c] > Y0 && f->s.y[c] < Y0 + 100);
    assert_near(f->s.lon[c], -96.85, 0.1);
    assert_near(f->s.lat[c], 32.78, 0.1);
    /* its centroid: the bottom row's centre (X0 + 150, Y0 + 50) by hand, in
     * lon/lat (1e-9 degrees, 0.1 mm: rounding of the transformation) */
    double cx = X0 + 150, cy = Y0 + 50;
    assert_true(OCTTransform(f->crs.work_to_lonlat, 1, &cx, &cy, NULL));
    assert_near(f->s.centroid_lon[c], cx, 1e-9);
    assert_near(f->s.centroid_lat[c], cy, 1e-9);
}

/* Owners: left column X, the rest Y.  X: p0 p3 p6.  Y: seed p1 -> p2
 * (lower id than p4) -> p4 (neighbours of p1, p2: p4, p5); seed p5 -> p8
 * (p4 is used) -> p7.  */
static void test_same_owner(void **state)
{
    fixture *f = *state;
    const char *const owners[9] = {"X", "Y", "Y", "X", "Y", "Y", "X", "Y", "Y"};
    fabric(f, owners);
    assemble_ok(f, 2.5, 8, OWNER_COL);
    assert_int_equal(f->a.n, 3);
    expect_campus(f, 0, "campus_p0", "p0;p3;p6");
    expect_campus(f, 1, "campus_p1", "p1;p2;p4");
    expect_campus(f, 2, "campus_p5", "p5;p8;p7");
    assert_string_equal(dcs_site_text(&f->s, 9)[OWNER_COL], "X");
}

/* A parcel without an owner joins nobody under the owner rule. */
static void test_missing_owner(void **state)
{
    fixture *f = *state;
    const char *const owners[9] = {"X", NULL, "X", "X", NULL, "X", "X", NULL, "X"};
    fabric(f, owners);
    assemble_ok(f, 2.5, 8, OWNER_COL);
    /* p0 p3 p6 and p2 p5 p8: the middle column has no owner */
    assert_int_equal(f->a.n, 2);
    expect_campus(f, 0, "campus_p0", "p0;p3;p6");
    expect_campus(f, 1, "campus_p2", "p2;p5;p8");
}

/* p4 already has 3 ha: it stays alone.  Seeds p0: p0 p1 p2; p3: p3 p6
 * p7; p5: p5 p8 is 2 ha and nothing is left -> dropped. */
static void test_large_parcel_stays_out(void **state)
{
    fixture *f = *state;
    fabric(f, NULL);
    dcs_site_num(&f->s, 4)[DCS_COL_AREA_HA] = 3;
    assemble_ok(f, 2.5, 8, -1);
    assert_int_equal(f->a.n, 2);
    expect_campus(f, 0, "campus_p0", "p0;p1;p2");
    expect_campus(f, 1, "campus_p3", "p3;p6;p7");
}

/* At most 2 parcels cannot reach 2.5 ha: no campus, no site added. */
static void test_max_parcels(void **state)
{
    fixture *f = *state;
    fabric(f, NULL);
    assemble_ok(f, 2.5, 2, -1);
    assert_int_equal(f->a.n, 0);
    assert_int_equal(f->s.n, 9);
}

/* Larger parcels are taken first: p4 (1.5 ha) seeds, then its largest
 * neighbour p5 (1.2 ha) -> 2.7 ha. */
static void test_largest_first(void **state)
{
    fixture *f = *state;
    fabric(f, NULL);
    dcs_site_num(&f->s, 4)[DCS_COL_AREA_HA] = 1.5;
    dcs_site_num(&f->s, 5)[DCS_COL_AREA_HA] = 1.2;
    assemble_ok(f, 2.5, 8, -1);
    expect_campus(f, 0, "campus_p4", "p4;p5");
    assert_near(dcs_site_num(&f->s, 9)[DCS_COL_AREA_HA], 2.7, 1e-12);
}

/* Two squares meeting at a corner only are not adjacent. */
static void test_corner_is_not_adjacent(void **state)
{
    fixture *f = *state;
    add_parcel(f, "a", square(f->geos, X0, Y0, 100), 1, "T", 0);
    add_parcel(f, "b", square(f->geos, X0 + 100, Y0 + 100, 100), 1, "T", 0);
    assemble_ok(f, 1.5, 8, -1);
    assert_int_equal(f->a.n, 0);
}

/* A campus id that is already a site id is refused. */
static void test_id_clash(void **state)
{
    fixture *f = *state;
    add_parcel(f, "a", square(f->geos, X0, Y0, 100), 1, "T", 0);
    add_parcel(f, "b", square(f->geos, X0 + 100, Y0, 100), 1, "T", 0);
    add_parcel(f, "campus_a", square(f->geos, X0 + 500, Y0, 300), 9, "T", 0);
    dcs_assembly_params p = {.min_area_ha = 1.5, .max_parcels = 8, .owner_col = -1, .owner_is_text = 1};
    dcs_error err;
    assert_int_equal(dcs_assemble_campuses(&f->s, &p, &f->crs, &f->a, &err), DCS_ERR_DATA);
    assert_contains(err.message, "\"campus_a\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_any_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_parcel_stays_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_parcels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_largest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corner_is_not_adjacent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_id_clash, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
