/* utf8.c - UTF-8 validation and repair. See utf8.h. */
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t dcs_utf8_seq(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    /* the second byte's range excludes overlongs, surrogates, > U+10FFFF */
    unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

static int xml_illegal(unsigned char c)
{
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

size_t dcs_utf8_bad_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t k = dcs_utf8_seq(u + i, len - i);
        if (k == 0 || (k == 1 && xml_illegal(u[i])))
            return i;
        i += k;
    }
    return len;
}

char *dcs_utf8_clean(const char *s, int flags, int *failed)
{
    *failed = 0;
    size_t len = s ? strlen(s) : 0, i = dcs_utf8_bad_at(s ? s : "", len);
    if (i == len)
        return NULL;
    char *out = malloc(3 * len + 1); /* each byte becomes at most 3 */
    if (!out) {
        *failed = 1;
        return NULL;
    }
    const unsigned char *u = (const unsigned char *)s;
    memcpy(out, s, i);
    size_t o = i;
    while (i < len) {
        size_t k = dcs_utf8_seq(u + i, len - i);
        if (k > 1 || (k == 1 && !xml_illegal(u[i]))) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
            continue;
        }
        if ((flags & DCS_UTF8_LATIN1) && u[i] >= 0xA0) {
            out[o++] = (char)(0xC0 | (u[i] >> 6));
            out[o++] = (char)(0x80 | (u[i] & 0x3F));
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
        i++;
    }
    out[o] = '\0';
    return out;
}

int dcs_utf8_is_latin1_name(const char *e)
{
    static const char *const names[] = {"ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1",
                                        "LATIN-1",    "CP1252",    "WINDOWS-1252", "8859-1",
                                        "ISO88591",   "1252",      "88591",        NULL};
    for (size_t k = 0; e && names[k]; k++)
        if (strcasecmp(e, names[k]) == 0)
            return 1;
    return 0;
}
