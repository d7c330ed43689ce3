/* output.c - temporary names and atomic rename. See output.h. */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Temporary files in flight, with the SQLite side files a GeoPackage may
 * have, for dcs_output_discard_all() from a signal handler: fixed
 * storage, names built before any signal can need them. */
#define MAX_PENDING 32 /* reports of a run, sidecars included, with room to spare */
static const char *const side_suffix[] = {"", "-journal", "-wal", "-shm"};
#define NSIDE (sizeof side_suffix / sizeof side_suffix[0])
static char pending[MAX_PENDING][NSIDE][DCS_PATH_MAX + 16];

static void track(const char *tmp)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (!pending[i][0][0]) {
            for (size_t k = NSIDE; k-- > 0;) /* the main name last: it marks the slot used */
                snprintf(pending[i][k], sizeof pending[i][k], "%s%s", tmp, side_suffix[k]);
            return;
        }
}

static void untrack(const char *tmp)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (strcmp(pending[i][0], tmp) == 0)
            pending[i][0][0] = '\0';
}

static void unlink_all(const char *tmp)
{
    char p[DCS_PATH_MAX + 16];
    for (size_t k = 0; k < NSIDE; k++) {
        snprintf(p, sizeof p, "%s%s", tmp, side_suffix[k]);
        unlink(p);
    }
}

void dcs_output_paths(const char *dir, const char *stem, const char *ext, char *final,
                      char *tmp)
{
    snprintf(final, DCS_PATH_MAX, "%s/%s.%s", dir, stem, ext);
    snprintf(tmp, DCS_PATH_MAX, "%s/.%s.part-%ld.%s", dir, stem, (long)getpid(), ext);
}

void dcs_output_begin(const char *tmp)
{
    unlink_all(tmp); /* a stale file of a process with the same pid */
    track(tmp);
}

void dcs_output_discard(const char *tmp)
{
    unlink_all(tmp);
    untrack(tmp);
}

void dcs_output_discard_all(void)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i][0][0])
            for (size_t k = 0; k < NSIDE; k++)
                unlink(pending[i][k]);
}

dcs_status dcs_output_commit(const char *tmp, const char *final, dcs_error *err)
{
    if (rename(tmp, final) != 0) {
        int e = errno;
        dcs_output_discard(tmp);
        return dcs_error_set(err, DCS_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, final,
                             strerror(e));
    }
    untrack(tmp);
    return DCS_OK;
}

dcs_status dcs_output_dir(const char *dir, dcs_error *err)
{
    char path[DCS_PATH_MAX];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return dcs_error_set(err, DCS_ERR_IO, "cannot create directory '%s': %s", path,
                                 strerror(errno));
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create output directory '%s': %s", path,
                             strerror(errno));
    if (access(path, W_OK | X_OK) != 0)
        return dcs_error_set(err, DCS_ERR_IO, "output directory '%s' is not writable: %s", path,
                             strerror(errno));
    return DCS_OK;
}
