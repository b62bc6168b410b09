/*
 * options.h — the ALASKA_* environment variables, parsed once from the table in options.inc
 * (docs/env.md). A malformed value stops the program with the one message
 * `alaska: NAME=value is not <what the type accepts>` and exit status 1. Any layer may
 * include it.
 */
#ifndef ALASKA_RUNTIME_OPTIONS_H
#define ALASKA_RUNTIME_OPTIONS_H

#include <stdint.h>

#include "os/defs.h"

#define ALASKA_OPTION_CTYPE_flag int
#define ALASKA_OPTION_CTYPE_bool int
#define ALASKA_OPTION_CTYPE_int uint64_t
#define ALASKA_OPTION_CTYPE_signal int
#define ALASKA_OPTION_CTYPE_double double
#define ALASKA_OPTION_CTYPE_fraction double
#define ALASKA_OPTION_CTYPE_bytes uint64_t
#define ALASKA_OPTION_CTYPE_path const char * /* NULL when unset */

typedef struct alaska_options {
#define ALASKA_OPTION(field, name, type, dflt, min, max, doc) ALASKA_OPTION_CTYPE_##type field;
#include "options.inc"
#undef ALASKA_OPTION
} alaska_options_t;

/* The parsed values: reads the environment on the first call (from whichever thread gets
 * there first, possibly before malloc works: parsing neither allocates nor takes locks). */
const alaska_options_t *alaska_options(void) ALASKA_HIDDEN;

#endif /* ALASKA_RUNTIME_OPTIONS_H */
