/* csv_line.c - CSV lines from OGR features. See csv_line.h. */
#include "csv_line.h"

#include <cpl_conv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(dcs_csv_buf *b, const char *s, size_t n)
{
    if (!dcs_strbuf_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put_text(dcs_csv_buf *b, const char *s)
{
    size_t n = strlen(s);
    int quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t k = 0; !quote && k < n; k++)
        quote = s[k] == ',' || s[k] == '"' || s[k] == '\n' || s[k] == '\r';
    if (!quote) {
        put(b, s, n);
        return;
    }
    if (!dcs_strbuf_reserve(b, 2 * n + 2))
        return;
    char *o = b->p + b->len;
    *o++ = '"';
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '"')
            *o++ = '"';
        *o++ = s[k];
    }
    *o++ = '"';
    b->len = (size_t)(o - b->p);
    b->p[b->len] = '\0';
}

static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,
                                   1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

/* |v| in [1e-4, 1e15): the 15 significant digits as an integer, scaled by
 * 10^-decimals, without printf; else printf's "%.15g". */
/* floor(log10(a)) for a in [1e-4, 1e15), by comparison (log10 was a
 * tenth of a CSV file's time). */
static int decade(double a)
{
    static const double p[] = {1e-3, 1e-2, 1e-1, 1e0,  1e1,  1e2,  1e3,  1e4,  1e5, 1e6,
                               1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14};
    int e = -4;
    while (e < 14 && a >= p[e + 4])
        e++;
    return e;
}

size_t dcs_csv_real(double v, char *out)
{
    double a = fabs(v);
    if (a == 0) /* as "%.15g" prints it */
        return (size_t)(stpcpy(out, signbit(v) ? "-0" : "0") - out);
    if (!(a >= 1e-4 && a < 1e15))
        return (size_t)snprintf(out, 32, "%.15g", v);
    int e10 = decade(a);
    int decimals = 14 - e10; /* 0 .. 18 */
    uint64_t m = (uint64_t)llround(a * pow10_tab[decimals]);
    if (m < 100000000000000ULL && decimals < 18) { /* log10 rounded up to a power of ten */
        decimals++;
        m = (uint64_t)llround(a * pow10_tab[decimals]);
    }
    if (m >= 1000000000000000ULL) { /* rounded up to 16 digits: one fewer decimal */
        if (decimals == 0)
            return (size_t)snprintf(out, 32, "%.15g", v);
        decimals--;
        m = (uint64_t)llround(a * pow10_tab[decimals]);
    }
    while (decimals > 0 && m % 10 == 0) {
        m /= 10;
        decimals--;
    }
    char rev[24], digits[24];
    int nd = 0;
    do {
        rev[nd++] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    for (int k = 0; k < nd; k++)
        digits[k] = rev[nd - 1 - k];
    char *o = out;
    if (v < 0)
        *o++ = '-';
    if (decimals >= nd) { /* 0.000ddd */
        *o++ = '0';
        *o++ = '.';
        for (int k = 0; k < decimals - nd; k++)
            *o++ = '0';
        memcpy(o, digits, (size_t)nd);
        o += nd;
    } else {
        memcpy(o, digits, (size_t)(nd - decimals));
        o += nd - decimals;
        if (decimals > 0) {
            *o++ = '.';
            memcpy(o, digits + nd - decimals, (size_t)decimals);
            o += decimals;
        }
    }
    *o = '\0';
    return (size_t)(o - out);
}

void dcs_csv_header(dcs_csv_buf *b, OGRFeatureDefnH defn, int wkt)
{
    if (wkt)
        put(b, "WKT", 3);
    for (int k = 0; k < OGR_FD_GetFieldCount(defn); k++) {
        if (k > 0 || wkt)
            put(b, ",", 1);
        put_text(b, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, k)));
    }
    put(b, "\n", 1);
}

void dcs_csv_line(dcs_csv_buf *b, OGRFeatureH f, int wkt)
{
    OGRFeatureDefnH defn = OGR_F_GetDefnRef(f);
    if (wkt) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        char *text = NULL;
        if (g && OGR_G_ExportToWkt(g, &text) == OGRERR_NONE && text)
            put_text(b, text);
        CPLFree(text);
    }
    char num[40];
    for (int k = 0; k < OGR_FD_GetFieldCount(defn); k++) {
        if (k > 0 || wkt)
            put(b, ",", 1);
        if (!OGR_F_IsFieldSetAndNotNull(f, k))
            continue;
        switch (OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, k))) {
        case OFTReal:
            put(b, num, dcs_csv_real(OGR_F_GetFieldAsDouble(f, k), num));
            break;
        case OFTInteger:
        case OFTInteger64:
            put(b, num,
                (size_t)snprintf(num, sizeof num, "%lld", (long long)OGR_F_GetFieldAsInteger64(f, k)));
            break;
        default:
            put_text(b, OGR_F_GetFieldAsString(f, k));
        }
    }
    put(b, "\n", 1);
}

void dcs_csv_cell_real(dcs_csv_buf *b, int first, double v)
{
    char num[40];
    if (!first)
        put(b, ",", 1);
    if (!isnan(v))
        put(b, num, dcs_csv_real(v, num));
}

void dcs_csv_cell_int(dcs_csv_buf *b, int first, long long v)
{
    char num[24];
    if (!first)
        put(b, ",", 1);
    put(b, num, (size_t)snprintf(num, sizeof num, "%lld", v));
}

void dcs_csv_cell_text(dcs_csv_buf *b, int first, const char *s)
{
    if (!first)
        put(b, ",", 1);
    if (s)
        put_text(b, s);
}

void dcs_csv_end(dcs_csv_buf *b)
{
    put(b, "\n", 1);
}
