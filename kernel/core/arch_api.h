/*
 * What the portable core asks of an architecture. Each kernel/arch/<arch>/ implements
 * these (kernel/arch/host/ implements them for host-built tests and benchmarks).
 */
#ifndef IPCLAB_CORE_ARCH_API_H
#define IPCLAB_CORE_ARCH_API_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include <arch/space.h>

struct tcb;
struct space;
struct arch_regs;

void arch_console_putc(char c);
noreturn void arch_shutdown(unsigned status);

/* Resume t in user mode from its saved registers; never returns. */
noreturn void arch_return_to_user(struct tcb *t);
/*
 * On the fast path, defined inline by each architecture in <arch/inline.h>:
 *   void arch_set_current(struct tcb *t)  - t's frame receives the next kernel entry
 *   void arch_switch_space(const struct arch_space *to) - load the next address space
 * and the fast path copies no message register: every architecture keeps them in the
 * CPU across it (see <arch/regs.h>).
 */

/* A fresh address space: kernel mapped supervisor-only, user half empty. */
bool arch_space_init(struct arch_space *as);
/* Map one user page; false when out of memory. */
bool arch_map_page(struct arch_space *as, uint64_t vaddr, uint64_t paddr, bool writable);
/* Remove one user page's mapping, if any (its frame is the caller's business). */
void arch_unmap_page(struct arch_space *as, uint64_t vaddr);
/* Free every page-table frame of a space that is going away (not the frames its
 * pages map, and not the kernel's shared tables). */
void arch_space_destroy(struct arch_space *as);
/* The frame behind a mapped user page; false when not mapped. */
bool arch_lookup_page(const struct arch_space *as, uint64_t vaddr, uint64_t *paddr,
                      bool *writable);

/* A new thread's registers: enter user mode at ip with stack sp and one argument. */
void arch_init_user_regs(struct tcb *t, uint64_t ip, uint64_t sp, uint64_t arg);

/* No thread is runnable: wait, with interrupts on, for the next interrupt, whose
 * handler calls kernel_idle_interrupt(). Never returns. */
noreturn void arch_idle(void);

/*
 * Interrupt lines user threads may register (irq.c): whether line (IRQ_LINE_*) exists
 * on this machine; masking it at its controller (a level source then stays quiet, an
 * edge source's interrupt is kept by irq.c); and the device behind IRQ_LINE_TIMER,
 * armed to fire once when the counter user code reads reaches deadline (0: disarm).
 */
bool arch_irq_line_valid(unsigned line);
void arch_irq_mask(unsigned line);
void arch_irq_unmask(unsigned line);
void arch_utimer_arm(uint64_t deadline);
/* Whether an interrupt waits to be taken (the kernel runs with interrupts off):
 * preemption points ask it (preempt.h). */
bool arch_irq_pending(void);

/* A system call stopped at a preemption point: the thread resumes at its trap
 * instruction with call number nr and the arguments as the call left them. */
void arch_regs_restart_syscall(struct arch_regs *r, uint64_t nr);
/* System call argument n (0..4) in r becomes value (a restarted call's progress). */
void arch_regs_set_arg(struct arch_regs *r, unsigned n, uint64_t value);

#include <arch/inline.h>

#endif
