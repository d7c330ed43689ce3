/*
 * fuzz_weather.h - the body shared by the weather parser fuzz targets.
 *
 * The input becomes an in-memory GDAL file (/vsimem/, which the reader
 * opens like any path) and is read with dcs_weather_read(); the target
 * file decides the name (and so whether /vsigzip/ is used) and may put a
 * fixed first line in front so that the fuzzer works on one format.
 */
#ifndef DCS_FUZZ_WEATHER_H
#define DCS_FUZZ_WEATHER_H

#include <cpl_vsi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "energy/weather.h"

static int fuzz_weather(const char *name, const char *prefix, const uint8_t *data, size_t size)
{
    size_t np = strlen(prefix);
    GByte *buf = malloc(np + size + 1);
    if (!buf)
        return 0;
    memcpy(buf, prefix, np);
    memcpy(buf + np, data, size);
    /* the file owns buf (bTakeOwnership) and frees it on unlink */
    VSILFILE *fp = VSIFileFromMemBuffer(name, buf, (vsi_l_offset)(np + size), TRUE);
    if (!fp) {
        free(buf);
        return 0;
    }
    VSIFCloseL(fp);
    dcs_weather w;
    dcs_error err;
    if (dcs_weather_read(name, &w, &err) == DCS_OK)
        dcs_weather_free(&w);
    VSIUnlink(name);
    return 0;
}

#endif
