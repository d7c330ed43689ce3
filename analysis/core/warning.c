/* warning.c - a run's warnings as records. See warning.h. */
#include "core/warning.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strlist.h"

static const char *const code_names[DCS_WARN_CODE_COUNT] = {
    [DCS_WARN_GEOMETRY_REPAIRED] = "geometry_repaired",
    [DCS_WARN_NO_GEOMETRY] = "no_geometry",
    [DCS_WARN_WRONG_GEOMETRY_TYPE] = "wrong_geometry_type",
    [DCS_WARN_NO_SUBSTATION] = "no_qualifying_substation",
    [DCS_WARN_WEATHER_DATA] = "weather_data",
    [DCS_WARN_JOIN_DUPLICATES] = "join_duplicate_keys",
    [DCS_WARN_LAYER_EMPTY] = "layer_empty",
    [DCS_WARN_LAYER_ELSEWHERE] = "layer_outside_sites",
    [DCS_WARN_NOT_COVERED] = "layer_covers_no_site",
    [DCS_WARN_SENSITIVITY_TRIMMED] = "sensitivity_trimmed",
    [DCS_WARN_WORKBOOK_ROWS] = "workbook_rows",
    [DCS_WARN_CRITERION_FLAT] = "criterion_not_discriminating",
    [DCS_WARN_NO_CAMPUS] = "assembly_no_campus",
    [DCS_WARN_DESIGN_PUE] = "design_pue_below_peak",
    [DCS_WARN_DUPLICATE_IDS] = "duplicate_ids",
    [DCS_WARN_UNKNOWN_HEADROOM] = "unknown_headroom",
    [DCS_WARN_WEATHER_SUSPECT] = "weather_suspect_hours",
    [DCS_WARN_HOURLY_REGION] = "hourly_region_missing",
    [DCS_WARN_TEXT_REPAIRED] = "text_not_utf8",
    [DCS_WARN_JOIN_NO_MATCH] = "join_no_match",
    [DCS_WARN_COMMUNITY_UNCHECKED] = "ordinance_rules_unchecked",
    [DCS_WARN_NO_AREA] = "polygon_without_area",
};

const char *dcs_warning_code_name(dcs_warning_code code)
{
    return code >= 0 && code < DCS_WARN_CODE_COUNT && code_names[code] ? code_names[code]
                                                                          : "unknown";
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    char *s = len < 0 ? NULL : malloc((size_t)len + 1);
    if (s)
        vsnprintf(s, (size_t)len + 1, fmt, again);
    va_end(again);
    return s;
}

dcs_warning *dcs_warn(dcs_warnings *list, dcs_warning_code code, const char *layer,
                      const char *fmt, ...)
{
    if (list->count == list->capacity) {
        size_t cap = list->capacity ? 2 * list->capacity : 8;
        dcs_warning *items = realloc(list->items, cap * sizeof *items);
        if (!items)
            return NULL;
        list->items = items;
        list->capacity = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *message = vformat(fmt, ap);
    va_end(ap);
    char *name = layer ? dcs_strdup(layer) : NULL;
    if (!message || (layer && !name)) {
        free(message);
        free(name);
        return NULL;
    }
    dcs_warning *w = &list->items[list->count++];
    *w = (dcs_warning){.code = code, .layer = name, .message = message, .plain = NULL};
    return w;
}

void dcs_warning_plain(dcs_warning *w, const char *fmt, ...)
{
    if (!w)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    free(w->plain);
    w->plain = s; /* NULL when out of memory: the message stands in */
}

const char *dcs_warning_text(const dcs_warning *w)
{
    return w->plain ? w->plain : w->message;
}

void dcs_warnings_free(dcs_warnings *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].layer);
        free(list->items[i].message);
        free(list->items[i].plain);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}
