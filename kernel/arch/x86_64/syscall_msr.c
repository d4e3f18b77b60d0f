/* SYSCALL/SYSRET set-up: where the instruction enters and what it masks. */
#include <arch/cpu.h>

#include "x86.h"

#define EFER_SCE 0x1ull
#define FMASK_BITS 0x44700ull /* IF, TF, DF, NT, AC cleared on entry */

extern char syscall_entry[];

void syscall_init(void)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    /* SYSRET to 64-bit mode loads CS = base + 16 and SS = base + 8. */
    uint64_t user_base = SEL_KERNEL_DATA;
    wrmsr(MSR_STAR, (user_base << 48) | ((uint64_t)SEL_KERNEL_CODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_FMASK, FMASK_BITS);
}
