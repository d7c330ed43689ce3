/* diagnose.c - warnings about suspicious inputs. See diagnose.h. */
#include "pipeline/diagnose.h"

#include <stdio.h>
#include <string.h>

/* The info record of context k (role "<name> (layer|raster)"); NULL when
 * none matches. */
static const dcs_input_info *context_info(const dcs_result *res, const dcs_context *c,
                                          const char *suffix)
{
    char role[96];
    snprintf(role, sizeof role, "%s %s", c->name ? c->name : "?", suffix);
    for (size_t i = 0; i < res->ninputs; i++)
        if (strcmp(res->inputs[i].role, role) == 0)
            return &res->inputs[i];
    return NULL;
}

static int disjoint(const dcs_input_info *a, const dcs_input_info *b)
{
    return a->has_extent && b->has_extent &&
           (a->maxlon < b->minlon || b->maxlon < a->minlon || a->maxlat < b->minlat ||
            b->maxlat < a->minlat);
}

static void check_layer(dcs_result *res, const char *name, const dcs_input_info *in,
                        int far_is_fine)
{
    const dcs_input_info *sites = res->ninputs ? &res->inputs[0] : NULL;
    if (!in)
        return;
    if (in->nfeatures == 0)
        dcs_warning_plain(dcs_warn(&res->warnings, DCS_WARN_LAYER_EMPTY, name,
                                   "%s: '%s' [layer %s] has no features; no site gets "
                                   "anything from it", in->role, in->dataset, in->layer),
                          "%s has no features, so nothing was measured from it.", name);
    else if (!far_is_fine && sites && disjoint(in, sites))
        dcs_warning_plain(
            dcs_warn(&res->warnings, DCS_WARN_LAYER_ELSEWHERE, name,
                     "%s: '%s' (lon/lat %.4f, %.4f - %.4f, %.4f) lies entirely outside the "
                     "sites (%.4f, %.4f - %.4f, %.4f); is its CRS right?",
                     in->role, in->dataset, in->minlon, in->minlat, in->maxlon, in->maxlat,
                     sites->minlon, sites->minlat, sites->maxlon, sites->maxlat),
            "%s lies entirely outside the candidate sites: check its CRS, or whether it is "
            "the right region's file.", name);
}

/* 1 when context k covers none of the sites. */
static int covers_none(const dcs_result *res, size_t k)
{
    for (size_t i = 0; i < res->sites.n; i++)
        if (!res->outside[i * res->ncontexts + k])
            return 0;
    return res->sites.n > 0;
}

void dcs_diagnose_inputs(dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    for (size_t k = 0; k < scn->ncontexts; k++) {
        const dcs_context *c = &scn->contexts[k];
        int raster = c->kind == DCS_CTX_RASTER;
        const dcs_input_info *in = context_info(res, c, raster ? "(raster)" : "(layer)");
        check_layer(res, c->name, in, c->kind == DCS_CTX_DISTANCE);
        if (c->cover == DCS_COVER_LAYER)
            check_layer(res, c->name, context_info(res, c, "coverage"), 0);
        if (res->outside && covers_none(res, k))
            dcs_warning_plain(
                dcs_warn(&res->warnings, DCS_WARN_NOT_COVERED, c->name,
                         "%s: '%s' covers none of the %zu sites (outside: %s); its metrics "
                         "are empty for all of them",
                         in ? in->role : c->name, c->src.dataset, res->sites.n,
                         c->outside == DCS_OUTSIDE_EXCLUDE   ? "exclude"
                         : c->outside == DCS_OUTSIDE_NEUTRAL ? "neutral"
                                                             : "error"),
                "%s was not measured: the layer covers none of the sites, so its rules "
                "decide nothing and its criteria %s.", c->name,
                c->outside == DCS_OUTSIDE_EXCLUDE   ? "exclude every site"
                : c->outside == DCS_OUTSIDE_NEUTRAL ? "give every site the same neutral value"
                                                    : "have no value");
    }
}
