/*
 * TIMEOUTS=full: the wake-up queue's order, the expiry of each phase (nothing left
 * queued after it), the timeouts a wait that ends otherwise leaves behind (none), the
 * fast path's decline, and bad timeout values. Under either addressing mode (the
 * dest-<mode>/ fixture names the partners).
 */
#include "dest.h"
#include "timeouts.h"
#include "unit.h"

/* A tag with the given send and receive timeouts in ticks. */
static uint64_t timed(uint64_t send_ticks, uint64_t recv_ticks)
{
    return tag_timeouts(tag_make(0, 0), send_ticks, recv_ticks);
}

static void ticks(unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        timeouts_tick(NULL);
}

/* Receivers blocking with timeouts 3, 1, 3, 2 expire in deadline order, the two of 3
 * at the same tick; the queue stays ordered after every insertion. */
UNIT_TEST(test_wakeup_queue_order)
{
    reset();
    struct tcb *t[4];
    uint64_t timeout[4] = {3, 1, 3, 2};
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    for (unsigned i = 0; i < 4; i++) {
        t[i] = spawn(space_a, 100);
        run(t[i]);
        ipc_general(t[i], SYS_RECV, 0, timed(0, timeout[i]), p.recv_from);
        EXPECT_EQ(t[i]->state, THREAD_RECV_BLOCKED);
        EXPECT(timeouts_consistent());
    }
    kernel_check_invariants();
    unsigned expired_at[4] = {0, 0, 0, 0};
    for (unsigned tick = 1; tick <= 4; tick++) {
        ticks(1);
        for (unsigned i = 0; i < 4; i++)
            if (!expired_at[i] && t[i]->state == THREAD_READY)
                expired_at[i] = tick;
        EXPECT(timeouts_consistent());
        kernel_check_invariants();
    }
    for (unsigned i = 0; i < 4; i++) {
        EXPECT_EQ(expired_at[i], timeout[i]);
        EXPECT_EQ(result_error(t[i]), E_TIMEOUT);
        EXPECT_EQ(t[i]->deadline, 0);
    }
}

/* A send that finds no receiver blocks for its timeout, then ends with E_TIMEOUT and
 * is no longer queued: a later receive finds no sender. */
UNIT_TEST(test_send_timeout_expires)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.client);
    ipc_general(p.client, SYS_SEND, p.call_dest, timed(2, 0), 0);
    EXPECT_EQ(p.client->state, THREAD_SEND_BLOCKED);
    ticks(1);
    EXPECT_EQ(p.client->state, THREAD_SEND_BLOCKED);
    ticks(1);
    EXPECT_EQ(p.client->state, THREAD_READY);
    EXPECT_EQ(result_error(p.client), E_TIMEOUT);
    kernel_check_invariants();
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, TAG_RECV_NONBLOCK, p.recv_from);
    EXPECT_EQ(result_error(p.server), E_WOULD_BLOCK);   /* nothing left queued */
    kernel_check_invariants();
}

UNIT_TEST(test_recv_timeout_expires)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, timed(0, 1), p.recv_from);
    expect_waits_for_request(&p);
    ticks(1);
    EXPECT_EQ(p.server->state, THREAD_READY);
    EXPECT_EQ(result_error(p.server), E_TIMEOUT);
    kernel_check_invariants();
    /* The server no longer waits: a non-blocking send to it finds no receiver. */
    run(p.client);
    ipc_general(p.client, SYS_SEND, p.call_dest, TAG_SEND_NONBLOCK, 0);
    EXPECT_EQ(result_error(p.client), E_WOULD_BLOCK);
}

/* A call whose reply does not come in time: the caller is released with E_TIMEOUT and
 * the server's late reply reaches nobody (no reply right, or a caller not waiting). */
UNIT_TEST(test_call_reply_timeout)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    ipc_general(p.client, SYS_CALL, p.call_dest, timed(0, 2), 0);
    expect_awaits_reply(p.client, p.server);
    ticks(2);
    EXPECT_EQ(p.client->state, THREAD_READY);
    EXPECT_EQ(result_error(p.client), E_TIMEOUT);
    kernel_check_invariants();
    run(p.server);
    ipc_general(p.server, SYS_REPLY_WAIT, p.reply_dest, 0, p.recv_from);
    EXPECT_EQ(result_error(p.server), CONFIG_DEST_TID ? E_WOULD_BLOCK : E_INVALID_DEST);
    EXPECT_EQ(p.client->state, THREAD_READY);
    EXPECT_EQ(result_error(p.client), E_TIMEOUT);          /* untouched by the reply */
    kernel_check_invariants();
}

/* A caller blocked sending: its send timeout runs until its message is taken, then its
 * receive timeout starts afresh. */
UNIT_TEST(test_call_timeouts_per_phase)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.client);
    ipc_general(p.client, SYS_CALL, p.call_dest, timed(3, 2), 0);
    EXPECT_EQ(p.client->state, THREAD_SEND_BLOCKED);
    ticks(2);                                   /* one tick of the send timeout left */
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    expect_awaits_reply(p.client, p.server);
    ticks(1);                                   /* the send timeout would end here */
    expect_awaits_reply(p.client, p.server);
    ticks(1);                                   /* the receive timeout's second tick */
    EXPECT_EQ(p.client->state, THREAD_READY);
    EXPECT_EQ(result_error(p.client), E_TIMEOUT);
    kernel_check_invariants();
}

/* A wait that a partner ends leaves no timeout behind. */
UNIT_TEST(test_delivery_cancels_timeout)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, timed(0, 2), p.recv_from);
    EXPECT(p.server->deadline != 0);
    run(p.client);
    ipc_general(p.client, SYS_SEND, p.call_dest, 0, 0);
    EXPECT_EQ(p.server->state, THREAD_READY);
    EXPECT_EQ(p.server->deadline, 0);
    kernel_check_invariants();
    ticks(3);
    EXPECT_EQ(result_error(p.server), E_OK);                /* no late E_TIMEOUT */
    kernel_check_invariants();
}

/* A thread killed while its timeout runs leaves the wake-up queue. */
UNIT_TEST(test_kill_while_timed)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.client);
    ipc_general(p.client, SYS_SEND, p.call_dest, timed(5, 0), 0);
    thread_kill(p.client);
    EXPECT(timeouts_consistent());
    kernel_check_invariants();
    ticks(6);
    kernel_check_invariants();
}

/* The tick that expires a thread of higher priority than the running one says so. */
UNIT_TEST(test_expiry_preempts)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 200, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, timed(0, 1), p.recv_from);
    run(p.client);
    EXPECT(timeouts_tick(p.client));            /* the server outranks the client */
    EXPECT_EQ(p.server->state, THREAD_READY);
    EXPECT(p.server->queued);
}

/* The fast path leaves a partner whose timeout runs to the general path. */
UNIT_TEST(test_fastpath_declines_timed_partner)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, timed(0, 4), p.recv_from);
    run(p.client);
    if (CONFIG_FASTPATH_ON)
        EXPECT(fastpath_call(p.call_dest, 0) == NULL);
    EXPECT(timeouts_fast_ok(p.client));
    EXPECT(!timeouts_fast_ok(p.server));
    ipc_general(p.client, SYS_CALL, p.call_dest, 0, 0);
    EXPECT_EQ(p.server->deadline, 0);
    EXPECT(timeouts_fast_ok(p.server));
    kernel_check_invariants();
}

/* Out of range, contradictory, or where a phase never blocks: E_INVALID_ARG, nothing
 * done, nothing queued. */
UNIT_TEST(test_timeout_bad_input)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.client);
    uint64_t bad[] = {
        timed(TIMEOUT_MAX_TICKS + 1, 0),
        timed(0, TIMEOUT_MAX_TICKS + 1),
        timed(TAG_TIMEOUT_FIELD, TAG_TIMEOUT_FIELD),
        timed(1, 0) | TAG_SEND_NONBLOCK,
        timed(0, 1) | TAG_RECV_NONBLOCK,
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT(ipc_general(p.client, SYS_CALL, p.call_dest, bad[i], 0) == p.client);
        EXPECT_EQ(result_error(p.client), E_INVALID_ARG);
        EXPECT_EQ(p.client->state, THREAD_READY);
    }
    ipc_general(p.client, SYS_REPLY_WAIT, p.reply_dest, timed(1, 0), p.recv_from);
    EXPECT_EQ(result_error(p.client), E_INVALID_ARG);      /* reply-and-wait never blocks sending */
    ipc_general(p.client, SYS_SEND, p.call_dest, timed(TIMEOUT_MAX_TICKS, 0), 0);
    EXPECT_EQ(p.client->state, THREAD_SEND_BLOCKED);       /* the largest value is valid */
    EXPECT(timeouts_consistent());
    kernel_check_invariants();
}
