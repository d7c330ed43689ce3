/*
 * test_book_width.c - what the workbook's column widths rely on
 * (report_book.h, report_xlsx.c): every digit prints as wide as another,
 * and with a number format the widest value as shown is that of the
 * smallest or of the largest value, so a column of 100,000 numbers is
 * sized from two of them.  Reference: a brute-force scan -- each of
 * 20,000 random values (over 12 orders of magnitude, both signs, with
 * values on rounding edges such as 9.996 and -999.9996) formatted and
 * measured, for each number format the Ranking sheet uses.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

#include "report_book.h"

static double shown_pt(double v, const char *code)
{
    char buf[64];
    dcs_book_format(buf, sizeof buf, v, code);
    return dcs_book_text_pt(buf, 10, 0);
}

static void test_digits_are_one_width(void **state)
{
    (void)state;
    for (int bold = 0; bold < 2; bold++)
        for (char d = '1'; d <= '9'; d++) {
            char s[2] = {d, '\0'};
            assert_true(dcs_book_text_pt(s, 10, bold) == dcs_book_text_pt("0", 10, bold));
        }
}

/* The widest of many values as shown is the wider of the smallest and
 * the largest as shown. */
static void test_widest_is_smallest_or_largest(void **state)
{
    (void)state;
    static const char *const codes[] = {"0",      "0.0",  "0.00",  "0.000",   "0.0000",
                                        "0.00000", "#,##0", "#,##0.0", "0.0%", "#,##0.00"};
    static const double edges[] = {9.996, -9.996, 999.9996, -999.9996, 99999.5, -0.0004, 0};
    srand(28);
    for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++)
        for (int trial = 0; trial < 20; trial++) {
            double lo = INFINITY, hi = -INFINITY, widest = 0;
            for (int k = 0; k < 1000; k++) {
                double mag = pow(10, (double)(rand() % 120) / 10.0 - 4); /* 1e-4 .. 1e8 */
                double v = k < 7 ? edges[k] * (trial + 1) : mag * ((double)rand() / RAND_MAX);
                if (trial % 2 && rand() % 3 == 0)
                    v = -v;
                lo = fmin(lo, v);
                hi = fmax(hi, v);
                widest = fmax(widest, shown_pt(v, codes[c]));
            }
            assert_true(fmax(shown_pt(lo, codes[c]), shown_pt(hi, codes[c])) == widest);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digits_are_one_width),
        cmocka_unit_test(test_widest_is_smallest_or_largest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
