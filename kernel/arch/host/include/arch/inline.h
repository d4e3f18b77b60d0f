/* The fast-path hooks on the host: they only count, so tests can see what happened. */
#ifndef IPCLAB_ARCH_HOST_INLINE_H
#define IPCLAB_ARCH_HOST_INLINE_H

#include <arch/space.h>

struct tcb;

extern struct tcb *host_entry_thread;          /* whose frame the next entry fills */
extern const struct arch_space *host_loaded_space;
extern unsigned long host_space_switches;

static inline void arch_set_current(struct tcb *t)
{
    host_entry_thread = t;
}

static inline void arch_switch_space(const struct arch_space *to)
{
    host_loaded_space = to;
    host_space_switches++;
}

#endif
