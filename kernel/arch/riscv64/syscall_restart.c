/* Restarting a system call stopped at a preemption point (arch_api.h): the thread
 * executes its `ecall` (4 bytes; the entry saved the pc past it) again, with a7 the
 * call number. */
#include "arch_api.h"
#include "tcb.h"

#define ECALL_INSN_BYTES 4
#define REG_A7 17

void arch_regs_restart_syscall(struct arch_regs *r, uint64_t nr)
{
    r->x[REG_PC] -= ECALL_INSN_BYTES;
    r->x[REG_A7] = nr;
}

void arch_regs_set_arg(struct arch_regs *r, unsigned n, uint64_t value)
{
    r->x[REG_A0 + n] = value;
}
