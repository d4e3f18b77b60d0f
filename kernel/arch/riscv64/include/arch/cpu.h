/*
 * Thin wrappers over riscv64 CSR access and memory-mapped I/O the kernel needs.
 * Nothing here makes policy.
 */
#ifndef IPCLAB_ARCH_RISCV64_CPU_H
#define IPCLAB_ARCH_RISCV64_CPU_H

#include <stdint.h>

#define csr_read(name) ({                                                          \
    uint64_t value_;                                                                \
    __asm__ volatile("csrr %0, " #name : "=r"(value_));                             \
    value_;                                                                         \
})

#define csr_write(name, value) \
    __asm__ volatile("csrw " #name ", %0" : : "r"((uint64_t)(value)) : "memory")

#define csr_set(name, bits) \
    __asm__ volatile("csrs " #name ", %0" : : "r"((uint64_t)(bits)) : "memory")
#define csr_clear(name, bits) \
    __asm__ volatile("csrc " #name ", %0" : : "r"((uint64_t)(bits)) : "memory")

static inline void mmio_write8(uint64_t addr, uint8_t value)
{
    *(volatile uint8_t *)(uintptr_t)addr = value;
}

static inline uint8_t mmio_read8(uint64_t addr)
{
    return *(volatile uint8_t *)(uintptr_t)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t value)
{
    *(volatile uint32_t *)(uintptr_t)addr = value;
}

static inline void halt_forever(void)
{
    for (;;)
        __asm__ volatile("csrw sie, zero; wfi");
}

#endif
