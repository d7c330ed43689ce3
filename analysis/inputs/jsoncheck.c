/* jsoncheck.c - checks cJSON does not make. See jsoncheck.h. */
#include "inputs/jsoncheck.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

#define NONE ((size_t)-1)

/* Offset just past the string starting at text[i] (the opening quote). */
static size_t string_end(const char *text, size_t i)
{
    for (i++; text[i] && text[i] != '"'; i++)
        if (text[i] == '\\' && text[i + 1])
            i++;
    return text[i] ? i + 1 : i;
}

size_t dcs_json_too_deep(const char *text, int limit)
{
    long depth = 0;
    for (size_t i = 0; text[i];) {
        char c = text[i];
        if (c == '"') {
            i = string_end(text, i);
            continue;
        }
        if ((c == '{' || c == '[') && ++depth > limit)
            return i;
        if ((c == '}' || c == ']') && depth > 0)
            depth--;
        i++;
    }
    return NONE;
}

/* True when the escape after a backslash (at e) stands for a control
 * character other than tab, newline and carriage return. */
static int escaped_control(const char *e)
{
    if (*e == 'b' || *e == 'f')
        return 1;
    if (*e != 'u' || strncmp(e + 1, "00", 2) != 0 || !isxdigit((unsigned char)e[3]) ||
        !isxdigit((unsigned char)e[4]))
        return 0;
    unsigned v = (unsigned)strtoul((char[]){e[3], e[4], '\0'}, NULL, 16);
    return v < 0x20 && v != '\t' && v != '\n' && v != '\r';
}

/* The first problem inside the string at text[i]; *next: past it. */
static size_t check_string(const char *text, size_t i, size_t *next, const char **what)
{
    const unsigned char *u = (const unsigned char *)text;
    for (i++; u[i] && u[i] != '"';) {
        if (u[i] == '\\') {
            if (strncmp(text + i + 1, "u0000", 5) == 0) {
                *what = "an escaped NUL (\\u0000), which would cut the text short";
                return i;
            }
            if (escaped_control(text + i + 1)) {
                *what = "an escaped control character (\\b, \\f or \\u0001 to \\u001F other "
                        "than \\t, \\n and \\r), which XML cannot hold (the workbook)";
                return i;
            }
            i += u[i + 1] ? 2 : 1;
            continue;
        }
        if (u[i] < 0x20) {
            *what = "a raw control character (write it as an escape such as \\t or \\n)";
            return i;
        }
        /* the text ends in NUL, which no sequence continues with: 4 is safe */
        size_t k = dcs_utf8_seq(u + i, 4);
        if (k == 0) {
            *what = "a byte that is not UTF-8 (save the file as UTF-8)";
            return i;
        }
        i += k;
    }
    *next = u[i] ? i + 1 : i;
    return NONE;
}

size_t dcs_json_bad_text(const char *text, const char **what)
{
    for (size_t i = 0; text[i];) {
        if (text[i] != '"') {
            i++;
            continue;
        }
        size_t next = i + 1, at = check_string(text, i, &next, what);
        if (at != NONE)
            return at;
        i = next;
    }
    return NONE;
}

typedef struct {
    const char *key;
    size_t index;
} keyed;

static int by_key_then_index(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* One path buffer shared by the whole walk: each level appends its part
 * and cuts it off again. */
typedef struct {
    char path[1024];
    dcs_strlist *out;
    int found, nomem;
} walk;

static size_t push(walk *w, const char *fmt, const char *key, size_t index)
{
    size_t len = strlen(w->path);
    if (key)
        snprintf(w->path + len, sizeof w->path - len, fmt, len ? "." : "", key);
    else
        snprintf(w->path + len, sizeof w->path - len, fmt, index);
    return len;
}

static void report_repeats(walk *w, const cJSON *obj, size_t n)
{
    keyed *k = malloc(n * sizeof *k);
    unsigned char *dup = calloc(n, 1);
    if (!k || !dup) {
        w->nomem = 1;
        goto done;
    }
    size_t i = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++)
        k[i] = (keyed){.key = c->string ? c->string : "", .index = i};
    qsort(k, n, sizeof *k, by_key_then_index);
    for (i = 1; i < n; i++)
        if (strcmp(k[i].key, k[i - 1].key) == 0)
            dup[k[i].index] = 1;
    i = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++) {
        if (!dup[i])
            continue;
        size_t len = push(w, "%s%s", c->string ? c->string : "", 0);
        if (dcs_strlist_addf(w->out, "%s", w->path) != 0)
            w->nomem = 1;
        w->path[len] = '\0';
        w->found++;
    }
done:
    free(k);
    free(dup);
}

static void visit(walk *w, const cJSON *v)
{
    size_t n = 0;
    for (const cJSON *c = v->child; c; c = c->next)
        n++;
    if (cJSON_IsObject(v) && n > 1)
        report_repeats(w, v, n);
    size_t i = 0;
    for (const cJSON *c = v->child; c && !w->nomem; c = c->next, i++) {
        if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
            continue;
        size_t len = cJSON_IsObject(v) ? push(w, "%s%s", c->string ? c->string : "", 0)
                                       : push(w, "[%zu]", NULL, i);
        visit(w, c);
        w->path[len] = '\0';
    }
}

int dcs_json_duplicate_keys(const cJSON *root, dcs_strlist *out)
{
    walk w = {.path = "", .out = out, .found = 0, .nomem = 0};
    if (root)
        visit(&w, root);
    return w.nomem ? -1 : w.found;
}

void dcs_json_line_col(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}
