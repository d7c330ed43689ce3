/*
 * test_gpkg_rtree.c - the packed GeoPackage spatial index (issue 28).
 *
 * dcs_gpkg_rtree_write() on a plain SQLite file holding a table "t"
 * (fid, geom): with 0, 1, 51 (one full node), 52 (two levels) and 20,000
 * boxes (three levels with 51-cell nodes).  References, independent of the
 * packing: SQLite's own rtreecheck() (structure: every child box inside
 * its parent cell, the rowid and parent tables consistent, depth right);
 * SQLite's R-tree query (its own search of the tree) against a brute-force
 * scan of every leaf for random windows (exact: the same float32 boxes on
 * both sides); every box stored outward-rounded to float32 (within one
 * float32 step, the rounding SQLite applies itself); and the delete
 * trigger, which must remove a deleted row's entry.
 */
#include "testutil.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "gpkg_rtree.h"

static char path[] = "/tmp/dcsite-rtree-XXXXXX";

static sqlite3 *fresh_db(void)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (fid INTEGER PRIMARY KEY, geom BLOB)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    return db;
}

/* n random boxes in a 700 km x 4000 km UTM-like frame, rows 1..n. */
static void fill(sqlite3 *db, dcs_rtree_boxes *b, size_t n, double (*box)[4])
{
    srand(7);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        double x = 200000 + 600000.0 * rand() / RAND_MAX, y = 3e6 + 1e6 * rand() / RAND_MAX;
        double w = 1 + 500.0 * rand() / RAND_MAX, h = 1 + 500.0 * rand() / RAND_MAX;
        box[i][0] = x, box[i][1] = x + w, box[i][2] = y, box[i][3] = y + h;
        assert_true(dcs_rtree_boxes_add(b, (int64_t)i + 1, x, x + w, y, y + h));
        char sql[96];
        snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%zu, x'00')", i + 1);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

static long long count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    long long v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static double ulp32(double v)
{
    int e;
    frexp(v, &e);
    return ldexp(1, e - 24);
}

static void check(size_t n)
{
    sqlite3 *db = fresh_db();
    dcs_rtree_boxes b = {0};
    double(*box)[4] = malloc((n ? n : 1) * sizeof *box);
    fill(db, &b, n, box);
    sqlite3_close(db);
    dcs_error err;
    if (dcs_gpkg_rtree_write(path, "t", "geom", "fid", &b, &err) != DCS_OK)
        fail_msg("%s", err.message);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT rtreecheck('rtree_t_geom')", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
    assert_int_equal(count(db, "SELECT count(*) FROM rtree_t_geom"), (long long)n);
    assert_int_equal(count(db, "SELECT count(*) FROM gpkg_extensions WHERE table_name = 't' "
                               "AND column_name = 'geom' AND extension_name = "
                               "'gpkg_rtree_index'"),
                     1);
    /* every box, rounded outwards by at most one float32 step */
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, minx, maxx, miny, maxy FROM rtree_t_geom",
                                        -1, &s, NULL),
                     SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        size_t i = (size_t)sqlite3_column_int64(s, 0) - 1;
        assert_true(i < n);
        for (int k = 0; k < 4; k++) {
            double got = sqlite3_column_double(s, 1 + k), want = box[i][k];
            assert_true(k % 2 == 0 ? got <= want : got >= want);
            assert_true(fabs(got - want) <= ulp32(want));
        }
    }
    sqlite3_finalize(s);
    /* the tree's search finds what a scan of the stored boxes finds */
    for (int q = 0; q < 40 && n > 0; q++) {
        double x0 = 200000 + 600000.0 * rand() / RAND_MAX, y0 = 3e6 + 1e6 * rand() / RAND_MAX;
        double x1 = x0 + 30000, y1 = y0 + 30000;
        char a[256], c[256];
        snprintf(a, sizeof a,
                 "SELECT count(*) FROM rtree_t_geom WHERE minx <= %.17g AND maxx >= %.17g AND "
                 "miny <= %.17g AND maxy >= %.17g",
                 x1, x0, y1, y0);
        /* "+ 0": no constraint reaches the R-tree, which then lists every leaf */
        snprintf(c, sizeof c,
                 "SELECT count(*) FROM rtree_t_geom WHERE minx + 0 <= %.17g AND "
                 "maxx + 0 >= %.17g AND miny + 0 <= %.17g AND maxy + 0 >= %.17g",
                 x1, x0, y1, y0);
        assert_int_equal(count(db, a), count(db, c));
    }
    /* the delete trigger (no GDAL function in it) keeps the index current */
    if (n > 0) {
        assert_int_equal(sqlite3_exec(db, "DELETE FROM t WHERE fid = 1", NULL, NULL, NULL),
                         SQLITE_OK);
        assert_int_equal(count(db, "SELECT count(*) FROM rtree_t_geom"), (long long)n - 1);
        assert_int_equal(count(db, "SELECT count(*) FROM rtree_t_geom WHERE id = 1"), 0);
    }
    sqlite3_close(db);
    dcs_rtree_boxes_free(&b);
    free(box);
    unlink(path);
    snprintf(path, sizeof path, "/tmp/dcsite-rtree-XXXXXX");
}

static void test_empty(void **state)
{
    (void)state;
    check(0);
}

static void test_one_node(void **state)
{
    (void)state;
    check(1);
    check(51);
}

static void test_levels(void **state)
{
    (void)state;
    check(52);
    check(20000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_one_node),
        cmocka_unit_test(test_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
