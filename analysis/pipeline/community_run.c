/* community_run.c - community metrics per site. See community_run.h. */
#include "pipeline/community_run.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "community/generators.h"
#include "community/ordinance.h"
#include "community/utility_water.h"

/* The noise metrics another model may make, read by name. */
enum { NOISE_DAY, NOISE_NIGHT, NOISE_DBC, NOISE_KM, NOISE_COUNT };
static const char *const noise_metrics[NOISE_COUNT] = {
    "noise_dba_loudest_day", "noise_dba_loudest_night", "noise_dbc_loudest_night",
    "noise_receptor_km"};

/* The number of metric `name` at site i (NaN: no such number metric). */
static double num_of(const dcs_model *m, const dcs_sites *s, size_t i, const char *name)
{
    long k = name ? dcs_model_find_metric(m, name) : -1;
    return k >= 0 && m->metrics[k].kind == DCS_NUM ? dcs_site_num(s, i)[m->metrics[k].col]
                                                   : NAN;
}

static const char *text_of(const dcs_model *m, const dcs_sites *s, size_t i, const char *name)
{
    long k = dcs_model_find_metric(m, name);
    return k >= 0 && m->metrics[k].kind == DCS_TEXT ? dcs_site_text(s, i)[m->metrics[k].col]
                                                    : NULL;
}

static double energy_num(const dcs_model *m, const dcs_sites *s, size_t i, int k)
{
    return m->scn->energy.enabled ? dcs_site_num(s, i)[m->metrics[m->energy_first + k].col]
                                  : NAN;
}

static void set_num(const dcs_model *m, dcs_sites *s, size_t i, long first, int k, double v)
{
    dcs_site_num(s, i)[m->metrics[first + k].col] = v;
}

/* 1 for a moratorium: a number other than 0, or a text other than empty,
 * "no", "false", "none" or "0" (any case); 0 for none; NaN when unknown. */
static double moratorium(const dcs_model *m, const dcs_sites *s, size_t i)
{
    const char *name = dcs_ord_limit_metrics[DCS_ORD_MORATORIUM];
    long k = dcs_model_find_metric(m, name);
    if (k < 0)
        return NAN;
    if (m->metrics[k].kind == DCS_NUM) {
        double v = dcs_site_num(s, i)[m->metrics[k].col];
        return isnan(v) ? NAN : v != 0;
    }
    const char *t = dcs_site_text(s, i)[m->metrics[k].col];
    if (!t)
        return NAN;
    static const char *const none[] = {"", "no", "false", "none", "0", "n"};
    for (size_t a = 0; a < sizeof none / sizeof none[0]; a++)
        if (strcasecmp(t, none[a]) == 0)
            return 0;
    return 1;
}

/* Area (ha) left inside the site after setting back d metres from its
 * boundary, scaled by the site's ground area over its working-CRS area. */
static double area_left(const dcs_community_at *cd, double area_ha, double d)
{
    GEOSContextHandle_t g = cd->geos;
    double a0 = 0, a1 = 0;
    if (!(area_ha > 0) || GEOSArea_r(g, cd->site, &a0) != 1 || !(a0 > 0))
        return NAN;
    GEOSGeometry *in = GEOSBuffer_r(g, cd->site, -d, 8);
    if (!in)
        return NAN;
    int ok = GEOSArea_r(g, in, &a1) == 1;
    GEOSGeom_destroy_r(g, in);
    return ok ? area_ha * a1 / a0 : NAN;
}

/* The largest distance from a point inside the site to its boundary (m,
 * working CRS; GEOS maximum inscribed circle within 0.5 m). */
static double interior_depth(const dcs_community_at *cd)
{
    GEOSContextHandle_t g = cd->geos;
    int type = GEOSGeomTypeId_r(g, cd->site);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
        return NAN;
    GEOSGeometry *line = GEOSMaximumInscribedCircle_r(g, cd->site, 0.5);
    double len = NAN;
    if (line && GEOSLength_r(g, line, &len) != 1)
        len = NAN;
    if (line)
        GEOSGeom_destroy_r(g, line);
    return len;
}

static dcs_status measure_ordinances(const dcs_community_at *cd, dcs_sites *s, size_t i,
                                     dcs_error *err)
{
    const dcs_model *m = cd->model;
    const dcs_scenario *scn = m->scn;
    const char *name = text_of(m, s, i, "jurisdiction");
    double limit[DCS_ORD_COUNT];
    for (int k = 0; k < DCS_ORD_COUNT; k++)
        limit[k] = name && k != DCS_ORD_MORATORIUM ? num_of(m, s, i, dcs_ord_limit_metrics[k])
                                                   : NAN;
    limit[DCS_ORD_MORATORIUM] = name ? moratorium(m, s, i) : NAN;
    limit[DCS_ORD_WATER] *= scn->ordinances.water_to_m3;
    double area = dcs_site_num(s, i)[DCS_COL_AREA_HA];
    int gen = scn->generators.enabled;
    dcs_ord_site site = {
        .residence_m = 1000 * num_of(m, s, i, scn->ordinances.residences_metric),
        .property_left_ha = isnan(limit[DCS_ORD_PROPERTY_M])
                                ? NAN : area_left(cd, area, limit[DCS_ORD_PROPERTY_M]),
        .land_ha = scn->land_ha > 0 ? scn->land_ha : 0,
        .interior_m = isnan(limit[DCS_ORD_MECHANICAL_M]) ? NAN : interior_depth(cd),
        .noise_day_dba = num_of(m, s, i, noise_metrics[NOISE_DAY]),
        .noise_night_dba = num_of(m, s, i, noise_metrics[NOISE_NIGHT]),
        .noise_night_dbc = num_of(m, s, i, noise_metrics[NOISE_DBC]),
        .receptor_km = num_of(m, s, i, noise_metrics[NOISE_KM]),
        .gen_test_hours = gen ? scn->generators.test_hours : NAN,
        .gen_curtail_hours = gen ? scn->generators.curtail_hours : NAN,
        .water_m3_day = energy_num(m, s, i, DCS_EN_PEAK_DAY_WATER),
    };
    dcs_ord_result r;
    char reasons[640];
    dcs_ordinance_check(name, limit, &site, &r, reasons, sizeof reasons);
    long f = m->ord_first;
    set_num(m, s, i, f, DCS_CM_ORD_NMET, name ? r.nmet : NAN);
    set_num(m, s, i, f, DCS_CM_ORD_NFAILED, name ? r.nfailed : NAN);
    set_num(m, s, i, f, DCS_CM_ORD_NUNCHECKED, name ? r.nunchecked : NAN);
    for (int k = 0; k < DCS_ORD_MORATORIUM; k++)
        set_num(m, s, i, f, DCS_CM_ORD_MARGINS + k, r.margin[k]);
    if (r.nfailed && dcs_site_set_text(s, i, m->metrics[f + DCS_CM_ORD_FAILED].col, reasons))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    return DCS_OK;
}

static void measure_water(const dcs_model *m, dcs_sites *s, size_t i)
{
    const dcs_scenario *scn = m->scn;
    double f = scn->water_utilities.to_m3_day;
    dcs_utility u = {
        .capacity = f * num_of(m, s, i, "water_utility_capacity"),
        .demand = f * num_of(m, s, i, "water_utility_demand"),
        .spare = f * num_of(m, s, i, "water_utility_spare"),
        .drought_factor = scn->water_utilities.drought_factor,
    };
    dcs_water_share w;
    dcs_water_share_compute(&u, energy_num(m, s, i, DCS_EN_PEAK_DAY_WATER),
                            energy_num(m, s, i, DCS_EN_WATER_M3), &w);
    double v[DCS_CM_WU_COUNT] = {w.spare_m3_day, w.spare_drought_m3_day, w.peak_day_pct,
                                 w.annual_pct, w.peak_day_drought_pct, w.annual_drought_pct};
    for (int k = 0; k < DCS_CM_WU_COUNT; k++)
        set_num(m, s, i, m->wu_first, k, v[k]);
}

static void measure_generators(const dcs_community_at *cd, dcs_sites *s, size_t i)
{
    const dcs_model *m = cd->model;
    const dcs_scenario *scn = m->scn;
    double peak = energy_num(m, s, i, DCS_EN_PEAK_DESIGN_MW);
    if (isnan(peak))
        peak = energy_num(m, s, i, DCS_EN_PEAK_MW);
    if (isnan(peak))
        peak = cd->peak_mw;
    dcs_gen_result g;
    dcs_generators(&scn->generators.spec, peak, &g);
    int na = scn->generators.has_nonattainment && num_of(m, s, i, "nonattainment_pct") > 0;
    double nox = scn->generators.permit_nox_t, pm = scn->generators.permit_pm_t;
    if (na && !isnan(scn->generators.na_permit_nox_t))
        nox = scn->generators.na_permit_nox_t;
    if (na && !isnan(scn->generators.na_permit_pm_t))
        pm = scn->generators.na_permit_pm_t;
    double v[DCS_CM_GEN_COUNT] = {g.units, g.installed_mw, scn->generators.spec.hours_yr,
                                  g.nox_t_yr, g.pm_t_yr, nox, pm, nox - g.nox_t_yr,
                                  pm - g.pm_t_yr};
    for (int k = 0; k < DCS_CM_GEN_COUNT; k++)
        set_num(m, s, i, m->gen_first, k, v[k]);
}

dcs_status dcs_measure_community(const dcs_community_at *cd, dcs_sites *s, size_t i,
                                 dcs_error *err)
{
    const dcs_model *m = cd->model;
    if (m->gen_first >= 0)
        measure_generators(cd, s, i);
    if (m->wu_first >= 0)
        measure_water(m, s, i);
    return m->ord_first >= 0 ? measure_ordinances(cd, s, i, err) : DCS_OK;
}

void dcs_community_warnings(const dcs_model *m, const dcs_sites *s, dcs_warnings *w)
{
    const dcs_scenario *scn = m->scn;
    if (m->ord_first < 0)
        return;
    int noise = dcs_model_find_metric(m, noise_metrics[NOISE_NIGHT]) >= 0;
    static const struct {
        int rule;
        const char *what, *fix;
    } checks[] = {
        {DCS_ORD_NOISE_DAY, "noise limits", "the scenario models no noise (add a \"noise\" "
         "section)"},
        {DCS_ORD_RESIDENCE_M, "setbacks from residences", "ordinances.residences_metric names "
         "no distance metric (add a distances entry for the residences and name its _km "
         "metric)"},
        {DCS_ORD_GEN_HOURS, "generator-hour limits", "the scenario has no \"generators\" "
         "section (tested and curtailment hours)"},
        {DCS_ORD_WATER, "water limits", "the scenario has no \"energy\" section (peak-day "
         "water)"},
    };
    int missing[4] = {!noise, !scn->ordinances.residences_metric ||
                                  dcs_model_find_metric(m, scn->ordinances.residences_metric) < 0,
                      !scn->generators.enabled, !scn->energy.enabled};
    for (size_t c = 0; c < 4; c++) {
        if (!missing[c])
            continue;
        size_t n = 0;
        int rules = checks[c].rule == DCS_ORD_NOISE_DAY ? 3 : 1;
        long lim[3] = {-1, -1, -1}, jur = dcs_model_find_metric(m, "jurisdiction");
        for (int k = 0; k < rules; k++)
            lim[k] = dcs_model_find_metric(m, dcs_ord_limit_metrics[checks[c].rule + k]);
        for (size_t i = 0; jur >= 0 && i < s->n; i++) {
            int has = 0;
            for (int k = 0; k < rules; k++)
                has |= lim[k] >= 0 && !isnan(dcs_site_num(s, i)[m->metrics[lim[k]].col]);
            n += has && dcs_site_text(s, i)[m->metrics[jur].col];
        }
        if (n)
            dcs_warning_plain(
                dcs_warn(w, DCS_WARN_COMMUNITY_UNCHECKED, "ordinances",
                         "ordinances: %s were not checked at %zu sites whose jurisdiction has "
                         "them: %s", checks[c].what, n, checks[c].fix),
                "The local %s were not checked at %zu sites: the run does not model what "
                "they limit.", checks[c].what, n);
    }
}
