/* test_output.c - temporaries and commit sets (reports/output.c).
 *
 * Each test works in a fresh directory under /tmp and checks the files by
 * their contents (written by the test itself). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dcs-test-output-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    dcs_output_release();
    return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* the text of dir/name ("" when missing) */
static const char *get(const char *name)
{
    static char text[256];
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    text[0] = '\0';
    FILE *fp = fopen(p, "r");
    if (fp) {
        size_t n = fread(text, 1, sizeof text - 1, fp);
        text[n] = '\0';
        fclose(fp);
    }
    return text;
}

static int count_entries(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *fp = popen(cmd, "r");
    int n = -1;
    if (fp && fscanf(fp, "%d", &n) != 1)
        n = -1;
    if (fp)
        pclose(fp);
    return n;
}

static void add(dcs_commit_set *set, const char *tmp, const char *final)
{
    char t[512], f[512];
    dcs_error err;
    snprintf(t, sizeof t, "%s/%s", dir, tmp ? tmp : "");
    snprintf(f, sizeof f, "%s/%s", dir, final);
    assert_int_equal(dcs_commit_add(set, tmp ? t : NULL, f, &err), DCS_OK);
}

static void test_set_replaces_all(void **state)
{
    (void)state;
    put("a.json", "old a");
    put("a.xlsx", "old x");
    put("a.prj", "old stale sidecar");
    put(".a.part-1.json", "new a");
    put(".a.part-1.xlsx", "new x");
    put(".a.part-1.gpkg", "new g");
    dcs_commit_set set = {0};
    add(&set, ".a.part-1.json", "a.json");
    add(&set, ".a.part-1.xlsx", "a.xlsx");
    add(&set, ".a.part-1.gpkg", "a.gpkg");
    add(&set, NULL, "a.prj");
    dcs_error err;
    assert_int_equal(dcs_commit_run(&set, &err), DCS_OK);
    dcs_commit_finish(&set);
    dcs_commit_free(&set);
    assert_string_equal(get("a.json"), "new a");
    assert_string_equal(get("a.xlsx"), "new x");
    assert_string_equal(get("a.gpkg"), "new g");
    assert_string_equal(get("a.prj"), ""); /* the stale sidecar went with the old set */
    assert_int_equal(count_entries(), 3);  /* nothing set aside is left */
}

static void test_failure_restores_the_old_set(void **state)
{
    (void)state;
    put("a.json", "old a");
    put("a.xlsx", "old x");
    put(".a.part-1.json", "new a");
    put(".a.part-1.xlsx", "new x");
    char p[512];
    snprintf(p, sizeof p, "%s/a.gpkg", dir); /* a folder in the way of a file */
    assert_int_equal(mkdir(p, 0700), 0);
    put("a.gpkg/keep", "mine");
    put(".a.part-1.gpkg", "new g");
    dcs_commit_set set = {0};
    add(&set, ".a.part-1.json", "a.json");
    add(&set, ".a.part-1.xlsx", "a.xlsx");
    add(&set, ".a.part-1.gpkg", "a.gpkg");
    dcs_error err;
    assert_int_equal(dcs_commit_run(&set, &err), DCS_ERR_IO);
    assert_contains(err.message, "a.gpkg");
    assert_contains(err.message, "no report replaced");
    dcs_commit_free(&set);
    assert_string_equal(get("a.json"), "old a");
    assert_string_equal(get("a.xlsx"), "old x");
    assert_string_equal(get("a.gpkg/keep"), "mine");
    assert_int_equal(count_entries(), 3); /* the new temporaries removed */
}

static void test_undo_after_run(void **state)
{
    (void)state;
    put("a.json", "old a");
    put(".a.part-1.json", "new a");
    put(".a.part-1.png", "new p");
    dcs_commit_set set = {0};
    add(&set, ".a.part-1.json", "a.json");
    add(&set, ".a.part-1.png", "a.png");
    dcs_error err;
    assert_int_equal(dcs_commit_run(&set, &err), DCS_OK);
    assert_string_equal(get("a.json"), "new a");
    dcs_commit_undo(&set); /* e.g. the database commit failed */
    dcs_commit_free(&set);
    assert_string_equal(get("a.json"), "old a");
    assert_string_equal(get("a.png"), "");
    assert_int_equal(count_entries(), 1);
}

static void test_many_temporaries_and_folders_discarded(void **state)
{
    (void)state;
    char p[512];
    for (int k = 0; k < 100; k++) { /* far more than the 8 or 32 once tracked */
        snprintf(p, sizeof p, "%s/.t%03d.part-1.shp", dir, k);
        dcs_output_begin(p);
        put(strrchr(p, '/') + 1, "x");
    }
    snprintf(p, sizeof p, "%s/.g.part-1.gdb", dir);
    dcs_output_begin(p);
    assert_int_equal(mkdir(p, 0700), 0);
    put(".g.part-1.gdb/a00000001.gdbtable", "t");
    snprintf(p, sizeof p, "%s/.g.part-1.gdb/sub", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    put(".g.part-1.gdb/sub/f", "t");
    put(".t000.part-1.shp-journal", "j");
    put("keep.txt", "kept");
    assert_int_equal(count_entries(), 103);
    dcs_output_discard_all(); /* what the signal handler does */
    assert_int_equal(count_entries(), 1);
    assert_string_equal(get("keep.txt"), "kept");
}

static void test_paths_fit(void **state)
{
    (void)state;
    dcs_error err;
    char longdir[DCS_PATH_MAX];
    memset(longdir, 'd', sizeof longdir - 1);
    longdir[0] = '/';
    longdir[4060] = '\0'; /* 4060 + "/.name.part-PID.gpkg-journal" and 32 more > 4095 */
    assert_int_equal(dcs_output_paths_fit("/tmp/out", "name", "gpkg", 32, &err), DCS_OK);
    assert_int_equal(dcs_output_paths_fit(longdir, "name", "gpkg", 32, &err), DCS_ERR_IO);
    assert_contains(err.message, "output path too long");
    assert_int_equal(dcs_output_dir_check("", &err), DCS_ERR_IO);
    assert_contains(err.message, "empty");
    assert_int_equal(dcs_output_dir_check(longdir, &err), DCS_ERR_IO);
    assert_contains(err.message, "too long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_set_replaces_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_restores_the_old_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undo_after_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_temporaries_and_folders_discarded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_paths_fit, setup, teardown),
    };
    return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
