/*
 * test_strpool.c - interned strings (strpool.h): one copy per distinct
 * text, equal texts get the same pointer, growth keeps every string, and
 * threads interning the same texts at once agree on the copies.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/strpool.h"

static void test_same_text_same_copy(void **state)
{
    (void)state;
    dcs_strpool *p = dcs_strpool_new();
    assert_non_null(p);
    char a[] = "industrial", b[] = "industrial";
    char *x = dcs_strpool_intern(p, a), *y = dcs_strpool_intern(p, b);
    assert_ptr_equal(x, y);
    assert_ptr_not_equal(x, a); /* a copy, not the caller's buffer */
    assert_string_equal(x, "industrial");
    char *z = dcs_strpool_intern(p, "commercial");
    assert_ptr_not_equal(z, x);
    assert_string_equal(dcs_strpool_intern(p, ""), "");
    assert_null(dcs_strpool_intern(p, NULL));
    assert_int_equal(dcs_strpool_count(p), 3);
    dcs_strpool_free(p);
    dcs_strpool_free(NULL);
}

static void test_growth_keeps_every_string(void **state)
{
    (void)state;
    enum { N = 5000 };
    dcs_strpool *p = dcs_strpool_new();
    static char *first[N];
    char buf[32];
    for (int k = 0; k < N; k++) {
        snprintf(buf, sizeof buf, "county %d", k);
        first[k] = dcs_strpool_intern(p, buf);
        assert_non_null(first[k]);
    }
    assert_int_equal(dcs_strpool_count(p), N);
    for (int k = N - 1; k >= 0; k--) { /* after many doublings: same copies */
        snprintf(buf, sizeof buf, "county %d", k);
        assert_ptr_equal(dcs_strpool_intern(p, buf), first[k]);
        assert_string_equal(first[k], buf);
    }
    assert_int_equal(dcs_strpool_count(p), N);
    dcs_strpool_free(p);
}

enum { THREADS = 4, TEXTS = 2000 };

typedef struct {
    dcs_strpool *p;
    char *got[TEXTS];
} job;

static void *intern_all(void *arg)
{
    job *j = arg;
    char buf[32];
    for (int k = 0; k < TEXTS; k++) {
        snprintf(buf, sizeof buf, "id-%d", (k * 7) % TEXTS);
        j->got[(k * 7) % TEXTS] = dcs_strpool_intern(j->p, buf);
    }
    return NULL;
}

static void test_threads_agree(void **state)
{
    (void)state;
    dcs_strpool *p = dcs_strpool_new();
    static job jobs[THREADS];
    pthread_t tid[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t].p = p;
        assert_int_equal(pthread_create(&tid[t], NULL, intern_all, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(tid[t], NULL);
    assert_int_equal(dcs_strpool_count(p), TEXTS);
    for (int k = 0; k < TEXTS; k++)
        for (int t = 1; t < THREADS; t++)
            assert_ptr_equal(jobs[t].got[k], jobs[0].got[k]);
    dcs_strpool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_text_same_copy),
        cmocka_unit_test(test_growth_keeps_every_string),
        cmocka_unit_test(test_threads_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
