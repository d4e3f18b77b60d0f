/*
 * Physical page frames for page tables, UTCBs and user memory. Frames are identity
 * mapped for the kernel, so a frame's physical address is also a pointer to it.
 */
#ifndef IPCLAB_CORE_FRAME_H
#define IPCLAB_CORE_FRAME_H

#include <stdint.h>

#define FRAME_SIZE 4096ull

void frame_init(uint64_t start, uint64_t end);
/* A zeroed frame, or 0 when none is left. */
uint64_t frame_alloc(void);
/* Give back a frame no page table maps any more (a dead thread's UTCB, the page
 * tables of a destroyed space). */
void frame_free(uint64_t frame);
uint64_t frame_free_count(void);
/* Keep *counter equal to the number of free frames from now on (the kernel info page
 * shows it, so user code can see what an operation cost or leaked). */
void frame_publish_count(volatile uint64_t *counter);

#endif
