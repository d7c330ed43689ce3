/* weather.c - EPW and TMY3 hourly weather readers. See weather.h. */
#include "energy/weather.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>

#include "core/special.h"
#include "energy/psychro.h"

#define EPW_FIELDS 35
#define EPW_HEADER_RECORDS 8
#define TMY3_MISSING (-9900.0)
#define NO_SLOT SIZE_MAX
#define WX_READ_CHUNK 65536 /* bytes read from a weather file at a time */

static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* One value column: where it is, what it is called, its limits. */
typedef struct {
    int col;            /* 0-based position in the row */
    const char *label;  /* "dry bulb" (EPW) or the TMY3 column name */
    double scale;       /* file unit -> SI unit */
    double lo, hi;      /* accepted range, SI unit */
    const char *unit;   /* file unit, for messages */
    double missing_ge;  /* values at or above this are missing (EPW) */
    double missing_eq;  /* this value is missing (TMY3) */
} wx_column;

/* Where month, day and hour of a row are, for messages. */
typedef struct {
    int col;
    const char *label;
} wx_datefield;

typedef struct {
    size_t nfields;
    wx_datefield date[3];
    wx_column cols[DCS_WX_FIELDS];
} wx_layout;

typedef struct {
    const char *name;   /* the path as the caller gave it */
    VSILFILE *fp;
    char *in;           /* bytes read from fp: [in_pos, in_len) not yet used */
    size_t in_pos, in_len;
    int in_end;         /* fp has nothing more */
    int after_cr;       /* the last line ended with CR: skip an LF that follows */
    long line;          /* number of the line in buf */
    char *buf;
    size_t cap;
    char **field;       /* fields of buf after split() */
    size_t nfield, fcap;
    dcs_weather *w;
    size_t next;        /* index of the next expected hour */
    long leap_line;     /* first 29 February row, 0 when none */
    int leap_header;    /* EPW leap-year field: 1 Yes, 0 No, -1 unusable */
} wx_reader;

static const wx_column epw_columns[DCS_WX_FIELDS] = {
    {6, "dry bulb", 1, -70, 70, "C", 99.9, NAN},
    {7, "dew point", 1, -70, 70, "C", 99.9, NAN},
    {8, "relative humidity", 1, 0, 110, "%", 999, NAN},
    {9, "station pressure", 1, 30000, 120000, "Pa", 999999, NAN},
};

static const wx_column tmy3_columns[DCS_WX_FIELDS] = {
    {-1, "Dry-bulb (C)", 1, -70, 70, "C", INFINITY, TMY3_MISSING},
    {-1, "Dew-point (C)", 1, -70, 70, "C", INFINITY, TMY3_MISSING},
    {-1, "RHum (%)", 1, 0, 110, "%", INFINITY, TMY3_MISSING},
    {-1, "Pressure (mbar)", 100, 30000, 120000, "mbar", INFINITY, TMY3_MISSING},
};

static const char *const epw_records[EPW_HEADER_RECORDS] = {
    "LOCATION",   "DESIGN CONDITIONS", "TYPICAL/EXTREME PERIODS", "GROUND TEMPERATURES",
    "HOLIDAYS/DAYLIGHT SAVING", "COMMENTS 1", "COMMENTS 2", "DATA PERIODS",
};

const char *dcs_weather_format_name(dcs_weather_format format)
{
    switch (format) {
    case DCS_WEATHER_EPW: return "EPW";
    case DCS_WEATHER_TMY3: return "TMY3";
    default: return "unknown";
    }
}

const char *dcs_weather_field_name(dcs_weather_field field)
{
    static const char *const names[DCS_WX_FIELDS] = {"dry bulb", "dew point", "relative humidity",
                                                     "station pressure"};
    return (int)field >= 0 && field < DCS_WX_FIELDS ? names[field] : "unknown field";
}

void dcs_weather_free(dcs_weather *w)
{
    if (!w)
        return;
    free(w->dry_bulb_c);
    free(w->dew_point_c);
    free(w->rh_pct);
    free(w->pressure_pa);
    free(w->month);
    free(w->day_of_year);
    free(w->flag);
    free(w->line);
    dcs_strlist_free(&w->warnings);
    dcs_strlist_free(&w->notes);
    memset(w, 0, sizeof *w);
}

/* ---- messages ---- */

static dcs_status wx_verror(const wx_reader *r, dcs_error *err, dcs_status st, long line,
                            const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (line > 0)
        return dcs_error_set(err, st, "weather '%s': line %ld: %s", r->name, line, msg);
    return dcs_error_set(err, st, "weather '%s': %s", r->name, msg);
}

/* DCS_ERR_DATA naming the current line. */
static dcs_status line_error(const wx_reader *r, dcs_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static dcs_status line_error(const wx_reader *r, dcs_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dcs_status st = wx_verror(r, err, DCS_ERR_DATA, r->line, fmt, ap);
    va_end(ap);
    return st;
}

/* DCS_ERR_DATA about the whole file. */
static dcs_status file_error(const wx_reader *r, dcs_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static dcs_status file_error(const wx_reader *r, dcs_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dcs_status st = wx_verror(r, err, DCS_ERR_DATA, 0, fmt, ap);
    va_end(ap);
    return st;
}

static dcs_status nomem(const wx_reader *r, dcs_error *err)
{
    return dcs_error_set(err, DCS_ERR_NOMEM, "weather '%s': out of memory", r->name);
}

/* Add "weather 'path': ..." to the warnings. */
static dcs_status warn(wx_reader *r, dcs_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static dcs_status warn(wx_reader *r, dcs_error *err, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (dcs_strlist_addf(&r->w->warnings, "weather '%s': %s", r->name, msg) != 0)
        return nomem(r, err);
    return DCS_OK;
}

/* ---- lines and fields ---- */

/* Append n bytes to r->buf (kept NUL-terminated); -1 out of memory. */
static int buf_append(wx_reader *r, size_t *len, const char *p, size_t n)
{
    if (*len + n + 1 > r->cap) {
        size_t cap = 2 * (*len + n + 1) < 512 ? 512 : 2 * (*len + n + 1);
        char *b = realloc(r->buf, cap);
        if (!b)
            return -1;
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + *len, p, n);
    *len += n;
    r->buf[*len] = '\0';
    return 0;
}

/* Refill r->in from the file; 0 when it has nothing more, -1 out of memory. */
static int refill(wx_reader *r)
{
    if (r->in_end)
        return 0;
    if (!r->in && !(r->in = malloc(WX_READ_CHUNK)))
        return -1;
    r->in_pos = 0;
    r->in_len = VSIFReadL(r->in, 1, WX_READ_CHUNK, r->fp);
    r->in_end = r->in_len < WX_READ_CHUNK;
    return r->in_len > 0;
}

/* Next line into r->buf, without its line end (LF, CR or CRLF) or a UTF-8
 * byte-order mark; 1, 0 at the end, -1 out of memory.  Read in chunks:
 * CPLReadLineL() costs ten thousand instructions a line on a gzip stream. */
static int next_line(wx_reader *r)
{
    size_t len = 0;
    int any = 0, more;
    if (buf_append(r, &len, "", 0) != 0)
        return -1;
    while ((more = r->in_pos < r->in_len ? 1 : refill(r)) > 0) {
        const char *p = r->in + r->in_pos, *end = r->in + r->in_len;
        if (r->after_cr && *p == '\n') {
            r->in_pos++;
            r->after_cr = 0;
            continue;
        }
        r->after_cr = 0;
        any = 1;
        const char *q = p;
        while (q < end && *q != '\n' && *q != '\r')
            q++;
        if (buf_append(r, &len, p, (size_t)(q - p)) != 0)
            return -1;
        r->in_pos = (size_t)(q - r->in);
        if (q < end) {
            r->after_cr = *q == '\r';
            r->in_pos++;
            break;
        }
    }
    if (more < 0)
        return -1;
    if (!any)
        return 0;
    r->line++;
    if (r->line == 1 && len >= 3 && (unsigned char)r->buf[0] == 0xEF &&
        (unsigned char)r->buf[1] == 0xBB && (unsigned char)r->buf[2] == 0xBF)
        memmove(r->buf, r->buf + 3, len - 2);
    return 1;
}

/* s without its leading and trailing blanks (cut at end, its NUL). */
static char *trim_to(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}


/* Split r->buf at commas into trimmed fields; double quotes are removed and
 * protect commas inside them.  0, or -1 out of memory. */
static int split(wx_reader *r)
{
    char *p = r->buf;
    r->nfield = 0;
    for (;;) {
        if (r->nfield == r->fcap) {
            size_t cap = r->fcap ? 2 * r->fcap : 64;
            char **f = realloc(r->field, cap * sizeof *f);
            if (!f)
                return -1;
            r->field = f;
            r->fcap = cap;
        }
        char *start = p, *out = p;
        int quoted = 0;
        for (; *p && (quoted || *p != ','); p++)
            if (*p == '"')
                quoted = !quoted;
            else
                *out++ = *p;
        int more = *p == ',';
        *out = '\0';
        r->field[r->nfield++] = trim_to(start, out); /* its end is known: no strlen */
        if (!more)
            return 0;
        p++;
    }
}

static int blank(const char *s)
{
    return s[strspn(s, " \t\r")] == '\0';
}

/* A whole field as a finite number; 0 on success. */
static int parse_num(const char *s, double *v)
{
    char *end;
    double x = strtod(s, &end);
    if (end == s || *end || !isfinite(x))
        return -1;
    *v = x;
    return 0;
}

/* A whole field as a decimal integer; 0 on success. */
static int parse_int(const char *s, int *v)
{
    char *end;
    long x = strtol(s, &end, 10);
    if (end == s || *end || x < -100000 || x > 100000)
        return -1;
    *v = (int)x;
    return 0;
}

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

/* Header field idx as a number within lo..hi. */
static dcs_status header_number(const wx_reader *r, size_t idx, const char *label, double lo,
                                double hi, double *out, dcs_error *err)
{
    const char *s = r->field[idx];
    if (parse_num(s, out))
        return line_error(r, err, "field %zu (%s) \"%s\" is not a number", idx + 1, label, s);
    if (*out < lo || *out > hi)
        return line_error(r, err, "field %zu (%s) %s out of range %g..%g", idx + 1, label, s, lo,
                          hi);
    return DCS_OK;
}

/* ---- the hours of the year ---- */

static size_t hour_index(int month, int day, int hour)
{
    int doy = day;
    for (int m = 1; m < month; m++)
        doy += month_days[m - 1];
    return (size_t)(doy - 1) * 24 + (size_t)(hour - 1);
}

static void index_date(size_t idx, int *month, int *day, int *hour)
{
    int doy = (int)(idx / 24), m = 0;
    while (doy >= month_days[m])
        doy -= month_days[m++];
    *month = m + 1;
    *day = doy + 1;
    *hour = (int)(idx % 24) + 1;
}

static dcs_status check_date(const wx_reader *r, const wx_datefield f[3], int month, int day,
                             int hour, dcs_error *err)
{
    if (month < 1 || month > 12)
        return line_error(r, err, "field %d (%s) %d out of range 1..12", f[0].col + 1, f[0].label,
                          month);
    int dmax = month == 2 ? 29 : month_days[month - 1];
    if (day < 1 || day > dmax)
        return line_error(r, err, "field %d (%s) %d out of range 1..%d for month %d",
                          f[1].col + 1, f[1].label, day, dmax, month);
    if (hour < 1 || hour > 24)
        return line_error(r, err, "field %d (%s) %d out of range 1..24", f[2].col + 1, f[2].label,
                          hour);
    return DCS_OK;
}

/* The row must be the next hour of the year; *slot gets its index, or
 * NO_SLOT for a 29 February row (dropped). */
static dcs_status place_row(wx_reader *r, int month, int day, int hour, size_t *slot,
                            dcs_error *err)
{
    *slot = NO_SLOT;
    if (month == 2 && day == 29) {
        if (r->w->leap_day_rows++ == 0)
            r->leap_line = r->line;
        return DCS_OK;
    }
    if (r->next >= DCS_WEATHER_HOURS)
        return line_error(r, err, "more than %d hourly rows (29 February not counted)",
                          DCS_WEATHER_HOURS);
    size_t idx = hour_index(month, day, hour);
    if (idx == r->next) {
        r->w->line[r->next] = r->line;
        *slot = r->next++;
        return DCS_OK;
    }
    int em, ed, eh;
    index_date(r->next, &em, &ed, &eh);
    if (idx > r->next)
        return line_error(r, err,
                          "gap in the hourly rows: no row for month %d day %d hour %d "
                          "(this row is month %d day %d hour %d)",
                          em, ed, eh, month, day, hour);
    return line_error(r, err,
                      "month %d day %d hour %d is out of order or repeated "
                      "(expected month %d day %d hour %d)",
                      month, day, hour, em, ed, eh);
}

static double *field_array(dcs_weather *w, int f)
{
    double *arr[DCS_WX_FIELDS] = {w->dry_bulb_c, w->dew_point_c, w->rh_pct, w->pressure_pa};
    return arr[f];
}

/* One value of the row: missing (NaN, counted), or checked and stored. */
static dcs_status read_value(wx_reader *r, const wx_column *c, int f, size_t slot,
                             dcs_error *err)
{
    const char *s = r->field[c->col];
    double v = NAN;
    if (*s && parse_num(s, &v))
        return line_error(r, err, "field %d (%s) \"%s\" is not a number", c->col + 1, c->label, s);
    int missing = !*s || v >= c->missing_ge || v == c->missing_eq;
    if (!missing && (v * c->scale < c->lo || v * c->scale > c->hi))
        return line_error(r, err, "field %d (%s) %s out of range %g..%g %s", c->col + 1, c->label,
                          s, c->lo / c->scale, c->hi / c->scale, c->unit);
    if (slot == NO_SLOT)
        return DCS_OK;
    field_array(r->w, f)[slot] = missing ? NAN : v * c->scale;
    r->w->missing[f] += (size_t)missing;
    return DCS_OK;
}

static dcs_status store_row(wx_reader *r, const wx_layout *L, int month, int day, int hour,
                            dcs_error *err)
{
    size_t slot = NO_SLOT;
    dcs_status st = check_date(r, L->date, month, day, hour, err);
    if (!st)
        st = place_row(r, month, day, hour, &slot, err);
    for (int f = 0; !st && f < DCS_WX_FIELDS; f++)
        st = read_value(r, &L->cols[f], f, slot, err);
    if (st || slot == NO_SLOT)
        return st;
    r->w->month[slot] = (unsigned char)month;
    r->w->day_of_year[slot] = (unsigned short)(slot / 24 + 1);
    return DCS_OK;
}

/* ---- EPW ---- */

static dcs_status epw_row(wx_reader *r, const wx_layout *L, dcs_error *err)
{
    int v[3];
    if (r->nfield != EPW_FIELDS)
        return line_error(r, err, "expected %d fields, got %zu", EPW_FIELDS, r->nfield);
    for (int i = 0; i < 3; i++) {
        const wx_datefield *d = &L->date[i];
        if (parse_int(r->field[d->col], &v[i]))
            return line_error(r, err, "field %d (%s) \"%s\" is not a whole number", d->col + 1,
                              d->label, r->field[d->col]);
    }
    return store_row(r, L, v[0], v[1], v[2], err);
}

static dcs_status epw_location(wx_reader *r, dcs_error *err)
{
    dcs_weather *w = r->w;
    if (split(r))
        return nomem(r, err);
    if (r->nfield < 10)
        return line_error(r, err,
                          "LOCATION has %zu fields, expected 10 (LOCATION, city, state, country, "
                          "source, WMO, latitude, longitude, time zone, elevation)",
                          r->nfield);
    copy_text(w->station, sizeof w->station, r->field[1]);
    copy_text(w->station_id, sizeof w->station_id, r->field[5]);
    dcs_status st = header_number(r, 6, "latitude", -90, 90, &w->latitude, err);
    if (!st)
        st = header_number(r, 7, "longitude", -180, 180, &w->longitude, err);
    if (!st)
        st = header_number(r, 8, "time zone", -12, 14, &w->tz_hours, err);
    if (!st)
        st = header_number(r, 9, "elevation", -1000, 9999.9, &w->elevation_m, err);
    return st;
}

/* HOLIDAYS/DAYLIGHT SAVINGS field 2, "LeapYear Observed": Yes or No. */
static dcs_status epw_holidays(wx_reader *r, dcs_error *err)
{
    const char *s = r->nfield > 1 ? r->field[1] : "";
    r->leap_header = !strcasecmp(s, "Yes") ? 1 : !strcasecmp(s, "No") ? 0 : -1;
    if (r->leap_header >= 0)
        return DCS_OK;
    if (!*s)
        return warn(r, err,
                    "line %ld: field 2 (leap year observed) is empty, expected Yes or No; "
                    "the rows' own dates are used",
                    r->line);
    return warn(r, err,
                "line %ld: field 2 (leap year observed) \"%s\" is not Yes or No; "
                "the rows' own dates are used",
                r->line, s);
}

/* DATA PERIODS field 3: records per hour, which must be 1. */
static dcs_status epw_data_periods(wx_reader *r, dcs_error *err)
{
    const char *s = r->nfield > 2 ? r->field[2] : "";
    int n;
    if (parse_int(s, &n) || n != 1)
        return line_error(r, err,
                          "field 3 (records per hour) \"%s\": only hourly data "
                          "(1 record per hour) is supported",
                          s);
    return DCS_OK;
}

/* Field `k` after the section keyword at `at` as a number; NaN when absent,
 * empty or not a number. */
static double design_value(const wx_reader *r, size_t at, size_t k)
{
    double v;
    if (at + k >= r->nfield || parse_num(r->field[at + k], &v))
        return NAN;
    return v;
}

/* Index of the field equal to `word` (case-insensitive), or 0 when none:
 * field 0 is the record's name, never a section keyword. */
static size_t design_section(const wx_reader *r, const char *word)
{
    for (size_t i = 1; i < r->nfield; i++)
        if (!strcasecmp(r->field[i], word))
            return i;
    return 0;
}

/* DESIGN CONDITIONS: the values of its Cooling and Extremes sections the
 * energy model uses (positions in weather.h). */
static void epw_design(wx_reader *r)
{
    dcs_weather_design *d = &r->w->design;
    size_t c = design_section(r, "Cooling"), x = design_section(r, "Extremes");
    if (r->nfield > 2)
        copy_text(d->title, sizeof d->title, r->field[2]);
    if (c) {
        d->db004_c = design_value(r, c, 3);
        d->mcwb_db004_c = design_value(r, c, 4);
        d->wb004_c = design_value(r, c, 9);
        d->mcdb_wb004_c = design_value(r, c, 10);
    }
    if (x) {
        d->wb_max_c = design_value(r, x, 4);
        d->db_max_20y_c = design_value(r, x, 14);
    }
    d->present = c || x;
}

/* Header record i (1..7) of the eight. */
static dcs_status epw_header(wx_reader *r, int i, dcs_error *err)
{
    int got = next_line(r);
    if (got < 0 || (got > 0 && split(r)))
        return nomem(r, err);
    if (got == 0)
        return file_error(r, err, "ends after line %ld, expected the %s header record", r->line,
                          epw_records[i]);
    if (strncasecmp(r->field[0], epw_records[i], strlen(epw_records[i])) != 0)
        return line_error(r, err, "expected the %s header record, got \"%.40s\"", epw_records[i],
                          r->field[0]);
    if (i == 1)
        epw_design(r);
    if (i == 4)
        return epw_holidays(r, err);
    if (i == 7)
        return epw_data_periods(r, err);
    return DCS_OK;
}

/* ---- TMY3 ---- */

static int find_column(const wx_reader *r, const char *name)
{
    for (size_t i = 0; i < r->nfield; i++)
        if (!strcasecmp(r->field[i], name))
            return (int)i;
    return -1;
}

static dcs_status tmy3_need(const wx_reader *r, const char *name, int *col, dcs_error *err)
{
    *col = find_column(r, name);
    if (*col < 0)
        return line_error(r, err, "column \"%s\" not found in the header", name);
    return DCS_OK;
}

/* Line 2: the column names. */
static dcs_status tmy3_layout(wx_reader *r, wx_layout *L, dcs_error *err)
{
    int got = next_line(r);
    if (got < 0 || (got > 0 && split(r)))
        return nomem(r, err);
    if (got == 0)
        return file_error(r, err, "ends after line 1, expected the column names on line 2");
    L->nfields = r->nfield;
    L->date[0].label = "month of Date (MM/DD/YYYY)";
    L->date[1].label = "day of Date (MM/DD/YYYY)";
    L->date[2].label = "hour of Time (HH:MM)";
    dcs_status st = tmy3_need(r, "Date (MM/DD/YYYY)", &L->date[0].col, err);
    if (!st)
        st = tmy3_need(r, "Time (HH:MM)", &L->date[2].col, err);
    L->date[1].col = L->date[0].col;
    for (int f = 0; !st && f < DCS_WX_FIELDS; f++) {
        L->cols[f] = tmy3_columns[f];
        st = tmy3_need(r, tmy3_columns[f].label, &L->cols[f].col, err);
    }
    return st;
}

static dcs_status tmy3_row(wx_reader *r, const wx_layout *L, dcs_error *err)
{
    int month, day, year, hour, minute, n = 0;
    if (r->nfield != L->nfields)
        return line_error(r, err, "expected %zu fields, got %zu", L->nfields, r->nfield);
    const char *d = r->field[L->date[0].col], *t = r->field[L->date[2].col];
    if (sscanf(d, "%d/%d/%d%n", &month, &day, &year, &n) != 3 || d[n])
        return line_error(r, err, "field %d (Date (MM/DD/YYYY)) \"%s\" is not a date MM/DD/YYYY",
                          L->date[0].col + 1, d);
    n = 0;
    if (sscanf(t, "%d:%d%n", &hour, &minute, &n) != 2 || t[n] || minute != 0)
        return line_error(r, err, "field %d (Time (HH:MM)) \"%s\" is not a whole hour HH:00",
                          L->date[2].col + 1, t);
    return store_row(r, L, month, day, hour, err);
}

/* Line 1: USAF,"NAME",STATE,UTC offset,latitude,longitude,elevation. */
static dcs_status tmy3_station(wx_reader *r, dcs_error *err)
{
    dcs_weather *w = r->w;
    copy_text(w->station_id, sizeof w->station_id, r->field[0]);
    copy_text(w->station, sizeof w->station, r->field[1]);
    dcs_status st = header_number(r, 3, "UTC offset", -12, 14, &w->tz_hours, err);
    if (!st)
        st = header_number(r, 4, "latitude", -90, 90, &w->latitude, err);
    if (!st)
        st = header_number(r, 5, "longitude", -180, 180, &w->longitude, err);
    if (!st)
        st = header_number(r, 6, "elevation", -1000, 9999.9, &w->elevation_m, err);
    return st;
}

/* ---- the file ---- */

static dcs_status read_rows(wx_reader *r, const wx_layout *L, dcs_error *err)
{
    dcs_status st = DCS_OK;
    int got;
    while (!st && (got = next_line(r)) != 0) {
        if (got < 0 || split(r))
            return nomem(r, err);
        if (r->nfield == 1 && blank(r->field[0]))
            continue;
        st = r->w->format == DCS_WEATHER_EPW ? epw_row(r, L, err) : tmy3_row(r, L, err);
    }
    return st;
}

static dcs_status read_epw(wx_reader *r, dcs_error *err)
{
    const wx_layout L = {
        EPW_FIELDS,
        {{1, "month"}, {2, "day"}, {3, "hour"}},
        {epw_columns[0], epw_columns[1], epw_columns[2], epw_columns[3]},
    };
    r->w->format = DCS_WEATHER_EPW;
    dcs_status st = epw_location(r, err);
    for (int i = 1; !st && i < EPW_HEADER_RECORDS; i++)
        st = epw_header(r, i, err);
    return st ? st : read_rows(r, &L, err);
}

static dcs_status read_tmy3(wx_reader *r, dcs_error *err)
{
    wx_layout L;
    r->w->format = DCS_WEATHER_TMY3;
    dcs_status st = tmy3_station(r, err);
    if (!st)
        st = tmy3_layout(r, &L, err);
    return st ? st : read_rows(r, &L, err);
}

static int is_usaf(const char *s)
{
    return *s && s[strspn(s, "0123456789")] == '\0';
}

/* Detect the format from line 1 and read the whole file. */
static dcs_status read_any(wx_reader *r, dcs_error *err)
{
    int got = next_line(r);
    if (got < 0)
        return nomem(r, err);
    if (got == 0)
        return file_error(r, err, "the file is empty");
    if (!strncasecmp(r->buf, "LOCATION,", 9))
        return read_epw(r, err);
    if (split(r))
        return nomem(r, err);
    if (r->nfield == 7 && is_usaf(r->field[0]))
        return read_tmy3(r, err);
    return line_error(r, err,
                      "neither EPW (does not start with \"LOCATION,\") nor TMY3 (not "
                      "USAF,\"NAME\",STATE,UTC offset,latitude,longitude,elevation)");
}

static dcs_status open_file(wx_reader *r, const char *path, dcs_error *err)
{
    char vpath[4096];
    size_t n = strlen(path);
    int gz = n > 3 && !strcasecmp(path + n - 3, ".gz") && strncmp(path, "/vsi", 4) != 0;
    if (n + 10 > sizeof vpath)
        return file_error(r, err, "the path is too long");
    snprintf(vpath, sizeof vpath, "%s%s", gz ? "/vsigzip/" : "", path);
    VSIStatBufL sb;
    if (VSIStatL(path, &sb) != 0)
        return file_error(r, err, "cannot open: no such file");
    if (VSI_ISDIR(sb.st_mode))
        return file_error(r, err, "cannot open: is a directory");
    char kind[64];
    if (dcs_special_file(path, kind, sizeof kind))
        return file_error(r, err, "cannot open: it is %s, not a weather file", kind);
    r->fp = VSIFOpenL(vpath, "rb");
    if (!r->fp)
        return file_error(r, err, "cannot open: %s",
                          gz ? "not readable or not gzip-compressed" : "not readable");
    return DCS_OK;
}

static int alloc_arrays(dcs_weather *w)
{
    size_t n = DCS_WEATHER_HOURS;
    w->dry_bulb_c = malloc(n * sizeof(double));
    w->dew_point_c = malloc(n * sizeof(double));
    w->rh_pct = malloc(n * sizeof(double));
    w->pressure_pa = malloc(n * sizeof(double));
    w->month = calloc(n, sizeof *w->month);
    w->day_of_year = calloc(n, sizeof *w->day_of_year);
    w->line = calloc(n, sizeof *w->line);
    return w->dry_bulb_c && w->dew_point_c && w->rh_pct && w->pressure_pa && w->month
                   && w->day_of_year && w->line
               ? 0
               : -1;
}

/* Dew point from dry bulb and RH, or RH from dry bulb and dew point. */
static void fill_humidity(dcs_weather *w, size_t i)
{
    double t = w->dry_bulb_c[i], p = w->pressure_pa[i];
    if (isnan(t) || isnan(p))
        return;
    if (isnan(w->dew_point_c[i]) && !isnan(w->rh_pct[i])) {
        double rh = w->rh_pct[i] > 100 ? 100 : w->rh_pct[i];
        double td = dcs_psy_dew_point(dcs_psy_w_from_rh(t, rh, p), p);
        if (!isnan(td)) {
            w->dew_point_c[i] = td;
            w->filled[DCS_WX_DEW_POINT]++;
        }
    } else if (isnan(w->rh_pct[i]) && !isnan(w->dew_point_c[i])) {
        double rh = dcs_psy_rh_from_w(t, dcs_psy_w_from_dew_point(w->dew_point_c[i], p), p);
        if (!isnan(rh)) {
            w->rh_pct[i] = rh;
            w->filled[DCS_WX_RH]++;
        }
    }
}

static void fill_missing(dcs_weather *w)
{
    double p_std = dcs_psy_std_pressure(w->elevation_m);
    for (size_t i = 0; i < w->hours; i++) {
        if (isnan(w->pressure_pa[i]) && !isnan(p_std)) {
            w->pressure_pa[i] = p_std;
            w->filled[DCS_WX_PRESSURE]++;
        }
        fill_humidity(w, i);
    }
}

static dcs_status warn_missing(wx_reader *r, dcs_error *err)
{
    const dcs_weather *w = r->w;
    char how[DCS_WX_FIELDS][96] = {"a dry bulb is never derived",
                                   "from dry bulb and relative humidity",
                                   "from dry bulb and dew point", ""};
    snprintf(how[DCS_WX_PRESSURE], sizeof how[0], "standard pressure at %g m, %.0f Pa",
             w->elevation_m, dcs_psy_std_pressure(w->elevation_m));
    dcs_status st = DCS_OK;
    for (int f = 0; !st && f < DCS_WX_FIELDS; f++)
        if (w->missing[f])
            st = warn(r, err, "%s missing in %zu hours: %zu filled (%s), %zu left as NaN",
                      dcs_weather_field_name((dcs_weather_field)f), w->missing[f], w->filled[f],
                      how[f], w->missing[f] - w->filled[f]);
    return st;
}

/* ---- suspect hours ---- */

/* x[i] is above both neighbours by more than DCS_WX_SPIKE_K.  A dip below
 * both cannot set a peak and is not flagged. */
static int spike(const double *x, size_t i, size_t n)
{
    if (i == 0 || i + 1 >= n || isnan(x[i - 1]) || isnan(x[i]) || isnan(x[i + 1]))
        return 0;
    return x[i] - x[i - 1] > DCS_WX_SPIKE_K && x[i] - x[i + 1] > DCS_WX_SPIKE_K;
}

static unsigned flag_of(const dcs_weather *w, size_t i)
{
    unsigned f = 0;
    if (w->dew_point_c[i] > w->dry_bulb_c[i] + DCS_WX_DEW_TOLERANCE_K)
        f |= DCS_WX_FLAG_DEW_ABOVE_DRY;
    if (spike(w->dry_bulb_c, i, w->hours) || spike(w->dew_point_c, i, w->hours))
        f |= DCS_WX_FLAG_SPIKE;
    return f;
}

/* "09-09 14:00 dew point 33.0 C at 34.0 C (neighbours ..), line 6040" for
 * flagged hour i (month-day hour-ending; its line in the file when read
 * from one), appended to buf at *len. */
static void flag_reason(const dcs_weather *w, size_t i, char *buf, size_t size, size_t *len)
{
    const double *db = w->dry_bulb_c, *dp = w->dew_point_c;
    int month, day, hour;
    index_date(i, &month, &day, &hour);
    char what[96];
    if (w->flag[i] & DCS_WX_FLAG_DEW_ABOVE_DRY)
        snprintf(what, sizeof what, "dew point %.1f C above dry bulb %.1f C", dp[i], db[i]);
    else if (spike(dp, i, w->hours))
        snprintf(what, sizeof what, "dew point %.1f C at %.1f C (neighbours %.1f, %.1f)", dp[i],
                 db[i], dp[i - 1], dp[i + 1]);
    else
        snprintf(what, sizeof what, "dry bulb %.1f C (neighbours %.1f, %.1f)", db[i], db[i - 1],
                 db[i + 1]);
    char at[32] = "";
    if (w->line && w->line[i] > 0)
        snprintf(at, sizeof at, ", line %ld", w->line[i]);
    if (*len < size)
        *len += (size_t)snprintf(buf + *len, size - *len, "%s%02d-%02d %02d:00 %s%s",
                                 *len ? "; " : "", month, day, hour, what, at);
}

dcs_status dcs_weather_flag(dcs_weather *w, const char *name, dcs_error *err)
{
    char list[4096] = "";
    size_t len = 0;
    if (!w->flag && !(w->flag = calloc(w->hours ? w->hours : 1, 1)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "weather '%s': out of memory", name);
    w->nflagged = 0;
    for (size_t i = 0; i < w->hours; i++) {
        w->flag[i] = (unsigned char)flag_of(w, i);
        if (w->flag[i] && ++w->nflagged <= DCS_WX_FLAG_WARNINGS)
            flag_reason(w, i, list, sizeof list, &len);
    }
    if (!w->nflagged)
        return DCS_OK;
    char more[96] = "";
    if (w->nflagged > DCS_WX_FLAG_WARNINGS)
        snprintf(more, sizeof more, "; %zu more (dcsite energy --hourly, column flag)",
                 w->nflagged - DCS_WX_FLAG_WARNINGS);
    if (dcs_strlist_addf(&w->notes,
                         "weather '%s': station %s: %zu suspect hour%s left out of the peaks "
                         "(kept in the annual totals): %s%s",
                         name, w->station, w->nflagged, w->nflagged == 1 ? "" : "s", list,
                         more) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "weather '%s': out of memory", name);
    return DCS_OK;
}

/* After the last row: the year is complete; fill gaps; warn. */
static dcs_status finish(wx_reader *r, dcs_error *err)
{
    dcs_weather *w = r->w;
    if (r->next < DCS_WEATHER_HOURS)
        return file_error(r, err, "only %zu hourly rows (expected %d%s); the file ends at line %ld",
                          r->next, DCS_WEATHER_HOURS,
                          w->leap_day_rows ? ", 29 February not counted" : "", r->line);
    w->hours = DCS_WEATHER_HOURS;
    fill_missing(w);
    dcs_status st = DCS_OK;
    if (w->leap_day_rows)
        st = warn(r, err, "dropped %zu rows of 29 February (from line %ld) to keep %d hours%s",
                  w->leap_day_rows, r->leap_line, DCS_WEATHER_HOURS,
                  r->leap_header == 0 ? "; the header says the leap year is not observed" : "");
    if (!st)
        st = warn_missing(r, err);
    return st ? st : dcs_weather_flag(w, r->name, err);
}

static void reader_close(wx_reader *r)
{
    if (r->fp)
        VSIFCloseL(r->fp);
    free(r->in);
    free(r->buf);
    free(r->field);
}

dcs_status dcs_weather_read(const char *path, dcs_weather *w, dcs_error *err)
{
    wx_reader r = {.name = path ? path : "", .w = w};
    dcs_status st;
    memset(w, 0, sizeof *w);
    w->design = (dcs_weather_design){.db004_c = NAN, .mcwb_db004_c = NAN, .wb004_c = NAN,
                                     .mcdb_wb004_c = NAN, .wb_max_c = NAN, .db_max_20y_c = NAN};
    CPLPushErrorHandler(CPLQuietErrorHandler);
    st = open_file(&r, r.name, err);
    if (st)
        goto fail;
    if (alloc_arrays(w)) {
        st = nomem(&r, err);
        goto fail;
    }
    st = read_any(&r, err);
    if (!st)
        st = finish(&r, err);
    if (st)
        goto fail;
    reader_close(&r);
    CPLPopErrorHandler();
    return DCS_OK;
fail:
    reader_close(&r);
    CPLPopErrorHandler();
    dcs_weather_free(w);
    return st;
}
