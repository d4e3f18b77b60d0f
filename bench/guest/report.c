/* The result lines of bench/FORMAT.md, version 1. */
#include "runtime.h"

#define VALUES_PER_LINE 16

void report_case(unsigned id, const char *bench, const char *space, unsigned len,
                 const char *metric, uint64_t overhead, const int64_t *values, unsigned n)
{
    out_str("IPCLAB 1 CASE id=");
    out_u64(id);
    out_str(" bench=");
    out_str(bench);
    out_str(" space=");
    out_str(space);
    out_str(" len=");
    out_u64(len);
    out_str(" metric=");
    out_str(metric);
    out_str(" overhead=");
    out_u64(overhead);
    out_str(" samples=");
    out_u64(n);
    out_str("\n");
    int64_t sum = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i % VALUES_PER_LINE == 0) {
            out_str("IPCLAB 1 DATA id=");
            out_u64(id);
        }
        out_str(" ");
        out_i64(values[i]);
        sum += values[i];
        if (i % VALUES_PER_LINE == VALUES_PER_LINE - 1 || i == n - 1)
            out_str("\n");
    }
    out_str("IPCLAB 1 CASE-END id=");
    out_u64(id);
    out_str(" count=");
    out_u64(n);
    out_str(" sum=");
    out_i64(sum);
    out_str("\n");
}

void report_skip(const char *bench, const char *space, unsigned len, const char *reason)
{
    out_str("IPCLAB 1 SKIP bench=");
    out_str(bench);
    out_str(" space=");
    out_str(space);
    out_str(" len=");
    out_u64(len);
    out_str(" reason=");
    out_str(reason);
    out_str("\n");
}

unsigned report_check(const char *name, uint64_t expect, uint64_t got)
{
    out_str("IPCLAB 1 CHECK name=");
    out_str(name);
    out_str(" expect=");
    out_u64(expect);
    out_str(" got=");
    out_u64(got);
    out_str(expect == got ? " result=pass\n" : " result=fail\n");
    return expect != got;
}

void report_check_count(unsigned *checks, unsigned *failed, const char *name,
                        uint64_t expect, uint64_t got)
{
    (*checks)++;
    *failed += report_check(name, expect, got);
}
