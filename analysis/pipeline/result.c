/* result.c - what a run found, and freeing it. See result.h. */
#include "pipeline/result.h"

#include <stdlib.h>
#include <string.h>

#include "core/libctx.h"

dcs_site_rows dcs_result_rows(const dcs_result *res)
{
    return (dcs_site_rows){
        .n = res->sites.n,
        .id = (const char *const *)res->sites.id,
        .num = res->sites.num,
        .text = res->sites.text,
        .nnum = res->sites.nnum,
        .ntext = res->sites.ntext,
        .outside = res->outside,
        .ncontexts = res->ncontexts,
    };
}

char *dcs_result_reasons(const dcs_result *res, size_t i, int *nomem)
{
    dcs_site_rows rows = dcs_result_rows(res);
    return dcs_evaluation_reasons(&res->model, &rows, &res->eval, i, nomem);
}

void dcs_result_free(dcs_result *res)
{
    for (size_t r = 0; res->pf_note && r < res->portfolio.n; r++)
        free(res->pf_note[r]);
    free(res->pf_note);
    dcs_portfolio_free(&res->portfolio);
    dcs_routes_free(&res->routes, res->sites.n);
    free(res->pareto);
    free(res->distinct);
    dcs_sensitivity_free(&res->sens);
    dcs_assembly_free(&res->assembly);
    dcs_evaluation_free(&res->eval);
    dcs_sites_free(&res->sites);
    dcs_model_free(&res->model);
    dcs_crs_close(&res->crs);
    free(res->inputs);
    free(res->outside);
    for (size_t i = 0; i < res->nstations; i++) {
        free(res->stations[i].file);
        free(res->stations[i].note);
        free(res->stations[i].hourly_mw);
    }
    free(res->stations);
    dcs_warnings_free(&res->warnings);
    dcs_geos_finish(res->geos);
    memset(res, 0, sizeof *res);
}

void dcs_routes_free(dcs_routes *r, size_t nsites)
{
    for (size_t i = 0; r->note && i < nsites; i++)
        free(r->note[i]);
    for (size_t k = 0; k < r->nlines; k++) {
        free(r->lines[k].x);
        free(r->lines[k].y);
    }
    free(r->note);
    free(r->km);
    free(r->cost_musd);
    free(r->lines);
    memset(r, 0, sizeof *r);
}
