/*
 * One translation lookaside buffer for one page size: which virtual pages it holds a
 * translation for, LRU within a set, and which entries are global (survive a CR3
 * write). No physical addresses: a hit or miss is all the model needs.
 */
#ifndef IPCLAB_MODEL_TLB_H
#define IPCLAB_MODEL_TLB_H

#include <stdbool.h>
#include <stdint.h>

struct tlb_geometry {
    unsigned entries;
    unsigned ways;        /* 0 = fully associative (one set of `entries` ways) */
    unsigned page_shift;  /* 12 for 4 KiB pages, 21 for 2 MiB pages */
};

struct tlb_entry {
    uint64_t page;        /* virtual page number */
    bool global;
};

struct tlb {
    unsigned ways;
    unsigned page_shift;
    uint64_t set_mask;
    struct tlb_entry *entries; /* sets x ways, each set ordered most recent first */
    uint64_t accesses;
    uint64_t misses;
};

bool tlb_geometry_valid(const struct tlb_geometry *g, const char **why);
bool tlb_init(struct tlb *t, const struct tlb_geometry *g);
void tlb_free(struct tlb *t);

/* Translate vaddr: true on a hit. A miss fills the entry (as the page walk would),
 * marked global if `global` (the PTE's G bit, with CR4.PGE set). */
bool tlb_access(struct tlb *t, uint64_t vaddr, bool global);

/* What a CR3 write does without PCID: every entry goes except global ones. */
void tlb_flush_non_global(struct tlb *t);

/* Every entry goes, global ones too (as toggling CR4.PGE would). */
void tlb_flush_all(struct tlb *t);

#endif
