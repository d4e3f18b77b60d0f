/*
 * Frames come from a bump pointer over the free memory at boot, and go back to a free
 * list when the object that owned them dies; a freed frame is taken again before the
 * bump pointer moves. Create/destroy cycles therefore cost no memory for good, and
 * everything the kernel hands out is zeroed, whichever way it came.
 */
#include "frame.h"
#include "kernel.h"

static uint64_t next_frame;
static uint64_t frames_end;
static uint64_t free_list;      /* first free frame; each holds the next one's address */
static uint64_t free_listed;
static volatile uint64_t *published;

static void publish(void)
{
    if (published)
        *published = frame_free_count();
}

void frame_init(uint64_t start, uint64_t end)
{
    next_frame = (start + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
    frames_end = end & ~(FRAME_SIZE - 1);
    free_list = 0;
    free_listed = 0;
    published = 0;
}

uint64_t frame_alloc(void)
{
    uint64_t frame;
    if (free_list) {
        frame = free_list;
        free_list = *(uint64_t *)(uintptr_t)frame;
        free_listed--;
    } else if (next_frame < frames_end) {
        frame = next_frame;
        next_frame += FRAME_SIZE;
    } else {
        return 0;
    }
    memset((void *)(uintptr_t)frame, 0, FRAME_SIZE);
    publish();
    return frame;
}

void frame_free(uint64_t frame)
{
    ASSERT(frame && !(frame & (FRAME_SIZE - 1)) && frame < frames_end);
    *(uint64_t *)(uintptr_t)frame = free_list;
    free_list = frame;
    free_listed++;
    publish();
}

uint64_t frame_free_count(void)
{
    return (frames_end - next_frame) / FRAME_SIZE + free_listed;
}

void frame_publish_count(volatile uint64_t *counter)
{
    published = counter;
    publish();
}
