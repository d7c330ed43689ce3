/*
 * test_csv_line.c - CSV lines formatted by dcsite (issue 28).
 *
 * Reals against the C library's "%.15g" (the reference, GDAL's CSV
 * format): the same text for values with few digits, and for 200,000
 * random values over 30 orders of magnitude the same number within one
 * unit of the 15th significant digit (relative 1e-14) when both texts are
 * read back.  Texts: quoted exactly when they hold a comma, a quote, a
 * line break or an outer space, quotes doubled; nulls empty; WKT first.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv_line.h"

static void test_reals_like_printf(void **state)
{
    (void)state;
    static const double exact[] = {0,      1,         -1,      0.5,    100,      1e-4,
                                   0.0001234, 123456.789, -2.25,  3.14159, 1e14,  999999.5,
                                   0.1,    1234567890.12345, 42,     -0.0,     0.001, 0.01,
                                   10,     1000,      1e13,    99999.99999999999, 9.5e-4};
    char a[40], b[40];
    for (size_t k = 0; k < sizeof exact / sizeof exact[0]; k++) {
        dcs_csv_real(exact[k], a);
        snprintf(b, sizeof b, "%.15g", exact[k]);
        assert_string_equal(a, b);
    }
    srand(11);
    for (int k = 0; k < 200000; k++) {
        double v = ((double)rand() / RAND_MAX) * pow(10, rand() % 30 - 10);
        if (k % 2)
            v = -v;
        size_t n = dcs_csv_real(v, a);
        assert_int_equal(n, strlen(a));
        snprintf(b, sizeof b, "%.15g", v);
        double x = strtod(a, NULL), y = strtod(b, NULL);
        if (fabs(x - y) > 1e-14 * fabs(y))
            fail_msg("%.17g: %s, printf %s", v, a, b);
    }
}

static void test_line(void **state)
{
    (void)state;
    OGRFeatureDefnH defn = OGR_FD_Create("t");
    OGR_FD_Reference(defn); /* ours, beside the feature's: released last */
    const char *names[] = {"id", "n", "x", "note"};
    const OGRFieldType types[] = {OFTString, OFTInteger, OFTReal, OFTString};
    for (int k = 0; k < 4; k++) {
        OGRFieldDefnH fd = OGR_Fld_Create(names[k], types[k]);
        OGR_FD_AddFieldDefn(defn, fd);
        OGR_Fld_Destroy(fd);
    }
    OGR_FD_SetGeomType(defn, wkbPoint);
    OGRFeatureH f = OGR_F_Create(defn);
    OGR_F_SetFieldString(f, 0, "a,b");
    OGR_F_SetFieldInteger(f, 1, -7);
    OGR_F_SetFieldNull(f, 2);
    OGR_F_SetFieldString(f, 3, "say \"hi\"");
    OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(g, 0, 1.5, 2.5);
    OGR_F_SetGeometryDirectly(f, g);
    dcs_csv_buf b = {0};
    dcs_csv_header(&b, defn, 1);
    dcs_csv_line(&b, f, 1);
    OGR_F_SetFieldString(f, 0, " lead");
    OGR_F_SetFieldDouble(f, 2, 0.25);
    OGR_F_SetFieldString(f, 3, "plain");
    dcs_csv_line(&b, f, 0);
    assert_string_equal(b.p, "WKT,id,n,x,note\n"
                             "POINT (1.5 2.5),\"a,b\",-7,,\"say \"\"hi\"\"\"\n"
                             "\" lead\",-7,0.25,plain\n");
    assert_false(b.nomem);
    dcs_strbuf_free(&b);
    OGR_F_Destroy(f);
    OGR_FD_Release(defn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reals_like_printf),
        cmocka_unit_test(test_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
