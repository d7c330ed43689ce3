/* output.c - temporary names and atomic rename. See output.h. */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Temporary files in flight, for dcs_output_discard_all() from a signal
 * handler: fixed storage, no allocation. */
#define MAX_PENDING 8
static char pending[MAX_PENDING][DCS_PATH_MAX];

static void track(const char *tmp)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (!pending[i][0]) {
            snprintf(pending[i], DCS_PATH_MAX, "%s", tmp);
            return;
        }
}

static void untrack(const char *tmp)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (strcmp(pending[i], tmp) == 0)
            pending[i][0] = '\0';
}

void dcs_output_paths(const char *dir, const char *stem, const char *ext, char *final,
                      char *tmp)
{
    snprintf(final, DCS_PATH_MAX, "%s/%s.%s", dir, stem, ext);
    snprintf(tmp, DCS_PATH_MAX, "%s/.%s.part-%ld.%s", dir, stem, (long)getpid(), ext);
    track(tmp);
}

static void unlink_with_suffix(const char *path, const char *suffix)
{
    char p[DCS_PATH_MAX + 16];
    snprintf(p, sizeof p, "%s%s", path, suffix);
    unlink(p);
}

void dcs_output_discard(const char *tmp)
{
    unlink(tmp);
    unlink_with_suffix(tmp, "-journal");
    unlink_with_suffix(tmp, "-wal");
    unlink_with_suffix(tmp, "-shm");
    untrack(tmp);
}

void dcs_output_discard_all(void)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i][0])
            unlink(pending[i]);
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
