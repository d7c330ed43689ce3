/*
 * batch_report.h - the comparison of the scenarios of a batch
 * (`dcsite batch`): OUTDIR/batch.json and OUTDIR/batch.xlsx.
 *
 * Each scenario that ran (or was complete already) is read back from its
 * own JSON summary, so a resumed batch compares every scenario, not only
 * those it ran this time.  One entry per scenario, in batch order:
 *   scenario (file), name, status ("ran", "skipped": complete with the same
 *   fingerprint, "failed"), error (failed), outdir, fingerprint,
 *   candidates, eligible, excluded, top_site, top_score,
 *   top_metrics{pue_annual, energy_mwh_yr, water_m3_yr, co2_t_yr,
 *   cost_usd_per_mwh_it, substation_km, interconnect_cost_musd}
 *   (null when the scenario has no such metric), top10[{rank, site_id, score}].
 *   html (the path of its web map report, when it wrote one: outputs.html).
 * batch.json adds counts{ran, skipped, failed}; the workbook has a
 * "Comparison" sheet (one row per scenario) and a "Top 10" sheet;
 * OUTDIR/index.html lists the scenarios, each linked to its web map report
 * (or its JSON summary when it has none; links relative to OUTDIR), with
 * status, counts, top site and score, all text HTML-escaped.
 * All three are written under temporary names and renamed when complete, as
 * one commit set (output.h): all replaced or none.
 */
#ifndef DCS_BATCH_REPORT_H
#define DCS_BATCH_REPORT_H

#include <stddef.h>

#include "core/error.h"
#include "output.h"

typedef enum { DCS_BATCH_RAN, DCS_BATCH_SKIPPED, DCS_BATCH_FAILED } dcs_batch_status;

typedef struct {
    const char *scenario; /* the scenario file as given */
    char name[256];       /* its name, "" when it could not be read */
    dcs_batch_status status;
    char message[DCS_ERROR_MAX]; /* why it failed */
    char outdir[DCS_PATH_MAX];   /* its reports */
    char json[DCS_PATH_MAX];     /* its JSON summary (ran, skipped) */
} dcs_batch_item;

const char *dcs_batch_status_name(dcs_batch_status st);

/* Write outdir/batch.json, outdir/batch.xlsx and outdir/index.html; their
 * paths go to json, xlsx and html. */
dcs_status dcs_batch_report(const dcs_batch_item *items, size_t n, const char *outdir,
                            char json[DCS_PATH_MAX], char xlsx[DCS_PATH_MAX],
                            char html[DCS_PATH_MAX], dcs_error *err);

#endif
