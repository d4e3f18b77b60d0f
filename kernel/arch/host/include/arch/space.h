/*
 * On the host an address space is a short table of page mappings (virtual page to
 * frame, writable or not), enough for the core's checked user-memory access and page
 * sharing to be tested; no hardware walks it and no user code runs in it.
 */
#ifndef IPCLAB_ARCH_HOST_SPACE_H
#define IPCLAB_ARCH_HOST_SPACE_H

#include <stdint.h>

#define HOST_SPACE_PAGES 2048  /* room for a long SYS_UNMAP with 1000 pages between points */

struct arch_space {
    uint64_t pages;                       /* how many entries below are used */
    uint64_t vaddr[HOST_SPACE_PAGES];
    uint64_t paddr[HOST_SPACE_PAGES];
    uint8_t writable[HOST_SPACE_PAGES];
};

#endif
