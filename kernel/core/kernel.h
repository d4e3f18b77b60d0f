/* Kernel-wide helpers: console output, panic, memory primitives. */
#ifndef IPCLAB_CORE_KERNEL_H
#define IPCLAB_CORE_KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "assert.h"
#include "config.h"
#include <ipclab/format.h>

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
/* Prints the versioned PANIC line of bench/FORMAT.md and ends the run with status 2. */
noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void strlcpy_k(char *dst, const char *src, size_t size);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit statuses through the debug-exit device (bench/FORMAT.md). */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_PANIC 2

#endif
