/*
 * Kernel assertions: invariants of the object state (queue membership, thread-state
 * transitions, endpoint state against its queue) checked in a debug build
 * (make DEBUG=1, CONFIG_DEBUG) and in the host-built unit tests, and compiled to
 * nothing in a measured build, so they cost no instruction on any benchmarked path.
 * A failed assertion is a kernel bug: a PANIC line naming the condition and its place.
 */
#ifndef IPCLAB_CORE_ASSERT_H
#define IPCLAB_CORE_ASSERT_H

#include <stdnoreturn.h>

#include "config.h"

noreturn void assert_failed(const char *condition, const char *file, int line);

#if CONFIG_DEBUG
#define ASSERT(condition)                                                              \
    do {                                                                               \
        if (!(condition))                                                              \
            assert_failed(#condition, __FILE__, __LINE__);                             \
    } while (0)
#else
/* Type-checked, never evaluated. */
#define ASSERT(condition) ((void)sizeof(!(condition)))
#endif

#endif
