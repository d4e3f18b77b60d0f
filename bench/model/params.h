/*
 * The model's parameters: every cache, TLB and latency constant, their defaults (an
 * Intel Skylake client core; README.md gives the source of each), and the parsing and
 * validation of the plugin's `name=value` arguments.
 */
#ifndef IPCLAB_MODEL_PARAMS_H
#define IPCLAB_MODEL_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache.h"
#include "tlb.h"

#define PARAMS_PATH_MAX 1024

struct model_params {
    struct cache_geometry l1i, l1d, l2, l3;
    /* Extra cycles a miss at that level costs: what the next level's load-to-use
     * latency adds to the level's own (README.md, "Defaults"). */
    unsigned l1i_miss_latency, l1d_miss_latency, l2_miss_latency, l3_miss_latency;
    /* 4 KiB-page TLBs, and the TLBs for the kernel's large pages (kernel_pages=2m). */
    struct tlb_geometry itlb, dtlb, itlb_large, dtlb_large;
    unsigned itlb_miss_latency, dtlb_miss_latency;
    /* Virtual addresses below kernel_end are the kernel's: mapped with pages of
     * 1 << kernel_page_shift bytes, global or not. */
    uint64_t kernel_end;
    unsigned kernel_page_shift;
    bool kernel_global;
    unsigned serialize_cost;   /* extra cycles per serialising instruction */
    int64_t tsc_offset;        /* TSC = instructions retired + tsc_offset (README) */
    char records[PARAMS_PATH_MAX]; /* record file; empty: none */
};

void params_defaults(struct model_params *p);

/* Apply one "name=value" argument. On failure, err holds a message naming the
 * argument and listing the valid ones. */
bool params_apply(struct model_params *p, const char *arg, char *err, size_t err_size);

/* Check the values together (cache and TLB geometries). */
bool params_validate(const struct model_params *p, char *err, size_t err_size);

/* Every model parameter as "name=value,name=value,...", in table order (the record
 * file's name is left out): what a record file header stores. Returns the length
 * written (truncated to buf_size - 1). */
size_t params_format(const struct model_params *p, char *buf, size_t buf_size);

/* "name=<kind> name=<kind> ...": the valid arguments, for error messages. */
size_t params_usage(char *buf, size_t buf_size);

#endif
