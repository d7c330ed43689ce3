/* scenario.c - strict reading of the scenario JSON. See scenario.h. */
#include "scenario.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Report keys of obj not in allowed (NULL-terminated) and duplicates. */
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
        for (const cJSON *d = obj->child; d != c; d = d->next)
            if (strcmp(d->string, c->string) == 0) {
                problem(r, kp, "key appears more than once");
                break;
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

/* ---- dataset paths ---------------------------------------------------- */

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
    static const char *const keys[] = {"it_load_mw", "design_pue", "land_ha", NULL};
    const cJSON *f = read_object(r, root, "", "facility", 1);
    if (!f)
        return;
    check_keys(r, f, "facility", keys);
    read_number(r, f, "facility", "it_load_mw", 1, 0.001, 10000, &scn->it_load_mw);
    read_number(r, f, "facility", "design_pue", 0, 1.0, 3.0, &scn->design_pue);
    read_number(r, f, "facility", "land_ha", 0, 0, 1e6, &scn->land_ha);
}

static void read_attributes(reader *r, const cJSON *sites, dcs_scenario *scn)
{
    const cJSON *a = read_object(r, sites, "sites", "attributes", 0);
    if (!a)
        return;
    size_t n = (size_t)cJSON_GetArraySize(a);
    scn->sites.attrs = calloc(n ? n : 1, sizeof *scn->sites.attrs);
    if (!scn->sites.attrs) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *c = a->child; c; c = c->next) {
        char kp[PATH_MAX_LEN];
        join_path(kp, "sites.attributes", c->string);
        if (!cJSON_IsString(c)) {
            wrong_type(r, kp, "a field name (string)", c);
            continue;
        }
        dcs_attribute *at = &scn->sites.attrs[scn->sites.nattrs++];
        at->metric = dcs_strdup(c->string);
        at->field = dcs_strdup(c->valuestring);
        if (!at->metric || !at->field)
            r->nomem = 1;
    }
}

static void read_sites(reader *r, const cJSON *root, const char *base_dir, dcs_scenario *scn)
{
    static const char *const keys[] = {"dataset", "layer", "where", "id_field", "attributes", NULL};
    const cJSON *s = read_object(r, root, "", "sites", 1);
    if (!s)
        return;
    check_keys(r, s, "sites", keys);
    read_source(r, s, "sites", base_dir, &scn->sites.src);
    read_string(r, s, "sites", "id_field", 0, &scn->sites.id_field);
    read_attributes(r, s, scn);
}

static void read_substations(reader *r, const cJSON *root, const char *base_dir,
                             dcs_scenario *scn)
{
    static const char *const keys[] = {"dataset",        "layer",          "where",
                                       "id_field",       "voltage_field",  "headroom_field",
                                       "min_voltage_kv", NULL};
    const cJSON *s = read_object(r, root, "", "substations", 1);
    if (!s)
        return;
    check_keys(r, s, "substations", keys);
    read_source(r, s, "substations", base_dir, &scn->substations.src);
    read_string(r, s, "substations", "id_field", 0, &scn->substations.id_field);
    read_string(r, s, "substations", "voltage_field", 1, &scn->substations.voltage_field);
    read_string(r, s, "substations", "headroom_field", 1, &scn->substations.headroom_field);
    read_number(r, s, "substations", "min_voltage_kv", 0, 0, 2000,
                &scn->substations.min_voltage_kv);
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

static void read_overlays(reader *r, const cJSON *root, const char *base_dir, dcs_scenario *scn)
{
    static const char *const keys[] = {"name", "dataset", "layer", "where", NULL};
    const cJSON *a = read_array(r, root, "", "overlays", 0);
    if (!a)
        return;
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    scn->overlays = calloc(n ? n : 1, sizeof *scn->overlays);
    if (!scn->overlays) {
        r->nomem = 1;
        return;
    }
    for (const cJSON *o = a->child; o; o = o->next, i++) {
        char p[PATH_MAX_LEN];
        index_path(p, "overlays", i);
        if (!cJSON_IsObject(o)) {
            wrong_type(r, p, "an object", o);
            continue;
        }
        dcs_overlay *ov = &scn->overlays[scn->noverlays++];
        check_keys(r, o, p, keys);
        if (read_string(r, o, p, "name", 1, &ov->name)) {
            char np[PATH_MAX_LEN];
            join_path(np, p, "name");
            check_name(r, np, ov->name);
        }
        read_source(r, o, p, base_dir, &ov->src);
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

static void read_value_fn(reader *r, const cJSON *o, const char *p, dcs_value_fn *fn)
{
    static const char *const keys[] = {"type", "worst", "best", NULL};
    const cJSON *v = read_object(r, o, p, "value", 1);
    if (!v)
        return;
    char vp[PATH_MAX_LEN];
    join_path(vp, p, "value");
    check_keys(r, v, vp, keys);
    char *type = NULL;
    if (read_string(r, v, vp, "type", 1, &type)) {
        if (strcmp(type, "linear") == 0) {
            fn->type = DCS_VF_LINEAR;
        } else {
            char tp[PATH_MAX_LEN];
            join_path(tp, vp, "type");
            problem(r, tp, "unknown value function \"%s\" (expected: linear)", type);
        }
    }
    free(type);
    int ok = read_number(r, v, vp, "worst", 1, -1e15, 1e15, &fn->worst);
    ok &= read_number(r, v, vp, "best", 1, -1e15, 1e15, &fn->best);
    if (ok && fn->worst == fn->best)
        problem(r, vp, "worst and best must differ (both %g)", fn->best);
}

static void read_criteria(reader *r, const cJSON *root, dcs_scenario *scn)
{
    static const char *const keys[] = {"name", "metric", "weight", "value", NULL};
    const cJSON *a = read_array(r, root, "", "criteria", 1);
    if (!a)
        return;
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    if (n == 0)
        problem(r, "criteria", "at least one criterion is needed to rank sites");
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
        if (read_string(r, o, p, "name", 1, &c->name)) {
            char np[PATH_MAX_LEN];
            join_path(np, p, "name");
            check_name(r, np, c->name);
        }
        read_string(r, o, p, "metric", 1, &c->metric);
        if (read_number(r, o, p, "weight", 1, 0, 1e9, &c->weight))
            total += c->weight;
        read_value_fn(r, o, p, &c->fn);
    }
    if (n > 0 && total <= 0 && r->nproblems == 0)
        problem(r, "criteria", "the weights add up to 0; at least one must be positive");
}

static void read_outputs(reader *r, const cJSON *root, dcs_scenario *scn)
{
    static const char *const keys[] = {"xlsx", "gpkg", "json", "top_n", NULL};
    scn->outputs.xlsx = scn->outputs.gpkg = scn->outputs.json = 1;
    scn->outputs.top_n = 10;
    const cJSON *o = read_object(r, root, "", "outputs", 0);
    if (!o)
        return;
    check_keys(r, o, "outputs", keys);
    read_bool(r, o, "outputs", "xlsx", &scn->outputs.xlsx);
    read_bool(r, o, "outputs", "gpkg", &scn->outputs.gpkg);
    read_bool(r, o, "outputs", "json", &scn->outputs.json);
    double top = 10;
    if (read_number(r, o, "outputs", "top_n", 0, 1, 1e6, &top))
        scn->outputs.top_n = (size_t)top;
}

/* Names must be unique within constraints and within criteria. */
static void check_unique_names(reader *r, dcs_scenario *scn)
{
    for (size_t i = 0; i < scn->nconstraints; i++)
        for (size_t j = 0; j < i; j++)
            if (scn->constraints[i].name && scn->constraints[j].name &&
                strcmp(scn->constraints[i].name, scn->constraints[j].name) == 0) {
                char p[PATH_MAX_LEN];
                snprintf(p, sizeof p, "constraints[%zu].name", i);
                problem(r, p, "\"%s\" is already used by constraints[%zu]",
                        scn->constraints[i].name, j);
            }
    for (size_t i = 0; i < scn->ncriteria; i++)
        for (size_t j = 0; j < i; j++)
            if (scn->criteria[i].name && scn->criteria[j].name &&
                strcmp(scn->criteria[i].name, scn->criteria[j].name) == 0) {
                char p[PATH_MAX_LEN];
                snprintf(p, sizeof p, "criteria[%zu].name", i);
                problem(r, p, "\"%s\" is already used by criteria[%zu]", scn->criteria[i].name,
                        j);
            }
}

static void read_root(reader *r, const cJSON *root, const char *base_dir, dcs_scenario *scn)
{
    static const char *const keys[] = {"name",     "description", "facility", "working_crs",
                                       "sites",    "substations", "overlays", "constraints",
                                       "criteria", "outputs",     NULL};
    check_keys(r, root, "", keys);
    if (read_string(r, root, "", "name", 1, &scn->name))
        check_name(r, "name", scn->name);
    read_string(r, root, "", "description", 0, &scn->description);
    read_string(r, root, "", "working_crs", 0, &scn->working_crs);
    if (scn->working_crs && strcmp(scn->working_crs, "auto") == 0) {
        free(scn->working_crs);
        scn->working_crs = NULL;
    }
    scn->design_pue = 1.3;
    read_facility(r, root, scn);
    read_sites(r, root, base_dir, scn);
    read_substations(r, root, base_dir, scn);
    read_overlays(r, root, base_dir, scn);
    read_constraints(r, root, scn);
    read_criteria(r, root, scn);
    read_outputs(r, root, scn);
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

dcs_status dcs_scenario_parse(const char *text, const char *base_dir, const char *path,
                              dcs_scenario *scn, dcs_strlist *problems, dcs_error *err)
{
    dcs_strlist local = {0};
    reader r = {problems ? problems : &local, 0, 0};
    memset(scn, 0, sizeof *scn);
    scn->path = dcs_strdup(path);

    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        int line, col;
        const char *at = end ? end : text;
        line_col(text, at, &line, &col);
        int len = (int)strcspn(at, "\r\n");
        problem(&r, "", "%s:%d:%d: JSON syntax error near \"%.*s\"", path, line, col,
                len < 20 ? len : 20, at);
    } else if (!cJSON_IsObject(root)) {
        wrong_type(&r, "(top level)", "an object", root);
    } else {
        read_root(&r, root, base_dir, scn);
    }
    cJSON_Delete(root);

    dcs_status st = DCS_OK;
    if (r.nomem)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory reading scenario '%s'", path);
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

void dcs_scenario_free(dcs_scenario *scn)
{
    if (!scn)
        return;
    free(scn->path);
    free(scn->name);
    free(scn->description);
    free(scn->working_crs);
    free_source(&scn->sites.src);
    free(scn->sites.id_field);
    for (size_t i = 0; i < scn->sites.nattrs; i++) {
        free(scn->sites.attrs[i].metric);
        free(scn->sites.attrs[i].field);
    }
    free(scn->sites.attrs);
    free_source(&scn->substations.src);
    free(scn->substations.id_field);
    free(scn->substations.voltage_field);
    free(scn->substations.headroom_field);
    for (size_t i = 0; i < scn->noverlays; i++) {
        free(scn->overlays[i].name);
        free_source(&scn->overlays[i].src);
    }
    free(scn->overlays);
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
    }
    free(scn->criteria);
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
    }
    return "?";
}
