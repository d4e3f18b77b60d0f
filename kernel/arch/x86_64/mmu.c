/*
 * Four-level page tables for user address spaces. Every space shares the kernel's
 * identity map of the first 1 GiB (supervisor-only 2 MiB pages, set up by boot.S);
 * user pages (4 KiB) live from USER_BASE up to USER_TOP.
 */
#include <arch/cpu.h>
#include <arch/tcb_region.h>

#include "arch_api.h"
#include "frame.h"
#include "kernel.h"
#include "space.h"
#include "x86.h"

#define PTE_PRESENT 0x001ull
#define PTE_WRITE 0x002ull
#define PTE_USER 0x004ull
#define PTE_ADDR 0x000ffffffffff000ull

extern uint64_t boot_pml4[512];

static uint64_t *table_at(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & PTE_ADDR);
}

bool arch_space_init(struct arch_space *as)
{
    uint64_t pml4 = frame_alloc();
    uint64_t pdpt = frame_alloc();
    if (!pml4 || !pdpt)
        return false;
    /* Slot 0 of the PDPT is the kernel's gigabyte, shared and supervisor-only; under
     * KPTI only its skim window (kpti.c). */
#if CONFIG_KPTI_ON
    table_at(pdpt)[0] = kpti_user_pdpt0();
#else
    uint64_t *boot_pdpt = table_at(boot_pml4[0]);
    table_at(pdpt)[0] = boot_pdpt[0];
#endif
    table_at(pml4)[0] = pdpt | PTE_PRESENT | PTE_WRITE | PTE_USER;
#if CONFIG_TCB_VARRAY && !CONFIG_KPTI_ON
    /* The virtual TCB array (tcb_region.c), shared, supervisor-only: the kernel runs
     * on this space's page tables. (Under KPTI only the kernel's own map it.) */
    table_at(pml4)[TCB_REGION_PML4_SLOT] = boot_pml4[TCB_REGION_PML4_SLOT];
#endif
    as->pml4 = pml4;
    return true;
}

/* The page-table entry for vaddr, allocating missing tables when asked; NULL if absent. */
static uint64_t *walk(const struct arch_space *as, uint64_t vaddr, bool allocate)
{
    uint64_t *table = table_at(as->pml4);
    for (int shift = 39; shift > 12; shift -= 9) {
        uint64_t *entry = &table[(vaddr >> shift) & 511];
        if (!(*entry & PTE_PRESENT)) {
            if (!allocate)
                return NULL;
            uint64_t frame = frame_alloc();
            if (!frame)
                return NULL;
            *entry = frame | PTE_PRESENT | PTE_WRITE | PTE_USER;
        }
        table = table_at(*entry);
    }
    return &table[(vaddr >> 12) & 511];
}

bool arch_map_page(struct arch_space *as, uint64_t vaddr, uint64_t paddr, bool writable)
{
    if (vaddr < USER_BASE || vaddr >= USER_TOP)
        return false;
    uint64_t *pte = walk(as, vaddr, true);
    if (!pte)
        return false;
    *pte = (paddr & PTE_ADDR) | PTE_PRESENT | PTE_USER | (writable ? PTE_WRITE : 0);
    __asm__ volatile("invlpg (%0)" : : "r"(vaddr) : "memory");
    return true;
}

void arch_unmap_page(struct arch_space *as, uint64_t vaddr)
{
    if (vaddr < USER_BASE || vaddr >= USER_TOP)
        return;
    uint64_t *pte = walk(as, vaddr, false);
    if (!pte)
        return;
    *pte = 0;
    __asm__ volatile("invlpg (%0)" : : "r"(vaddr) : "memory");
}

/* The tables under one entry of level `level` (3 = PDPT ... 1 = page table), freed
 * bottom up. */
static void free_tables(uint64_t table, int level)
{
    uint64_t *entries = table_at(table);
    for (int i = 0; level > 1 && i < 512; i++)
        if (entries[i] & PTE_PRESENT)
            free_tables(entries[i] & PTE_ADDR, level - 1);
    frame_free(table & PTE_ADDR);
}

void arch_space_destroy(struct arch_space *as)
{
    uint64_t *pml4 = table_at(as->pml4);
    uint64_t *pdpt0 = table_at(pml4[0]);
    /* PDPT slot 0 is the kernel's gigabyte (or skim window), shared by every space:
     * never freed. */
    pdpt0[0] = 0;
#if CONFIG_TCB_VARRAY && !CONFIG_KPTI_ON
    pml4[TCB_REGION_PML4_SLOT] = 0;     /* shared too */
#endif
    for (int i = 0; i < 512; i++)
        if (pml4[i] & PTE_PRESENT)
            free_tables(pml4[i] & PTE_ADDR, 3);
    frame_free(as->pml4);
    as->pml4 = 0;
}

bool arch_lookup_page(const struct arch_space *as, uint64_t vaddr, uint64_t *paddr,
                      bool *writable)
{
    if (vaddr < USER_BASE || vaddr >= USER_TOP)
        return false;
    uint64_t *pte = walk(as, vaddr, false);
    if (!pte || !(*pte & PTE_PRESENT))
        return false;
    *paddr = *pte & PTE_ADDR;
    *writable = *pte & PTE_WRITE;
    return true;
}
