/* test_shard.c - which sites a shard keeps (analysis/pipeline/shard.c).
 *
 * References are by hand: shard I of N holds the sites i with i mod N == I,
 * in order; with n sites that is ceil((n - I) / N) of them. */
#include "core/libctx.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline/run.h"
#include "pipeline/shard.h"

static void test_parse(void **state)
{
    (void)state;
    size_t i = 99, n = 99;
    assert_int_equal(dcs_shard_parse("0/1", &i, &n), 0);
    assert_int_equal(i, 0);
    assert_int_equal(n, 1);
    assert_int_equal(dcs_shard_parse("12/40", &i, &n), 0);
    assert_int_equal(i, 12);
    assert_int_equal(n, 40);
    assert_int_equal(dcs_shard_parse("99999/100000", &i, &n), 0);
    const char *bad[] = {"", "3", "3/3", "4/3", "1/0", "/2", "1/", "-1/2", "1/-2", " 1/2",
                         "1/2 ", "1.0/2", "0x1/2", "1/100001", "1/2/3", "1234567890/2"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        i = n = 77;
        assert_int_equal(dcs_shard_parse(bad[k], &i, &n), -1);
        assert_int_equal(i, 77); /* untouched */
    }
    assert_int_equal(dcs_shard_parse(NULL, &i, &n), -1);
}

static void test_size_and_position(void **state)
{
    (void)state;
    /* 10 sites in 4 shards: {0,4,8} {1,5,9} {2,6} {3,7} */
    assert_int_equal(dcs_shard_size(10, 0, 4), 3);
    assert_int_equal(dcs_shard_size(10, 1, 4), 3);
    assert_int_equal(dcs_shard_size(10, 2, 4), 2);
    assert_int_equal(dcs_shard_size(10, 3, 4), 2);
    assert_int_equal(dcs_shard_size(2, 3, 4), 0);
    assert_int_equal(dcs_shard_size(0, 0, 1), 0);
    assert_int_equal(dcs_shard_size(1987, 0, 4) + dcs_shard_size(1987, 1, 4) +
                         dcs_shard_size(1987, 2, 4) + dcs_shard_size(1987, 3, 4),
                     1987);
    assert_int_equal(dcs_shard_site(0, 2, 4), 2);
    assert_int_equal(dcs_shard_site(1, 2, 4), 6);
    assert_int_equal(dcs_shard_site(5, 0, 1), 5);
}

/* n point sites "S0".. with num row {i, -i}, text row {"t<i>", NULL}. */
static void make_sites(dcs_sites *s, GEOSContextHandle_t geos, size_t n)
{
    memset(s, 0, sizeof *s);
    s->n = s->cap = n;
    s->nnum = 2;
    s->ntext = 2;
    s->geos = geos;
    s->id = calloc(n, sizeof *s->id);
    s->geom = calloc(n, sizeof *s->geom);
    s->wkb = calloc(n, sizeof *s->wkb);
    s->wkb_size = calloc(n, sizeof *s->wkb_size);
    s->lon = calloc(n, sizeof *s->lon);
    s->lat = calloc(n, sizeof *s->lat);
    s->centroid_lon = calloc(n, sizeof *s->centroid_lon);
    s->centroid_lat = calloc(n, sizeof *s->centroid_lat);
    s->x = calloc(n, sizeof *s->x);
    s->y = calloc(n, sizeof *s->y);
    s->num = calloc(n * 2, sizeof *s->num);
    s->text = calloc(n * 2, sizeof *s->text);
    for (size_t i = 0; i < n; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "S%zu", i);
        s->id[i] = strdup(buf);
        s->geom[i] = GEOSGeom_createPointFromXY_r(geos, (double)i, 0);
        s->lon[i] = s->x[i] = (double)i;
        s->lat[i] = s->y[i] = -(double)i;
        s->centroid_lon[i] = 100 + (double)i;
        s->centroid_lat[i] = -100 - (double)i;
        s->num[2 * i] = (double)i;
        s->num[2 * i + 1] = -(double)i;
        snprintf(buf, sizeof buf, "t%zu", i);
        s->text[2 * i] = strdup(buf);
    }
}

static void test_select_keeps_i_mod_n_in_order(void **state)
{
    (void)state;
    GEOSContextHandle_t geos = dcs_geos_init();
    for (size_t count = 1; count <= 5; count++)
        for (size_t index = 0; index < count; index++) {
            dcs_sites s;
            make_sites(&s, geos, 11);
            dcs_error err;
            assert_int_equal(dcs_shard_select(&s, index, count, &err), DCS_OK);
            assert_int_equal(s.n, dcs_shard_size(11, index, count));
            for (size_t k = 0; k < s.n; k++) {
                size_t i = dcs_shard_site(k, index, count);
                char want[32];
                snprintf(want, sizeof want, "S%zu", i);
                assert_string_equal(s.id[k], want);
                double x;
                assert_int_equal(GEOSGeomGetX_r(geos, s.geom[k], &x), 1);
                assert_near(x, (double)i, 0);
                assert_near(s.lon[k], (double)i, 0);
                assert_near(s.centroid_lon[k], 100 + (double)i, 0);
                assert_near(s.centroid_lat[k], -100 - (double)i, 0);
                assert_near(s.y[k], -(double)i, 0);
                assert_near(dcs_site_num(&s, k)[1], -(double)i, 0);
                snprintf(want, sizeof want, "t%zu", i);
                assert_string_equal(dcs_site_text(&s, k)[0], want);
                assert_null(dcs_site_text(&s, k)[1]);
            }
            dcs_sites_free(&s); /* no leak: the dropped sites were freed (valgrind, ASan) */
        }
    dcs_error err;
    dcs_sites s;
    make_sites(&s, geos, 3);
    assert_int_equal(dcs_shard_select(&s, 2, 2, &err), DCS_ERR_INTERNAL);
    assert_int_equal(s.n, 3);
    dcs_sites_free(&s);
    dcs_geos_finish(geos);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_size_and_position),
        cmocka_unit_test(test_select_keeps_i_mod_n_in_order),
    };
    return cmocka_run_group_tests_name("shard", tests, NULL, NULL);
}
