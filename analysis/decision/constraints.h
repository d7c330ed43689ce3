/*
 * constraints.h - hard constraints (pure functions, no I/O).
 *
 * A rule passes or fails one site's value.  A missing value (NaN number,
 * NULL text) fails every rule on it, with the reason "no value": a site is
 * never admitted on data it does not have.  DCS_OP_EMPTY is the other way
 * round: a text present fails, and the text is the reason (the rule
 * "ordinances", whose metric lists the failed ordinance rules).
 */
#ifndef DCS_CONSTRAINTS_H
#define DCS_CONSTRAINTS_H

#include <stddef.h>

#include "inputs/model.h"

/* 1 when the value passes the rule, 0 when it fails; on failure a
 * sentence such as "flood_pct 35.2 > max 10" goes into reason (unless reason
 * is NULL: the verdict only). */
int dcs_rule_check(const dcs_rule *rule, const char *metric_name, double num, const char *text,
                   char *reason, size_t size);

#endif
