/* Initialisation entry points of the x86_64 architecture code, called by kmain. */
#ifndef IPCLAB_ARCH_X86_64_X86_H
#define IPCLAB_ARCH_X86_64_X86_H

#include <stdbool.h>
#include <stdint.h>

void serial_init(void);
void gdt_init(void);
void idt_init(void);
void syscall_init(void);
void timer_init(void);
void timer_eoi(void);
void fpu_deny(void);

/* Set while the kernel waits in arch_idle() (idle.c). */
extern volatile bool x86_idling;

#endif
