/* The kernel's exits, and the portable halves of its entries. */
#ifndef IPCLAB_CORE_DISPATCH_H
#define IPCLAB_CORE_DISPATCH_H

#include <stdint.h>
#include <stdnoreturn.h>

struct tcb;

/* Run next (NULL: nothing runnable: idle until an interrupt). */
noreturn void kernel_resume(struct tcb *next);
/* An interrupt arrived while the kernel idled (its architecture part is handled). */
noreturn void kernel_idle_interrupt(void);
/* The timer's tick ended an idle wait: count it (then kernel_idle_interrupt). */
void kernel_idle_tick(void);
/* A system call the fast path declined; registers fully saved in current's TCB. */
noreturn void syscall_slowpath(void);
/* A timer interrupt in user mode; current's registers are saved. */
noreturn void kernel_timer_tick(void);
/* current faulted in user mode: report it, kill it, run someone else. */
noreturn void kernel_user_fault(unsigned vector, uint64_t ip, uint64_t addr,
                                const char *reason);

#endif
