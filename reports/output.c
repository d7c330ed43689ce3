/* output.c - temporary names, the registry of temporaries, commit sets.
 * See output.h. */
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/strlist.h"

/* ---- removing a file, its SQLite side files, or a directory tree ---------- */

static const char *const side_suffix[] = {"", "-journal", "-wal", "-shm"};
#define NSIDE (sizeof side_suffix / sizeof side_suffix[0])
#define NAME_MAX_LEN (DCS_PATH_MAX + 16)

/* Remove name (relative to the directory at) and, when it is a directory,
 * everything in it.  Only system calls (async-signal-safe); depth bounded. */
static void rm_tree_at(int at, const char *name, int depth)
{
    if (unlinkat(at, name, 0) == 0 || (errno != EISDIR && errno != EPERM) || depth > 16)
        return;
    for (int pass = 0; pass < 3; pass++) {
        int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return;
        char buf[4096];
        long n;
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
            for (long off = 0; off < n;) {
                const struct dirent64 *e = (const struct dirent64 *)(buf + off);
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                    rm_tree_at(fd, e->d_name, depth + 1);
                off += e->d_reclen;
            }
        close(fd);
        if (unlinkat(at, name, AT_REMOVEDIR) == 0 || errno != ENOTEMPTY)
            return;
    }
}

static void remove_path(const char *path)
{
    rm_tree_at(AT_FDCWD, path, 0);
}

/* ---- the registry of temporaries ------------------------------------------- */

/* A temporary in flight with its side files, for dcs_output_discard_all()
 * from a signal handler: nodes are linked only once their names are
 * written and never freed while the process writes (untracked nodes are
 * reused), so a handler on any thread reads valid memory. */
typedef struct tmp_node {
    struct tmp_node *next;
    volatile sig_atomic_t live;
    char names[NSIDE][NAME_MAX_LEN];
} tmp_node;

static tmp_node *head;

static void track(const char *tmp)
{
    tmp_node *n = NULL;
    for (tmp_node *p = __atomic_load_n(&head, __ATOMIC_ACQUIRE); p && !n; p = p->next)
        if (!p->live)
            n = p;
    int fresh = !n;
    if (fresh && !(n = calloc(1, sizeof *n)))
        return; /* out of memory: a signal would leave this one behind */
    for (size_t k = 0; k < NSIDE; k++)
        snprintf(n->names[k], sizeof n->names[k], "%s%s", tmp, side_suffix[k]);
    n->live = 1;
    if (fresh) {
        n->next = head;
        __atomic_store_n(&head, n, __ATOMIC_RELEASE);
    }
}

static void untrack(const char *tmp)
{
    for (tmp_node *p = head; p; p = p->next)
        if (p->live && strcmp(p->names[0], tmp) == 0)
            p->live = 0;
}

static void unlink_all(const char *tmp)
{
    char p[NAME_MAX_LEN];
    for (size_t k = 0; k < NSIDE; k++) {
        snprintf(p, sizeof p, "%s%s", tmp, side_suffix[k]);
        remove_path(p);
    }
}

void dcs_output_paths(const char *dir, const char *stem, const char *ext, char *final,
                      char *tmp)
{
    snprintf(final, DCS_PATH_MAX, "%s/%s.%s", dir, stem, ext);
    snprintf(tmp, DCS_PATH_MAX, "%s/.%s.part-%ld.%s", dir, stem, (long)getpid(), ext);
}

dcs_status dcs_output_paths_fit(const char *dir, const char *stem, const char *ext,
                                size_t extra, dcs_error *err)
{
    /* the temporary: "/." ".part-" pid (at most 10 digits) "." and the
     * longest SQLite side suffix ("-journal") */
    size_t need = strlen(dir) + strlen(stem) + strlen(ext) + 2 + 6 + 10 + 1 + 8 + extra;
    if (need < DCS_PATH_MAX)
        return DCS_OK;
    return dcs_error_set(err, DCS_ERR_IO,
                         "output path too long: '%.60s...' (%zu bytes) with '%s.%s' needs "
                         "%zu bytes, more than the %d a path may have here: choose a shorter "
                         "-o directory or scenario name",
                         dir, strlen(dir), stem, ext, need, DCS_PATH_MAX - 1);
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
    for (tmp_node *p = __atomic_load_n(&head, __ATOMIC_ACQUIRE); p; p = p->next)
        if (p->live)
            for (size_t k = 0; k < NSIDE; k++)
                rm_tree_at(AT_FDCWD, p->names[k], 0);
}

void dcs_output_release(void)
{
    tmp_node *p = head;
    head = NULL;
    while (p) {
        tmp_node *next = p->next;
        free(p);
        p = next;
    }
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

static dcs_status dir_usable(const char *dir, dcs_error *err)
{
    struct stat sb;
    if (!dir || !*dir)
        return dcs_error_set(err, DCS_ERR_IO,
                             "the output directory is empty (-o ''): name a directory, e.g. "
                             "-o out");
    if (strlen(dir) + 64 >= DCS_PATH_MAX)
        return dcs_error_set(err, DCS_ERR_IO,
                             "output directory '%.60s...' is too long (%zu bytes; a path may "
                             "have %d here): choose a shorter -o directory",
                             dir, strlen(dir), DCS_PATH_MAX - 1);
    if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return dcs_error_set(err, DCS_ERR_IO,
                             "output directory '%s' exists and is not a directory: give -o a "
                             "directory",
                             dir);
    return DCS_OK;
}

dcs_status dcs_output_dir_check(const char *dir, dcs_error *err)
{
    dcs_status st = dir_usable(dir, err);
    if (st == DCS_OK && access(dir, F_OK) == 0 && access(dir, W_OK | X_OK) != 0)
        st = dcs_error_set(err, DCS_ERR_IO, "output directory '%s' is not writable: %s", dir,
                           strerror(errno));
    return st;
}

dcs_status dcs_output_dir(const char *dir, dcs_error *err)
{
    dcs_status st = dir_usable(dir, err);
    if (st != DCS_OK)
        return st;
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

/* ---- commit sets ------------------------------------------------------------- */

/* dir/.base.old-PID for dir/base */
static char *old_name(const char *final)
{
    const char *slash = strrchr(final, '/');
    size_t dlen = slash ? (size_t)(slash - final + 1) : 0;
    size_t size = strlen(final) + 32;
    char *old = malloc(size);
    if (old)
        snprintf(old, size, "%.*s.%s.old-%ld", (int)dlen, final, final + dlen, (long)getpid());
    return old;
}

dcs_status dcs_commit_add(dcs_commit_set *set, const char *tmp, const char *final,
                          dcs_error *err)
{
    if (set->n == set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 16;
        dcs_commit_item *p = realloc(set->items, cap * sizeof *p);
        if (!p)
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        set->items = p;
        set->cap = cap;
    }
    dcs_commit_item it = {.tmp = tmp ? dcs_strdup(tmp) : NULL,
                          .final = dcs_strdup(final),
                          .old = old_name(final),
                          .moved_old = 0,
                          .moved_new = 0};
    if ((tmp && !it.tmp) || !it.final || !it.old) {
        free(it.tmp);
        free(it.final);
        free(it.old);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    set->items[set->n++] = it;
    return DCS_OK;
}

static int is_dir(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* Take back what was renamed so far: the new files to their temporary
 * names (removed with the temporaries), the earlier ones to their names.
 * The first rename that fails here is named in *restore_failed. */
static void roll_back(dcs_commit_set *set, const char **restore_failed)
{
    for (size_t k = set->n; k-- > 0;) {
        dcs_commit_item *it = &set->items[k];
        if (it->moved_new && rename(it->final, it->tmp) != 0)
            remove_path(it->final);
        it->moved_new = 0;
    }
    for (size_t k = set->n; k-- > 0;) {
        dcs_commit_item *it = &set->items[k];
        if (it->moved_old && rename(it->old, it->final) != 0 && !*restore_failed)
            *restore_failed = it->old;
        it->moved_old = 0;
    }
    dcs_commit_discard(set);
}

static dcs_status commit_fail(dcs_commit_set *set, const char *from, const char *to, int e,
                              dcs_error *err)
{
    const char *restore_failed = NULL;
    char from_copy[NAME_MAX_LEN], to_copy[NAME_MAX_LEN];
    snprintf(from_copy, sizeof from_copy, "%s", from);
    snprintf(to_copy, sizeof to_copy, "%s", to);
    roll_back(set, &restore_failed);
    if (restore_failed)
        return dcs_error_set(err, DCS_ERR_IO,
                             "cannot rename '%s' to '%s': %s; no report replaced, but the "
                             "earlier report '%s' could not be put back: rename it by hand",
                             from_copy, to_copy, strerror(e), restore_failed);
    return dcs_error_set(err, DCS_ERR_IO,
                         "cannot rename '%s' to '%s': %s; no report replaced (the earlier "
                         "ones are as they were)",
                         from_copy, to_copy, strerror(e));
}

static dcs_status commit_renames(dcs_commit_set *set, dcs_error *err)
{
    for (size_t k = 0; k < set->n; k++) {
        dcs_commit_item *it = &set->items[k];
        if (is_dir(it->final) && !(it->tmp && is_dir(it->tmp)))
            return commit_fail(set, it->tmp ? it->tmp : it->final, it->final, EISDIR, err);
    }
    for (size_t k = 0; k < set->n; k++) { /* the earlier reports aside */
        dcs_commit_item *it = &set->items[k];
        if (!exists(it->final))
            continue;
        remove_path(it->old); /* a stale one of a process with the same pid */
        if (rename(it->final, it->old) != 0)
            return commit_fail(set, it->final, it->old, errno, err);
        it->moved_old = 1;
    }
    for (size_t k = 0; k < set->n; k++) { /* the new ones into place */
        dcs_commit_item *it = &set->items[k];
        if (!it->tmp)
            continue;
        if (rename(it->tmp, it->final) != 0)
            return commit_fail(set, it->tmp, it->final, errno, err);
        it->moved_new = 1;
    }
    return DCS_OK;
}

static void unblock(dcs_commit_set *set)
{
    if (set->blocked)
        pthread_sigmask(SIG_SETMASK, &set->saved, NULL);
    set->blocked = 0;
}

dcs_status dcs_commit_run(dcs_commit_set *set, dcs_error *err)
{
    sigset_t block;
    sigemptyset(&block);
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT};
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
        sigaddset(&block, sigs[k]);
    set->blocked = pthread_sigmask(SIG_BLOCK, &block, &set->saved) == 0;
    dcs_status st = commit_renames(set, err);
    if (st != DCS_OK)
        unblock(set);
    return st;
}

void dcs_commit_finish(dcs_commit_set *set)
{
    for (size_t k = 0; k < set->n; k++) { /* done: the earlier ones go */
        dcs_commit_item *it = &set->items[k];
        if (it->moved_old)
            remove_path(it->old);
        it->moved_old = it->moved_new = 0;
        if (it->tmp)
            untrack(it->tmp);
    }
    unblock(set);
}

void dcs_commit_undo(dcs_commit_set *set)
{
    const char *restore_failed = NULL;
    roll_back(set, &restore_failed);
    unblock(set);
}

void dcs_commit_discard(dcs_commit_set *set)
{
    for (size_t k = 0; k < set->n; k++)
        if (set->items[k].tmp)
            dcs_output_discard(set->items[k].tmp);
}

void dcs_commit_free(dcs_commit_set *set)
{
    for (size_t k = 0; k < set->n; k++) {
        free(set->items[k].tmp);
        free(set->items[k].final);
        free(set->items[k].old);
    }
    free(set->items);
    memset(set, 0, sizeof *set);
}
