/* testutil.h - cmocka includes and small helpers for dcsite's unit tests. */
#ifndef DCS_TESTUTIL_H
#define DCS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* |actual - expected| <= tol, with both values in the failure message. */
#define assert_near(actual, expected, tol)                                                  \
    do {                                                                                    \
        double a_ = (actual), e_ = (expected), t_ = (tol);                                  \
        if (!(fabs(a_ - e_) <= t_))                                                         \
            fail_msg("%s = %.12g, expected %.12g within %.3g", #actual, a_, e_, t_);        \
    } while (0)

/* haystack contains needle. */
#define assert_contains(haystack, needle)                                                   \
    do {                                                                                    \
        const char *h_ = (haystack), *n_ = (needle);                                        \
        if (!h_ || !strstr(h_, n_))                                                         \
            fail_msg("\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", n_);            \
    } while (0)

#endif
