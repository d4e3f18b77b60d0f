/*
 * The hierarchy's wiring: which structure an access consults, in what order, and
 * where a miss goes next. L1 misses of both sides go to the one L2, L2 misses to the
 * one L3; each level is neither inclusive nor exclusive of the ones above it (a line
 * may be in any of them), and memory behind the L3 always answers: an L3 miss costs
 * l3_miss_latency.
 */
#include "model.h"

#include <stdio.h>

bool model_init(struct model *m, const struct model_params *p, char *err, size_t err_size)
{
    *m = (struct model){.params = *p};
    if (!params_validate(p, err, err_size))
        return false;
    bool ok = cache_init(&m->l1i, &p->l1i) && cache_init(&m->l1d, &p->l1d) &&
              cache_init(&m->l2, &p->l2) && cache_init(&m->l3, &p->l3) && tlb_init(&m->itlb, &p->itlb) &&
              tlb_init(&m->dtlb, &p->dtlb) && tlb_init(&m->itlb_large, &p->itlb_large) &&
              tlb_init(&m->dtlb_large, &p->dtlb_large);
    if (!ok) {
        snprintf(err, err_size, "out of memory");
        model_free(m);
    }
    return ok;
}

void model_free(struct model *m)
{
    cache_free(&m->l1i);
    cache_free(&m->l1d);
    cache_free(&m->l2);
    cache_free(&m->l3);
    tlb_free(&m->itlb);
    tlb_free(&m->dtlb);
    tlb_free(&m->itlb_large);
    tlb_free(&m->dtlb_large);
}

static bool is_kernel_address(const struct model *m, uint64_t vaddr)
{
    return vaddr < m->params.kernel_end;
}

/* The TLB that translates vaddr: the large-page one for kernel addresses when the
 * kernel is mapped with large pages. */
static void translate(struct model *m, struct tlb *small, struct tlb *large, uint64_t vaddr)
{
    if (!m->paging)
        return;
    bool kernel = is_kernel_address(m, vaddr);
    struct tlb *t = kernel && m->params.kernel_page_shift != 12 ? large : small;
    tlb_access(t, vaddr, kernel && m->params.kernel_global);
}

/* The pages of [vaddr, vaddr + size), one translation each. Split at 4 KiB: an access
 * inside one large page looks it up twice, the second a hit, which changes no miss
 * count. */
static void translate_range(struct model *m, struct tlb *small, struct tlb *large,
                            uint64_t vaddr, unsigned size)
{
    uint64_t last = vaddr + size - 1;
    translate(m, small, large, vaddr);
    if ((vaddr >> 12) != (last >> 12))
        translate(m, small, large, last);
}

/* The lines of [paddr, paddr + size) in the L1 `l1`, each missing line then in L2,
 * and in L3 if L2 misses too. */
static void access_lines(struct model *m, struct cache *l1, uint64_t paddr, unsigned size)
{
    uint64_t first = cache_line_of(l1, paddr);
    uint64_t last = cache_line_of(l1, paddr + size - 1);
    for (uint64_t line = first; line <= last; line++) {
        uint64_t addr = line << l1->line_shift;
        if (!cache_access(l1, addr) && !cache_access(&m->l2, addr))
            cache_access(&m->l3, addr);
    }
}

void model_fetch(struct model *m, uint64_t vaddr, uint64_t paddr, unsigned size)
{
    if (size == 0)
        return;
    translate_range(m, &m->itlb, &m->itlb_large, vaddr, size);
    access_lines(m, &m->l1i, paddr, size);
}

void model_data(struct model *m, uint64_t vaddr, uint64_t paddr, unsigned size)
{
    if (size == 0)
        return;
    translate_range(m, &m->dtlb, &m->dtlb_large, vaddr, size);
    access_lines(m, &m->l1d, paddr, size);
}

void model_cr3_write(struct model *m)
{
    m->paging = true;
    tlb_flush_non_global(&m->itlb);
    tlb_flush_non_global(&m->dtlb);
    tlb_flush_non_global(&m->itlb_large);
    tlb_flush_non_global(&m->dtlb_large);
}

void model_serializing(struct model *m)
{
    m->serializing++;
}

void model_flush_all(struct model *m)
{
    cache_invalidate_all(&m->l1i);
    cache_invalidate_all(&m->l1d);
    cache_invalidate_all(&m->l2);
    cache_invalidate_all(&m->l3);
    tlb_flush_all(&m->itlb);
    tlb_flush_all(&m->dtlb);
    tlb_flush_all(&m->itlb_large);
    tlb_flush_all(&m->dtlb_large);
}

uint64_t model_cycles(const struct model *m)
{
    const struct model_params *p = &m->params;
    return m->insns + m->l1i.misses * p->l1i_miss_latency +
           m->l1d.misses * p->l1d_miss_latency + m->l2.misses * p->l2_miss_latency +
           m->l3.misses * p->l3_miss_latency +
           (m->itlb.misses + m->itlb_large.misses) * p->itlb_miss_latency +
           (m->dtlb.misses + m->dtlb_large.misses) * p->dtlb_miss_latency +
           m->serializing * p->serialize_cost;
}

void model_counters(const struct model *m, struct model_counters *out)
{
    *out = (struct model_counters){
        .insns = m->insns,
        .l1i_misses = m->l1i.misses,
        .l1d_misses = m->l1d.misses,
        .l2_misses = m->l2.misses,
        .l3_misses = m->l3.misses,
        .itlb_misses = m->itlb.misses + m->itlb_large.misses,
        .dtlb_misses = m->dtlb.misses + m->dtlb_large.misses,
        .serializing = m->serializing,
        .cycles = model_cycles(m),
    };
}
