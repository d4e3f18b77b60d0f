/*
 * Kernel event counters (SYS_KSTAT): how often the kernel did things an experiment
 * cannot see from user mode (the scheduler's picks, preemptions, interrupt deliveries).
 * Each is one increment on a path that is not the IPC fast path.
 */
#ifndef IPCLAB_CORE_KSTAT_H
#define IPCLAB_CORE_KSTAT_H

#include <stdint.h>

#include <ipclab/abi.h>

extern uint64_t kstat[KSTAT_COUNT];

void kstat_reset(void);
/* SYS_KSTAT: counter `which` into *value. */
uint64_t kstat_syscall(uint64_t which, uint64_t *value);

static inline void kstat_count(unsigned which)
{
    kstat[which]++;
}

#endif
