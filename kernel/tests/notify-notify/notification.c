/* NOTIFY=notify: signal, wait, poll, coalescing, binding, lifetimes, bad input. */
#include "notify.h"
#include "unit.h"

/* A notification made by t (its space's quota), and the slot naming it. */
static uint64_t make_notification(struct tcb *t)
{
    sys_call(t, SYS_NOTIFY_CREATE, 0, 0, 0);
    EXPECT_EQ(result_error(t), E_OK);
    return result_value(t, 0);
}

UNIT_TEST(test_signal_then_wait)
{
    reset();
    struct tcb *t = spawn(space_a, 100);
    run(t);
    uint64_t n = make_notification(t);
    sys_call(t, SYS_POLL, n, 0, 0);
    EXPECT_EQ(result_error(t), E_WOULD_BLOCK);
    sys_call(t, SYS_SIGNAL, n, 0, 0);
    EXPECT_EQ(result_error(t), E_OK);
    EXPECT(sys_call(t, SYS_WAIT, n, 0, 0) == t);             /* bits there: no block */
    EXPECT_EQ(result_value(t, 0), 1);                        /* unbadged: bit 0 */
    sys_call(t, SYS_POLL, n, 0, 0);
    EXPECT_EQ(result_error(t), E_WOULD_BLOCK);               /* taken and cleared */
    kernel_check_invariants();
}

/* Signals before anyone waits coalesce into one word: one wake-up, every bit. */
UNIT_TEST(test_signals_coalesce)
{
    reset();
    struct tcb *t = spawn(space_a, 100);
    run(t);
    uint64_t n = make_notification(t);
    uint64_t sources[3];
    for (unsigned i = 0; i < 3; i++) {
        sources[i] = cap_free_slot(space_a);
        EXPECT_EQ(cap_mint(space_a, n, space_a, sources[i], 1ull << (i + 1), CAP_RIGHT_SEND),
                  E_OK);
        sys_call(t, SYS_SIGNAL, sources[i], 0, 0);
    }
    sys_call(t, SYS_SIGNAL, sources[1], 0, 0);
    sys_call(t, SYS_WAIT, n, 0, 0);
    EXPECT_EQ(result_value(t, 0), 0xe);
    /* A send-only capability cannot wait; a receive right is needed. */
    sys_call(t, SYS_WAIT, sources[0], 0, 0);
    EXPECT_EQ(result_error(t), E_INVALID_CAP);
}

/* A waiter blocks; the signal wakes it, and a waiter of higher priority runs at once. */
UNIT_TEST(test_wait_blocks_signal_wakes)
{
    reset();
    struct tcb *low = spawn(space_a, 50);
    struct tcb *high = spawn(space_a, 150);
    run(high);
    uint64_t n = make_notification(high);
    struct tcb *next = sys_call(high, SYS_WAIT, n, 0, 0);
    EXPECT_EQ(high->state, THREAD_NOTIFY_BLOCKED);
    EXPECT(next == low);
    kernel_check_invariants();
    run(low);
    uint64_t send = cap_free_slot(space_a);
    EXPECT_EQ(cap_mint(space_a, n, space_a, send, 0x40, CAP_RIGHT_SEND), E_OK);
    next = sys_call(low, SYS_SIGNAL, send, 0, 0);
    EXPECT(next == high);                                    /* outranks the signaller */
    EXPECT_EQ(high->state, THREAD_READY);
    EXPECT_EQ(result_value(high, 0), 0x40);
    kernel_check_invariants();
}

/* A lower-priority waiter is made ready; the signaller goes on. */
UNIT_TEST(test_signal_lower_waiter)
{
    reset();
    struct tcb *low = spawn(space_a, 50);
    struct tcb *high = spawn(space_a, 150);
    run(low);
    uint64_t n = make_notification(low);
    sys_call(low, SYS_WAIT, n, 0, 0);
    run(high);
    EXPECT(sys_call(high, SYS_SIGNAL, n, 0, 0) == high);
    EXPECT_EQ(low->state, THREAD_READY);
    EXPECT(low->queued);
}

/* A server bound to a notification: an open receive ends on a signal, and bits that
 * are already there end the next receive at once. */
UNIT_TEST(test_bound_notification_ends_receive)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    uint64_t n = make_notification(p.server);
    sys_call(p.server, SYS_NOTIFY_BIND, n, 0, 0);
    EXPECT_EQ(result_error(p.server), E_OK);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    EXPECT_EQ(p.server->state, THREAD_RECV_BLOCKED);
    run(p.client);
    uint64_t send = cap_free_slot(space_a);
    EXPECT_EQ(cap_mint(space_a, n, space_a, send, 0x8, CAP_RIGHT_SEND), E_OK);
    /* The client signals through a capability in the server's space: take it there. */
    p.client->space = space_a;
    sys_call(p.client, SYS_SIGNAL, send, 0, 0);
    p.client->space = space_b;
    EXPECT_EQ(p.server->state, THREAD_READY);
    EXPECT_EQ(result_value(p.server, 0), 0x8);
    EXPECT(result_value(p.server, 1) & TAG_NOTIFICATION);
    kernel_check_invariants();
    /* Pending bits: the next receive returns them without blocking. */
    run(p.client);
    p.client->space = space_a;
    sys_call(p.client, SYS_SIGNAL, send, 0, 0);
    p.client->space = space_b;
    run(p.server);
    EXPECT(ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from) == p.server);
    EXPECT_EQ(result_value(p.server, 0), 0x8);
    if (CONFIG_FASTPATH_ON) {           /* and the fast path leaves such a receive alone */
        p.client->space = space_a;
        sys_call(p.client, SYS_SIGNAL, send, 0, 0);
        p.client->space = space_b;
        run(p.server);
        EXPECT(fastpath_reply_wait(p.reply_dest, 0, p.recv_from) == NULL);
    }
}

UNIT_TEST(test_bound_is_the_threads_alone)
{
    reset();
    struct tcb *a = spawn(space_a, 100);
    struct tcb *b = spawn(space_a, 100);
    run(a);
    uint64_t n = make_notification(a);
    uint64_t other = make_notification(a);
    sys_call(a, SYS_NOTIFY_BIND, n, 0, 0);
    sys_call(b, SYS_WAIT, n, 0, 0);
    EXPECT_EQ(result_error(b), E_NO_PERMISSION);              /* bound to a */
    sys_call(b, SYS_NOTIFY_BIND, n, 0, 0);
    EXPECT_EQ(result_error(b), E_NO_PERMISSION);              /* bound to a */
    sys_call(a, SYS_NOTIFY_BIND, other, 0, 0);
    EXPECT_EQ(result_error(a), E_INVALID_ARG);                /* one per thread */
    sys_call(a, SYS_NOTIFY_BIND, IPC_NIL, 0, 0);               /* unbind */
    EXPECT_EQ(result_error(a), E_OK);
    sys_call(b, SYS_POLL, n, 0, 0);
    EXPECT_EQ(result_error(b), E_WOULD_BLOCK);                /* b may use it now */
    kernel_check_invariants();
}

/* The last capability gone: the waiter is released with E_ABORTED, the bound thread
 * unbound, the quota given back. */
UNIT_TEST(test_notification_dies_with_last_cap)
{
    reset();
    struct tcb *waiter = spawn(space_a, 100);
    struct tcb *owner = spawn(space_a, 100);
    run(owner);
    uint32_t quota = space_a->object_quota;
    uint64_t n = make_notification(owner);
    uint64_t bound = make_notification(owner);
    sys_call(owner, SYS_NOTIFY_BIND, bound, 0, 0);
    sys_call(waiter, SYS_WAIT, n, 0, 0);
    EXPECT_EQ(waiter->state, THREAD_NOTIFY_BLOCKED);
    EXPECT_EQ(cap_delete(space_a, n), E_OK);
    EXPECT_EQ(cap_delete(space_a, bound), E_OK);
    EXPECT_EQ(waiter->state, THREAD_READY);
    EXPECT_EQ(result_error(waiter), E_ABORTED);
    EXPECT(owner->bound == NULL);
    EXPECT_EQ(space_a->object_quota, quota);
    kernel_check_invariants();
}

UNIT_TEST(test_notification_bad_input)
{
    reset();
    struct tcb *t = spawn(space_a, 100);
    struct tcb *child = spawn(space_b, 100);
    run(t);
    sys_call(t, SYS_SIGNAL, CAP_SLOTS - 1, 0, 0);             /* empty slot */
    EXPECT_EQ(result_error(t), E_INVALID_CAP);
    sys_call(t, SYS_WAIT, 999, 0, 0);                         /* out of range */
    EXPECT_EQ(result_error(t), E_INVALID_CAP);
    sys_call(child, SYS_NOTIFY_CREATE, 0, 0, 0);               /* a child has no quota */
    EXPECT_EQ(result_error(child), E_QUOTA);
    /* A thread waiting on a notification dies: nothing stays queued. */
    uint64_t n = make_notification(t);
    struct tcb *w = spawn(space_a, 100);
    sys_call(w, SYS_WAIT, n, 0, 0);
    thread_kill(w);
    kernel_check_invariants();
    sys_call(t, SYS_SIGNAL, n, 0, 0);
    sys_call(t, SYS_POLL, n, 0, 0);
    EXPECT_EQ(result_error(t), E_OK);                          /* the bit was kept */
}
