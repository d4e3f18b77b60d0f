/*
 * Shared declarations of the Linux guest benchmark (/init of the initramfs that
 * harness/ipclab/linuxguest.py builds). The result lines follow bench/FORMAT.md with
 * format version 2 (bench/linux/README.md says what changed).
 */
#ifndef LINUXBENCH_H
#define LINUXBENCH_H

#include <stddef.h>
#include <stdint.h>

/* One system call for the timed stub (stub.S). The stub reads the counter into
 * t_before just before the trap and into t_after just after it returns. The offsets
 * are hard-coded in stub.S; the static asserts below keep the two in step. */
struct sc {
    long nr;            /* system call number (rax) */
    long arg[6];        /* rdi, rsi, rdx, r10, r8, r9 */
    long ret;           /* rax after the trap: a result or -errno */
    uint64_t t_before;
    uint64_t t_after;
};
_Static_assert(offsetof(struct sc, nr) == 0, "stub.S offset");
_Static_assert(offsetof(struct sc, arg) == 8, "stub.S offset");
_Static_assert(offsetof(struct sc, ret) == 56, "stub.S offset");
_Static_assert(offsetof(struct sc, t_before) == 64, "stub.S offset");
_Static_assert(offsetof(struct sc, t_after) == 72, "stub.S offset");

/* stub.S: the timed system call, and its twin with a nop where the trap is (the
 * overhead calibration). sc_pair runs two timed calls back to back (a round trip:
 * send, then receive), so the code between them is fixed and its nop twin times
 * exactly the same user-level instructions. */
void sc_timed(struct sc *s);
void sc_timed_nop(struct sc *s);
void sc_pair(struct sc *first, struct sc *second);
void sc_pair_nop(struct sc *first, struct sc *second);

/* The counter as the stub reads it: lfence; rdtsc. Under QEMU -icount shift=0 the TSC
 * is the count of retired guest instructions. */
static inline uint64_t counter_read(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* A run's settings and tallies. */
struct run {
    unsigned samples;
    unsigned warmup;
    int fifo;             /* cross-process cases under SCHED_FIFO (policy=fifo) */
    unsigned cases;       /* CASE records printed */
    unsigned checks;      /* CHECK records printed */
    unsigned failed;      /* failed CHECKs */
    uint64_t ovh_one;     /* min of one nop stub: the overhead of one-way and null calls */
    uint64_t ovh_pair;    /* min of the nop pair: the overhead of a two-call round trip */
    int64_t *values;      /* scratch: samples values for one CASE */
};

/* report.c: the protocol lines (format version 2). */
void report_flush(void);
void report_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_begin(const struct run *r, const char *clock);
void report_config(const char *kernel, const char *version, const char *pti,
                   const char *mitigations, const char *policy);
void report_case(struct run *r, const char *bench, const char *space, unsigned len,
                 const char *metric, uint64_t overhead, const int64_t *values);
void report_skip(const char *bench, const char *space, unsigned len, const char *reason);
void report_check(struct run *r, const char *name, int64_t expect, int64_t got);
void report_end(const struct run *r);

/* system.c: the environment /init needs, and the way out. */
int system_mount(void);
const char *cmdline_value(const char *key, char *buf, size_t size);
unsigned long cmdline_ulong(const char *key, unsigned long fallback);
int pti_active(void);
void read_first_line(const char *path, char *buf, size_t size);
int pin_to_cpu0(void);
void *shared_alloc(size_t bytes);
_Noreturn void debug_exit(int ok);

/* pingpong.c and mechanisms.c: the two-process benchmarks. */
void run_cross_process(struct run *r);

#endif
