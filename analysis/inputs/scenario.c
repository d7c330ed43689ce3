/* scenario.c - strict reading of the scenario JSON. See scenario.h. */
#include "inputs/scenario.h"

#include "inputs/jsoncheck.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PATH_MAX_LEN 256

/* Problems are collected here while reading; `nomem` latches. */
typedef struct {
    dcs_strlist *problems;
    int nproblems;
    int nomem;
} reader;

static void problem(reader *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(reader *r, const char *path, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    r->nproblems++;
    if (dcs_strlist_addf(r->problems, "%s%s%s", path, *path ? ": " : "", text) != 0)
        r->nomem = 1;
}

/* "a number", "an object", ... for "expected X" messages. */
static const char *type_name(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsBool(v))
        return "true or false";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsObject(v))
        return "an object";
    return "an invalid value";
}

/* The value as it appears in the file, for "got X" (short values only). */
static void describe(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsString(v))
        snprintf(buf, size, "\"%.60s\"", v->valuestring);
    else if (cJSON_IsNumber(v))
        snprintf(buf, size, "%.17g", v->valuedouble);
    else if (cJSON_IsBool(v))
        snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else
        snprintf(buf, size, "%s", type_name(v));
}

static void wrong_type(reader *r, const char *path, const char *expected, const cJSON *got)
{
    char seen[96];
    describe(got, seen, sizeof seen);
    problem(r, path, "expected %s, got %s", expected, seen);
}

static void join_path(char *out, const char *base, const char *key)
{
    snprintf(out, PATH_MAX_LEN, "%s%s%s", base, *base ? "." : "", key);
}

static void index_path(char *out, const char *base, size_t i)
{
    snprintf(out, PATH_MAX_LEN, "%s[%zu]", base, i);
}

/* Report keys of obj not in allowed (NULL-terminated); repeated keys are
 * found for the whole tree by dcs_json_duplicate_keys(). */
static void check_keys(reader *r, const cJSON *obj, const char *path, const char *const *allowed)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        char kp[PATH_MAX_LEN];
        join_path(kp, path, c->string);
        int known = 0;
        for (size_t i = 0; allowed[i]; i++)
            known |= strcmp(allowed[i], c->string) == 0;
        if (!known) {
            char list[512] = "";
            for (size_t i = 0; allowed[i]; i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, allowed[i], sizeof list - strlen(list) - 1);
            }
            problem(r, kp, "unknown key (expected one of: %s)", list);
        }
    }
}

/* Look up key; report when required and missing. */
static const cJSON *member(reader *r, const cJSON *obj, const char *path, const char *key,
                           int required, const char *expected)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v && required) {
        char kp[PATH_MAX_LEN];
        join_path(kp, path, key);
        problem(r, kp, "required key is missing (expected %s)", expected);
    }
    return v;
}

static int read_string(reader *r, const cJSON *obj, const char *path, const char *key,
                       int required, char **out)
{
    const cJSON *v = member(r, obj, path, key, required, "a string");
    char kp[PATH_MAX_LEN];
    join_path(kp, path, key);
    if (!v)
        return 0;
    if (!cJSON_IsString(v)) {
        wrong_type(r, kp, "a string", v);
        return 0;
    }
    if (required && v->valuestring[0] == '\0') {
        problem(r, kp, "must not be empty");
        return 0;
    }
    *out = dcs_strdup(v->valuestring);
    if (!*out)
        r->nomem = 1;
    return *out != NULL;
}

/* Reads a number into *out (left unchanged when absent) and checks it
 * lies in [lo, hi]. */
static int read_number(reader *r, const cJSON *obj, const char *path, const char *key,
                       int required, double lo, double hi, double *out)
{
    const cJSON *v = member(r, obj, path, key, required, "a number");
    char kp[PATH_MAX_LEN];
    join_path(kp, path, key);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v)) {
        wrong_type(r, kp, "a number", v);
        return 0;
    }
    if (!isfinite(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi) {
        problem(r, kp, "%g is out of range (expected %g to %g)", v->valuedouble, lo, hi);
        return 0;
    }
    *out = v->valuedouble;
    return 1;
}

static void read_bool(reader *r, const cJSON *obj, const char *path, const char *key, int *out)
{
    const cJSON *v = member(r, obj, path, key, 0, "true or false");
    char kp[PATH_MAX_LEN];
    join_path(kp, path, key);
    if (!v)
        return;
    if (!cJSON_IsBool(v)) {
        wrong_type(r, kp, "true or false", v);
        return;
    }
    *out = cJSON_IsTrue(v);
}

/* The object under key, or NULL (reported when required or mistyped). */
static const cJSON *read_object(reader *r, const cJSON *obj, const char *path, const char *key,
                                int required)
{
    const cJSON *v = member(r, obj, path, key, required, "an object");
    if (v && !cJSON_IsObject(v)) {
        char kp[PATH_MAX_LEN];
        join_path(kp, path, key);
        wrong_type(r, kp, "an object", v);
        return NULL;
    }
    return v;
}

static const cJSON *read_array(reader *r, const cJSON *obj, const char *path, const char *key,
                               int required)
{
    const cJSON *v = member(r, obj, path, key, required, "an array");
    if (v && !cJSON_IsArray(v)) {
        char kp[PATH_MAX_LEN];
        join_path(kp, path, key);
        wrong_type(r, kp, "an array", v);
        return NULL;
    }
    return v;
}

/* Names must be usable as field names: letters, digits, underscore. */
static void check_name(reader *r, const char *path, const char *name)
{
    int ok = isalpha((unsigned char)name[0]) != 0;
    for (const char *p = name; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '_';
    if (!ok || strlen(name) > 40)
        problem(r, path,
                "\"%s\" is not a valid name (letters, digits and '_', starting with a letter, "
                "at most 40 characters)",
                name);
}

/* One of the names in `names` (NULL-terminated); returns its index. */
static int read_choice(reader *r, const cJSON *o, const char *p, const char *key,
                       const char *const *names, int fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return fallback;
    char kp[PATH_MAX_LEN], list[256] = "";
    join_path(kp, p, key);
    for (int i = 0; names[i]; i++) {
        if (cJSON_IsString(v) && strcmp(v->valuestring, names[i]) == 0)
            return i;
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, names[i], sizeof list - strlen(list) - 1);
    }
    char seen[96];
    describe(v, seen, sizeof seen);
    problem(r, kp, "expected one of %s, got %s", list, seen);
    return fallback;
}

/* An object's string->string map (metric name -> field). */
static void read_attr_map(reader *r, const cJSON *obj, const char *path, const char *key,
                          int required, dcs_attribute **out, size_t *n)
{
    const cJSON *a = read_object(r, obj, path, key, required);
    if (!a)
        return;
    char ap[PATH_MAX_LEN];
    join_path(ap, path, key);
    size_t cap = (size_t)cJSON_GetArraySize(a);
    if (cap == 0 && required)
        problem(r, ap, "expected at least one metric: field pair");
    *out = calloc(cap ? cap : 1, sizeof **out);
    if (!*out) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *c = a->child; c; c = c->next) {
        char kp[PATH_MAX_LEN];
        join_path(kp, ap, c->string);
        if (!cJSON_IsString(c)) {
            wrong_type(r, kp, "a field name (string)", c);
            continue;
        }
        check_name(r, kp, c->string);
        dcs_attribute *at = &(*out)[(*n)++];
        at->metric = dcs_strdup(c->string);
        at->field = dcs_strdup(c->valuestring);
        if (!at->metric || !at->field)
            r->nomem = 1;
    }
}

/* "name" of a list item, checked as a metric-safe name. */
static void read_item_name(reader *r, const cJSON *o, const char *p, char **name)
{
    if (read_string(r, o, p, "name", 1, name)) {
        char np[PATH_MAX_LEN];
        join_path(np, p, "name");
        check_name(r, np, *name);
    }
}

/* ---- dataset paths ---------------------------------------------------- */

static char *resolve_dataset(const char *base_dir, const char *name);

/* True for connection strings and driver-prefixed names ("PG:...",
 * "GPKG:...", "/vsizip/...") which must be passed to GDAL unchanged. */
static int is_connection_string(const char *s)
{
    if (s[0] == '/')
        return 1;
    size_t i = 0;
    while (isalnum((unsigned char)s[i]) || s[i] == '_')
        i++;
    return i > 1 && s[i] == ':';
}

char *dcs_scenario_resolve(const dcs_scenario *scn, const char *name)
{
    return resolve_dataset(scn->dir, name);
}

static char *resolve_dataset(const char *base_dir, const char *name)
{
    if (is_connection_string(name) || !base_dir || !*base_dir)
        return dcs_strdup(name);
    size_t n = strlen(base_dir) + strlen(name) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s/%s", base_dir, name);
    return out;
}

/* ---- sections ----------------------------------------------------------- */

static void read_source(reader *r, const cJSON *obj, const char *path, const char *base_dir,
                        dcs_source *src)
{
    char *raw = NULL;
    if (read_string(r, obj, path, "dataset", 1, &raw)) {
        src->dataset = resolve_dataset(base_dir, raw);
        if (!src->dataset)
            r->nomem = 1;
    }
    free(raw);
    read_string(r, obj, path, "layer", 0, &src->layer);
    read_string(r, obj, path, "where", 0, &src->where);
}

static void read_facility(reader *r, const cJSON *root, dcs_scenario *scn)
{
    static const char *const keys[] = {"it_load_mw", "design_pue", "land_ha", "land_acres",
                                       NULL};
    const cJSON *f = read_object(r, root, "", "facility", 1);
    if (!f)
        return;
    check_keys(r, f, "facility", keys);
    read_number(r, f, "facility", "it_load_mw", 1, 0.001, 10000, &scn->it_load_mw);
    read_number(r, f, "facility", "design_pue", 0, 1.0, 3.0, &scn->design_pue);
    read_number(r, f, "facility", "land_ha", 0, 0, 1e6, &scn->land_ha);
    double acres = 0;
    if (read_number(r, f, "facility", "land_acres", 0, 0, 1e6 / DCS_HA_PER_ACRE, &acres)) {
        if (cJSON_GetObjectItemCaseSensitive(f, "land_ha"))
            problem(r, "facility.land_acres", "give the land in hectares or in acres, not both");
        scn->land_ha = acres * DCS_HA_PER_ACRE;
    }
}

/* "constants": {"metric": number or text, ...}: the same value at every site. */
static void read_constants(reader *r, const cJSON *root, dcs_scenario *scn)
{
    const cJSON *o = read_object(r, root, "", "constants", 0);
    if (!o)
        return;
    size_t cap = (size_t)cJSON_GetArraySize(o);
    if (!(scn->constants = calloc(cap ? cap : 1, sizeof *scn->constants))) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *c = o->child; c; c = c->next) {
        char kp[PATH_MAX_LEN];
        join_path(kp, "constants", c->string);
        if (!cJSON_IsString(c) && !(cJSON_IsNumber(c) && isfinite(c->valuedouble))) {
            wrong_type(r, kp, "a number or a text", c);
            continue;
        }
        check_name(r, kp, c->string);
        dcs_constant *k = &scn->constants[scn->nconstants++];
        k->metric = dcs_strdup(c->string);
        k->value = cJSON_IsNumber(c) ? c->valuedouble : NAN;
        if (!k->metric || (cJSON_IsString(c) && !(k->text = dcs_strdup(c->valuestring))))
            r->nomem = 1;
    }
}

/* "grid": {"shape": "hexagon"|"square", "cell_area_ha": N, "aoi": {layer}} */
static void read_grid(reader *r, const cJSON *grid, const char *base_dir, dcs_scenario *scn)
{
    static const char *const keys[] = {"shape", "cell_area_ha", "aoi", NULL};
    static const char *const shapes[] = {"square", "hexagon", NULL};
    check_keys(r, grid, "sites.grid", keys);
    scn->sites.grid = read_choice(r, grid, "sites.grid", "shape", shapes, 1) == 0
                          ? DCS_GRID_SQUARE
                          : DCS_GRID_HEXAGON;
    read_number(r, grid, "sites.grid", "cell_area_ha", 1, 0.01, 1e6, &scn->sites.cell_area_ha);
    const cJSON *aoi = read_object(r, grid, "sites.grid", "aoi", 1);
    if (aoi) {
        static const char *const aoi_keys[] = {"dataset", "layer", "where", NULL};
        check_keys(r, aoi, "sites.grid.aoi", aoi_keys);
        read_source(r, aoi, "sites.grid.aoi", base_dir, &scn->sites.src);
    }
}

static void read_sites(reader *r, const cJSON *root, const char *base_dir, dcs_scenario *scn)
{
    static const char *const keys[] = {"dataset", "layer",      "where", "id_field",
                                       "grid",    "attributes", NULL};
    const cJSON *s = read_object(r, root, "", "sites", 1);
    if (!s)
        return;
    check_keys(r, s, "sites", keys);
    const cJSON *grid = read_object(r, s, "sites", "grid", 0);
    if (grid) {
        read_grid(r, grid, base_dir, scn);
        static const char *const layer_only[] = {"dataset", "layer", "where", "id_field",
                                                 "attributes", NULL};
        for (size_t i = 0; layer_only[i]; i++)
            if (cJSON_GetObjectItemCaseSensitive(s, layer_only[i])) {
                char kp[PATH_MAX_LEN];
                join_path(kp, "sites", layer_only[i]);
                problem(r, kp, "not used with \"grid\" (grid cells have no source fields)");
            }
        return;
    }
    read_source(r, s, "sites", base_dir, &scn->sites.src);
    read_string(r, s, "sites", "id_field", 0, &scn->sites.id_field);
    read_attr_map(r, s, "sites", "attributes", 0, &scn->sites.attrs, &scn->sites.nattrs);
}

const char *const dcs_distance_from_names[] = {"boundary", "centroid", NULL};

/* "rules": [{"name", "min_voltage_kv", "min_headroom_mw", "from"}, ...]:
 * more nearest-substation searches beside the main one. */
static void read_substation_rules(reader *r, const cJSON *s, dcs_scenario *scn)
{
    static const char *const keys[] = {"name", "min_voltage_kv", "min_headroom_mw", "from",
                                       NULL};
    const cJSON *a = read_array(r, s, "substations", "rules", 0);
    size_t n = a ? (size_t)cJSON_GetArraySize(a) : 0, i = 0;
    if (!a)
        return;
    if (!(scn->substations.rules = calloc(n ? n : 1, sizeof *scn->substations.rules))) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *o = a->child; o; o = o->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, "substations.rules", i);
        if (!cJSON_IsObject(o)) {
            wrong_type(r, p, "an object", o);
            continue;
        }
        dcs_substation_rule *u = &scn->substations.rules[scn->substations.nrules++];
        check_keys(r, o, p, keys);
        read_item_name(r, o, p, &u->name);
        u->min_voltage_kv = scn->substations.min_voltage_kv;
        read_number(r, o, p, "min_voltage_kv", 0, 0, 2000, &u->min_voltage_kv);
        u->min_headroom_mw = NAN;
        if (read_number(r, o, p, "min_headroom_mw", 0, 0, 1e6, &u->min_headroom_mw) &&
            !scn->substations.headroom_field)
            problem(r, p, "min_headroom_mw needs substations.headroom_field");
        u->from_centroid = read_choice(r, o, p, "from", dcs_distance_from_names, 0) == 1;
    }
}

static void read_substations(reader *r, const cJSON *root, const char *base_dir,
                             dcs_scenario *scn)
{
    static const char *const keys[] = {"dataset",        "layer",          "where",
                                       "id_field",       "voltage_field",  "headroom_field",
                                       "min_voltage_kv", "require_headroom", "name_field",
                                       "rules",          "cost_field",     "queue_field",
                                       "upgrade_year_field", "upgrade_mw_field",
                                       "capacity_field", NULL};
    const cJSON *s = read_object(r, root, "", "substations", 1);
    if (!s)
        return;
    check_keys(r, s, "substations", keys);
    read_source(r, s, "substations", base_dir, &scn->substations.src);
    read_string(r, s, "substations", "id_field", 0, &scn->substations.id_field);
    read_string(r, s, "substations", "name_field", 0, &scn->substations.name_field);
    read_string(r, s, "substations", "cost_field", 0, &scn->substations.cost_field);
    read_string(r, s, "substations", "queue_field", 0, &scn->substations.queue_field);
    read_string(r, s, "substations", "upgrade_year_field", 0,
                &scn->substations.upgrade_year_field);
    read_string(r, s, "substations", "upgrade_mw_field", 0, &scn->substations.upgrade_mw_field);
    read_string(r, s, "substations", "capacity_field", 0, &scn->substations.capacity_field);
    read_string(r, s, "substations", "voltage_field", 1, &scn->substations.voltage_field);
    read_string(r, s, "substations", "headroom_field", 0, &scn->substations.headroom_field);
    read_number(r, s, "substations", "min_voltage_kv", 0, 0, 2000,
                &scn->substations.min_voltage_kv);
    /* with a headroom field, a substation must be able to serve the peak by default */
    scn->substations.require_headroom = scn->substations.headroom_field != NULL;
    read_bool(r, s, "substations", "require_headroom", &scn->substations.require_headroom);
    if (scn->substations.require_headroom && !scn->substations.headroom_field)
        problem(r, "substations.require_headroom",
                "true needs \"headroom_field\" (the field of spare capacity in MW); public "
                "substation data rarely has one: remove \"require_headroom\" or set it to "
                "false to let substations qualify on voltage alone");
    if (scn->substations.queue_field && !scn->substations.headroom_field)
        problem(r, "substations.queue_field", "needs headroom_field: the time to power weighs "
                "the load queued ahead against the substation's headroom");
    read_substation_rules(r, s, scn);
}

/* Default interconnection costs, in million US$ per km of new line by the
 * substation's voltage class, and for a substation upgrade.  Order of
 * magnitude from MISO's Transmission Cost Estimation Guide (MTEP 2024):
 * single-circuit overhead line roughly 1.5-2.5 M$/mile at 69-161 kV,
 * 2.5-3.5 at 230 kV and 3.5-5 at 345 kV, converted to km; a new 100+ MVA
 * transformer bay about 15-30 M$. */
static const double default_class_kv[] = {69, 161, 230, 345, 1e9};
static const double default_musd_km[] = {1.2, 1.6, 2.0, 2.8, 4.0};
#define DEFAULT_UPGRADE_MUSD 25.0

static int set_default_interconnection(dcs_scenario *scn)
{
    size_t n = sizeof default_class_kv / sizeof default_class_kv[0];
    scn->interconnection.max_kv = malloc(n * sizeof(double));
    scn->interconnection.musd_per_km = malloc(n * sizeof(double));
    if (!scn->interconnection.max_kv || !scn->interconnection.musd_per_km)
        return -1;
    memcpy(scn->interconnection.max_kv, default_class_kv, sizeof default_class_kv);
    memcpy(scn->interconnection.musd_per_km, default_musd_km, sizeof default_musd_km);
    scn->interconnection.nclasses = n;
    scn->interconnection.upgrade_musd = DEFAULT_UPGRADE_MUSD;
    return 0;
}

/* Lead times of the time-to-power model (docs/methods.md, "Time to power"):
 * studies, a line and a bay about 2 years; a new large power transformer
 * about 3.5 years (Wood Mackenzie 2024: lead times of 2 to 4 years). */
#define DEFAULT_CONNECT_YEARS 2.0
#define DEFAULT_TRANSFORMER_YEARS 3.5

/* The time-to-power defaults: from this year (UTC), DEFAULT_* lead times. */
static void default_time_to_power(dcs_scenario *scn)
{
    time_t now = time(NULL);
    struct tm tm;
    scn->interconnection.start_year = gmtime_r(&now, &tm) ? 1900.0 + tm.tm_year : 2026;
    scn->interconnection.connect_years = DEFAULT_CONNECT_YEARS;
    scn->interconnection.transformer_years = DEFAULT_TRANSFORMER_YEARS;
}

/* "time_to_power": {"start_year", "connect_years", "transformer_years"}. */
static void read_time_to_power(reader *r, const cJSON *o, dcs_scenario *scn)
{
    static const char *const keys[] = {"start_year", "connect_years", "transformer_years",
                                       NULL};
    const char *p = "interconnection.time_to_power";
    const cJSON *t = read_object(r, o, "interconnection", "time_to_power", 0);
    if (!t)
        return;
    check_keys(r, t, p, keys);
    read_number(r, t, p, "start_year", 0, 1900, 2200, &scn->interconnection.start_year);
    read_number(r, t, p, "connect_years", 0, 0, 50, &scn->interconnection.connect_years);
    read_number(r, t, p, "transformer_years", 0, 0, 50,
                &scn->interconnection.transformer_years);
}

/* "barriers": [{"dataset", "layer", "where", "kind": "hard" | "soft"}]. */
static void read_route_barriers(reader *r, const cJSON *o, const char *p, const char *base_dir,
                                dcs_scenario *scn)
{
    static const char *const keys[] = {"dataset", "layer", "where", "kind", NULL};
    static const char *const kinds[] = {"hard", "soft", NULL};
    const cJSON *a = read_array(r, o, p, "barriers", 0);
    size_t n = a ? (size_t)cJSON_GetArraySize(a) : 0, i = 0;
    if (!a)
        return;
    if (!(scn->interconnection.route.barriers = calloc(n ? n : 1, sizeof(dcs_route_barrier)))) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *c = a->child; c; c = c->next, i++) {
        char bp[PATH_MAX_LEN];
        index_path(bp, "interconnection.route.barriers", i);
        if (!cJSON_IsObject(c)) {
            wrong_type(r, bp, "an object", c);
            continue;
        }
        check_keys(r, c, bp, keys);
        dcs_route_settings *rt = &scn->interconnection.route;
        dcs_route_barrier *b = &rt->barriers[rt->nbarriers++];
        read_source(r, c, bp, base_dir, &b->src);
        char kp[PATH_MAX_LEN];
        join_path(kp, bp, "kind");
        if (!cJSON_GetObjectItemCaseSensitive(c, "kind"))
            problem(r, kp, "required key is missing (expected \"hard\" or \"soft\")");
        b->hard = read_choice(r, c, bp, "kind", kinds, 0) == 0;
    }
}

/* "cost_raster": {"dataset": ..., "band": 1}. */
static void read_route_cost(reader *r, const cJSON *o, const char *p, const char *base_dir,
                            dcs_scenario *scn)
{
    static const char *const keys[] = {"dataset", "band", NULL};
    char cp[PATH_MAX_LEN], *raw = NULL;
    join_path(cp, p, "cost_raster");
    const cJSON *c = read_object(r, o, p, "cost_raster", 0);
    if (!c)
        return;
    check_keys(r, c, cp, keys);
    if (read_string(r, c, cp, "dataset", 1, &raw) &&
        !(scn->interconnection.route.cost_raster = resolve_dataset(base_dir, raw)))
        r->nomem = 1;
    free(raw);
    double band = 1;
    read_number(r, c, cp, "band", 0, 1, 100000, &band);
    scn->interconnection.route.cost_band = (int)band;
}

/* "route": least-cost lines from the routed sites to their substations. */
static void read_route(reader *r, const cJSON *ic, const char *base_dir, dcs_scenario *scn)
{
    static const char *const keys[] = {"cost_raster", "barriers",  "cell_m",      "neighbours",
                                       "sites",       "top_n",     "margin_km",   "soft_factor",
                                       "soft_penalty_musd", NULL};
    static const char *const sites[] = {"top", "eligible", NULL};
    static const char *const p = "interconnection.route";
    const cJSON *o = read_object(r, ic, "interconnection", "route", 0);
    if (!o)
        return;
    check_keys(r, o, p, keys);
    dcs_route_settings *rt = &scn->interconnection.route;
    *rt = (dcs_route_settings){.enabled = 1, .cost_band = 1, .neighbours = 16,
                               .margin_km = 5, .soft_factor = 1};
    read_route_cost(r, o, p, base_dir, scn);
    read_route_barriers(r, o, p, base_dir, scn);
    read_number(r, o, p, "cell_m", 0, 0.01, 1e5, &rt->cell_m);
    double nb = 16, top = 0;
    if (read_number(r, o, p, "neighbours", 0, 8, 16, &nb) && nb != 8 && nb != 16)
        problem(r, "interconnection.route.neighbours", "%g is not 8 or 16", nb);
    rt->neighbours = (int)nb;
    rt->all_eligible = read_choice(r, o, p, "sites", sites, 0) == 1;
    if (read_number(r, o, p, "top_n", 0, 1, 1e7, &top) && rt->all_eligible)
        problem(r, "interconnection.route.top_n", "applies to \"sites\": \"top\" only; "
                "remove it or route the top sites");
    rt->top_n = (size_t)top;
    read_number(r, o, p, "margin_km", 0, 0, 1e4, &rt->margin_km);
    read_number(r, o, p, "soft_factor", 0, 1, 1e6, &rt->soft_factor);
    read_number(r, o, p, "soft_penalty_musd", 0, 0, 1e6, &rt->soft_penalty_musd);
    int soft = 0;
    for (size_t i = 0; i < rt->nbarriers; i++)
        soft |= !rt->barriers[i].hard;
    if (soft && rt->soft_factor == 1 && rt->soft_penalty_musd == 0)
        problem(r, p, "soft barriers need \"soft_factor\" (> 1) or \"soft_penalty_musd\" "
                "(> 0); with neither they change nothing");
}

/* "interconnection": {"classes": [{"max_kv": 138, "musd_per_km": 1.5}, ...],
 *                     "upgrade_musd": 25} */
static void read_interconnection(reader *r, const cJSON *root, const char *base_dir,
                                 dcs_scenario *scn)
{
    static const char *const keys[] = {"classes",   "upgrade_musd", "unknown_headroom",
                                       "choose",    "search_km",    "time_to_power",
                                       "route",     NULL};
    static const char *const unknown[] = {"no_upgrade", "upgrade", NULL};
    static const char *const choose[] = {"cheapest", "nearest", NULL};
    static const char *const class_keys[] = {"max_kv", "musd_per_km", NULL};
    if (set_default_interconnection(scn) != 0) {
        r->nomem = 1;
        return;
    }
    default_time_to_power(scn);
    const cJSON *o = read_object(r, root, "", "interconnection", 0);
    if (!o)
        return;
    check_keys(r, o, "interconnection", keys);
    read_route(r, o, base_dir, scn);
    read_number(r, o, "interconnection", "upgrade_musd", 0, 0, 1e5,
                &scn->interconnection.upgrade_musd);
    scn->interconnection.upgrade_unknown =
        read_choice(r, o, "interconnection", "unknown_headroom", unknown, 0) == 1;
    scn->interconnection.nearest = read_choice(r, o, "interconnection", "choose", choose, 0) == 1;
    read_number(r, o, "interconnection", "search_km", 0, 0.001, 1e5,
                &scn->interconnection.search_km);
    read_time_to_power(r, o, scn);
    const cJSON *a = read_array(r, o, "interconnection", "classes", 0);
    size_t n = a ? (size_t)cJSON_GetArraySize(a) : 0, i = 0;
    if (!a)
        return;
    if (n == 0 || n > 5) {
        problem(r, "interconnection.classes", "expected 1 to 5 voltage classes, got %zu", n);
        return;
    }
    scn->interconnection.nclasses = n;
    for (const cJSON *c = a->child; c; c = c->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, "interconnection.classes", i);
        if (!cJSON_IsObject(c)) {
            wrong_type(r, p, "an object", c);
            continue;
        }
        check_keys(r, c, p, class_keys);
        read_number(r, c, p, "max_kv", 1, 0, 1e9, &scn->interconnection.max_kv[i]);
        read_number(r, c, p, "musd_per_km", 1, 0, 1e4, &scn->interconnection.musd_per_km[i]);
        if (i > 0 && scn->interconnection.max_kv[i] <= scn->interconnection.max_kv[i - 1])
            problem(r, p, "max_kv must increase from one class to the next");
    }
}


/* "everywhere" (default), "extent", or a polygon layer object. */
static void read_coverage(reader *r, const cJSON *o, const char *p, const char *base_dir,
                          dcs_context *c)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "coverage");
    char cp[PATH_MAX_LEN];
    join_path(cp, p, "coverage");
    c->cover = DCS_COVER_EVERYWHERE;
    if (!v || (cJSON_IsString(v) && strcmp(v->valuestring, "everywhere") == 0))
        return;
    if (cJSON_IsString(v) && strcmp(v->valuestring, "extent") == 0) {
        c->cover = DCS_COVER_EXTENT;
    } else if (cJSON_IsObject(v)) {
        static const char *const keys[] = {"dataset", "layer", "where", NULL};
        check_keys(r, v, cp, keys);
        c->cover = DCS_COVER_LAYER;
        read_source(r, v, cp, base_dir, &c->coverage);
    } else {
        wrong_type(r, cp, "\"extent\", \"everywhere\" or a polygon layer object", v);
    }
}

static void read_outside(reader *r, const cJSON *o, const char *p, dcs_context *c)
{
    static const char *const names[] = {"neutral", "exclude", "error", NULL};
    c->outside = (dcs_outside)read_choice(r, o, p, "outside", names, DCS_OUTSIDE_EXCLUDE);
}

const char *const dcs_raster_stat_names[DCS_NSTATS] = {
    "mean", "min", "max", "sum", "majority", "count", "nodata_count", "covered_fraction"};

#define STAT_CHOICES "one of mean, min, max, sum, majority, count, nodata_count, covered_fraction"

static void read_raster_stats(reader *r, const cJSON *o, const char *p, dcs_context *c)
{
    const cJSON *a = read_array(r, o, p, "stats", 0);
    char sp[PATH_MAX_LEN];
    join_path(sp, p, "stats");
    c->stats = 0;
    if (!a) {
        c->stats = c->radius_km > 0 ? 0 : DCS_STAT_MEAN;
        return;
    }
    size_t i = 0;
    for (const cJSON *v = a->child; v; v = v->next, i++) {
        char ip[PATH_MAX_LEN];
        index_path(ip, sp, i);
        int k = 0;
        while (k < DCS_NSTATS &&
               !(cJSON_IsString(v) && strcmp(v->valuestring, dcs_raster_stat_names[k]) == 0))
            k++;
        if (k < DCS_NSTATS)
            c->stats |= 1u << k;
        else
            wrong_type(r, ip, STAT_CHOICES, v);
    }
    if (i == 0 && c->radius_km <= 0)
        problem(r, sp, "expected at least " STAT_CHOICES " (or a radius_km)");
}

static void read_context_kind(reader *r, const cJSON *o, const char *p, const char *base_dir,
                              dcs_context *c)
{
    static const char *const methods[] = {"grid", "exact", NULL};
    switch (c->kind) {
    case DCS_CTX_DISTANCE:
        c->from_centroid = read_choice(r, o, p, "from", dcs_distance_from_names, 0) == 1;
        break;
    case DCS_CTX_ZONE:
        read_attr_map(r, o, p, "attributes", 1, &c->attrs, &c->nattrs);
        break;
    case DCS_CTX_AREA_WEIGHTED:
        read_string(r, o, p, "field", 1, &c->field);
        read_number(r, o, p, "radius_km", 1, 0.001, 1000, &c->radius_km);
        c->exact = read_choice(r, o, p, "method", methods, 0) == 1;
        read_number(r, o, p, "cell_m", 0, 0.01, 100000, &c->cell_m);
        break;
    case DCS_CTX_RASTER: {
        double band = 1;
        read_number(r, o, p, "band", 0, 1, 100000, &band);
        c->band = (int)band;
        read_bool(r, o, p, "slope", &c->slope);
        read_number(r, o, p, "radius_km", 0, 0.001, 1000, &c->radius_km);
        read_raster_stats(r, o, p, c);
        break;
    }
    case DCS_CTX_OVERLAY:
        break;
    }
    (void)base_dir;
}

static const char *const *context_keys(dcs_context_kind kind)
{
    static const char *const plain[] = {"name", "dataset", "layer", "where", "coverage",
                                        "outside", NULL};
    static const char *const zone[] = {"name",     "dataset", "layer",      "where",
                                       "coverage", "outside", "attributes", NULL};
    static const char *const weighted[] = {"name",    "dataset", "layer",     "where",
                                           "coverage", "outside", "field",    "radius_km",
                                           "method",   "cell_m",  NULL};
    static const char *const raster[] = {"name",  "dataset", "band",      "slope", "stats",
                                         "radius_km", "coverage", "outside", NULL};
    static const char *const distance[] = {"name",     "dataset", "layer", "where",
                                           "coverage", "outside", "from",  NULL};
    switch (kind) {
    case DCS_CTX_ZONE:
        return zone;
    case DCS_CTX_AREA_WEIGHTED:
        return weighted;
    case DCS_CTX_RASTER:
        return raster;
    case DCS_CTX_DISTANCE:
        return distance;
    case DCS_CTX_OVERLAY:
        break;
    }
    return plain;
}

/* Append the items of the array `key` as contexts of one kind. */
static void read_contexts(reader *r, const cJSON *root, const char *key, dcs_context_kind kind,
                          const char *base_dir, dcs_scenario *scn, size_t cap)
{
    const cJSON *a = read_array(r, root, "", key, 0);
    size_t i = 0;
    for (const cJSON *o = a ? a->child : NULL; o; o = o->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, key, i);
        if (!cJSON_IsObject(o)) {
            wrong_type(r, p, "an object", o);
            continue;
        }
        if (scn->ncontexts >= cap)
            break;
        dcs_context *c = &scn->contexts[scn->ncontexts++];
        c->kind = kind;
        check_keys(r, o, p, context_keys(kind));
        read_item_name(r, o, p, &c->name);
        read_source(r, o, p, base_dir, &c->src);
        read_coverage(r, o, p, base_dir, c);
        read_outside(r, o, p, c);
        read_context_kind(r, o, p, base_dir, c);
    }
}

static size_t array_size(const cJSON *root, const char *key)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key);
    return cJSON_IsArray(a) ? (size_t)cJSON_GetArraySize(a) : 0;
}

static void read_all_contexts(reader *r, const cJSON *root, const char *base_dir,
                              dcs_scenario *scn)
{
    static const struct {
        const char *key;
        dcs_context_kind kind;
    } lists[] = {{"overlays", DCS_CTX_OVERLAY},
                 {"distances", DCS_CTX_DISTANCE},
                 {"zones", DCS_CTX_ZONE},
                 {"area_weighted", DCS_CTX_AREA_WEIGHTED},
                 {"rasters", DCS_CTX_RASTER}};
    size_t cap = 0;
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
        cap += array_size(root, lists[k].key);
    scn->contexts = calloc(cap ? cap : 1, sizeof *scn->contexts);
    if (!scn->contexts) {
        r->nomem = 1;
        return;
    }
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
        read_contexts(r, root, lists[k].key, lists[k].kind, base_dir, scn, cap);
}

static void read_joins(reader *r, const cJSON *root, const char *base_dir, dcs_scenario *scn)
{
    static const char *const keys[] = {"name", "dataset", "layer",      "where",
                                       "key_field", "on", "attributes", NULL};
    const cJSON *a = read_array(r, root, "", "joins", 0);
    size_t n = array_size(root, "joins"), i = 0;
    scn->joins = calloc(n ? n : 1, sizeof *scn->joins);
    if (!scn->joins) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *o = a ? a->child : NULL; o; o = o->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, "joins", i);
        if (!cJSON_IsObject(o)) {
            wrong_type(r, p, "an object", o);
            continue;
        }
        dcs_join *j = &scn->joins[scn->njoins++];
        check_keys(r, o, p, keys);
        read_item_name(r, o, p, &j->name);
        read_source(r, o, p, base_dir, &j->src);
        read_string(r, o, p, "key_field", 1, &j->key_field);
        read_string(r, o, p, "on", 1, &j->on);
        read_attr_map(r, o, p, "attributes", 1, &j->attrs, &j->nattrs);
    }
}

static int read_string_set(reader *r, const cJSON *arr, const char *path, dcs_constraint *c)
{
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    if (n == 0) {
        problem(r, path, "expected a non-empty array of strings");
        return 0;
    }
    c->set = calloc(n, sizeof *c->set);
    if (!c->set) {
        r->nomem = 1;
        return 0;
    }
    for (const cJSON *v = arr->child; v; v = v->next, i++) {
        char ip[PATH_MAX_LEN];
        index_path(ip, path, i);
        if (!cJSON_IsString(v)) {
            wrong_type(r, ip, "a string", v);
            continue;
        }
        if (!(c->set[c->nset++] = dcs_strdup(v->valuestring)))
            r->nomem = 1;
    }
    return 1;
}

/* Exactly one of min, max, in, not_in. */
static void read_constraint_rule(reader *r, const cJSON *o, const char *p, dcs_constraint *c)
{
    static const char *const ops[] = {"min", "max", "in", "not_in"};
    int found = 0;
    for (int k = 0; k < 4; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, ops[k]);
        if (!v)
            continue;
        char kp[PATH_MAX_LEN];
        join_path(kp, p, ops[k]);
        if (found++) {
            problem(r, kp, "a constraint takes only one of min, max, in, not_in");
            continue;
        }
        c->op = (dcs_constraint_op)k;
        if (k < 2 && !cJSON_IsNumber(v))
            wrong_type(r, kp, "a number", v);
        else if (k < 2)
            c->limit = v->valuedouble;
        else if (!cJSON_IsArray(v))
            wrong_type(r, kp, "an array of strings", v);
        else
            read_string_set(r, v, kp, c);
    }
    if (!found)
        problem(r, p, "needs one of min, max, in, not_in");
}

static void read_constraints(reader *r, const cJSON *root, dcs_scenario *scn)
{
    static const char *const keys[] = {"name", "metric", "min", "max", "in", "not_in", NULL};
    const cJSON *a = read_array(r, root, "", "constraints", 0);
    if (!a)
        return;
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    scn->constraints = calloc(n ? n : 1, sizeof *scn->constraints);
    if (!scn->constraints) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *o = a->child; o; o = o->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, "constraints", i);
        if (!cJSON_IsObject(o)) {
            wrong_type(r, p, "an object", o);
            continue;
        }
        dcs_constraint *c = &scn->constraints[scn->nconstraints++];
        check_keys(r, o, p, keys);
        if (read_string(r, o, p, "name", 1, &c->name)) {
            char np[PATH_MAX_LEN];
            join_path(np, p, "name");
            check_name(r, np, c->name);
        }
        read_string(r, o, p, "metric", 1, &c->metric);
        read_constraint_rule(r, o, p, c);
    }
}

/* "points": [[x, value], ...] with x strictly ascending, value in [0, 1]. */
static void read_points(reader *r, const cJSON *v, const char *vp, dcs_value_fn *fn)
{
    const cJSON *a = read_array(r, v, vp, "points", 1);
    if (!a)
        return;
    char pp[PATH_MAX_LEN];
    join_path(pp, vp, "points");
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    if (n < 2) {
        problem(r, pp, "expected at least 2 [x, value] points, got %zu", n);
        return;
    }
    fn->x = calloc(n, sizeof *fn->x);
    fn->v = calloc(n, sizeof *fn->v);
    if (!fn->x || !fn->v) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *pt = a->child; pt; pt = pt->next, i++) {
        char ip[PATH_MAX_LEN];
        index_path(ip, pp, i);
        const cJSON *x = cJSON_GetArrayItem(pt, 0), *y = cJSON_GetArrayItem(pt, 1);
        if (!cJSON_IsArray(pt) || cJSON_GetArraySize(pt) != 2 || !cJSON_IsNumber(x) ||
            !cJSON_IsNumber(y)) {
            wrong_type(r, ip, "[x, value] (two numbers)", pt);
            continue;
        }
        if (y->valuedouble < 0 || y->valuedouble > 1)
            problem(r, ip, "value %g is outside 0 to 1", y->valuedouble);
        if (fn->npoints > 0 && x->valuedouble <= fn->x[fn->npoints - 1])
            problem(r, ip, "x %g must be greater than the previous point's %g", x->valuedouble,
                    fn->x[fn->npoints - 1]);
        fn->x[fn->npoints] = x->valuedouble;
        fn->v[fn->npoints++] = y->valuedouble;
    }
}

/* "categories": {"industrial": 1, ...}, "other": 0 */
static void read_categories(reader *r, const cJSON *v, const char *vp, dcs_value_fn *fn)
{
    const cJSON *c = read_object(r, v, vp, "categories", 1);
    read_number(r, v, vp, "other", 0, 0, 1, &fn->other);
    if (!c)
        return;
    char cp[PATH_MAX_LEN];
    join_path(cp, vp, "categories");
    size_t n = (size_t)cJSON_GetArraySize(c);
    if (n == 0)
        problem(r, cp, "expected at least one category");
    fn->cat = calloc(n ? n : 1, sizeof *fn->cat);
    fn->v = calloc(n ? n : 1, sizeof *fn->v);
    if (!fn->cat || !fn->v) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *e = c->child; e; e = e->next) {
        char kp[PATH_MAX_LEN];
        join_path(kp, cp, e->string);
        if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > 1) {
            wrong_type(r, kp, "a value from 0 to 1", e);
            continue;
        }
        fn->cat[fn->ncat] = dcs_strdup(e->string);
        fn->v[fn->ncat++] = e->valuedouble;
    }
}

static const char *const *value_fn_keys(dcs_value_fn_type type)
{
    static const char *const linear[] = {"type", "worst", "best", NULL};
    static const char *const points[] = {"type", "points", NULL};
    static const char *const cats[] = {"type", "categories", "other", NULL};
    return type == DCS_VF_LINEAR ? linear : type == DCS_VF_CATEGORICAL ? cats : points;
}

static void read_value_fn(reader *r, const cJSON *o, const char *p, dcs_value_fn *fn)
{
    static const char *const types[] = {"linear", "piecewise", "step", "categorical", NULL};
    const cJSON *v = read_object(r, o, p, "value", 1);
    if (!v)
        return;
    char vp[PATH_MAX_LEN];
    join_path(vp, p, "value");
    if (!cJSON_GetObjectItemCaseSensitive(v, "type"))
        problem(r, vp, "required key \"type\" is missing (linear, piecewise, step or categorical)");
    fn->type = (dcs_value_fn_type)read_choice(r, v, vp, "type", types, DCS_VF_LINEAR);
    check_keys(r, v, vp, value_fn_keys(fn->type));
    if (fn->type == DCS_VF_LINEAR) {
        int ok = read_number(r, v, vp, "worst", 1, -1e15, 1e15, &fn->worst);
        ok &= read_number(r, v, vp, "best", 1, -1e15, 1e15, &fn->best);
        if (ok && fn->worst == fn->best)
            problem(r, vp, "worst and best must differ (both %g)", fn->best);
    } else if (fn->type == DCS_VF_CATEGORICAL) {
        read_categories(r, v, vp, fn);
    } else {
        read_points(r, v, vp, fn);
    }
}

static void read_criteria(reader *r, const cJSON *root, dcs_scenario *scn)
{
    static const char *const keys[] = {"name", "metric", "weight", "value", NULL};
    /* optional: without criteria the run measures and applies the rules only */
    const cJSON *a = read_array(r, root, "", "criteria", 0);
    int ahp = cJSON_GetObjectItemCaseSensitive(root, "ahp") != NULL;
    if (!a)
        return;
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    scn->criteria = calloc(n ? n : 1, sizeof *scn->criteria);
    if (!scn->criteria) {
        r->nomem = 1;
        return;
    }
    double total = 0;
    for (const cJSON *o = a->child; o; o = o->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, "criteria", i);
        if (!cJSON_IsObject(o)) {
            wrong_type(r, p, "an object", o);
            continue;
        }
        dcs_criterion *c = &scn->criteria[scn->ncriteria++];
        check_keys(r, o, p, keys);
        read_item_name(r, o, p, &c->name);
        read_string(r, o, p, "metric", 1, &c->metric);
        if (ahp && cJSON_GetObjectItemCaseSensitive(o, "weight")) {
            char wp[PATH_MAX_LEN];
            join_path(wp, p, "weight");
            problem(r, wp, "not used when \"ahp\" gives the weights; remove it");
        } else if (!ahp && read_number(r, o, p, "weight", 1, 0, 1e9, &c->weight)) {
            total += c->weight;
        }
        read_value_fn(r, o, p, &c->fn);
    }
    if (!ahp && n > 0 && total <= 0 && r->nproblems == 0)
        problem(r, "criteria", "the weights add up to 0; at least one must be positive");
}

/* "ahp": {"matrix": [[1, 3], [0.333, 1]], "accept_inconsistent": false}:
 * pairwise comparisons of the criteria, in their order. */
static void read_ahp(reader *r, const cJSON *root, dcs_scenario *scn)
{
    static const char *const keys[] = {"matrix", "accept_inconsistent", NULL};
    const cJSON *o = read_object(r, root, "", "ahp", 0);
    if (!o)
        return;
    check_keys(r, o, "ahp", keys);
    read_bool(r, o, "ahp", "accept_inconsistent", &scn->ahp_accept_inconsistent);
    const cJSON *m = read_array(r, o, "ahp", "matrix", 1);
    size_t n = scn->ncriteria;
    if (!m || n == 0)
        return;
    if ((size_t)cJSON_GetArraySize(m) != n) {
        problem(r, "ahp.matrix", "expected %zu rows (one per criterion), got %d", n,
                cJSON_GetArraySize(m));
        return;
    }
    if (!(scn->ahp_matrix = calloc(n * n, sizeof *scn->ahp_matrix))) {
        r->nomem = 1;
        return;
    }
    size_t i = 0;
    for (const cJSON *row = m->child; row; row = row->next, i++) {
        char rp[PATH_MAX_LEN];
        index_path(rp, "ahp.matrix", i);
        if (!cJSON_IsArray(row) || (size_t)cJSON_GetArraySize(row) != n) {
            problem(r, rp, "expected a row of %zu numbers", n);
            continue;
        }
        size_t j = 0;
        for (const cJSON *v = row->child; v; v = v->next, j++) {
            char ep[PATH_MAX_LEN];
            index_path(ep, rp, j);
            if (!cJSON_IsNumber(v))
                wrong_type(r, ep, "a number", v);
            else
                scn->ahp_matrix[i * n + j] = v->valuedouble;
        }
    }
}

/* "parameters": {"supply_c": 25, ...}: overrides of the cooling defaults. */
static void read_cooling_params(reader *r, const cJSON *e, dcs_scenario *scn)
{
    const cJSON *o = read_object(r, e, "energy", "parameters", 0);
    size_t n;
    const dcs_cooling_param *table = dcs_cooling_param_table(&n);
    for (const cJSON *c = o ? o->child : NULL; c; c = c->next) {
        char kp[PATH_MAX_LEN];
        join_path(kp, "energy.parameters", c->string);
        size_t k = 0;
        while (k < n && strcmp(table[k].name, c->string) != 0)
            k++;
        if (k == n) {
            problem(r, kp, "unknown cooling parameter (see docs/methods.md: cooling parameters)");
            continue;
        }
        double v;
        if (read_number(r, o, "energy.parameters", c->string, 1, table[k].lo, table[k].hi, &v))
            *(double *)((char *)&scn->energy.cooling + table[k].offset) = v;
    }
}

static void read_station_list(reader *r, const cJSON *e, const char *base_dir, dcs_scenario *scn)
{
    const cJSON *a = read_array(r, e, "energy", "stations", 0);
    size_t n = a ? (size_t)cJSON_GetArraySize(a) : 0, i = 0;
    scn->energy.stations = calloc(n ? n : 1, sizeof *scn->energy.stations);
    if (!scn->energy.stations) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *v = a ? a->child : NULL; v; v = v->next, i++) {
        char ip[PATH_MAX_LEN];
        index_path(ip, "energy.stations", i);
        if (!cJSON_IsString(v) || !*v->valuestring) {
            wrong_type(r, ip, "a weather file path", v);
            continue;
        }
        char *path = resolve_dataset(base_dir, v->valuestring);
        if (!path)
            r->nomem = 1;
        scn->energy.stations[scn->energy.nstations++] = path;
    }
}

static void read_station_table(reader *r, const cJSON *e, const char *base_dir,
                               dcs_scenario *scn)
{
    static const char *const keys[] = {"dataset", "layer", "where", "file_field", NULL};
    const cJSON *t = read_object(r, e, "energy", "station_table", 0);
    if (!t)
        return;
    check_keys(r, t, "energy.station_table", keys);
    read_source(r, t, "energy.station_table", base_dir, &scn->energy.station_table);
    read_string(r, t, "energy.station_table", "file_field", 1, &scn->energy.file_field);
}

/* A list of budgets ("budgets_pct" or "budgets_hours") into *out. */
static void read_budgets(reader *r, const cJSON *o, const char *key, double lo, double hi,
                         double **out, size_t *n)
{
    const cJSON *a = read_array(r, o, "energy.flexibility", key, 0);
    if (!a)
        return;
    size_t cap = (size_t)cJSON_GetArraySize(a), i = 0;
    if (!(*out = calloc(cap ? cap : 1, sizeof **out))) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *v = a->child; v; v = v->next, i++) {
        char p[PATH_MAX_LEN];
        snprintf(p, sizeof p, "energy.flexibility.%s[%zu]", key, i);
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble < hi))
            problem(r, p, "expected a number from %g to below %g", lo, hi);
        else
            (*out)[(*n)++] = v->valuedouble;
    }
}

/* "flexibility": {"budgets_pct": [0.25, 0.5, 1], "budgets_hours": [50],
 * "generator_cap_hours": 50}: flexible capacity (energy/flex.h). */
static void read_flexibility(reader *r, const cJSON *e, dcs_scenario *scn)
{
    static const char *const keys[] = {"budgets_pct", "budgets_hours", "generator_cap_hours",
                                       NULL};
    const char *p = "energy.flexibility";
    const cJSON *o = read_object(r, e, "energy", "flexibility", 0);
    scn->energy.flex.generator_cap_hours = NAN;
    if (!o)
        return;
    check_keys(r, o, p, keys);
    scn->energy.flex.enabled = 1;
    read_budgets(r, o, "budgets_pct", 0, 100, &scn->energy.flex.pct, &scn->energy.flex.npct);
    read_budgets(r, o, "budgets_hours", 0, 8760, &scn->energy.flex.hours,
                 &scn->energy.flex.nhours);
    read_number(r, o, p, "generator_cap_hours", 0, 0, 8760,
                &scn->energy.flex.generator_cap_hours);
    if (scn->energy.flex.npct + scn->energy.flex.nhours == 0)
        problem(r, p, "needs \"budgets_pct\" or \"budgets_hours\" (e.g. [0.25, 0.5, 1])");
    if (!scn->energy.hourly.fields[DCS_SIG_SYSTEM_LOAD])
        problem(r, p, "needs energy.hourly_signals with a system_load_mw column (the "
                "region's hourly load shape)");
}

/* "hourly_signals": {"dataset", "layer", "where", "key_field", "on",
 * "hour_field", "fields": {signal: column, ...}}: at least one signal. */
static void read_hourly_signals(reader *r, const cJSON *e, const char *base_dir,
                                dcs_scenario *scn)
{
    static const char *const keys[] = {"dataset", "layer",      "where",  "key_field",
                                       "on",      "hour_field", "fields", NULL};
    static const char *path = "energy.hourly_signals";
    dcs_hourly_spec *h = &scn->energy.hourly;
    const cJSON *o = read_object(r, e, "energy", "hourly_signals", 0);
    if (!o)
        return;
    check_keys(r, o, path, keys);
    read_source(r, o, path, base_dir, &h->src);
    read_string(r, o, path, "on", 1, &h->on);
    if (!read_string(r, o, path, "key_field", 0, &h->key_field) &&
        !(h->key_field = dcs_strdup("region")))
        r->nomem = 1;
    if (!read_string(r, o, path, "hour_field", 0, &h->hour_field) &&
        !(h->hour_field = dcs_strdup("hour")))
        r->nomem = 1;
    const cJSON *f = read_object(r, o, path, "fields", 1);
    if (!f)
        return;
    char fp[PATH_MAX_LEN];
    join_path(fp, path, "fields");
    const char *names[DCS_SIG_COUNT + 1] = {NULL};
    for (size_t k = 0; k < DCS_SIG_COUNT; k++)
        names[k] = dcs_signal_names[k];
    check_keys(r, f, fp, names);
    int any = 0;
    for (size_t k = 0; k < DCS_SIG_COUNT; k++)
        any |= read_string(r, f, fp, dcs_signal_names[k], 0, &h->fields[k]);
    if (!any)
        problem(r, fp, "names no column (expected at least one of co2_avg_lb_mwh, "
                       "co2_marginal_lb_mwh, cfe_share, price_usd_mwh, system_load_mw)");
}

/* "clean_supply": {"dataset", "layer", "where", "hour_field", "mw_field"}. */
static void read_clean_supply(reader *r, const cJSON *e, const char *base_dir,
                              dcs_scenario *scn)
{
    static const char *const keys[] = {"dataset", "layer", "where", "hour_field", "mw_field",
                                       NULL};
    static const char *path = "energy.clean_supply";
    dcs_supply_spec *c = &scn->energy.supply;
    const cJSON *o = read_object(r, e, "energy", "clean_supply", 0);
    if (!o)
        return;
    check_keys(r, o, path, keys);
    read_source(r, o, path, base_dir, &c->src);
    if (!read_string(r, o, path, "hour_field", 0, &c->hour_field) &&
        !(c->hour_field = dcs_strdup("hour")))
        r->nomem = 1;
    if (!read_string(r, o, path, "mw_field", 0, &c->mw_field) && !(c->mw_field = dcs_strdup("mw")))
        r->nomem = 1;
    if (!scn->energy.hourly.src.dataset)
        problem(r, path, "needs energy.hourly_signals with a cfe_share field (the grid's "
                         "share fills the hours the supply does not cover)");
    else if (!scn->energy.hourly.fields[DCS_SIG_CFE_SHARE])
        problem(r, path, "needs energy.hourly_signals.fields.cfe_share (the grid's share "
                         "fills the hours the supply does not cover)");
}

/* "energy": {"cooling": "water_economizer", "design_class": "hyperscale",
 *            "parameters": {...}, "stations": [...] | "station_table": {...},
 *            metrics, ...}; the class's parameters, then the overrides. */
static void read_energy(reader *r, const cJSON *root, const char *base_dir, dcs_scenario *scn)
{
    static const char *const keys[] = {"cooling",       "design_class",       "parameters",
                                       "stations",      "station_table",      "co2_metric",
                                       "price_metric",  "water_stress_metric", "accelerator_kw",
                                       "design_dry_bulb_c", "design_wet_bulb_c",
                                       "hourly_signals", "clean_supply", "flexibility", NULL};
    static const char *const archetypes[] = {"air_economizer", "water_economizer",
                                             "air_chiller", "liquid", NULL};
    /* in the order of dcs_design_class (cooling.h) */
    static const char *const classes[] = {"colocation", "hyperscale", "enterprise", NULL};
    const cJSON *e = read_object(r, root, "", "energy", 0);
    if (!e)
        return;
    scn->energy.enabled = 1;
    check_keys(r, e, "energy", keys);
    if (!cJSON_GetObjectItemCaseSensitive(e, "cooling"))
        problem(r, "energy.cooling", "required key is missing (expected one of air_economizer, "
                                     "water_economizer, air_chiller, liquid)");
    int a = read_choice(r, e, "energy", "cooling", archetypes, DCS_COOL_WATER_ECONOMIZER);
    int c = read_choice(r, e, "energy", "design_class", classes, DCS_CLASS_COLOCATION);
    scn->energy.cooling =
        dcs_cooling_class_defaults((dcs_cooling_archetype)a, (dcs_design_class)c);
    int before = r->nproblems;
    read_cooling_params(r, e, scn);
    dcs_error ce;
    if (r->nproblems == before && dcs_cooling_check(&scn->energy.cooling, &ce) != DCS_OK)
        problem(r, "", "energy.parameters.%s", ce.message + strlen("cooling."));
    read_station_list(r, e, base_dir, scn);
    read_station_table(r, e, base_dir, scn);
    if (scn->energy.nstations == 0 && !scn->energy.station_table.dataset)
        problem(r, "energy", "needs \"stations\" (weather files) or a \"station_table\"");
    read_string(r, e, "energy", "co2_metric", 0, &scn->energy.co2_metric);
    read_string(r, e, "energy", "price_metric", 0, &scn->energy.price_metric);
    read_string(r, e, "energy", "water_stress_metric", 0, &scn->energy.water_stress_metric);
    scn->energy.accelerator_kw = 1.0;
    read_number(r, e, "energy", "accelerator_kw", 0, 0.01, 100, &scn->energy.accelerator_kw);
    scn->energy.design_dry_bulb_c = scn->energy.design_wet_bulb_c = NAN;
    read_number(r, e, "energy", "design_dry_bulb_c", 0, -70, 70, &scn->energy.design_dry_bulb_c);
    if (read_number(r, e, "energy", "design_wet_bulb_c", 0, -70, 70,
                    &scn->energy.design_wet_bulb_c) &&
        !(scn->energy.design_wet_bulb_c <= scn->energy.design_dry_bulb_c))
        problem(r, "energy.design_wet_bulb_c", "needs design_dry_bulb_c, at or above it (a wet "
                "bulb is at most the dry bulb)");
    read_hourly_signals(r, e, base_dir, scn);
    read_clean_supply(r, e, base_dir, scn);
    read_flexibility(r, e, scn);
}

static void read_aggregation(reader *r, const cJSON *root, dcs_scenario *scn)
{
    /* in the order of dcs_aggregation (mcda.h) */
    static const char *const names[] = {"weighted_sum", "weighted_product", "topsis", NULL};
    scn->aggregation = read_choice(r, root, "", "aggregation", names, 0);
}

/* "distinct": {"by": text metric, "min_spacing_km": km}: how the best site
 * of each distinct place is chosen (decision/distinct.h). */
static void read_distinct(reader *r, const cJSON *o, dcs_scenario *scn)
{
    static const char *const keys[] = {"by", "min_spacing_km", NULL};
    const cJSON *d = read_object(r, o, "outputs", "distinct", 0);
    if (d) {
        check_keys(r, d, "outputs.distinct", keys);
        read_string(r, d, "outputs.distinct", "by", 0, &scn->outputs.distinct_by);
        read_number(r, d, "outputs.distinct", "min_spacing_km", 0, 0, 1000,
                    &scn->outputs.distinct_km);
    }
    if (!scn->outputs.distinct_by && !(scn->outputs.distinct_by = dcs_strdup("substation_id")))
        r->nomem = 1;
}

/* outputs.html, html_basemap (an http(s) tile URL template with {z}, {x}
 * and {y}) and html_basemap_attribution. */
static void read_html(reader *r, const cJSON *o, dcs_scenario *scn)
{
    if (!o)
        return;
    read_bool(r, o, "outputs", "html", &scn->outputs.html);
    read_string(r, o, "outputs", "html_basemap", 0, &scn->outputs.html_basemap);
    read_string(r, o, "outputs", "html_basemap_attribution", 0,
                &scn->outputs.html_basemap_attribution);
    const char *u = scn->outputs.html_basemap;
    if (u && (!(strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0) ||
              !strstr(u, "{z}") || !strstr(u, "{x}") || !strstr(u, "{y}")))
        problem(r, "outputs.html_basemap",
                "\"%s\" is not a tile URL template: give an http(s) URL with {z}, {x} and {y}, "
                "e.g. \"https://tile.openstreetmap.org/{z}/{x}/{y}.png\"", u);
}

static void read_outputs(reader *r, const cJSON *root, dcs_scenario *scn)
{
    static const char *const keys[] = {"xlsx",     "gpkg",        "json",     "top_n",
                                       "all_sites", "classes",    "distinct", "attribution",
                                       "geometry", "eligible_points", "map", "html",
                                       "html_basemap", "html_basemap_attribution",
                                       "xlsx_rows", NULL};
    static const char *const geometries[] = {"polygons", "points", "none", NULL};
    scn->outputs.xlsx = scn->outputs.gpkg = scn->outputs.json = 1;
    scn->outputs.eligible_points = scn->outputs.map = 1;
    scn->outputs.top_n = 10;
    scn->outputs.classes = 5;
    const cJSON *o = read_object(r, root, "", "outputs", 0);
    if (o) {
        check_keys(r, o, "outputs", keys);
        read_bool(r, o, "outputs", "xlsx", &scn->outputs.xlsx);
        read_bool(r, o, "outputs", "gpkg", &scn->outputs.gpkg);
        read_bool(r, o, "outputs", "json", &scn->outputs.json);
        read_bool(r, o, "outputs", "all_sites", &scn->outputs.all_sites);
        read_string(r, o, "outputs", "attribution", 0, &scn->outputs.attribution);
        scn->outputs.geometry = (dcs_out_geometry)read_choice(r, o, "outputs", "geometry",
                                                              geometries, DCS_OUT_POLYGONS);
        read_bool(r, o, "outputs", "eligible_points", &scn->outputs.eligible_points);
        read_bool(r, o, "outputs", "map", &scn->outputs.map);
        double top = 10, classes = 5, rows = 0;
        if (read_number(r, o, "outputs", "top_n", 0, 1, 1e6, &top))
            scn->outputs.top_n = (size_t)top;
        if (read_number(r, o, "outputs", "xlsx_rows", 0, 1, 1e15, &rows)) {
            if (rows != (size_t)rows)
                problem(r, "outputs.xlsx_rows", "%g is not a whole number", rows);
            else if (rows > DCS_XLSX_ROWS_MAX)
                problem(r, "outputs.xlsx_rows", "%.0f is more than an Excel sheet holds "
                        "under its header (%d rows)", rows, DCS_XLSX_ROWS_MAX);
            scn->outputs.xlsx_rows = (size_t)rows;
        }
        if (read_number(r, o, "outputs", "classes", 0, 3, 7, &classes)) {
            if (classes != (size_t)classes)
                problem(r, "outputs.classes", "%g is not a whole number", classes);
            scn->outputs.classes = (size_t)classes;
        }
    }
    read_distinct(r, o, scn);
    read_html(r, o, scn);
}

/* "ranges": {"criterion": [lo, hi], ...} on the normalised weights. */
static void read_weight_ranges(reader *r, const cJSON *o, dcs_scenario *scn)
{
    static const char *p = "sensitivity.ranges";
    size_t n = scn->ncriteria;
    scn->sensitivity.lo = malloc((n ? n : 1) * sizeof *scn->sensitivity.lo);
    scn->sensitivity.hi = malloc((n ? n : 1) * sizeof *scn->sensitivity.hi);
    if (!scn->sensitivity.lo || !scn->sensitivity.hi) {
        r->nomem = 1;
        return;
    }
    for (size_t c = 0; c < n; c++)
        scn->sensitivity.lo[c] = scn->sensitivity.hi[c] = NAN;
    if (!o->child)
        problem(r, p, "expected at least one \"criterion\": [low, high] pair");
    for (const cJSON *v = o->child; v; v = v->next) {
        char kp[PATH_MAX_LEN];
        join_path(kp, p, v->string);
        size_t c = 0;
        while (c < n && !(scn->criteria[c].name && strcmp(scn->criteria[c].name, v->string) == 0))
            c++;
        const cJSON *a = cJSON_IsArray(v) ? v->child : NULL, *b = a ? a->next : NULL;
        if (c == n)
            problem(r, kp, "no criterion is called \"%s\"", v->string);
        else if (cJSON_GetArraySize(v) != 2 || !cJSON_IsNumber(a) || !cJSON_IsNumber(b))
            wrong_type(r, kp, "[low, high] (two numbers)", v);
        else if (!(a->valuedouble >= 0 && a->valuedouble <= b->valuedouble && b->valuedouble <= 1))
            problem(r, kp, "[%g, %g] is not a range within 0 to 1 (weights as shares of 1)",
                    a->valuedouble, b->valuedouble);
        else {
            scn->sensitivity.lo[c] = a->valuedouble;
            scn->sensitivity.hi[c] = b->valuedouble;
        }
    }
}

/* "sensitivity": {"runs", "seed", "top_n", "perturbation" | "ranges",
 * "sweep_steps"}. */
static void read_sensitivity(reader *r, const cJSON *root, dcs_scenario *scn)
{
    static const char *const keys[] = {"runs",   "seed",        "top_n", "perturbation",
                                       "ranges", "sweep_steps", NULL};
    const cJSON *o = read_object(r, root, "", "sensitivity", 0);
    if (!o)
        return;
    check_keys(r, o, "sensitivity", keys);
    double runs = 1000, seed = 1, top = 10, steps = 21;
    scn->sensitivity.enabled = 1;
    scn->sensitivity.perturbation = 0.2;
    read_number(r, o, "sensitivity", "runs", 0, 1, 1e6, &runs);
    if (read_number(r, o, "sensitivity", "seed", 0, 0, 9007199254740991.0, &seed) &&
        seed != floor(seed))
        problem(r, "sensitivity.seed", "%g is not a whole number", seed);
    read_number(r, o, "sensitivity", "top_n", 0, 1, 1e6, &top);
    read_number(r, o, "sensitivity", "sweep_steps", 0, 2, 1001, &steps);
    read_number(r, o, "sensitivity", "perturbation", 0, 1e-6, 1,
                &scn->sensitivity.perturbation);
    scn->sensitivity.runs = (size_t)runs;
    scn->sensitivity.seed = (unsigned long long)seed;
    scn->sensitivity.top_n = (size_t)top;
    scn->sensitivity.sweep_steps = (size_t)steps;
    const cJSON *ranges = read_object(r, o, "sensitivity", "ranges", 0);
    if (ranges && cJSON_GetObjectItemCaseSensitive(o, "perturbation"))
        problem(r, "sensitivity", "give \"perturbation\" or \"ranges\", not both");
    else if (ranges)
        read_weight_ranges(r, ranges, scn);
}

/* "pareto": {"metrics": [{"metric": "...", "goal": "min" | "max"}, ...]} */
static void read_pareto(reader *r, const cJSON *root, dcs_scenario *scn)
{
    static const char *const keys[] = {"metrics", NULL};
    static const char *const item_keys[] = {"metric", "goal", NULL};
    static const char *const goals[] = {"min", "max", NULL};
    const cJSON *o = read_object(r, root, "", "pareto", 0);
    const cJSON *a = o ? read_array(r, o, "pareto", "metrics", 1) : NULL;
    if (o)
        check_keys(r, o, "pareto", keys);
    if (!a)
        return;
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    if (n == 0)
        problem(r, "pareto.metrics", "expected at least one metric");
    scn->pareto.metric = calloc(n ? n : 1, sizeof *scn->pareto.metric);
    scn->pareto.maximize = calloc(n ? n : 1, sizeof *scn->pareto.maximize);
    if (!scn->pareto.metric || !scn->pareto.maximize) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *m = a->child; m; m = m->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, "pareto.metrics", i);
        if (!cJSON_IsObject(m)) {
            wrong_type(r, p, "an object", m);
            continue;
        }
        check_keys(r, m, p, item_keys);
        size_t k = scn->pareto.n++;
        read_string(r, m, p, "metric", 1, &scn->pareto.metric[k]);
        if (member(r, m, p, "goal", 1, "\"min\" or \"max\""))
            scn->pareto.maximize[k] = read_choice(r, m, p, "goal", goals, 0);
    }
}

/* "assembly": {"enabled", "owner_field", "max_parcels", "min_area_ha"} */
static void read_assembly(reader *r, const cJSON *root, dcs_scenario *scn)
{
    static const char *const keys[] = {"enabled", "owner_field", "max_parcels", "min_area_ha",
                                       NULL};
    const cJSON *o = read_object(r, root, "", "assembly", 0);
    if (!o)
        return;
    check_keys(r, o, "assembly", keys);
    double maxp = 8;
    scn->assembly.enabled = 1;
    scn->assembly.min_area_ha = scn->land_ha;
    read_bool(r, o, "assembly", "enabled", &scn->assembly.enabled);
    read_string(r, o, "assembly", "owner_field", 0, &scn->assembly.owner_field);
    read_number(r, o, "assembly", "max_parcels", 0, 2, 1000, &maxp);
    scn->assembly.max_parcels = (size_t)maxp;
    int given = read_number(r, o, "assembly", "min_area_ha", 0, 1e-6, 1e9,
                            &scn->assembly.min_area_ha);
    if (scn->assembly.enabled && !given && !(scn->assembly.min_area_ha > 0) &&
        !cJSON_GetObjectItemCaseSensitive(o, "min_area_ha"))
        problem(r, "assembly.min_area_ha",
                "required when facility.land_ha is not given (the land a campus must reach)");
    if (scn->assembly.enabled && scn->sites.grid != DCS_GRID_NONE)
        problem(r, "assembly", "needs a site layer of parcels; grid cells are not assembled");
}

/* "portfolio": {"alternatives": 3, "search_km": 50, "target_mw": 500}:
 * eligible sites in rank order draw down substation headroom. */
static void read_portfolio(reader *r, const cJSON *root, dcs_scenario *scn)
{
    static const char *const keys[] = {"alternatives", "search_km", "target_mw", NULL};
    const cJSON *o = read_object(r, root, "", "portfolio", 0);
    if (!o)
        return;
    check_keys(r, o, "portfolio", keys);
    double alt = 3;
    scn->portfolio.enabled = 1;
    scn->portfolio.search_km = 50;
    scn->portfolio.target_mw = NAN;
    read_number(r, o, "portfolio", "alternatives", 0, 0, 4, &alt);
    scn->portfolio.alternatives = (size_t)alt;
    read_number(r, o, "portfolio", "search_km", 0, 0.001, 1e5, &scn->portfolio.search_km);
    read_number(r, o, "portfolio", "target_mw", 0, 0.001, 1e7, &scn->portfolio.target_mw);
}

/* "receptors": "property_line" or {"dataset", "layer", "where"}. */
static void read_noise_receptors(reader *r, const cJSON *o, const char *base_dir,
                                 dcs_scenario *scn)
{
    static const char *const keys[] = {"dataset", "layer", "where", NULL};
    const cJSON *v = member(r, o, "noise", "receptors", 1,
                            "\"property_line\" or an object {dataset, layer}");
    if (!v)
        return;
    if (cJSON_IsString(v) && strcmp(v->valuestring, "property_line") == 0) {
        scn->noise.property_line = 1;
        return;
    }
    if (!cJSON_IsObject(v)) {
        wrong_type(r, "noise.receptors", "\"property_line\" or an object {dataset, layer}", v);
        return;
    }
    check_keys(r, v, "noise.receptors", keys);
    read_source(r, v, "noise.receptors", base_dir, &scn->noise.receptors);
}

/* "placement": "centroid" or {"setback_m": 50}. */
static void read_noise_placement(reader *r, const cJSON *o, dcs_scenario *scn)
{
    static const char *const keys[] = {"setback_m", NULL};
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "placement");
    scn->noise.setback_m = NAN;
    if (!v || (cJSON_IsString(v) && strcmp(v->valuestring, "centroid") == 0))
        return;
    if (!cJSON_IsObject(v)) {
        wrong_type(r, "noise.placement", "\"centroid\" or an object {\"setback_m\": metres}", v);
        return;
    }
    check_keys(r, v, "noise.placement", keys);
    read_number(r, v, "noise.placement", "setback_m", 1, 0, 10000, &scn->noise.setback_m);
}

/* "barrier_db": one insertion loss for every band, or 8 (63 Hz .. 8 kHz). */
static void read_noise_barrier(reader *r, const cJSON *o, dcs_scenario *scn)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "barrier_db");
    double one = 0;
    if (!v || cJSON_IsNumber(v)) {
        read_number(r, o, "noise", "barrier_db", 0, 0, 40, &one);
        for (int b = 0; b < DCS_NOISE_BANDS; b++)
            scn->noise.barrier_db[b] = one;
        return;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != DCS_NOISE_BANDS) {
        wrong_type(r, "noise.barrier_db", "a number of dB or an array of 8 (63 Hz to 8 kHz)", v);
        return;
    }
    for (int b = 0; b < DCS_NOISE_BANDS; b++) {
        const cJSON *x = cJSON_GetArrayItem(v, b);
        char p[PATH_MAX_LEN];
        snprintf(p, sizeof p, "noise.barrier_db[%d]", b);
        if (!cJSON_IsNumber(x))
            wrong_type(r, p, "a number", x);
        else if (!(x->valuedouble >= 0 && x->valuedouble <= 40))
            problem(r, p, "%g is out of range (expected 0 to 40 dB)", x->valuedouble);
        else
            scn->noise.barrier_db[b] = x->valuedouble;
    }
}

/* The cooling plant: "cooling" or energy.cooling; and the atmosphere. */
static void read_noise_plant(reader *r, const cJSON *o, dcs_scenario *scn)
{
    static const char *const archetypes[] = {"air_economizer", "water_economizer",
                                             "air_chiller", "liquid", NULL};
    int a = scn->energy.enabled ? (int)scn->energy.cooling.archetype : -1;
    if (!cJSON_GetObjectItemCaseSensitive(o, "cooling") && a < 0)
        problem(r, "noise.cooling", "required without an energy section (expected one of "
                                    "air_economizer, water_economizer, air_chiller, liquid)");
    a = read_choice(r, o, "noise", "cooling", archetypes, a < 0 ? DCS_COOL_WATER_ECONOMIZER : a);
    scn->noise.cooling = (dcs_cooling_archetype)a;
    scn->noise.liquid_fraction = scn->energy.enabled && (int)scn->energy.cooling.archetype == a
                                     ? scn->energy.cooling.liquid_fraction
                                     : dcs_cooling_defaults(DCS_COOL_LIQUID).liquid_fraction;
    const cJSON *atm = cJSON_GetObjectItemCaseSensitive(o, "atmosphere");
    scn->noise.atmosphere = DCS_ATM_10C_70;
    if (atm && (!cJSON_IsString(atm) ||
                dcs_noise_atmosphere_from_name(atm->valuestring, &scn->noise.atmosphere) != 0)) {
        char seen[96];
        describe(atm, seen, sizeof seen);
        problem(r, "noise.atmosphere", "expected one of 10C_70pct, 20C_70pct, 30C_70pct, "
                "15C_20pct, 15C_50pct, 15C_80pct (ISO 9613-2 Table 2), got %s", seen);
    }
}

/* "generators_tested_day": true (one set), false, or how many sets run together. */
static void read_noise_generators(reader *r, const cJSON *o, dcs_scenario *scn)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "generators_tested_day");
    scn->noise.generators_tested_day = 0;
    if (v && cJSON_IsBool(v))
        scn->noise.generators_tested_day = cJSON_IsTrue(v) ? 1 : 0;
    else if (v && read_number(r, o, "noise", "generators_tested_day", 0, 0, 100,
                              &scn->noise.generators_tested_day) &&
             scn->noise.generators_tested_day != floor(scn->noise.generators_tested_day))
        problem(r, "noise.generators_tested_day", "%g is not a whole number of generator sets",
                scn->noise.generators_tested_day);
}

/* "noise": {"receptors": ..., "placement": ..., heights, ground, barrier, limits ...}:
 * noise at the nearest and loudest receptors (pipeline/noise_run.h). */
static void read_noise(reader *r, const cJSON *root, const char *base_dir, dcs_scenario *scn)
{
    static const char *const keys[] = {
        "receptors",         "placement",          "cooling",       "source_height_m",
        "receiver_height_m", "ground_factor",      "barrier_db",    "atmosphere",
        "night_load_fraction", "generators_tested_day", "limit_day_dba", "limit_night_dba",
        "search_km",         NULL};
    const cJSON *o = read_object(r, root, "", "noise", 0);
    if (!o)
        return;
    scn->noise.enabled = 1;
    check_keys(r, o, "noise", keys);
    read_noise_receptors(r, o, base_dir, scn);
    read_noise_placement(r, o, scn);
    read_noise_plant(r, o, scn);
    read_noise_barrier(r, o, scn);
    read_noise_generators(r, o, scn);
    scn->noise.source_h_m = 5;
    scn->noise.receiver_h_m = 1.5;
    scn->noise.ground_g = 0.5;
    scn->noise.night_load_fraction = 1;
    scn->noise.search_km = 3;
    scn->noise.limit_day_dba = scn->noise.limit_night_dba = NAN;
    read_number(r, o, "noise", "source_height_m", 0, 0, 200, &scn->noise.source_h_m);
    read_number(r, o, "noise", "receiver_height_m", 0, 0, 200, &scn->noise.receiver_h_m);
    read_number(r, o, "noise", "ground_factor", 0, 0, 1, &scn->noise.ground_g);
    read_number(r, o, "noise", "night_load_fraction", 0, 0.01, 1,
                &scn->noise.night_load_fraction);
    read_number(r, o, "noise", "limit_day_dba", 0, 0, 200, &scn->noise.limit_day_dba);
    read_number(r, o, "noise", "limit_night_dba", 0, 0, 200, &scn->noise.limit_night_dba);
    read_number(r, o, "noise", "search_km", 0, 0.01, 100, &scn->noise.search_km);
}

typedef struct {
    const char *name;
    size_t index;
} named;

static int by_name_then_index(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* "what[i].name: "x" is already used by what[j]" for each repeat, j the
 * first use, in the file's order; sorted, so n log n (a million
 * constraints take a second). */
static void check_unique(reader *r, const char *what, const char *const *names, size_t n)
{
    named *v = malloc((n ? n : 1) * sizeof *v);
    size_t *first_use = malloc((n ? n : 1) * sizeof *first_use), m = 0;
    if (!v || !first_use) {
        r->nomem = 1;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        first_use[i] = i;
        if (names[i])
            v[m++] = (named){.name = names[i], .index = i};
    }
    qsort(v, m, sizeof *v, by_name_then_index);
    for (size_t k = 1, first = 0; k < m; k++) {
        if (strcmp(v[k].name, v[first].name) != 0)
            first = k;
        else
            first_use[v[k].index] = v[first].index;
    }
    for (size_t i = 0; i < n; i++) {
        if (first_use[i] == i)
            continue;
        char p[PATH_MAX_LEN];
        snprintf(p, sizeof p, "%s[%zu].name", what, i);
        problem(r, p, "\"%s\" is already used by %s[%zu]", names[i], what, first_use[i]);
    }
done:
    free(v);
    free(first_use);
}

/* Names must be unique within constraints and within criteria. */
static void check_unique_names(reader *r, dcs_scenario *scn)
{
    size_t n = scn->nconstraints > scn->ncriteria ? scn->nconstraints : scn->ncriteria;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    if (!names) {
        r->nomem = 1;
        return;
    }
    for (size_t i = 0; i < scn->nconstraints; i++)
        names[i] = scn->constraints[i].name;
    check_unique(r, "constraints", names, scn->nconstraints);
    for (size_t i = 0; i < scn->ncriteria; i++)
        names[i] = scn->criteria[i].name;
    check_unique(r, "criteria", names, scn->ncriteria);
    free(names);
}

static void free_source(dcs_source *s);

/* ---- the facility's neighbours: ordinances, water utilities, generators -- */

/* A new context (or join) at the end of the scenario's list, zeroed. */
static dcs_context *append_context(reader *r, dcs_scenario *scn, dcs_context_kind kind,
                                   const char *name)
{
    dcs_context *c = realloc(scn->contexts, (scn->ncontexts + 1) * sizeof *c);
    if (!c) {
        r->nomem = 1;
        return NULL;
    }
    scn->contexts = c;
    c = &scn->contexts[scn->ncontexts++];
    *c = (dcs_context){.kind = kind, .name = dcs_strdup(name), .cover = DCS_COVER_EVERYWHERE,
                       .outside = DCS_OUTSIDE_NEUTRAL};
    if (!c->name)
        r->nomem = 1;
    return c;
}

/* Map metric <- field onto attrs (growing it); field NULL: skipped. */
static void add_attr(reader *r, dcs_attribute **attrs, size_t *n, const char *metric,
                     const char *field)
{
    if (!field)
        return;
    dcs_attribute *a = realloc(*attrs, (*n + 1) * sizeof *a);
    if (!a) {
        r->nomem = 1;
        return;
    }
    *attrs = a;
    a[*n] = (dcs_attribute){.metric = dcs_strdup(metric), .field = dcs_strdup(field)};
    if (!a[*n].metric || !a[*n].field)
        r->nomem = 1;
    (*n)++;
}

/* A layer object {dataset, layer, where, <extra keys>} of a community section. */
static const cJSON *read_layer_object(reader *r, const cJSON *o, const char *path,
                                      const char *key, const char *const *keys,
                                      const char *base_dir, dcs_source *src, char *p,
                                      size_t psize)
{
    const cJSON *v = read_object(r, o, path, key, 1);
    snprintf(p, psize, "%s.%s", path, key);
    if (!v)
        return NULL;
    check_keys(r, v, p, keys);
    read_source(r, v, p, base_dir, src);
    return v;
}

/* "ordinances": {"jurisdictions": {dataset, layer, where, name_field}, "table":
 * {dataset, layer, where, key_field, columns}, residences_metric, water_unit,
 * exclude}: zone "jurisdictions" (metric jurisdiction) and join "ordinances". */
static void read_ordinances(reader *r, const cJSON *root, const char *base_dir,
                            dcs_scenario *scn)
{
    static const char *const keys[] = {"jurisdictions", "table", "residences_metric",
                                       "water_unit", "exclude", NULL};
    static const char *const jkeys[] = {"dataset", "layer", "where", "name_field", NULL};
    static const char *const tkeys[] = {"dataset", "layer", "where", "key_field", "columns",
                                        NULL};
    static const char *const units[] = {"m3_day", "gal_day", NULL};
    const cJSON *o = read_object(r, root, "", "ordinances", 0);
    if (!o)
        return;
    check_keys(r, o, "ordinances", keys);
    scn->ordinances.enabled = 1;
    scn->ordinances.exclude = 1;
    read_bool(r, o, "ordinances", "exclude", &scn->ordinances.exclude);
    read_string(r, o, "ordinances", "residences_metric", 0, &scn->ordinances.residences_metric);
    scn->ordinances.water_to_m3 =
        read_choice(r, o, "ordinances", "water_unit", units, 0) == 1 ? 0.003785411784 : 1;
    char p[PATH_MAX_LEN];
    dcs_context *z = append_context(r, scn, DCS_CTX_ZONE, "jurisdictions");
    dcs_source src = {0};
    const cJSON *j = read_layer_object(r, o, "ordinances", "jurisdictions", jkeys, base_dir,
                                       z ? &z->src : &src, p, sizeof p);
    char *name_field = NULL;
    if (j)
        read_string(r, j, p, "name_field", 1, &name_field);
    if (z)
        add_attr(r, &z->attrs, &z->nattrs, "jurisdiction", name_field);
    free(name_field);
    free_source(&src);
    dcs_join *jn = realloc(scn->joins, (scn->njoins + 1) * sizeof *jn);
    if (!jn) {
        r->nomem = 1;
        return;
    }
    scn->joins = jn;
    jn = &scn->joins[scn->njoins++];
    *jn = (dcs_join){.name = dcs_strdup("ordinances"), .on = dcs_strdup("jurisdiction")};
    const cJSON *t = read_layer_object(r, o, "ordinances", "table", tkeys, base_dir, &jn->src, p,
                                       sizeof p);
    if (t && !read_string(r, t, p, "key_field", 0, &jn->key_field))
        jn->key_field = dcs_strdup("jurisdiction");
    const cJSON *cols = t ? read_object(r, t, p, "columns", 0) : NULL;
    char cp[PATH_MAX_LEN];
    snprintf(cp, sizeof cp, "%s.columns", p);
    const char *allowed[DCS_ORD_COUNT + 1] = {NULL};
    for (int k = 0; k < DCS_ORD_COUNT; k++)
        allowed[k] = dcs_ord_columns[k];
    if (cols)
        check_keys(r, cols, cp, allowed);
    for (int k = 0; k < DCS_ORD_COUNT; k++) {
        char *col = NULL;
        if (!cols || !read_string(r, cols, cp, dcs_ord_columns[k], 0, &col))
            col = dcs_strdup(dcs_ord_columns[k]);
        scn->ordinances.columns[k] = col;
        add_attr(r, &jn->attrs, &jn->nattrs, dcs_ord_limit_metrics[k], col);
    }
    if (!jn->name || !jn->on || (t && !jn->key_field))
        r->nomem = 1;
}

/* "water_utilities": {dataset, layer, where, name_field, capacity_field,
 * demand_field, spare_field, units, drought_factor}: zone "water_utilities". */
static void read_water_utilities(reader *r, const cJSON *root, const char *base_dir,
                                 dcs_scenario *scn)
{
    static const char *const keys[] = {"dataset", "layer", "where", "name_field",
                                       "capacity_field", "demand_field", "spare_field", "units",
                                       "drought_factor", NULL};
    static const char *const units[] = {"m3_day", "mgd", NULL};
    static const char *const metric[] = {"water_utility", "water_utility_capacity",
                                         "water_utility_demand", "water_utility_spare"};
    const char *p = "water_utilities";
    const cJSON *o = read_object(r, root, "", p, 0);
    if (!o)
        return;
    check_keys(r, o, p, keys);
    scn->water_utilities.enabled = 1;
    scn->water_utilities.to_m3_day = read_choice(r, o, p, "units", units, 0) == 1 ? 3785.411784
                                                                                  : 1;
    scn->water_utilities.drought_factor = 0.8;
    read_number(r, o, p, "drought_factor", 0, 0.01, 1, &scn->water_utilities.drought_factor);
    dcs_context *z = append_context(r, scn, DCS_CTX_ZONE, "water_utilities");
    if (!z)
        return;
    read_source(r, o, p, base_dir, &z->src);
    static const char *const fkeys[] = {"name_field", "capacity_field", "demand_field",
                                        "spare_field"};
    int have[4] = {0};
    for (int k = 0; k < 4; k++) {
        char *f = NULL;
        have[k] = read_string(r, o, p, fkeys[k], k == 0, &f);
        add_attr(r, &z->attrs, &z->nattrs, metric[k], f);
        free(f);
    }
    scn->water_utilities.has_capacity = have[1];
    scn->water_utilities.has_demand = have[2];
    scn->water_utilities.has_spare = have[3];
    if (!have[3] && !(have[1] && have[2]))
        problem(r, p, "needs \"spare_field\", or \"capacity_field\" and \"demand_field\" (the "
                "service area's spare water capacity)");
    if (have[3] && have[1] && have[2])
        problem(r, p, "give \"spare_field\" or \"demand_field\" beside \"capacity_field\", "
                "not both");
    if (!scn->energy.enabled)
        problem(r, p, "needs an \"energy\" section (the site's peak-day and annual water)");
}

/* "generators": {unit_kw, redundancy, tier | nox_g_kwh and pm_g_kwh,
 * test_hours_yr, curtailment_hours_yr, permit_nox_t_yr, permit_pm_t_yr,
 * nonattainment: {dataset, layer, where, permit_nox_t_yr, permit_pm_t_yr}}. */
static void read_generators(reader *r, const cJSON *root, const char *base_dir,
                            dcs_scenario *scn)
{
    static const char *const keys[] = {"unit_kw", "redundancy", "tier", "nox_g_kwh",
                                       "pm_g_kwh", "test_hours_yr", "curtailment_hours_yr",
                                       "permit_nox_t_yr", "permit_pm_t_yr", "nonattainment",
                                       NULL};
    static const char *const nkeys[] = {"dataset", "layer", "where", "permit_nox_t_yr",
                                        "permit_pm_t_yr", NULL};
    const char *p = "generators";
    const cJSON *o = read_object(r, root, "", p, 0);
    if (!o)
        return;
    check_keys(r, o, p, keys);
    scn->generators.enabled = 1;
    read_number(r, o, p, "unit_kw", 1, 1, 1e5, &scn->generators.spec.unit_kw);
    scn->generators.spec.redundancy = (dcs_gen_redundancy)read_choice(r, o, p, "redundancy",
                                                         dcs_gen_redundancy_names, 0);
    scn->generators.tier = read_choice(r, o, p, "tier", dcs_gen_tier_names, DCS_TIER_2);
    dcs_gen_tier_factors((dcs_gen_tier)scn->generators.tier, &scn->generators.spec.nox_g_kwh, &scn->generators.spec.pm_g_kwh);
    int own = read_number(r, o, p, "nox_g_kwh", 0, 0, 100, &scn->generators.spec.nox_g_kwh);
    own += read_number(r, o, p, "pm_g_kwh", 0, 0, 100, &scn->generators.spec.pm_g_kwh);
    if (own && cJSON_GetObjectItemCaseSensitive(o, "tier"))
        problem(r, p, "give \"tier\" or the factors \"nox_g_kwh\" and \"pm_g_kwh\", not both");
    else if (own == 1)
        problem(r, p, "give both \"nox_g_kwh\" and \"pm_g_kwh\" (g/kWh), or a \"tier\"");
    if (own)
        scn->generators.tier = -1;
    scn->generators.test_hours = 50;
    read_number(r, o, p, "test_hours_yr", 0, 0, 8760, &scn->generators.test_hours);
    read_number(r, o, p, "curtailment_hours_yr", 0, 0, 8760, &scn->generators.curtail_hours);
    scn->generators.spec.hours_yr = scn->generators.test_hours + scn->generators.curtail_hours;
    scn->generators.permit_nox_t = scn->generators.permit_pm_t = 100;
    read_number(r, o, p, "permit_nox_t_yr", 0, 0, 1e6, &scn->generators.permit_nox_t);
    read_number(r, o, p, "permit_pm_t_yr", 0, 0, 1e6, &scn->generators.permit_pm_t);
    scn->generators.na_permit_nox_t = scn->generators.na_permit_pm_t = NAN;
    if (!cJSON_GetObjectItemCaseSensitive(o, "nonattainment"))
        return;
    dcs_context *c = append_context(r, scn, DCS_CTX_OVERLAY, "nonattainment");
    dcs_source src = {0};
    char np[PATH_MAX_LEN];
    const cJSON *n = read_layer_object(r, o, p, "nonattainment", nkeys, base_dir,
                                       c ? &c->src : &src, np, sizeof np);
    free_source(&src);
    scn->generators.has_nonattainment = c != NULL;
    if (n) {
        read_number(r, n, np, "permit_nox_t_yr", 0, 0, 1e6, &scn->generators.na_permit_nox_t);
        read_number(r, n, np, "permit_pm_t_yr", 0, 0, 1e6, &scn->generators.na_permit_pm_t);
    }
}

static void read_community(reader *r, const cJSON *root, const char *base_dir,
                           dcs_scenario *scn)
{
    read_ordinances(r, root, base_dir, scn);
    read_water_utilities(r, root, base_dir, scn);
    read_generators(r, root, base_dir, scn);
}

static void read_root(reader *r, const cJSON *root, const char *base_dir, dcs_scenario *scn)
{
    static const char *const keys[] = {
        "name",      "description", "facility",      "working_crs", "sites",
        "substations", "interconnection", "overlays", "distances",   "zones",
        "area_weighted", "rasters",   "joins",         "constraints", "criteria",
        "ahp",       "aggregation", "outputs",       "energy",      "sensitivity",
        "pareto",    "assembly",    "constants",   "portfolio",   "noise",
        "ordinances", "water_utilities", "generators", NULL};
    check_keys(r, root, "", keys);
    if (read_string(r, root, "", "name", 1, &scn->name))
        check_name(r, "name", scn->name);
    read_string(r, root, "", "description", 0, &scn->description);
    read_string(r, root, "", "working_crs", 0, &scn->working_crs);
    read_interconnection(r, root, base_dir, scn);
    read_aggregation(r, root, scn);
    if (scn->working_crs && strcmp(scn->working_crs, "auto") == 0) {
        free(scn->working_crs);
        scn->working_crs = NULL;
    }
    scn->design_pue = 1.3;
    read_facility(r, root, scn);
    read_sites(r, root, base_dir, scn);
    read_constants(r, root, scn);
    read_substations(r, root, base_dir, scn);
    read_all_contexts(r, root, base_dir, scn);
    read_joins(r, root, base_dir, scn);
    read_energy(r, root, base_dir, scn);
    read_community(r, root, base_dir, scn);
    read_constraints(r, root, scn);
    read_criteria(r, root, scn);
    read_ahp(r, root, scn);
    read_outputs(r, root, scn);
    read_sensitivity(r, root, scn);
    if (scn->ncriteria == 0)
        for (const char *const *k = (const char *const[]){"ahp", "sensitivity", NULL}; *k; k++)
            if (cJSON_GetObjectItemCaseSensitive(root, *k))
                problem(r, *k, "needs \"criteria\" (a measure-only scenario has no weights)");
    read_pareto(r, root, scn);
    read_assembly(r, root, scn);
    read_portfolio(r, root, scn);
    read_noise(r, root, base_dir, scn);
    check_unique_names(r, scn);
}

/* Line and column (1-based) of pos within text. */
static void line_col(const char *text, const char *pos, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; p < pos && *p; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* "path:line:column: JSON syntax error near "..."" for where cJSON
 * stopped; bytes that are not printable ASCII are shown as \xHH, and the
 * end of the text is named as such (an unclosed { or [). */
static void syntax_problem(reader *r, const char *text, const char *at, const char *path)
{
    int line, col;
    line_col(text, at, &line, &col);
    if (!*at) {
        problem(r, "", "%s:%d:%d: JSON syntax error: the text ends too early "
                       "(an unclosed {, [ or string?)", path, line, col);
        return;
    }
    char near[96];
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)at;
         *p && *p != '\n' && *p != '\r' && p < (const unsigned char *)at + 20; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
            near[k++] = (char)*p;
        else
            k += (size_t)snprintf(near + k, sizeof near - k, *p == '"' || *p == '\\' ? "\\%c"
                                                                                : "\\x%02X", *p);
    }
    near[k] = '\0';
    problem(r, "", "%s:%d:%d: JSON syntax error near \"%s\"", path, line, col, near);
}

/* Before cJSON (after == 0): nesting deeper than cJSON takes; after it:
 * an escaped NUL, bytes that are not UTF-8.  1 when found (the problem
 * starts with path:line:column, like a syntax error). */
static int raw_text_problem(reader *r, const char *text, const char *path, int after)
{
    const char *what = NULL;
    size_t at = after ? dcs_json_bad_text(text, &what)
                      : dcs_json_too_deep(text, CJSON_NESTING_LIMIT);
    if (at == (size_t)-1)
        return 0;
    int line, col;
    dcs_json_line_col(text, at, &line, &col);
    if (after)
        problem(r, "", "%s:%d:%d: a string holds %s", path, line, col, what);
    else
        problem(r, "", "%s:%d:%d: JSON nested more than %d levels deep ({ and [ inside each "
                       "other); a scenario needs fewer than ten", path, line, col,
                CJSON_NESTING_LIMIT);
    return 1;
}

/* Every object anywhere in the tree: a key given twice is refused. */
static void repeated_keys(reader *r, const cJSON *root)
{
    dcs_strlist paths = {0};
    if (dcs_json_duplicate_keys(root, &paths) < 0)
        r->nomem = 1;
    for (size_t i = 0; i < paths.count; i++)
        problem(r, paths.items[i], "key appears more than once");
    dcs_strlist_free(&paths);
}

dcs_status dcs_scenario_parse(const char *text, const char *base_dir, const char *path,
                              dcs_scenario *scn, dcs_strlist *problems, dcs_error *err)
{
    dcs_strlist local = {0};
    reader r = {.problems = problems ? problems : &local, .nproblems = 0, .nomem = 0};
    memset(scn, 0, sizeof *scn);
    scn->path = dcs_strdup(path);
    scn->dir = dcs_strdup(base_dir ? base_dir : "");

    const char *end = NULL;
    cJSON *root = NULL;
    int syntax = raw_text_problem(&r, text, path, 0);
    if (!syntax && !(root = cJSON_ParseWithOpts(text, &end, 1))) {
        syntax = 1;
        syntax_problem(&r, text, end ? end : text, path);
    }
    if (!syntax && !(syntax = raw_text_problem(&r, text, path, 1))) {
        repeated_keys(&r, root);
        if (!cJSON_IsObject(root))
            wrong_type(&r, "(top level)", "an object", root);
        else
            read_root(&r, root, base_dir, scn);
    }
    cJSON_Delete(root);

    dcs_status st = DCS_OK;
    if (r.nomem)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory reading scenario '%s'", path);
    else if (syntax) /* the message already starts with path:line:column */
        st = dcs_error_set(err, DCS_ERR_SCENARIO, "%s", r.problems->items[r.problems->count - 1]);
    else if (r.nproblems)
        st = dcs_error_set(err, DCS_ERR_SCENARIO, "%s: %s%s", path,
                           r.problems->items[r.problems->count - (size_t)r.nproblems],
                           r.nproblems > 1 ? " (and more problems)" : "");
    dcs_strlist_free(&local);
    return st;
}

static char *read_whole_file(const char *path, dcs_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        dcs_error_set(err, DCS_ERR_SCENARIO, "cannot open scenario '%s': %s", path,
                      strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(buf, cap + 1);
            if (!grown) {
                dcs_error_set(err, DCS_ERR_NOMEM, "out of memory reading '%s'", path);
                goto fail;
            }
            buf = grown;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        dcs_error_set(err, DCS_ERR_SCENARIO, "cannot read scenario '%s': %s", path,
                      strerror(errno));
        goto fail;
    }
    if (memchr(buf, '\0', len)) {
        dcs_error_set(err, DCS_ERR_SCENARIO, "scenario '%s' is not a text file (NUL byte)",
                      path);
        goto fail;
    }
    buf[len] = '\0';
    fclose(fp);
    return buf;
fail:
    free(buf);
    fclose(fp);
    return NULL;
}

dcs_status dcs_scenario_load(const char *path, dcs_scenario *scn, dcs_strlist *problems,
                             dcs_error *err)
{
    memset(scn, 0, sizeof *scn);
    char *text = read_whole_file(path, err);
    if (!text) {
        if (problems)
            dcs_strlist_addf(problems, "%s", err->message);
        return err->status;
    }
    char *dir = dcs_strdup(path);
    if (!dir) {
        free(text);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    dcs_status st = dcs_scenario_parse(text, dir, path, scn, problems, err);
    free(dir);
    free(text);
    return st;
}

static void free_source(dcs_source *s)
{
    free(s->dataset);
    free(s->layer);
    free(s->where);
}

static void free_attrs(dcs_attribute *attrs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(attrs[i].metric);
        free(attrs[i].field);
    }
    free(attrs);
}

static void free_value_fn(dcs_value_fn *fn)
{
    free(fn->x);
    free(fn->v);
    for (size_t i = 0; i < fn->ncat; i++)
        free(fn->cat[i]);
    free(fn->cat);
}

void dcs_scenario_free(dcs_scenario *scn)
{
    if (!scn)
        return;
    free(scn->path);
    free(scn->dir);
    free(scn->name);
    free(scn->description);
    free(scn->working_crs);
    free_source(&scn->sites.src);
    free(scn->sites.id_field);
    free_attrs(scn->sites.attrs, scn->sites.nattrs);
    free_source(&scn->substations.src);
    free(scn->substations.id_field);
    free(scn->substations.voltage_field);
    free(scn->substations.headroom_field);
    free(scn->substations.name_field);
    free(scn->substations.cost_field);
    free(scn->substations.queue_field);
    free(scn->substations.upgrade_year_field);
    free(scn->substations.upgrade_mw_field);
    free(scn->substations.capacity_field);
    for (size_t i = 0; i < scn->substations.nrules; i++)
        free(scn->substations.rules[i].name);
    free(scn->substations.rules);
    for (size_t i = 0; i < scn->nconstants; i++) {
        free(scn->constants[i].metric);
        free(scn->constants[i].text);
    }
    free(scn->constants);
    for (size_t i = 0; i < scn->ncontexts; i++) {
        dcs_context *c = &scn->contexts[i];
        free(c->name);
        free_source(&c->src);
        free_source(&c->coverage);
        free_attrs(c->attrs, c->nattrs);
        free(c->field);
    }
    free(scn->contexts);
    for (size_t i = 0; i < scn->njoins; i++) {
        dcs_join *j = &scn->joins[i];
        free(j->name);
        free_source(&j->src);
        free(j->key_field);
        free(j->on);
        free_attrs(j->attrs, j->nattrs);
    }
    free(scn->joins);
    free(scn->outputs.distinct_by);
    free(scn->outputs.attribution);
    free(scn->outputs.html_basemap);
    free(scn->outputs.html_basemap_attribution);
    free(scn->interconnection.max_kv);
    free(scn->interconnection.musd_per_km);
    free(scn->interconnection.route.cost_raster);
    for (size_t i = 0; i < scn->interconnection.route.nbarriers; i++)
        free_source(&scn->interconnection.route.barriers[i].src);
    free(scn->interconnection.route.barriers);
    free(scn->ahp_matrix);
    for (size_t i = 0; i < scn->energy.nstations; i++)
        free(scn->energy.stations[i]);
    free(scn->energy.stations);
    free_source(&scn->energy.station_table);
    free(scn->energy.file_field);
    free(scn->energy.co2_metric);
    free(scn->energy.price_metric);
    free(scn->energy.water_stress_metric);
    for (int k = 0; k < DCS_ORD_COUNT; k++)
        free(scn->ordinances.columns[k]);
    free(scn->ordinances.residences_metric);
    free(scn->energy.flex.pct);
    free(scn->energy.flex.hours);
    free_source(&scn->energy.hourly.src);
    free(scn->energy.hourly.key_field);
    free(scn->energy.hourly.on);
    free(scn->energy.hourly.hour_field);
    for (size_t k = 0; k < DCS_SIG_COUNT; k++)
        free(scn->energy.hourly.fields[k]);
    free_source(&scn->energy.supply.src);
    free_source(&scn->noise.receptors);
    free(scn->energy.supply.hour_field);
    free(scn->energy.supply.mw_field);
    for (size_t i = 0; i < scn->nconstraints; i++) {
        dcs_constraint *c = &scn->constraints[i];
        free(c->name);
        free(c->metric);
        for (size_t k = 0; k < c->nset; k++)
            free(c->set[k]);
        free(c->set);
    }
    free(scn->constraints);
    for (size_t i = 0; i < scn->ncriteria; i++) {
        free(scn->criteria[i].name);
        free(scn->criteria[i].metric);
        free_value_fn(&scn->criteria[i].fn);
    }
    free(scn->criteria);
    free(scn->sensitivity.lo);
    free(scn->sensitivity.hi);
    for (size_t i = 0; i < scn->pareto.n; i++)
        free(scn->pareto.metric[i]);
    free(scn->pareto.metric);
    free(scn->pareto.maximize);
    free(scn->assembly.owner_field);
    memset(scn, 0, sizeof *scn);
}

double dcs_scenario_peak_mw(const dcs_scenario *scn)
{
    return scn->it_load_mw * scn->design_pue;
}

const char *dcs_constraint_op_name(dcs_constraint_op op)
{
    switch (op) {
    case DCS_OP_MIN:
        return "min";
    case DCS_OP_MAX:
        return "max";
    case DCS_OP_IN:
        return "in";
    case DCS_OP_NOT_IN:
        return "not_in";
    case DCS_OP_EMPTY:
        return "empty";
    }
    return "?";
}
