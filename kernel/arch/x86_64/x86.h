/* Initialisation entry points of the x86_64 architecture code, called by kmain. */
#ifndef IPCLAB_ARCH_X86_64_X86_H
#define IPCLAB_ARCH_X86_64_X86_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

void serial_init(void);
void gdt_init(void);
void idt_init(void);
void syscall_init(void);
void timer_init(void);
void timer_eoi(void);
void lapic_init(void);
void lapic_eoi(void);
void lapic_timer_oneshot(uint32_t count);
bool lapic_irr_pending(void);

/* Interrupt vectors: the PIT through the PIC, the PIC's (and the APIC's) spurious
 * interrupt, the APIC timer (the user timer, IRQ_LINE_TIMER). */
#define VECTOR_TIMER 32
#define VECTOR_SPURIOUS 39
#define VECTOR_USER_TIMER 48
/* The local APIC's registers, in the kernel's identity-mapped gigabyte (lapic.c). */
#define LAPIC_WINDOW 0x3FE00000ull

/* The FPU axis (fpu.c: none, fpu_lazy.c: lazy): set the CPU up at boot; answer a #NM
 * from the running user thread (true: resume it, false: it is a fault). */
void fpu_init(void);
bool fpu_user_trap(void);

/* KPTI=on (kpti.c): build the skim window's page tables before any space exists; the
 * PDPT slot 0 entry every user space gets instead of the kernel's page directory. */
#if CONFIG_KPTI_ON
void kpti_init(void);
uint64_t kpti_user_pdpt0(void);
#else
static inline void kpti_init(void)
{
}
#endif

/* Set while the kernel waits in arch_idle() (idle.c). */
extern volatile bool x86_idling;

#endif
