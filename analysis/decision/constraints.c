/* constraints.c - evaluate hard constraints. See constraints.h. */
#include "decision/constraints.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int in_set(const dcs_rule *rule, const char *text)
{
    for (size_t i = 0; i < rule->nset; i++)
        if (strcmp(rule->set[i], text) == 0)
            return 1;
    return 0;
}

/* The reason, unless the caller only wants the verdict (reason NULL). */
static void say(char *reason, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *reason, size_t size, const char *fmt, ...)
{
    if (!reason)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, size, fmt, ap);
    va_end(ap);
}

int dcs_rule_check(const dcs_rule *rule, const char *metric_name, double num, const char *text,
                   char *reason, size_t size)
{
    int is_num = rule->op == DCS_OP_MIN || rule->op == DCS_OP_MAX;
    if (rule->op == DCS_OP_EMPTY) { /* the text is the reason (ordinances) */
        if (!text)
            return 1;
        say(reason, size, "%s: %s", rule->name, text);
        return 0;
    }
    if ((is_num && isnan(num)) || (!is_num && !text)) {
        say(reason, size, "%s: %s has no value", rule->name, metric_name);
        return 0;
    }
    switch (rule->op) {
    case DCS_OP_MIN:
        if (num >= rule->limit)
            return 1;
        say(reason, size, "%s: %s %.4g < min %.4g", rule->name, metric_name, num,
                 rule->limit);
        return 0;
    case DCS_OP_MAX:
        if (num <= rule->limit)
            return 1;
        say(reason, size, "%s: %s %.4g > max %.4g", rule->name, metric_name, num,
                 rule->limit);
        return 0;
    case DCS_OP_IN:
        if (in_set(rule, text))
            return 1;
        say(reason, size, "%s: %s \"%s\" not in the allowed set", rule->name, metric_name,
                 text);
        return 0;
    case DCS_OP_EMPTY:
        break;
    case DCS_OP_NOT_IN:
        if (!in_set(rule, text))
            return 1;
        say(reason, size, "%s: %s \"%s\" is in the excluded set", rule->name, metric_name,
                 text);
        return 0;
    }
    say(reason, size, "%s: unknown operator", rule->name);
    return 0;
}
