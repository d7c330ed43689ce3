/*
 * shard_io.h - the files of a run split into shards, and merging them.
 *
 * A shard run (`dcsite run --shard I/N`, see analysis/pipeline/shard.h) writes
 * DIR/shard-I-of-N.gpkg: a GeoPackage with one layer "rows", one feature
 * per site of the shard in run order, holding the site's geometry (working
 * CRS) and its raw measurements, nothing ranked:
 *   dcs_site_index  the site's position in the whole run (Integer64)
 *   dcs_site_id     its id
 *   <metric>...     every metric in model order (numbers Real, texts String,
 *                   missing values null)
 *   dcs_outside_<context>...  1 when that context layer does not cover it
 * and dataset metadata DCSITE_FINGERPRINT (the run fingerprint, see
 * fingerprint.h), DCSITE_VERSION, DCSITE_SCENARIO, DCSITE_SHARD ("I/N")
 * and DCSITE_ROWS.  The file is written under a temporary name and renamed
 * when complete, so a shard file under its final name is complete.
 *
 * `dcsite merge` finds the shards of the current fingerprint in a
 * directory (dcs_shards_find), then runs the pipeline with dcs_shards_rows
 * in place of measuring: the rows go back into the single run's site order
 * and are evaluated, ranked and reported exactly as a single run does.
 *
 * Ownership: dcs_shard_set holds its paths; dcs_shards_free().
 */
#ifndef DCS_SHARD_IO_H
#define DCS_SHARD_IO_H

#include <stddef.h>

#include "core/error.h"
#include "fingerprint.h"
#include "output.h"
#include "pipeline/run.h"

typedef struct {
    char fingerprint[DCS_SHA256_HEX_SIZE];
    char version[32];
    char scenario[256];
    size_t index, count;
    long long rows;
} dcs_shard_info;

/* dir/shard-I-of-N.gpkg */
void dcs_shard_path(const char *dir, size_t index, size_t count, char path[DCS_PATH_MAX]);

/* The metadata of a shard file; DCS_ERR_DATA when it cannot be opened or
 * is not a dcsite shard. */
dcs_status dcs_shard_info_read(const char *path, dcs_shard_info *info, dcs_error *err);

/* 1 when dir holds shard index of count, complete, with this fingerprint
 * (a re-run can skip it). */
int dcs_shard_done(const char *dir, size_t index, size_t count, const char *fingerprint);

/* Write the rows of a shard run (res holds only the shard's sites) to
 * dir/shard-I-of-N.gpkg; path receives the file name. */
dcs_status dcs_shard_write(const dcs_result *res, const char *fingerprint, size_t index,
                           size_t count, const char *dir, char path[DCS_PATH_MAX],
                           dcs_error *err);

typedef struct {
    size_t count;  /* N */
    char **paths;  /* count files, paths[I] = shard I */
} dcs_shard_set;

/* Find shards 0..N-1 of one split with this fingerprint in dir.  Refuses
 * (DCS_ERR_DATA, naming the file or the missing shard) when none is there,
 * when a shard is missing (a file of another fingerprint in its place is
 * named as such) or when the matching files come from different splits. */
dcs_status dcs_shards_find(const char *dir, const char *fingerprint, dcs_shard_set *set,
                           dcs_error *err);

/* A dcs_rows_fn (run.h) for a dcs_shard_set: reads every shard's rows into
 * res, checking that each row is the site the run has at that position. */
dcs_status dcs_shards_rows(void *set, dcs_result *res, dcs_error *err);

void dcs_shards_free(dcs_shard_set *set);

#endif
