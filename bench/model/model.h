/*
 * The machine model: split L1 instruction and data caches over a unified L2 and a
 * unified L3 (the last-level cache), an instruction and a data TLB (each with a 4 KiB part and a large-page part for the
 * kernel), and the cycle estimate built on them. It is told what the guest does
 * (instruction fetches, data accesses, CR3 writes, serialising instructions, flush
 * requests) and counts; it knows nothing about QEMU, so it is unit-tested on the host.
 */
#ifndef IPCLAB_MODEL_MODEL_H
#define IPCLAB_MODEL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "params.h"
#include "tlb.h"

/* Cumulative counts since the model started. */
struct model_counters {
    uint64_t insns;        /* instructions retired */
    uint64_t l1i_misses;
    uint64_t l1d_misses;
    uint64_t l2_misses;    /* instruction and data side together */
    uint64_t l3_misses;    /* last-level cache: each one goes to memory */
    uint64_t itlb_misses;  /* 4 KiB and large-page parts together */
    uint64_t dtlb_misses;
    uint64_t serializing;  /* serialising instructions executed */
    uint64_t cycles;       /* modelled: see model_cycles() */
};

struct model {
    struct model_params params;
    struct cache l1i, l1d, l2, l3;
    struct tlb itlb, dtlb, itlb_large, dtlb_large;
    /* Instructions retired: kept by the caller (the plugin counts them per
     * translation block, retire_count.c) and set here before counters are read. */
    uint64_t insns;
    uint64_t serializing;
    /* TLBs are modelled only once paging is on, which the model learns from the first
     * CR3 write: before it (firmware, early boot) there is no translation to cache. */
    bool paging;
};

/* false if the parameters are invalid (err says why) or memory runs out. */
bool model_init(struct model *m, const struct model_params *p, char *err, size_t err_size);
void model_free(struct model *m);

/* An instruction fetch of `size` bytes at virtual address vaddr, physical (or
 * stand-in physical, see README.md) address paddr: ITLB, L1I, L2 on a miss, L3 on
 * its miss. */
void model_fetch(struct model *m, uint64_t vaddr, uint64_t paddr, unsigned size);

/* A load or store of `size` bytes: DTLB, L1D, L2 on a miss, L3 on its miss. Stores allocate like
 * loads (write-allocate); write-backs are not modelled. */
void model_data(struct model *m, uint64_t vaddr, uint64_t paddr, unsigned size);

/* A write to CR3 (PCID off): every non-global TLB entry goes. Caches keep their
 * contents: x86 caches are physically tagged. */
void model_cr3_write(struct model *m);

/* One serialising instruction executed (costs params.serialize_cost cycles). */
void model_serializing(struct model *m);

/* The guest asked for a cold start: every cache line and TLB entry goes, global ones
 * too. */
void model_flush_all(struct model *m);

/* cycles = insns + sum over L1I, L1D, L2, L3, ITLB, DTLB of misses x miss latency
 *        + serialising instructions x serialize_cost
 * A miss latency is what the next level adds (README.md): an access served by the L3
 * pays the L1 and the L2 miss latencies. */
uint64_t model_cycles(const struct model *m);

void model_counters(const struct model *m, struct model_counters *out);

#endif
