/*
 * kmain: the first C code. Brings up the x86_64 machine (console, segments, traps,
 * SYSCALL, timer), reads the multiboot information, and hands over to the portable
 * kernel_start().
 */
#include <arch/cpu.h>

#include <ipclab/abi.h>

#include "boot.h"
#include "kernel.h"
#include "x86.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
/* boot.S maps the first 1 GiB; its last 2 MiB are the local APIC's window (lapic.c). */
#define KERNEL_MAPPED_END LAPIC_WINDOW

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
};

extern char __kernel_end[];
extern const char user_image_start[], user_image_end[];

static char cmdline[KIP_CMDLINE];

noreturn void kmain(uint32_t magic, uint32_t info_addr);

noreturn void kmain(uint32_t magic, uint32_t info_addr)
{
    serial_init();
    gdt_init();
    idt_init();
    syscall_init();
    fpu_init();
    kpti_init();
    timer_init();
    lapic_init();
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        panic("not started by a multiboot loader (magic %x)", magic);
    const struct multiboot_info *mb = (const void *)(uintptr_t)info_addr;
    if (!(mb->flags & MB_INFO_MEMORY))
        panic("the boot loader gave no memory size");
    if (mb->flags & MB_INFO_CMDLINE)
        strlcpy_k(cmdline, (const char *)(uintptr_t)mb->cmdline, sizeof(cmdline));

    uint64_t ram_end = ((uint64_t)mb->mem_upper + 1024) * 1024;
    struct boot_info bi = {
        .free_start = (uint64_t)(uintptr_t)__kernel_end,
        .free_end = ram_end < KERNEL_MAPPED_END ? ram_end : KERNEL_MAPPED_END,
        .user_image = user_image_start,
        .user_image_size = (uint64_t)(user_image_end - user_image_start),
        .cmdline = cmdline,
        .counter = "tsc",
    };
    kernel_start(&bi);
}
