/* The interrupt controller: the virt board's GICv2, one CPU, every interrupt group 0. */
#include <arch/cpu.h>

#include "aarch64.h"

#define GICD_CTLR 0x000
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010

void gic_init(void)
{
    mmio_write32(VIRT_GICD_BASE + GICD_CTLR, 1);
    mmio_write32(VIRT_GICC_BASE + GICC_PMR, 0xff); /* let every priority through */
    mmio_write32(VIRT_GICC_BASE + GICC_CTLR, 1);
}

void gic_enable(unsigned intid)
{
    mmio_write32(VIRT_GICD_BASE + GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
}

void gic_disable(unsigned intid)
{
    mmio_write32(VIRT_GICD_BASE + GICD_ICENABLER + 4 * (intid / 32), 1u << (intid % 32));
}

uint32_t gic_acknowledge(void)
{
    return mmio_read32(VIRT_GICC_BASE + GICC_IAR);
}

void gic_end(uint32_t iar)
{
    mmio_write32(VIRT_GICC_BASE + GICC_EOIR, iar);
}
