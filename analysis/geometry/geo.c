/* geo.c - the working CRS. See geo.h. */
#include "geometry/geo.h"

#include <cpl_error.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dcs_utm_epsg(double lon, double lat)
{
    double l = fmod(lon + 180.0, 360.0);
    if (l < 0)
        l += 360.0;
    int zone = (int)floor(l / 6.0) + 1;
    if (zone > 60)
        zone = 60;
    return (lat >= 0 ? 32600 : 32700) + zone;
}

OGRSpatialReferenceH dcs_srs_clone_gis_order(OGRSpatialReferenceH srs)
{
    OGRSpatialReferenceH c = OSRClone(srs);
    if (c)
        OSRSetAxisMappingStrategy(c, OAMS_TRADITIONAL_GIS_ORDER);
    return c;
}

void dcs_srs_describe(OGRSpatialReferenceH srs, char *buf, size_t size)
{
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    const char *name = OSRGetName(srs);
    if (auth && code)
        snprintf(buf, size, "%s:%s (%s)", auth, code, name ? name : "unnamed");
    else
        snprintf(buf, size, "%s", name ? name : "unnamed CRS");
}

/* The scale table over the lon/lat box in the working CRS, widened by the
 * longest distance the table answers.  Without a box in the working CRS
 * there is no table, which only costs time. */
static dcs_status tabulate_scale(dcs_crs *crs, double minlon, double minlat, double maxlon,
                                 double maxlat)
{
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(crs->lonlat, crs->work);
    double b[4];
    int ok = ct && OCTTransformBounds(ct, minlon, minlat, maxlon, maxlat, &b[0], &b[1], &b[2],
                                      &b[3], 21);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (!ok)
        return DCS_OK;
    double box[4] = {b[0] - DCS_SCALE_MAX_LEN, b[1] - DCS_SCALE_MAX_LEN, b[2] + DCS_SCALE_MAX_LEN,
                     b[3] + DCS_SCALE_MAX_LEN};
    return dcs_scalegrid_build(&crs->scale, crs->work_to_lonlat, box);
}

dcs_status dcs_crs_open(dcs_crs *crs, const char *given, double minlon, double minlat,
                        double maxlon, double maxlat, dcs_error *err)
{
    memset(crs, 0, sizeof *crs);
    crs->lonlat = OSRNewSpatialReference(NULL);
    crs->work = OSRNewSpatialReference(NULL);
    if (!crs->lonlat || !crs->work)
        goto nomem;
    OSRSetAxisMappingStrategy(crs->lonlat, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(crs->work, OAMS_TRADITIONAL_GIS_ORDER);
    if (OSRImportFromEPSG(crs->lonlat, 4326) != OGRERR_NONE) {
        dcs_error_set(err, DCS_ERR_DATA, "PROJ cannot find EPSG:4326: %s", CPLGetLastErrorMsg());
        goto fail;
    }
    OGRErr e;
    if (given) {
        e = OSRSetFromUserInput(crs->work, given);
    } else {
        double lon = (minlon + maxlon) / 2, lat = (minlat + maxlat) / 2;
        e = OSRImportFromEPSG(crs->work, dcs_utm_epsg(lon, lat));
    }
    if (e != OGRERR_NONE) {
        dcs_error_set(err, DCS_ERR_SCENARIO, "working_crs: cannot use \"%s\": %s",
                      given ? given : "UTM", CPLGetLastErrorMsg());
        goto fail;
    }
    if (!OSRIsProjected(crs->work) || fabs(OSRGetLinearUnits(crs->work, NULL) - 1.0) > 1e-12) {
        dcs_error_set(err, DCS_ERR_SCENARIO,
                      "working_crs: \"%s\" is not a projected CRS in metres", given);
        goto fail;
    }
    crs->work_to_lonlat = OCTNewCoordinateTransformation(crs->work, crs->lonlat);
    if (!crs->work_to_lonlat) {
        dcs_error_set(err, DCS_ERR_DATA, "PROJ cannot transform the working CRS to WGS 84: %s",
                      CPLGetLastErrorMsg());
        goto fail;
    }
    if (tabulate_scale(crs, minlon, minlat, maxlon, maxlat) != DCS_OK)
        goto nomem;
    dcs_srs_describe(crs->work, crs->name, sizeof crs->name);
    return DCS_OK;
nomem:
    dcs_error_set(err, DCS_ERR_NOMEM, "out of memory creating spatial references");
fail:
    dcs_crs_close(crs);
    return err->status;
}

void dcs_crs_close(dcs_crs *crs)
{
    dcs_scalegrid_free(&crs->scale);
    if (crs->work_to_lonlat)
        OCTDestroyCoordinateTransformation(crs->work_to_lonlat);
    if (crs->lonlat)
        OSRRelease(crs->lonlat);
    if (crs->work)
        OSRRelease(crs->work);
    memset(crs, 0, sizeof *crs);
}
