/* Known answers for one TLB: cold misses, CR3 flushes, global entries, LRU. */
#include "check.h"
#include "tlb.h"

#define PAGE 4096

static const struct tlb_geometry dtlb = {.entries = 64, .ways = 4, .page_shift = 12};

static void cold_then_warm(void)
{
    struct tlb t;
    CHECK(tlb_init(&t, &dtlb));
    for (uint64_t i = 0; i < 40; i++)
        tlb_access(&t, 0x400000 + i * PAGE, false);
    CHECK_EQ(t.misses, 40);
    for (uint64_t i = 0; i < 40; i++)
        CHECK(tlb_access(&t, 0x400000 + i * PAGE + 123, false));
    CHECK_EQ(t.misses, 40);
    tlb_free(&t);
}

static void cr3_flush_keeps_only_global(void)
{
    struct tlb t;
    CHECK(tlb_init(&t, &dtlb));
    for (uint64_t i = 0; i < 8; i++)
        tlb_access(&t, 0x400000 + i * PAGE, false);  /* user pages */
    for (uint64_t i = 0; i < 4; i++)
        tlb_access(&t, 0x1000 + i * PAGE, true);     /* global (kernel) pages */
    CHECK_EQ(t.misses, 12);
    tlb_flush_non_global(&t);
    for (uint64_t i = 0; i < 4; i++)
        CHECK(tlb_access(&t, 0x1000 + i * PAGE, true));
    CHECK_EQ(t.misses, 12);
    for (uint64_t i = 0; i < 8; i++)
        CHECK(!tlb_access(&t, 0x400000 + i * PAGE, false));
    CHECK_EQ(t.misses, 20);
    tlb_flush_all(&t); /* global ones go too */
    CHECK(!tlb_access(&t, 0x1000, true));
    tlb_free(&t);
}

static void fully_associative_lru(void)
{
    struct tlb_geometry g = {.entries = 8, .ways = 0, .page_shift = 21};
    struct tlb t;
    CHECK(tlb_init(&t, &g));
    /* Pages 2 MiB apart: 8 cycle with cold misses only, 9 miss every time. */
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t i = 0; i < 8; i++)
            tlb_access(&t, i << 21, false);
    CHECK_EQ(t.misses, 8);
    uint64_t before = t.misses;
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t i = 0; i < 9; i++)
            tlb_access(&t, i << 21, false);
    CHECK_EQ(t.misses - before, 1 + 2 * 9); /* the 8 warm pages hit once, then all miss */
    /* Two addresses in one 2 MiB page: one entry. */
    tlb_flush_all(&t);
    before = t.misses;
    tlb_access(&t, 0x200000, false);
    tlb_access(&t, 0x3ff000, false);
    CHECK_EQ(t.misses - before, 1);
    tlb_free(&t);
}

static void set_conflicts(void)
{
    struct tlb t;
    CHECK(tlb_init(&t, &dtlb)); /* 16 sets of 4: pages 16 apart share a set */
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t i = 0; i < 5; i++)
            tlb_access(&t, i * 16 * PAGE, false);
    CHECK_EQ(t.misses, 15);
    tlb_free(&t);
}

static void geometry_validation(void)
{
    const char *why;
    CHECK(tlb_geometry_valid(&dtlb, &why));
    struct tlb_geometry g = {.entries = 48, .ways = 4, .page_shift = 12}; /* 12 sets */
    CHECK(!tlb_geometry_valid(&g, &why));
    g = (struct tlb_geometry){.entries = 8, .ways = 16, .page_shift = 12};
    CHECK(!tlb_geometry_valid(&g, &why));
    g = (struct tlb_geometry){.entries = 6, .ways = 0, .page_shift = 12}; /* fully assoc: fine */
    CHECK(tlb_geometry_valid(&g, &why));
}

void test_tlb(void)
{
    cold_then_warm();
    cr3_flush_keeps_only_global();
    fully_associative_lru();
    set_conflicts();
    geometry_validation();
}
