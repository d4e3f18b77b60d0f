/* TCB=varray: the virtual TCB array's pages (tcb_varray.h); the region's page tables
 * are the architecture's (arch/<arch>/tcb_region.c, arch_tcb_region_*). A number's
 * page is taken when a thread takes the number and given back when it dies. */
#include "tcb_store.h"

#include "frame.h"
#include "kernel.h"

static uint64_t pages_mapped;

void tcb_store_init(void)
{
    if (!arch_tcb_region_init(MAX_THREADS))
        panic("no memory for the virtual TCB array's page tables");
    pages_mapped = 0;
}

bool tcb_prepare(uint64_t number)
{
    uint64_t block = (uint64_t)(uintptr_t)tcb_at(number);
    for (uint64_t page = block; page < block + TCB_BLOCK_SIZE; page += TCB_PAGE_SIZE) {
        if (arch_tcb_region_backed(page))
            continue;
        if (!arch_tcb_region_back(page))
            return false;
        pages_mapped++;
    }
    *tcb_stack_canary(tcb_at(number)) = TCB_STACK_CANARY;
    return true;
}

void tcb_release(uint64_t number)
{
    uint64_t block = (uint64_t)(uintptr_t)tcb_at(number);
    for (uint64_t page = block; page < block + TCB_BLOCK_SIZE; page += TCB_PAGE_SIZE) {
        if (arch_tcb_region_backed(page)) {
            frame_free(arch_tcb_region_unback(page));
            pages_mapped--;
        }
    }
}

uint64_t tcb_store_bytes(void)
{
    return (pages_mapped + arch_tcb_region_table_pages()) * TCB_PAGE_SIZE;
}
