/*
 * strbuf.h - a growable byte buffer for text built piece by piece.
 *
 * dcs_strbuf_reserve() makes room for `more` bytes plus a terminating NUL
 * after the current length, doubling the capacity from 4 KiB; once it runs
 * out of memory the buffer stays marked (nomem) and every later reserve
 * fails, so a writer checks once at the end.  Writers append at p + len and
 * add to len themselves.
 *
 * Ownership: the buffer's bytes belong to the struct's holder and are freed
 * by dcs_strbuf_free() (or taken over: p, then set the struct to zero).
 * Thread-safety: none inside; distinct buffers may be used by distinct
 * threads.
 */
#ifndef DCS_STRBUF_H
#define DCS_STRBUF_H

#include <stddef.h>

typedef struct {
    char *p;
    size_t len, cap;
    int nomem; /* set for good by a failed reserve */
} dcs_strbuf;

/* 1 when p has room for len + more + 1 bytes; 0 out of memory (or before). */
int dcs_strbuf_reserve(dcs_strbuf *b, size_t more);
/* Frees the bytes and zeroes the struct. */
void dcs_strbuf_free(dcs_strbuf *b);

#endif
