/*
 * IPC timeouts from user mode (TIMEOUTS axis): bad timeout values are refused with an
 * error code, and under TIMEOUTS=full a finite timeout really ends a phase with
 * E_TIMEOUT and leaves nothing queued.
 *
 *   zeroinf  the tag has no timeout fields: a value in them is ignored (a phase with
 *            its non-blocking bit still ends at once, where full refuses the pair),
 *            zero works;
 *   full     a timeout above TIMEOUT_MAX_TICKS, one that goes with the phase's
 *            non-blocking bit, or a send timeout on reply-and-wait is E_INVALID_ARG; a
 *            send to a thread that does not receive, a receive from one that does not
 *            send, and a call nobody answers each end with E_TIMEOUT; an endpoint whose
 *            sender timed out holds no sender afterwards.
 */
#include "runtime.h"

static unsigned *n_checks, *n_failed;

static void check(const char *name, uint64_t expect, uint64_t got)
{
    report_check_count(n_checks, n_failed, name, expect, got);
}

/* A server that takes one request and then waits for a message that never comes (from
 * the root thread, which never sends it one): its caller's reply never arrives. */
static void silent_server(uint64_t from)
{
    ipc_error(SYS_RECV, 0, 0, from);
    for (;;)
        ipc_error(SYS_RECV, 0, 0, from == IPC_ANY ? kip->root_tid : from);
}

void timeout_checks(unsigned *checks, unsigned *failed)
{
    n_checks = checks;
    n_failed = failed;
    bool endpoint = kip_config_is("dest", "endpoint");
    struct thread_info idle;
    if (thread_make(kip->root_space, BENCH_PRIORITY, &idle) != E_OK) {
        check("timeout_idle_thread", E_OK, E_NO_MEMORY);
        return;
    }
    /* A destination that never receives, a source that never sends: an idle thread
     * (thread IDs), or an endpoint nobody else holds. */
    uint64_t nobody = idle.tid;
    if (endpoint)
        nobody = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0).value;
    if (!kip_config_is("timeouts", "full")) {
        check("timeout_zeroinf_send_ignored", E_WOULD_BLOCK,
              ipc_error(SYS_SEND, nobody, tag_timeouts(TAG_SEND_NONBLOCK, 5, 0), 0));
        check("timeout_zeroinf_recv_ignored", E_WOULD_BLOCK,
              ipc_error(SYS_RECV, 0, tag_timeouts(TAG_RECV_NONBLOCK, 0, TAG_TIMEOUT_FIELD), nobody));
        check("timeout_zeroinf_zero", E_WOULD_BLOCK, ipc_error(SYS_SEND, nobody, TAG_SEND_NONBLOCK, 0));
        thread_release(&idle);
        return;
    }
    check("timeout_send_out_of_range", E_INVALID_ARG,
          ipc_error(SYS_SEND, nobody, tag_timeouts(0, TIMEOUT_MAX_TICKS + 1, 0), 0));
    check("timeout_recv_out_of_range", E_INVALID_ARG,
          ipc_error(SYS_RECV, 0, tag_timeouts(0, 0, TAG_TIMEOUT_FIELD), nobody));
    check("timeout_with_nonblock", E_INVALID_ARG,
          ipc_error(SYS_SEND, nobody, tag_timeouts(TAG_SEND_NONBLOCK, 1, 0), 0));
    check("timeout_reply_wait_send", E_INVALID_ARG,
          ipc_error(SYS_REPLY_WAIT, nobody, tag_timeouts(0, 1, 0), nobody));
    check("timeout_send_expires", E_TIMEOUT,
          ipc_error(SYS_SEND, nobody, tag_timeouts(0, 2, 0), 0));
    check("timeout_recv_expires", E_TIMEOUT,
          ipc_error(SYS_RECV, 0, tag_timeouts(0, 0, 1), nobody));
    if (endpoint)   /* the sender that timed out is off the endpoint's queue */
        check("timeout_nothing_queued", E_WOULD_BLOCK,
              ipc_error(SYS_RECV, 0, TAG_RECV_NONBLOCK, nobody));
    /* A call the server takes and never answers. */
    struct thread_info server;
    uint64_t dest = endpoint ? nobody : 0;
    if (thread_spawn(kip->root_space, silent_server, endpoint ? nobody : IPC_ANY,
                     BENCH_PRIORITY, &server) == E_OK) {
        if (!endpoint)
            dest = server.tid;
        check("timeout_call_unanswered", E_TIMEOUT,
              ipc_error(SYS_CALL, dest, tag_timeouts(0, 3, 2), 0));
        check("timeout_server_destroy", E_OK, thread_release(&server));
    }
    thread_release(&idle);
    if (endpoint)
        syscall5(SYS_CAP_DELETE, nobody, 0, 0, 0, 0);
    check("timeout_kernel_runs_on", E_OK, syscall5(SYS_NULL, 0, 0, 0, 0, 0).error);
}
