/*
 * TCB=varray on x86_64: the page tables of the virtual TCB array (include/arch/
 * tcb_region.h). At boot: a PDPT for PML4 slot 511 in the kernel's page tables
 * (boot_pml4, which every space copies, mmu.c), one page directory, and as many page
 * tables as the region needs, every entry mapping one zero frame, present and
 * read-only, supervisor-only. CR0.WP is set (boot.S), so a kernel write to a block no
 * thread has faults, and a read finds a free TCB. tcb_prepare() gives a block a frame
 * of its own when a thread takes its number, tcb_release() takes it back.
 */
#include <arch/tcb_region.h>

#include "frame.h"
#include "kernel.h"

#define PTE_PRESENT 0x001ull
#define PTE_WRITE 0x002ull
#define PTE_ADDR 0x000ffffffffff000ull
#define ENTRIES 512

extern uint64_t boot_pml4[ENTRIES];

static uint64_t zero_frame;
static uint64_t *page_tables[ENTRIES];   /* the page directory's tables, by PD slot */
static uint64_t table_pages;

static uint64_t *table_at(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & PTE_ADDR);
}

bool arch_tcb_region_init(uint64_t threads)
{
    uint64_t bytes = threads << TCB_BLOCK_SHIFT;
    uint64_t tables = (bytes + (2ull << 20) - 1) >> 21;
    uint64_t pdpt = frame_alloc(), pd = frame_alloc();
    zero_frame = frame_alloc();
    if (!pdpt || !pd || !zero_frame || tables > ENTRIES)
        return false;
    table_pages = 3;
    for (uint64_t i = 0; i < tables; i++) {
        uint64_t pt = frame_alloc();
        if (!pt)
            return false;
        table_pages++;
        page_tables[i] = table_at(pt);
        for (unsigned j = 0; j < ENTRIES; j++)
            page_tables[i][j] = zero_frame | PTE_PRESENT;
        table_at(pd)[i] = pt | PTE_PRESENT | PTE_WRITE;
    }
    /* The region's first 1 GiB: PDPT slot (base >> 30) & 511. */
    table_at(pdpt)[(TCB_REGION_BASE >> 30) & (ENTRIES - 1)] = pd | PTE_PRESENT | PTE_WRITE;
    boot_pml4[TCB_REGION_PML4_SLOT] = pdpt | PTE_PRESENT | PTE_WRITE;
    return true;
}

static uint64_t *region_pte(uint64_t vaddr)
{
    uint64_t offset = vaddr - TCB_REGION_BASE;
    return &page_tables[offset >> 21][(offset >> 12) & (ENTRIES - 1)];
}

bool arch_tcb_region_backed(uint64_t vaddr)
{
    return (*region_pte(vaddr) & PTE_ADDR) != zero_frame;
}

bool arch_tcb_region_back(uint64_t vaddr)
{
    uint64_t frame = frame_alloc();
    if (!frame)
        return false;
    *region_pte(vaddr) = frame | PTE_PRESENT | PTE_WRITE;
    __asm__ volatile("invlpg (%0)" : : "r"(vaddr) : "memory");
    return true;
}

uint64_t arch_tcb_region_unback(uint64_t vaddr)
{
    uint64_t frame = *region_pte(vaddr) & PTE_ADDR;
    *region_pte(vaddr) = zero_frame | PTE_PRESENT;
    __asm__ volatile("invlpg (%0)" : : "r"(vaddr) : "memory");
    return frame;
}

uint64_t arch_tcb_region_table_pages(void)
{
    return table_pages;
}
