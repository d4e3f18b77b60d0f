/*
 * KPTI=on: what a user address space still maps of the kernel (the skim window, after
 * seL4's name): the entry and exit code of system calls and traps, the descriptor
 * tables the CPU reads when it enters the kernel (IDT, GDT, TSS), the small stack a
 * trap from user mode lands on, and the one scratch word the system call entry needs
 * before it can switch page tables. Everything else of the kernel is absent from user
 * page tables, so a Meltdown-style read from user mode finds nothing mapped.
 *
 * SKIM_DATA puts an object into that window; without KPTI it is an ordinary object,
 * so the other configurations build exactly as before. The .S files name the
 * sections themselves (SKIM_TEXT_SECTION).
 */
#ifndef IPCLAB_ARCH_X86_64_SKIM_H
#define IPCLAB_ARCH_X86_64_SKIM_H

#include "config.h"

#if CONFIG_KPTI_ON
#define SKIM_DATA __attribute__((section(".skim.data")))
#define SKIM_TEXT_SECTION .section .skim.text, "ax"
#define SKIM_BSS_SECTION .section .skim.bss, "aw", @nobits
#else
#define SKIM_DATA
#define SKIM_TEXT_SECTION .text
#define SKIM_BSS_SECTION .bss
#endif

/* The trap stack: where a trap from user mode lands (TSS.rsp0) when the kernel stack
 * is not the place: under KPTI the kernel stack is not mapped in user page tables;
 * trap_common then moves to the kernel stack. */
#define TRAP_STACK_SEPARATE CONFIG_KPTI_ON

#endif
