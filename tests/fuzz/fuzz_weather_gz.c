/* fuzz_weather_gz.c - libFuzzer target for gzip-compressed weather files
 * (a name ending in .gz is read through /vsigzip/). See fuzz_weather.h. */
#include "fuzz_weather.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_weather("/vsimem/fuzz.epw.gz", "", data, size);
}
