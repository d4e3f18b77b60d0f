/*
 * One set-associative cache level with true LRU replacement: which lines it holds,
 * nothing about their data. Used for L1I, L1D, L2 and L3 alike.
 */
#ifndef IPCLAB_MODEL_CACHE_H
#define IPCLAB_MODEL_CACHE_H

#include <stdbool.h>
#include <stdint.h>

struct cache_geometry {
    uint64_t size_bytes;  /* total capacity */
    unsigned ways;        /* lines per set */
    unsigned line_bytes;  /* power of two */
};

struct cache {
    unsigned ways;
    unsigned line_shift;
    uint64_t set_mask;    /* sets - 1; sets is a power of two */
    uint64_t *lines;      /* sets x ways line numbers, each set ordered most recent first */
    /* The sets filled since the last cache_invalidate_all(), so that a flush costs
     * what was touched, not the whole cache: a cold-cache benchmark flushes before
     * every sample, and an 8 MiB L3 has 131072 lines. */
    uint64_t *touched;    /* set indices, n_touched of them */
    uint64_t n_touched;
    uint8_t *is_touched;  /* per set: listed in touched[] */
    uint64_t accesses;
    uint64_t misses;
};

/* The geometry's own consistency (powers of two, at least one set); on failure,
 * *why says what is wrong. */
bool cache_geometry_valid(const struct cache_geometry *g, const char **why);

/* false only if memory runs out; the geometry must be valid. */
bool cache_init(struct cache *c, const struct cache_geometry *g);
void cache_free(struct cache *c);

/* Look up the line holding byte address addr, make it the most recently used and, on
 * a miss, fill it in place of the least recently used line of its set. Returns true
 * on a hit. */
bool cache_access(struct cache *c, uint64_t addr);

/* Drop every line (counters are kept). */
void cache_invalidate_all(struct cache *c);

/* The line number of an address for this cache (addr / line size). */
static inline uint64_t cache_line_of(const struct cache *c, uint64_t addr)
{
    return addr >> c->line_shift;
}

#endif
