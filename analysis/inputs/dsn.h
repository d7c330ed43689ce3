/*
 * dsn.h - database connection strings: recognise them and hide their
 * passwords.
 *
 * A dataset may be a PostgreSQL/PostGIS connection string GDAL opens
 * ("PG:dbname=gis host=db user=me password=secret", or a libpq URI
 * "postgresql://me:secret@db/gis").  Such strings end up in messages, the
 * JSON summary and the workbook; every one of those goes through
 * dcs_redact() first, which replaces each password in a text with "***":
 *
 *   - the value of a `password` (or ODBC `pwd`) keyword, quoted
 *     ('a b\'c', with backslash escapes; {..} for ODBC) or not (up to white space; in a URI
 *     query, up to '&'; for pwd, up to ';');
 *   - the password in the user information of any URI
 *     (scheme://user:password@host), keeping the user name.
 *
 * The text around them is kept, so a message still names the database,
 * host, port and user.  The functions work on any text, not only on a
 * bare connection string (a GDAL error message that quotes one, say).
 *
 * Ownership: dcs_redact() returns a new string the caller frees.
 */
#ifndef DCS_DSN_H
#define DCS_DSN_H

#include <stddef.h>

/* True when dataset is a PostgreSQL connection string GDAL's PostgreSQL
 * driver opens: "PG:..." (any case) or "postgresql://...". */
int dcs_dsn_is_postgres(const char *dataset);

/* True when text may hold a password dcs_redact() would hide (a cheap
 * test: it has an '=' or a "://"). */
int dcs_redact_needed(const char *text);

/* A copy of text with every password replaced by "***" (caller frees);
 * NULL for NULL or when out of memory. */
char *dcs_redact(const char *text);

/* The same into out (cut to size - 1 bytes); returns out. */
const char *dcs_redact_to(const char *text, char *out, size_t size);

#endif
