/* gis_fields.c - the GIS layers' fields, one order for every writer.
 * See gis_fields.h. */
#include "gis_fields.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>

#include "report_decision.h"

int dcs_gis_field_add(OGRLayerH lyr, const char *name, OGRFieldType type)
{
    OGRFieldDefnH f = OGR_Fld_Create(name, type);
    int ok = f && OGR_L_CreateField(lyr, f, TRUE) == OGRERR_NONE;
    OGR_Fld_Destroy(f);
    return ok;
}

int dcs_gis_fields_create(OGRLayerH lyr, const dcs_result *res)
{
    int ok = dcs_gis_field_add(lyr, "site_id", OFTString) && dcs_gis_field_add(lyr, "status", OFTString) &&
             dcs_gis_field_add(lyr, "rank", OFTInteger) && dcs_gis_field_add(lyr, "score", OFTReal) &&
             dcs_gis_field_add(lyr, "reasons", OFTString);
    for (size_t k = 0; ok && k < res->model.nmetrics; k++) {
        const dcs_metric *m = &res->model.metrics[k];
        ok = dcs_gis_field_add(lyr, m->name, m->kind == DCS_NUM ? OFTReal : OFTString);
    }
    for (size_t c = 0; ok && c < res->model.ncrits; c++) {
        char name[96];
        snprintf(name, sizeof name, "%s_value", res->model.crits[c].name);
        ok = dcs_gis_field_add(lyr, name, OFTReal);
        snprintf(name, sizeof name, "%s_contrib", res->model.crits[c].name);
        ok = ok && dcs_gis_field_add(lyr, name, OFTReal);
    }
    ok = ok && dcs_gis_field_add(lyr, "coverage_gaps", OFTString) && dcs_gis_field_add(lyr, "lon", OFTReal) &&
         dcs_gis_field_add(lyr, "lat", OFTReal) && dcs_gis_field_add(lyr, "centroid_lon", OFTReal) &&
         dcs_gis_field_add(lyr, "centroid_lat", OFTReal);
    dcs_decision_col dc[DCS_DCOL_COUNT];
    size_t ndc = dcs_decision_columns(res, dc);
    static const OGRFieldType types[3] = {OFTReal, OFTInteger, OFTString};
    for (size_t k = 0; ok && k < ndc; k++)
        ok = dcs_gis_field_add(lyr, dcs_decision_col_name(dc[k]), types[dcs_decision_col_kind(dc[k])]);
    return ok;
}

/* A number for an integer field: truncated and clamped as OGR converts a
 * double set on an OFTInteger field; NaN stays null. */
static void emit_integer(const dcs_gis_field_sink *sink, void *to, int k, double v)
{
    if (isnan(v))
        sink->real(to, k, NAN);
    else
        sink->integer(to, k, v <= INT_MIN ? INT_MIN : v >= INT_MAX ? INT_MAX : (int)v);
}

void dcs_gis_fields_emit(const dcs_gis_field_sink *sink, void *to, const dcs_result *res,
                         size_t i, const char *why)
{
    int k = 0;
    sink->text(to, k++, res->sites.id[i]);
    sink->text(to, k++, dcs_report_status(res, i));
    emit_integer(sink, to, k++, res->eval.rank[i] ? (double)res->eval.rank[i] : NAN);
    sink->real(to, k++, res->eval.score[i]);
    sink->text(to, k++, why);
    for (size_t m = 0; m < res->model.nmetrics; m++) {
        const dcs_metric *mt = &res->model.metrics[m];
        if (mt->kind == DCS_NUM)
            sink->real(to, k++, dcs_site_num(&res->sites, i)[mt->col]);
        else
            sink->text(to, k++, dcs_site_text(&res->sites, i)[mt->col]);
    }
    for (size_t c = 0; c < res->model.ncrits; c++) {
        int eligible = res->eval.eligible[i];
        sink->real(to, k++, dcs_report_value(res, i, c));
        sink->real(to, k++, eligible ? dcs_report_contribution(res, i, c) : NAN);
    }
    sink->text(to, k++, res->eval.gaps[i]);
    sink->real(to, k++, res->sites.lon[i]);
    sink->real(to, k++, res->sites.lat[i]);
    sink->real(to, k++, res->sites.centroid_lon[i]);
    sink->real(to, k++, res->sites.centroid_lat[i]);
    dcs_decision_col dc[DCS_DCOL_COUNT];
    size_t ndc = dcs_decision_columns(res, dc);
    for (size_t d = 0; d < ndc; d++) {
        int kind = dcs_decision_col_kind(dc[d]);
        if (kind == 2)
            sink->text(to, k++, dcs_decision_text(res, dc[d], i));
        else if (kind == 1)
            emit_integer(sink, to, k++, dcs_decision_num(res, dc[d], i));
        else
            sink->real(to, k++, dcs_decision_num(res, dc[d], i));
    }
}

/* ---- into an OGR feature ------------------------------------------------------ */

static void feature_real(void *to, int k, double v)
{
    if (isnan(v))
        OGR_F_SetFieldNull(to, k);
    else
        OGR_F_SetFieldDouble(to, k, v);
}

static void feature_integer(void *to, int k, int v)
{
    OGR_F_SetFieldInteger(to, k, v);
}

static void feature_text(void *to, int k, const char *s)
{
    if (s)
        OGR_F_SetFieldString(to, k, s);
    else
        OGR_F_SetFieldNull(to, k);
}

void dcs_gis_fields_to_feature(OGRFeatureH f, const dcs_result *res, size_t i, const char *why)
{
    static const dcs_gis_field_sink sink = {
        .real = feature_real, .integer = feature_integer, .text = feature_text};
    dcs_gis_fields_emit(&sink, f, res, i, why);
}
