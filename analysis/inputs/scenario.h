/*
 * scenario.h - the scenario file: what to analyse and how.
 *
 * A scenario is a JSON document (parsed with cJSON) naming the candidate
 * site layer and the context layers (each a GDAL dataset, a layer and a
 * field mapping), the facility, the hard constraints, the weighted
 * criteria and the outputs.  dcs_scenario_load() checks the document
 * strictly: unknown keys, wrong types, missing required keys and values out
 * of range are all reported with their key path, e.g.
 *   criteria[2].weight: expected a number, got "high"
 * Every problem found is appended to `problems`; the error record carries
 * the first one.  Before and beside cJSON (jsoncheck.h): a key repeated in
 * any object, \u0000 and escaped control characters, bytes that are not
 * UTF-8 and nesting deeper than CJSON_NESTING_LIMIT are refused (the last
 * three with line and column).  Checks run in n log n (names sorted), so
 * a million constraints are read in seconds.  Relative dataset paths are
 * resolved against the directory of the scenario file.
 *
 * Metric names used by constraints and criteria are checked later, against
 * the metric table (metrics.h), once the layers' fields are known.
 *
 * Ownership: dcs_scenario_load() allocates everything inside *scn;
 * dcs_scenario_free() frees it all (safe on a zeroed or partly loaded
 * scenario).
 */
#ifndef DCS_SCENARIO_H
#define DCS_SCENARIO_H

#include <stddef.h>

#include "community/noise.h"
#include "energy/cooling.h"
#include "energy/hourly_grid.h"
#include "community/generators.h"
#include "community/ordinance.h"
#include "core/error.h"
#include "core/strlist.h"

/* A layer in a GDAL dataset. */
typedef struct {
    char *dataset; /* path (resolved) or connection string */
    char *layer;   /* NULL: the dataset's only layer */
    char *where;   /* optional OGR attribute filter, NULL when none */
} dcs_source;

/* A site attribute carried into the analysis as a metric. */
typedef struct {
    char *metric; /* metric name used in constraints, criteria, outputs */
    char *field;  /* field in the site layer */
} dcs_attribute;

/* One more nearest-substation search ("substations.rules"): its metrics are
 * <name>_km (or <name>_centroid_km), <name>_kv, <name>_headroom_mw,
 * <name>_id and, with a name field, <name>_name. */
typedef struct {
    char *name;
    double min_voltage_kv;  /* default: substations.min_voltage_kv */
    double min_headroom_mw; /* NaN: any headroom, known or not */
    int from_centroid;
} dcs_substation_rule;

/* A barrier layer of routed lines (polygons or lines): hard ones are never
 * crossed, soft ones at a price (interconnection.route). */
typedef struct {
    dcs_source src;
    int hard;
} dcs_route_barrier;

/* Routed lines (interconnection.route; pipeline/route_run.h): the
 * least-cost path from the routed sites to their substations. */
typedef struct {
    int enabled;
    char *cost_raster;        /* friction per cell (resolved path); NULL: 1 everywhere */
    int cost_band;            /* default 1 */
    dcs_route_barrier *barriers;
    size_t nbarriers;
    double cell_m;            /* grid cell in metres; 0: the cost raster's, else 100 */
    int neighbours;           /* 8 or 16 (default 16) */
    int all_eligible;         /* 1: "sites": "eligible"; 0: the top top_n */
    size_t top_n;             /* 0: outputs.top_n */
    double margin_km;         /* search window margin (default 5) */
    double soft_factor;       /* friction multiplier in soft barriers (default 1) */
    double soft_penalty_musd; /* added per crossing of a soft barrier (default 0) */
} dcs_route_settings;

/* "boundary", "centroid", NULL: the values of a distance's "from". */
extern const char *const dcs_distance_from_names[];

/* A metric with the same value at every site ("constants"). */
typedef struct {
    char *metric;
    char *text;   /* a text constant, or NULL for a number */
    double value; /* a number constant */
} dcs_constant;

/* What a context layer measures for each site. */
typedef enum {
    DCS_CTX_OVERLAY,       /* polygons: <name>_pct, share of the site inside them */
    DCS_CTX_DISTANCE,      /* any geometry: <name>_km, geodesic distance to the nearest */
    DCS_CTX_ZONE,          /* polygons: attributes of the polygon holding the site */
    DCS_CTX_AREA_WEIGHTED, /* polygons: area-weighted sum of a field within a radius */
    DCS_CTX_RASTER,        /* raster band: <name>_<stat> or <name>_radius_sum */
} dcs_context_kind;

/* What to do with a site the layer does not cover. */
typedef enum {
    DCS_OUTSIDE_NEUTRAL, /* the layer's criteria score 0.5, its rules are not applied */
    DCS_OUTSIDE_EXCLUDE, /* the site is excluded (rule "coverage_<name>") */
    DCS_OUTSIDE_ERROR,   /* the run stops with an error naming the site */
} dcs_outside;

/* Raster statistics (bit mask); bit k is dcs_raster_stat_names[k]. */
enum {
    DCS_STAT_MEAN = 1,
    DCS_STAT_MIN = 2,
    DCS_STAT_MAX = 4,
    DCS_STAT_SUM = 8,
    DCS_STAT_MAJORITY = 16,
    DCS_STAT_COUNT = 32,             /* coverage-weighted number of valid pixels */
    DCS_STAT_NODATA_COUNT = 64,      /* the same for nodata pixels */
    DCS_STAT_COVERED_FRACTION = 128, /* share of the site's area over the raster */
};
#define DCS_NSTATS 8

/* "mean", "min", "max", "sum", "majority", "count", "nodata_count",
 * "covered_fraction": the names in `stats` and the metric suffixes. */
extern const char *const dcs_raster_stat_names[DCS_NSTATS];

/* Where a layer has data: everywhere (default: a missing feature means
 * "none here"), the layer's own extent, or a polygon layer.  Zones and
 * rasters are also outside where no polygon holds the site or no valid
 * pixel lies under it. */
typedef enum { DCS_COVER_EXTENT, DCS_COVER_LAYER, DCS_COVER_EVERYWHERE } dcs_cover_kind;

typedef struct {
    dcs_context_kind kind;
    char *name;
    dcs_source src;
    dcs_cover_kind cover;
    dcs_source coverage; /* DCS_COVER_LAYER */
    dcs_outside outside;
    dcs_attribute *attrs; /* zone: metrics taken from the polygon's fields */
    size_t nattrs;
    char *field;          /* area_weighted: the field summed */
    double radius_km;     /* area_weighted; raster radius sum (0 = none) */
    int exact;            /* area_weighted: clip every polygon, not the grid */
    double cell_m;        /* area_weighted grid cell (0 = radius / 40) */
    int band;             /* raster, 1-based */
    int slope;            /* raster: take the slope (degrees) of the band */
    int from_centroid;    /* distance: from the site's centroid (<name>_centroid_km), not
                           * its boundary (<name>_km, 0 when they touch) */
    unsigned stats;       /* raster: DCS_STAT_* over the site */
} dcs_context;

/* An hourly grid-signal table (energy.hourly_signals; inputs/hourly.h):
 * one row per region and hour (1-8760). */
typedef struct {
    dcs_source src;               /* dataset NULL: none */
    char *key_field;              /* the region column (default "region") */
    char *on;                     /* the site's text metric naming its region */
    char *hour_field;             /* the hour column (default "hour") */
    char *fields[DCS_SIG_COUNT];  /* column of each signal; NULL: not read */
} dcs_hourly_spec;

/* An hourly clean-supply shape in MW (energy.clean_supply), the same for
 * every site: one row per hour (1-8760). */
typedef struct {
    dcs_source src;   /* dataset NULL: none */
    char *hour_field; /* default "hour" */
    char *mw_field;   /* default "mw" */
} dcs_supply_spec;

/* A table joined to the sites on a text metric: its fields become metrics. */
typedef struct {
    char *name;
    dcs_source src;
    char *key_field; /* field in the table */
    char *on;        /* metric (text) of the site to match */
    dcs_attribute *attrs;
    size_t nattrs;
} dcs_join;

/* Candidate cells generated over an area of interest. */
typedef enum { DCS_GRID_NONE, DCS_GRID_SQUARE, DCS_GRID_HEXAGON } dcs_grid_shape;

typedef enum {
    DCS_OP_MIN,    /* value >= limit */
    DCS_OP_MAX,    /* value <= limit */
    DCS_OP_IN,     /* text value is one of set */
    DCS_OP_NOT_IN, /* text value is none of set */
    DCS_OP_EMPTY,  /* text value is missing (ordinances: the failed rules' sentences) */
} dcs_constraint_op;

typedef struct {
    char *name;
    char *metric;
    dcs_constraint_op op;
    double limit;  /* DCS_OP_MIN / DCS_OP_MAX */
    char **set;    /* DCS_OP_IN / DCS_OP_NOT_IN */
    size_t nset;
} dcs_constraint;

typedef enum {
    DCS_VF_LINEAR,      /* 0 at `worst`, 1 at `best`, linear between, clamped */
    DCS_VF_PIECEWISE,   /* linear between breakpoints (x, value), clamped at the ends */
    DCS_VF_STEP,        /* value of the last breakpoint with x <= metric (first below) */
    DCS_VF_CATEGORICAL, /* text metric: value from a table, `other` otherwise */
} dcs_value_fn_type;

typedef struct {
    dcs_value_fn_type type;
    double worst, best;  /* linear */
    double *x, *v;       /* piecewise, step: npoints breakpoints, x ascending */
    size_t npoints;
    char **cat;          /* categorical: ncat categories and their values in v */
    size_t ncat;
    double other;        /* categorical: value of any other category */
} dcs_value_fn;

typedef struct {
    char *name;
    char *metric;
    double weight; /* as given; normalised to sum 1 by the scoring step */
    dcs_value_fn fn;
} dcs_criterion;

/* What the GIS layer "candidates" holds as geometry (outputs.geometry):
 * the sites' polygons, their interior points (lon, lat), or nothing. */
typedef enum { DCS_OUT_POLYGONS = 0, DCS_OUT_POINTS, DCS_OUT_NONE } dcs_out_geometry;

typedef struct {
    char *path;        /* the scenario file as given */
    char *dir;         /* its directory: relative paths are taken from here */
    char *name;        /* report base name */
    char *description; /* may be NULL */

    double it_load_mw; /* IT (critical) load */
    double design_pue; /* peak PUE used for the grid request */
    double land_ha;    /* land needed; 0 = no land rule (facility.land_acres is converted) */
    char *working_crs; /* "EPSG:xxxx" etc., NULL = chosen from the data */

    struct {
        dcs_source src;     /* the site layer, or the area of interest of a grid */
        dcs_grid_shape grid; /* DCS_GRID_NONE: sites come from src */
        double cell_area_ha; /* grid cell area */
        char *id_field; /* NULL: the feature id */
        dcs_attribute *attrs;
        size_t nattrs;
    } sites;

    struct {
        dcs_source src;
        char *id_field;
        char *voltage_field;
        char *headroom_field; /* NULL: headroom unknown at every substation */
        char *name_field;     /* NULL: no substation_name */
        char *cost_field;     /* M$ added to a connection to that substation (NULL: none) */
        char *queue_field;    /* MW of load queued ahead (time to power; NULL: none) */
        char *upgrade_year_field, *upgrade_mw_field; /* a planned upgrade (NULL: none) */
        char *capacity_field; /* MW the substation can carry (flexible capacity; NULL: none) */
        dcs_substation_rule *rules; /* more nearest-substation searches */
        size_t nrules;
        double min_voltage_kv;
        int require_headroom; /* 1: headroom >= peak demand to qualify (default with a field) */
    } substations;

    /* Interconnection cost: distance x cost per km of the substation's
     * voltage class, plus an upgrade when its headroom is short. */
    struct {
        double *max_kv;      /* class upper bounds, ascending */
        double *musd_per_km; /* cost per km of line for each class */
        size_t nclasses;
        double upgrade_musd; /* substation upgrade when headroom < peak */
        int upgrade_unknown; /* 1: also when the headroom is unknown ("unknown_headroom":
                              * "upgrade"); 0 (default): not, and the run says so */
        int nearest;         /* 1: connect to the nearest ("choose": "nearest"); 0
                              * (default): the cheapest qualifying substation */
        double search_km;    /* cheapest: look no farther (0: as far as could be cheaper) */
        /* time to power (with substations.queue_field): the year counted from, and the
         * years a connection and a new transformer take */
        double start_year, connect_years, transformer_years;
        dcs_route_settings route; /* routed lines ("route"; pipeline/route_run.h) */
    } interconnection;

    /* The energy and cooling model (energy.h); enabled when the scenario
     * has an "energy" section. */
    struct {
        int enabled;
        dcs_cooling_params cooling; /* archetype defaults with the overrides */
        char **stations;            /* weather files (resolved paths) */
        size_t nstations;
        dcs_source station_table;   /* or a table listing them (dataset NULL: none) */
        char *file_field;           /* the table's field with the file paths */
        char *co2_metric;           /* lb CO2 / MWh, e.g. from an eGRID zone */
        char *price_metric;         /* $ / kWh, e.g. from a joined price table */
        char *water_stress_metric;  /* 0-5, e.g. from an Aqueduct zone */
        double accelerator_kw;      /* power of one accelerator, its server share included */
        double design_dry_bulb_c;   /* the design peak's condition (NaN: from the weather file) */
        double design_wet_bulb_c;   /* its wet bulb (NaN: the file's design humidity) */
        dcs_hourly_spec hourly;     /* hourly grid signals (src.dataset NULL: none) */
        dcs_supply_spec supply;     /* clean supply (src.dataset NULL: none) */
        /* flexible capacity (energy/flex.h; needs the system_load_mw signal): curtailment
         * budgets in % of the new load's energy and in hours, and the backup generators'
         * permitted hours (NaN: none stated) */
        struct {
            int enabled;
            double *pct, *hours;
            size_t npct, nhours;
            double generator_cap_hours;
        } flex;
    } energy;

    /* Noise at receptors (community/noise.h, pipeline/noise_run.h); enabled
     * when the scenario has a "noise" section. */
    struct {
        int enabled;
        dcs_source receptors;      /* homes or residential parcels (dataset NULL with
                                    * property_line) */
        int property_line;         /* 1: the site's own boundary is the receptor */
        double setback_m;          /* equipment placement: NaN at the centroid, else this far
                                    * inside the boundary, nearest the nearest receptor */
        dcs_cooling_archetype cooling; /* default: energy.cooling */
        double liquid_fraction;    /* liquid archetype: share of IT heat on dry coolers */
        double source_h_m, receiver_h_m, ground_g;
        double barrier_db[DCS_NOISE_BANDS]; /* insertion loss per band (0: none) */
        dcs_noise_atmosphere atmosphere;
        double night_load_fraction;   /* share of the cooling units running at night */
        double generators_tested_day; /* generator sets run together in a day-time test */
        double limit_day_dba, limit_night_dba; /* NaN: none (no margin metric) */
        double search_km;          /* receptors considered for the loudest */
    } noise;
    /* The facility's neighbours (analysis/community/; docs/scenario.md).  Each
     * section adds context layers and joins of its own at the end of contexts
     * and joins (zone "jurisdictions", join "ordinances", zone
     * "water_utilities", overlay "nonattainment"), whose metrics are ordinary. */
    struct {
        int enabled;
        char *columns[DCS_ORD_COUNT]; /* the table's column of each rule */
        char *residences_metric; /* a distance metric (km) to the nearest residence; NULL:
                                  * residence setbacks are not checked */
        double water_to_m3;      /* the table's water unit in m3 (1, or a US gallon) */
        int exclude;             /* 1 (default): rule "ordinances" excludes failing sites */
    } ordinances;
    struct {
        int enabled;
        double to_m3_day;      /* the layer's unit in m3/day (m3_day 1, mgd 3785.41...) */
        double drought_factor; /* capacity share left in a drought year (default 0.8) */
        int has_capacity, has_demand, has_spare; /* which fields are mapped */
    } water_utilities;
    struct {
        int enabled;
        dcs_gen_spec spec;         /* unit_kw, redundancy, emission factors */
        int tier;                  /* dcs_gen_tier, -1: factors given */
        double test_hours, curtail_hours;
        double permit_nox_t, permit_pm_t;       /* t/yr (default 100 and 100) */
        double na_permit_nox_t, na_permit_pm_t; /* in a nonattainment area (NaN: as above) */
        int has_nonattainment;     /* overlay "nonattainment" given */
    } generators;

    /* How robust the ranking is to the weights (sensitivity.h); enabled
     * when the scenario has a "sensitivity" section. */
    struct {
        int enabled;
        size_t runs, top_n, sweep_steps;
        unsigned long long seed;
        double perturbation; /* used when lo is NULL */
        double *lo, *hi;     /* ncriteria normalised-weight ranges, NaN: none; NULL: none given */
    } sensitivity;

    /* Pareto front on these metrics (pareto.h); n = 0: none. */
    struct {
        char **metric;
        int *maximize; /* 1: "max", 0: "min" */
        size_t n;
    } pareto;

    /* Parcel assembly into campuses (assembly.h). */
    struct {
        int enabled;
        char *owner_field; /* a field mapped in sites.attributes, or NULL */
        size_t max_parcels;
        double min_area_ha; /* default: facility.land_ha */
    } assembly;

    /* Sites competing for substation capacity (portfolio.h). */
    struct {
        int enabled;
        size_t alternatives; /* connections besides the chosen one, 0 to 4 (default 3) */
        double search_km;    /* how far alternatives may be (default 50) */
        double target_mw;    /* stop allocating at this total; NaN: none */
    } portfolio;

    int aggregation;           /* dcs_aggregation (mcda.h) */
    double *ahp_matrix;        /* ncriteria^2, row-major; NULL: direct weights */
    int ahp_accept_inconsistent;

    dcs_constant *constants; /* metrics given for every site, without a layer */
    size_t nconstants;
    dcs_context *contexts; /* overlays, distances, zones, area_weighted, rasters */
    size_t ncontexts;
    dcs_join *joins;
    size_t njoins;
    dcs_constraint *constraints;
    size_t nconstraints;
    dcs_criterion *criteria;
    size_t ncriteria;

    struct {
        int xlsx, gpkg, json;
        size_t top_n;
        int all_sites;       /* JSON: list every eligible site, not only the top N */
        size_t classes;      /* score classes of the map and the GIS styles (3 to 7) */
        char *distinct_by;   /* the text metric that groups distinct options ("substation_id") */
        double distinct_km;  /* least distance between two distinct options, km (0: any) */
        char *attribution;   /* the data's credits for the map; NULL: the input files' names */
        int html;            /* the web map report <name>.html (reports/report_html.h) */
        char *html_basemap;  /* its tile URL template ({z}/{x}/{y}) when online; NULL: none */
        char *html_basemap_attribution; /* the tiles' credits; NULL: none given */
        dcs_out_geometry geometry; /* the GIS layer "candidates": polygons, points or none */
        int eligible_points; /* write the GIS layer "eligible_points" (default 1) */
        int map;             /* draw the map with the GIS layers or the workbook (default 1) */
        size_t xlsx_rows;    /* most sites on the workbook's Ranking and Excluded sheets
                                (0: as many as Excel holds) */
    } outputs;
} dcs_scenario;

/* Most values of outputs.xlsx_rows: the rows of an Excel sheet (1,048,576)
 * under its header. */
#define DCS_XLSX_ROWS_MAX 1048575

/* International acre in hectares (4046.8564224 m2, exact). */
#define DCS_HA_PER_ACRE 0.40468564224

/* Peak facility demand in MW: IT load times design PUE. */
double dcs_scenario_peak_mw(const dcs_scenario *scn);

/* Read and check the scenario at path.  On failure returns
 * DCS_ERR_SCENARIO (or DCS_ERR_NOMEM) with every problem in `problems`
 * (may be NULL) and the first in err. */
dcs_status dcs_scenario_load(const char *path, dcs_scenario *scn, dcs_strlist *problems,
                             dcs_error *err);

/* Same, from a JSON text; relative paths resolve against base_dir. */
dcs_status dcs_scenario_parse(const char *text, const char *base_dir, const char *path,
                              dcs_scenario *scn, dcs_strlist *problems, dcs_error *err);

/* A path named inside the scenario's data (e.g. in a station table),
 * resolved like the scenario's own datasets; caller frees. */
char *dcs_scenario_resolve(const dcs_scenario *scn, const char *name);

void dcs_scenario_free(dcs_scenario *scn);

const char *dcs_constraint_op_name(dcs_constraint_op op);

#endif
