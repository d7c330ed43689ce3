/*
 * enospc.c - an LD_PRELOAD shim that simulates a full disk, for the tests.
 *
 *   DCS_FAULT_DIR=/some/dir DCS_FAULT_BYTES=N LD_PRELOAD=build/tests/libenospc.so cmd
 *
 * Every write to a file under DCS_FAULT_DIR counts against one budget of N
 * bytes shared by all such files, as free space on a disk would be.  The
 * write that would go past the budget writes what still fits (like a
 * kernel write on a filling disk) and the next one fails with ENOSPC; after
 * that every write under the directory fails.  Files elsewhere are not
 * affected.
 *
 * Which file a descriptor belongs to is read from /proc/self/fd.  SQLite
 * (GeoPackage) writes with pwrite64/write, which this shim replaces.  stdio
 * (fwrite, fputs: GDAL's VSI files, libxlsxwriter's zip, the JSON summary)
 * calls glibc's internal write, which cannot be replaced, so fopen() and
 * fopen64() of a file under the directory return a stdio stream whose
 * writes go through this shim (fopencookie).
 *
 * DCS_FAULT_MATCH=TEXT limits the fault to files whose name contains TEXT
 * (e.g. ".xlsx"), to aim it at one writer.
 *
 * When DCS_FAULT_LOG names a file, each refused write appends a line
 * "ENOSPC <path>" to it, so a test can show which writer hit the fault.
 *
 * DCS_FAULT_DELAY_US=N makes the disk slow as well: each write to such a
 * file first waits N microseconds (with a budget larger than the run
 * writes, only slow), so that a test can make one writer the slowest.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef FILE *(*fopen_fn)(const char *, const char *);

static char fault_dir[PATH_MAX];
static long long budget = -1; /* bytes left; -1: shim inactive */
static useconds_t delay_us;   /* wait before each write (DCS_FAULT_DELAY_US) */
static int ready;

static void *next(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

static void setup(void)
{
    if (ready)
        return;
    ready = 1;
    const char *dir = getenv("DCS_FAULT_DIR");
    const char *bytes = getenv("DCS_FAULT_BYTES");
    if (!dir || !bytes || !realpath(dir, fault_dir))
        return;
    budget = atoll(bytes);
    const char *delay = getenv("DCS_FAULT_DELAY_US");
    delay_us = delay ? (useconds_t)atol(delay) : 0;
}

static int under_dir(const char *path)
{
    size_t n = strlen(fault_dir);
    const char *match = getenv("DCS_FAULT_MATCH");
    const char *base = strrchr(path, '/');
    return n && strncmp(path, fault_dir, n) == 0 && (path[n] == '/' || path[n] == '\0') &&
           (!match || strstr(base ? base + 1 : path, match));
}

static int fd_path(int fd, char *path, size_t size)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, size - 1);
    if (n < 0)
        return -1;
    path[n] = '\0';
    return 0;
}

static void log_refusal(const char *path)
{
    const char *log = getenv("DCS_FAULT_LOG");
    if (!log)
        return;
    int fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0)
        return;
    char line[PATH_MAX + 16];
    int n = snprintf(line, sizeof line, "ENOSPC %s\n", path);
    ((write_fn)next("write"))(fd, line, (size_t)n);
    close(fd);
}

/* How many of `want` bytes to fd may be written: want when the file is
 * not under the directory; -1 (errno ENOSPC) when the budget is spent. */
static ssize_t allowance(int fd, size_t want)
{
    setup();
    char path[PATH_MAX];
    if (budget < 0 || want == 0 || fd_path(fd, path, sizeof path) != 0 || !under_dir(path))
        return (ssize_t)want;
    if (delay_us)
        usleep(delay_us);
    if (budget == 0) {
        log_refusal(path);
        errno = ENOSPC;
        return -1;
    }
    size_t n = (long long)want < budget ? want : (size_t)budget;
    budget -= (long long)n;
    return (ssize_t)n;
}

ssize_t write(int fd, const void *buf, size_t count)
{
    ssize_t n = allowance(fd, count);
    return n < 0 ? -1 : ((write_fn)next("write"))(fd, buf, (size_t)n);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
    ssize_t n = allowance(fd, count);
    return n < 0 ? -1 : ((pwrite_fn)next("pwrite"))(fd, buf, (size_t)n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t off)
{
    ssize_t n = allowance(fd, count);
    return n < 0 ? -1 : ((pwrite_fn)next("pwrite64"))(fd, buf, (size_t)n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    ssize_t n = allowance(fd, total);
    if (n < 0)
        return -1;
    if ((size_t)n == total)
        return ((writev_fn)next("writev"))(fd, iov, iovcnt);
    /* a partial write: only the first n bytes */
    ssize_t done = 0;
    for (int i = 0; i < iovcnt && done < n; i++) {
        size_t part = iov[i].iov_len < (size_t)(n - done) ? iov[i].iov_len : (size_t)(n - done);
        ssize_t w = ((write_fn)next("write"))(fd, iov[i].iov_base, part);
        if (w < 0)
            return done ? done : -1;
        done += w;
    }
    return done;
}

/* ---- stdio streams under the directory ---------------------------------- */

static ssize_t cookie_read(void *c, char *buf, size_t size)
{
    return read((int)(long)c, buf, size);
}

/* stdio takes a short count from a cookie as an error, so retry the rest
 * as glibc does for a plain file: the refused write sets errno. */
static ssize_t cookie_write(void *c, const char *buf, size_t size)
{
    size_t done = 0;
    while (done < size) {
        ssize_t n = write((int)(long)c, buf + done, size - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done; /* fopencookie: less than size is an error */
}

static int cookie_seek(void *c, off64_t *off, int whence)
{
    off64_t r = lseek64((int)(long)c, *off, whence);
    if (r < 0)
        return -1;
    *off = r;
    return 0;
}

static int cookie_close(void *c)
{
    return close((int)(long)c);
}

static int open_flags(const char *mode)
{
    int plus = strchr(mode, '+') != NULL;
    switch (mode[0]) {
    case 'r':
        return plus ? O_RDWR : O_RDONLY;
    case 'w':
        return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC;
    case 'a':
        return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
    }
    return -1;
}

static FILE *open_stream(const char *name, const char *path, const char *mode)
{
    setup();
    char dir[PATH_MAX], full[PATH_MAX];
    int flags = open_flags(mode);
    /* the file may not exist yet: resolve its directory */
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash)
        *slash = '\0';
    int inside = budget >= 0 && flags >= 0 && (flags & O_ACCMODE) != O_RDONLY &&
                 realpath(slash ? (dir[0] ? dir : "/") : ".", full) &&
                 strlen(full) + strlen(base) + 2 < sizeof full;
    if (inside) {
        strcat(strcat(full, "/"), base);
        inside = under_dir(full);
    }
    if (!inside)
        return ((fopen_fn)next(name))(path, mode);
    int fd = open(path, flags | O_CLOEXEC, 0666);
    if (fd < 0)
        return NULL;
    cookie_io_functions_t io = {cookie_read, cookie_write, cookie_seek, cookie_close};
    FILE *fp = fopencookie((void *)(long)fd, mode, io);
    if (!fp)
        close(fd);
    return fp;
}

FILE *fopen(const char *path, const char *mode)
{
    return open_stream("fopen", path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    return open_stream("fopen64", path, mode);
}
