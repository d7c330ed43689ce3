/* fuzz_tmy3.c - libFuzzer target for the TMY3 reader: every input is read
 * as a TMY3 file (no fixed prefix: the seeds are TMY3 and the format
 * detection itself is fuzzed too).  See fuzz_weather.h. */
#include "fuzz_weather.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_weather("/vsimem/fuzz.tmy3", "", data, size);
}
