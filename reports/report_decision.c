/* report_decision.c - decision-support fields for the GIS, workbook and
 * JSON reports. See report_decision.h. */
#include "report_decision.h"

#include <math.h>
#include <stdint.h>

static const char *const col_names[DCS_DCOL_COUNT] = {
    "pareto",           "p_top_n",         "rank_p05",       "rank_p50",
    "rank_p95",         "n_parcels",       "parcels",        "portfolio_status",
    "portfolio_substation", "portfolio_cost_musd", "feasible_alone", "portfolio_note",
    "route_km",         "route_cost_musd", "route_detour",   "route_note"};

size_t dcs_decision_columns(const dcs_result *res, dcs_decision_col cols[DCS_DCOL_COUNT])
{
    size_t n = 0;
    if (res->pareto)
        cols[n++] = DCS_DCOL_PARETO;
    if (res->has_sens) {
        cols[n++] = DCS_DCOL_P_TOP;
        cols[n++] = DCS_DCOL_RANK_P05;
        cols[n++] = DCS_DCOL_RANK_P50;
        cols[n++] = DCS_DCOL_RANK_P95;
    }
    if (res->scn->assembly.enabled) {
        cols[n++] = DCS_DCOL_N_PARCELS;
        cols[n++] = DCS_DCOL_PARCELS;
    }
    if (res->has_portfolio)
        for (int c = DCS_DCOL_PF_STATUS; c <= DCS_DCOL_PF_NOTE; c++)
            cols[n++] = (dcs_decision_col)c;
    if (res->has_routes)
        for (int c = DCS_DCOL_ROUTE_KM; c <= DCS_DCOL_ROUTE_NOTE; c++)
            cols[n++] = (dcs_decision_col)c;
    return n;
}

const char *dcs_decision_col_name(dcs_decision_col col)
{
    return col < DCS_DCOL_COUNT ? col_names[col] : "?";
}

int dcs_decision_col_kind(dcs_decision_col col)
{
    switch (col) {
    case DCS_DCOL_PARETO:
    case DCS_DCOL_N_PARCELS:
    case DCS_DCOL_PF_ALONE:
        return 1;
    case DCS_DCOL_PARCELS:
    case DCS_DCOL_PF_STATUS:
    case DCS_DCOL_PF_SUBSTATION:
    case DCS_DCOL_PF_NOTE:
    case DCS_DCOL_ROUTE_NOTE:
        return 2;
    default:
        return 0;
    }
}

/* Site i's place in the portfolio (rank - 1), or SIZE_MAX. */
static size_t portfolio_slot(const dcs_result *res, size_t i)
{
    return res->has_portfolio && res->eval.eligible[i] && res->eval.rank[i] > 0
               ? res->eval.rank[i] - 1
               : SIZE_MAX;
}

/* What connecting the site at slot r where the portfolio put it costs. */
static double portfolio_cost(const dcs_result *res, size_t i, size_t r)
{
    const dcs_portfolio *p = &res->portfolio;
    if (r == SIZE_MAX || p->choice[r] < 0)
        return NAN;
    long m = p->choice[r] == 0
                 ? dcs_model_find_metric(&res->model, "interconnect_cost_musd")
                 : (long)(res->model.alts_first + 3 * (size_t)(p->choice[r] - 1) + 1);
    return m < 0 ? NAN : dcs_site_num(&res->sites, i)[res->model.metrics[m].col];
}

/* route_km, route_cost_musd, route_detour (NaN when not routed). */
static double route_num(const dcs_result *res, dcs_decision_col col, size_t i)
{
    if (!res->has_routes || !res->routes.km)
        return NAN;
    if (col == DCS_DCOL_ROUTE_KM)
        return res->routes.km[i];
    if (col == DCS_DCOL_ROUTE_COST)
        return res->routes.cost_musd[i];
    double straight = dcs_site_num(&res->sites, i)[DCS_COL_SUB_KM];
    return straight > 0 ? res->routes.km[i] / straight : NAN;
}

double dcs_decision_num(const dcs_result *res, dcs_decision_col col, size_t i)
{
    if (col >= DCS_DCOL_ROUTE_KM && col <= DCS_DCOL_ROUTE_DETOUR)
        return route_num(res, col, i);
    size_t r = portfolio_slot(res, i);
    if (col == DCS_DCOL_PF_COST)
        return portfolio_cost(res, i, r);
    if (col == DCS_DCOL_PF_ALONE)
        return r == SIZE_MAX ? NAN : res->portfolio.alone[r];
    long campus = dcs_assembly_campus(&res->assembly, i);
    switch (col) {
    case DCS_DCOL_PARETO:
        return res->pareto ? res->pareto[i] : NAN;
    case DCS_DCOL_P_TOP:
        return res->has_sens ? res->sens.p_top[i] : NAN;
    case DCS_DCOL_RANK_P05:
        return res->has_sens ? res->sens.rank_p05[i] : NAN;
    case DCS_DCOL_RANK_P50:
        return res->has_sens ? res->sens.rank_p50[i] : NAN;
    case DCS_DCOL_RANK_P95:
        return res->has_sens ? res->sens.rank_p95[i] : NAN;
    case DCS_DCOL_N_PARCELS:
        return campus < 0 ? 1 : (double)res->assembly.nparcels[campus];
    default:
        return NAN;
    }
}

const char *dcs_decision_text(const dcs_result *res, dcs_decision_col col, size_t i)
{
    size_t r = portfolio_slot(res, i);
    const dcs_portfolio *p = &res->portfolio;
    if (col == DCS_DCOL_PF_STATUS)
        return r == SIZE_MAX ? NULL : dcs_pf_status_name(p->status[r]);
    if (col == DCS_DCOL_PF_SUBSTATION)
        return r == SIZE_MAX || p->site_sub[r] == SIZE_MAX ? NULL : p->sub_id[p->site_sub[r]];
    if (col == DCS_DCOL_PF_NOTE)
        return r == SIZE_MAX ? NULL : res->pf_note[r];
    if (col == DCS_DCOL_ROUTE_NOTE)
        return res->has_routes && res->routes.note ? res->routes.note[i] : NULL;
    if (col != DCS_DCOL_PARCELS)
        return NULL;
    long campus = dcs_assembly_campus(&res->assembly, i);
    return campus < 0 ? res->sites.id[i] : res->assembly.parcel_ids[campus];
}

static void add_number(cJSON *o, const char *key, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, v);
}

void dcs_decision_json_site(cJSON *site, const dcs_result *res, size_t i)
{
    dcs_decision_col cols[DCS_DCOL_COUNT];
    size_t n = dcs_decision_columns(res, cols);
    for (size_t k = 0; k < n; k++) {
        const char *name = dcs_decision_col_name(cols[k]);
        const char *text = dcs_decision_text(res, cols[k], i);
        if (cols[k] == DCS_DCOL_PARETO)
            cJSON_AddBoolToObject(site, name, res->pareto[i]);
        else if (dcs_decision_col_kind(cols[k]) == 2 && text)
            cJSON_AddStringToObject(site, name, text);
        else if (dcs_decision_col_kind(cols[k]) == 2)
            cJSON_AddNullToObject(site, name);
        else
            add_number(site, name, dcs_decision_num(res, cols[k], i));
    }
}

static const char *site_or_null(const dcs_result *res, size_t i)
{
    return i == DCS_SENS_NONE ? NULL : res->sites.id[i];
}

static void add_site_id(cJSON *o, const char *key, const char *id)
{
    if (id)
        cJSON_AddStringToObject(o, key, id);
    else
        cJSON_AddNullToObject(o, key);
}

static void json_pareto(cJSON *d, const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    cJSON *p = cJSON_AddObjectToObject(d, "pareto");
    cJSON *m = cJSON_AddArrayToObject(p, "metrics");
    for (size_t k = 0; m && k < scn->pareto.n; k++) {
        cJSON *g = cJSON_CreateObject();
        cJSON_AddStringToObject(g, "metric", scn->pareto.metric[k]);
        cJSON_AddStringToObject(g, "goal", scn->pareto.maximize[k] ? "max" : "min");
        cJSON_AddItemToArray(m, g);
    }
    cJSON *ids = cJSON_AddArrayToObject(p, "sites");
    size_t count = 0;
    for (size_t r = 0; ids && r < res->eval.neligible; r++) {
        size_t i = res->eval.order[r];
        if (res->pareto[i]) {
            cJSON_AddItemToArray(ids, cJSON_CreateString(res->sites.id[i]));
            count++;
        }
    }
    cJSON_AddNumberToObject(p, "count", (double)count);
}

static void json_sweeps(cJSON *s, const dcs_result *res)
{
    const dcs_sensitivity *se = &res->sens;
    cJSON *arr = cJSON_AddArrayToObject(s, "sweeps");
    for (size_t c = 0; arr && c < se->ncrits; c++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "criterion", res->model.crits[c].name);
        cJSON_AddNumberToObject(o, "weight", res->model.crits[c].weight);
        cJSON_AddNumberToObject(o, "top_stays_from", se->sweep_lo[c]);
        cJSON_AddNumberToObject(o, "top_stays_to", se->sweep_hi[c]);
        add_site_id(o, "top_below", site_or_null(res, se->sweep_lo_site[c]));
        add_site_id(o, "top_above", site_or_null(res, se->sweep_hi_site[c]));
        cJSON_AddItemToArray(arr, o);
    }
}

static void json_sensitivity(cJSON *d, const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    cJSON *s = cJSON_AddObjectToObject(d, "sensitivity");
    cJSON_AddNumberToObject(s, "runs", (double)scn->sensitivity.runs);
    cJSON_AddNumberToObject(s, "seed", (double)scn->sensitivity.seed);
    cJSON_AddNumberToObject(s, "top_n", (double)scn->sensitivity.top_n);
    cJSON_AddNumberToObject(s, "sweep_steps", (double)scn->sensitivity.sweep_steps);
    if (!scn->sensitivity.lo) {
        cJSON_AddStringToObject(s, "method", "perturbation");
        cJSON_AddNumberToObject(s, "perturbation", scn->sensitivity.perturbation);
    } else {
        cJSON_AddStringToObject(s, "method", "ranges");
        cJSON *r = cJSON_AddObjectToObject(s, "ranges");
        for (size_t c = 0; r && c < scn->ncriteria; c++) {
            if (isnan(scn->sensitivity.lo[c]))
                continue;
            const double v[2] = {scn->sensitivity.lo[c], scn->sensitivity.hi[c]};
            cJSON_AddItemToObject(r, scn->criteria[c].name, cJSON_CreateDoubleArray(v, 2));
        }
    }
    cJSON_AddNumberToObject(s, "rank_percentile_sites", (double)res->sens.ntracked);
    json_sweeps(s, res);
}

static void json_assembly(cJSON *d, const dcs_result *res)
{
    const dcs_assembly *a = &res->assembly;
    cJSON *o = cJSON_AddObjectToObject(d, "assembly");
    cJSON_AddNumberToObject(o, "min_area_ha", res->scn->assembly.min_area_ha);
    cJSON_AddNumberToObject(o, "max_parcels", (double)res->scn->assembly.max_parcels);
    cJSON *arr = cJSON_AddArrayToObject(o, "campuses");
    for (size_t k = 0; arr && k < a->n; k++) {
        size_t i = a->first + k;
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "site_id", res->sites.id[i]);
        cJSON *ids = cJSON_AddArrayToObject(c, "parcels");
        for (size_t m = 0; ids && m < a->nparcels[k]; m++)
            cJSON_AddItemToArray(ids, cJSON_CreateString(res->sites.id[a->parcels[k][m]]));
        add_number(c, "area_ha", dcs_site_num(&res->sites, i)[DCS_COL_AREA_HA]);
        cJSON_AddStringToObject(c, "status", res->eval.eligible[i] ? "eligible" : "excluded");
        if (res->eval.rank[i])
            cJSON_AddNumberToObject(c, "rank", (double)res->eval.rank[i]);
        else
            cJSON_AddNullToObject(c, "rank");
        cJSON_AddItemToArray(arr, c);
    }
}

/* "portfolio": {target_mw, allocated_mw, sites_allocated, by_status,
 * substations: [{id, capacity_mw, allocated_mw, remaining_mw, sites}]}. */
static void json_portfolio(cJSON *d, const dcs_result *res)
{
    const dcs_portfolio *p = &res->portfolio;
    cJSON *o = cJSON_AddObjectToObject(d, "portfolio");
    add_number(o, "target_mw", res->scn->portfolio.target_mw);
    cJSON_AddNumberToObject(o, "allocated_mw", p->total_mw);
    cJSON_AddNumberToObject(o, "sites_allocated", (double)p->nallocated);
    cJSON *by = cJSON_AddObjectToObject(o, "by_status");
    size_t count[DCS_PF_STATUS_COUNT] = {0};
    for (size_t r = 0; r < p->n; r++)
        count[p->status[r]]++;
    for (int s = 0; by && s < DCS_PF_STATUS_COUNT; s++)
        cJSON_AddNumberToObject(by, dcs_pf_status_name((dcs_pf_status)s), (double)count[s]);
    cJSON *subs = cJSON_AddArrayToObject(o, "substations");
    for (size_t s = 0; subs && s < p->nsubs; s++) {
        if (p->nsites[s] == 0)
            continue;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", p->sub_id[s]);
        add_number(x, "capacity_mw", p->capacity[s]);
        cJSON_AddNumberToObject(x, "allocated_mw", p->allocated[s]);
        add_number(x, "remaining_mw", p->capacity[s] - p->allocated[s]);
        cJSON_AddNumberToObject(x, "sites", (double)p->nsites[s]);
        cJSON_AddItemToArray(subs, x);
    }
}

/* "route": {cell_m, neighbours, routed, unreachable}. */
static void json_route(cJSON *d, const dcs_result *res)
{
    cJSON *o = cJSON_AddObjectToObject(d, "route");
    add_number(o, "cell_m", res->routes.cell_m);
    cJSON_AddNumberToObject(o, "neighbours", res->routes.neighbours);
    cJSON_AddNumberToObject(o, "routed", (double)res->routes.routed);
    cJSON_AddNumberToObject(o, "unreachable", (double)res->routes.unreachable);
}

void dcs_decision_json(cJSON *root, const dcs_result *res)
{
    if (!res->pareto && !res->has_sens && !res->scn->assembly.enabled && !res->has_portfolio &&
        !res->has_routes)
        return;
    cJSON *d = cJSON_AddObjectToObject(root, "decision");
    if (!d)
        return;
    if (res->pareto)
        json_pareto(d, res);
    if (res->has_sens)
        json_sensitivity(d, res);
    if (res->scn->assembly.enabled)
        json_assembly(d, res);
    if (res->has_portfolio)
        json_portfolio(d, res);
    if (res->has_routes)
        json_route(d, res);
}
