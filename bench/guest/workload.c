/* The workload registry (workload.h) and the PLAN line. */
#include "workload.h"

const struct workload *workload_find(const char *name)
{
    for (const struct workload *w = __workloads_start; w < __workloads_end; w++)
        if (str_eq(w->name, name))
            return w;
    return 0;
}

void report_plan(unsigned cases)
{
    out_str(RESULT_LINE("PLAN"));
    out_field_u64("cases", cases);
    out_str("\n");
}
