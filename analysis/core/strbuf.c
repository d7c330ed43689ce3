#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

int dcs_strbuf_reserve(dcs_strbuf *b, size_t more)
{
    if (b->nomem)
        return 0;
    if (b->len + more + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->nomem = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

void dcs_strbuf_free(dcs_strbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
