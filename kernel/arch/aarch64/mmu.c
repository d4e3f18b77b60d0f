/*
 * Translation tables: 4 KiB granule, 39-bit virtual addresses in TTBR0_EL1 (three
 * levels, a level-1 entry covers 1 GiB), TTBR1 walks disabled. Every address space
 * starts with the kernel's two level-1 entries, global and EL1-only: the devices'
 * 2 MiB blocks in the first GiB and RAM identity mapped as one 1 GiB block from
 * 0x40000000, so the kernel reaches every frame by its physical address in any space.
 * User pages (4 KiB, non-global, tagged with the space's ASID) live from USER_BASE up.
 */
#include <arch/cpu.h>

#include "aarch64.h"
#include "arch_api.h"
#include "frame.h"
#include "kernel.h"
#include "space.h"

#define PTE_VALID (1ull << 0)
#define PTE_TABLE (3ull << 0)       /* a table at levels 1-2, a page at level 3 */
#define PTE_BLOCK (1ull << 0)
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_EL0 (1ull << 6)         /* AP[1]: EL0 may access */
#define PTE_RO (1ull << 7)          /* AP[2]: read-only */
#define PTE_SH_INNER (3ull << 8)
#define PTE_AF (1ull << 10)
#define PTE_NG (1ull << 11)
#define PTE_PXN (1ull << 53)
#define PTE_UXN (1ull << 54)
#define PTE_ADDR 0x0000fffffffff000ull

#define ATTR_DEVICE 0               /* MAIR attribute 0: Device-nGnRE */
#define ATTR_NORMAL 1               /* MAIR attribute 1: Normal, write-back */
#define MAIR_VALUE ((0x04ull << (8 * ATTR_DEVICE)) | (0xffull << (8 * ATTR_NORMAL)))

#define TCR_T0SZ (64 - 39)
#define TCR_IRGN0_WBWA (1ull << 8)
#define TCR_ORGN0_WBWA (1ull << 10)
#define TCR_SH0_INNER (3ull << 12)
#define TCR_EPD1 (1ull << 23)
#define TCR_IPS_SHIFT 32

#define SCTLR_M (1ull << 0)
#define SCTLR_C (1ull << 2)
#define SCTLR_SA (1ull << 3)
#define SCTLR_SA0 (1ull << 4)
#define SCTLR_I (1ull << 12)
#define SCTLR_RES1 0x30d00800ull    /* ARMv8.0 RES1 bits */

#define GIB (1ull << 30)
#define MIB2 (1ull << 21)
#define ASID_SHIFT 48
#define MAX_ASID 255                /* 8-bit ASIDs: TCR_EL1.AS = 0 */

#define KERNEL_DEVICE_FLAGS (PTE_BLOCK | PTE_ATTR(ATTR_DEVICE) | PTE_AF | PTE_PXN | PTE_UXN)
#define KERNEL_RAM_FLAGS (PTE_BLOCK | PTE_ATTR(ATTR_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_UXN)
#define USER_PAGE_FLAGS (PTE_TABLE | PTE_ATTR(ATTR_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_NG | \
                         PTE_EL0 | PTE_PXN)

static uint64_t boot_l1[512] __attribute__((aligned(4096)));
static uint64_t device_l2[512] __attribute__((aligned(4096)));
static bool asid_used[MAX_ASID + 1]; /* ASID 0: the boot tables, never handed out */

/* The lowest free ASID, or 0. A freed ASID's TLB entries went with its space. */
static uint64_t asid_alloc(void)
{
    for (uint64_t asid = 1; asid <= MAX_ASID; asid++) {
        if (!asid_used[asid]) {
            asid_used[asid] = true;
            return asid;
        }
    }
    return 0;
}

static uint64_t *table_at(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & PTE_ADDR);
}

void mmu_init(void)
{
    device_l2[VIRT_GICD_BASE / MIB2] = (VIRT_GICD_BASE & ~(MIB2 - 1)) | KERNEL_DEVICE_FLAGS;
    device_l2[VIRT_UART_BASE / MIB2] = (VIRT_UART_BASE & ~(MIB2 - 1)) | KERNEL_DEVICE_FLAGS;
    boot_l1[0] = (uint64_t)(uintptr_t)device_l2 | PTE_TABLE;
    boot_l1[VIRT_RAM_BASE / GIB] = VIRT_RAM_BASE | KERNEL_RAM_FLAGS;

    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    write_sysreg(mair_el1, MAIR_VALUE);
    write_sysreg(tcr_el1, TCR_T0SZ | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |
                          TCR_EPD1 | (parange << TCR_IPS_SHIFT));
    write_sysreg(ttbr0_el1, (uint64_t)(uintptr_t)boot_l1);
    __asm__ volatile("tlbi vmalle1\n dsb nsh\n isb" : : : "memory");
    write_sysreg(sctlr_el1, SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_SA0 | SCTLR_I);
    isb();
}

bool arch_space_init(struct arch_space *as)
{
    uint64_t asid = asid_alloc();
    uint64_t l1 = asid ? frame_alloc() : 0;
    if (!l1) {
        asid_used[asid] = false;
        return false;
    }
    uint64_t *table = table_at(l1);
    table[0] = boot_l1[0];
    table[VIRT_RAM_BASE / GIB] = boot_l1[VIRT_RAM_BASE / GIB];
    as->ttbr0 = l1 | (asid << ASID_SHIFT);
    return true;
}

/* Drop every TLB entry tagged with the space's ASID (or one page of them). */
static void tlb_flush(const struct arch_space *as, uint64_t vaddr, bool one_page)
{
    uint64_t asid = as->ttbr0 >> ASID_SHIFT;
    if (one_page)
        __asm__ volatile("dsb ishst\n tlbi vae1is, %0\n dsb ish\n isb"
                         : : "r"((asid << ASID_SHIFT) | ((vaddr >> 12) & 0xfffffffffffull))
                         : "memory");
    else
        __asm__ volatile("dsb ishst\n tlbi aside1is, %0\n dsb ish\n isb"
                         : : "r"(asid << ASID_SHIFT) : "memory");
}

/* The level-3 entry for vaddr, allocating missing tables when asked; NULL if absent. */
static uint64_t *walk(const struct arch_space *as, uint64_t vaddr, bool allocate)
{
    uint64_t *table = table_at(as->ttbr0);
    for (int shift = 30; shift > 12; shift -= 9) {
        uint64_t *entry = &table[(vaddr >> shift) & 511];
        if (!(*entry & PTE_VALID)) {
            if (!allocate)
                return NULL;
            uint64_t frame = frame_alloc();
            if (!frame)
                return NULL;
            dsb_ish(); /* the zeroed table is visible to the walker before it is linked */
            *entry = frame | PTE_TABLE;
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
    *pte = (paddr & PTE_ADDR) | USER_PAGE_FLAGS | (writable ? 0 : PTE_RO);
    /* The entry may replace an older one: drop it from the space's TLB entries. */
    tlb_flush(as, vaddr, true);
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
    tlb_flush(as, vaddr, true);
}

/* Level-2 and level-3 tables under the user's level-1 entries, then the level-1 table;
 * the kernel's two level-1 entries (devices, RAM) are shared and stay. */
void arch_space_destroy(struct arch_space *as)
{
    uint64_t *l1 = table_at(as->ttbr0);
    for (unsigned i = 0; i < 512; i++) {
        if (i == 0 || i == VIRT_RAM_BASE / GIB || !(l1[i] & PTE_VALID))
            continue;
        uint64_t *l2 = table_at(l1[i]);
        for (unsigned j = 0; j < 512; j++)
            if (l2[j] & PTE_VALID)
                frame_free((uint64_t)(uintptr_t)table_at(l2[j]));
        frame_free((uint64_t)(uintptr_t)l2);
    }
    tlb_flush(as, 0, false);
    asid_used[as->ttbr0 >> ASID_SHIFT] = false;
    frame_free((uint64_t)(uintptr_t)l1);
    as->ttbr0 = 0;
}

bool arch_lookup_page(const struct arch_space *as, uint64_t vaddr, uint64_t *paddr,
                      bool *writable)
{
    if (vaddr < USER_BASE || vaddr >= USER_TOP)
        return false;
    uint64_t *pte = walk(as, vaddr, false);
    if (!pte || !(*pte & PTE_VALID))
        return false;
    *paddr = *pte & PTE_ADDR;
    *writable = !(*pte & PTE_RO);
    return true;
}
