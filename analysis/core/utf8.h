/*
 * utf8.h - text read from data made safe to carry: valid UTF-8, no
 * control characters XML forbids.
 *
 * Attributes, ids and joined values come from files of any age and
 * encoding.  The JSON summary must be valid UTF-8 and the workbook's
 * sharedStrings.xml well-formed XML, so every text taken from a data set
 * goes through dcs_utf8_clean() at the input edge:
 *
 *   - a byte that does not start or continue a well-formed UTF-8 sequence
 *     (overlong forms, surrogates and code points above U+10FFFF count as
 *     ill-formed) becomes U+FFFD, or, with DCS_UTF8_LATIN1, the Latin-1
 *     character of that byte (the layer declares that encoding; bytes
 *     0x80..0x9F, C1 controls in Latin-1, become U+FFFD all the same);
 *   - U+0000..U+001F other than tab, newline and carriage return (XML 1.0
 *     cannot hold them, not even escaped) become U+FFFD.
 *
 * Pure functions, thread-safe.  dcs_utf8_clean() returns NULL when the
 * text needs no change (the common case: no copy) or a new string the
 * caller frees; *failed is set when out of memory.
 */
#ifndef DCS_UTF8_H
#define DCS_UTF8_H

#include <stddef.h>

#define DCS_UTF8_LATIN1 1 /* invalid bytes are Latin-1 characters */

/* Length of the well-formed UTF-8 sequence at s (1..4; n bytes are
 * available), 0 when s does not start one. */
size_t dcs_utf8_seq(const unsigned char *s, size_t n);

/* Offset of the first byte that is not well-formed UTF-8 or is a control
 * character XML forbids; len when there is none. */
size_t dcs_utf8_bad_at(const char *s, size_t len);

/* NULL when s (NUL-terminated) is clean; else a cleaned copy (see above);
 * NULL with *failed = 1 when out of memory. */
char *dcs_utf8_clean(const char *s, int flags, int *failed);

/* True when encoding (a layer's declared encoding, GDAL's
 * SHAPE_ENCODING, "ISO-8859-1", "LATIN1", "CP1252", ...) is one whose
 * bytes dcs_utf8_clean() should read as Latin-1. */
int dcs_utf8_is_latin1_name(const char *encoding);

#endif
