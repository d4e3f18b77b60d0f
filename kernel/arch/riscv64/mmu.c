/*
 * Sv39 page tables (three levels, a root entry covers 1 GiB). Every address space
 * starts with the kernel's two root entries, global and supervisor-only: the devices'
 * gigabyte at 0 and RAM's at 0x80000000, identity mapped, so the kernel reaches every
 * frame by its physical address in any space. User pages (4 KiB, tagged with the
 * space's ASID) live from USER_BASE up.
 */
#include <arch/cpu.h>

#include "arch_api.h"
#include "frame.h"
#include "kernel.h"
#include "riscv.h"
#include "space.h"

#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_U (1ul << 4)
#define PTE_G (1ul << 5)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK (0xfffffffffffful << PTE_PPN_SHIFT)

#define SATP_SV39 (8ul << 60)
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK 0xfffful
#define SATP_PPN_MASK 0xffffffffffful

#define GIB (1ul << 30)
#define KERNEL_DEVICE_FLAGS (PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D)
#define KERNEL_RAM_FLAGS (PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)
#define USER_PAGE_FLAGS (PTE_V | PTE_R | PTE_X | PTE_U | PTE_A | PTE_D)

static uint64_t boot_root[512] __attribute__((aligned(4096)));
static uint64_t max_asid;
#define ASID_LIMIT 256               /* ASIDs this kernel hands out (fewer if the hart has) */
static bool asid_used[ASID_LIMIT];   /* ASID 0: the boot tables, never handed out */

/* The lowest free ASID, or 0. A freed ASID's translations went with its space. */
static uint64_t asid_alloc(void)
{
    for (uint64_t asid = 1; asid < ASID_LIMIT && asid <= max_asid; asid++) {
        if (!asid_used[asid]) {
            asid_used[asid] = true;
            return asid;
        }
    }
    return 0;
}

static uint64_t pte_of(uint64_t paddr, uint64_t flags)
{
    return (paddr >> 12) << PTE_PPN_SHIFT | flags;
}

static uint64_t *table_at(uint64_t pte)
{
    return (uint64_t *)(uintptr_t)(((pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << 12);
}

static uint64_t satp_of(uint64_t root, uint64_t asid)
{
    return SATP_SV39 | asid << SATP_ASID_SHIFT | root >> 12;
}

void mmu_init(void)
{
    boot_root[0] = pte_of(0, KERNEL_DEVICE_FLAGS);
    boot_root[VIRT_RAM_BASE / GIB] = pte_of(VIRT_RAM_BASE, KERNEL_RAM_FLAGS);
    /* How many ASID bits this hart has: the bits of an all-ones ASID that stick. */
    uint64_t root = (uint64_t)(uintptr_t)boot_root;
    csr_write(satp, satp_of(root, SATP_ASID_MASK));
    max_asid = (csr_read(satp) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
    csr_write(satp, satp_of(root, 0));
    __asm__ volatile("sfence.vma zero, zero" : : : "memory");
}

bool arch_space_init(struct arch_space *as)
{
    uint64_t asid = asid_alloc();
    uint64_t root = asid ? frame_alloc() : 0;
    if (!root) {
        asid_used[asid] = false;
        return false;
    }
    uint64_t *table = (uint64_t *)(uintptr_t)root;
    table[0] = boot_root[0];
    table[VIRT_RAM_BASE / GIB] = boot_root[VIRT_RAM_BASE / GIB];
    as->satp = satp_of(root, asid);
    return true;
}

static uint64_t asid_of(const struct arch_space *as)
{
    return (as->satp >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
}

/* The leaf entry for vaddr, allocating missing tables when asked; NULL if absent. */
static uint64_t *walk(const struct arch_space *as, uint64_t vaddr, bool allocate)
{
    uint64_t *table = (uint64_t *)(uintptr_t)((as->satp & SATP_PPN_MASK) << 12);
    for (int shift = 30; shift > 12; shift -= 9) {
        uint64_t *entry = &table[(vaddr >> shift) & 511];
        if (!(*entry & PTE_V)) {
            if (!allocate)
                return NULL;
            uint64_t frame = frame_alloc();
            if (!frame)
                return NULL;
            *entry = pte_of(frame, PTE_V);
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
    *pte = pte_of(paddr, USER_PAGE_FLAGS | (writable ? PTE_W : 0));
    /* The entry may replace an older one: drop it from the space's translations. */
    __asm__ volatile("sfence.vma %0, %1" : : "r"(vaddr), "r"(asid_of(as)) : "memory");
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
    __asm__ volatile("sfence.vma %0, %1" : : "r"(vaddr), "r"(asid_of(as)) : "memory");
}

/* The user's middle and leaf tables, then the root; the kernel's two root entries
 * (devices, RAM) are shared and stay. */
void arch_space_destroy(struct arch_space *as)
{
    uint64_t *root = (uint64_t *)(uintptr_t)((as->satp & SATP_PPN_MASK) << 12);
    for (unsigned i = 0; i < 512; i++) {
        if (i == 0 || i == VIRT_RAM_BASE / GIB || !(root[i] & PTE_V))
            continue;
        uint64_t *mid = table_at(root[i]);
        for (unsigned j = 0; j < 512; j++)
            if (mid[j] & PTE_V)
                frame_free((uint64_t)(uintptr_t)table_at(mid[j]));
        frame_free((uint64_t)(uintptr_t)mid);
    }
    __asm__ volatile("sfence.vma zero, %0" : : "r"(asid_of(as)) : "memory");
    asid_used[asid_of(as)] = false;
    frame_free((uint64_t)(uintptr_t)root);
    as->satp = 0;
}

bool arch_lookup_page(const struct arch_space *as, uint64_t vaddr, uint64_t *paddr,
                      bool *writable)
{
    if (vaddr < USER_BASE || vaddr >= USER_TOP)
        return false;
    uint64_t *pte = walk(as, vaddr, false);
    if (!pte || !(*pte & PTE_V))
        return false;
    *paddr = (uint64_t)(uintptr_t)table_at(*pte);
    *writable = *pte & PTE_W;
    return true;
}
