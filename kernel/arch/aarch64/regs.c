/* aarch64 register-frame operations the portable core calls (arch_api.h). */
#include <arch/regs_offsets.h>

#include "arch_api.h"
#include "kernel.h"
#include "tcb.h"

_Static_assert(__builtin_offsetof(struct arch_regs, x[30]) == REGS_X30, "x30");
_Static_assert(__builtin_offsetof(struct arch_regs, sp) == REGS_SP, "sp");
_Static_assert(__builtin_offsetof(struct arch_regs, pc) == REGS_PC, "pc");
_Static_assert(__builtin_offsetof(struct arch_regs, pstate) == REGS_PSTATE, "pstate");
_Static_assert(sizeof(struct arch_regs) == REGS_SIZE, "frame size");
_Static_assert(__builtin_offsetof(struct tcb, regs) == 0, "entry code needs regs first");
_Static_assert(19 + ABI_REG_WORDS - 1 <= 28, "message registers are x19..x28");

#define PSTATE_EL0T 0 /* EL0, SP_EL0, AArch64, interrupts unmasked */

void arch_init_user_regs(struct tcb *t, uint64_t ip, uint64_t sp, uint64_t arg)
{
    memset(&t->regs, 0, sizeof(t->regs));
    t->regs.pc = ip;
    t->regs.sp = sp;
    t->regs.x[0] = arg;
    t->regs.pstate = PSTATE_EL0T;
}
