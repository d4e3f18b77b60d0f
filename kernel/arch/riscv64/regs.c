/* riscv64 register-frame operations the portable core calls (arch_api.h). */
#include <arch/regs_offsets.h>

#include "arch_api.h"
#include "kernel.h"
#include "tcb.h"

_Static_assert(__builtin_offsetof(struct arch_regs, x[REG_PC]) == REGS_PC, "pc");
_Static_assert(__builtin_offsetof(struct arch_regs, x[31]) == REGS_X(31), "x31");
_Static_assert(__builtin_offsetof(struct arch_regs, kernel_sp) == REGS_KERNEL_SP, "kernel_sp");
_Static_assert(sizeof(struct arch_regs) == REGS_SIZE, "frame size");
_Static_assert(__builtin_offsetof(struct tcb, regs) == 0, "entry code needs regs first");
_Static_assert(ABI_REG_WORDS == 12, "message registers are s0..s11");

extern char kernel_stack_top[];

void arch_init_user_regs(struct tcb *t, uint64_t ip, uint64_t sp, uint64_t arg)
{
    memset(&t->regs, 0, sizeof(t->regs));
    t->regs.x[REG_PC] = ip;
    t->regs.x[2] = sp;
    t->regs.x[REG_A0] = arg;
    t->regs.kernel_sp = (uint64_t)(uintptr_t)kernel_stack_top;
}
