/*
 * kmain: the first C code. Turns the MMU on, brings up the machine (console, PMU
 * counter, interrupt controller, timer), reads the device tree QEMU left at the start
 * of RAM (boot command line, memory size), and hands over to the portable
 * kernel_start().
 */
#include <arch/cpu.h>

#include <ipclab/abi.h>

#include "aarch64.h"
#include "boot.h"
#include "fdt.h"
#include "kernel.h"

#define DTB_ADDRESS VIRT_RAM_BASE
#define KERNEL_MAPPED_END (VIRT_RAM_BASE + (1ull << 30)) /* mmu.c maps 1 GiB of RAM */

extern char __kernel_end[];
extern const char user_image_start[], user_image_end[];

static char cmdline[KIP_CMDLINE];

noreturn void kmain(void);

/* The end of the RAM bank at VIRT_RAM_BASE, from the device tree's memory node. */
static uint64_t ram_end(const void *dtb)
{
    uint32_t len;
    const void *ac = fdt_property(dtb, "", "#address-cells", &len);
    const void *sc = fdt_property(dtb, "", "#size-cells", &len);
    const void *reg = fdt_property(dtb, "memory", "reg", &len);
    if (!ac || !sc || !reg)
        panic("the device tree has no memory node");
    uint32_t a = (uint32_t)fdt_cells(ac, 1), s = (uint32_t)fdt_cells(sc, 1);
    uint64_t base = fdt_cells(reg, a);
    uint64_t size = fdt_cells((const uint8_t *)reg + 4 * a, s);
    if (base != VIRT_RAM_BASE)
        panic("RAM at %lx, expected %lx", base, VIRT_RAM_BASE);
    return base + size;
}

noreturn void kmain(void)
{
    mmu_init();
    serial_init();
    pmu_init();
    fpu_deny();
    gic_init();
    timer_init();
    const void *dtb = (const void *)(uintptr_t)DTB_ADDRESS;
    if (!fdt_valid(dtb))
        panic("no device tree at %lx", DTB_ADDRESS);
    uint32_t len;
    const char *bootargs = fdt_property(dtb, "chosen", "bootargs", &len);
    if (bootargs)
        strlcpy_k(cmdline, bootargs, sizeof(cmdline));
    uint64_t end = ram_end(dtb);

    struct boot_info bi = {
        .free_start = (uint64_t)(uintptr_t)__kernel_end,
        .free_end = end < KERNEL_MAPPED_END ? end : KERNEL_MAPPED_END,
        .user_image = user_image_start,
        .user_image_size = (uint64_t)(user_image_end - user_image_start),
        .cmdline = cmdline,
        .counter = "pmccntr_el0",
    };
    kernel_start(&bi);
}
