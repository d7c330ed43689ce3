/* output_guard.c - outputs that would replace an input. See output_guard.h. */
#include "output_guard.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/strlist.h"
#include "fingerprint.h"
#include "report.h"

typedef struct {
    char *path;      /* as the scenario names it */
    char *resolved;  /* realpath of its directory + its name (NULL: unresolvable) */
    dev_t dev;
    ino_t ino;
    int exists;
} file_id;

typedef struct {
    file_id *in;
    size_t n;
} guard;

/* path with its directory resolved (the file itself need not exist);
 * NULL when the directory cannot be resolved or out of memory. */
static char *resolve(const char *path)
{
    char *full = realpath(path, NULL);
    if (full)
        return full;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path + (slash == path))) : strdup(".");
    char *rdir = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    if (!rdir)
        return NULL;
    const char *base = slash ? slash + 1 : path;
    size_t size = strlen(rdir) + strlen(base) + 2;
    char *out = malloc(size);
    if (out)
        snprintf(out, size, "%s/%s", strcmp(rdir, "/") == 0 ? "" : rdir, base);
    free(rdir);
    return out;
}

static file_id identify(const char *path)
{
    struct stat sb;
    file_id f = {.path = (char *)path, .resolved = resolve(path), .dev = 0, .ino = 0,
                 .exists = stat(path, &sb) == 0};
    if (f.exists) {
        f.dev = sb.st_dev;
        f.ino = sb.st_ino;
    }
    return f;
}

static int same(const file_id *a, const file_id *b)
{
    if (a->exists && b->exists)
        return a->dev == b->dev && a->ino == b->ino;
    return a->resolved && b->resolved && strcmp(a->resolved, b->resolved) == 0;
}

static dcs_status check_one(void *user, const char *path, dcs_error *err)
{
    const guard *g = user;
    file_id out = identify(path);
    dcs_status st = DCS_OK;
    for (size_t k = 0; st == DCS_OK && k < g->n; k++)
        if (same(&out, &g->in[k]))
            st = dcs_error_set(err, DCS_ERR_IO,
                               "output '%s' would replace the input '%s' (the same file): "
                               "choose another -o directory or another scenario name",
                               path, g->in[k].path);
    free(out.resolved);
    return st;
}

/* The inputs with a GeoPackage's (SQLite's) side files, identified. */
static dcs_status load(const dcs_scenario *scn, dcs_strlist *names, guard *g, dcs_error *err)
{
    static const char *const side[] = {"-journal", "-wal", "-shm"};
    dcs_status st = dcs_input_files(scn, names, err);
    size_t n = names->count;
    for (size_t k = 0; st == DCS_OK && k < n; k++)
        for (size_t q = 0; st == DCS_OK && q < 3; q++)
            if (dcs_strlist_addf(names, "%s%s", names->items[k], side[q]) != 0)
                st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    g->in = st == DCS_OK ? calloc(names->count + 1, sizeof *g->in) : NULL;
    if (st == DCS_OK && !g->in)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == DCS_OK && k < names->count; k++)
        g->in[g->n++] = identify(names->items[k]);
    return st;
}

dcs_status dcs_outputs_guard(const dcs_scenario *scn, const char *outdir,
                             const dcs_report_options *opt, const char *final, const char *tmp,
                             dcs_error *err)
{
    dcs_strlist names = {0};
    guard g = {.in = NULL, .n = 0};
    dcs_status st = load(scn, &names, &g, err);
    if (st == DCS_OK && final)
        st = check_one(&g, final, err);
    if (st == DCS_OK && tmp)
        st = check_one(&g, tmp, err);
    if (st == DCS_OK && !final)
        st = dcs_reports_each_path(scn, outdir, opt, check_one, &g, err);
    for (size_t k = 0; k < g.n; k++)
        free(g.in[k].resolved);
    free(g.in);
    dcs_strlist_free(&names);
    return st;
}
