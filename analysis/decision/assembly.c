/* assembly.c - parcels grouped into campuses. See assembly.h. */
#include "decision/assembly.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strlist.h"

/* The small parcels ("slots") and who is adjacent to whom. */
typedef struct {
    dcs_sites *s;
    const dcs_assembly_params *p;
    size_t nsmall;
    size_t *site;    /* nsmall: site index of each slot */
    size_t **adj;    /* nsmall: adjacent slots (ascending) */
    size_t *nadj, *capadj;
    size_t *hits;    /* STRtree query results */
    size_t nhits, caphits;
    unsigned char *used;
} planner;

static double area_of(const dcs_sites *s, size_t i)
{
    return dcs_site_num(s, i)[DCS_COL_AREA_HA];
}

static void planner_free(planner *pl)
{
    for (size_t k = 0; pl->adj && k < pl->nsmall; k++)
        free(pl->adj[k]);
    free(pl->adj);
    free(pl->nadj);
    free(pl->capadj);
    free(pl->site);
    free(pl->hits);
    free(pl->used);
}

static int is_polygon(const dcs_sites *s, size_t i)
{
    int t = GEOSGeomTypeId_r(s->geos, s->geom[i]);
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

static int planner_init(planner *pl, dcs_sites *s, const dcs_assembly_params *p)
{
    memset(pl, 0, sizeof *pl);
    pl->s = s;
    pl->p = p;
    size_t n1 = s->n ? s->n : 1;
    pl->site = malloc(n1 * sizeof *pl->site);
    pl->adj = calloc(n1, sizeof *pl->adj);
    pl->nadj = calloc(n1, sizeof *pl->nadj);
    pl->capadj = calloc(n1, sizeof *pl->capadj);
    pl->used = calloc(n1, 1);
    if (!pl->site || !pl->adj || !pl->nadj || !pl->capadj || !pl->used)
        return -1;
    for (size_t i = 0; i < s->n; i++)
        if (s->geom[i] && is_polygon(s, i) && area_of(s, i) < p->min_area_ha)
            pl->site[pl->nsmall++] = i;
    return 0;
}

static int push(size_t **arr, size_t *n, size_t *cap, size_t v)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        size_t *a = realloc(*arr, c * sizeof *a);
        if (!a)
            return -1;
        *arr = a;
        *cap = c;
    }
    (*arr)[(*n)++] = v;
    return 0;
}

static void collect_hit(void *item, void *user)
{
    planner *pl = user;
    if (push(&pl->hits, &pl->nhits, &pl->caphits, *(size_t *)item) != 0)
        pl->nhits = (size_t)-1 >> 1; /* flagged: out of memory */
}

/* Same non-missing owner (or no owner rule). */
static int same_owner(const planner *pl, size_t a, size_t b)
{
    const dcs_assembly_params *p = pl->p;
    if (p->owner_col < 0)
        return 1;
    if (p->owner_is_text) {
        const char *x = dcs_site_text(pl->s, a)[p->owner_col];
        const char *y = dcs_site_text(pl->s, b)[p->owner_col];
        return x && y && strcmp(x, y) == 0;
    }
    double x = dcs_site_num(pl->s, a)[p->owner_col], y = dcs_site_num(pl->s, b)[p->owner_col];
    return !isnan(x) && x == y;
}

/* Shared boundary stretch or overlapping interiors. */
static int adjacent(const planner *pl, size_t a, size_t b)
{
    GEOSContextHandle_t h = pl->s->geos;
    const GEOSGeometry *ga = pl->s->geom[a], *gb = pl->s->geom[b];
    return GEOSRelatePattern_r(h, ga, gb, "****1****") == 1 ||
           GEOSRelatePattern_r(h, ga, gb, "T********") == 1;
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static dcs_status build_adjacency(planner *pl, dcs_error *err)
{
    GEOSContextHandle_t h = pl->s->geos;
    GEOSSTRtree *tree = GEOSSTRtree_create_r(h, 10);
    if (!tree)
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "GEOS could not build the parcel index");
    size_t *slot = malloc((pl->nsmall ? pl->nsmall : 1) * sizeof *slot);
    dcs_status st = slot ? DCS_OK : dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == DCS_OK && k < pl->nsmall; k++) {
        slot[k] = k;
        GEOSSTRtree_insert_r(h, tree, pl->s->geom[pl->site[k]], &slot[k]);
    }
    for (size_t k = 0; st == DCS_OK && k < pl->nsmall; k++) {
        pl->nhits = 0;
        GEOSSTRtree_query_r(h, tree, pl->s->geom[pl->site[k]], collect_hit, pl);
        if (pl->nhits == (size_t)-1 >> 1) {
            st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
            break;
        }
        for (size_t q = 0; q < pl->nhits && st == DCS_OK; q++) {
            size_t j = pl->hits[q];
            if (j != k && same_owner(pl, pl->site[k], pl->site[j]) &&
                adjacent(pl, pl->site[k], pl->site[j]) &&
                push(&pl->adj[k], &pl->nadj[k], &pl->capadj[k], j) != 0)
                st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        }
        if (st == DCS_OK && pl->nadj[k] > 1)
            qsort(pl->adj[k], pl->nadj[k], sizeof *pl->adj[k], compare_size);
    }
    GEOSSTRtree_destroy_r(h, tree);
    free(slot);
    return st;
}

/* Area in whole square metres: the order of parcels must not hang on
 * sub-metre differences of geodesic areas (equal parcels drawn in a
 * projection differ by a few parts per million). */
static double order_area(const planner *pl, size_t slot)
{
    return round(area_of(pl->s, pl->site[slot]) * 1e4);
}

/* 1 when slot a comes before slot b: larger area, then lower id. */
static int larger(const planner *pl, size_t a, size_t b)
{
    double x = order_area(pl, a), y = order_area(pl, b);
    if (x != y)
        return x > y;
    return strcmp(pl->s->id[pl->site[a]], pl->s->id[pl->site[b]]) < 0;
}

static int compare_seed(const void *a, const void *b, void *arg)
{
    const planner *pl = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return larger(pl, x, y) ? -1 : larger(pl, y, x) ? 1 : 0;
}

/* The best free slot adjacent to the campus, or (size_t)-1. */
static size_t best_neighbour(const planner *pl, const size_t *members, size_t nm,
                             const unsigned char *in)
{
    size_t best = (size_t)-1;
    for (size_t m = 0; m < nm; m++)
        for (size_t q = 0; q < pl->nadj[members[m]]; q++) {
            size_t j = pl->adj[members[m]][q];
            if (!pl->used[j] && !in[j] && (best == (size_t)-1 || larger(pl, j, best)))
                best = j;
        }
    return best;
}

/* Grow one campus from seed into members (slots); returns its size when
 * it reaches the area, else 0.  *grown: the parcels taken and their area. */
static size_t grow_campus(const planner *pl, size_t seed, size_t *members, unsigned char *in,
                          size_t *ngrown, double *grown_ha)
{
    size_t nm = 0;
    double area = 0;
    size_t next = seed;
    while (next != (size_t)-1) {
        members[nm++] = next;
        in[next] = 1;
        area += area_of(pl->s, pl->site[next]);
        if (area >= pl->p->min_area_ha || nm >= pl->p->max_parcels)
            break;
        next = best_neighbour(pl, members, nm, in);
    }
    for (size_t m = 0; m < nm; m++)
        in[members[m]] = 0;
    *ngrown = nm;
    *grown_ha = area;
    return area >= pl->p->min_area_ha && nm >= 2 ? nm : 0;
}

static int add_campus(dcs_assembly *a, const planner *pl, const size_t *members, size_t nm)
{
    size_t **parcels = realloc(a->parcels, (a->n + 1) * sizeof *parcels);
    if (parcels)
        a->parcels = parcels;
    size_t *np = realloc(a->nparcels, (a->n + 1) * sizeof *np);
    if (np)
        a->nparcels = np;
    size_t *list = malloc(nm * sizeof *list);
    if (!parcels || !np || !list) {
        free(list);
        return -1;
    }
    for (size_t m = 0; m < nm; m++)
        list[m] = pl->site[members[m]];
    a->parcels[a->n] = list;
    a->nparcels[a->n++] = nm;
    return 0;
}

static dcs_status plan_campuses(planner *pl, dcs_assembly *a, dcs_error *err)
{
    size_t n1 = pl->nsmall ? pl->nsmall : 1;
    size_t *seeds = malloc(n1 * sizeof *seeds), *members = malloc(n1 * sizeof *members);
    unsigned char *in = calloc(n1, 1);
    dcs_status st = DCS_OK;
    if (!seeds || !members || !in) {
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t k = 0; k < pl->nsmall; k++)
        seeds[k] = k;
    qsort_r(seeds, pl->nsmall, sizeof *seeds, compare_seed, pl);
    for (size_t r = 0; r < pl->nsmall && st == DCS_OK; r++) {
        if (pl->used[seeds[r]])
            continue;
        size_t ngrown;
        double ha;
        size_t nm = grow_campus(pl, seeds[r], members, in, &ngrown, &ha);
        if (!nm && ha > a->short_ha) {
            a->short_ha = ha;
            a->short_nparcels = ngrown;
        }
        for (size_t m = 0; m < nm; m++)
            pl->used[members[m]] = 1;
        if (nm && add_campus(a, pl, members, nm) != 0)
            st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
fail:
    free(seeds);
    free(members);
    free(in);
    return st;
}

/* Make room for `more` sites in s (its arrays hold s->cap). */
static int reserve(dcs_sites *s, size_t more)
{
    size_t cap = s->n + more;
    if (cap <= s->cap)
        return 0;
    char **id = realloc(s->id, cap * sizeof *id);
    if (id)
        s->id = id;
    GEOSGeometry **geom = realloc(s->geom, cap * sizeof *geom);
    if (geom)
        s->geom = geom;
    double *lon = realloc(s->lon, cap * sizeof *lon), *lat, *x, *y, *num;
    if (lon)
        s->lon = lon;
    if ((lat = realloc(s->lat, cap * sizeof *lat)))
        s->lat = lat;
    double *clon = realloc(s->centroid_lon, cap * sizeof *clon), *clat;
    if (clon)
        s->centroid_lon = clon;
    if ((clat = realloc(s->centroid_lat, cap * sizeof *clat)))
        s->centroid_lat = clat;
    if ((x = realloc(s->x, cap * sizeof *x)))
        s->x = x;
    if ((y = realloc(s->y, cap * sizeof *y)))
        s->y = y;
    if ((num = realloc(s->num, cap * (s->nnum ? s->nnum : 1) * sizeof *num)))
        s->num = num;
    char **text = realloc(s->text, cap * (s->ntext ? s->ntext : 1) * sizeof *text);
    if (text)
        s->text = text;
    if (!id || !geom || !lon || !lat || !clon || !clat || !x || !y || !num || !text)
        return -1;
    s->cap = cap;
    return 0;
}

/* Numbers and texts all parcels share; the area is their sum. */
static int campus_values(dcs_sites *s, size_t c, const size_t *parcels, size_t np)
{
    double *row = dcs_site_num(s, c);
    char **trow = dcs_site_text(s, c);
    for (size_t k = 0; k < s->nnum; k++) {
        double v = dcs_site_num(s, parcels[0])[k];
        for (size_t m = 1; m < np && !isnan(v); m++)
            if (dcs_site_num(s, parcels[m])[k] != v)
                v = NAN;
        row[k] = v;
    }
    row[DCS_COL_AREA_HA] = 0;
    for (size_t m = 0; m < np; m++)
        row[DCS_COL_AREA_HA] += area_of(s, parcels[m]);
    for (size_t k = 0; k < s->ntext; k++) {
        const char *t = dcs_site_text(s, parcels[0])[k];
        for (size_t m = 1; m < np && t; m++) {
            const char *u = dcs_site_text(s, parcels[m])[k];
            if (!u || strcmp(u, t) != 0)
                t = NULL;
        }
        trow[k] = NULL;
        if (t && dcs_site_set_text(s, c, k, t) != 0)
            return -1;
    }
    return 0;
}

static GEOSGeometry *union_of(dcs_sites *s, const size_t *parcels, size_t np)
{
    GEOSContextHandle_t h = s->geos;
    GEOSGeometry **parts = malloc(np * sizeof *parts);
    if (!parts)
        return NULL;
    size_t made = 0;
    while (made < np && (parts[made] = GEOSGeom_clone_r(h, s->geom[parcels[made]])))
        made++;
    GEOSGeometry *coll = NULL;
    if (made == np)
        coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)np);
    else
        while (made)
            GEOSGeom_destroy_r(h, parts[--made]);
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    if (coll)
        GEOSGeom_destroy_r(h, coll);
    free(parts);
    return u;
}

static char *join_ids(const dcs_sites *s, const size_t *parcels, size_t np)
{
    dcs_strlist ids = {0};
    int bad = 0;
    for (size_t m = 0; m < np; m++)
        bad |= dcs_strlist_addf(&ids, "%s", s->id[parcels[m]]) != 0;
    char *joined = bad ? NULL : dcs_strlist_join(&ids, ";");
    dcs_strlist_free(&ids);
    return joined;
}

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The existing ids, sorted, to check campus ids against. */
static char **sorted_ids(const dcs_sites *s)
{
    char **ids = malloc((s->n ? s->n : 1) * sizeof *ids);
    if (ids) {
        memcpy(ids, s->id, s->n * sizeof *ids);
        qsort(ids, s->n, sizeof *ids, compare_str);
    }
    return ids;
}

static dcs_status append_campus(dcs_sites *s, dcs_assembly *a, size_t k, const dcs_crs *crs,
                                char *const *ids, size_t nids, dcs_error *err)
{
    const size_t *parcels = a->parcels[k];
    size_t np = a->nparcels[k], i = s->n;
    char id[256];
    snprintf(id, sizeof id, "campus_%s", s->id[parcels[0]]);
    const char *key = id;
    if (bsearch(&key, ids, nids, sizeof *ids, compare_str))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "assembly: campus id \"%s\" is already a site id; rename that site",
                             id);
    if (!(a->parcel_ids[k] = join_ids(s, parcels, np)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    s->wkb[i] = NULL; /* stored as WKB by dcs_sites_compact() */
    s->wkb_size[i] = 0;
    s->geom[i] = union_of(s, parcels, np);
    if (!s->geom[i])
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "assembly: GEOS could not join the parcels "
                             "of \"%s\"", id);
    if (!(s->id[i] = dcs_strdup(id))) {
        GEOSGeom_destroy_r(s->geos, s->geom[i]);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    memset(dcs_site_text(s, i), 0, s->ntext * sizeof(char *));
    s->n++; /* from here dcs_sites_free() owns it */
    if (campus_values(s, i, parcels, np) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    dcs_site_set_points(s, i, s->geos, s->geom[i], crs ? crs->work_to_lonlat : NULL);
    return DCS_OK;
}

dcs_status dcs_assemble_campuses(dcs_sites *s, const dcs_assembly_params *p, const dcs_crs *crs,
                                 dcs_assembly *a, dcs_error *err)
{
    memset(a, 0, sizeof *a);
    a->first = s->n;
    planner pl;
    dcs_status st = DCS_OK;
    if (planner_init(&pl, s, p) != 0)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (parcel assembly)");
    if (st == DCS_OK)
        st = build_adjacency(&pl, err);
    a->nsmall = pl.nsmall;
    if (st == DCS_OK)
        st = plan_campuses(&pl, a, err);
    if (st == DCS_OK && a->n && (reserve(s, a->n) != 0 ||
                                 !(a->parcel_ids = calloc(a->n, sizeof *a->parcel_ids))))
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (parcel assembly)");
    size_t nids = s->n;
    char **ids = st == DCS_OK && a->n ? sorted_ids(s) : NULL;
    if (st == DCS_OK && a->n && !ids)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (parcel assembly)");
    for (size_t k = 0; st == DCS_OK && k < a->n; k++)
        st = append_campus(s, a, k, crs, ids, nids, err);
    free(ids);
    planner_free(&pl);
    return st;
}

long dcs_assembly_campus(const dcs_assembly *a, size_t i)
{
    return i >= a->first && i < a->first + a->n ? (long)(i - a->first) : -1;
}

void dcs_assembly_free(dcs_assembly *a)
{
    for (size_t k = 0; k < a->n; k++) {
        free(a->parcels[k]);
        if (a->parcel_ids)
            free(a->parcel_ids[k]);
    }
    free(a->parcels);
    free(a->nparcels);
    free(a->parcel_ids);
    memset(a, 0, sizeof *a);
}
