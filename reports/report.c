/* report.c - write all reports of a run. See report.h. */
#include "report.h"

#include <string.h>

typedef dcs_status (*writer_fn)(const dcs_result *, const dcs_report_paths *, const char *,
                                dcs_error *);

static dcs_status write_gpkg(const dcs_result *r, const dcs_report_paths *p, const char *tmp,
                             dcs_error *e)
{
    (void)p;
    return dcs_report_gpkg(r, tmp, e);
}

static dcs_status write_xlsx(const dcs_result *r, const dcs_report_paths *p, const char *tmp,
                             dcs_error *e)
{
    (void)p;
    return dcs_report_xlsx(r, tmp, e);
}

/* Write one report through a temporary file. */
static dcs_status write_one(const dcs_result *res, const char *outdir, const char *ext,
                            writer_fn fn, const dcs_report_paths *paths, char *final,
                            dcs_error *err)
{
    char tmp[DCS_PATH_MAX];
    dcs_output_paths(outdir, res->scn->name, ext, final, tmp);
    dcs_output_discard(tmp);
    dcs_status st = fn(res, paths, tmp, err);
    if (st == DCS_OK)
        st = dcs_output_commit(tmp, final, err);
    else
        dcs_output_discard(tmp);
    if (st != DCS_OK)
        final[0] = '\0';
    return st;
}

dcs_status dcs_reports_write(const dcs_result *res, const char *outdir, dcs_report_paths *paths,
                             dcs_error *err)
{
    memset(paths, 0, sizeof *paths);
    dcs_status st = dcs_output_dir(outdir, err);
    if (st == DCS_OK && res->scn->outputs.gpkg)
        st = write_one(res, outdir, "gpkg", write_gpkg, paths, paths->gpkg, err);
    if (st == DCS_OK && res->scn->outputs.xlsx)
        st = write_one(res, outdir, "xlsx", write_xlsx, paths, paths->xlsx, err);
    /* the summary goes last: it lists the other reports' paths */
    if (st == DCS_OK && res->scn->outputs.json)
        st = write_one(res, outdir, "json", dcs_report_json, paths, paths->json, err);
    return st;
}
