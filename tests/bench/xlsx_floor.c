/*
 * xlsx_floor.c - the floor for writing a workbook's cells with
 * libxlsxwriter (issue 28, make bench): the cells of one sheet, read
 * first from a text file (untimed), then written with nothing else -- no
 * formats, no other sheet, no table, no column widths -- in
 * constant_memory mode, as dcsite writes its Ranking sheet.
 *
 *   xlsx_floor CELLS OUT.xlsx     prints "cells seconds"
 *
 * CELLS holds one cell a line, in row order: "ROW COL n VALUE" (a number)
 * or "ROW COL s TEXT" (an inline string, to the end of the line), rows and
 * columns from 0.  tests/bench/peer_geopandas.py extracts them from the
 * Ranking sheet dcsite wrote.  Exit 1 on a bad line or a failed write.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

typedef struct {
    unsigned row;
    unsigned short col;
    char *text; /* NULL: a number */
    double num;
} cell;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The cells of path, or NULL (a message said why). */
static cell *read_cells(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, size = 0, len = 0;
    cell *c = NULL;
    if (!fp) {
        perror(path);
        return NULL;
    }
    while (getline(&line, &len, fp) > 0) {
        unsigned row, col;
        char kind;
        int used = 0;
        if (sscanf(line, "%u %u %c %n", &row, &col, &kind, &used) != 3 || used == 0) {
            fprintf(stderr, "xlsx_floor: %s: bad line %zu\n", path, size + 1);
            free(c);
            c = NULL;
            break;
        }
        if (size == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            cell *grown = realloc(c, cap * sizeof *c);
            if (!grown) {
                free(c);
                c = NULL;
                break;
            }
            c = grown;
        }
        char *v = line + used;
        v[strcspn(v, "\n")] = '\0';
        c[size] = (cell){.row = row, .col = (unsigned short)col, .text = NULL, .num = 0};
        if (kind == 's')
            c[size].text = strdup(v);
        else
            c[size].num = strtod(v, NULL);
        size++;
    }
    free(line);
    fclose(fp);
    *n = size;
    return c;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: xlsx_floor CELLS OUT.xlsx\n");
        return 2;
    }
    size_t n = 0;
    cell *c = read_cells(argv[1], &n);
    if (!c)
        return 1;
    double t0 = now();
    lxw_workbook_options o = {.constant_memory = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(argv[2], &o);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, "Ranking") : NULL;
    lxw_error err = ws ? LXW_NO_ERROR : LXW_ERROR_MEMORY_MALLOC_FAILED;
    for (size_t k = 0; k < n && err == LXW_NO_ERROR; k++)
        err = c[k].text ? worksheet_write_string(ws, c[k].row, c[k].col, c[k].text, NULL)
                        : worksheet_write_number(ws, c[k].row, c[k].col, c[k].num, NULL);
    lxw_error closed = wb ? workbook_close(wb) : LXW_ERROR_MEMORY_MALLOC_FAILED;
    double t1 = now();
    for (size_t k = 0; k < n; k++)
        free(c[k].text);
    free(c);
    if (err != LXW_NO_ERROR || closed != LXW_NO_ERROR) {
        fprintf(stderr, "xlsx_floor: %s: %s\n", argv[2],
                lxw_strerror(err != LXW_NO_ERROR ? err : closed));
        return 1;
    }
    printf("%zu %.3f\n", n, t1 - t0);
    return 0;
}
