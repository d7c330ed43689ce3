/*
 * test_dsn.c - connection strings and password redaction.
 *
 * The expected strings are written by hand from the libpq connection
 * string rules (PostgreSQL 15 manual, section 34.1.1: keyword = value
 * pairs separated by white space, values single-quoted with backslash
 * escapes when they hold spaces; URIs postgresql://user:password@host/db
 * with parameters after '?' separated by '&').
 */
#include "testutil.h"

#include <stdlib.h>

#include "inputs/dsn.h"

static void expect(const char *in, const char *want)
{
    char *got = dcs_redact(in);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_keyword_value(void **state)
{
    (void)state;
    expect("PG:dbname=gis host=db user=me password=s3cret port=5432",
           "PG:dbname=gis host=db user=me password=*** port=5432");
    expect("PG:password=s3cret", "PG:password=***");
    expect("PG:dbname=gis PASSWORD = s3cret", "PG:dbname=gis PASSWORD = ***");
    expect("PG:dbname=gis password=", "PG:dbname=gis password=***");
}

static void test_quoted_values(void **state)
{
    (void)state;
    expect("PG:dbname='my db' password='a b\\'c d' user=me",
           "PG:dbname='my db' password='***' user=me");
    expect("PG:password='' user=me", "PG:password='***' user=me");
    expect("PG:password='unterminated", "PG:password='***'");
    expect("MSSQL:server=.;UID=me;PWD={p;w d};Database=x", "MSSQL:server=.;UID=me;PWD={***};Database=x");
    expect("MSSQL:server=.;UID=me;PWD=pw;Database=x", "MSSQL:server=.;UID=me;PWD=***;Database=x");
}

static void test_escaped_space_in_bare_value(void **state)
{
    (void)state;
    expect("PG:password=a\\ b user=me", "PG:password=*** user=me");
}

static void test_uri_forms(void **state)
{
    (void)state;
    expect("postgresql://me:s3cret@db:5432/gis", "postgresql://me:***@db:5432/gis");
    expect("postgres://me@db/gis", "postgres://me@db/gis");
    expect("postgresql://db/gis?user=me&password=s3cret&sslmode=require",
           "postgresql://db/gis?user=me&password=***&sslmode=require");
    expect("/vsicurl/https://me:p%40ss@example.org/a.tif",
           "/vsicurl/https://me:***@example.org/a.tif");
    /* an '@' after the path is not user information */
    expect("https://example.org/a:b@c", "https://example.org/a:b@c");
}

static void test_inside_messages(void **state)
{
    (void)state;
    expect("sites: cannot open 'PG:dbname=gis password=s3cret': connection refused",
           "sites: cannot open 'PG:dbname=gis password=***': connection refused");
    expect("layer 'x' not found in 'postgresql://me:pw@db/gis' (layers: a, b)",
           "layer 'x' not found in 'postgresql://me:***@db/gis' (layers: a, b)");
    /* a quote inside a password is part of it */
    expect("PG:password=ab'cd user=me", "PG:password=*** user=me");
}

static void test_plain_text_untouched(void **state)
{
    (void)state;
    const char *keep[] = {
        "FATAL:  password authentication failed for user \"me\"",
        "flood100_pct <= 10",
        "passwords=1 mypassword=2 password_file=x",
        "data/dallas/dallas.gpkg",
        "",
    };
    for (size_t k = 0; k < sizeof keep / sizeof *keep; k++)
        expect(keep[k], keep[k]);
}

static void test_needed_and_fixed_buffer(void **state)
{
    (void)state;
    assert_false(dcs_redact_needed("site_17"));
    assert_false(dcs_redact_needed(NULL));
    assert_true(dcs_redact_needed("PG:password=x"));
    assert_true(dcs_redact_needed("postgresql://a:b@c"));
    char out[24];
    assert_string_equal(dcs_redact_to("PG:dbname=gis password=s3cret", out, sizeof out),
                        "PG:dbname=gis password=");
    assert_string_equal(dcs_redact_to(NULL, out, sizeof out), "");
    assert_null(dcs_redact(NULL));
}

static void test_is_postgres(void **state)
{
    (void)state;
    assert_true(dcs_dsn_is_postgres("PG:dbname=gis"));
    assert_true(dcs_dsn_is_postgres("pg:dbname=gis"));
    assert_true(dcs_dsn_is_postgres("postgresql://db/gis"));
    assert_false(dcs_dsn_is_postgres("PGDUMP.sql"));
    assert_false(dcs_dsn_is_postgres("data/x.gpkg"));
    assert_false(dcs_dsn_is_postgres(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword_value),
        cmocka_unit_test(test_quoted_values),
        cmocka_unit_test(test_escaped_space_in_bare_value),
        cmocka_unit_test(test_uri_forms),
        cmocka_unit_test(test_inside_messages),
        cmocka_unit_test(test_plain_text_untouched),
        cmocka_unit_test(test_needed_and_fixed_buffer),
        cmocka_unit_test(test_is_postgres),
    };
    return cmocka_run_group_tests_name("dsn", tests, NULL, NULL);
}
