/*
 * renamefail.c - an LD_PRELOAD shim that makes one rename() fail, for the
 * tests of the report commit (reports/output.h).
 *
 *   DCS_FAULT_DIR=/some/dir DCS_FAULT_RENAME=K LD_PRELOAD=build/tests/librenamefail.so cmd
 *
 * Renames whose source or target lies under DCS_FAULT_DIR are counted from
 * 1; the K-th fails with EACCES (as in a sticky shared folder) without
 * touching the files; all others go through.  K = 0 fails none.  Renames
 * elsewhere are neither counted nor failed.
 *
 * When DCS_FAULT_LOG names a file, each counted rename appends a line
 * "<k> ok|failed <from> <to>" to it, so a test learns how many renames a
 * commit makes and which one failed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*rename_fn)(const char *, const char *);

static long counted;

static int under_dir(const char *path)
{
    const char *dir = getenv("DCS_FAULT_DIR");
    char full[PATH_MAX], rdir[PATH_MAX];
    if (!dir || !realpath(dir, rdir))
        return 0;
    /* the file may not exist (a target): resolve its directory */
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", path);
    char *slash = strrchr(copy, '/');
    if (slash)
        *slash = '\0';
    if (!realpath(slash ? (copy[0] ? copy : "/") : ".", full))
        return 0;
    size_t n = strlen(rdir);
    return strncmp(full, rdir, n) == 0 && (full[n] == '/' || full[n] == '\0');
}

static void log_line(long k, int failed, const char *from, const char *to)
{
    const char *log = getenv("DCS_FAULT_LOG");
    FILE *fp = log ? fopen(log, "a") : NULL;
    if (!fp)
        return;
    fprintf(fp, "%ld %s %s %s\n", k, failed ? "failed" : "ok", from, to);
    fclose(fp);
}

int rename(const char *from, const char *to)
{
    rename_fn next = (rename_fn)dlsym(RTLD_NEXT, "rename");
    if (!under_dir(from) && !under_dir(to))
        return next(from, to);
    long k = ++counted;
    const char *want = getenv("DCS_FAULT_RENAME");
    int fail = want && atol(want) == k;
    log_line(k, fail, from, to);
    if (fail) {
        errno = EACCES;
        return -1;
    }
    return next(from, to);
}
