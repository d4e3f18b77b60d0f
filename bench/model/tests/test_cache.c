/* Known answers for one cache level: cold misses, LRU order, capacity and conflicts. */
#include "cache.h"
#include "check.h"

#define LINE 64

/* 32 KiB, 8 ways, 64-byte lines: 64 sets, so addresses 4 KiB apart share a set. */
static const struct cache_geometry l1 = {.size_bytes = 32 * 1024, .ways = 8, .line_bytes = LINE};
#define SET_STRIDE (64 * LINE)

static void cold_then_warm(void)
{
    struct cache c;
    CHECK(cache_init(&c, &l1));
    for (uint64_t i = 0; i < 100; i++)
        cache_access(&c, 0x10000 + i * LINE);
    CHECK_EQ(c.misses, 100);
    for (uint64_t i = 0; i < 100; i++)
        CHECK(cache_access(&c, 0x10000 + i * LINE + 8)); /* other bytes, same lines */
    CHECK_EQ(c.misses, 100);
    CHECK_EQ(c.accesses, 200);
    cache_invalidate_all(&c);
    cache_access(&c, 0x10000);
    CHECK_EQ(c.misses, 101);
    cache_free(&c);
}

static void larger_than_capacity_misses_every_pass(void)
{
    struct cache c;
    CHECK(cache_init(&c, &l1));
    /* 512 lines fit; 576 = 9 per set: cyclic sweeps under LRU miss on every access. */
    unsigned lines = 512 + 64;
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t i = 0; i < lines; i++)
            cache_access(&c, i * LINE);
    CHECK_EQ(c.misses, 3 * lines);
    /* Exactly the capacity: only the first pass misses. */
    struct cache d;
    CHECK(cache_init(&d, &l1));
    for (int pass = 0; pass < 3; pass++)
        for (uint64_t i = 0; i < 512; i++)
            cache_access(&d, i * LINE);
    CHECK_EQ(d.misses, 512);
    cache_free(&c);
    cache_free(&d);
}

static void associativity_conflicts(void)
{
    struct cache c;
    CHECK(cache_init(&c, &l1));
    /* 8 lines of one set cycle without misses after the first round ... */
    for (int pass = 0; pass < 4; pass++)
        for (uint64_t i = 0; i < 8; i++)
            cache_access(&c, 0x100000 + i * SET_STRIDE);
    CHECK_EQ(c.misses, 8);
    /* ... a ninth makes every access miss: the first pass hits the 8 warm lines and
     * misses the ninth (evicting the first), after that nothing survives a cycle. */
    uint64_t before = c.misses;
    for (int pass = 0; pass < 4; pass++)
        for (uint64_t i = 0; i < 9; i++)
            cache_access(&c, 0x100000 + i * SET_STRIDE);
    CHECK_EQ(c.misses - before, 1 + 3 * 9);
    cache_free(&c);

    /* Direct-mapped: two lines one set apart evict each other. */
    struct cache_geometry dm = {.size_bytes = 4096, .ways = 1, .line_bytes = LINE};
    CHECK(cache_init(&c, &dm));
    for (int i = 0; i < 5; i++) {
        cache_access(&c, 0);
        cache_access(&c, 4096);
    }
    CHECK_EQ(c.misses, 10);
    cache_free(&c);
}

static void lru_evicts_least_recent(void)
{
    struct cache c;
    CHECK(cache_init(&c, &l1));
    for (uint64_t i = 0; i < 8; i++) /* A..H fill set 0 */
        cache_access(&c, i * SET_STRIDE);
    CHECK(cache_access(&c, 0));                 /* A becomes most recent */
    CHECK(!cache_access(&c, 8 * SET_STRIDE));   /* I evicts B, now the least recent */
    CHECK(cache_access(&c, 0));                 /* A survived */
    CHECK(!cache_access(&c, 1 * SET_STRIDE));   /* B did not */
    cache_free(&c);
}

static void geometry_validation(void)
{
    const char *why = NULL;
    CHECK(cache_geometry_valid(&l1, &why));
    struct cache_geometry g = l1;
    g.ways = 3; /* 32 KiB / (3 x 64) is not a whole power of two */
    CHECK(!cache_geometry_valid(&g, &why));
    g = l1;
    g.line_bytes = 48;
    CHECK(!cache_geometry_valid(&g, &why));
    g = l1;
    g.size_bytes = 256; /* smaller than one set */
    CHECK(!cache_geometry_valid(&g, &why));
    g = (struct cache_geometry){.size_bytes = 256 * 1024, .ways = 4, .line_bytes = 64};
    CHECK(cache_geometry_valid(&g, &why));
}

void test_cache(void)
{
    cold_then_warm();
    larger_than_capacity_misses_every_pass();
    associativity_conflicts();
    lru_evicts_least_recent();
    geometry_validation();
}
