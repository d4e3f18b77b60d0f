/*
 * The record file: one fixed-size record per guest rdtsc (and per flush marker), with
 * the model's cumulative counters at that instant. Format (README.md, "Record file"):
 *
 *   header:  8 bytes  magic "IPCLMDL1"
 *            u32      format version (2)
 *            u32      record size in bytes (8 x RECORD_FIELDS)
 *            u32      fields per record (RECORD_FIELDS)
 *            u32      length of the parameter text that follows
 *            bytes    parameter text, "name=value,..." (no terminating NUL)
 *   records: RECORD_FIELDS little-endian u64 each, in the order of struct record
 *
 * All integers are little-endian.
 */
#ifndef IPCLAB_MODEL_RECORD_FILE_H
#define IPCLAB_MODEL_RECORD_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RECORD_MAGIC "IPCLMDL1"
#define RECORD_FORMAT_VERSION 2u  /* 2 added l3_misses */

enum record_kind {
    RECORD_RDTSC = 1,        /* the guest executed rdtsc */
    RECORD_FLUSH_MARKER = 2, /* the guest executed the flush marker (counts before the flush) */
};

struct record {
    uint64_t tsc;         /* rdtsc: the value the guest read; marker: what rdtsc would read there */
    uint64_t pc;          /* guest virtual address of the instruction */
    uint64_t kind;        /* enum record_kind */
    uint64_t insns;       /* instructions retired before this one */
    uint64_t cycles;      /* modelled cycles, same instant */
    uint64_t l1i_misses;
    uint64_t l1d_misses;
    uint64_t l2_misses;
    uint64_t l3_misses;
    uint64_t itlb_misses;
    uint64_t dtlb_misses;
    uint64_t serializing;
};

#define RECORD_FIELDS (sizeof(struct record) / sizeof(uint64_t))

struct record_file {
    FILE *file;
    uint64_t written;
};

/* Create path and write the header; false with errno set on failure. */
bool record_file_open(struct record_file *rf, const char *path, const char *params_text);
bool record_file_write(struct record_file *rf, const struct record *r);
/* Flush and close; false if any write failed. */
bool record_file_close(struct record_file *rf);

#endif
