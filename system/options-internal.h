/*
 * What the command-line parser's files (options.c, options-char.c) share.
 */
#ifndef SYSTEM_OPTIONS_INTERNAL_H
#define SYSTEM_OPTIONS_INTERNAL_H

#include <glib.h>

/* Sets @error to "-@opt @arg: <fmt...>" (no " @arg" when @arg is NULL);
 * returns -1. */
int opt_error(GError **error, const char *opt, const char *arg,
              const char *fmt, ...) G_GNUC_PRINTF(4, 5);

#endif
