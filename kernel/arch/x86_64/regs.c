/* x86_64 register-frame operations the portable core calls (arch_api.h). */
#include <arch/cpu.h>
#include <arch/regs_offsets.h>

#include "arch_api.h"
#include "kernel.h"
#include "tcb.h"

#define OFFSET_IS(field, value) \
    _Static_assert(__builtin_offsetof(struct arch_regs, field) == (value), #field)
OFFSET_IS(rax, REGS_RAX);
OFFSET_IS(rdi, REGS_RDI);
OFFSET_IS(rsi, REGS_RSI);
OFFSET_IS(rdx, REGS_RDX);
OFFSET_IS(r8, REGS_R8);
OFFSET_IS(r9, REGS_R9);
OFFSET_IS(r10, REGS_R10);
OFFSET_IS(rbp, REGS_RBP);
OFFSET_IS(rip, REGS_RIP);
OFFSET_IS(rflags, REGS_RFLAGS);
OFFSET_IS(rsp, REGS_RSP);
OFFSET_IS(rbx, REGS_RBX);
OFFSET_IS(r12, REGS_R12);
OFFSET_IS(r13, REGS_R13);
OFFSET_IS(r14, REGS_R14);
OFFSET_IS(r15, REGS_R15);
OFFSET_IS(rcx, REGS_RCX);
OFFSET_IS(r11, REGS_R11);
OFFSET_IS(resume_kind, REGS_RESUME_KIND);
_Static_assert(REGS_PARTIAL_END == REGS_RSP + 8, "partial frame");
_Static_assert(RESUME_IRET == RESUME_KIND_IRET, "resume kind");
_Static_assert(__builtin_offsetof(struct tcb, regs) == 0, "entry code needs regs first");

/* Where the next system call entry starts pushing (see <arch/inline.h>). */
uint64_t entry_frame_top;

void arch_init_user_regs(struct tcb *t, uint64_t ip, uint64_t sp, uint64_t arg)
{
    memset(&t->regs, 0, sizeof(t->regs));
    t->regs.rip = ip;
    t->regs.rsp = sp;
    t->regs.rdi = arg;
    t->regs.rflags = RFLAGS_IF | 0x2; /* bit 1 is always set */
    t->regs.resume_kind = RESUME_SYSRET;
}
