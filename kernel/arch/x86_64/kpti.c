/*
 * KPTI=on: user page tables map only the skim window of the kernel (include/arch/
 * skim.h), the kernel runs on its own (boot_pml4, the full identity map of the first
 * GiB). Every space's PDPT slot 0, which without KPTI shares the kernel's page
 * directory, points to the skim page directory instead: one page table mapping the
 * window's pages, supervisor-only, at their kernel addresses, so the entry code keeps
 * running across its CR3 write. The kernel reaches user memory only through frames
 * (identity mapped), never through user addresses, so it needs no user mapping.
 *
 * The exit CR3 is kept here: arch_switch_space() (include/arch/inline.h) only records
 * the next thread's page tables, and the exit path of syscall_entry.S loads them.
 */
#include <arch/cpu.h>

#include "kernel.h"
#include "x86.h"

#define PTE_PRESENT 0x001ull
#define PTE_WRITE 0x002ull
#define PAGE 4096ull
#define LARGE_PAGE (2ull << 20)

extern char __skim_start[], __skim_end[];
extern char kernel_stack_top[], __bss_start[];

static uint64_t skim_pd[512] __attribute__((aligned(4096)));
static uint64_t skim_pt[512] __attribute__((aligned(4096)));

/* The user page tables the next exit to user mode loads. */
uint64_t kpti_user_cr3;

void kpti_init(void)
{
    uint64_t start = (uint64_t)(uintptr_t)__skim_start, end = (uint64_t)(uintptr_t)__skim_end;
    if (end > LARGE_PAGE || start >= end)
        panic("KPTI: the skim window %lx..%lx is not in the first 2 MiB", start, end);
    /* What the window exists to hide must lie outside it: the kernel's data and
     * stack, every TCB and page table (all in .bss or in frames above the image). */
    uint64_t stack = (uint64_t)(uintptr_t)kernel_stack_top;
    if ((uint64_t)(uintptr_t)__bss_start < end || (stack > start && stack - 1 < end))
        panic("KPTI: kernel data inside the skim window %lx..%lx", start, end);
    for (uint64_t page = start; page < end; page += PAGE)
        skim_pt[page / PAGE] = page | PTE_PRESENT | PTE_WRITE;
    skim_pd[0] = (uint64_t)(uintptr_t)skim_pt | PTE_PRESENT | PTE_WRITE;
}

uint64_t kpti_user_pdpt0(void)
{
    return (uint64_t)(uintptr_t)skim_pd | PTE_PRESENT | PTE_WRITE;
}
