/*
 * FPU=lazy on the host: a pretend FPU for the unit tests of the owner logic
 * (core/fpu.h). Its registers are host_fpu_regs[], "off" is host_fpu_on == false;
 * the tests play a thread's use by writing the registers, and its first use while
 * off by calling fpu_first_use() as the #NM handler would.
 */
#ifndef IPCLAB_ARCH_HOST_FPU_H
#define IPCLAB_ARCH_HOST_FPU_H

#include <stdbool.h>
#include <stdint.h>

#define HOST_FPU_REGS 4

struct arch_fpu_state {
    uint64_t regs[HOST_FPU_REGS];
};

extern uint64_t host_fpu_regs[HOST_FPU_REGS];
extern bool host_fpu_on;
extern unsigned long host_fpu_saves, host_fpu_restores, host_fpu_toggles;

static inline void arch_fpu_enable(void)
{
    host_fpu_on = true;
    host_fpu_toggles++;
}

static inline void arch_fpu_disable(void)
{
    host_fpu_on = false;
    host_fpu_toggles++;
}

static inline void arch_fpu_save(struct arch_fpu_state *s)
{
    for (unsigned i = 0; i < HOST_FPU_REGS; i++)
        s->regs[i] = host_fpu_regs[i];
    host_fpu_saves++;
}

static inline void arch_fpu_restore(const struct arch_fpu_state *s)
{
    for (unsigned i = 0; i < HOST_FPU_REGS; i++)
        host_fpu_regs[i] = s->regs[i];
    host_fpu_restores++;
}

static inline void arch_fpu_reset(void)
{
    for (unsigned i = 0; i < HOST_FPU_REGS; i++)
        host_fpu_regs[i] = 0;
}

#endif
