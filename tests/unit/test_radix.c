/*
 * test_radix.c - dcs_radix_sort_hi32 against the C library's qsort of the
 * whole 64-bit values (the reference): with indexes given in increasing
 * order in the low 32 bits, a stable sort by the high 32 bits must give
 * exactly qsort's order.  Keys drawn from ranges small enough to repeat
 * many times (ties) and from all 32 bits, plus the empty and one-element
 * arrays.
 */
#include "testutil.h"

#include <stdlib.h>

#include "core/radix.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void check(size_t n, uint32_t key_range)
{
    uint64_t *a = malloc((n ? n : 1) * sizeof *a), *tmp = malloc((n ? n : 1) * sizeof *tmp),
             *want = malloc((n ? n : 1) * sizeof *want);
    assert_non_null(a);
    assert_non_null(tmp);
    assert_non_null(want);
    for (size_t i = 0; i < n; i++) {
        uint32_t key = ((uint32_t)rand() << 16 ^ (uint32_t)rand()) % key_range;
        a[i] = want[i] = (uint64_t)key << 32 | i;
    }
    qsort(want, n, sizeof *want, cmp_u64);
    dcs_radix_sort_hi32(a, tmp, n);
    for (size_t i = 0; i < n; i++)
        if (a[i] != want[i])
            fail_msg("n %zu, range %u: element %zu is %llx, qsort has %llx", n, key_range, i,
                     (unsigned long long)a[i], (unsigned long long)want[i]);
    free(a);
    free(tmp);
    free(want);
}

static void test_same_order_as_qsort(void **state)
{
    (void)state;
    srand(32);
    check(0, 10);
    check(1, 10);
    check(1000, 3);              /* ties everywhere */
    check(100000, 1000);         /* ties within each key */
    check(100000, 0xffffffffu);  /* every byte of the key in play */
    check(257, 256);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_order_as_qsort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
