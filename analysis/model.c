/* model.c - metric table and bound rules and criteria. See model.h. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *unit, *description;
    dcs_metric_kind kind;
    size_t col;
} builtin[] = {
    {"area_ha", "ha", "site area (geodesic)", DCS_NUM, DCS_COL_AREA_HA},
    {"substation_km", "km", "geodesic distance to the nearest qualifying substation", DCS_NUM,
     DCS_COL_SUB_KM},
    {"substation_kv", "kV", "voltage of that substation", DCS_NUM, DCS_COL_SUB_KV},
    {"substation_headroom_mw", "MW", "spare capacity of that substation", DCS_NUM,
     DCS_COL_SUB_HEADROOM_MW},
    {"substation_id", "", "id of that substation", DCS_TEXT, DCS_TCOL_SUB_ID},
};
#define NBUILTIN (sizeof builtin / sizeof builtin[0])

static int add_metric(dcs_model *m, char *name, const char *unit, const char *desc,
                      dcs_metric_kind kind)
{
    if (!name)
        return -1;
    dcs_metric *x = &m->metrics[m->nmetrics++];
    x->name = name;
    x->unit = unit;
    x->description = desc;
    x->kind = kind;
    x->col = kind == DCS_NUM ? m->nnum++ : m->ntext++;
    return 0;
}

static char *concat(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (s) {
        strcpy(s, a);
        strcat(s, b);
    }
    return s;
}

static int build_metrics(const dcs_scenario *scn, const dcs_metric_kind *attr_kinds,
                         dcs_model *m, dcs_strlist *problems)
{
    size_t cap = NBUILTIN + scn->noverlays + scn->sites.nattrs;
    m->metrics = calloc(cap, sizeof *m->metrics);
    if (!m->metrics)
        return -1;
    for (size_t i = 0; i < NBUILTIN; i++)
        if (add_metric(m, strdup(builtin[i].name), builtin[i].unit, builtin[i].description,
                       builtin[i].kind) != 0)
            return -1;
    for (size_t i = 0; i < scn->noverlays; i++)
        if (add_metric(m, concat(scn->overlays[i].name, "_pct"), "%",
                       "share of the site inside this layer", DCS_NUM) != 0)
            return -1;
    for (size_t i = 0; i < scn->sites.nattrs; i++) {
        const char *name = scn->sites.attrs[i].metric;
        if (dcs_model_find_metric(m, name) >= 0 &&
            dcs_strlist_addf(problems,
                             "sites.attributes.%s: the name is already used by a metric", name))
            return -1;
        if (add_metric(m, strdup(name), "", "site attribute", attr_kinds[i]) != 0)
            return -1;
    }
    return 0;
}

long dcs_model_find_metric(const dcs_model *model, const char *name)
{
    for (size_t i = 0; i < model->nmetrics; i++)
        if (strcmp(model->metrics[i].name, name) == 0)
            return (long)i;
    return -1;
}

size_t dcs_model_overlay_col(size_t overlay)
{
    return DCS_COL_BUILTIN_NUM + overlay;
}

size_t dcs_model_attr_metric(const dcs_model *model, size_t attr)
{
    return model->nmetrics - model->scn->sites.nattrs + attr;
}

/* Resolve name for the item at path; check its kind. */
static long bind_metric(const dcs_model *m, const char *path, const char *name,
                        dcs_metric_kind want, dcs_strlist *problems, int *nomem)
{
    long idx = dcs_model_find_metric(m, name);
    if (idx < 0) {
        dcs_strlist names = {0};
        for (size_t i = 0; i < m->nmetrics; i++)
            *nomem |= dcs_strlist_addf(&names, "%s", m->metrics[i].name) != 0;
        char *known = dcs_strlist_join(&names, ", ");
        *nomem |= !known ||
                  dcs_strlist_addf(problems, "%s.metric: unknown metric \"%s\" (known: %s)",
                                   path, name, known ? known : "") != 0;
        free(known);
        dcs_strlist_free(&names);
        return -1;
    }
    if (m->metrics[idx].kind != want) {
        *nomem |= dcs_strlist_addf(problems, "%s.metric: \"%s\" is %s, this needs %s", path,
                                   name, m->metrics[idx].kind == DCS_NUM ? "a number" : "text",
                                   want == DCS_NUM ? "a number" : "text") != 0;
        return -1;
    }
    return idx;
}

static int bind_rules(const dcs_scenario *scn, dcs_model *m, dcs_strlist *problems,
                      int *bad)
{
    int nomem = 0;
    m->rules = calloc(scn->nconstraints + 1, sizeof *m->rules);
    if (!m->rules)
        return -1;
    if (scn->land_ha > 0) {
        dcs_rule *r = &m->rules[m->nrules++];
        r->name = "facility_land";
        r->metric = (size_t)dcs_model_find_metric(m, "area_ha");
        r->op = DCS_OP_MIN;
        r->limit = scn->land_ha;
    }
    for (size_t i = 0; i < scn->nconstraints; i++) {
        const dcs_constraint *c = &scn->constraints[i];
        char path[64];
        snprintf(path, sizeof path, "constraints[%zu]", i);
        dcs_metric_kind want = c->op == DCS_OP_MIN || c->op == DCS_OP_MAX ? DCS_NUM : DCS_TEXT;
        long idx = bind_metric(m, path, c->metric, want, problems, &nomem);
        if (idx < 0) {
            *bad = 1;
            continue;
        }
        dcs_rule *r = &m->rules[m->nrules++];
        r->name = c->name;
        r->metric = (size_t)idx;
        r->op = c->op;
        r->limit = c->limit;
        r->set = c->set;
        r->nset = c->nset;
    }
    return nomem ? -1 : 0;
}

static int bind_criteria(const dcs_scenario *scn, dcs_model *m, dcs_strlist *problems,
                         int *bad)
{
    int nomem = 0;
    double total = 0;
    m->crits = calloc(scn->ncriteria + 1, sizeof *m->crits);
    if (!m->crits)
        return -1;
    for (size_t i = 0; i < scn->ncriteria; i++) {
        const dcs_criterion *c = &scn->criteria[i];
        char path[64];
        snprintf(path, sizeof path, "criteria[%zu]", i);
        long idx = bind_metric(m, path, c->metric, DCS_NUM, problems, &nomem);
        if (idx < 0) {
            *bad = 1;
            continue;
        }
        dcs_crit *k = &m->crits[m->ncrits++];
        k->name = c->name;
        k->metric = (size_t)idx;
        k->weight = c->weight;
        k->fn = &c->fn;
        total += c->weight;
    }
    for (size_t i = 0; i < m->ncrits && total > 0; i++)
        m->crits[i].weight /= total;
    return nomem ? -1 : 0;
}

dcs_status dcs_model_build(const dcs_scenario *scn, const dcs_metric_kind *attr_kinds,
                           dcs_model *model, dcs_strlist *problems, dcs_error *err)
{
    dcs_strlist local = {0};
    dcs_strlist *probs = problems ? problems : &local;
    size_t before = probs->count;
    int bad = 0;
    memset(model, 0, sizeof *model);
    model->scn = scn;
    if (build_metrics(scn, attr_kinds, model, probs) != 0 ||
        bind_rules(scn, model, probs, &bad) != 0 || bind_criteria(scn, model, probs, &bad) != 0) {
        dcs_strlist_free(&local);
        dcs_model_free(model);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory building the model");
    }
    if (probs->count > before) {
        dcs_error_set(err, DCS_ERR_SCENARIO, "%s: %s%s", scn->path, probs->items[before],
                      probs->count - before > 1 ? " (and more problems)" : "");
        dcs_strlist_free(&local);
        dcs_model_free(model);
        return DCS_ERR_SCENARIO;
    }
    (void)bad;
    dcs_strlist_free(&local);
    return DCS_OK;
}

void dcs_model_free(dcs_model *model)
{
    for (size_t i = 0; i < model->nmetrics; i++)
        free(model->metrics[i].name);
    free(model->metrics);
    free(model->rules);
    free(model->crits);
    memset(model, 0, sizeof *model);
}
