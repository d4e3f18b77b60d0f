/*
 * Workloads: the guest programs an experiment (variants/experiments/<name>.conf,
 * WORKLOAD = <name>) runs instead of the IPC benchmark, selected by `mode=<name>` on
 * the command line. Each lives in its own file under bench/guest/workloads/ and
 * registers itself with WORKLOAD(); main.c finds it by name in the linker section
 * `workloads` (arch/<arch>/user.ld), so adding a workload touches only its file.
 *
 * A workload prints, in order: report_plan(n) (the number of CASEs it will print, so a
 * missing case is a fault the harness sees, not a smaller table), its CASEs, and CHECKs
 * for what must hold for its numbers to mean anything. It returns the number of CASEs
 * it printed. Under clock=model, a case of timed windows reports with report_case_at
 * (runtime.h) and the start of each sample's window, so the model can attribute its
 * samples; one reported with report_case (a count, or an average over many windows)
 * keeps its value only.
 */
#ifndef IPCLAB_GUEST_WORKLOAD_H
#define IPCLAB_GUEST_WORKLOAD_H

#include "runtime.h"

struct workload_env {
    unsigned first_case;    /* the id of its first CASE */
    unsigned samples;       /* samples= and warmup= of the command line */
    unsigned warmup;
    uint64_t overhead;      /* the stub's own cost (main.c), to subtract from stub timings */
    unsigned *checks;       /* CHECK counters of the run (report_check_count) */
    unsigned *failed;
};

struct workload {
    const char *name;                       /* the mode= that selects it */
    unsigned (*run)(const struct workload_env *env);
};

#define WORKLOAD(ident, wname, fn)                                                \
    static const struct workload workload_##ident                                \
        __attribute__((used, section("workloads"), aligned(8))) = {               \
            .name = (wname), .run = (fn)}

/* The registered workloads (linker section bounds). */
extern const struct workload __workloads_start[], __workloads_end[];

const struct workload *workload_find(const char *name);

/* A case carries at most the samples its BEGIN line announced (bench/FORMAT.md; the
 * harness rejects more): a workload whose ARGS ask for more events than that does as
 * many as samples= allows, or reports the first ones. */
static inline unsigned workload_cap(const struct workload_env *env, unsigned n)
{
    return n < env->samples ? n : env->samples;
}

/* PLAN cases=<n>: how many CASE records follow. */
void report_plan(unsigned cases);

/* A workload parameter from the command line (ARGS of the experiment file). */
static inline uint64_t workload_arg(const char *key, uint64_t fallback)
{
    return cmdline_u64(kip->cmdline, key, fallback);
}

#endif
