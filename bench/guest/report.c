/* The result lines of bench/FORMAT.md, version 2. */
#include "runtime.h"

#define VALUES_PER_LINE 16

struct model_run model_run;

void report_case(unsigned id, const char *bench, const char *space, unsigned len,
                 const char *metric, uint64_t overhead, const int64_t *values, unsigned n)
{
    report_case_at(id, bench, space, len, metric, 0, (struct overhead){overhead, 0}, values,
                   0, n);
}

/* STAMP id=<n> <d> ...: where each sample's window starts (the model only), each as the
 * difference from the previous sample's start (the first from 0): a few digits each
 * instead of ten, which halves what a model boot prints. */
static void report_stamps(unsigned id, const uint64_t *starts, unsigned n)
{
    uint64_t prev = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i % VALUES_PER_LINE == 0) {
            out_str(RESULT_LINE("STAMP") " id=");
            out_u64(id);
        }
        out_str(" ");
        out_u64(starts[i] - prev);
        prev = starts[i];
        if (i % VALUES_PER_LINE == VALUES_PER_LINE - 1 || i == n - 1)
            out_str("\n");
    }
}

void report_case_at(unsigned id, const char *bench, const char *space, unsigned len,
                    const char *metric, int cold, struct overhead overhead,
                    const int64_t *values, const uint64_t *starts, unsigned n)
{
    out_str(RESULT_LINE("CASE"));
    out_field_u64("id", id);
    out_field("bench", bench);
    out_field("space", space);
    out_field_u64("len", len);
    out_field("metric", metric);
    out_field_u64("overhead", overhead.ticks);
    out_field_u64("samples", n);
    if (cold)
        out_field("cache", "cold");
    if (model_run.on)
        out_field_u64("overhead_at", overhead.at);
    out_str("\n");
    int64_t sum = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i % VALUES_PER_LINE == 0) {
            out_str(RESULT_LINE("DATA") " id=");
            out_u64(id);
        }
        out_str(" ");
        out_i64(values[i]);
        sum += values[i];
        if (i % VALUES_PER_LINE == VALUES_PER_LINE - 1 || i == n - 1)
            out_str("\n");
    }
    if (model_run.on && starts)
        report_stamps(id, starts, n);
    out_str(RESULT_LINE("CASE-END"));
    out_field_u64("id", id);
    out_field_u64("count", n);
    out_str(" sum=");
    out_i64(sum);
    out_str("\n");
}

void report_skip(const char *bench, const char *space, unsigned len, const char *reason)
{
    out_str(RESULT_LINE("SKIP"));
    out_field("bench", bench);
    out_field("space", space);
    out_field_u64("len", len);
    out_field("reason", reason);
    out_str("\n");
}

unsigned report_check(const char *name, uint64_t expect, uint64_t got)
{
    out_str(RESULT_LINE("CHECK"));
    out_field("name", name);
    out_field_u64("expect", expect);
    out_field_u64("got", got);
    out_field("result", expect == got ? "pass" : "fail");
    out_str("\n");
    return expect != got;
}

void report_check_count(unsigned *checks, unsigned *failed, const char *name,
                        uint64_t expect, uint64_t got)
{
    (*checks)++;
    *failed += report_check(name, expect, got);
}
