/*
 * The FP/SIMD unit is denied to user threads: the kernel keeps no FP state for them,
 * so none may be left in the registers for the next thread (or space) to read.
 * CPACR_EL1.FPEN = 0b00 traps every FP/SIMD instruction at EL0 (and EL1, where the
 * kernel, built with -mgeneral-regs-only, has none); the thread is killed with a FAULT
 * line (exception class 0x07), like any other user fault.
 */
#include <arch/cpu.h>

#include "aarch64.h"

#define CPACR_FPEN_MASK (3ull << 20)

void fpu_deny(void)
{
    write_sysreg(cpacr_el1, read_sysreg(cpacr_el1) & ~CPACR_FPEN_MASK);
    isb();
}
