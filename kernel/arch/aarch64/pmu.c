/*
 * The counter the benchmark reads: PMCCNTR_EL0, the PMU's cycle counter, readable from
 * EL0 (PMUSERENR_EL0.CR) and counting at EL0 and EL1. QEMU derives it from its virtual
 * clock at a fixed 1 GHz; under -icount shift=0 a nanosecond of that clock is one
 * retired instruction, so the counter counts retired guest instructions exactly (a
 * thousand nops between two reads read 1003, the nops and the three instructions of
 * the reads). CNTVCT_EL0 runs at 62.5 MHz on this board: one tick per 16 instructions.
 */
#include <arch/cpu.h>

#include "aarch64.h"

#define PMCR_E (1u << 0)            /* counters enabled */
#define PMCR_C (1u << 2)            /* reset the cycle counter */
#define PMCR_LC (1u << 6)           /* 64-bit cycle counter */
#define PMCNTEN_CYCLES (1u << 31)
#define PMUSERENR_CR (1u << 2)      /* EL0 may read PMCCNTR_EL0, nothing else */

void pmu_init(void)
{
    write_sysreg(pmccfiltr_el0, 0); /* count at EL0 and EL1 */
    write_sysreg(pmcr_el0, PMCR_E | PMCR_C | PMCR_LC);
    write_sysreg(pmcntenset_el0, PMCNTEN_CYCLES);
    write_sysreg(pmuserenr_el0, PMUSERENR_CR);
    isb();
}
