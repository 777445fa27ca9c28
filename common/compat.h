/* compat.h: first include of every .c file; feature macros and basics. */
#ifndef ZS_COMPAT_H
#define ZS_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZS_VERSION "0.1.0"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define ZS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ZS_NORETURN __attribute__((noreturn))
#else
#define ZS_PRINTF(f, a)
#define ZS_NORETURN
#endif

#endif
