/*
 * TLB: the same recency-ordered sets as cache.c, keyed by virtual page number, with a
 * global bit per entry so a CR3 write can keep global pages.
 */
#include "tlb.h"

#include <stdlib.h>

#define EMPTY_PAGE UINT64_MAX

static bool is_power_of_two(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static unsigned ways_of(const struct tlb_geometry *g)
{
    return g->ways == 0 ? g->entries : g->ways;
}

bool tlb_geometry_valid(const struct tlb_geometry *g, const char **why)
{
    if (g->entries < 1 || g->entries > 65536) {
        *why = "entries must be 1 to 65536";
        return false;
    }
    unsigned ways = ways_of(g);
    if (ways > g->entries || g->entries % ways != 0 || !is_power_of_two(g->entries / ways)) {
        *why = "entries / ways must be a whole power of two number of sets (ways=0: fully associative)";
        return false;
    }
    if (g->page_shift < 12 || g->page_shift > 30) {
        *why = "page size must be 4 KiB to 1 GiB";
        return false;
    }
    return true;
}

bool tlb_init(struct tlb *t, const struct tlb_geometry *g)
{
    t->ways = ways_of(g);
    t->page_shift = g->page_shift;
    t->set_mask = g->entries / t->ways - 1;
    t->entries = malloc(g->entries * sizeof(t->entries[0]));
    t->accesses = 0;
    t->misses = 0;
    if (!t->entries)
        return false;
    tlb_flush_all(t);
    return true;
}

void tlb_free(struct tlb *t)
{
    free(t->entries);
    t->entries = NULL;
}

bool tlb_access(struct tlb *t, uint64_t vaddr, bool global)
{
    uint64_t page = vaddr >> t->page_shift;
    struct tlb_entry *set = &t->entries[(page & t->set_mask) * t->ways];
    t->accesses++;
    unsigned way = 0;
    while (way < t->ways && set[way].page != page)
        way++;
    bool hit = way < t->ways;
    struct tlb_entry entry = {.page = page, .global = global};
    if (hit) {
        entry = set[way];
    } else {
        t->misses++;
        way = t->ways - 1;
    }
    for (; way > 0; way--)
        set[way] = set[way - 1];
    set[0] = entry;
    return hit;
}

void tlb_flush_non_global(struct tlb *t)
{
    /* Keep the global entries of each set at its front, in their recency order. */
    for (uint64_t s = 0; s <= t->set_mask; s++) {
        struct tlb_entry *set = &t->entries[s * t->ways];
        unsigned kept = 0;
        for (unsigned w = 0; w < t->ways; w++)
            if (set[w].page != EMPTY_PAGE && set[w].global)
                set[kept++] = set[w];
        for (unsigned w = kept; w < t->ways; w++)
            set[w] = (struct tlb_entry){.page = EMPTY_PAGE, .global = false};
    }
}

void tlb_flush_all(struct tlb *t)
{
    uint64_t n = (t->set_mask + 1) * t->ways;
    for (uint64_t i = 0; i < n; i++)
        t->entries[i] = (struct tlb_entry){.page = EMPTY_PAGE, .global = false};
}
