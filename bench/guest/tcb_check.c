/*
 * Thread numbers at the edges of the kernel's TCBs: a thread ID whose number is past
 * the last TCB, or names a TCB no thread ever had (under TCB=varray a block still on
 * the shared zero page), names nothing: starting, destroying and (with thread IDs)
 * calling or sending to it get E_INVALID_DEST, and the kernel runs on. How many TCBs
 * there are is the configuration string's threads=.
 */
#include "runtime.h"

void tcb_checks(unsigned *checks, unsigned *failed)
{
    uint64_t threads = cmdline_u64(kip->config, "threads", 64);
    const uint64_t numbers[] = {threads, threads + 1, threads - 1, 0xffff};
    bool thread_ids = !kip_config_is("dest", "endpoint");
    uint64_t wrong = 0;
    for (unsigned i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        uint64_t tid = (numbers[i] << TID_VERSION_BITS) | 1;
        wrong += syscall5(SYS_THREAD_START, tid, ROOT_IMAGE_BASE, ROOT_UTCB_ADDRESS, 0,
                          0).error != E_INVALID_DEST;
        wrong += syscall5(SYS_THREAD_DESTROY, tid, 0, 0, 0, 0).error != E_INVALID_DEST;
        if (thread_ids) {
            struct ipc_args a = {.nr = SYS_SEND, .dest = tid, .tag = TAG_SEND_NONBLOCK};
            ipc_stub(&a);
            wrong += a.error != E_INVALID_DEST;
            a = (struct ipc_args){.nr = SYS_CALL, .dest = tid};
            ipc_stub(&a);
            wrong += a.error != E_INVALID_DEST;
        }
    }
    report_check_count(checks, failed, "tcb_numbers_outside_refused", 0, wrong);
    report_check_count(checks, failed, "tcb_kernel_runs_on", E_OK,
                       syscall5(SYS_NULL, 0, 0, 0, 0, 0).error);
}
