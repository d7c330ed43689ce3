/*
 * strlist.h - a growable list of owned strings.
 *
 * Used to collect every problem found in a scenario or a layer (so that
 * `dcsite check` can report them all, not only the first) and for the
 * reasons a site was excluded.  The list owns its strings;
 * dcs_strlist_free() frees them and resets the list to empty.
 */
#ifndef DCS_STRLIST_H
#define DCS_STRLIST_H

#include <stddef.h>

typedef struct {
    char **items;
    size_t count;
    size_t capacity;
} dcs_strlist;

/* Append a printf-formatted string; returns 0, or -1 when out of memory. */
int dcs_strlist_addf(dcs_strlist *list, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Join all items with sep into a new string (caller frees); "" when empty. */
char *dcs_strlist_join(const dcs_strlist *list, const char *sep);

void dcs_strlist_free(dcs_strlist *list);

/* strdup that accepts NULL (returns NULL). */
char *dcs_strdup(const char *s);

#endif
