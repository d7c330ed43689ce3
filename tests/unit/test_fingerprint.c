/*
 * test_fingerprint.c - SHA-256 fingerprints of files against published
 * test vectors.
 *
 * References: FIPS 180-2, appendix B (and NIST's SHA examples):
 *  - "abc"                        ba7816bf...f20015ad (B.1)
 *  - the 448-bit "abcdbcdecdef..." 248d6a61...19db06c1 (B.2)
 *  - one million 'a'              cdc76e5c...c7112cd0 (B.3): longer than
 *    the reader's 64 KiB buffer, so the file is digested in many pieces
 *  - the empty message            e3b0c442...7852b855
 * Each message is written to a file in a fresh temporary directory.
 */
#include "testutil.h"

#include <stdlib.h>
#include <unistd.h>

#include "fingerprint.h"

static char dir[64];

/* Write len bytes of data to <dir>/name; the path goes to path. */
static void write_file(const char *name, const char *data, size_t len, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void check_sha256(const char *name, const char *data, size_t len, const char *want)
{
    char path[256], hex[DCS_SHA256_HEX_SIZE];
    dcs_error err;
    dcs_error_clear(&err);
    write_file(name, data, len, path, sizeof path);
    assert_int_equal(dcs_file_sha256(path, hex, &err), DCS_OK);
    assert_string_equal(hex, want);
    assert_int_equal(dcs_regular_file_size(path), (long long)len);
    unlink(path);
}

static void test_abc(void **state)
{
    (void)state;
    check_sha256("abc.txt", "abc", 3,
                 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_empty_file(void **state)
{
    (void)state;
    check_sha256("empty.txt", "", 0,
                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_two_blocks(void **state)
{
    (void)state;
    const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_sha256("448bit.txt", msg, strlen(msg),
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a(void **state)
{
    (void)state;
    size_t n = 1000000;
    char *a = malloc(n);
    assert_non_null(a);
    memset(a, 'a', n);
    check_sha256("million_a.txt", a, n,
                 "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

static void test_missing_file_is_named(void **state)
{
    (void)state;
    char path[256], hex[DCS_SHA256_HEX_SIZE] = "x";
    dcs_error err;
    dcs_error_clear(&err);
    snprintf(path, sizeof path, "%s/no_such_file.gpkg", dir);
    assert_int_equal(dcs_file_sha256(path, hex, &err), DCS_ERR_DATA);
    assert_int_equal(err.status, DCS_ERR_DATA);
    assert_contains(err.message, path);
    assert_contains(err.message, "No such file");
    assert_string_equal(hex, "");
    assert_int_equal(dcs_regular_file_size(path), -1);
}

static void test_directory_is_not_a_file(void **state)
{
    (void)state;
    char hex[DCS_SHA256_HEX_SIZE];
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_file_sha256(dir, hex, &err), DCS_ERR_DATA);
    assert_contains(err.message, dir);
    assert_int_equal(dcs_regular_file_size(dir), -1);
    assert_int_equal(dcs_regular_file_size("PG:dbname=gis"), -1);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/dcs_fingerprint_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abc),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_two_blocks),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_missing_file_is_named),
        cmocka_unit_test(test_directory_is_not_a_file),
    };
    int failed = cmocka_run_group_tests_name("fingerprint", tests, NULL, NULL);
    rmdir(dir);
    return failed;
}
