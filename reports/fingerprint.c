/* fingerprint.c - SHA-256 of input files (OpenSSL EVP). See fingerprint.h. */
#include "fingerprint.h"

#include <cjson/cJSON.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/strlist.h"
#include "core/version.h"

enum { CHUNK = 1 << 16 };

long long dcs_regular_file_size(const char *path)
{
    struct stat sb;
    if (!path || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return -1;
    return (long long)sb.st_size;
}

static void to_hex(const unsigned char *md, unsigned int mdlen, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < mdlen; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * mdlen] = '\0';
}

/* Feed the whole stream to the digest; 0 on success, else errno. */
static int digest_stream(FILE *fp, EVP_MD_CTX *ctx, int *evp_failed)
{
    unsigned char buf[CHUNK];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        if (EVP_DigestUpdate(ctx, buf, n) != 1) {
            *evp_failed = 1;
            return 0;
        }
    return ferror(fp) ? (errno ? errno : EIO) : 0;
}

dcs_status dcs_file_sha256(const char *path, char hex[DCS_SHA256_HEX_SIZE], dcs_error *err)
{
    hex[0] = '\0';
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return dcs_error_set(err, DCS_ERR_DATA, "cannot open '%s' to fingerprint it: %s", path,
                             strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) {
        fclose(fp);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory fingerprinting '%s'", path);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int evp_failed = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1;
    errno = 0;
    int read_errno = evp_failed ? 0 : digest_stream(fp, ctx, &evp_failed);
    if (!evp_failed && !read_errno)
        evp_failed = EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32;
    EVP_MD_CTX_free(ctx);
    fclose(fp);
    if (read_errno)
        return dcs_error_set(err, DCS_ERR_DATA, "cannot read '%s' to fingerprint it: %s", path,
                             strerror(read_errno));
    if (evp_failed)
        return dcs_error_set(err, DCS_ERR_INTERNAL, "SHA-256 of '%s' failed (OpenSSL)", path);
    to_hex(md, mdlen, hex);
    return DCS_OK;
}

/* ---- the run fingerprint -------------------------------------------------- */

typedef struct {
    char *path; /* owned: a copy of the name it was hashed under */
    char hex[DCS_SHA256_HEX_SIZE];
} hashed_file;

typedef struct {
    EVP_MD_CTX *ctx;
    hashed_file *files;
    size_t n, cap;
    int evp_failed;
} run_digest;

static void feed(run_digest *d, const char *text)
{
    if (EVP_DigestUpdate(d->ctx, text, strlen(text) + 1) != 1) /* the NUL separates */
        d->evp_failed = 1;
}

static const char *cached_hash(const run_digest *d, const char *path)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->files[i].path, path) == 0)
            return d->files[i].hex;
    return NULL;
}

/* One input: its SHA-256 when it is a local file, else its name. */
static dcs_status feed_input(run_digest *d, const char *path, dcs_error *err)
{
    if (!path)
        return DCS_OK;
    if (dcs_regular_file_size(path) < 0) {
        feed(d, path);
        return DCS_OK;
    }
    const char *known = cached_hash(d, path);
    if (known) {
        feed(d, known);
        return DCS_OK;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 16;
        hashed_file *f = realloc(d->files, cap * sizeof *f);
        if (!f)
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory fingerprinting the inputs");
        d->files = f;
        d->cap = cap;
    }
    hashed_file *f = &d->files[d->n];
    dcs_status st = dcs_file_sha256(path, f->hex, err);
    if (st != DCS_OK)
        return st;
    if (!(f->path = dcs_strdup(path)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory fingerprinting '%s'", path);
    d->n++;
    feed(d, f->hex);
    return DCS_OK;
}

/* ---- the files GDAL reads for a dataset ---------------------------------- */

typedef struct {
    char *path;       /* owned: as GDAL names it */
    const char *name; /* within path: relative to the scenario's directory */
} listed_file;

/* path without the "dir/" it starts with, else path as given. */
static const char *name_under(const char *dir, const char *path)
{
    size_t n = dir ? strlen(dir) : 0;
    if (n && strncmp(path, dir, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

static int by_name(const void *a, const void *b)
{
    const listed_file *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->path, y->path);
}

static void free_listed(listed_file *files, size_t n)
{
    for (size_t k = 0; files && k < n; k++)
        free(files[k].path);
    free(files);
}

/* Sort files by name and drop repeated paths (freed); the count kept. */
static size_t sorted_once(listed_file *files, size_t n)
{
    qsort(files, n, sizeof *files, by_name);
    size_t kept = 0;
    for (size_t k = 0; k < n; k++) {
        if (kept && strcmp(files[kept - 1].path, files[k].path) == 0)
            free(files[k].path);
        else
            files[kept++] = files[k];
    }
    return kept;
}

/* GDAL's list of the files it reads for the dataset at path (GDALGetFileList:
 * a Shapefile's .shp, .shx, .dbf, .prj, .cpg; a VRT and its sources), path
 * among them, sorted by name, each once; *n of them.  Only path when GDAL
 * cannot open it.  NULL when out of memory; caller frees with free_listed.
 * The dataset is opened with a handle of its own (never GDAL_OF_SHARED) and
 * closed before returning, so any thread may call this during a run. */
static listed_file *dataset_files(const char *dir, const char *path, size_t *n)
{
    GDALDatasetH ds =
        GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    char **list = ds ? GDALGetFileList(ds) : NULL;
    if (ds)
        GDALClose(ds);
    size_t count = (size_t)CSLCount(list) + 1;
    listed_file *files = calloc(count, sizeof *files);
    *n = 0;
    for (size_t k = 0; files && k < count; k++) {
        char *copy = dcs_strdup(k + 1 < count ? list[k] : path);
        if (!copy) {
            free_listed(files, *n);
            files = NULL;
            break;
        }
        files[(*n)++] = (listed_file){.path = copy, .name = name_under(dir, copy)};
    }
    CSLDestroy(list);
    if (files)
        *n = sorted_once(files, *n);
    return files;
}

/* One dataset: when GDAL reads it from one local file, that file's SHA-256
 * alone (as before datasets were listed, so such fingerprints are
 * unchanged); when from several, each file's name and SHA-256 in name order;
 * a connection string enters by its name. */
static dcs_status feed_dataset(run_digest *d, const char *dir, const char *path, dcs_error *err)
{
    if (!path || dcs_regular_file_size(path) < 0)
        return feed_input(d, path, err);
    size_t n = 0;
    listed_file *files = dataset_files(dir, path, &n);
    if (!files)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory listing the files of '%s'", path);
    dcs_status st = n == 1 ? feed_input(d, path, err) : DCS_OK;
    for (size_t k = 0; n > 1 && st == DCS_OK && k < n; k++) {
        feed(d, files[k].name);
        st = feed_input(d, files[k].path, err);
    }
    free_listed(files, n);
    return st;
}

static dcs_status feed_scenario_json(run_digest *d, const char *path, dcs_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return dcs_error_set(err, DCS_ERR_SCENARIO, "cannot read scenario '%s' again: %s", path,
                             strerror(errno));
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    char buf[CHUNK];
    size_t got;
    while (mem && (got = fread(buf, 1, sizeof buf, fp)) > 0)
        fwrite(buf, 1, got, mem);
    fclose(fp);
    if (mem)
        fclose(mem);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    char *canon = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!canon)
        return dcs_error_set(err, DCS_ERR_SCENARIO, "scenario '%s' is no longer valid JSON", path);
    feed(d, canon);
    cJSON_free(canon);
    return DCS_OK;
}

/* An hourly table: a ".gz" one (read through /vsigzip/) as one file. */
static dcs_status feed_table(run_digest *d, const char *dir, const char *path, dcs_error *err)
{
    size_t n = path ? strlen(path) : 0;
    if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
        return feed_input(d, path, err);
    return feed_dataset(d, dir, path, err);
}

/* The GDAL datasets through feed_dataset, the weather files (not GDAL's)
 * and gzip-compressed hourly tables each as one file. */
static dcs_status feed_inputs(run_digest *d, const dcs_scenario *scn, dcs_error *err)
{
    const char *dir = scn->dir;
    dcs_status st = feed_dataset(d, dir, scn->sites.src.dataset, err);
    if (st == DCS_OK)
        st = feed_dataset(d, dir, scn->substations.src.dataset, err);
    for (size_t k = 0; st == DCS_OK && k < scn->ncontexts; k++) {
        st = feed_dataset(d, dir, scn->contexts[k].src.dataset, err);
        if (st == DCS_OK)
            st = feed_dataset(d, dir, scn->contexts[k].coverage.dataset, err);
    }
    for (size_t k = 0; st == DCS_OK && k < scn->njoins; k++)
        st = feed_dataset(d, dir, scn->joins[k].src.dataset, err);
    for (size_t k = 0; st == DCS_OK && k < scn->energy.nstations; k++)
        st = feed_input(d, scn->energy.stations[k], err);
    if (st == DCS_OK)
        st = feed_dataset(d, dir, scn->energy.station_table.dataset, err);
    if (st == DCS_OK)
        st = feed_table(d, dir, scn->energy.hourly.src.dataset, err);
    if (st == DCS_OK)
        st = feed_table(d, dir, scn->energy.supply.src.dataset, err);
    return st;
}

/* ---- the list of input files ---------------------------------------------- */

static dcs_status list_file(dcs_strlist *out, const char *path, dcs_error *err)
{
    if (!path || !*path)
        return DCS_OK;
    return dcs_strlist_addf(out, "%s", path) == 0
               ? DCS_OK
               : dcs_error_set(err, DCS_ERR_NOMEM, "out of memory listing the inputs");
}

/* One dataset's files (GDALGetFileList, the path itself among them) into
 * out; a name that is not a local file (PG:..., /vsi...) is not listed. */
static dcs_status list_dataset(dcs_strlist *out, const char *path, dcs_error *err)
{
    struct stat sb; /* a directory-shaped dataset (OpenFileGDB) counts too */
    if (!path || stat(path, &sb) != 0)
        return DCS_OK;
    for (size_t k = 0; k < out->count; k++) /* listed already: GDAL opens a file once */
        if (strcmp(out->items[k], path) == 0)
            return DCS_OK;
    if (!S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) /* never opened: a FIFO would block */
        return list_file(out, path, err);
    size_t n = 0;
    listed_file *files = dataset_files(NULL, path, &n);
    int bad = !files;
    for (size_t k = 0; !bad && k < n; k++)
        bad = dcs_strlist_addf(out, "%s", files[k].path) != 0;
    free_listed(files, n);
    return bad ? dcs_error_set(err, DCS_ERR_NOMEM, "out of memory listing the files of '%s'",
                               path)
               : DCS_OK;
}

dcs_status dcs_input_files(const dcs_scenario *scn, dcs_strlist *out, dcs_error *err)
{
    dcs_status st = list_file(out, scn->path, err);
    if (st == DCS_OK)
        st = list_dataset(out, scn->sites.src.dataset, err);
    if (st == DCS_OK)
        st = list_dataset(out, scn->substations.src.dataset, err);
    for (size_t k = 0; st == DCS_OK && k < scn->ncontexts; k++) {
        st = list_dataset(out, scn->contexts[k].src.dataset, err);
        if (st == DCS_OK)
            st = list_dataset(out, scn->contexts[k].coverage.dataset, err);
    }
    for (size_t k = 0; st == DCS_OK && k < scn->njoins; k++)
        st = list_dataset(out, scn->joins[k].src.dataset, err);
    for (size_t k = 0; st == DCS_OK && k < scn->energy.nstations; k++)
        st = list_file(out, scn->energy.stations[k], err);
    if (st == DCS_OK)
        st = list_dataset(out, scn->energy.station_table.dataset, err);
    if (st == DCS_OK)
        st = list_dataset(out, scn->energy.hourly.src.dataset, err);
    if (st == DCS_OK)
        st = list_dataset(out, scn->energy.supply.src.dataset, err);
    return st;
}

dcs_status dcs_run_fingerprint(const dcs_scenario *scn, char hex[DCS_SHA256_HEX_SIZE],
                               dcs_error *err)
{
    hex[0] = '\0';
    run_digest d = {.ctx = EVP_MD_CTX_new(), .files = NULL, .n = 0, .cap = 0, .evp_failed = 0};
    if (!d.ctx)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory fingerprinting the run");
    d.evp_failed = EVP_DigestInit_ex(d.ctx, EVP_sha256(), NULL) != 1;
    feed(&d, "dcsite " DCS_VERSION);
    dcs_status st = feed_scenario_json(&d, scn->path, err);
    if (st == DCS_OK)
        st = feed_inputs(&d, scn, err);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (st == DCS_OK && !d.evp_failed)
        d.evp_failed = EVP_DigestFinal_ex(d.ctx, md, &mdlen) != 1 || mdlen != 32;
    EVP_MD_CTX_free(d.ctx);
    for (size_t k = 0; k < d.n; k++)
        free(d.files[k].path);
    free(d.files);
    if (st != DCS_OK)
        return st;
    if (d.evp_failed)
        return dcs_error_set(err, DCS_ERR_INTERNAL, "SHA-256 of the run fingerprint failed");
    to_hex(md, mdlen, hex);
    return DCS_OK;
}
