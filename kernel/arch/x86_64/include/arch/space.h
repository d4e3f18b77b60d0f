/* An x86_64 address space is its PML4 (a physical address, identity mapped). */
#ifndef IPCLAB_ARCH_X86_64_SPACE_H
#define IPCLAB_ARCH_X86_64_SPACE_H

#include <stdint.h>

struct arch_space {
    uint64_t pml4;
};

#endif
