/*
 * The root task of a boot. It prints the BEGIN and CONFIG lines from the kernel info
 * page, then runs what `mode=` on the command line names:
 *   ipc (the default)  calibrates the counter and the stub overhead, measures the null
 *                      system call, runs the bad-input and isolation checks and the
 *                      IPC benchmarks (under clock=model also cold, report.c);
 *   fuzz               the system-call fuzzer (fuzz.c);
 *   <workload>         a workload of workloads/ (an experiment's WORKLOAD).
 * It ends with the END line; its return value becomes the run's exit status (crt0.S).
 */
#include "runtime.h"
#include "workload.h"

const struct kip *kip;

static int64_t values[MAX_SAMPLES];
static uint64_t starts[MAX_SAMPLES];

static void print_begin(unsigned samples, unsigned warmup, const char *mode)
{
    char clock[32];
    cmdline_str(kip->cmdline, "clock", clock, sizeof(clock), "unknown");
    model_run.on = str_eq(clock, "model");
    out_str(RESULT_LINE("BEGIN"));
    out_field("variant", kip->variant);
    out_field("arch", kip->arch);
    out_field("clock", clock);
    out_field("build", kip->build);
    out_field_u64("samples", samples);
    out_field_u64("warmup", warmup);
    out_field("counter", kip->counter);
    out_field_u64("reg_words", kip->reg_words);
    out_field_u64("max_words", kip->max_words);
    out_field("workload", mode);
    out_str("\n");
    /* The kernel's configuration string, as it is: one key=value per design axis. */
    out_str(RESULT_LINE("CONFIG") " ");
    out_str(kip->config);
    out_str("\n");
}

/* Back-to-back counter reads: what one read costs, reported raw. */
static void counter_case(unsigned id, unsigned samples, unsigned warmup)
{
    for (unsigned i = 0; i < warmup + samples; i++) {
        uint64_t a = counter_read();
        uint64_t b = counter_read();
        if (i >= warmup) {
            values[i - warmup] = (int64_t)(b - a);
            starts[i - warmup] = a;
        }
    }
    report_case_at(id, "counter", "self", 0, "read", 0, (struct overhead){0, 0}, values,
                   starts, samples);
}

/* The stub with a nop for the trap: the overhead every other case subtracts. The
 * minimum is taken, the one value no interrupt or cache miss has inflated; `cold`
 * flushes the caches and TLBs before each call (model only), as the cold cases do. */
static struct overhead stub_overhead(unsigned samples, unsigned warmup, int cold)
{
    struct ipc_args a = {.nr = SYS_NULL};
    struct overhead best = {~0ull, 0};
    for (unsigned i = 0; i < warmup + samples; i++) {
        if (cold)
            model_flush();
        ipc_stub_nop(&a);
        uint64_t d = a.t_after - a.t_before;
        if (i >= warmup && d < best.ticks)
            best = (struct overhead){d, a.t_before};
    }
    return best;
}

static void null_syscall_case(unsigned id, unsigned samples, unsigned warmup, int cold,
                              unsigned *checks, unsigned *failed)
{
    struct overhead overhead = cold ? model_run.cold : model_run.hot;
    struct ipc_args a = {0};
    unsigned errors = 0;
    for (unsigned i = 0; i < warmup + samples; i++) {
        a.nr = SYS_NULL;
        if (cold)
            model_flush();
        ipc_stub(&a);
        errors += a.error != E_OK;
        if (i >= warmup) {
            values[i - warmup] = (int64_t)(a.t_after - a.t_before - overhead.ticks);
            starts[i - warmup] = a.t_before;
        }
    }
    report_case_at(id, "null_syscall", "self", 0, "round", cold, overhead, values, starts,
                   samples);
    report_check_count(checks, failed, cold ? "null_syscall_cold_ok" : "null_syscall_ok", 0,
                       errors);
}

int main(const struct kip *info)
{
    kip = info;
    if (kip->magic != KIP_MAGIC || kip->abi_version != ABI_VERSION) {
        out_str(RESULT_LINE("END") " status=fail cases=0 checks=0 failed=1\n");
        return 1;
    }
    unsigned samples = (unsigned)cmdline_u64(kip->cmdline, "samples", 1000);
    unsigned warmup = (unsigned)cmdline_u64(kip->cmdline, "warmup", 100);
    if (samples < 1)
        samples = 1;
    if (samples > MAX_SAMPLES)
        samples = MAX_SAMPLES;
    if (warmup > MAX_SAMPLES)
        warmup = MAX_SAMPLES;
    char mode[32];
    cmdline_str(kip->cmdline, "mode", mode, sizeof(mode), "ipc");
    print_begin(samples, warmup, mode); /* sets model_run.on from clock= */

    unsigned checks = 0, failed = 0, cases = 0;
    if (model_run.on)
        report_check_count(&checks, &failed, "model_flush_marker", 1, ARCH_HAS_MODEL_FLUSH);
    const struct workload *w = workload_find(mode);
    if (str_eq(mode, "fuzz")) {
        cases = fuzz_run(&checks, &failed);
    } else if (str_eq(mode, "ipc")) {
        counter_case(cases++, samples, warmup);
        model_run.hot = stub_overhead(samples, warmup, 0);
        if (model_run.on)
            model_run.cold = stub_overhead(samples, warmup, 1);
        null_syscall_case(cases++, samples, warmup, 0, &checks, &failed);
        if (model_run.on)
            null_syscall_case(cases++, samples, warmup, 1, &checks, &failed);
        bad_input_checks(&checks, &failed);
        isolation_checks(&checks, &failed);
        notify_checks(&checks, &failed);
        timeout_checks(&checks, &failed);
        clan_checks(&checks, &failed);
        task_checks(&checks, &failed);
        frame_checks(&checks, &failed);
        cspace_checks(&checks, &failed);
        reply_checks(&checks, &failed);
        tcb_checks(&checks, &failed);
        cases += ipc_benchmarks(cases, samples, warmup, model_run.hot.ticks, &checks,
                                &failed);
        time_checks(&checks, &failed);  /* after the benchmarks: it moves no sample */
    } else if (w) {
        model_run.hot = stub_overhead(samples, warmup, 0);
        if (model_run.on)
            model_run.cold = stub_overhead(samples, warmup, 1);
        struct workload_env env = {
            .first_case = 0, .samples = samples, .warmup = warmup,
            .overhead = model_run.hot.ticks, .checks = &checks,
            .failed = &failed};
        cases = w->run(&env);
    } else {
        out_str("unknown mode=");
        out_str(mode);
        out_str("; valid: ipc fuzz");
        for (w = __workloads_start; w < __workloads_end; w++) {
            out_str(" ");
            out_str(w->name);
        }
        out_str("\n");
        report_check_count(&checks, &failed, "mode_known", 1, 0);
    }

    out_str(RESULT_LINE("END"));
    out_field("status", failed ? "fail" : "ok");
    out_field_u64("cases", cases);
    out_field_u64("checks", checks);
    out_field_u64("failed", failed);
    out_str("\n");
    return failed ? 1 : 0;
}
