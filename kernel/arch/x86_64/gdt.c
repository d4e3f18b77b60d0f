/*
 * Segments and the TSS. The descriptor order is the one SYSCALL/SYSRET impose
 * (kernel code, kernel data; then user data before user code); the TSS supplies the
 * kernel stack for interrupts taken in user mode.
 */
#include <arch/cpu.h>
#include <arch/skim.h>

#include "x86.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp0, rsp1, rsp2;
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

/* The CPU reads both when a trap enters the kernel, so under KPTI they lie in the
 * skim window (include/arch/skim.h). */
static struct tss tss SKIM_DATA;
static uint64_t gdt[7] SKIM_DATA;

/* Where a trap from user mode lands: the kernel stack, or the trap stack. */
#if TRAP_STACK_SEPARATE
extern char trap_stack_top[];
#define USER_TRAP_STACK trap_stack_top
#else
extern char kernel_stack_top[];
#define USER_TRAP_STACK kernel_stack_top
#endif

void gdt_init(void)
{
    gdt[0] = 0;
    gdt[1] = 0x00209A0000000000ull; /* 0x08 kernel code, 64-bit */
    gdt[2] = 0x0000920000000000ull; /* 0x10 kernel data */
    gdt[3] = 0x0000F20000000000ull; /* 0x18 user data, DPL 3 */
    gdt[4] = 0x0020FA0000000000ull; /* 0x20 user code, 64-bit, DPL 3 */

    tss.rsp0 = (uint64_t)(uintptr_t)USER_TRAP_STACK;
    tss.iomap_base = sizeof(tss); /* no I/O bitmap: user port access faults */
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint64_t limit = sizeof(tss) - 1;
    gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             ((limit & 0xf0000) << 32) | ((base & 0xff000000) << 32);
    gdt[6] = base >> 32;

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = {sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt};

    __asm__ volatile(
        "lgdt %0\n"
        "pushq %1\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "movw %w2, %%ax\n"
        "movw %%ax, %%ds\n"
        "movw %%ax, %%es\n"
        "movw %%ax, %%ss\n"
        "ltr %w3\n"
        :
        : "m"(gdtr), "i"(SEL_KERNEL_CODE), "r"(SEL_KERNEL_DATA), "r"(SEL_TSS)
        : "rax", "memory");
}
