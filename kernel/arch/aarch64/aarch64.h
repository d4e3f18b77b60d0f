/* Initialisation entry points of the aarch64 architecture code, called by kmain. */
#ifndef IPCLAB_ARCH_AARCH64_AARCH64_H
#define IPCLAB_ARCH_AARCH64_AARCH64_H

#include <stdbool.h>
#include <stdint.h>

/* The virt board's devices (its device tree says the same; these are fixed). */
#define VIRT_GICD_BASE 0x08000000ul
#define VIRT_GICC_BASE 0x08010000ul
#define VIRT_UART_BASE 0x09000000ul
#define VIRT_RAM_BASE 0x40000000ul

void mmu_init(void);
void serial_init(void);
void pmu_init(void);
void gic_init(void);
void gic_enable(unsigned intid);
void gic_disable(unsigned intid);
/* The pending interrupt's ID (1023: none), and its end. */
uint32_t gic_acknowledge(void);
void gic_end(uint32_t iar);
void timer_init(void);
/* Rearm the timer for the next tick; true if intid was the timer's. */
bool timer_handle(unsigned intid);
void fpu_deny(void);
/* The user timer's interrupt (user_irq.c): true if intid was it (now spent). */
bool utimer_handle(unsigned intid);

/* Set while the kernel waits in arch_idle() (idle.c). */
extern volatile bool aarch64_idling;

#endif
