/* radix.c - a stable sort of 64-bit keys by their high 32 bits.  See radix.h. */
#include "core/radix.h"

void dcs_radix_sort_hi32(uint64_t *a, uint64_t *tmp, size_t n)
{
    uint64_t *from = a, *to = tmp;
    for (int shift = 32; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((from[i] >> shift) & 255) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            to[count[(from[i] >> shift) & 255]++] = from[i];
        uint64_t *t = from;
        from = to;
        to = t;
    } /* four passes: the sorted keys are back in a */
}
