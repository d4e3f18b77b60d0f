/*
 * The counter the benchmark reads: instret, from user mode (scounteren.IR; CY and TM
 * too). Under -icount shift=0 QEMU returns the instruction count for both cycle and
 * instret, so each counts retired guest instructions exactly (a thousand nops between
 * two reads of either read 1003); instret is the one whose meaning that is, so the
 * benchmark reads it. The time CSR ticks at 10 MHz here: once per 100 instructions.
 */
#include <arch/cpu.h>

#include "riscv.h"

#define SCOUNTEREN_CY (1u << 0)
#define SCOUNTEREN_TM (1u << 1)
#define SCOUNTEREN_IR (1u << 2)

void counters_init(void)
{
    csr_write(scounteren, SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR);
}
