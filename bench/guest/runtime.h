/* The benchmark's user-level runtime: threads, spaces and the result lines. */
#ifndef IPCLAB_GUEST_RUNTIME_H
#define IPCLAB_GUEST_RUNTIME_H

#include <stdbool.h>

#include "sys.h"

extern const struct kip *kip;

/* An IPC system call (SYS_SEND, SYS_RECV, SYS_CALL, SYS_REPLY_WAIT) with no message
 * words: an IPC may deliver the partner's message registers into the CPU, which a
 * plain syscall5 would leave in registers the compiler expects preserved, so it goes
 * through ipc5 (sys_arch.h), which declares them clobbered. r.error, and r.value = the
 * sender (thread ID or badge). */
struct sys_result ipc_op(uint64_t nr, uint64_t dest, uint64_t tag, uint64_t from);
/* One IPC through the stub (arch/<arch>/ipc_stub.S), for checks that want its error only. */
uint64_t ipc_error(uint64_t nr, uint64_t dest, uint64_t tag, uint64_t from);

/* Whether the kernel's configuration string says key=value (e.g. "dest", "endpoint"). */
int kip_config_is(const char *key, const char *value);

/* A thread running fn(arg) in space, with its own stack and UTCB; 0 on failure. */
struct thread_info {
    uint64_t tid;
    uint64_t utcb_addr;
    unsigned slot;          /* the runtime's stack and UTCB slot */
};
int thread_spawn(uint64_t space, void (*fn)(uint64_t), uint64_t arg, unsigned prio,
                 struct thread_info *out);
/* Create the thread only (not started): for tests of thread_start. */
int thread_make(uint64_t space, unsigned prio, struct thread_info *out);
/* Start a thread made by thread_make running fn(arg) on its own stack. */
int thread_begin(const struct thread_info *t, void (*fn)(uint64_t), uint64_t arg);
/* Destroy the thread (if it still lives) and give its slot back; the kernel's error. */
uint64_t thread_release(struct thread_info *t);
/* A new address space sharing the root image's frames; the handle or -1. */
int64_t space_with_root_image(void);

/* The stub's own cost, subtracted from every timed stub call (main.c): its ticks and,
 * under the model, the counter value where the nop-stub window it came from starts
 * (0: no window), so the harness can subtract that window's misses too. */
struct overhead {
    uint64_t ticks;
    uint64_t at;
};

/* clock=model on the command line: the cache/TLB model plugin runs (bench/model/,
 * FORMAT.md "Under the model"). Every case then also says where each sample starts
 * (STAMP lines) and where its overhead window starts (overhead_at=), and the
 * cold-cache cases run: the caches and TLBs are flushed before each of their samples.
 * Set by main() before any case runs. */
struct model_run {
    int on;
    struct overhead hot, cold;   /* the stub's overhead measured warm, and flushed */
};
extern struct model_run model_run;

/* Under the model, empty every cache and TLB (arch_model_flush); a no-op otherwise. */
static inline void model_flush(void)
{
    if (model_run.on)
        arch_model_flush();
}

/* Result lines of bench/FORMAT.md. */
void report_case(unsigned id, const char *bench, const char *space, unsigned len,
                 const char *metric, uint64_t overhead, const int64_t *values, unsigned n);
/* The same, for a case whose samples start at starts[i] (raw counter values; NULL:
 * unknown, and the model cannot attribute the case), hot or cold (flushed before
 * each sample). Prints STAMP lines and overhead_at= only under the model. */
void report_case_at(unsigned id, const char *bench, const char *space, unsigned len,
                    const char *metric, int cold, struct overhead overhead,
                    const int64_t *values, const uint64_t *starts, unsigned n);
void report_skip(const char *bench, const char *space, unsigned len, const char *reason);
/* Print one CHECK line; returns 1 if it failed. */
unsigned report_check(const char *name, uint64_t expect, uint64_t got);
void report_check_count(unsigned *checks, unsigned *failed, const char *name,
                        uint64_t expect, uint64_t got);

/* The pieces main() runs. */
void bad_input_checks(unsigned *checks, unsigned *failed);
void isolation_checks(unsigned *checks, unsigned *failed);
/* Interrupts, the user timer, SYS_UNMAP, user-level scheduling (time_checks.c). */
void time_checks(unsigned *checks, unsigned *failed);
void notify_checks(unsigned *checks, unsigned *failed);
/* The TIMEOUTS, COMMCTL and TASKS axes: timeout_checks.c, clan_checks.c, task_checks.c. */
void timeout_checks(unsigned *checks, unsigned *failed);
void clan_checks(unsigned *checks, unsigned *failed);
void task_checks(unsigned *checks, unsigned *failed);
/* The checks of the axes that make seL4's fast-path work visible (each prints nothing
 * when its axis has the value that leaves the ABI as it was). */
void frame_checks(unsigned *checks, unsigned *failed);
void cspace_checks(unsigned *checks, unsigned *failed);
void reply_checks(unsigned *checks, unsigned *failed);
void fpu_lazy_checks(unsigned *checks, unsigned *failed);
void tcb_checks(unsigned *checks, unsigned *failed);
/* The fuzzer (mode=fuzz): its CHECK lines; returns the number of CASEs (none). */
unsigned fuzz_run(unsigned *checks, unsigned *failed);
unsigned ipc_benchmarks(unsigned first_case_id, unsigned samples, unsigned warmup,
                        uint64_t overhead, unsigned *checks, unsigned *failed);

#define BENCH_PRIORITY 100
#define MAX_SAMPLES 16384

#endif
