/*
 * The kernel never frees a frame: objects live as long as the run (a benchmark boot),
 * so a bump allocator is all the policy there is. Frames are identity mapped for the
 * kernel, so a frame's physical address is also a pointer to it.
 */
#include "frame.h"
#include "kernel.h"

static uint64_t next_frame;
static uint64_t frames_end;

void frame_init(uint64_t start, uint64_t end)
{
    next_frame = (start + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
    frames_end = end & ~(FRAME_SIZE - 1);
}

uint64_t frame_alloc(void)
{
    if (next_frame >= frames_end)
        return 0;
    uint64_t frame = next_frame;
    next_frame += FRAME_SIZE;
    memset((void *)(uintptr_t)frame, 0, FRAME_SIZE);
    return frame;
}

uint64_t frame_free_count(void)
{
    return (frames_end - next_frame) / FRAME_SIZE;
}
