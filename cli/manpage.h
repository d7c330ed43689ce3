/*
 * manpage.h - the manual page dcsite(1), written in roff from the same
 * tables that drive parsing and --help (options.h), so the page can never
 * list an option the program does not take or miss one it does.
 *
 * `dcsite --man` prints it; `make` writes it to build/dcsite.1 and
 * `make install` installs it under $(PREFIX)/share/man/man1.  The prose
 * around the tables (description, environment, examples, see also) is
 * here; the reference manual is docs/.
 *
 * Thread-safe (reads constant tables only); nothing to free.
 */
#ifndef DCS_MANPAGE_H
#define DCS_MANPAGE_H

#include <stdio.h>

void dcs_cli_man(FILE *out);

#endif
