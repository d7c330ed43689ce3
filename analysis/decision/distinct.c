/* distinct.c - the best site of each distinct place. See distinct.h. */
#include "decision/distinct.h"

#include <string.h>

#include "geometry/ellipsoid.h"

static int same_group(const dcs_distinct_input *in, size_t a, size_t b)
{
    const char *ga = in->group ? in->group[a] : NULL, *gb = in->group ? in->group[b] : NULL;
    return ga && gb && strcmp(ga, gb) == 0;
}

static int too_close(const dcs_distinct_input *in, size_t a, size_t b)
{
    return in->min_spacing_m > 0 && in->lon && in->lat &&
           dcs_geodesic_distance_m(in->lon[a], in->lat[a], in->lon[b], in->lat[b]) <
               in->min_spacing_m;
}

size_t dcs_distinct_pick(const dcs_distinct_input *in, size_t *out)
{
    size_t k = 0;
    for (size_t r = 0; r < in->n && k < in->want; r++) {
        size_t s = in->order[r], j = 0;
        while (j < k && !same_group(in, s, out[j]) && !too_close(in, s, out[j]))
            j++;
        if (j == k)
            out[k++] = s;
    }
    return k;
}
