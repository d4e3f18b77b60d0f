/* Restarting a system call stopped at a preemption point (arch_api.h): the thread
 * executes its `svc #0` (4 bytes) again, with x8 the call number. */
#include "arch_api.h"
#include "tcb.h"

#define SVC_INSN_BYTES 4

void arch_regs_restart_syscall(struct arch_regs *r, uint64_t nr)
{
    r->pc -= SVC_INSN_BYTES;
    r->x[8] = nr;
}

void arch_regs_set_arg(struct arch_regs *r, unsigned n, uint64_t value)
{
    r->x[n] = value;
}
