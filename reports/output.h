/*
 * output.h - write a report under a temporary name, then rename it.
 *
 * A report is first written as OUTDIR/.<name>.part-<pid>.<ext> and renamed
 * to OUTDIR/<name>.<ext> only once it is complete, so a reader never sees
 * a half-written file and an earlier report stays intact until the new one
 * replaces it (rename is atomic within a directory).  dcs_reports_write()
 * writes every report of a run before renaming any, so a failure while
 * writing leaves the previous set of reports as it was.  Temporary files are
 * registered so that a signal handler can remove them.
 */
#ifndef DCS_OUTPUT_H
#define DCS_OUTPUT_H

#include <stddef.h>

#include "core/error.h"

#define DCS_PATH_MAX 4096

/* final = dir/stem.ext; tmp = dir/.stem.part-PID.ext */
void dcs_output_paths(const char *dir, const char *stem, const char *ext, char *final,
                      char *tmp);

/* Before writing tmp: remove a stale copy and register it (with its
 * SQLite side files) for dcs_output_discard_all(). */
void dcs_output_begin(const char *tmp);

/* Rename tmp to final (DCS_ERR_IO naming both on failure; tmp removed). */
dcs_status dcs_output_commit(const char *tmp, const char *final, dcs_error *err);

/* Remove a temporary output (and SQLite side files) after a failure. */
void dcs_output_discard(const char *tmp);

/* Create dir (and parents) if missing; DCS_ERR_IO if it cannot be made or
 * written. */
dcs_status dcs_output_dir(const char *dir, dcs_error *err);

/* Remove every temporary output still registered (async-signal-safe). */
void dcs_output_discard_all(void);

#endif
