/*
 * fingerprint.h - SHA-256 fingerprints of input files, so that a report
 * records exactly which data it was computed from (OpenSSL libcrypto,
 * EVP interface).
 *
 * Only local regular files have a fingerprint: a GDAL connection string
 * (PG:..., /vsicurl/...) or a directory has none.
 */
#ifndef DCS_FINGERPRINT_H
#define DCS_FINGERPRINT_H

#include "core/error.h"
#include "core/strlist.h"
#include "inputs/scenario.h"

/* Length of a SHA-256 digest in lower-case hex, with its terminating NUL. */
#define DCS_SHA256_HEX_SIZE 65

/* The SHA-256 of the file at path as 64 lower-case hex digits in hex.  On
 * failure returns DCS_ERR_DATA (the file cannot be opened or read, e.g. it
 * is missing or a directory) or DCS_ERR_INTERNAL (the digest failed), with
 * a message naming the file; hex is then the empty string. */
dcs_status dcs_file_sha256(const char *path, char hex[DCS_SHA256_HEX_SIZE], dcs_error *err);

/* Size in bytes of path when it is a local regular file (symbolic links
 * followed), else -1. */
long long dcs_regular_file_size(const char *path);

/* The run fingerprint, stored in every output of a run (JSON summary,
 * GIS output metadata, workbook, shard files) so that outputs of different
 * versions of a scenario or of its data are never mixed: SHA-256 over
 * "dcsite <version>", the scenario file as canonical JSON (parsed and
 * printed again by cJSON without whitespace, keys in file order) and, in
 * scenario order, every GDAL dataset the scenario names (site layer,
 * substations, context and coverage layers, joined tables, rasters, the
 * station table) and every weather file.  A dataset contributes every file
 * GDAL reads for it (GDALGetFileList: a Shapefile's .shp, .shx, .dbf, .prj
 * and .cpg, a VRT and the files it points at), sorted by their names
 * relative to the scenario's directory (absolute names as they are), each
 * as its name and SHA-256; a dataset GDAL reads from its one file (or
 * cannot open) contributes that file's SHA-256 alone, as before datasets
 * were listed.  Each distinct file is hashed once.  A dataset that is not a
 * local file (PG:..., /vsicurl/...) enters by its name only, as do weather
 * files listed inside a station table.
 * DCS_ERR_SCENARIO when the scenario file cannot be read again, DCS_ERR_DATA
 * when an input file cannot be read.
 * Thread-safety: reentrant once GDAL is set up (dcs_init); it opens each
 * dataset with a handle of its own (never shared) and closes it before
 * returning, so it may run in a thread beside a run reading the same
 * files. */
dcs_status dcs_run_fingerprint(const dcs_scenario *scn, char hex[DCS_SHA256_HEX_SIZE],
                               dcs_error *err);

/* Every local input file of the scenario into out (the list owns them):
 * the scenario file, every file GDAL reads for each dataset (the same list
 * the run fingerprint hashes: a Shapefile's .shx, .dbf, .prj, a VRT's
 * sources, the files of a directory-shaped dataset) and the weather files
 * it names.  Connection strings and /vsi... names are not listed, nor the
 * weather files named inside a station table.  Used to refuse outputs that
 * would replace an input (output_guard.h).  DCS_ERR_NOMEM only. */
dcs_status dcs_input_files(const dcs_scenario *scn, dcs_strlist *out, dcs_error *err);

#endif
