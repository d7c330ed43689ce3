/* guess.c - the usual parts of fields and layers, for dcsite init. See guess.h. */
#include "inputs/guess.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Lower case, letters and digits only. */
static void normalise(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++)
        if (isalnum((unsigned char)*s))
            out[n++] = (char)tolower((unsigned char)*s);
    out[n] = '\0';
}

static int in_list(const char *n, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(n, *list) == 0)
            return 1;
    return 0;
}

static int contains_any(const char *n, const char *const *list)
{
    for (; *list; list++)
        if (strstr(n, *list))
            return 1;
    return 0;
}

static int starts(const char *n, const char *p)
{
    return strncmp(n, p, strlen(p)) == 0;
}

static int ends(const char *n, const char *p)
{
    size_t a = strlen(n), b = strlen(p);
    return a >= b && strcmp(n + a - b, p) == 0;
}

/* Each role: exact names (3), telling words (2), last resorts (1). */
typedef struct {
    const char *const *exact, *const *words, *const *last;
} name_rules;

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})
static const name_rules rules[DCS_ROLE_COUNT] = {
    [DCS_ROLE_ID] = {LIST("id", "siteid", "parcelid", "pin", "apn", "parcel", "parcelno",
                          "parcelnum", "subid", "substationid", "geoid", "uid"),
                     NONE, LIST("objectid", "fid", "ogcfid", "gid", "ogrfid")},
    [DCS_ROLE_NAME] = {LIST("name", "subname", "substation", "sitename", "label"), LIST("name"),
                       NONE},
    [DCS_ROLE_VOLTAGE] = {LIST("voltage", "voltagekv", "kv", "maxvolt", "maxkv", "maxvoltage",
                               "voltkv", "nominalkv", "volt"),
                          LIST("volt"), NONE},
    [DCS_ROLE_HEADROOM] = {LIST("headroom", "headroommw", "availablemw", "sparemw",
                                "hostingcapacity", "hostingcapmw"),
                           LIST("headroom", "hosting", "spare", "availcap", "available"),
                           LIST("capacity", "capmw")},
    [DCS_ROLE_POPULATION] = {LIST("pop", "population", "totpop", "totalpop", "poptotal",
                                  "residents"),
                             LIST("pop"), NONE},
    [DCS_ROLE_PRICE] = {LIST("price", "priceusdkwh", "industrialprice", "tariff"),
                        LIST("price", "tariff", "usdkwh", "centskwh", "usdmwh"),
                        LIST("rate")},
    [DCS_ROLE_FLOOD] = {LIST("fldzone", "floodzone", "sfha", "sfhatf"), LIST("flood", "fld"),
                        NONE},
    [DCS_ROLE_ZONING] = {LIST("zoning", "zone", "zoningcode", "zonecode", "zoneclass",
                              "zonecls", "landuse"),
                         LIST("zoning", "landuse"), LIST("zon")},
    [DCS_ROLE_LAND_COST] = {LIST("landcost", "landvalue", "landval", "landcostusdacre",
                                 "landprice"),
                            LIST("landcost", "landval", "landprice", "assess", "apprais",
                                 "mktval", "marketval"),
                            LIST("cost", "value", "price")},
    [DCS_ROLE_OWNER] = {LIST("owner", "ownername", "ownr", "own1"), LIST("owner"),
                        NONE},
};

static int word_fit(const char *n, dcs_field_role role)
{
    if (role == DCS_ROLE_ID)
        return strlen(n) > 2 && (ends(n, "id") || starts(n, "id")) ? 2 : 0;
    if (role == DCS_ROLE_VOLTAGE) /* kv at either end, but not kVA or kVAr */
        return contains_any(n, rules[role].words) ||
                       (starts(n, "kv") && !starts(n, "kva")) || ends(n, "kv")
                   ? 2
                   : 0;
    if (role == DCS_ROLE_NAME && (strstr(n, "owner") || strstr(n, "file")))
        return 0;
    return contains_any(n, rules[role].words) ? 2 : 0;
}

int dcs_guess_name_fit(const char *field, dcs_field_role role)
{
    char n[128];
    if (role >= DCS_ROLE_COUNT)
        return 0;
    normalise(field, n, sizeof n);
    if (!*n)
        return 0;
    if (in_list(n, rules[role].exact))
        return 3;
    if (in_list(n, rules[role].last)) /* OBJECTID is a last resort, though it ends in "id" */
        return 1;
    if (role == DCS_ROLE_POPULATION && starts(n, "pop") && isdigit((unsigned char)n[3]))
        return 3; /* POP20, pop2020 */
    if (word_fit(n, role))
        return 2;
    return contains_any(n, rules[role].last) ? 1 : 0;
}

static int numeric(const dcs_field_info *f)
{
    return f->kind == DCS_FK_INTEGER || f->kind == DCS_FK_REAL;
}

int dcs_guess_data_fits(const dcs_inspected *in, size_t k, dcs_field_role role)
{
    if (k >= in->nfields)
        return 0;
    const dcs_field_info *f = &in->fields[k];
    if (f->nset == 0)
        return 0;
    switch (role) {
    case DCS_ROLE_ID:
        return (f->kind == DCS_FK_TEXT || f->kind == DCS_FK_INTEGER) && f->nset == in->nread &&
               f->ndistinct == f->nset;
    case DCS_ROLE_NAME:
    case DCS_ROLE_ZONING:
    case DCS_ROLE_OWNER:
        return f->kind == DCS_FK_TEXT;
    case DCS_ROLE_VOLTAGE:
        return numeric(f) && f->max > 0;
    case DCS_ROLE_POPULATION:
        return numeric(f) && f->min >= 0 && f->max > 0;
    case DCS_ROLE_HEADROOM:
    case DCS_ROLE_PRICE:
    case DCS_ROLE_LAND_COST:
        return numeric(f);
    case DCS_ROLE_FLOOD:
        return 1;
    case DCS_ROLE_COUNT:
        break;
    }
    return 0;
}

long dcs_guess_field(const dcs_inspected *in, dcs_field_role role)
{
    long best = -1;
    int best_fit = 0;
    for (size_t k = 0; k < in->nfields; k++) {
        int fit = dcs_guess_name_fit(in->fields[k].name, role);
        if (fit > best_fit && dcs_guess_data_fits(in, k, role)) {
            best = (long)k;
            best_fit = fit;
        }
    }
    return best;
}

/* Tokens of a name (split at anything but letters and digits), lower case. */
static int has_token(const char *name, const char *const *prefixes, int whole)
{
    char tok[128];
    const char *base = strrchr(name, '/');
    for (const char *p = base ? base + 1 : name; *p;) {
        size_t n = 0;
        while (*p && !isalnum((unsigned char)*p))
            p++;
        while (*p && isalnum((unsigned char)*p) && n + 1 < sizeof tok)
            tok[n++] = (char)tolower((unsigned char)*p++);
        tok[n] = '\0';
        for (const char *const *q = prefixes; n && *q; q++) {
            size_t k = strlen(*q);
            /* whole: the token is the word, or the word then digits and units (dem10m) */
            if (strncmp(tok, *q, k) == 0 && (!whole || !tok[k] || isdigit((unsigned char)tok[k])))
                return 1;
        }
    }
    return 0;
}

int dcs_guess_is_elevation(const char *name)
{
    return has_token(name, LIST("dem", "dtm", "dsm", "srtm", "ned", "gmted"), 1) ||
           has_token(name, LIST("elev", "height", "topo"), 0);
}

int dcs_guess_is_flood(const char *name)
{
    char n[256];
    normalise(name, n, sizeof n);
    return contains_any(n, LIST("flood", "fema", "nfhl", "fldhaz", "sfha"));
}

int dcs_guess_is_bookkeeping(const char *field)
{
    char n[128];
    normalise(field, n, sizeof n);
    return in_list(n, LIST("objectid", "fid", "ogcfid", "gid", "globalid", "shapearea",
                           "shapelength", "shapeleng", "shapelen", "shapestarea",
                           "shapestlength", "stareashape", "stlengthshape")) ||
           starts(n, "shape");
}

void dcs_guess_name(const char *text, size_t max_len, char *out, size_t size)
{
    size_t n = 0;
    if (max_len >= size)
        max_len = size - 1;
    const char *p = text;
    while (*p && !isalnum((unsigned char)*p))
        p++;
    if (!isalpha((unsigned char)*p) && max_len > 0)
        out[n++] = 'x';
    for (; *p && n < max_len; p++) {
        int c = (unsigned char)*p;
        if (isalnum(c))
            out[n++] = (char)tolower(c);
        else if (out[n - 1] != '_')
            out[n++] = '_';
    }
    while (n > 1 && out[n - 1] == '_')
        n--;
    out[n] = '\0';
}

int dcs_guess_zone_field(const dcs_inspected *in, size_t k)
{
    if (k >= in->nfields)
        return 0;
    const dcs_field_info *f = &in->fields[k];
    int feature_id = in->nread > DCS_GUESS_ZONE_IDS && f->ndistinct == in->nread;
    return f->nset > 0 && f->kind != DCS_FK_OTHER && !feature_id &&
           !dcs_guess_is_bookkeeping(f->name);
}

static int zone_fields(const dcs_inspected *in)
{
    int n = 0;
    for (size_t k = 0; k < in->nfields; k++)
        n += dcs_guess_zone_field(in, k);
    return n;
}

static dcs_layer_use polygon_use(const dcs_inspected *in)
{
    if (dcs_guess_field(in, DCS_ROLE_POPULATION) >= 0)
        return DCS_USE_AREA_WEIGHTED;
    if (dcs_guess_is_flood(in->layer) || dcs_guess_is_flood(in->dataset) ||
        dcs_guess_field(in, DCS_ROLE_FLOOD) >= 0)
        return DCS_USE_OVERLAY;
    return zone_fields(in) ? DCS_USE_ZONE : DCS_USE_OVERLAY;
}

dcs_layer_use dcs_guess_use(const dcs_inspected *in, char *why, size_t size)
{
    snprintf(why, size, "%s", "");
    if (in->kind == DCS_INSPECT_WEATHER)
        return DCS_USE_STATION;
    if (in->problem[0]) {
        snprintf(why, size, "%s", in->problem);
        return DCS_USE_NONE;
    }
    if (in->kind == DCS_INSPECT_RASTER)
        return DCS_USE_RASTER;
    if (in->nfeatures == 0) {
        snprintf(why, size, "it has no features");
        return DCS_USE_NONE;
    }
    switch (in->shape) {
    case DCS_SHAPE_NONE:
        if (dcs_guess_field(in, DCS_ROLE_PRICE) >= 0)
            return DCS_USE_JOIN;
        snprintf(why, size, "a table without geometry and without a price-like field");
        return DCS_USE_NONE;
    case DCS_SHAPE_POINT:
        return dcs_guess_field(in, DCS_ROLE_VOLTAGE) >= 0 ? DCS_USE_SUBSTATIONS
                                                          : DCS_USE_DISTANCE;
    case DCS_SHAPE_LINE:
    case DCS_SHAPE_MIXED:
        return DCS_USE_DISTANCE;
    case DCS_SHAPE_POLYGON:
        return polygon_use(in);
    }
    return DCS_USE_NONE;
}

const char *dcs_guess_role_name(dcs_field_role role)
{
    static const char *const names[DCS_ROLE_COUNT] = {
        "id", "name", "voltage", "headroom", "population", "price", "flood", "zoning",
        "land cost", "owner"};
    return role < DCS_ROLE_COUNT ? names[role] : "?";
}

const char *dcs_guess_use_name(dcs_layer_use use)
{
    static const char *const names[] = {"none", "substations", "distances", "area_weighted",
                                        "overlays", "zones", "joins", "rasters", "stations"};
    return use <= DCS_USE_STATION ? names[use] : "?";
}
