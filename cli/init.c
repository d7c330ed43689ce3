/* init.c - dcsite init: a starter scenario from inspected layers. See init.h. */
#include "init.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inputs/guess.h"
#include "inputs/inspect.h"
#include "output.h"

/* Longest name given to a context layer: room left for the suffixes the
 * engine adds (_nodata_pct) within its 40 characters. */
#define NAME_MAX_LEN 24
#define MAX_ATTRS 64

/* A text or number a site gets (a site or zone attribute), for joins. */
typedef struct {
    char field[128];
    char metric[48];
    int text;
} attr_rec;

typedef struct {
    const dcs_init_request *rq;
    char dir[PATH_MAX]; /* the scenario's directory, absolute */
    cJSON *doc, *sites, *site_attrs, *overlays, *distances, *zones, *weighted, *rasters, *joins,
        *criteria, *stations;
    dcs_init_result *res;
    dcs_strlist names; /* names used: contexts and metrics */
    const dcs_inspected *site, *subs;
    attr_rec attrs[MAX_ATTRS];
    size_t nattrs;
    char pop_metric[48], flood_metric[48], slope_metric[48], price_metric[48];
    int nomem;
} builder;

static void line(builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(builder *b, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (dcs_strlist_addf(&b->res->lines, "%s", text) != 0)
        b->nomem = 1;
    if (strncmp(text, "guess: ", 7) == 0)
        b->res->nguesses++;
}

/* "dataset [layer L]" for messages. */
static const char *where_of(const dcs_inspected *in, char *buf, size_t size)
{
    if (in->layer[0] && in->nlayers > 1)
        snprintf(buf, size, "%s [layer %s]", in->dataset, in->layer);
    else
        snprintf(buf, size, "%s", in->dataset);
    return buf;
}

/* "layer L: numeric, 87% set, max 345" */
static const char *field_desc(const dcs_inspected *in, long k, char *buf, size_t size)
{
    const dcs_field_info *f = &in->fields[k];
    double share = in->nread ? 100.0 * (double)f->nset / (double)in->nread : 0;
    const char *kind = f->kind == DCS_FK_TEXT ? "text" : f->kind == DCS_FK_OTHER ? "other"
                                                                                : "numeric";
    int n = snprintf(buf, size, "layer %s: %s, %.0f%% set", in->layer[0] ? in->layer : "?", kind,
                     share);
    if (n < 0 || (size_t)n >= size)
        return buf;
    if (f->ndistinct == f->nset && f->nset == in->nread && f->kind != DCS_FK_REAL)
        snprintf(buf + n, size - (size_t)n, ", unique in %s %lld features",
                 in->nread < in->nfeatures ? "the first" : "all", in->nread);
    else if (f->kind == DCS_FK_TEXT)
        snprintf(buf + n, size - (size_t)n, ", %lld distinct values", f->ndistinct);
    else if (f->kind != DCS_FK_OTHER && !isnan(f->max))
        snprintf(buf + n, size - (size_t)n, ", %g to %g", f->min, f->max);
    return buf;
}

/* A name not used yet, from base (suffixed _2, _3 ... when taken). */
static void unique_name(builder *b, const char *base, char *out, size_t size)
{
    char name[64];
    dcs_guess_name(base, NAME_MAX_LEN, name, sizeof name);
    snprintf(out, size, "%s", name);
    for (int k = 2;; k++) {
        int used = 0;
        for (size_t i = 0; i < b->names.count && !used; i++)
            used = strcmp(b->names.items[i], out) == 0;
        if (!used)
            break;
        snprintf(out, size, "%s_%d", name, k);
    }
    if (dcs_strlist_addf(&b->names, "%s", out) != 0)
        b->nomem = 1;
}

/* path as the scenario should name it: relative to its directory when it
 * is a file here, unchanged otherwise (connection strings, /vsi...). */
static void scenario_path(const builder *b, const char *path, char *out, size_t size)
{
    char abs[PATH_MAX];
    if (strncmp(path, "/vsi", 4) == 0 || !realpath(path, abs)) {
        snprintf(out, size, "%s", path);
        return;
    }
    const char *d = b->dir;
    size_t i = 0, last = 0;
    while (d[i] && abs[i] && d[i] == abs[i])
        if (abs[i++] == '/')
            last = i;
    if (!d[i] && abs[i] == '/')
        last = i + 1;
    size_t n = 0, ups = 0;
    for (const char *p = d + last; *p; p++)
        ups += *p == '/';
    ups += d[last] != '\0';
    out[0] = '\0';
    for (size_t k = 0; k < ups && n + 4 < size; k++)
        n += (size_t)snprintf(out + n, size - n, "../");
    snprintf(out + n, size - n, "%s", abs + last);
}

static cJSON *source(builder *b, const dcs_inspected *in)
{
    char path[PATH_MAX];
    cJSON *o = cJSON_CreateObject();
    scenario_path(b, in->dataset, path, sizeof path);
    cJSON_AddStringToObject(o, "dataset", path);
    if (in->kind == DCS_INSPECT_VECTOR)
        cJSON_AddStringToObject(o, "layer", in->layer);
    return o;
}

/* ---- the site layer ------------------------------------------------------ */

/* Remember a metric taken from a field, for the joins. */
static void record_attr(builder *b, const dcs_field_info *f, const char *metric)
{
    if (b->nattrs == MAX_ATTRS)
        return;
    attr_rec *a = &b->attrs[b->nattrs++];
    *a = (attr_rec){.text = f->kind == DCS_FK_TEXT};
    snprintf(a->field, sizeof a->field, "%s", f->name);
    snprintf(a->metric, sizeof a->metric, "%s", metric);
}

static void map_site_attr(builder *b, dcs_field_role role, const char *metric_base)
{
    long k = dcs_guess_field(b->site, role);
    char desc[256], metric[48];
    if (k < 0) {
        line(b, "not guessed: sites.attributes: no %s field in layer %s",
             dcs_guess_role_name(role), b->site->layer);
        return;
    }
    const dcs_field_info *f = &b->site->fields[k];
    unique_name(b, metric_base, metric, sizeof metric);
    cJSON_AddStringToObject(b->site_attrs, metric, f->name);
    line(b, "guess: sites.attributes.%s = \"%s\" (%s)", metric, f->name,
         field_desc(b->site, k, desc, sizeof desc));
    record_attr(b, f, metric);
}

static void build_sites(builder *b)
{
    char desc[256];
    b->sites = source(b, b->site);
    long id = dcs_guess_field(b->site, DCS_ROLE_ID);
    if (id >= 0) {
        cJSON_AddStringToObject(b->sites, "id_field", b->site->fields[id].name);
        line(b, "guess: sites.id_field = \"%s\" (%s)", b->site->fields[id].name,
             field_desc(b->site, id, desc, sizeof desc));
    } else {
        line(b, "not guessed: sites.id_field: no field of layer %s is set and unique in every "
                "feature; the sites are named by their feature ids",
             b->site->layer);
    }
    b->site_attrs = cJSON_AddObjectToObject(b->sites, "attributes");
    map_site_attr(b, DCS_ROLE_ZONING, "zoning");
    map_site_attr(b, DCS_ROLE_LAND_COST, "land_cost");
    map_site_attr(b, DCS_ROLE_OWNER, "owner");
}

/* ---- context layers ------------------------------------------------------- */

/* max voltage above 2000: the field holds volts, not kV. */
static void substation_voltage(builder *b, cJSON *o, const dcs_inspected *in, long v)
{
    char desc[256];
    const dcs_field_info *f = &in->fields[v];
    cJSON_AddStringToObject(o, "voltage_field", f->name);
    line(b, "guess: substations.voltage_field = \"%s\" (%s)", f->name,
         field_desc(in, v, desc, sizeof desc));
    if (f->max > 2000) {
        line(b, "not guessed: substations.min_voltage_kv: \"%s\" goes up to %g, which looks like "
                "volts; dcsite expects kV (convert the field, then set a floor)",
             f->name, f->max);
    } else if (f->max >= 115) {
        cJSON_AddNumberToObject(o, "min_voltage_kv", 115);
        line(b, "guess: substations.min_voltage_kv = 115 (a 100 MW load is served at 115 kV or "
                "above; the layer goes up to %g kV)", f->max);
    } else {
        line(b, "not guessed: substations.min_voltage_kv: no substation reaches 115 kV (highest "
                "%g); every substation qualifies", f->max);
    }
}

static void build_substations(builder *b, const dcs_inspected *in)
{
    char desc[256], w[1200];
    cJSON *o = source(b, in);
    b->subs = in;
    line(b, "guess: substations = %s (points with a voltage field)",
         where_of(in, w, sizeof w));
    long id = dcs_guess_field(in, DCS_ROLE_ID);
    if (id >= 0) {
        cJSON_AddStringToObject(o, "id_field", in->fields[id].name);
        line(b, "guess: substations.id_field = \"%s\" (%s)", in->fields[id].name,
             field_desc(in, id, desc, sizeof desc));
    }
    long name = dcs_guess_field(in, DCS_ROLE_NAME);
    if (name >= 0) {
        cJSON_AddStringToObject(o, "name_field", in->fields[name].name);
        line(b, "guess: substations.name_field = \"%s\" (%s: substation_name)",
             in->fields[name].name, field_desc(in, name, desc, sizeof desc));
    }
    substation_voltage(b, o, in, dcs_guess_field(in, DCS_ROLE_VOLTAGE));
    long h = dcs_guess_field(in, DCS_ROLE_HEADROOM);
    if (h >= 0) {
        cJSON_AddStringToObject(o, "headroom_field", in->fields[h].name);
        line(b, "guess: substations.headroom_field = \"%s\" (%s, read as MW)",
             in->fields[h].name, field_desc(in, h, desc, sizeof desc));
    } else {
        cJSON_AddBoolToObject(o, "require_headroom", 0);
        line(b, "not guessed: substations.headroom_field: no field of layer %s is named like "
                "headroom or capacity (public data such as HIFLD has none); require_headroom = "
                "false: each site takes the nearest substation meeting the voltage floor",
             in->layer);
    }
    cJSON_ReplaceItemInObjectCaseSensitive(b->doc, "substations", o);
}

static cJSON *context(builder *b, cJSON *array, const dcs_inspected *in, const char *base,
                      char *name, size_t size)
{
    cJSON *o = cJSON_CreateObject();
    unique_name(b, base, name, size);
    cJSON_AddStringToObject(o, "name", name);
    cJSON *src = source(b, in);
    cJSON *item;
    cJSON_ArrayForEach(item, src)
        cJSON_AddItemToObject(o, item->string, cJSON_Duplicate(item, 1));
    cJSON_Delete(src);
    cJSON_AddItemToArray(array, o);
    return o;
}

static void build_distance(builder *b, const dcs_inspected *in)
{
    char name[48], w[1200];
    context(b, b->distances, in, in->layer, name, sizeof name);
    line(b, "guess: distances \"%s\" = %s (%s: %s_km, the distance to the nearest feature)", name,
         where_of(in, w, sizeof w), in->shape == DCS_SHAPE_LINE ? "lines" : "features", name);
}

static void build_weighted(builder *b, const dcs_inspected *in)
{
    char name[48], desc[256], w[1200];
    long k = dcs_guess_field(in, DCS_ROLE_POPULATION);
    cJSON *o = context(b, b->weighted, in, b->pop_metric[0] ? in->layer : "population_2km", name,
                       sizeof name);
    cJSON_AddStringToObject(o, "field", in->fields[k].name);
    cJSON_AddNumberToObject(o, "radius_km", 2);
    line(b, "guess: area_weighted \"%s\" = %s, field \"%s\" within 2 km (%s)", name,
         where_of(in, w, sizeof w), in->fields[k].name, field_desc(in, k, desc, sizeof desc));
    if (!b->pop_metric[0])
        snprintf(b->pop_metric, sizeof b->pop_metric, "%s", name);
}

static void build_overlay(builder *b, const dcs_inspected *in)
{
    char name[48], w[1200];
    int flood = dcs_guess_is_flood(in->layer) || dcs_guess_is_flood(in->dataset) ||
                dcs_guess_field(in, DCS_ROLE_FLOOD) >= 0;
    context(b, b->overlays, in, in->layer, name, sizeof name);
    line(b, "guess: overlays \"%s\" = %s (%s: %s_pct, the share of each site inside)", name,
         where_of(in, w, sizeof w), flood ? "a flood map" : "polygons without attributes",
         name);
    if (flood && !b->flood_metric[0])
        snprintf(b->flood_metric, sizeof b->flood_metric, "%s_pct", name);
}

/* Up to 4 fields of a zone layer: set, text or numbers, not storage. */
static void build_zone(builder *b, const dcs_inspected *in)
{
    char name[48], desc[256], w[1200];
    cJSON *o = context(b, b->zones, in, in->layer, name, sizeof name);
    cJSON_AddStringToObject(o, "outside", "neutral");
    cJSON *attrs = cJSON_AddObjectToObject(o, "attributes");
    line(b, "guess: zones \"%s\" = %s (polygons with attributes; outside = neutral: a site in "
            "no polygon is not excluded)",
         name, where_of(in, w, sizeof w));
    int n = 0;
    for (size_t k = 0; k < in->nfields && n < 4; k++) {
        const dcs_field_info *f = &in->fields[k];
        if (!dcs_guess_zone_field(in, k))
            continue;
        char base[200], metric[48];
        snprintf(base, sizeof base, "%s_%s", name, f->name);
        unique_name(b, base, metric, sizeof metric);
        cJSON_AddStringToObject(attrs, metric, f->name);
        line(b, "guess: zones \"%s\".attributes.%s = \"%s\" (%s)", name, metric, f->name,
             field_desc(in, (long)k, desc, sizeof desc));
        record_attr(b, f, metric);
        n++;
    }
}

static void build_raster(builder *b, const dcs_inspected *in)
{
    char name[48], base[256];
    int elev = dcs_guess_is_elevation(in->dataset);
    const char *file = strrchr(in->dataset, '/');
    snprintf(base, sizeof base, "%s", file ? file + 1 : in->dataset);
    char *dot = strchr(base, '.');
    if (dot)
        *dot = '\0';
    cJSON *o = context(b, b->rasters, in, elev ? "slope_deg" : base, name, sizeof name);
    if (elev)
        cJSON_AddBoolToObject(o, "slope", 1);
    cJSON *stats = cJSON_AddArrayToObject(o, "stats");
    cJSON_AddItemToArray(stats, cJSON_CreateString("mean"));
    cJSON_AddItemToArray(stats, cJSON_CreateString("max"));
    cJSON_AddStringToObject(o, "outside", "neutral");
    line(b, "guess: rasters \"%s\" = %s (%d x %d pixels, %d band%s%s: %s_mean, %s_max; outside = "
            "neutral)",
         name, in->dataset, in->width, in->height, in->nbands, in->nbands == 1 ? "" : "s, band 1",
         elev ? ", named like an elevation model: its slope in degrees" : "", name, name);
    if (elev && !b->slope_metric[0])
        snprintf(b->slope_metric, sizeof b->slope_metric, "%s_mean", name);
}

static void build_station(builder *b, const dcs_inspected *in)
{
    char path[PATH_MAX];
    scenario_path(b, in->dataset, path, sizeof path);
    cJSON_AddItemToArray(b->stations, cJSON_CreateString(path));
    line(b, "guess: energy.stations += \"%s\" (%s weather file; each site takes its nearest "
            "station)",
         path, in->weather_epw ? "EPW" : "TMY3");
}

/* Normalised names equal: "County_FIPS" = "countyfips". */
static int same_name(const char *a, const char *b)
{
    for (;; a++, b++) {
        while (*a && !((*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z') ||
                       (*a >= '0' && *a <= '9')))
            a++;
        while (*b && !((*b >= 'a' && *b <= 'z') || (*b >= 'A' && *b <= 'Z') ||
                       (*b >= '0' && *b <= '9')))
            b++;
        if ((*a | 32) != (*b | 32) || !*a || !*b)
            return !*a && !*b;
    }
}

/* One name ends with the other, of at least 4 letters and digits:
 * "county_fips" and "FIPS". */
static int name_ends_alike(const char *a, const char *b)
{
    char x[128], y[128];
    dcs_guess_name(a, 100, x, sizeof x);
    dcs_guess_name(b, 100, y, sizeof y);
    size_t nx = strlen(x), ny = strlen(y);
    if (nx < ny) {
        const char *t = a;
        a = b;
        b = t;
        return name_ends_alike(a, b);
    }
    return ny >= 4 && strcmp(x + nx - ny, y) == 0 && (nx == ny || x[nx - ny - 1] == '_');
}

/* A text metric of the sites with the name of one of the table's fields
 * (else a name ending alike): the key.  The site layer's own text fields
 * are mapped when they match. */
static const attr_rec *join_key(builder *b, const dcs_inspected *in, long *key)
{
    for (int loose = 0; loose < 2; loose++)
        for (size_t k = 0; k < in->nfields; k++)
            for (size_t a = 0; a < b->nattrs; a++)
                if (b->attrs[a].text &&
                    (loose ? name_ends_alike(in->fields[k].name, b->attrs[a].field)
                           : same_name(in->fields[k].name, b->attrs[a].field))) {
                    *key = (long)k;
                    return &b->attrs[a];
                }
    for (size_t k = 0; k < in->nfields; k++)
        for (size_t s = 0; s < b->site->nfields; s++)
            if (b->site->fields[s].kind == DCS_FK_TEXT &&
                same_name(in->fields[k].name, b->site->fields[s].name) && b->nattrs < MAX_ATTRS) {
                const dcs_field_info *f = &b->site->fields[s];
                char metric[48];
                unique_name(b, f->name, metric, sizeof metric);
                cJSON_AddStringToObject(b->site_attrs, metric, f->name);
                line(b, "guess: sites.attributes.%s = \"%s\" (the key of table %s)", metric,
                     f->name, in->layer);
                record_attr(b, f, metric);
                *key = (long)k;
                return &b->attrs[b->nattrs - 1];
            }
    return NULL;
}

static void build_join(builder *b, const dcs_inspected *in)
{
    char name[48], metric[48], desc[256], w[1200];
    long key = -1, price = dcs_guess_field(in, DCS_ROLE_PRICE);
    const attr_rec *on = join_key(b, in, &key);
    if (!on) {
        line(b, "skipped: %s: a table with a price (\"%s\") but no field named like a text "
                "field of the sites or zones to join it on",
             where_of(in, w, sizeof w), in->fields[price].name);
        return;
    }
    cJSON *o = context(b, b->joins, in, in->layer, name, sizeof name);
    cJSON_AddStringToObject(o, "key_field", in->fields[key].name);
    cJSON_AddStringToObject(o, "on", on->metric);
    unique_name(b, in->fields[price].name, metric, sizeof metric);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "attributes"), metric,
                            in->fields[price].name);
    line(b, "guess: joins \"%s\" = %s on %s = \"%s\", attributes.%s = \"%s\" (%s)", name,
         where_of(in, w, sizeof w), on->metric, in->fields[key].name, metric,
         in->fields[price].name, field_desc(in, price, desc, sizeof desc));
    if (!b->price_metric[0])
        snprintf(b->price_metric, sizeof b->price_metric, "%s", metric);
}

static void build_context(builder *b, const dcs_inspected *in, int joins)
{
    char why[256], w[1200];
    dcs_layer_use use = dcs_guess_use(in, why, sizeof why);
    if ((use == DCS_USE_JOIN) != joins)
        return;
    if (use == DCS_USE_SUBSTATIONS && b->subs)
        use = DCS_USE_DISTANCE; /* a second layer of substations: how far to the nearest */
    switch (use) {
    case DCS_USE_NONE:
        line(b, "skipped: %s: %s", where_of(in, w, sizeof w), why);
        break;
    case DCS_USE_SUBSTATIONS:
        build_substations(b, in);
        break;
    case DCS_USE_DISTANCE:
        build_distance(b, in);
        break;
    case DCS_USE_AREA_WEIGHTED:
        build_weighted(b, in);
        break;
    case DCS_USE_OVERLAY:
        build_overlay(b, in);
        break;
    case DCS_USE_ZONE:
        build_zone(b, in);
        break;
    case DCS_USE_JOIN:
        build_join(b, in);
        break;
    case DCS_USE_RASTER:
        build_raster(b, in);
        break;
    case DCS_USE_STATION:
        build_station(b, in);
        break;
    }
}

/* ---- criteria ------------------------------------------------------------ */

static void criterion(builder *b, const char *name, const char *metric, double weight,
                      double worst, double best, const char *why)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "name", name);
    cJSON_AddStringToObject(c, "metric", metric);
    cJSON_AddNumberToObject(c, "weight", weight);
    cJSON *v = cJSON_AddObjectToObject(c, "value");
    cJSON_AddStringToObject(v, "type", "linear");
    cJSON_AddNumberToObject(v, "worst", worst);
    cJSON_AddNumberToObject(v, "best", best);
    cJSON_AddItemToArray(b->criteria, c);
    line(b, "guess: criteria \"%s\" on %s, weight %g, linear from %g (worst) to %g (best): %s",
         name, metric, weight, worst, best, why);
}

static void build_criteria(builder *b)
{
    if (b->subs)
        criterion(b, "grid_distance", "substation_km", 0.35, 30, 0,
                  "the nearer a qualifying substation, the cheaper the line");
    if (b->pop_metric[0])
        criterion(b, "neighbours", b->pop_metric, 0.2, 20000, 0,
                  "fewer people within 2 km, fewer objections to noise and traffic");
    if (b->flood_metric[0])
        criterion(b, "flood_risk", b->flood_metric, 0.2, 100, 0, "the less of the site in the "
                                                                 "flood map, the better");
    if (b->slope_metric[0])
        criterion(b, "terrain", b->slope_metric, 0.1, 10, 0, "flat ground is cheaper to build");
    long k = dcs_guess_field(b->site, DCS_ROLE_LAND_COST);
    const dcs_field_info *f = k >= 0 ? &b->site->fields[k] : NULL;
    const cJSON *m = NULL;
    for (m = f ? b->site_attrs->child : NULL; m && strcmp(m->valuestring, f->name) != 0;)
        m = m->next;
    if (m && f->min < f->max)
        criterion(b, "land_cost", m->string, 0.15, f->max, f->min,
                  "from the dearest to the cheapest parcel of the layer");
    if (cJSON_GetArraySize(b->criteria) == 0)
        criterion(b, "site_area", "area_ha", 1, 0, 20,
                  "nothing else to rank on: larger sites first, up to 20 ha");
}

/* ---- the document --------------------------------------------------------- */

static void build_head(builder *b)
{
    char stem[256], name[64], desc[1400];
    const char *file = strrchr(b->rq->output, '/');
    snprintf(stem, sizeof stem, "%s", file ? file + 1 : b->rq->output);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = '\0';
    dcs_guess_name(stem, 40, name, sizeof name);
    cJSON_AddStringToObject(b->doc, "name", name);
    snprintf(desc, sizeof desc,
             "Starter scenario written by dcsite init from %s and %zu more dataset%s: review "
             "every guess it printed.",
             b->rq->sites, b->rq->ndatasets, b->rq->ndatasets == 1 ? "" : "s");
    cJSON_AddStringToObject(b->doc, "description", desc);
    cJSON *f = cJSON_AddObjectToObject(b->doc, "facility");
    cJSON_AddNumberToObject(f, "it_load_mw", 100);
    cJSON_AddNumberToObject(f, "design_pue", 1.3);
    line(b, "guess: facility.it_load_mw = 100, design_pue = 1.3 (defaults: set the IT load you "
            "plan; peak demand = IT load x design PUE)");
    line(b, "not guessed: facility.land_ha: left out, so no site is excluded for its size; set "
            "it to add the rule area_ha >= land_ha");
    cJSON_AddStringToObject(b->doc, "working_crs", "auto");
}

static void build_tail(builder *b)
{
    if (!b->subs)
        cJSON_DeleteItemFromObjectCaseSensitive(b->doc, "substations");
    if (!b->subs)
        line(b, "not guessed: substations: no point layer with a voltage field among the "
                "datasets; add one (dataset, layer, voltage_field) before check");
    if (cJSON_GetArraySize(b->stations) > 0) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "cooling", "water_economizer");
        cJSON_AddItemToObject(e, "stations", b->stations);
        b->stations = NULL; /* the document owns it now */
        if (b->price_metric[0])
            cJSON_AddStringToObject(e, "price_metric", b->price_metric);
        cJSON_AddItemToObject(b->doc, "energy", e);
        line(b, "guess: energy.cooling = \"water_economizer\" (cooling towers; see "
                "docs/methods.md for the others)%s%s",
             b->price_metric[0] ? ", price_metric = " : "", b->price_metric);
    }
    line(b, "not guessed: constraints: none, so every site stays eligible; add rules once you "
            "have seen the metrics (e.g. {\"metric\": \"%s\", \"max\": 10})",
         b->flood_metric[0] ? b->flood_metric : "substation_km");
    b->criteria = cJSON_AddArrayToObject(b->doc, "criteria");
    build_criteria(b);
    cJSON_AddStringToObject(b->doc, "aggregation", "weighted_sum");
    cJSON *o = cJSON_AddObjectToObject(b->doc, "outputs");
    cJSON_AddBoolToObject(o, "xlsx", 1);
    cJSON_AddBoolToObject(o, "gpkg", 1);
    cJSON_AddBoolToObject(o, "json", 1);
    cJSON_AddNumberToObject(o, "top_n", 10);
}

/* Sections in the scenario's order; empty ones are dropped at the end. */
static void add_sections(builder *b)
{
    b->overlays = cJSON_AddArrayToObject(b->doc, "overlays");
    b->distances = cJSON_AddArrayToObject(b->doc, "distances");
    b->zones = cJSON_AddArrayToObject(b->doc, "zones");
    b->weighted = cJSON_AddArrayToObject(b->doc, "area_weighted");
    b->rasters = cJSON_AddArrayToObject(b->doc, "rasters");
    b->joins = cJSON_AddArrayToObject(b->doc, "joins");
    b->stations = cJSON_CreateArray();
}

static void drop_empty(cJSON *doc)
{
    static const char *const keys[] = {"overlays", "zones", "distances", "area_weighted",
                                       "rasters", "joins"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, keys[i])) == 0)
            cJSON_DeleteItemFromObjectCaseSensitive(doc, keys[i]);
}

/* ---- inspection ------------------------------------------------------------ */

static const char *extent_text(const dcs_inspected *in, char *buf, size_t size)
{
    buf[0] = '\0';
    if (in->has_extent)
        snprintf(buf, size, ", extent (lon/lat) %.5f, %.5f - %.5f, %.5f", in->minlon, in->minlat,
                 in->maxlon, in->maxlat);
    return buf;
}

static void describe(builder *b, const dcs_inspected *in)
{
    char w[1200], e[128];
    if (in->kind == DCS_INSPECT_WEATHER)
        line(b, "layer: %s: %s weather file", in->dataset, in->weather_epw ? "EPW" : "TMY3");
    else if (in->kind == DCS_INSPECT_RASTER)
        line(b, "layer: %s: raster %d x %d, %d band%s, CRS %s%s", in->dataset, in->width,
             in->height, in->nbands, in->nbands == 1 ? "" : "s", in->crs[0] ? in->crs : "none",
             extent_text(in, e, sizeof e));
    else
        line(b, "layer: %s: %lld features, %s, %zu fields, CRS %s%s", where_of(in, w, sizeof w),
             in->nfeatures, in->geom_type, in->nfields, in->crs[0] ? in->crs : "none",
             extent_text(in, e, sizeof e));
}

/* The site layer: the first polygon layer of the dataset with features. */
static dcs_status pick_sites(const dcs_inspection *list, size_t n, const char *path,
                             long *pick, dcs_error *err)
{
    dcs_strlist seen = {0};
    const dcs_inspected *empty = NULL;
    *pick = -1;
    for (size_t i = 0; i < n && *pick < 0; i++) {
        const dcs_inspected *in = &list->items[i];
        dcs_strlist_addf(&seen, "%s (%s)", in->kind == DCS_INSPECT_VECTOR ? in->layer : "raster",
                         in->kind == DCS_INSPECT_VECTOR ? in->geom_type : "pixels");
        if (in->kind == DCS_INSPECT_VECTOR && in->shape == DCS_SHAPE_POLYGON &&
            in->nfeatures > 0 && !in->problem[0])
            *pick = (long)i;
        else if (in->kind == DCS_INSPECT_VECTOR && in->shape == DCS_SHAPE_POLYGON && !empty)
            empty = in;
    }
    char *names = dcs_strlist_join(&seen, ", ");
    dcs_status st = DCS_OK;
    if (*pick >= 0)
        st = DCS_OK;
    else if (empty && empty->problem[0])
        st = dcs_error_set(err, DCS_ERR_DATA, "sites: layer '%s' of '%s' cannot be used: %s",
                           empty->layer, path, empty->problem);
    else if (empty)
        st = dcs_error_set(err, DCS_ERR_DATA, "sites: layer '%s' of '%s' has no features",
                           empty->layer, path);
    else
        st = dcs_error_set(err, DCS_ERR_DATA,
                           "sites: '%s' has no polygon layer (it holds: %s); the candidate sites "
                           "must be polygons",
                           path, names && *names ? names : "nothing");
    free(names);
    dcs_strlist_free(&seen);
    return st;
}

static dcs_status output_dir(builder *b, dcs_error *err)
{
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", b->rq->output);
    const char *d = dirname(copy);
    if (!realpath(d, b->dir))
        return dcs_error_set(err, DCS_ERR_IO, "cannot write '%s': directory '%s': %s",
                             b->rq->output, d, strerror(errno));
    if (!b->rq->force && access(b->rq->output, F_OK) == 0)
        return dcs_error_set(err, DCS_ERR_IO,
                             "'%s' exists already; give --force to replace it, or -o another "
                             "file",
                             b->rq->output);
    return DCS_OK;
}

static dcs_status inspect_all(const dcs_init_request *rq, dcs_inspection *list, long *site,
                              dcs_error *err)
{
    dcs_status st = dcs_inspect_dataset(rq->sites, list, err);
    if (st != DCS_OK) {
        dcs_error_prefix(err, "sites: ");
        return st;
    }
    st = pick_sites(list, list->n, rq->sites, site, err);
    for (size_t i = 0; st == DCS_OK && i < rq->ndatasets; i++)
        st = dcs_inspect_dataset(rq->datasets[i], list, err);
    return st;
}

dcs_status dcs_init_build(const dcs_init_request *rq, dcs_init_result *out, dcs_error *err)
{
    memset(out, 0, sizeof *out);
    builder b = {.rq = rq, .res = out};
    dcs_inspection list = {0};
    long site = -1;
    dcs_status st = output_dir(&b, err);
    if (st == DCS_OK)
        st = inspect_all(rq, &list, &site, err);
    if (st == DCS_OK && !(out->doc = b.doc = cJSON_CreateObject()))
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    if (st != DCS_OK)
        goto done;
    b.site = &list.items[site];
    for (size_t i = 0; i < list.n; i++)
        describe(&b, &list.items[i]);
    build_head(&b);
    build_sites(&b);
    cJSON_AddItemToObject(b.doc, "sites", b.sites);
    cJSON_AddNullToObject(b.doc, "substations"); /* its place; filled or dropped */
    add_sections(&b);
    for (int joins = 0; joins < 2; joins++)
        for (size_t i = 0; i < list.n; i++)
            if ((long)i != site)
                build_context(&b, &list.items[i], joins);
    build_tail(&b);
    drop_empty(b.doc);
    if (b.nomem)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
done:
    cJSON_Delete(b.stations);
    dcs_strlist_free(&b.names);
    dcs_inspection_free(&list);
    return st;
}

dcs_status dcs_init_write(const dcs_init_result *res, const char *path, int force,
                          dcs_error *err)
{
    char tmp[PATH_MAX + 64], copy[PATH_MAX], copy2[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", path);
    snprintf(copy2, sizeof copy2, "%s", path);
    snprintf(tmp, sizeof tmp, "%s/.%s.part-%ld", dirname(copy), basename(copy2), (long)getpid());
    char *text = cJSON_Print(res->doc);
    if (!text)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    dcs_output_begin(tmp);
    FILE *fp = fopen(tmp, "w");
    size_t n = strlen(text);
    int ok = fp && fwrite(text, 1, n, fp) == n && fputc('\n', fp) != EOF;
    int e = errno;
    ok = (fp && fclose(fp) == 0) && ok;
    cJSON_free(text);
    if (!ok) {
        dcs_output_discard(tmp);
        return dcs_error_set(err, DCS_ERR_IO, "cannot write '%s': %s", tmp, strerror(e));
    }
    if (force)
        return dcs_output_commit(tmp, path, err);
    dcs_status st = DCS_OK;
    int le = link(tmp, path) == 0 ? 0 : errno; /* link: never replaces a file */
    if (le == EEXIST)
        st = dcs_error_set(err, DCS_ERR_IO,
                           "'%s' exists already; give --force to replace it, or -o another file",
                           path);
    else if (le)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot write '%s': %s", path, strerror(le));
    dcs_output_discard(tmp);
    return st;
}

void dcs_init_free(dcs_init_result *res)
{
    cJSON_Delete(res->doc);
    dcs_strlist_free(&res->lines);
    memset(res, 0, sizeof *res);
}
