/* error.c - status strings and the error record. See error.h. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_text[DCS_STATUS_COUNT] = {
    [DCS_OK] = "success",
    [DCS_ERR_NOMEM] = "out of memory",
    [DCS_ERR_SCENARIO] = "bad scenario",
    [DCS_ERR_DATA] = "bad input data",
    [DCS_ERR_IO] = "output failure",
    [DCS_ERR_GEOMETRY] = "geometry operation failed",
    [DCS_ERR_INTERRUPTED] = "interrupted",
    [DCS_ERR_INTERNAL] = "internal error",
};

const char *dcs_strerror(dcs_status status)
{
    if ((int)status < 0 || status >= DCS_STATUS_COUNT || !status_text[status])
        return "unknown status";
    return status_text[status];
}

void dcs_error_clear(dcs_error *err)
{
    if (!err)
        return;
    err->status = DCS_OK;
    err->message[0] = '\0';
}

dcs_status dcs_error_set(dcs_error *err, dcs_status status, const char *fmt, ...)
{
    if (!err)
        return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->status = status;
    return status;
}

dcs_status dcs_error_prefix(dcs_error *err, const char *fmt, ...)
{
    if (!err)
        return DCS_ERR_INTERNAL;
    char prefix[512];
    char old[DCS_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    snprintf(err->message, sizeof err->message, "%s%s", prefix, old);
    return err->status;
}
