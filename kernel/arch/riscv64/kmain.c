/*
 * kmain: the first C code. Turns paging on, brings up the machine (console, user
 * counters, SBI timer), reads the device tree OpenSBI passed (boot command line,
 * memory size, timer frequency), and hands over to the portable kernel_start().
 */
#include <arch/cpu.h>

#include <ipclab/abi.h>

#include "boot.h"
#include "fdt.h"
#include "kernel.h"
#include "riscv.h"

#define KERNEL_MAPPED_END (VIRT_RAM_BASE + (1ul << 30)) /* mmu.c maps 1 GiB of RAM */
#define PAGE_MASK 0xffful

extern char __kernel_end[];
extern const char user_image_start[], user_image_end[];

static char cmdline[KIP_CMDLINE];

noreturn void kmain(const void *dtb);

static uint64_t property_cells(const void *dtb, const char *node, const char *prop,
                               uint32_t cells)
{
    uint32_t len;
    const void *p = fdt_property(dtb, node, prop, &len);
    if (!p || len < 4 * cells)
        panic("the device tree has no %s %s", node[0] ? node : "/", prop);
    return fdt_cells(p, cells);
}

noreturn void kmain(const void *dtb)
{
    mmu_init();
    serial_init();
    counters_init();
    fpu_deny();
    if (!fdt_valid(dtb))
        panic("no device tree at %p", dtb);
    uint32_t len;
    const char *bootargs = fdt_property(dtb, "chosen", "bootargs", &len);
    if (bootargs)
        strlcpy_k(cmdline, bootargs, sizeof(cmdline));
    uint32_t a = (uint32_t)property_cells(dtb, "", "#address-cells", 1);
    uint32_t s = (uint32_t)property_cells(dtb, "", "#size-cells", 1);
    const uint8_t *reg = fdt_property(dtb, "memory", "reg", &len);
    if (!reg || len < 4 * (a + s))
        panic("the device tree has no memory node");
    uint64_t base = fdt_cells(reg, a), end = base + fdt_cells(reg + 4 * a, s);
    if (base != VIRT_RAM_BASE)
        panic("RAM at %lx, expected %lx", base, VIRT_RAM_BASE);
    timer_init(property_cells(dtb, "cpus", "timebase-frequency", 1));

    /* Frames stop below the device tree (QEMU puts it near the end of RAM). */
    uint64_t free_end = end < KERNEL_MAPPED_END ? end : KERNEL_MAPPED_END;
    uint64_t tree = (uint64_t)(uintptr_t)dtb;
    if (tree > (uint64_t)(uintptr_t)__kernel_end && tree < free_end)
        free_end = tree & ~PAGE_MASK;
    struct boot_info bi = {
        .free_start = (uint64_t)(uintptr_t)__kernel_end,
        .free_end = free_end,
        .user_image = user_image_start,
        .user_image_size = (uint64_t)(user_image_end - user_image_start),
        .cmdline = cmdline,
        .counter = "instret",
    };
    kernel_start(&bi);
}
