/*
 * test_utf8.c - text made valid UTF-8 without XML-illegal controls
 * (core/utf8.h), FIFOs and devices told apart from datasets
 * (core/special.h), and the scenario's raw-text checks
 * (inputs/jsoncheck.h).
 *
 * The expected bytes are written by hand from the Unicode standard's
 * table of well-formed UTF-8 byte sequences (Unicode 15, table 3-7) and
 * from XML 1.0's Char production (tab, LF, CR and U+0020 up are allowed);
 * U+FFFD is EF BF BD, Latin-1 0xE9 (e acute) is U+00E9 = C3 A9.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/special.h"
#include "core/utf8.h"
#include "inputs/jsoncheck.h"

#define FFFD "\xEF\xBF\xBD"

typedef struct {
    const char *in, *want; /* want NULL: unchanged */
    int flags;
} pair;

static const pair PAIRS[] = {
    {"plain ASCII", NULL, 0},
    {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", NULL, 0},  /* e acute, euro, emoji */
    {"tab\there\nline\rcr", NULL, 0},                          /* allowed controls */
    {"caf\xE9", "caf" FFFD, 0},                                /* Latin-1 byte */
    {"caf\xE9", "caf\xC3\xA9", DCS_UTF8_LATIN1},               /* read as Latin-1 */
    {"a\x01" "b\x1F", "a" FFFD "b" FFFD, 0},                   /* XML-illegal controls */
    {"a\x01", "a" FFFD, DCS_UTF8_LATIN1},                      /* controls even so */
    {"\x80", FFFD, DCS_UTF8_LATIN1},                           /* C1 control in Latin-1 */
    {"\xC0\xAF", FFFD FFFD, 0},                                /* overlong '/' */
    {"\xE0\x80\xAF", FFFD FFFD FFFD, 0},                       /* overlong, 3 bytes */
    {"\xED\xA0\x80", FFFD FFFD FFFD, 0},                       /* surrogate D800 */
    {"\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD, 0},              /* above U+10FFFF */
    {"\xE2\x82", FFFD FFFD, 0},                                /* cut short */
    {"ok\xC3\xA9\xFF", "ok\xC3\xA9" FFFD, 0},                 /* good then bad */
    {"", NULL, 0},
};

static void test_clean_golden_pairs(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof PAIRS / sizeof PAIRS[0]; k++) {
        int failed = 1;
        char *got = dcs_utf8_clean(PAIRS[k].in, PAIRS[k].flags, &failed);
        assert_int_equal(failed, 0);
        if (!PAIRS[k].want) {
            assert_null(got);
            assert_int_equal(dcs_utf8_bad_at(PAIRS[k].in, strlen(PAIRS[k].in)),
                             strlen(PAIRS[k].in));
            continue;
        }
        assert_non_null(got);
        assert_string_equal(got, PAIRS[k].want);
        assert_true(dcs_utf8_bad_at(PAIRS[k].in, strlen(PAIRS[k].in)) < strlen(PAIRS[k].in));
        assert_int_equal(dcs_utf8_bad_at(got, strlen(got)), strlen(got)); /* now clean */
        free(got);
    }
}

static void test_latin1_names(void **state)
{
    (void)state;
    assert_true(dcs_utf8_is_latin1_name("ISO-8859-1"));
    assert_true(dcs_utf8_is_latin1_name("latin1"));
    assert_true(dcs_utf8_is_latin1_name("CP1252"));
    assert_false(dcs_utf8_is_latin1_name("UTF-8"));
    assert_false(dcs_utf8_is_latin1_name("ISO-8859-15"));
    assert_false(dcs_utf8_is_latin1_name(NULL));
}

static void test_special_files(void **state)
{
    (void)state;
    char kind[64] = "";
    char fifo[] = "/tmp/dcsite-test-fifo-XXXXXX";
    int fd = mkstemp(fifo);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(dcs_special_file(fifo, kind, sizeof kind), 0); /* a regular file */
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(dcs_special_file(fifo, kind, sizeof kind), 1);
    assert_string_equal(kind, "a FIFO (named pipe)");
    unlink(fifo);
    assert_int_equal(dcs_special_file("/dev/null", kind, sizeof kind), 1);
    assert_string_equal(kind, "a character device");
    assert_int_equal(dcs_special_file("/tmp", kind, sizeof kind), 0);          /* a folder */
    assert_int_equal(dcs_special_file("/vsizip/x.zip", kind, sizeof kind), 0); /* GDAL's */
    assert_int_equal(dcs_special_file("PG:dbname=gis", kind, sizeof kind), 0);
    assert_int_equal(dcs_special_file("/no/such/file", kind, sizeof kind), 0);
}

static void test_json_raw_checks(void **state)
{
    (void)state;
    const char *what = NULL;
    /* depth: the outer object is level 1; brackets inside strings do not count */
    assert_int_equal(dcs_json_too_deep("{\"a\": [[1]]}", 3), (size_t)-1);
    assert_int_equal(dcs_json_too_deep("{\"a\": [[[1]]]}", 3), 8);
    assert_int_equal(dcs_json_too_deep("{\"[[[[\": 1}", 1), (size_t)-1);
    assert_int_equal(dcs_json_too_deep("[] [] []", 1), (size_t)-1);
    /* \u0000 in a string; an escaped backslash before u0000 is not one */
    assert_int_equal(dcs_json_bad_text("{\"a\": \"x\\u0000\"}", &what), 8);
    assert_non_null(strstr(what, "NUL"));
    assert_int_equal(dcs_json_bad_text("{\"a\": \"x\\\\u0000\"}", &what), (size_t)-1);
    assert_int_equal(dcs_json_bad_text("{\"a\": \"x\\u001F\"}", &what), 8);
    assert_non_null(strstr(what, "control character"));
    assert_int_equal(dcs_json_bad_text("{\"a\": \"x\\f\"}", &what), 8);
    assert_int_equal(dcs_json_bad_text("{\"a\": \"x\\u000A\\t\\r\\u0009\"}", &what), (size_t)-1);
    assert_int_equal(dcs_json_bad_text("{\"a\": \"caf\xE9\"}", &what), 10);
    assert_non_null(strstr(what, "not UTF-8"));
    assert_int_equal(dcs_json_bad_text("{\"a\": \"caf\xC3\xA9\"}", &what), (size_t)-1);
    int line, col;
    dcs_json_line_col("ab\ncd\nef", 7, &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 2);
}

static void test_duplicate_keys_named_by_path(void **state)
{
    (void)state;
    cJSON *root = cJSON_Parse("{\"a\": 1, \"b\": {\"x\": [1, {\"k\": 1, \"k\": 2, \"k\": 3}]},"
                              " \"a\": 2, \"c\": {\"y\": 1}}");
    assert_non_null(root);
    dcs_strlist out = {0};
    assert_int_equal(dcs_json_duplicate_keys(root, &out), 3);
    assert_int_equal(out.count, 3);
    assert_string_equal(out.items[0], "a");        /* the second "a" */
    assert_string_equal(out.items[1], "b.x[1].k"); /* the second and third "k" */
    assert_string_equal(out.items[2], "b.x[1].k");
    dcs_strlist_free(&out);
    cJSON_Delete(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_golden_pairs),
        cmocka_unit_test(test_latin1_names),
        cmocka_unit_test(test_special_files),
        cmocka_unit_test(test_json_raw_checks),
        cmocka_unit_test(test_duplicate_keys_named_by_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
