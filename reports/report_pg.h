/*
 * report_pg.h - the GIS layers written to a PostgreSQL/PostGIS database
 * (command line: --db CONNECTION [--table [SCHEMA.]TABLE]).
 *
 * The candidates go to SCHEMA.TABLE and the eligible sites' points to
 * SCHEMA.TABLE_points (the same fields as the GeoPackage layers).  A run
 * replaces the tables of an earlier run only once the new ones are
 * complete, and all at once:
 *
 *   1. dcs_pg_write_begin() connects (GDAL's PostgreSQL driver) and opens
 *      a transaction; the layers are written into new tables with
 *      temporary names (TABLE_tmp<pid>) inside it;
 *   2. dcs_pg_write_commit() then, in the same transaction, drops the old
 *      tables, renames the new ones (and their primary key, spatial index
 *      and FID sequence) to the final names and commits;
 *   3. dcs_pg_write_abort() rolls back instead.
 *
 * Until the commit nobody else sees the new tables and the old ones stay
 * as they were; if the process dies on the way (a signal, a crash), the
 * server rolls the transaction back when the connection drops, so no
 * temporary table is left and the old tables are intact.
 *
 * Identifiers are checked, not quoted away: SCHEMA and TABLE must be
 * lower-case letters, digits and '_', starting with a letter or '_'
 * (TABLE at most 40 characters, leaving room for "_points" and the index
 * names within PostgreSQL's 63).
 *
 * Messages name the database by its connection string; they go through
 * dcs_redact() before anyone sees them (see dsn.h).
 *
 * Ownership: a dcs_pg_write holds the connection until commit or abort.
 */
#ifndef DCS_REPORT_PG_H
#define DCS_REPORT_PG_H

#include <gdal.h>

#include "core/error.h"
#include "report_gis.h"

#define DCS_PG_TABLE_MAX 40

typedef struct {
    char schema[64];
    char table[DCS_PG_TABLE_MAX + 1];
} dcs_pg_target;

typedef struct {
    GDALDatasetH ds;
    const char *conn;
    dcs_pg_target target;
    char final[2][64]; /* candidates, points */
    char tmp[2][64];
} dcs_pg_write;

/* "[schema.]table" (NULL: the scenario name, lower-cased, in schema
 * public); DCS_ERR_SCENARIO naming the argument when it is not a plain
 * identifier or too long. */
dcs_status dcs_pg_target_parse(const char *arg, const char *scenario_name, dcs_pg_target *t,
                               dcs_error *err);

/* Before a run: can we connect, does the schema exist and may we create
 * tables in it?  DCS_ERR_IO with the server's reason otherwise. */
dcs_status dcs_pg_preflight(const char *conn, const dcs_pg_target *t, dcs_error *err);

dcs_status dcs_pg_write_begin(const char *conn, const dcs_pg_target *t, dcs_pg_write *w,
                              dcs_error *err);

/* Write the candidates and the eligible points into the new tables
 * (rows written to progress, which may be NULL). */
dcs_status dcs_report_pg(const dcs_result *res, const dcs_gis_format *fmt, const char *crs,
                         dcs_pg_write *w, const dcs_progress *progress, dcs_error *err);

dcs_status dcs_pg_write_commit(dcs_pg_write *w, dcs_error *err);

/* Roll back and disconnect (nothing is left in the database). */
void dcs_pg_write_abort(dcs_pg_write *w);

#endif
