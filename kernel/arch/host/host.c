/*
 * The "host" architecture: the arch_api.h hooks for the portable kernel core built
 * into a Linux program (unit tests, host benchmarks). Page tables are a short list per
 * space, frames come from a static pool, the console is stdout, and anything that
 * would enter user mode or stop the machine ends the program instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch_api.h"
#include "kernel.h"
#include "tcb.h"
#include <arch/host_irq.h>

#if CONFIG_FPU_LAZY
#include <arch/fpu.h>

uint64_t host_fpu_regs[HOST_FPU_REGS];
bool host_fpu_on;
unsigned long host_fpu_saves, host_fpu_restores, host_fpu_toggles;
#endif

struct tcb *host_entry_thread;
const struct arch_space *host_loaded_space;
unsigned long host_space_switches;

void arch_console_putc(char c)
{
    putchar(c);
}

noreturn void arch_shutdown(unsigned status)
{
    fflush(stdout);
    exit(status == EXIT_OK ? 0 : 100 + (int)status);
}

noreturn void arch_return_to_user(struct tcb *t)
{
    (void)t;
    fprintf(stderr, "host: arch_return_to_user called: no user mode on the host\n");
    abort();
}

bool arch_space_init(struct arch_space *as)
{
    memset(as, 0, sizeof(*as));
    return true;
}

bool arch_map_page(struct arch_space *as, uint64_t vaddr, uint64_t paddr, bool writable)
{
    if (vaddr < USER_BASE || vaddr >= USER_TOP)
        return false;
    for (uint64_t i = 0; i < as->pages; i++) {
        if (as->vaddr[i] == vaddr) {
            as->paddr[i] = paddr;
            as->writable[i] = writable;
            return true;
        }
    }
    if (as->pages == HOST_SPACE_PAGES)
        return false;
    as->vaddr[as->pages] = vaddr;
    as->paddr[as->pages] = paddr;
    as->writable[as->pages] = writable;
    as->pages++;
    return true;
}

void arch_unmap_page(struct arch_space *as, uint64_t vaddr)
{
    for (uint64_t i = 0; i < as->pages; i++) {
        if (as->vaddr[i] == vaddr) {
            as->pages--;
            as->vaddr[i] = as->vaddr[as->pages];
            as->paddr[i] = as->paddr[as->pages];
            as->writable[i] = as->writable[as->pages];
            return;
        }
    }
}

/* The host's "page tables" are the table in struct arch_space itself: nothing to free. */
void arch_space_destroy(struct arch_space *as)
{
    memset(as, 0, sizeof(*as));
}

noreturn void arch_idle(void)
{
    fprintf(stderr, "host: arch_idle called: no interrupts on the host\n");
    abort();
}

bool arch_lookup_page(const struct arch_space *as, uint64_t vaddr, uint64_t *paddr,
                      bool *writable)
{
    for (uint64_t i = 0; i < as->pages; i++) {
        if (as->vaddr[i] == vaddr) {
            *paddr = as->paddr[i];
            *writable = as->writable[i];
            return true;
        }
    }
    return false;
}

void arch_init_user_regs(struct tcb *t, uint64_t ip, uint64_t sp, uint64_t arg)
{
    memset(&t->regs, 0, sizeof(t->regs));
    t->regs.ip = ip;
    t->regs.sp = sp;
    t->regs.arg[0] = arg;
}

/* ---- interrupt hardware stand-ins (arch/host_irq.h) ---- */
bool host_irq_masked[HOST_IRQ_LINES];
uint64_t host_utimer_deadline;
long host_irq_pending_after = -1;
unsigned long host_irq_pending_checks;

bool arch_irq_line_valid(unsigned line)
{
    return line < HOST_IRQ_LINES;
}

void arch_irq_mask(unsigned line)
{
    host_irq_masked[line] = true;
}

void arch_irq_unmask(unsigned line)
{
    host_irq_masked[line] = false;
}

void arch_utimer_arm(uint64_t deadline)
{
    host_utimer_deadline = deadline;
}

bool arch_irq_pending(void)
{
    host_irq_pending_checks++;
    if (host_irq_pending_after < 0)
        return false;
    if (host_irq_pending_after == 0)
        return true;
    host_irq_pending_after--;
    return false;
}

void arch_regs_restart_syscall(struct arch_regs *r, uint64_t nr)
{
    r->syscall = nr;
    r->ip -= HOST_SYSCALL_BYTES;
}

void arch_regs_set_arg(struct arch_regs *r, unsigned n, uint64_t value)
{
    r->arg[n] = value;
}
