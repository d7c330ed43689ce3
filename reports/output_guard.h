/*
 * output_guard.h - refuse, before a run, outputs that would replace one
 * of its inputs.
 *
 * Every name a run may write (each report under its final and temporary
 * name, sidecars such as a Shapefile's .dbf or the map's .pgw, and the
 * SQLite side files -journal, -wal, -shm) is compared with every input
 * file (fingerprint.h's dcs_input_files: the scenario, each file GDAL
 * reads for each dataset, weather files) and with an input GeoPackage's
 * side files: the same file when both exist and have the same device and
 * inode (symbolic and hard links seen through), or the same name once the
 * directories are resolved (realpath) when one does not exist yet.  A
 * match is DCS_ERR_IO naming both paths.
 *
 * Not thread-safe with respect to GDAL's error state (it opens the input
 * datasets to list their files); nothing to free.
 */
#ifndef DCS_OUTPUT_GUARD_H
#define DCS_OUTPUT_GUARD_H

#include "core/error.h"
#include "inputs/scenario.h"
#include "report_common.h"

/* The reports of scn into outdir with opt (report.h's dcs_reports_write),
 * and, when not NULL, the extra files final and tmp (a shard file). */
dcs_status dcs_outputs_guard(const dcs_scenario *scn, const char *outdir,
                             const dcs_report_options *opt, const char *final, const char *tmp,
                             dcs_error *err);

#endif
