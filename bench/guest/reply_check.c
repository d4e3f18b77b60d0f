/*
 * The right to reply (endpoint addressing), misused: a server that took a call may
 * reply once; a second reply, and a reply by a thread that took no call, find nobody
 * (E_INVALID_DEST) and release nobody, and the kernel runs on. Under REPLY=cap the
 * right is a reply capability, created by the call and deleted by the first reply;
 * under REPLY=pointer a pointer cleared by it: the answers are the same.
 *
 * The root calls a server; the server, holding the right, yields to another thread
 * that tries to reply in its place; then the server replies, and tries again.
 */
#include "runtime.h"

struct reply_misuse {
    uint64_t endpoint, never;        /* where requests come; where nothing ever comes */
    volatile uint64_t other_error, first_error, second_error, other_done, server_done;
};

static struct reply_misuse rm;

static uint64_t reply_wait(uint64_t from)
{
    struct ipc_args a = {.nr = SYS_REPLY_WAIT, .tag = TAG_RECV_NONBLOCK, .from = from};
    ipc_stub(&a);
    return a.error;
}

static void park(uint64_t from)
{
    for (;;) {
        struct ipc_args a = {.nr = SYS_RECV, .from = from};
        ipc_stub(&a);
    }
}

static void misuse_server(uint64_t arg)
{
    struct reply_misuse *r = (struct reply_misuse *)(uintptr_t)arg;
    struct ipc_args a = {.nr = SYS_RECV, .from = r->endpoint};
    ipc_stub(&a);                                      /* the root's call */
    syscall5(SYS_YIELD, 0, 0, 0, 0, 0);                /* the other thread's turn */
    /* Replied: the root is released; no sender waits, so the receive half fails. */
    r->first_error = reply_wait(r->endpoint);
    r->second_error = reply_wait(r->endpoint);        /* the right is used up */
    r->server_done = 1;
    park(r->never);
}

static void misuse_other(uint64_t arg)
{
    struct reply_misuse *r = (struct reply_misuse *)(uintptr_t)arg;
    r->other_error = reply_wait(r->endpoint);         /* it took no call */
    r->other_done = 1;
    park(r->never);
}

void reply_checks(unsigned *checks, unsigned *failed)
{
    if (!kip_config_is("dest", "endpoint"))
        return;
    struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
    struct sys_result never = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
    report_check_count(checks, failed, "reply_endpoints", E_OK, ep.error | never.error);
    rm.endpoint = ep.value;
    rm.never = never.value;
    rm.first_error = rm.second_error = rm.other_error = ~0ull;
    struct thread_info server, other;
    report_check_count(checks, failed, "reply_server_spawn", E_OK,
                       (uint64_t)thread_spawn(kip->root_space, misuse_server,
                                              (uint64_t)(uintptr_t)&rm, BENCH_PRIORITY,
                                              &server));
    for (unsigned i = 0; i < 4; i++)                   /* the server blocks receiving */
        syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
    report_check_count(checks, failed, "reply_other_spawn", E_OK,
                       (uint64_t)thread_spawn(kip->root_space, misuse_other,
                                              (uint64_t)(uintptr_t)&rm, BENCH_PRIORITY,
                                              &other));
    struct ipc_args a = {.nr = SYS_CALL, .dest = rm.endpoint};
    ipc_stub(&a);
    report_check_count(checks, failed, "reply_call_answered", E_OK, a.error);
    /* The other thread had its turn before the server replied. */
    report_check_count(checks, failed, "reply_by_other_thread_refused", E_INVALID_DEST,
                       rm.other_error);
    for (unsigned i = 0; i < 4; i++)
        syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
    report_check_count(checks, failed, "reply_first_use_ok", E_WOULD_BLOCK, rm.first_error);
    report_check_count(checks, failed, "reply_used_twice_refused", E_INVALID_DEST,
                       rm.second_error);
    report_check_count(checks, failed, "reply_threads_ran", 2, rm.other_done + rm.server_done);
    thread_release(&server);
    thread_release(&other);
    syscall5(SYS_CAP_DELETE, rm.endpoint, 0, 0, 0, 0);
    syscall5(SYS_CAP_DELETE, rm.never, 0, 0, 0, 0);
    report_check_count(checks, failed, "reply_kernel_runs_on", E_OK,
                       syscall5(SYS_NULL, 0, 0, 0, 0, 0).error);
}
