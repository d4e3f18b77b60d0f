/* Kernel event counters (kstat.h) and SYS_KSTAT. */
#include "kstat.h"

#include "kernel.h"

uint64_t kstat[KSTAT_COUNT];

void kstat_reset(void)
{
    for (unsigned i = 0; i < KSTAT_COUNT; i++)
        kstat[i] = 0;
}

uint64_t kstat_syscall(uint64_t which, uint64_t *value)
{
    if (which >= KSTAT_COUNT)
        return E_INVALID_ARG;
    *value = kstat[which];
    return E_OK;
}
