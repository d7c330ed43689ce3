/*
 * jsoncheck.h - what cJSON lets through in a scenario file, checked on the
 * raw text and on the parsed tree.
 *
 * cJSON accepts an object that repeats a key (scoring would use the first,
 * a reader of the JSON the last), cuts a string at an escaped NUL
 * (\u0000) without a word, copies bytes that are not UTF-8, and answers
 * "syntax error" for nesting deeper than CJSON_NESTING_LIMIT.  The
 * scenario reader (scenario.c) calls these before and after cJSON:
 *
 *   - dcs_json_too_deep(): on the raw text, before parsing: where the
 *     nesting of { and [ (outside strings) first exceeds limit;
 *   - dcs_json_bad_text(): on the raw text: the first \u0000 escape in a
 *     string, the first escaped control character XML cannot hold (\b,
 *     \f, \u0001..\u001F but tab, newline, CR: the description becomes
 *     the workbook's subject), or the first byte that is not UTF-8 (or is
 *     a raw control character inside a string);
 *   - dcs_json_duplicate_keys(): on the tree: every object whose keys
 *     repeat, each repeat named by its path ("criteria[2].value.
 *     categories.industrial"); n log n in the number of keys of each
 *     object (its keys are sorted), so a scenario of a million keys is
 *     checked in well under a second.
 *
 * Positions are byte offsets into text; dcs_json_line_col() turns one
 * into a 1-based line and column.  Pure functions, thread-safe.
 */
#ifndef DCS_JSONCHECK_H
#define DCS_JSONCHECK_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/strlist.h"

/* Offset of the bracket that opens level limit + 1, or (size_t)-1. */
size_t dcs_json_too_deep(const char *text, int limit);

/* Offset of the first problem in strings of text (*what: "an escaped NUL
 * (\\u0000)", "a byte that is not UTF-8", "a raw control character"), or
 * (size_t)-1. */
size_t dcs_json_bad_text(const char *text, const char **what);

/* Append "PATH: key appears more than once (also at PATH of the first)"
 * for each repeated key of each object under root, path prefix "" for
 * the top level; returns the number appended, -1 when out of memory. */
int dcs_json_duplicate_keys(const cJSON *root, dcs_strlist *out);

/* 1-based line and column of text + off. */
void dcs_json_line_col(const char *text, size_t off, int *line, int *col);

#endif
