/*
 * test_report_html.c - the HTML report's escaping (reports/report_html.h):
 * dcs_html_text() for element text and attributes, dcs_html_json_string()
 * for the JSON the page's script parses inside a <script> element.
 *
 * References: the expected strings are written out by hand from the HTML
 * and JSON rules (entities for & < > " '; JSON's \" \\ and \uXXXX escapes;
 * U+2028 is the UTF-8 bytes E2 80 A8; the UTF-8 of "é" is C3 A9, of "北"
 * E5 8C 97, of U+1F600 F0 9F 98 80).  Each JSON output is also checked to
 * parse back to the input with cJSON, an independent parser.
 */
#include "testutil.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

#include "report_html.h"

typedef void (*escape_fn)(FILE *, const char *);

/* fn(s) as a new string (caller frees). */
static char *escaped(escape_fn fn, const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    fn(fp, s);
    fclose(fp);
    return buf;
}

static void expect(escape_fn fn, const char *in, const char *want)
{
    char *got = escaped(fn, in);
    if (strcmp(got, want) != 0)
        fail_msg("escaping \"%s\": got %s, expected %s", in ? in : "(null)", got, want);
    free(got);
}

static void test_html_text(void **state)
{
    (void)state;
    expect(dcs_html_text, "plain", "plain");
    expect(dcs_html_text, "<b>\"a\" & 'b'</b>", "&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt;");
    expect(dcs_html_text, "caf\xc3\xa9 \xe5\x8c\x97", "caf\xc3\xa9 \xe5\x8c\x97"); /* as is */
    expect(dcs_html_text, "", "");
    expect(dcs_html_text, NULL, "");
}

static void test_json_string_escapes(void **state)
{
    (void)state;
    expect(dcs_html_json_string, "id", "\"id\"");
    expect(dcs_html_json_string, NULL, "null");
    expect(dcs_html_json_string, "a\"b\\c", "\"a\\\"b\\\\c\"");
    /* nothing that could close the script element or open a comment */
    expect(dcs_html_json_string, "</script><!--", "\"\\u003c/script\\u003e\\u003c!--\"");
    expect(dcs_html_json_string, "x & y", "\"x \\u0026 y\"");
    expect(dcs_html_json_string, "tab\there\nnl\x01", "\"tab\\u0009here\\u000anl\\u0001\"");
    /* line and paragraph separators end a line in older JavaScript */
    expect(dcs_html_json_string, "a\xe2\x80\xa8" "b\xe2\x80\xa9", "\"a\\u2028b\\u2029\"");
    /* valid UTF-8 passes through, 2 to 4 bytes */
    expect(dcs_html_json_string, "\xc3\xa9\xe5\x8c\x97\xf0\x9f\x98\x80",
           "\"\xc3\xa9\xe5\x8c\x97\xf0\x9f\x98\x80\"");
}

static void test_json_string_invalid_utf8(void **state)
{
    (void)state;
    expect(dcs_html_json_string, "a\xff" "b", "\"a\\ufffdb\"");          /* never a lead byte */
    expect(dcs_html_json_string, "\xc3", "\"\\ufffd\"");                 /* cut short */
    expect(dcs_html_json_string, "\xc0\xbc", "\"\\ufffd\\ufffd\"");      /* overlong '<' */
    expect(dcs_html_json_string, "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
    expect(dcs_html_json_string, "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
}

static void test_json_string_parses_back(void **state)
{
    (void)state;
    const char *in[] = {"<b>x</b>", "a\"b'c&d", "Z\xc3\xbcrich \xe2\x80\x93 \xe5\x8c\x97",
                        "</script><img src=x onerror=\"y()\">", "\\n\\u0000"};
    for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
        char *s = escaped(dcs_html_json_string, in[k]);
        assert_null(strchr(s, '<'));
        assert_null(strchr(s, '>'));
        cJSON *v = cJSON_Parse(s);
        assert_true(cJSON_IsString(v));
        assert_string_equal(v->valuestring, in[k]);
        cJSON_Delete(v);
        free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_text),
        cmocka_unit_test(test_json_string_escapes),
        cmocka_unit_test(test_json_string_invalid_utf8),
        cmocka_unit_test(test_json_string_parses_back),
    };
    return cmocka_run_group_tests_name("report_html", tests, NULL, NULL);
}
