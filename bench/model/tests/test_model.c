/* Known answers for the hierarchy: which level misses (L1, L2, L3), CR3 and global
 * pages, large pages, flushes, and the cycle formula. */
#include <string.h>

#include "check.h"
#include "model.h"

#define LINE 64
#define PAGE 4096
#define USER 0x40000000ull /* first user address: kernel_end of the defaults */

static void init(struct model *m, const struct model_params *p)
{
    char err[512];
    CHECK(model_init(m, p, err, sizeof(err)));
}

static struct model_params defaults(void)
{
    struct model_params p;
    params_defaults(&p);
    return p;
}

static void cold_lines_then_warm(void)
{
    struct model_params p = defaults();
    struct model m;
    init(&m, &p);
    model_cr3_write(&m); /* paging on */
    /* 64 lines = one 4 KiB user page; physical address elsewhere. */
    for (uint64_t i = 0; i < 64; i++)
        model_data(&m, USER + i * LINE, 0x200000 + i * LINE, 8);
    struct model_counters c;
    model_counters(&m, &c);
    CHECK_EQ(c.l1d_misses, 64);
    CHECK_EQ(c.l2_misses, 64);
    CHECK_EQ(c.l3_misses, 64);
    CHECK_EQ(c.dtlb_misses, 1);
    CHECK_EQ(c.l1i_misses, 0);
    CHECK_EQ(c.itlb_misses, 0);
    for (uint64_t i = 0; i < 64; i++)
        model_data(&m, USER + i * LINE, 0x200000 + i * LINE, 8);
    model_counters(&m, &c);
    CHECK_EQ(c.l1d_misses, 64);
    CHECK_EQ(c.dtlb_misses, 1);
    model_free(&m);
}

static void working_set_between_l1_and_l2(void)
{
    struct model_params p = defaults();
    struct model m;
    init(&m, &p);
    /* 64 KiB: twice L1D, a quarter of L2. Every pass misses L1D on every line; only
     * the first misses L2. */
    unsigned lines = 64 * 1024 / LINE;
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t i = 0; i < lines; i++)
            model_data(&m, USER + i * LINE, 0x1000000 + i * LINE, 4);
    struct model_counters c;
    model_counters(&m, &c);
    CHECK_EQ(c.l1d_misses, 3 * lines);
    CHECK_EQ(c.l2_misses, lines);
    CHECK_EQ(c.l3_misses, lines);
    model_free(&m);
}

static void code_loop_larger_than_l1i(void)
{
    struct model_params p = defaults();
    struct model m;
    init(&m, &p);
    /* A loop body of 64 KiB of code (twice L1I), run three times: every line misses
     * L1I on every pass (LRU, a cyclic sweep larger than the cache), only the first pass
     * misses L2; one of 32 KiB (exactly L1I) misses only on the first pass. */
    unsigned lines = 64 * 1024 / LINE;
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t i = 0; i < lines; i++)
            model_fetch(&m, USER + i * LINE, 0x3000000 + i * LINE, 4);
    struct model_counters c;
    model_counters(&m, &c);
    CHECK_EQ(c.l1i_misses, 3 * lines);
    CHECK_EQ(c.l2_misses, lines);
    CHECK_EQ(c.l1d_misses, 0);
    model_free(&m);
    init(&m, &p);
    lines = 32 * 1024 / LINE;
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t i = 0; i < lines; i++)
            model_fetch(&m, USER + i * LINE, 0x3000000 + i * LINE, 4);
    model_counters(&m, &c);
    CHECK_EQ(c.l1i_misses, lines);
    model_free(&m);
}

static void working_set_between_l2_and_l3(void)
{
    struct model_params p = defaults();
    struct model m;
    init(&m, &p);
    /* 1 MiB: four times L2, an eighth of L3. Every pass misses L1D and L2 on every
     * line (LRU, a cyclic sweep larger than the cache); only the first misses L3. */
    unsigned lines = 1024 * 1024 / LINE;
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t i = 0; i < lines; i++)
            model_data(&m, USER + i * LINE, 0x1000000 + i * LINE, 4);
    struct model_counters c;
    model_counters(&m, &c);
    CHECK_EQ(c.l1d_misses, 3 * lines);
    CHECK_EQ(c.l2_misses, 3 * lines);
    CHECK_EQ(c.l3_misses, lines);
    model_free(&m);
}

static void flush_after_a_large_sweep_empties_every_level(void)
{
    /* The flush empties only the sets filled since the last one (cache.c): after a
     * sweep of 2 MiB, a flush, a second sweep and a flush, a third sweep must miss
     * every line at every level again. */
    struct model_params p = defaults();
    struct model m;
    init(&m, &p);
    unsigned lines = 2 * 1024 * 1024 / LINE;
    struct model_counters before, after;
    for (int pass = 0; pass < 3; pass++) {
        model_counters(&m, &before);
        for (uint64_t i = 0; i < lines; i++)
            model_data(&m, USER + i * LINE, 0x2000000 + i * LINE, 4);
        model_counters(&m, &after);
        CHECK_EQ(after.l3_misses - before.l3_misses, lines);
        CHECK_EQ(after.l1d_misses - before.l1d_misses, lines);
        model_flush_all(&m);
    }
    /* Without a flush the same sweep hits in L3 (2 MiB fits in 8 MiB). */
    for (uint64_t i = 0; i < lines; i++)
        model_data(&m, USER + i * LINE, 0x2000000 + i * LINE, 4);
    model_counters(&m, &before);
    for (uint64_t i = 0; i < lines; i++)
        model_data(&m, USER + i * LINE, 0x2000000 + i * LINE, 4);
    model_counters(&m, &after);
    CHECK_EQ(after.l3_misses - before.l3_misses, 0);
    model_free(&m);
}

static void instruction_and_data_share_l2(void)
{
    struct model_params p = defaults();
    struct model m;
    init(&m, &p);
    model_fetch(&m, 0x100000, 0x100000, 16);
    model_data(&m, 0x100000, 0x100000, 8); /* same physical line, as data */
    struct model_counters c;
    model_counters(&m, &c);
    CHECK_EQ(c.l1i_misses, 1);
    CHECK_EQ(c.l1d_misses, 1);
    CHECK_EQ(c.l2_misses, 1); /* the data miss found the line the fetch brought into L2 */
    CHECK_EQ(c.l3_misses, 1);
    model_free(&m);
}

static void straddling_accesses(void)
{
    struct model_params p = defaults();
    struct model m;
    init(&m, &p);
    model_cr3_write(&m);
    model_data(&m, USER + PAGE - 4, 0x300000 + PAGE - 4, 8); /* two lines, two pages */
    struct model_counters c;
    model_counters(&m, &c);
    CHECK_EQ(c.l1d_misses, 2);
    CHECK_EQ(c.dtlb_misses, 2);
    model_fetch(&m, USER + 2 * PAGE - 3, 0x400000 + 2 * PAGE - 3, 6);
    model_counters(&m, &c);
    CHECK_EQ(c.l1i_misses, 2);
    CHECK_EQ(c.itlb_misses, 2);
    model_free(&m);
}

static void cr3_write_flushes_tlbs_not_caches(void)
{
    struct model_params p = defaults();
    struct model m;
    init(&m, &p);
    model_cr3_write(&m);
    /* Ten pages; the physical lines in ten different L1 sets, so none evicts another. */
    for (uint64_t i = 0; i < 10; i++)
        model_data(&m, USER + i * PAGE, 0x500000 + i * (PAGE + LINE), 8);
    model_fetch(&m, USER + 64 * PAGE, 0x600000, 4);
    struct model_counters before, after;
    model_counters(&m, &before);
    CHECK_EQ(before.dtlb_misses, 10);
    CHECK_EQ(before.itlb_misses, 1);
    model_cr3_write(&m);
    for (uint64_t i = 0; i < 10; i++)
        model_data(&m, USER + i * PAGE, 0x500000 + i * (PAGE + LINE), 8);
    model_fetch(&m, USER + 64 * PAGE, 0x600000, 4);
    model_counters(&m, &after);
    CHECK_EQ(after.dtlb_misses - before.dtlb_misses, 10); /* each page misses once more */
    CHECK_EQ(after.itlb_misses - before.itlb_misses, 1);
    CHECK_EQ(after.l1d_misses, before.l1d_misses);        /* physically tagged: kept */
    CHECK_EQ(after.l1i_misses, before.l1i_misses);
    model_free(&m);
}

static void kernel_pages_global_and_large(void)
{
    /* Defaults: the kernel (below 1 GiB) in 2 MiB pages, not global. */
    struct model_params p = defaults();
    struct model m;
    init(&m, &p);
    model_cr3_write(&m);
    for (uint64_t i = 0; i < 16; i++) /* 16 4 KiB pages of one 2 MiB page */
        model_data(&m, 0x200000 + i * PAGE, 0x200000 + i * PAGE, 8);
    struct model_counters c;
    model_counters(&m, &c);
    CHECK_EQ(c.dtlb_misses, 1);
    model_cr3_write(&m);
    model_data(&m, 0x200000, 0x200000, 8);
    model_counters(&m, &c);
    CHECK_EQ(c.dtlb_misses, 2); /* not global: the CR3 write dropped it */
    model_free(&m);

    /* kernel_global=on: the kernel's entries survive, a user page's do not. */
    p.kernel_global = true;
    init(&m, &p);
    model_cr3_write(&m);
    model_data(&m, 0x200000, 0x200000, 8);
    model_data(&m, USER, 0x700000, 8);
    model_cr3_write(&m);
    model_data(&m, 0x200000, 0x200000, 8);
    model_data(&m, USER, 0x700000, 8);
    model_counters(&m, &c);
    CHECK_EQ(c.dtlb_misses, 3);
    model_free(&m);

    /* kernel_pages=4k: each 4 KiB page of the kernel is its own entry. */
    p = defaults();
    p.kernel_page_shift = 12;
    init(&m, &p);
    model_cr3_write(&m);
    for (uint64_t i = 0; i < 16; i++)
        model_data(&m, 0x200000 + i * PAGE, 0x200000 + i * PAGE, 8);
    model_counters(&m, &c);
    CHECK_EQ(c.dtlb_misses, 16);
    model_free(&m);
}

static void no_tlb_before_paging(void)
{
    struct model_params p = defaults();
    struct model m;
    init(&m, &p);
    model_data(&m, USER, 0x800000, 8);
    model_fetch(&m, 0xf0000, 0xf0000, 4);
    struct model_counters c;
    model_counters(&m, &c);
    CHECK_EQ(c.dtlb_misses + c.itlb_misses, 0);
    CHECK_EQ(c.l1d_misses, 1);
    model_free(&m);
}

static void flush_all_makes_everything_cold(void)
{
    struct model_params p = defaults();
    p.kernel_global = true;
    struct model m;
    init(&m, &p);
    model_cr3_write(&m);
    model_data(&m, 0x1000, 0x1000, 8);          /* global kernel page */
    model_fetch(&m, USER, 0x900000, 4);
    model_flush_all(&m);
    model_data(&m, 0x1000, 0x1000, 8);
    model_fetch(&m, USER, 0x900000, 4);
    struct model_counters c;
    model_counters(&m, &c);
    CHECK_EQ(c.l1d_misses, 2);
    CHECK_EQ(c.l1i_misses, 2);
    CHECK_EQ(c.l2_misses, 4);
    CHECK_EQ(c.l3_misses, 4);
    CHECK_EQ(c.dtlb_misses, 2); /* global entries go too */
    CHECK_EQ(c.itlb_misses, 2);
    model_free(&m);
}

static void cycle_formula(void)
{
    struct model_params p = defaults();
    p.l1i_miss_latency = 3;
    p.l1d_miss_latency = 10;
    p.l2_miss_latency = 100;
    p.l3_miss_latency = 1000;
    p.itlb_miss_latency = 5;
    p.dtlb_miss_latency = 7;
    p.serialize_cost = 50;
    struct model m;
    init(&m, &p);
    model_cr3_write(&m);
    m.insns = 1000;
    for (uint64_t i = 0; i < 3; i++) /* 3 L1D + 3 L2 misses, 1 DTLB miss */
        model_data(&m, USER + i * LINE, 0xa00000 + i * LINE, 8);
    model_fetch(&m, USER + PAGE, 0xb00000, 4); /* 1 L1I + 1 L2 miss, 1 ITLB miss */
    model_serializing(&m);
    model_serializing(&m);
    /* 1000 + 1*3 + 3*10 + 4*100 + 4*1000 + 1*5 + 1*7 + 2*50 */
    CHECK_EQ(model_cycles(&m), 5545);
    struct model_counters c;
    model_counters(&m, &c);
    CHECK_EQ(c.cycles, 5545);
    CHECK_EQ(c.insns, 1000);
    CHECK_EQ(c.serializing, 2);
    model_free(&m);
}

static void invalid_parameters_refused(void)
{
    struct model_params p = defaults();
    p.l2.ways = 3;
    struct model m;
    char err[512] = "";
    CHECK(!model_init(&m, &p, err, sizeof(err)));
    CHECK(strstr(err, "l2_ways=3") != NULL);
    p = defaults();
    p.l3.size_bytes = 3 * 1024 * 1024;
    CHECK(!model_init(&m, &p, err, sizeof(err)));
    CHECK(strstr(err, "l3_size=3145728") != NULL);
}

void test_model(void)
{
    cold_lines_then_warm();
    working_set_between_l1_and_l2();
    working_set_between_l2_and_l3();
    code_loop_larger_than_l1i();
    flush_after_a_large_sweep_empties_every_level();
    instruction_and_data_share_l2();
    straddling_accesses();
    cr3_write_flushes_tlbs_not_caches();
    kernel_pages_global_and_large();
    no_tlb_before_paging();
    flush_all_makes_everything_cold();
    cycle_formula();
    invalid_parameters_refused();
}
