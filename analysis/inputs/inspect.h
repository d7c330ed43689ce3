/*
 * inspect.h - what a dataset holds, for `dcsite init`: its layers, their
 * geometry type, feature count, CRS, lon/lat extent and fields (type, how
 * many features set them, numeric range, whether their values are unique),
 * a raster's size and bands, or that the file is a weather file (EPW or
 * TMY3, plain or .gz).
 *
 * dcs_inspect_dataset() opens one dataset read-only with GDAL (vector and
 * raster) and appends one dcs_inspected record per vector layer, one for
 * a raster, or one for a weather file (recognised from its first two lines
 * before GDAL is asked: a TMY3 file is also a CSV).  Field statistics come
 * from the first DCS_INSPECT_MAX_READ features of a layer; `nread` says how
 * many were read, so "unique" means "unique among those".  It never prints.
 *
 * A layer GDAL lists but cannot describe (no CRS, features it cannot count)
 * is still recorded, with `problem` saying why; the dataset's own failure
 * to open is DCS_ERR_DATA naming the file and the reason.
 *
 * Ownership: the records' field arrays belong to the list;
 * dcs_inspection_free() frees them (safe on a zeroed list).  Each call
 * opens and closes its own GDAL handles: thread-safe for distinct lists.
 */
#ifndef DCS_INSPECT_H
#define DCS_INSPECT_H

#include <stddef.h>

#include "core/error.h"

/* Features read for the field statistics of a layer, at most. */
#define DCS_INSPECT_MAX_READ 200000

typedef enum { DCS_FK_INTEGER, DCS_FK_REAL, DCS_FK_TEXT, DCS_FK_OTHER } dcs_field_kind;

typedef struct {
    char name[128];
    dcs_field_kind kind;
    long long nset;      /* features (of nread) with a value (not null, not empty text) */
    long long ndistinct; /* distinct values among them (text and integers; 0 for others) */
    double min, max;     /* numbers: range of the set values (NaN when none) */
} dcs_field_info;

typedef enum {
    DCS_SHAPE_NONE,    /* a table: no geometry */
    DCS_SHAPE_POINT,
    DCS_SHAPE_LINE,
    DCS_SHAPE_POLYGON,
    DCS_SHAPE_MIXED,   /* unknown declared type and features of several kinds */
} dcs_shape;

typedef enum { DCS_INSPECT_VECTOR, DCS_INSPECT_RASTER, DCS_INSPECT_WEATHER } dcs_inspect_kind;

typedef struct {
    dcs_inspect_kind kind;
    char dataset[1024];  /* as given */
    char layer[128];     /* vector layer; "" for rasters and weather files */
    int nlayers;         /* layers of the dataset (vector) */
    dcs_shape shape;
    char geom_type[48];  /* OGR's name of the declared type */
    long long nfeatures;
    long long nread;     /* features read for the field statistics */
    char crs[160];       /* "" when none */
    int has_extent;
    double minlon, minlat, maxlon, maxlat;
    dcs_field_info *fields;
    size_t nfields;
    int width, height, nbands; /* rasters */
    int weather_epw;           /* weather: 1 EPW, 0 TMY3 */
    char problem[256];   /* why the layer cannot be used as it is ("" when it can) */
} dcs_inspected;

typedef struct {
    dcs_inspected *items;
    size_t n, cap;
} dcs_inspection;

/* Inspect `path` (any dataset GDAL opens, or a weather file); append its
 * layers to list.  DCS_ERR_DATA when it cannot be opened or holds nothing
 * GDAL can read, DCS_ERR_NOMEM. */
dcs_status dcs_inspect_dataset(const char *path, dcs_inspection *list, dcs_error *err);

/* 1 when the file's first lines are those of an EPW (sets *epw = 1) or a
 * TMY3 file (*epw = 0); reads .gz through /vsigzip/. */
int dcs_inspect_is_weather(const char *path, int *epw);

/* Field index by name in a record, or -1. */
long dcs_inspected_field(const dcs_inspected *in, const char *name);

void dcs_inspection_free(dcs_inspection *list);

#endif
