/* shard_io.c - shard files: write, find, read back. See shard_io.h. */
#include "shard_io.h"

#include <cpl_error.h>
#include <gdal.h>
#include <glob.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/shard.h"
#include "core/version.h"

enum { FIELD_INDEX = 0, FIELD_ID = 1, FIELD_FIRST_METRIC = 2 };

void dcs_shard_path(const char *dir, size_t index, size_t count, char path[DCS_PATH_MAX])
{
    snprintf(path, DCS_PATH_MAX, "%s/shard-%zu-of-%zu.gpkg", dir, index, count);
}

/* ---- metadata ---------------------------------------------------------------- */

static const char *meta(GDALDatasetH ds, const char *key)
{
    const char *v = GDALGetMetadataItem(ds, key, NULL);
    return v ? v : "";
}

dcs_status dcs_shard_info_read(const char *path, dcs_shard_info *info, dcs_error *err)
{
    memset(info, 0, sizeof *info);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        return dcs_error_set(err, DCS_ERR_DATA, "cannot open shard file '%s': %s", path,
                             CPLGetLastErrorMsg());
    snprintf(info->fingerprint, sizeof info->fingerprint, "%s", meta(ds, "DCSITE_FINGERPRINT"));
    snprintf(info->version, sizeof info->version, "%s", meta(ds, "DCSITE_VERSION"));
    snprintf(info->scenario, sizeof info->scenario, "%s", meta(ds, "DCSITE_SCENARIO"));
    int bad = dcs_shard_parse(meta(ds, "DCSITE_SHARD"), &info->index, &info->count) != 0 ||
              strlen(info->fingerprint) != DCS_SHA256_HEX_SIZE - 1;
    info->rows = atoll(meta(ds, "DCSITE_ROWS"));
    GDALClose(ds);
    if (bad)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "'%s' is not a dcsite shard file (no DCSITE_SHARD or "
                             "DCSITE_FINGERPRINT metadata)", path);
    return DCS_OK;
}

int dcs_shard_done(const char *dir, size_t index, size_t count, const char *fingerprint)
{
    char path[DCS_PATH_MAX];
    dcs_shard_info info;
    dcs_error err;
    dcs_shard_path(dir, index, count, path);
    if (dcs_regular_file_size(path) < 0 || dcs_shard_info_read(path, &info, &err) != DCS_OK)
        return 0;
    return info.index == index && info.count == count &&
           strcmp(info.fingerprint, fingerprint) == 0;
}

/* ---- writing ------------------------------------------------------------------- */

static int add_field(OGRLayerH lyr, const char *name, OGRFieldType type)
{
    OGRFieldDefnH f = OGR_Fld_Create(name, type);
    int ok = OGR_L_CreateField(lyr, f, TRUE) == OGRERR_NONE;
    OGR_Fld_Destroy(f);
    return ok;
}

static int create_fields(OGRLayerH lyr, const dcs_result *res)
{
    int ok = add_field(lyr, "dcs_site_index", OFTInteger64) &&
             add_field(lyr, "dcs_site_id", OFTString);
    for (size_t k = 0; ok && k < res->model.nmetrics; k++) {
        const dcs_metric *m = &res->model.metrics[k];
        ok = add_field(lyr, m->name, m->kind == DCS_NUM ? OFTReal : OFTString);
    }
    for (size_t k = 0; ok && k < res->ncontexts; k++) {
        char name[160];
        snprintf(name, sizeof name, "dcs_outside_%s", res->scn->contexts[k].name);
        ok = add_field(lyr, name, OFTInteger);
    }
    return ok;
}


static void fill_row(OGRFeatureH f, const dcs_result *res, size_t i, size_t position)
{
    OGR_F_SetFieldInteger64(f, FIELD_INDEX, (GIntBig)position);
    OGR_F_SetFieldString(f, FIELD_ID, res->sites.id[i]);
    int field = FIELD_FIRST_METRIC;
    for (size_t k = 0; k < res->model.nmetrics; k++, field++) {
        const dcs_metric *m = &res->model.metrics[k];
        if (m->kind == DCS_NUM) {
            double v = dcs_site_num(&res->sites, i)[m->col];
            if (isnan(v))
                OGR_F_SetFieldNull(f, field);
            else
                OGR_F_SetFieldDouble(f, field, v);
        } else {
            const char *t = dcs_site_text(&res->sites, i)[m->col];
            if (t)
                OGR_F_SetFieldString(f, field, t);
            else
                OGR_F_SetFieldNull(f, field);
        }
    }
    for (size_t k = 0; k < res->ncontexts; k++, field++)
        OGR_F_SetFieldInteger(f, field, res->outside[i * res->ncontexts + k]);
    OGR_F_SetGeometryDirectly(f, dcs_site_ogr(&res->sites, i));
}

static dcs_status write_rows(GDALDatasetH ds, const dcs_result *res, size_t index, size_t count,
                             const char *tmp, dcs_error *err)
{
    static const char *const lco[] = {"SPATIAL_INDEX=NO", NULL};
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "rows", res->crs.work, wkbUnknown, (char **)lco);
    if (!lyr || !create_fields(lyr, res))
        return dcs_error_set(err, DCS_ERR_IO, "cannot create layer 'rows' in '%s': %s", tmp,
                             CPLGetLastErrorMsg());
    dcs_status st = DCS_OK;
    GDALDatasetStartTransaction(ds, FALSE);
    for (size_t i = 0; st == DCS_OK && i < res->sites.n; i++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
        fill_row(f, res, i, dcs_shard_site(i, index, count));
        if (OGR_L_CreateFeature(lyr, f) != OGRERR_NONE)
            st = dcs_error_set(err, DCS_ERR_IO, "cannot write site \"%s\" to '%s': %s",
                               res->sites.id[i], tmp, CPLGetLastErrorMsg());
        OGR_F_Destroy(f);
    }
    if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE && st == DCS_OK)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot write '%s': %s", tmp, CPLGetLastErrorMsg());
    return st;
}

static void set_metadata(GDALDatasetH ds, const dcs_result *res, const char *fingerprint,
                         size_t index, size_t count)
{
    char text[64];
    GDALSetMetadataItem(ds, "DCSITE_FINGERPRINT", fingerprint, NULL);
    GDALSetMetadataItem(ds, "DCSITE_VERSION", DCS_VERSION, NULL);
    GDALSetMetadataItem(ds, "DCSITE_SCENARIO", res->scn->name, NULL);
    snprintf(text, sizeof text, "%zu/%zu", index, count);
    GDALSetMetadataItem(ds, "DCSITE_SHARD", text, NULL);
    snprintf(text, sizeof text, "%zu", res->sites.n);
    GDALSetMetadataItem(ds, "DCSITE_ROWS", text, NULL);
}

dcs_status dcs_shard_write(const dcs_result *res, const char *fingerprint, size_t index,
                           size_t count, const char *dir, char path[DCS_PATH_MAX],
                           dcs_error *err)
{
    char stem[96], tmp[DCS_PATH_MAX];
    snprintf(stem, sizeof stem, "shard-%zu-of-%zu", index, count);
    dcs_output_paths(dir, stem, "gpkg", path, tmp);
    dcs_status st = dcs_output_dir(dir, err);
    if (st != DCS_OK)
        return st;
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    dcs_output_begin(tmp);
    CPLErrorReset();
    GDALDatasetH ds = drv ? GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!ds)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot create '%s': %s", tmp, CPLGetLastErrorMsg());
    if (st == DCS_OK) {
        set_metadata(ds, res, fingerprint, index, count);
        st = write_rows(ds, res, index, count, tmp, err);
    }
    if (ds) {
        CPLErrorReset();
        GDALClose(ds);
        if (st == DCS_OK && CPLGetLastErrorType() >= CE_Failure)
            st = dcs_error_set(err, DCS_ERR_IO, "cannot finish '%s': %s", tmp,
                               CPLGetLastErrorMsg());
    }
    if (st == DCS_OK)
        return dcs_output_commit(tmp, path, err);
    dcs_output_discard(tmp);
    return st;
}

/* ---- finding the shards of a split ---------------------------------------------- */

void dcs_shards_free(dcs_shard_set *set)
{
    for (size_t i = 0; set->paths && i < set->count; i++)
        free(set->paths[i]);
    free(set->paths);
    memset(set, 0, sizeof *set);
}

/* The files of dir named like shards, with their metadata (NULL info
 * entries for files that are not shards). */
typedef struct {
    glob_t g;
    dcs_shard_info *info;
    int *ok;
} shard_files;

static dcs_status list_shards(const char *dir, shard_files *f, dcs_error *err)
{
    char pattern[DCS_PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s/shard-*-of-*.gpkg", dir);
    memset(f, 0, sizeof *f);
    int rc = glob(pattern, 0, NULL, &f->g);
    if (rc == GLOB_NOMATCH || (rc == 0 && f->g.gl_pathc == 0))
        return dcs_error_set(err, DCS_ERR_DATA, "no shard files (shard-I-of-N.gpkg) in '%s'", dir);
    if (rc != 0)
        return dcs_error_set(err, DCS_ERR_DATA, "cannot list the shard files in '%s'", dir);
    f->info = calloc(f->g.gl_pathc, sizeof *f->info);
    f->ok = calloc(f->g.gl_pathc, sizeof *f->ok);
    if (!f->info || !f->ok)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory listing shard files");
    for (size_t k = 0; k < f->g.gl_pathc; k++) {
        dcs_error e;
        f->ok[k] = dcs_shard_info_read(f->g.gl_pathv[k], &f->info[k], &e) == DCS_OK;
    }
    return DCS_OK;
}

static void free_list(shard_files *f)
{
    globfree(&f->g);
    free(f->info);
    free(f->ok);
}

/* The size a SQLite file says it has (page size x page count, from its
 * 100-byte header), or -1 when the header cannot be read. */
static long long sqlite_size(const char *path)
{
    unsigned char h[100];
    FILE *fp = fopen(path, "rb");
    size_t got = fp ? fread(h, 1, sizeof h, fp) : 0;
    if (fp)
        fclose(fp);
    if (got < sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
        return -1;
    long long page = h[16] << 8 | h[17];
    if (page == 1)
        page = 65536;
    long long pages = (long long)h[28] << 24 | h[29] << 16 | h[30] << 8 | h[31];
    return page * pages;
}

/* path is cut short: its size is below what its SQLite header says. */
static int truncated(const char *path, long long *size, long long *want)
{
    *size = dcs_regular_file_size(path);
    *want = sqlite_size(path);
    return *size >= 0 && (*want > *size || (*want < 0 && *size < 100));
}

/* N of the matching shards: all must agree. */
static dcs_status split_count(const shard_files *f, const char *fingerprint, const char *dir,
                              size_t *count, dcs_error *err)
{
    *count = 0;
    for (size_t k = 0; k < f->g.gl_pathc; k++) {
        if (!f->ok[k] || strcmp(f->info[k].fingerprint, fingerprint) != 0)
            continue;
        if (*count && f->info[k].count != *count)
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "'%s' holds shards of this run split in %zu and in %zu; "
                                 "remove one split", dir, *count, f->info[k].count);
        *count = f->info[k].count;
    }
    for (size_t k = 0; !*count && k < f->g.gl_pathc; k++)
        if (f->ok[k])
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "shard file '%s' comes from another version of the scenario "
                                 "or its inputs (fingerprint %.12s..., this run %.12s...)",
                                 f->g.gl_pathv[k], f->info[k].fingerprint, fingerprint);
    long long size, want;
    if (!*count && truncated(f->g.gl_pathv[0], &size, &want))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "shard file '%s' is truncated (%lld bytes, its header says %lld); "
                             "run that shard again",
                             f->g.gl_pathv[0], size, want < 0 ? 100LL : want);
    if (!*count)
        return dcs_error_set(err, DCS_ERR_DATA, "'%s' is not a dcsite shard file",
                             f->g.gl_pathv[0]);
    return DCS_OK;
}

/* Shard index of count is in dir under its own name but cannot be read:
 * say whether it is cut short (DCS_ERR_DATA) rather than missing. */
static dcs_status unreadable_shard(const char *dir, size_t index, size_t count, dcs_error *err)
{
    char path[DCS_PATH_MAX];
    dcs_shard_path(dir, index, count, path);
    long long size, want;
    if (dcs_regular_file_size(path) < 0)
        return DCS_OK;
    if (truncated(path, &size, &want) && want > size)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "shard %zu/%zu ('%s') is truncated: %lld bytes, its header says "
                             "%lld; run it again with --shard %zu/%zu",
                             index, count, path, size, want, index, count);
    if (truncated(path, &size, &want))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "shard %zu/%zu ('%s') is truncated: %lld bytes, less than a "
                             "GeoPackage's 100-byte header; run it again with --shard %zu/%zu",
                             index, count, path, size, index, count);
    dcs_shard_info info;
    dcs_error e;
    dcs_error_clear(&e);
    if (dcs_shard_info_read(path, &info, &e) != DCS_OK)
        return dcs_error_set(err, DCS_ERR_DATA, "shard %zu/%zu cannot be read (%s); run it again "
                             "with --shard %zu/%zu", index, count, e.message, index, count);
    return DCS_OK;
}

static dcs_status missing_shard(const shard_files *f, const char *dir, const char *fingerprint,
                                size_t index, size_t count, dcs_error *err)
{
    if (unreadable_shard(dir, index, count, err) != DCS_OK)
        return err->status;
    for (size_t k = 0; k < f->g.gl_pathc; k++)
        if (f->ok[k] && f->info[k].index == index && f->info[k].count == count)
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "shard %zu/%zu ('%s') comes from another version of the "
                                 "scenario or its inputs (fingerprint %.12s..., this run "
                                 "%.12s...); run it again",
                                 index, count, f->g.gl_pathv[k], f->info[k].fingerprint,
                                 fingerprint);
    return dcs_error_set(err, DCS_ERR_DATA,
                         "shard %zu/%zu is missing from '%s' (run it with --shard %zu/%zu)",
                         index, count, dir, index, count);
}

dcs_status dcs_shards_find(const char *dir, const char *fingerprint, dcs_shard_set *set,
                           dcs_error *err)
{
    shard_files f;
    memset(set, 0, sizeof *set);
    dcs_status st = list_shards(dir, &f, err);
    if (st == DCS_OK)
        st = split_count(&f, fingerprint, dir, &set->count, err);
    if (st == DCS_OK && !(set->paths = calloc(set->count, sizeof *set->paths)))
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == DCS_OK && k < f.g.gl_pathc; k++) {
        const dcs_shard_info *in = &f.info[k];
        if (f.ok[k] && in->count == set->count && strcmp(in->fingerprint, fingerprint) == 0 &&
            !set->paths[in->index] && !(set->paths[in->index] = strdup(f.g.gl_pathv[k])))
            st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; st == DCS_OK && i < set->count; i++)
        if (!set->paths[i])
            st = missing_shard(&f, dir, fingerprint, i, set->count, err);
    free_list(&f);
    if (st != DCS_OK)
        dcs_shards_free(set);
    return st;
}

/* ---- reading the rows back ---------------------------------------------------- */

/* The layer's fields must be those a shard run of this scenario writes. */
static dcs_status check_fields(OGRLayerH lyr, const dcs_result *res, const char *path,
                               dcs_error *err)
{
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
    size_t want = FIELD_FIRST_METRIC + res->model.nmetrics + res->ncontexts;
    if ((size_t)OGR_FD_GetFieldCount(d) != want)
        return dcs_error_set(err, DCS_ERR_DATA, "shard file '%s' has %d fields, this run needs %zu",
                             path, OGR_FD_GetFieldCount(d), want);
    for (size_t k = 0; k < res->model.nmetrics; k++) {
        const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, (int)(FIELD_FIRST_METRIC + k)));
        if (strcmp(name, res->model.metrics[k].name) != 0)
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "shard file '%s': field %zu is \"%s\", this run's metric is \"%s\"",
                                 path, FIELD_FIRST_METRIC + k, name, res->model.metrics[k].name);
    }
    return DCS_OK;
}

static dcs_status read_text(OGRFeatureH f, int field, dcs_sites *s, size_t i, size_t col)
{
    const char *t = OGR_F_IsFieldSetAndNotNull(f, field) ? OGR_F_GetFieldAsString(f, field) : NULL;
    return dcs_site_set_text(s, i, col, t) == 0 ? DCS_OK : DCS_ERR_NOMEM;
}

/* Feature f of the shard is site i of the run: copy its values. */
static dcs_status read_row(OGRFeatureH f, dcs_result *res, size_t i)
{
    int field = FIELD_FIRST_METRIC;
    for (size_t k = 0; k < res->model.nmetrics; k++, field++) {
        const dcs_metric *m = &res->model.metrics[k];
        if (m->kind == DCS_TEXT) {
            if (read_text(f, field, &res->sites, i, m->col) != DCS_OK)
                return DCS_ERR_NOMEM;
        } else {
            dcs_site_num(&res->sites, i)[m->col] =
                OGR_F_IsFieldSetAndNotNull(f, field) ? OGR_F_GetFieldAsDouble(f, field) : NAN;
        }
    }
    for (size_t k = 0; k < res->ncontexts; k++, field++)
        res->outside[i * res->ncontexts + k] = OGR_F_GetFieldAsInteger(f, field) != 0;
    return DCS_OK;
}

/* Which site of the run feature k of shard index is; checks the id. */
static dcs_status row_site(OGRFeatureH f, const dcs_result *res, size_t k, size_t index,
                           size_t count, const char *path, size_t *site, dcs_error *err)
{
    *site = dcs_shard_site(k, index, count);
    GIntBig got = OGR_F_GetFieldAsInteger64(f, FIELD_INDEX);
    const char *id = OGR_F_GetFieldAsString(f, FIELD_ID);
    if (*site >= res->sites.n || got != (GIntBig)*site)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "shard file '%s': row %zu is site %lld, expected site %zu of %zu",
                             path, k + 1, (long long)got, *site, res->sites.n);
    if (strcmp(id, res->sites.id[*site]) != 0)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "shard file '%s': site %zu is \"%s\", the site layer has \"%s\" there",
                             path, *site, id, res->sites.id[*site]);
    return DCS_OK;
}

static dcs_status read_shard(const char *path, size_t index, size_t count, dcs_result *res,
                             dcs_error *err)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    OGRLayerH lyr = ds ? GDALDatasetGetLayerByName(ds, "rows") : NULL;
    dcs_status st = lyr ? check_fields(lyr, res, path, err)
                        : dcs_error_set(err, DCS_ERR_DATA, "cannot read layer 'rows' of '%s'",
                                        path);
    size_t k = 0, want = dcs_shard_size(res->sites.n, index, count);
    OGRFeatureH f;
    while (st == DCS_OK && (f = OGR_L_GetNextFeature(lyr)) != NULL) {
        size_t site = 0;
        st = k < want ? row_site(f, res, k, index, count, path, &site, err)
                      : dcs_error_set(err, DCS_ERR_DATA, "shard file '%s' has more than %zu rows",
                                      path, want);
        if (st == DCS_OK && read_row(f, res, site) != DCS_OK)
            st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory reading '%s'", path);
        OGR_F_Destroy(f);
        k++;
    }
    if (st == DCS_OK && k != want)
        st = dcs_error_set(err, DCS_ERR_DATA, "shard file '%s' has %zu rows, shard %zu/%zu of "
                           "%zu sites has %zu", path, k, index, count, res->sites.n, want);
    if (ds)
        GDALClose(ds);
    return st;
}

dcs_status dcs_shards_rows(void *user, dcs_result *res, dcs_error *err)
{
    const dcs_shard_set *set = user;
    size_t n = res->sites.n, nc = res->ncontexts;
    res->outside = calloc((n ? n : 1) * (nc ? nc : 1), 1);
    if (!res->outside)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    dcs_status st = DCS_OK;
    for (size_t i = 0; st == DCS_OK && i < set->count; i++)
        st = read_shard(set->paths[i], i, set->count, res, err);
    return st;
}
