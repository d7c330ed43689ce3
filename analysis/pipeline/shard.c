/* shard.c - a shard's share of the candidate sites. See shard.h. */
#include "pipeline/shard.h"

#include <stdlib.h>
#include <string.h>

static int parse_size(const char *s, const char *end, size_t *out)
{
    if (s == end || end - s > 9)
        return -1;
    size_t v = 0;
    for (const char *p = s; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (size_t)(*p - '0');
    }
    *out = v;
    return 0;
}

int dcs_shard_parse(const char *text, size_t *index, size_t *count)
{
    const char *slash = text ? strchr(text, '/') : NULL;
    size_t i, n;
    if (!slash || parse_size(text, slash, &i) != 0 ||
        parse_size(slash + 1, slash + 1 + strlen(slash + 1), &n) != 0)
        return -1;
    if (n < 1 || n > 100000 || i >= n)
        return -1;
    *index = i;
    *count = n;
    return 0;
}

size_t dcs_shard_size(size_t n, size_t index, size_t count)
{
    return index < n ? (n - index + count - 1) / count : 0;
}

static void drop_site(dcs_sites *s, size_t i)
{
    free(s->id[i]);
    if (s->geom[i])
        GEOSGeom_destroy_r(s->geos, s->geom[i]);
    free(s->wkb[i]);
    for (size_t k = 0; !s->pool && k < s->ntext; k++)
        free(dcs_site_text(s, i)[k]);
}

static void move_site(dcs_sites *s, size_t from, size_t to)
{
    s->id[to] = s->id[from];
    s->geom[to] = s->geom[from];
    s->wkb[to] = s->wkb[from];
    s->wkb_size[to] = s->wkb_size[from];
    s->lon[to] = s->lon[from];
    s->lat[to] = s->lat[from];
    s->centroid_lon[to] = s->centroid_lon[from];
    s->centroid_lat[to] = s->centroid_lat[from];
    s->x[to] = s->x[from];
    s->y[to] = s->y[from];
    memmove(dcs_site_num(s, to), dcs_site_num(s, from), s->nnum * sizeof *s->num);
    memmove(dcs_site_text(s, to), dcs_site_text(s, from), s->ntext * sizeof *s->text);
}

dcs_status dcs_shard_select(dcs_sites *sites, size_t index, size_t count, dcs_error *err)
{
    if (count < 1 || index >= count)
        return dcs_error_set(err, DCS_ERR_INTERNAL, "shard %zu/%zu does not exist", index, count);
    size_t kept = 0;
    for (size_t i = 0; i < sites->n; i++) {
        if (i % count != index) {
            drop_site(sites, i);
            continue;
        }
        if (kept != i)
            move_site(sites, i, kept);
        kept++;
    }
    sites->n = kept;
    return DCS_OK;
}
