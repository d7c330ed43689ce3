/*
 * warning.h - what a run noticed but did not stop for, as records a
 * program can read: a code, the layer it is about and the message, with a
 * planner's sentence beside it.
 *
 * The command line prints each message after "dcsite: WARNING: " (a note,
 * something the run noticed and handled, after "dcsite: note: "); the JSON
 * summary lists the records ({code, layer, message, plain}); the workbook's
 * caveats box and the GIS metadata carry the plain sentences.  Codes are
 * stable names (dcs_warning_code_name()); a new code goes at the end of the
 * enum and of the name table, which tests/unit/test_error.c keeps in step.
 *
 * Ownership: the list owns every string of every record; dcs_warnings_free()
 * frees them and resets the list to empty.  Not thread-safe: one thread adds.
 */
#ifndef DCS_WARNING_H
#define DCS_WARNING_H

#include <stddef.h>

typedef enum {
    DCS_WARN_GEOMETRY_REPAIRED,   /* invalid geometries repaired (MakeValid) */
    DCS_WARN_NO_GEOMETRY,         /* features without geometry skipped */
    DCS_WARN_WRONG_GEOMETRY_TYPE, /* features of the wrong geometry type skipped */
    DCS_WARN_NO_SUBSTATION,       /* no substation qualifies */
    DCS_WARN_WEATHER_DATA,        /* a weather file's gaps filled or values out of range */
    DCS_WARN_JOIN_DUPLICATES,     /* a joined table repeats keys */
    DCS_WARN_LAYER_EMPTY,         /* a context layer has no features */
    DCS_WARN_LAYER_ELSEWHERE,     /* a layer lies entirely outside the sites */
    DCS_WARN_NOT_COVERED,         /* a context layer covers none of the sites */
    DCS_WARN_SENSITIVITY_TRIMMED, /* rank percentiles kept for some sites only */
    DCS_WARN_WORKBOOK_ROWS,       /* a sheet stops at Excel's row limit */
    DCS_WARN_CRITERION_FLAT,      /* a criterion has the same value at every eligible site */
    DCS_WARN_NO_CAMPUS,           /* assembly formed no campus */
    DCS_WARN_DESIGN_PUE,          /* facility.design_pue below a station's modelled peak PUE */
    DCS_WARN_DUPLICATE_IDS,       /* a context layer repeats ids in its id field */
    DCS_WARN_UNKNOWN_HEADROOM,    /* qualifying substations of unknown headroom (an assumption) */
    DCS_WARN_WEATHER_SUSPECT,     /* note: suspect weather hours left out of the peaks */
    DCS_WARN_HOURLY_REGION,       /* sites whose grid region the hourly signal table lacks */
    DCS_WARN_TEXT_REPAIRED,       /* text not valid UTF-8 (or with control characters) cleaned */
    DCS_WARN_JOIN_NO_MATCH,       /* a join matched no site */
    DCS_WARN_COMMUNITY_UNCHECKED, /* ordinance rules the run could not check (no noise model ...) */
    DCS_WARN_NO_AREA,             /* polygons with no area even once made valid: skipped */
    DCS_WARN_CODE_COUNT
} dcs_warning_code;

typedef struct {
    dcs_warning_code code;
    char *layer;   /* the scenario's name of the layer or section ("sites", "slope"); or NULL */
    char *message; /* as printed on stderr */
    char *plain;   /* a sentence for a planner; NULL: the message says it */
    int note;      /* 1: noticed and handled (printed "note:", not a caveat of the results) */
} dcs_warning;

typedef struct {
    dcs_warning *items;
    size_t count, capacity;
} dcs_warnings;

/* Append a record (layer may be NULL); returns it, or NULL when out of
 * memory (the list is then unchanged). */
dcs_warning *dcs_warn(dcs_warnings *list, dcs_warning_code code, const char *layer,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Set w's plain sentence (w may be NULL: nothing happens). */
void dcs_warning_plain(dcs_warning *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The plain sentence, else the message. */
const char *dcs_warning_text(const dcs_warning *w);

/* "geometry_repaired", ...; "unknown" out of range. */
const char *dcs_warning_code_name(dcs_warning_code code);

void dcs_warnings_free(dcs_warnings *list);

#endif
