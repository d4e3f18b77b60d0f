/*
 * Notifications misused from user mode (NOTIFY axis): every misuse answered by an error
 * code while the kernel runs on, and the uses that must work, end to end.
 *
 *   NOTIFY=none    every notification system call is refused as unknown;
 *   NOTIFY=notify  a signal through a capability without the SEND right, a wait or a
 *                  bind without RECV, a slot that is empty, out of range, stale (its
 *                  notification deleted) or of the wrong type (an endpoint); a wait on,
 *                  or a bind of, a notification bound to another thread; a second
 *                  binding; and the right answers: poll takes the badge bits and clears
 *                  them, a signal ends the bound thread's receive with the bits.
 */
#include "runtime.h"

#define CHECK_BADGE 0x30u
#define BOUND_PRIORITY (BENCH_PRIORITY + 10)

static unsigned *n_checks, *n_failed;

static void check(const char *name, uint64_t expect, uint64_t got)
{
    report_check_count(n_checks, n_failed, name, expect, got);
}

static uint64_t sys(uint64_t nr, uint64_t a0, uint64_t a1)
{
    return syscall5(nr, a0, a1, 0, 0, 0).error;
}

/* The highest empty slot of the root's table (the bottom ones are taken in order). */
static uint64_t spare_slot(uint64_t below)
{
    return below - 1;
}

static struct {
    uint64_t slot;                 /* the notification, in the thread's (root's) table */
    volatile uint64_t bind_error;
    volatile uint64_t got_error;
    volatile uint64_t got_tag;
    volatile uint64_t got_bits;
    volatile uint64_t woken;
} bound;

/* Binds the notification, then waits in an open receive: a signal must end it. */
static void bound_thread(uint64_t from)
{
    bound.bind_error = sys(SYS_NOTIFY_BIND, bound.slot, 0);
    for (;;) {
        struct ipc_args a = {.nr = SYS_RECV, .from = from};
        ipc_stub(&a);
        bound.got_error = a.error;
        bound.got_tag = a.tag;
        bound.got_bits = a.dest;
        bound.woken++;
    }
}

static void refused_without_notifications(void)
{
    check("notify_none_create", E_INVALID_SYSCALL, sys(SYS_NOTIFY_CREATE, 0, 0));
    check("notify_none_signal", E_INVALID_SYSCALL, sys(SYS_SIGNAL, 1, 0));
    check("notify_none_wait", E_INVALID_SYSCALL, sys(SYS_WAIT, 1, 0));
    check("notify_none_poll", E_INVALID_SYSCALL, sys(SYS_POLL, 1, 0));
    check("notify_none_bind", E_INVALID_SYSCALL, sys(SYS_NOTIFY_BIND, 1, 0));
}

void notify_checks(unsigned *checks, unsigned *failed)
{
    n_checks = checks;
    n_failed = failed;
    if (!kip_config_is("notify", "notify")) {
        refused_without_notifications();
        return;
    }
    struct sys_result n = syscall5(SYS_NOTIFY_CREATE, 0, 0, 0, 0, 0);
    check("notify_create", E_OK, n.error);
    if (n.error != E_OK)
        return;
    uint64_t send_only = spare_slot(CAP_SLOTS), recv_only = spare_slot(CAP_SLOTS - 1);
    check("notify_mint_send", E_OK, syscall5(SYS_CAP_MINT, kip->root_space, n.value,
                                             send_only, CHECK_BADGE, CAP_RIGHT_SEND).error);
    check("notify_mint_recv", E_OK, syscall5(SYS_CAP_MINT, kip->root_space, n.value,
                                             recv_only, 0, CAP_RIGHT_RECV).error);

    /* rights */
    check("notify_signal_without_send_right", E_INVALID_CAP, sys(SYS_SIGNAL, recv_only, 0));
    check("notify_wait_without_recv_right", E_INVALID_CAP, sys(SYS_WAIT, send_only, 0));
    check("notify_poll_without_recv_right", E_INVALID_CAP, sys(SYS_POLL, send_only, 0));
    check("notify_bind_without_recv_right", E_INVALID_CAP, sys(SYS_NOTIFY_BIND, send_only, 0));

    /* bad slots */
    check("notify_signal_out_of_range", E_INVALID_CAP, sys(SYS_SIGNAL, 1ull << 40, 0));
    check("notify_signal_nil", E_INVALID_CAP, sys(SYS_SIGNAL, IPC_NIL, 0));
    check("notify_wait_empty_slot", E_INVALID_CAP, sys(SYS_WAIT, spare_slot(CAP_SLOTS - 2), 0));
    if (kip_config_is("dest", "endpoint")) {
        struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        check("notify_wrong_type_setup", E_OK, ep.error);
        check("notify_signal_an_endpoint", E_INVALID_CAP, sys(SYS_SIGNAL, ep.value, 0));
        check("notify_wait_an_endpoint", E_INVALID_CAP, sys(SYS_WAIT, ep.value, 0));
        check("notify_send_to_a_notification", E_INVALID_CAP,
              syscall5(SYS_SEND, n.value, TAG_SEND_NONBLOCK, 0, 0, 0).error);
        sys(SYS_CAP_DELETE, ep.value, 0);
    }

    /* the word: signal ORs the badge in, poll takes and clears it */
    check("notify_poll_empty", E_WOULD_BLOCK, sys(SYS_POLL, n.value, 0));
    check("notify_signal", E_OK, sys(SYS_SIGNAL, send_only, 0));
    struct sys_result p = syscall5(SYS_POLL, recv_only, 0, 0, 0, 0);
    check("notify_poll_takes_badge", CHECK_BADGE, p.error == E_OK ? p.value : ~0ull);
    check("notify_poll_cleared", E_WOULD_BLOCK, sys(SYS_POLL, n.value, 0));

    /* bound to another thread: its alone */
    bound.slot = n.value;
    struct thread_info t;
    uint64_t from = IPC_ANY;
    struct sys_result never = {E_OK, IPC_ANY};
    if (kip_config_is("dest", "endpoint")) {
        never = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        from = never.value;
    }
    int spawned = thread_spawn(kip->root_space, bound_thread, from, BOUND_PRIORITY, &t);
    check("notify_bound_thread", E_OK, (uint64_t)spawned);
    if (spawned == E_OK) {
        check("notify_bind", E_OK, bound.bind_error);
        check("notify_wait_bound_elsewhere", E_NO_PERMISSION, sys(SYS_WAIT, n.value, 0));
        check("notify_bind_bound_elsewhere", E_NO_PERMISSION,
              sys(SYS_NOTIFY_BIND, n.value, 0));
        check("notify_poll_bound_elsewhere", E_NO_PERMISSION, sys(SYS_POLL, n.value, 0));
        check("notify_signal_bound", E_OK, sys(SYS_SIGNAL, send_only, 0));
        check("notify_bound_receive_woken", 1, bound.woken);
        check("notify_bound_receive_ok", E_OK, bound.got_error);
        check("notify_bound_receive_tag", TAG_NOTIFICATION, bound.got_tag & TAG_NOTIFICATION);
        check("notify_bound_receive_bits", CHECK_BADGE, bound.got_bits);
        check("notify_bound_thread_destroy", E_OK, thread_release(&t));
        /* its binding went with it: the root may bind it now */
        check("notify_bind_after_death", E_OK, sys(SYS_NOTIFY_BIND, n.value, 0));
        check("notify_unbind", E_OK, sys(SYS_NOTIFY_BIND, IPC_NIL, 0));
    }
    if (never.value != IPC_ANY)
        sys(SYS_CAP_DELETE, never.value, 0);

    /* stale: every capability gone, the slots are empty and say so */
    check("notify_delete_send", E_OK, sys(SYS_CAP_DELETE, send_only, 0));
    check("notify_delete_recv", E_OK, sys(SYS_CAP_DELETE, recv_only, 0));
    check("notify_delete", E_OK, sys(SYS_CAP_DELETE, n.value, 0));
    check("notify_signal_stale", E_INVALID_CAP, sys(SYS_SIGNAL, n.value, 0));
    check("notify_wait_stale", E_INVALID_CAP, sys(SYS_WAIT, send_only, 0));
    check("kernel_runs_on_after_notify", E_OK, sys(SYS_NULL, 0, 0));
}
