/*
 * special.h - a dataset name that is a FIFO, a device or a socket.
 *
 * GDAL would open such a name and block (a FIFO with no writer) or read
 * forever (/dev/zero).  Every place that hands a dataset name from the
 * scenario to GDAL (or reads a weather file) asks dcs_special_file() first
 * and refuses the name with its answer.  Names GDAL resolves itself
 * (/vsi..., "PG:...", other connection strings) are not local files and
 * pass; so do regular files and directories (a Shapefile folder, a File
 * Geodatabase), after symbolic links are followed.
 *
 * Pure (one stat()), thread-safe.
 */
#ifndef DCS_SPECIAL_H
#define DCS_SPECIAL_H

#include <stddef.h>

/* 1 when name is an existing local file that is neither a regular file
 * nor a directory; kind then holds what it is ("a FIFO (named pipe)",
 * "a character device", ...).  0 otherwise. */
int dcs_special_file(const char *name, char *kind, size_t size);

#endif
