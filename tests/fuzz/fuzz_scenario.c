/*
 * fuzz_scenario.c - libFuzzer target for the scenario parser.
 *
 * Each input is taken as the text of a scenario file and parsed with every
 * check (dcs_scenario_parse); whatever it holds must end in DCS_OK or a
 * problem list, never a crash, a leak or undefined behaviour.  Relative
 * dataset paths resolve against a directory that is never read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inputs/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    dcs_scenario scn;
    dcs_strlist problems = {0};
    dcs_error err;
    dcs_error_clear(&err);
    dcs_scenario_parse(text, "/nonexistent", "fuzz.json", &scn, &problems, &err);
    dcs_scenario_free(&scn);
    dcs_strlist_free(&problems);
    free(text);
    return 0;
}
