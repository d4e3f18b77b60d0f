/* Physical page frames for page tables, UTCBs and user memory: a bump allocator. */
#ifndef IPCLAB_CORE_FRAME_H
#define IPCLAB_CORE_FRAME_H

#include <stdint.h>

#define FRAME_SIZE 4096ull

void frame_init(uint64_t start, uint64_t end);
/* A zeroed frame (its address is also the kernel's pointer to it), or 0 when none. */
uint64_t frame_alloc(void);
uint64_t frame_free_count(void);

#endif
