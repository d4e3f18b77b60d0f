/*
 * A riscv64 address space: the value its threads run with in satp, that is Sv39 mode,
 * the space's ASID and the physical page number of its root table (identity mapped).
 */
#ifndef IPCLAB_ARCH_RISCV64_SPACE_H
#define IPCLAB_ARCH_RISCV64_SPACE_H

#include <stdint.h>

struct arch_space {
    uint64_t satp;
};

#endif
