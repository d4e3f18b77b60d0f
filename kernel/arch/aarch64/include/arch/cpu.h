/*
 * Thin wrappers over aarch64 system-register access and barriers the kernel needs.
 * Nothing here makes policy.
 */
#ifndef IPCLAB_ARCH_AARCH64_CPU_H
#define IPCLAB_ARCH_AARCH64_CPU_H

#include <stdint.h>

#define read_sysreg(name) ({                                                       \
    uint64_t value_;                                                                \
    __asm__ volatile("mrs %0, " #name : "=r"(value_));                              \
    value_;                                                                         \
})

#define write_sysreg(name, value) \
    __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(value)) : "memory")

static inline void isb(void)
{
    __asm__ volatile("isb" : : : "memory");
}

static inline void dsb_ish(void)
{
    __asm__ volatile("dsb ish" : : : "memory");
}

static inline void mmio_write32(uint64_t addr, uint32_t value)
{
    *(volatile uint32_t *)(uintptr_t)addr = value;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
    return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void halt_forever(void)
{
    for (;;)
        __asm__ volatile("msr daifset, #0xf; wfi");
}

#endif
