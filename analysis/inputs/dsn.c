/* dsn.c - connection strings and password redaction. See dsn.h. */
#include "inputs/dsn.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char HIDDEN[] = "***";

int dcs_dsn_is_postgres(const char *dataset)
{
    return dataset && (strncasecmp(dataset, "PG:", 3) == 0 ||
                       strncmp(dataset, "postgresql://", 13) == 0 ||
                       strncmp(dataset, "postgres://", 11) == 0);
}

int dcs_redact_needed(const char *text)
{
    return text && (strchr(text, '=') || strstr(text, "://"));
}

/* Output being built: out has room for what redact() can produce. */
typedef struct {
    char *out;
    size_t n;
} sink;

static void put(sink *k, const char *s, size_t len)
{
    memcpy(k->out + k->n, s, len);
    k->n += len;
}

static int word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Length of the keyword ("password" or "pwd") starting at s[i] as a whole
 * word, else 0. */
static size_t keyword_at(const char *s, size_t i)
{
    static const char *const words[] = {"password", "pwd"};
    if (i > 0 && word_char(s[i - 1]))
        return 0;
    for (size_t w = 0; w < 2; w++) {
        size_t len = strlen(words[w]);
        if (strncasecmp(s + i, words[w], len) == 0 && !word_char(s[i + len]))
            return len;
    }
    return 0;
}

/* End of a quoted value starting at s[i] (the opening quote), just past
 * the closing one (or the end of the text). */
static size_t quoted_end(const char *s, size_t i)
{
    char close = s[i] == '{' ? '}' : s[i];
    for (i++; s[i]; i++) {
        if (s[i] == '\\' && close != '}' && s[i + 1])
            i++;
        else if (s[i] == close)
            return i + 1;
    }
    return i;
}

/* End of an unquoted value starting at s[i]: white space, a separator of
 * the context (sep, may be 0), or a quote that closes the text around the
 * connection string (a quote followed by a non-word character). */
static size_t bare_end(const char *s, size_t i, char sep)
{
    for (; s[i]; i++) {
        if (isspace((unsigned char)s[i]) || (sep && s[i] == sep))
            break;
        if ((s[i] == '\'' || s[i] == '"') && !word_char(s[i + 1]))
            break;
        if (s[i] == '\\' && s[i + 1])
            i++;
    }
    return i;
}

/* If a "keyword = value" pair starts at s[i], copy "keyword = " and the
 * hidden value; returns the index after the value, or i when none. */
static size_t redact_keyword(const char *s, size_t i, sink *k)
{
    size_t len = keyword_at(s, i);
    if (!len)
        return i;
    size_t j = i + len;
    while (s[j] == ' ' || s[j] == '\t')
        j++;
    if (s[j] != '=')
        return i;
    j++;
    while (s[j] == ' ' || s[j] == '\t')
        j++;
    put(k, s + i, j - i);
    if (s[j] == '\'' || s[j] == '"' || s[j] == '{') {
        char open = s[j], close = open == '{' ? '}' : open;
        put(k, &open, 1);
        put(k, HIDDEN, sizeof HIDDEN - 1);
        put(k, &close, 1);
        return quoted_end(s, j);
    }
    char sep = len == 3 ? ';' : i > 0 && (s[i - 1] == '?' || s[i - 1] == '&') ? '&' : 0;
    put(k, HIDDEN, sizeof HIDDEN - 1);
    return bare_end(s, j, sep);
}

/* If "://user:password@" starts at s[i], copy "://user:" and the hidden
 * password; returns the index of the '@', or i when none. */
static size_t redact_userinfo(const char *s, size_t i, sink *k)
{
    if (strncmp(s + i, "://", 3) != 0)
        return i;
    size_t j = i + 3, colon = 0;
    for (; s[j] && s[j] != '@'; j++) {
        if (strchr("/?#'\"", s[j]) || isspace((unsigned char)s[j]))
            return i;
        if (s[j] == ':' && !colon)
            colon = j;
    }
    if (s[j] != '@' || !colon)
        return i;
    put(k, s + i, colon + 1 - i);
    put(k, HIDDEN, sizeof HIDDEN - 1);
    return j;
}

/* Each hidden value costs at most 5 bytes ('***' for an empty ''), for at
 * least 4 bytes of input ("pwd="), so 2n + 8 is always enough. */
static size_t capacity(size_t n)
{
    return 2 * n + 8;
}

static void redact_into(const char *s, char *out)
{
    sink k = {.out = out, .n = 0};
    size_t i = 0;
    while (s[i]) {
        size_t next = redact_keyword(s, i, &k);
        if (next == i)
            next = redact_userinfo(s, i, &k);
        if (next == i) {
            put(&k, s + i, 1);
            next = i + 1;
        }
        i = next;
    }
    out[k.n] = '\0';
}

char *dcs_redact(const char *text)
{
    if (!text)
        return NULL;
    char *out = malloc(capacity(strlen(text)));
    if (out)
        redact_into(text, out);
    return out;
}

const char *dcs_redact_to(const char *text, char *out, size_t size)
{
    if (!size)
        return out;
    char *full = dcs_redact(text ? text : "");
    size_t n = full ? strlen(full) : 0;
    if (n >= size)
        n = size - 1;
    if (full)
        memcpy(out, full, n);
    out[n] = '\0';
    free(full);
    return out;
}
