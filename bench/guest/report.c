/* The result lines of bench/FORMAT.md, version 1. */
#include "runtime.h"

#define VALUES_PER_LINE 16

void report_case(unsigned id, const char *bench, const char *space, unsigned len,
                 const char *metric, uint64_t overhead, const int64_t *values, unsigned n)
{
    out_str(RESULT_LINE("CASE"));
    out_field_u64("id", id);
    out_field("bench", bench);
    out_field("space", space);
    out_field_u64("len", len);
    out_field("metric", metric);
    out_field_u64("overhead", overhead);
    out_field_u64("samples", n);
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
