/* constraints.c - evaluate hard constraints. See constraints.h. */
#include "constraints.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int in_set(const dcs_rule *rule, const char *text)
{
    for (size_t i = 0; i < rule->nset; i++)
        if (strcmp(rule->set[i], text) == 0)
            return 1;
    return 0;
}

int dcs_rule_check(const dcs_rule *rule, const char *metric_name, double num, const char *text,
                   char *reason, size_t size)
{
    int is_num = rule->op == DCS_OP_MIN || rule->op == DCS_OP_MAX;
    if ((is_num && isnan(num)) || (!is_num && !text)) {
        snprintf(reason, size, "%s: %s has no value", rule->name, metric_name);
        return 0;
    }
    switch (rule->op) {
    case DCS_OP_MIN:
        if (num >= rule->limit)
            return 1;
        snprintf(reason, size, "%s: %s %.4g < min %.4g", rule->name, metric_name, num,
                 rule->limit);
        return 0;
    case DCS_OP_MAX:
        if (num <= rule->limit)
            return 1;
        snprintf(reason, size, "%s: %s %.4g > max %.4g", rule->name, metric_name, num,
                 rule->limit);
        return 0;
    case DCS_OP_IN:
        if (in_set(rule, text))
            return 1;
        snprintf(reason, size, "%s: %s \"%s\" not in the allowed set", rule->name, metric_name,
                 text);
        return 0;
    case DCS_OP_NOT_IN:
        if (!in_set(rule, text))
            return 1;
        snprintf(reason, size, "%s: %s \"%s\" is in the excluded set", rule->name, metric_name,
                 text);
        return 0;
    }
    snprintf(reason, size, "%s: unknown operator", rule->name);
    return 0;
}
