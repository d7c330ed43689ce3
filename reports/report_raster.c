/* report_raster.c - the score of grid candidates as a GeoTIFF. See report_raster.h.
 *
 * For grid candidates a raster is the natural form of the result: one band
 * of Float32 scores (nodata -9999 for excluded cells and outside the grid)
 * in the working CRS, with pixels a quarter of the cell size, each cell's
 * polygon burnt in with its score (GDAL's rasterizer, all pixels whose
 * centre lies in the cell). */
#include <cpl_error.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <math.h>
#include <stdlib.h>

#include "report_raster.h"

#define NODATA -9999.0

/* Grid covering every site, in the working CRS. */
static GDALDatasetH create_grid(const dcs_result *res, const char *tmp, dcs_error *err)
{
    double x0 = res->sites.extent[0], y0 = res->sites.extent[1];
    double x1 = res->sites.extent[2], y1 = res->sites.extent[3];
    double px = sqrt(res->scn->sites.cell_area_ha * 1e4) / 4;
    int w = (int)ceil((x1 - x0) / px), h = (int)ceil((y1 - y0) / px);
    static const char *const opts[] = {"COMPRESS=DEFLATE", "TILED=YES", NULL};
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    GDALDatasetH ds = drv ? GDALCreate(drv, tmp, w, h, 1, GDT_Float32, (char **)opts) : NULL;
    if (!ds) {
        dcs_error_set(err, DCS_ERR_IO, "cannot create '%s': %s", tmp, CPLGetLastErrorMsg());
        return NULL;
    }
    double gt[6] = {x0, px, 0, y1, 0, -px};
    GDALSetGeoTransform(ds, gt);
    GDALSetSpatialRef(ds, res->crs.work);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    GDALSetRasterNoDataValue(b, NODATA);
    GDALFillRaster(b, NODATA, 0);
    GDALSetDescription(b, "score");
    return ds;
}

dcs_status dcs_report_score_tif(const dcs_result *res, const char *tmp, dcs_error *err)
{
    GDALDatasetH ds = create_grid(res, tmp, err);
    if (!ds)
        return err->status;
    size_t n = 0;
    OGRGeometryH *geoms = calloc(res->sites.n + 1, sizeof *geoms);
    double *burn = calloc(res->sites.n + 1, sizeof *burn);
    dcs_status st = geoms && burn ? DCS_OK : dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == DCS_OK && i < res->sites.n; i++)
        if (res->eval.eligible[i] && (geoms[n] = dcs_site_ogr(&res->sites, i)))
            burn[n++] = res->eval.score[i];
    int band = 1;
    if (st == DCS_OK && n > 0 &&
        GDALRasterizeGeometries(ds, 1, &band, (int)n, geoms, NULL, NULL, burn, NULL, NULL,
                                NULL) != CE_None)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot rasterize the scores into '%s': %s", tmp,
                           CPLGetLastErrorMsg());
    for (size_t k = 0; k < n; k++)
        OGR_G_DestroyGeometry(geoms[k]);
    free(geoms);
    free(burn);
    CPLErrorReset();
    GDALClose(ds);
    if (st == DCS_OK && CPLGetLastErrorType() >= CE_Failure)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot finish '%s': %s", tmp, CPLGetLastErrorMsg());
    return st;
}
