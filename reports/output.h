/*
 * output.h - write a report under a temporary name, then commit the whole
 * set of a run's reports at once.
 *
 * A report is first written as OUTDIR/.<name>.part-<pid>.<ext> and renamed
 * to OUTDIR/<name>.<ext> only once every report of the run is complete, so
 * a reader never sees a half-written file.  The renames of one run form a
 * commit set (dcs_commit_*): the earlier reports under the final names are
 * first moved aside (OUTDIR/.<name>.<ext>.old-<pid>), then the new ones
 * renamed into place, then the old ones deleted; when any rename fails the
 * new ones are taken back and the old ones restored, so the folder holds
 * either the complete earlier set or the complete new one.  Signals are
 * blocked during those renames (they are delivered once the set is whole).
 *
 * Temporary outputs are registered (no limit on their number) so that a
 * signal handler can remove them with dcs_output_discard_all(), together
 * with a GeoPackage's SQLite side files; a temporary that is a directory
 * (OpenFileGDB) is removed with everything in it.
 *
 * Paths never get cut: a name that does not fit in DCS_PATH_MAX is an
 * error (dcs_output_paths_fit) before anything is written.
 *
 * Thread-safety: the registry and the commit set are for the thread that
 * writes the reports (and a signal handler interrupting it).  Ownership:
 * a dcs_commit_set owns its strings; dcs_commit_free().
 */
#ifndef DCS_OUTPUT_H
#define DCS_OUTPUT_H

#include <signal.h>
#include <stddef.h>

#include "core/error.h"

#define DCS_PATH_MAX 4096

/* final = dir/stem.ext; tmp = dir/.stem.part-PID.ext (names cut when they
 * do not fit: check with dcs_output_paths_fit first). */
void dcs_output_paths(const char *dir, const char *stem, const char *ext, char *final,
                      char *tmp);

/* DCS_OK when dir/stem.ext, its temporary name and side files (up to
 * `extra` more bytes, e.g. ".fields.csv", ".old-PID") fit in DCS_PATH_MAX;
 * else DCS_ERR_IO naming the directory and the length. */
dcs_status dcs_output_paths_fit(const char *dir, const char *stem, const char *ext,
                                size_t extra, dcs_error *err);

/* Before writing tmp: remove a stale copy and register it (with its
 * SQLite side files) for dcs_output_discard_all(). */
void dcs_output_begin(const char *tmp);

/* Rename one tmp to final (DCS_ERR_IO naming both on failure; tmp removed).
 * For outputs of one file; a run's reports use a dcs_commit_set. */
dcs_status dcs_output_commit(const char *tmp, const char *final, dcs_error *err);

/* Remove a temporary output (and SQLite side files, or the directory and
 * its contents) after a failure. */
void dcs_output_discard(const char *tmp);

/* Create dir (and parents) if missing; DCS_ERR_IO if it is empty, too long,
 * not a directory, cannot be made or written. */
dcs_status dcs_output_dir(const char *dir, dcs_error *err);

/* Like dcs_output_dir but creates nothing: DCS_ERR_IO when dir is empty,
 * too long, or exists and is not a writable directory (checked before a
 * run, so that a bad -o is refused before the analysis). */
dcs_status dcs_output_dir_check(const char *dir, dcs_error *err);

/* Remove every temporary output still registered (async-signal-safe). */
void dcs_output_discard_all(void);

/* Free the registry's memory (at exit; nothing must be in flight). */
void dcs_output_release(void);

/* ---- a set of renames committed as one ------------------------------------ */

typedef struct {
    char *tmp;   /* the new file, or NULL: final is only to be removed (stale) */
    char *final;
    char *old;   /* where an earlier final is moved aside */
    int moved_old, moved_new;
} dcs_commit_item;

typedef struct {
    dcs_commit_item *items;
    size_t n, cap;
    sigset_t saved; /* the signal mask before dcs_commit_run */
    int blocked;
} dcs_commit_set;

/* Add tmp -> final to the set (tmp NULL: remove a stale final with the
 * set).  DCS_ERR_NOMEM when out of memory. */
dcs_status dcs_commit_add(dcs_commit_set *set, const char *tmp, const char *final,
                          dcs_error *err);

/* Rename the set into place: all renamed, or none (earlier files restored,
 * the new temporaries removed) with DCS_ERR_IO naming the rename that
 * failed.  On DCS_OK the earlier files are still kept aside and signals
 * stay blocked until dcs_commit_finish (delete them) or dcs_commit_undo
 * (take the new set back when something that must go with it failed). */
dcs_status dcs_commit_run(dcs_commit_set *set, dcs_error *err);
void dcs_commit_finish(dcs_commit_set *set);
void dcs_commit_undo(dcs_commit_set *set);

/* Remove the set's temporaries (a write failed before the commit). */
void dcs_commit_discard(dcs_commit_set *set);

void dcs_commit_free(dcs_commit_set *set);

#endif
