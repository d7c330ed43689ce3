/* strlist.c - growable list of owned strings. See strlist.h. */
#include "core/strlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *dcs_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

static int ensure_capacity(dcs_strlist *list)
{
    if (list->count < list->capacity)
        return 0;
    size_t cap = list->capacity ? list->capacity * 2 : 8;
    char **items = realloc(list->items, cap * sizeof *items);
    if (!items)
        return -1;
    list->items = items;
    list->capacity = cap;
    return 0;
}

int dcs_strlist_addf(dcs_strlist *list, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || ensure_capacity(list) != 0)
        return -1;
    char *s = malloc((size_t)len + 1);
    if (!s)
        return -1;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    va_end(ap);
    list->items[list->count++] = s;
    return 0;
}

char *dcs_strlist_join(const dcs_strlist *list, const char *sep)
{
    size_t seplen = strlen(sep), total = 1;
    for (size_t i = 0; i < list->count; i++)
        total += strlen(list->items[i]) + (i ? seplen : 0);
    char *out = malloc(total);
    if (!out)
        return NULL;
    char *p = out;
    for (size_t i = 0; i < list->count; i++) {
        if (i) {
            memcpy(p, sep, seplen);
            p += seplen;
        }
        size_t n = strlen(list->items[i]);
        memcpy(p, list->items[i], n);
        p += n;
    }
    *p = '\0';
    return out;
}

void dcs_strlist_free(dcs_strlist *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = list->capacity = 0;
}
