/*
 * weather.h - hourly typical-year weather from EnergyPlus EPW and NREL
 * TMY3 files.
 *
 * dcs_weather_read() reads one station-year of 8760 hourly rows: dry bulb,
 * dew point, relative humidity and station pressure, with the station's
 * name, position, elevation and time zone.  The format is detected from
 * the first line:
 *  - EPW (EnergyPlus Auxiliary Programs, "Weather Converter Program", EPW
 *    data dictionary): line 1 starts with "LOCATION,"; eight header
 *    records (LOCATION, DESIGN CONDITIONS, TYPICAL/EXTREME PERIODS, GROUND
 *    TEMPERATURES, HOLIDAYS/DAYLIGHT SAVINGS, COMMENTS 1, COMMENTS 2, DATA
 *    PERIODS), then rows of 35 fields: year, month, day, hour (1-24),
 *    minute, source flags, dry bulb C (field 7), dew point C (8), RH %
 *    (9), station pressure Pa (10), ...  A value at or above the
 *    dictionary's missing code is missing: 99.9 (temperatures), 999 (RH),
 *    999999 (pressure).
 *  - TMY3 (NREL TMY3 User's Manual, CSV): line 1 is
 *    USAF,"NAME",STATE,UTC offset,latitude,longitude,elevation; line 2 the
 *    column names; then rows "MM/DD/YYYY,HH:MM,...".  Columns are found by
 *    name: Date (MM/DD/YYYY), Time (HH:MM), Dry-bulb (C), Dew-point (C),
 *    RHum (%), Pressure (mbar) (converted to Pa).  -9900 marks a missing
 *    value.
 * In both formats an empty value is missing too.  Field numbers in
 * messages count from 1 at the start of the line (so EPW's dry bulb is
 * field 7 and LOCATION's latitude field 7).
 *
 * Files are read through GDAL's VSI layer: "/vsigzip/...", "/vsizip/..."
 * and friends work, and a path ending in ".gz" is read through /vsigzip/
 * without the caller saying so.
 *
 * Checks (each failure is DCS_ERR_DATA with a message naming the file as
 * given, the line, the field and the value):
 *  - headers: EPW records in the dictionary's order, LOCATION with at
 *    least 10 fields, 1 record per hour; TMY3 line 1 with 7 fields, every
 *    needed column present in line 2;
 *  - rows: the field count (35 for EPW; the header's count for TMY3),
 *    numbers that parse, month 1-12, a day that exists in that month, hour
 *    1-24, and values within dry bulb and dew point -70..70 C, RH 0..110 %,
 *    pressure 30 000..120 000 Pa;
 *  - the year: hours in order with no gap (the first missing month, day
 *    and hour is named), no more and no fewer than 8760 of them.
 *
 * Leap years: rows dated 29 February are dropped (8784 -> 8760) with a
 * warning, whatever the EPW header's "leap year observed" field says: the
 * rows carry their own dates, so nothing is ambiguous.  For the same
 * reason an unusable leap-year field (empty, or neither Yes nor No, as in
 * real files from some converters) is a warning, not an error.
 *
 * Missing values: station pressure is filled with the standard pressure at
 * the station's elevation (ASHRAE eq. 3, psychro.h); a missing dew point is
 * computed from dry bulb and RH, a missing RH from dry bulb and dew point
 * (psychro.h, at the hour's pressure; RH above 100 % is taken as 100 %);
 * what cannot be derived (and a missing dry bulb) stays NaN.  missing[]
 * counts the hours the file left empty per field, filled[] those of them
 * given a derived value, and a warning summarises each field with gaps.
 *
 * Design conditions (EPW only): the DESIGN CONDITIONS record, when it
 * holds ASHRAE's "Cooling" and "Extremes" sections (EnergyPlus Auxiliary
 * Programs, EPW data dictionary; the order of their fields is ASHRAE
 * Handbook-Fundamentals' climatic design table: Cooling = hottest month,
 * daily range, DB 0.4 %, its mean coincident WB, DB 1 %, MCWB, DB 2 %,
 * MCWB, WB 0.4 %, its mean coincident DB, ...; Extremes = extreme wind
 * 1/2.5/5 %, extreme annual WB max, mean and standard deviation of the
 * annual DB min and max, then DB min and max of 5, 10, 20 and 50-year
 * return periods), fills `design` with the values the energy model uses;
 * the record is otherwise free text to the reader and a value it cannot
 * read is NaN (never an error).  TMY3 files have no such header.
 *
 * Suspect hours (dcs_weather_flag(), run by the reader after filling):
 * flag[] marks hours whose dew point is above the dry bulb by more than
 * DCS_WX_DEW_TOLERANCE_K (physically impossible: air cannot hold more
 * water than saturation), and isolated spikes, hours whose dry bulb or dew
 * point is above both neighbouring hours by more than DCS_WX_SPIKE_K (a
 * dip cannot set a peak and is not flagged; the first and last hour of
 * the year have one neighbour and are never spikes).  One warning per
 * file names the station and the first DCS_WX_FLAG_WARNINGS flagged hours
 * ("MM-DD HH:00" hour-ending, values, the neighbours of a spike) and counts
 * the rest; the energy model keeps
 * flagged hours in the annual totals but leaves them out of every peak.
 *
 * Ownership: dcs_weather_read() overwrites *w (which need not be
 * initialised); on success w owns its arrays and warnings, freed by
 * dcs_weather_free(); on failure *w is left empty (freeing it is harmless).
 */
#ifndef DCS_WEATHER_H
#define DCS_WEATHER_H

#include <stddef.h>

#include "core/error.h"
#include "core/strlist.h"

#define DCS_WEATHER_HOURS 8760

typedef enum {
    DCS_WEATHER_UNKNOWN = 0,
    DCS_WEATHER_EPW,
    DCS_WEATHER_TMY3
} dcs_weather_format;

/* Indexes of missing[] and filled[]. */
typedef enum {
    DCS_WX_DRY_BULB = 0,
    DCS_WX_DEW_POINT,
    DCS_WX_RH,
    DCS_WX_PRESSURE,
    DCS_WX_FIELDS
} dcs_weather_field;

/* Bits of dcs_weather.flag[]. */
#define DCS_WX_FLAG_DEW_ABOVE_DRY 1u
#define DCS_WX_FLAG_SPIKE 2u
#define DCS_WX_DEW_TOLERANCE_K 0.5 /* TMY3/EPW values are rounded to 0.1 C */
#define DCS_WX_SPIKE_K 4.0         /* K above both neighbours */
#define DCS_WX_FLAG_WARNINGS 10    /* flagged hours named in the warning; then a count */

/* ASHRAE design conditions of an EPW header (NaN: not in the file). */
typedef struct {
    int present;            /* a Cooling or an Extremes section was read */
    char title[96];         /* e.g. "Climate Design Data 2009 ASHRAE Handbook" */
    double db004_c;         /* cooling dry bulb exceeded 0.4 % of the year */
    double mcwb_db004_c;    /* its mean coincident wet bulb */
    double wb004_c;         /* wet bulb exceeded 0.4 % of the year */
    double mcdb_wb004_c;    /* its mean coincident dry bulb */
    double wb_max_c;        /* extreme annual wet bulb (Extremes "WBmax") */
    double db_max_20y_c;    /* extreme dry bulb of 20-year return period */
} dcs_weather_design;

typedef struct {
    dcs_weather_format format;
    char station[128];     /* EPW city; TMY3 station name */
    char station_id[32];   /* EPW WMO number; TMY3 USAF number */
    double latitude;       /* degrees, north positive */
    double longitude;      /* degrees, east positive */
    double elevation_m;
    double tz_hours;       /* standard time, hours from UTC (e.g. -6) */
    /* hourly arrays of `hours` (= DCS_WEATHER_HOURS) values; hour i ends
     * at (i % 24) + 1 o'clock local standard time */
    size_t hours;
    double *dry_bulb_c;
    double *dew_point_c;
    double *rh_pct;
    double *pressure_pa;
    unsigned char *month;        /* 1..12 */
    unsigned short *day_of_year; /* 1..365 */
    size_t missing[DCS_WX_FIELDS]; /* hours missing in the file */
    size_t filled[DCS_WX_FIELDS];  /* of those, hours given a derived value */
    size_t leap_day_rows;          /* rows of 29 February dropped */
    unsigned char *flag;           /* per hour: DCS_WX_FLAG_* bits, 0 when sound */
    long *line;                    /* per hour: its line in the file (NULL: not read from one) */
    size_t nflagged;               /* hours with a flag */
    dcs_weather_design design;     /* EPW header's design conditions */
    dcs_strlist warnings;          /* what was read but looked wrong */
    dcs_strlist notes;             /* what looked wrong and was handled: the suspect
                                    * hours left out of the peaks */
} dcs_weather;

/* Read an EPW or TMY3 file (plain or gzip-compressed) into w. */
dcs_status dcs_weather_read(const char *path, dcs_weather *w, dcs_error *err);

/* Flag w's suspect hours (see above) into w->flag (allocated here when
 * NULL; w->hours entries), set w->nflagged and, when any, append one
 * warning "weather 'name': station S: N suspect hours ...".  For the reader and for tests that
 * build a year by hand; DCS_ERR_NOMEM is the only failure. */
dcs_status dcs_weather_flag(dcs_weather *w, const char *name, dcs_error *err);

/* Free w's arrays and warnings and reset it to empty.  NULL is allowed. */
void dcs_weather_free(dcs_weather *w);

/* "EPW", "TMY3" or "unknown". */
const char *dcs_weather_format_name(dcs_weather_format format);

/* "dry bulb", "dew point", "relative humidity", "station pressure". */
const char *dcs_weather_field_name(dcs_weather_field field);

#endif
