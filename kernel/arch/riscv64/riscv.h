/* Initialisation entry points of the riscv64 architecture code, called by kmain. */
#ifndef IPCLAB_ARCH_RISCV64_RISCV_H
#define IPCLAB_ARCH_RISCV64_RISCV_H

#include <stdbool.h>
#include <stdint.h>

/* The virt board's devices (its device tree says the same; these are fixed). */
#define VIRT_TEST_BASE 0x100000ul
#define VIRT_UART_BASE 0x10000000ul
#define VIRT_RAM_BASE 0x80000000ul

#define SSTATUS_SPP (1ul << 8)
#define SIE_STIE (1ul << 5)

void mmu_init(void);
void serial_init(void);
void counters_init(void);
void timer_init(uint64_t timebase_hz);
void timer_rearm(void);
/* The user timer's deadline has passed: disarmed, and true (timer.c). */
bool utimer_due(void);
void fpu_deny(void);

/* Set while the kernel waits in arch_idle() (idle.c). */
extern volatile bool riscv_idling;
/* An SBI call (a7 extension, a6 function, a0 argument); returns SBI's error in a0. */
long sbi_call(unsigned long ext, unsigned long fid, unsigned long arg0);

#endif
