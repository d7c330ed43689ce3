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

typedef struct {
    const char *ext;
    writer_fn fn;
    char *final;
    char tmp[DCS_PATH_MAX];
    int wanted;
} report_job;

/* Write every wanted report under its temporary name, then rename them
 * all; on any failure remove every temporary file and keep old reports. */
static dcs_status write_all(const dcs_result *res, const char *outdir, report_job *jobs,
                            size_t n, const dcs_report_paths *paths, dcs_error *err)
{
    dcs_status st = DCS_OK;
    for (size_t k = 0; k < n; k++) {
        dcs_output_paths(outdir, res->scn->name, jobs[k].ext, jobs[k].final, jobs[k].tmp);
        if (!jobs[k].wanted)
            jobs[k].final[0] = '\0';
    }
    for (size_t k = 0; st == DCS_OK && k < n; k++) {
        if (!jobs[k].wanted)
            continue;
        dcs_output_begin(jobs[k].tmp);
        st = jobs[k].fn(res, paths, jobs[k].tmp, err);
    }
    for (size_t k = 0; st == DCS_OK && k < n; k++)
        if (jobs[k].wanted)
            st = dcs_output_commit(jobs[k].tmp, jobs[k].final, err);
    for (size_t k = 0; st != DCS_OK && k < n; k++) {
        if (jobs[k].wanted)
            dcs_output_discard(jobs[k].tmp);
        jobs[k].final[0] = '\0';
    }
    return st;
}

dcs_status dcs_reports_write(const dcs_result *res, const char *outdir, dcs_report_paths *paths,
                             dcs_error *err)
{
    memset(paths, 0, sizeof *paths);
    const dcs_scenario *scn = res->scn;
    /* the summary goes last: it lists the other reports' paths */
    report_job jobs[] = {
        {"gpkg", write_gpkg, paths->gpkg, "", scn->outputs.gpkg},
        {"xlsx", write_xlsx, paths->xlsx, "", scn->outputs.xlsx},
        {"json", dcs_report_json, paths->json, "", scn->outputs.json},
    };
    dcs_status st = dcs_output_dir(outdir, err);
    if (st == DCS_OK)
        st = write_all(res, outdir, jobs, sizeof jobs / sizeof jobs[0], paths, err);
    return st;
}
