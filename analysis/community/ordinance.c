/* ordinance.c - an ordinance's rules checked on one site. See ordinance.h. */
#include "community/ordinance.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const dcs_ord_columns[DCS_ORD_COUNT] = {
    "structures_setback_m",  "property_line_setback_m", "mechanical_setback_m",
    "noise_day_dba",         "noise_night_dba",         "noise_low_frequency_dbc",
    "generator_hours_yr",    "water_m3_day",            "moratorium"};

const char *const dcs_ord_limit_metrics[DCS_ORD_COUNT] = {
    "ordinance_residence_setback_m", "ordinance_property_setback_m",
    "ordinance_mechanical_setback_m", "ordinance_noise_day_dba",
    "ordinance_noise_night_dba",     "ordinance_noise_night_dbc",
    "ordinance_generator_hours_yr",  "ordinance_water_m3_day",
    "ordinance_moratorium"};

const char *const dcs_ord_margin_metrics[DCS_ORD_COUNT] = {
    "ordinance_residence_margin_m",  "ordinance_property_margin_ha",
    "ordinance_mechanical_margin_m", "ordinance_noise_day_margin_db",
    "ordinance_noise_night_margin_db", "ordinance_noise_dbc_margin_db",
    "ordinance_generator_margin_h",  "ordinance_water_margin_m3_day",
    NULL};

typedef struct {
    char *buf;
    size_t size, len;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(text *t, const char *fmt, ...)
{
    if (!t->buf || t->len + 1 >= t->size)
        return;
    if (t->len) {
        int n = snprintf(t->buf + t->len, t->size - t->len, "; ");
        t->len = n > 0 && (size_t)n < t->size - t->len ? t->len + (size_t)n : t->size - 1;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
    va_end(ap);
    t->len = n > 0 && (size_t)n < t->size - t->len ? t->len + (size_t)n : t->size - 1;
}

/* The margin of rule k (value - limit, or limit - value when `below`):
 * NaN when the rule is absent, unchecked when the value is unknown. */
static int judge(dcs_ord_result *out, int k, double limit, double value, int below)
{
    if (isnan(limit))
        return 1;
    if (isnan(value)) {
        out->unchecked |= 1u << k;
        out->nunchecked++;
        return 1;
    }
    out->margin[k] = below ? limit - value : value - limit;
    if (out->margin[k] >= 0) {
        out->nmet++;
        return 1;
    }
    out->failed |= 1u << k;
    out->nfailed++;
    return 0;
}

static void check_noise(const char *j, const double *limit, const dcs_ord_site *s,
                        dcs_ord_result *out, text *t)
{
    static const char *const what[3] = {"dBA day", "dBA night", "dBC night low-frequency"};
    double v[3] = {s->noise_day_dba, s->noise_night_dba, s->noise_night_dbc};
    for (int k = 0; k < 3; k++)
        if (!judge(out, DCS_ORD_NOISE_DAY + k, limit[DCS_ORD_NOISE_DAY + k], v[k], 1))
            add(t, "%s: %.4g %s limit, modelled %.1f at %.1f km", j,
                limit[DCS_ORD_NOISE_DAY + k], what[k], v[k], s->receptor_km);
}

void dcs_ordinance_check(const char *name, const double limit[DCS_ORD_COUNT],
                         const dcs_ord_site *s, dcs_ord_result *out, char *reasons, size_t size)
{
    const char *j = name && *name ? name : "(unnamed jurisdiction)";
    text t = {.buf = reasons, .size = size, .len = 0};
    if (reasons && size)
        reasons[0] = '\0';
    *out = (dcs_ord_result){.nfailed = 0};
    for (int k = 0; k < DCS_ORD_COUNT; k++)
        out->margin[k] = NAN;
    if (limit[DCS_ORD_MORATORIUM] > 0) {
        out->failed |= 1u << DCS_ORD_MORATORIUM;
        out->nfailed++;
        add(&t, "%s: moratorium on data centers", j);
    } else if (limit[DCS_ORD_MORATORIUM] == 0) {
        out->nmet++;
    }
    if (!judge(out, DCS_ORD_RESIDENCE_M, limit[DCS_ORD_RESIDENCE_M], s->residence_m, 0))
        add(&t, "%s: %.4g m setback from residences, nearest at %.0f m", j,
            limit[DCS_ORD_RESIDENCE_M], s->residence_m);
    double land = isnan(limit[DCS_ORD_PROPERTY_M]) ? NAN : s->property_left_ha;
    if (!judge(out, DCS_ORD_PROPERTY_M, isnan(land) ? limit[DCS_ORD_PROPERTY_M] : s->land_ha,
               land, 0))
        add(&t, "%s: %.4g m property-line setback leaves %.1f ha, the facility needs %.4g ha",
            j, limit[DCS_ORD_PROPERTY_M], land, s->land_ha);
    if (!judge(out, DCS_ORD_MECHANICAL_M, limit[DCS_ORD_MECHANICAL_M], s->interior_m, 0))
        add(&t, "%s: %.4g m mechanical-equipment setback, no point of the site is more than "
                "%.0f m inside its boundary", j, limit[DCS_ORD_MECHANICAL_M], s->interior_m);
    check_noise(j, limit, s, out, &t);
    double hours = s->gen_test_hours + s->gen_curtail_hours;
    if (!judge(out, DCS_ORD_GEN_HOURS, limit[DCS_ORD_GEN_HOURS], hours, 1))
        add(&t, "%s: %.4g h/yr generator limit, planned %.0f (tests %.0f + curtailment %.0f)",
            j, limit[DCS_ORD_GEN_HOURS], hours, s->gen_test_hours, s->gen_curtail_hours);
    if (!judge(out, DCS_ORD_WATER, limit[DCS_ORD_WATER], s->water_m3_day, 1))
        add(&t, "%s: %.4g m3/day water limit, modelled peak day %.0f", j, limit[DCS_ORD_WATER],
            s->water_m3_day);
}
