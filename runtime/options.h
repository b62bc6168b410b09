/*
 * options.h — the ALASKA_* environment variables (docs/env.md): parsers that print
 * `alaska: NAME=value is not ...` and exit 1 on malformed input. Any layer may include it.
 */
#ifndef ALASKA_RUNTIME_OPTIONS_H
#define ALASKA_RUNTIME_OPTIONS_H

#include <stdint.h>

#include "os/defs.h"

/* Decimal in [min, max]; dflt when unset or empty. */
long env_long(const char *name, long dflt, long min, long max) ALASKA_HIDDEN;
/* The value v of `name`: decimal in [min, max]. */
uint64_t parse_u64(const char *name, const char *v, uint64_t min, uint64_t max) ALASKA_HIDDEN;
/* A number (with an optional % suffix: a fraction) in [min, max]; dflt when unset. */
double env_double(const char *name, double dflt, double min, double max) ALASKA_HIDDEN;
/* Bytes with an optional K/M/G suffix, at least min; dflt when unset. */
uint64_t env_bytes(const char *name, uint64_t dflt, uint64_t min) ALASKA_HIDDEN;
/* Prints `alaska: NAME=value is not <expect>` and exits 1. */
__attribute__((noreturn)) void bad_env(const char *name, const char *value,
                                       const char *expect) ALASKA_HIDDEN;

#endif /* ALASKA_RUNTIME_OPTIONS_H */
