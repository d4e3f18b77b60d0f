/* TCB=varray on the host: the region and its record of backed pages (see
 * include/arch/tcb_region.h). Unbacked pages read as zero, like the kernel's shared
 * zero page, since the array is zeroed at every init. */
#include "config.h"

#if CONFIG_TCB_VARRAY
#include <string.h>

#include <arch/tcb_region.h>

#include "frame.h"

#define REGION_BYTES ((uint64_t)CONFIG_THREADS << TCB_BLOCK_SHIFT)
#define REGION_PAGES (REGION_BYTES / TCB_PAGE_SIZE)

unsigned char host_tcb_region[REGION_BYTES] __attribute__((aligned(4096)));
static bool backed[REGION_PAGES];
static uint64_t frames[REGION_PAGES];

bool arch_tcb_region_init(uint64_t threads)
{
    if (threads > CONFIG_THREADS)
        return false;
    memset(host_tcb_region, 0, sizeof(host_tcb_region));
    memset(backed, 0, sizeof(backed));
    memset(frames, 0, sizeof(frames));
    return true;
}

bool arch_tcb_region_backed(uint64_t vaddr)
{
    return backed[(vaddr - TCB_REGION_BASE) / TCB_PAGE_SIZE];
}

bool arch_tcb_region_back(uint64_t vaddr)
{
    uint64_t page = (vaddr - TCB_REGION_BASE) / TCB_PAGE_SIZE;
    frames[page] = frame_alloc();       /* taken as the kernel would, so counts agree */
    if (!frames[page])
        return false;
    backed[page] = true;
    return true;
}

/* The block reads as zero again, as the kernel's zero page does. The host "frame" is
 * a frame_alloc()ed one of the unit tests' pool, kept here so that frame counts agree. */
uint64_t arch_tcb_region_unback(uint64_t vaddr)
{
    uint64_t page = (vaddr - TCB_REGION_BASE) / TCB_PAGE_SIZE;
    backed[page] = false;
    memset(host_tcb_region + page * TCB_PAGE_SIZE, 0, TCB_PAGE_SIZE);
    uint64_t frame = frames[page];
    frames[page] = 0;
    return frame;
}

/* The host keeps no page tables for it. */
uint64_t arch_tcb_region_table_pages(void)
{
    return 0;
}
#endif
