/*
 * An aarch64 address space: the value its threads run with in TTBR0_EL1, that is the
 * physical address of its level-1 table (identity mapped) and its ASID in bits 63:48.
 */
#ifndef IPCLAB_ARCH_AARCH64_SPACE_H
#define IPCLAB_ARCH_AARCH64_SPACE_H

#include <stdint.h>

struct arch_space {
    uint64_t ttbr0;
};

#endif
