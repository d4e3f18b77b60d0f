/* Restarting a system call stopped at a preemption point (arch_api.h): the thread
 * executes its `syscall` (2 bytes) again, with rax the call number. */
#include "arch_api.h"
#include "tcb.h"

#define SYSCALL_INSN_BYTES 2

void arch_regs_restart_syscall(struct arch_regs *r, uint64_t nr)
{
    r->rip -= SYSCALL_INSN_BYTES;
    r->rax = nr;
}

void arch_regs_set_arg(struct arch_regs *r, unsigned n, uint64_t value)
{
    switch (n) {
    case 0: r->rdi = value; break;
    case 1: r->rsi = value; break;
    case 2: r->rdx = value; break;
    case 3: r->r8 = value; break;
    default: r->r9 = value; break;
    }
}
