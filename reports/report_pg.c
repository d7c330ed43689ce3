/* report_pg.c - GIS layers into PostgreSQL/PostGIS, replaced when complete.
 * See report_pg.h. */
#include "report_pg.h"

#include <cpl_error.h>
#include <ogr_api.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "inputs/dsn.h"

/* ---- target ------------------------------------------------------------- */

/* Lower-case ASCII letters, digits and '_', not starting with a digit. */
static int plain_identifier(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

dcs_status dcs_pg_target_parse(const char *arg, const char *scenario_name, dcs_pg_target *t,
                               dcs_error *err)
{
    memset(t, 0, sizeof *t);
    char schema[128] = "public", table[128] = "";
    if (arg) {
        const char *dot = strchr(arg, '.');
        if (dot && (size_t)(dot - arg) < sizeof schema)
            snprintf(schema, sizeof schema, "%.*s", (int)(dot - arg), arg);
        snprintf(table, sizeof table, "%s", dot ? dot + 1 : arg);
        if (!plain_identifier(schema, 63) || !plain_identifier(table, DCS_PG_TABLE_MAX))
            return dcs_error_set(err, DCS_ERR_SCENARIO,
                                 "--table: \"%s\" is not [schema.]table in lower-case letters, "
                                 "digits and _ (the table at most %d characters)",
                                 arg, DCS_PG_TABLE_MAX);
    } else {
        size_t i = 0;
        for (; scenario_name && scenario_name[i] && i + 1 < sizeof table; i++)
            table[i] = (char)(scenario_name[i] >= 'A' && scenario_name[i] <= 'Z'
                                  ? scenario_name[i] - 'A' + 'a'
                                  : scenario_name[i]);
        table[i] = '\0';
        if (!plain_identifier(table, DCS_PG_TABLE_MAX))
            return dcs_error_set(err, DCS_ERR_SCENARIO,
                                 "--db: the scenario name \"%s\" cannot be a table name (at "
                                 "most %d letters, digits and _, not starting with a digit); "
                                 "name one with --table",
                                 scenario_name ? scenario_name : "", DCS_PG_TABLE_MAX);
    }
    snprintf(t->schema, sizeof t->schema, "%s", schema);
    snprintf(t->table, sizeof t->table, "%s", table);
    return DCS_OK;
}

/* ---- connection ---------------------------------------------------------- */

static dcs_status connect_db(const char *conn, GDALDatasetH *ds, dcs_error *err)
{
    static const char *const drivers[] = {"PostgreSQL", NULL};
    if (!dcs_dsn_is_postgres(conn))
        return dcs_error_set(err, DCS_ERR_IO,
                             "--db: '%s' is not a PostgreSQL connection string (PG:dbname=... "
                             "or postgresql://...)",
                             conn);
    CPLErrorReset();
    *ds = GDALOpenEx(conn, GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, NULL, NULL);
    if (!*ds)
        return dcs_error_set(err, DCS_ERR_IO, "--db: cannot connect to '%s': %s", conn,
                             *CPLGetLastErrorMsg() ? CPLGetLastErrorMsg() : "GDAL cannot open it");
    return DCS_OK;
}

/* Run a statement that returns no rows; DCS_ERR_IO with the server's
 * message, prefixed by what, when it fails. */
static dcs_status exec_sql(GDALDatasetH ds, const char *sql, const char *what, const char *conn,
                           dcs_error *err)
{
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    if (r)
        GDALDatasetReleaseResultSet(ds, r);
    if (CPLGetLastErrorType() >= CE_Failure)
        return dcs_error_set(err, DCS_ERR_IO, "%s in '%s': %s", what, conn, CPLGetLastErrorMsg());
    return DCS_OK;
}

dcs_status dcs_pg_preflight(const char *conn, const dcs_pg_target *t, dcs_error *err)
{
    GDALDatasetH ds = NULL;
    dcs_status st = connect_db(conn, &ds, err);
    if (st != DCS_OK)
        return st;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT current_user::text AS who, has_schema_privilege(n.oid, 'CREATE') AS can "
             "FROM pg_namespace n WHERE n.nspname = '%s'",
             t->schema);
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    OGRFeatureH f = r ? OGR_L_GetNextFeature(r) : NULL;
    if (!r)
        st = dcs_error_set(err, DCS_ERR_IO, "--db: cannot query '%s': %s", conn,
                           CPLGetLastErrorMsg());
    else if (!f)
        st = dcs_error_set(err, DCS_ERR_IO, "--db: schema '%s' does not exist in '%s'",
                           t->schema, conn);
    else if (!OGR_F_GetFieldAsInteger(f, 1))
        st = dcs_error_set(err, DCS_ERR_IO,
                           "--db: permission denied: role '%s' may not create tables in schema "
                           "'%s' of '%s' (it needs CREATE on the schema)",
                           OGR_F_GetFieldAsString(f, 0), t->schema, conn);
    if (f)
        OGR_F_Destroy(f);
    if (r)
        GDALDatasetReleaseResultSet(ds, r);
    GDALClose(ds);
    return st;
}

/* ---- writing --------------------------------------------------------------- */

dcs_status dcs_pg_write_begin(const char *conn, const dcs_pg_target *t, dcs_pg_write *w,
                              dcs_error *err)
{
    memset(w, 0, sizeof *w);
    w->conn = conn;
    w->target = *t;
    snprintf(w->final[0], sizeof w->final[0], "%s", t->table);
    snprintf(w->final[1], sizeof w->final[1], "%s_points", t->table);
    for (int k = 0; k < 2; k++)
        snprintf(w->tmp[k], sizeof w->tmp[k], "%s%s_tmp%ld", t->table, k ? "_points" : "",
                 (long)getpid());
    dcs_status st = connect_db(conn, &w->ds, err);
    if (st != DCS_OK)
        return st;
    CPLErrorReset();
    if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE) {
        st = dcs_error_set(err, DCS_ERR_IO, "--db: cannot start a transaction in '%s': %s",
                           conn, CPLGetLastErrorMsg());
        GDALClose(w->ds);
        w->ds = NULL;
    }
    return st;
}

dcs_status dcs_report_pg(const dcs_result *res, const dcs_gis_format *fmt, const char *crs,
                         dcs_pg_write *w, const dcs_progress *progress, dcs_error *err)
{
    char schema_opt[96];
    snprintf(schema_opt, sizeof schema_opt, "SCHEMA=%s", w->target.schema);
    const char *lco[] = {schema_opt, "GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=GIST",
                         "LAUNDER=NO", NULL};
    const char *names[2] = {w->tmp[0], w->tmp[1]};
    dcs_status st = dcs_report_gis_layers(res, fmt, crs, w->ds, names, (char **)lco, w->conn,
                                          progress, err);
    /* end the COPY now, so that a row the server refuses is reported as such */
    for (int k = 0; k < 2 && st == DCS_OK; k++) {
        char qualified[160];
        snprintf(qualified, sizeof qualified, "%s.%s", w->target.schema, names[k]);
        OGRLayerH lyr = GDALDatasetGetLayerByName(w->ds, qualified);
        CPLErrorReset();
        if (!lyr || OGR_L_SyncToDisk(lyr) != OGRERR_NONE || CPLGetLastErrorType() >= CE_Failure)
            st = dcs_error_set(err, DCS_ERR_IO, "cannot write table %s.%s in '%s': %s",
                               w->target.schema, names[k], w->conn, CPLGetLastErrorMsg());
    }
    return st;
}

/* In the open transaction: drop the old table, rename the new one and the
 * objects PostgreSQL named after it (primary key, spatial index, FID
 * sequence) to what they would have been called had it been created
 * under its final name. */
static dcs_status swap_table(dcs_pg_write *w, int k, dcs_error *err)
{
    const char *s = w->target.schema, *fin = w->final[k], *tmp = w->tmp[k];
    char sql[2048], what[256];
    snprintf(what, sizeof what, "cannot replace table %s.%s", s, fin);
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS \"%s\".\"%s\"", s, fin);
    dcs_status st = exec_sql(w->ds, sql, what, w->conn, err);
    snprintf(sql, sizeof sql, "ALTER TABLE \"%s\".\"%s\" RENAME TO \"%s\"", s, tmp, fin);
    if (st == DCS_OK)
        st = exec_sql(w->ds, sql, what, w->conn, err);
    snprintf(sql, sizeof sql,
             "DO $dcs$ DECLARE r record; t regclass := '\"%s\".\"%s\"'::regclass; BEGIN "
             "FOR r IN SELECT conname FROM pg_constraint WHERE conrelid = t AND contype = 'p' "
             "LOOP EXECUTE format('ALTER TABLE %%s RENAME CONSTRAINT %%I TO %%I', t, r.conname, "
             "'%s_pkey'); END LOOP; "
             "FOR r IN SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
             "WHERE i.indrelid = t AND NOT i.indisprimary "
             "LOOP EXECUTE format('ALTER INDEX %%I.%%I RENAME TO %%I', '%s', r.relname, "
             "'%s_geom_geom_idx'); END LOOP; "
             "FOR r IN SELECT q.oid::regclass::text AS seq FROM pg_depend d JOIN pg_class q "
             "ON q.oid = d.objid WHERE d.refobjid = t AND q.relkind = 'S' "
             "LOOP EXECUTE format('ALTER SEQUENCE %%s RENAME TO %%I', r.seq, '%s_fid_seq'); "
             "END LOOP; END $dcs$",
             s, fin, fin, s, fin, fin);
    if (st == DCS_OK)
        st = exec_sql(w->ds, sql, what, w->conn, err);
    return st;
}

dcs_status dcs_pg_write_commit(dcs_pg_write *w, dcs_error *err)
{
    dcs_status st = DCS_OK;
    for (int k = 0; k < 2 && st == DCS_OK; k++)
        st = swap_table(w, k, err);
    CPLErrorReset();
    if (st == DCS_OK && GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot commit the new tables in '%s': %s", w->conn,
                           CPLGetLastErrorMsg());
    if (st != DCS_OK) {
        dcs_pg_write_abort(w);
        return st;
    }
    GDALClose(w->ds);
    w->ds = NULL;
    return DCS_OK;
}

void dcs_pg_write_abort(dcs_pg_write *w)
{
    if (!w->ds)
        return;
    GDALDatasetRollbackTransaction(w->ds);
    GDALClose(w->ds);
    w->ds = NULL;
}
