/*
 * FPU=none: the FPU is denied to user threads: the kernel keeps no FPU state for them,
 * so none may be left in the registers for the next thread (or address space) to
 * read. With CR0.EM set, x87 and MMX instructions raise #NM; with CR4.OSFXSR clear,
 * SSE raises #UD; either way the thread is killed with a FAULT line, like any other
 * user fault. (Clearing the registers at every switch would also close the leak, but
 * costs every IPC an FXRSTOR-sized sequence for state no thread here uses.) FPU=lazy
 * (fpu_lazy.c) lets threads use it, with state saved on first use after a switch.
 */
#include <arch/cpu.h>

#include "x86.h"

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)

void fpu_init(void)
{
    uint64_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr0 = (cr0 | CR0_EM | CR0_MP) & ~CR0_TS;
    cr4 &= ~(CR4_OSFXSR | CR4_OSXMMEXCPT);
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
}

/* A #NM from user mode is a use of the denied FPU: the thread is killed. */
bool fpu_user_trap(void)
{
    return false;
}
