/* special.c - FIFOs, devices and sockets are not datasets. See special.h. */
#include "core/special.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int dcs_special_file(const char *name, char *kind, size_t size)
{
    struct stat st;
    if (!name || strncmp(name, "/vsi", 4) == 0 || stat(name, &st) != 0 || S_ISREG(st.st_mode) ||
        S_ISDIR(st.st_mode))
        return 0;
    snprintf(kind, size, "%s", S_ISFIFO(st.st_mode)   ? "a FIFO (named pipe)"
                               : S_ISCHR(st.st_mode)  ? "a character device"
                               : S_ISBLK(st.st_mode)  ? "a block device"
                               : S_ISSOCK(st.st_mode) ? "a socket"
                                                      : "not a regular file");
    return 1;
}
