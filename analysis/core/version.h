/*
 * version.h - dcsite's version and those of the libraries it runs on.
 */
#ifndef DCS_VERSION_H
#define DCS_VERSION_H

#include <stddef.h>

#define DCS_VERSION "0.1.0"

typedef struct {
    const char *name;
    char version[64];
} dcs_lib_version;

enum { DCS_NLIBS = 5 };

/* Read what must be read once (PROJ's release: proj_info() is not safe
 * beside PROJ work in other threads).  dcs_init() calls it; call it before
 * starting threads otherwise. */
void dcs_library_versions_init(void);

/* GDAL, PROJ, GEOS, libxlsxwriter and cJSON versions as loaded at run
 * time (compile-time for libxlsxwriter, which has no run-time query).
 * Thread-safe once dcs_library_versions_init() has run. */
void dcs_library_versions(dcs_lib_version libs[DCS_NLIBS]);

#endif
