/* fuzz_epw.c - libFuzzer target for the EPW reader: every input is read
 * as an EPW file (its first line starts with "LOCATION,"). See
 * fuzz_weather.h. */
#include "fuzz_weather.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_weather("/vsimem/fuzz.epw", "LOCATION,", data, size);
}
