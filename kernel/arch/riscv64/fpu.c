/*
 * The FPU is denied to user threads: the kernel keeps no FP state for them, so none
 * may be left in the registers for the next thread (or space) to read. sstatus.FS =
 * Off makes every FP instruction illegal in U-mode (and S-mode, where the kernel,
 * built for rv64imac, has none); the thread is killed with a FAULT line.
 */
#include <arch/cpu.h>

#include "riscv.h"

#define SSTATUS_FS (3ul << 13)

void fpu_deny(void)
{
    csr_clear(sstatus, SSTATUS_FS);
}
