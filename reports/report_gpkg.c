/* report_gpkg.c - the scored candidates as a GeoPackage layer (OGR).
 * See report.h.
 *
 * Layer "candidates", in the working CRS, one feature per candidate site:
 *   site_id, status, rank (null when excluded), score, reasons,
 *   every metric (numbers as Real, texts as String),
 *   <criterion>_value (0-1) and <criterion>_contrib (weight x value),
 *   coverage_gaps (context layers that do not cover the site),
 *   lon, lat (a point on the site, WGS 84).
 */
#include <cpl_error.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>

#include "report.h"

static int add_field(OGRLayerH lyr, const char *name, OGRFieldType type)
{
    OGRFieldDefnH f = OGR_Fld_Create(name, type);
    int ok = OGR_L_CreateField(lyr, f, TRUE) == OGRERR_NONE;
    OGR_Fld_Destroy(f);
    return ok;
}

static int create_fields(OGRLayerH lyr, const dcs_result *res)
{
    int ok = add_field(lyr, "site_id", OFTString) && add_field(lyr, "status", OFTString) &&
             add_field(lyr, "rank", OFTInteger) && add_field(lyr, "score", OFTReal) &&
             add_field(lyr, "reasons", OFTString);
    for (size_t k = 0; ok && k < res->model.nmetrics; k++) {
        const dcs_metric *m = &res->model.metrics[k];
        ok = add_field(lyr, m->name, m->kind == DCS_NUM ? OFTReal : OFTString);
    }
    for (size_t c = 0; ok && c < res->model.ncrits; c++) {
        char name[96];
        snprintf(name, sizeof name, "%s_value", res->model.crits[c].name);
        ok = add_field(lyr, name, OFTReal);
        snprintf(name, sizeof name, "%s_contrib", res->model.crits[c].name);
        ok = ok && add_field(lyr, name, OFTReal);
    }
    return ok && add_field(lyr, "coverage_gaps", OFTString) && add_field(lyr, "lon", OFTReal) &&
           add_field(lyr, "lat", OFTReal);
}

static void set_real(OGRFeatureH f, int *field, double v)
{
    if (isnan(v))
        OGR_F_SetFieldNull(f, *field);
    else
        OGR_F_SetFieldDouble(f, *field, v);
    (*field)++;
}

static void set_text(OGRFeatureH f, int *field, const char *s)
{
    if (s)
        OGR_F_SetFieldString(f, *field, s);
    else
        OGR_F_SetFieldNull(f, *field);
    (*field)++;
}

static void fill_fields(OGRFeatureH f, const dcs_result *res, size_t i)
{
    int k = 0;
    set_text(f, &k, res->sites.id[i]);
    set_text(f, &k, dcs_report_status(res, i));
    if (res->eval.rank[i])
        OGR_F_SetFieldInteger(f, k, (int)res->eval.rank[i]);
    else
        OGR_F_SetFieldNull(f, k);
    k++;
    set_real(f, &k, res->eval.score[i]);
    set_text(f, &k, res->eval.reasons[i]);
    for (size_t m = 0; m < res->model.nmetrics; m++) {
        const dcs_metric *mt = &res->model.metrics[m];
        if (mt->kind == DCS_NUM)
            set_real(f, &k, dcs_site_num(&res->sites, i)[mt->col]);
        else
            set_text(f, &k, dcs_site_text(&res->sites, i)[mt->col]);
    }
    for (size_t c = 0; c < res->model.ncrits; c++) {
        int eligible = res->eval.eligible[i];
        set_real(f, &k, dcs_report_value(res, i, c));
        set_real(f, &k, eligible ? dcs_report_contribution(res, i, c) : NAN);
    }
    set_text(f, &k, res->eval.gaps[i]);
    set_real(f, &k, res->sites.lon[i]);
    set_real(f, &k, res->sites.lat[i]);
}

/* GEOS geometry -> OGR, polygons promoted to multipolygons so the layer
 * has one geometry type. */
static OGRGeometryH to_ogr(const dcs_result *res, size_t i, int multi)
{
    size_t n = 0;
    unsigned char *wkb = GEOSGeomToWKB_buf_r(res->geos, res->sites.geom[i], &n);
    OGRGeometryH g = NULL;
    if (wkb && OGR_G_CreateFromWkbEx(wkb, NULL, &g, n) != OGRERR_NONE)
        g = NULL;
    GEOSFree_r(res->geos, wkb);
    if (g && multi)
        g = OGR_G_ForceToMultiPolygon(g);
    return g;
}

/* The layer's geometry type: MultiPolygon when any site is a polygon. */
static OGRwkbGeometryType layer_type(const dcs_result *res)
{
    for (size_t i = 0; i < res->sites.n; i++) {
        int t = GEOSGeomTypeId_r(res->geos, res->sites.geom[i]);
        if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)
            return wkbMultiPolygon;
    }
    return wkbUnknown;
}

static dcs_status write_features(OGRLayerH lyr, const dcs_result *res, int multi,
                                 const char *tmp, dcs_error *err)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    for (size_t i = 0; i < res->sites.n; i++) {
        OGRFeatureH f = OGR_F_Create(defn);
        fill_fields(f, res, i);
        OGRGeometryH g = to_ogr(res, i, multi);
        if (g)
            OGR_F_SetGeometryDirectly(f, g);
        OGRErr e = OGR_L_CreateFeature(lyr, f);
        OGR_F_Destroy(f);
        if (e != OGRERR_NONE)
            return dcs_error_set(err, DCS_ERR_IO, "cannot write site \"%s\" to '%s': %s",
                                 res->sites.id[i], tmp, CPLGetLastErrorMsg());
    }
    return DCS_OK;
}

dcs_status dcs_report_gpkg(const dcs_result *res, const char *tmp, dcs_error *err)
{
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv)
        return dcs_error_set(err, DCS_ERR_IO, "this GDAL has no GPKG driver");
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create '%s': %s", tmp,
                             CPLGetLastErrorMsg());
    OGRwkbGeometryType type = layer_type(res);
    dcs_status st = DCS_OK;
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "candidates", res->crs.work, type, NULL);
    if (!lyr || !create_fields(lyr, res))
        st = dcs_error_set(err, DCS_ERR_IO, "cannot create layer 'candidates' in '%s': %s", tmp,
                           CPLGetLastErrorMsg());
    if (st == DCS_OK && GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot start a transaction in '%s'", tmp);
    if (st == DCS_OK)
        st = write_features(lyr, res, type == wkbMultiPolygon, tmp, err);
    if (st == DCS_OK && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot commit '%s': %s", tmp, CPLGetLastErrorMsg());
    CPLErrorReset();
    GDALClose(ds);
    if (st == DCS_OK && CPLGetLastErrorType() >= CE_Failure)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot finish '%s': %s", tmp, CPLGetLastErrorMsg());
    return st;
}
