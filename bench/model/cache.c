/*
 * Set-associative cache, true LRU. Each set is a small array kept in recency order
 * (most recent first), so a hit moves one line to the front and a miss shifts the set
 * by one and drops the last (least recent) line. With the 4 to 16 ways real L1 and L2
 * caches have, this is as fast as age counters and obviously correct.
 */
#include "cache.h"

#include <stdlib.h>

/* A line number no real address can produce (addresses shift right by >= 2 bits). */
#define EMPTY_LINE UINT64_MAX

static bool is_power_of_two(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static unsigned log2_exact(uint64_t x)
{
    unsigned n = 0;
    while (x > 1) {
        x >>= 1;
        n++;
    }
    return n;
}

bool cache_geometry_valid(const struct cache_geometry *g, const char **why)
{
    if (!is_power_of_two(g->line_bytes) || g->line_bytes < 4 || g->line_bytes > 4096) {
        *why = "line size must be a power of two from 4 to 4096 bytes";
        return false;
    }
    if (g->ways < 1 || g->ways > 64) {
        *why = "associativity must be 1 to 64 ways";
        return false;
    }
    uint64_t set_bytes = (uint64_t)g->ways * g->line_bytes;
    if (g->size_bytes < set_bytes || g->size_bytes % set_bytes != 0 ||
        !is_power_of_two(g->size_bytes / set_bytes)) {
        *why = "size / (ways x line size) must be a whole power of two number of sets";
        return false;
    }
    return true;
}

bool cache_init(struct cache *c, const struct cache_geometry *g)
{
    uint64_t sets = g->size_bytes / ((uint64_t)g->ways * g->line_bytes);
    c->ways = g->ways;
    c->line_shift = log2_exact(g->line_bytes);
    c->set_mask = sets - 1;
    c->lines = malloc(sets * g->ways * sizeof(c->lines[0]));
    c->touched = malloc(sets * sizeof(c->touched[0]));
    c->is_touched = calloc(sets, 1);
    c->n_touched = 0;
    c->accesses = 0;
    c->misses = 0;
    if (!c->lines || !c->touched || !c->is_touched) {
        cache_free(c);
        return false;
    }
    for (uint64_t i = 0; i < sets * g->ways; i++)
        c->lines[i] = EMPTY_LINE;
    return true;
}

void cache_free(struct cache *c)
{
    free(c->lines);
    free(c->touched);
    free(c->is_touched);
    c->lines = NULL;
    c->touched = NULL;
    c->is_touched = NULL;
}

/* Only a set that was filled since the last flush can hold a line: empty those. */
void cache_invalidate_all(struct cache *c)
{
    for (uint64_t k = 0; k < c->n_touched; k++) {
        uint64_t s = c->touched[k];
        for (unsigned w = 0; w < c->ways; w++)
            c->lines[s * c->ways + w] = EMPTY_LINE;
        c->is_touched[s] = 0;
    }
    c->n_touched = 0;
}

bool cache_access(struct cache *c, uint64_t addr)
{
    uint64_t line = cache_line_of(c, addr);
    uint64_t *set = &c->lines[(line & c->set_mask) * c->ways];
    c->accesses++;
    unsigned way = 0;
    while (way < c->ways && set[way] != line)
        way++;
    bool hit = way < c->ways;
    if (!hit) {
        c->misses++;
        way = c->ways - 1; /* the least recent line gives way */
        uint64_t s = line & c->set_mask;
        if (!c->is_touched[s]) {
            c->is_touched[s] = 1;
            c->touched[c->n_touched++] = s;
        }
    }
    for (; way > 0; way--)
        set[way] = set[way - 1];
    set[0] = line;
    return hit;
}
