/*
 * FASTPATH=on: the fast path's decline checks and its commit, under either addressing
 * mode and policy (the dest-<mode>/ and sched-<policy>/ fixtures say how they differ).
 * Word transfer through the physical registers is a property of the real entry code
 * and is checked in the guest (bench/guest).
 */
#include "unit.h"

UNIT_TEST(test_fastpath_call_and_reply)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.client);
    EXPECT(fastpath_call(p.call_dest, 0) == NULL);      /* nobody receiving yet */
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    EXPECT(fastpath_call(p.call_dest, tag_make(1, 0) | TAG_SEND_NONBLOCK) == NULL);
    EXPECT(fastpath_call(p.call_dest, tag_make(ABI_REG_WORDS + 1, 0)) == NULL);
    EXPECT(fastpath_call(p.bad_dest, 0) == NULL);
    if (expected_switch(100, 100, false) != CHOOSE_PARTNER) {
        /* The rule would not switch directly (SWITCH=sched): the fast path declines. */
        EXPECT(fastpath_call(p.call_dest, 0) == NULL);
        EXPECT_EQ(p.client->state, THREAD_READY);
        expect_waits_for_request(&p);
        kernel_check_invariants();
        return;
    }
    prepare_fast_switch(p.server, p.call_dest);
    unsigned long switches = host_space_switches;
    EXPECT(fastpath_call(p.call_dest, tag_make(0, 5)) == p.server);
    EXPECT(current == p.server);
    EXPECT(host_entry_thread == p.server);
    EXPECT_EQ(host_space_switches, switches + 1);        /* cross address space */
    expect_awaits_reply(p.client, p.server);
    EXPECT_EQ(p.server->state, THREAD_READY);
    EXPECT_EQ(result_value(p.server, 0), p.client_id);
    EXPECT_EQ(result_value(p.server, 1) >> TAG_LABEL_SHIFT, 5);

    EXPECT(fastpath_reply_wait(p.reply_dest, tag_make(1, 0) | TAG_RECV_NONBLOCK,
                               p.recv_from) == NULL);
    EXPECT(fastpath_reply_wait(p.reply_dest, 0, p.recv_from) == p.client);
    EXPECT(current == p.client);
    EXPECT_EQ(p.client->state, THREAD_READY);
    expect_waits_for_request(&p);
    kernel_check_invariants();
}

/* The fast path switches exactly when the direct-switch rule would (switch.h): a
 * receiver it would not run at once is left to the general path. */
UNIT_TEST(test_fastpath_follows_switch_rule)
{
    static const unsigned server_prios[] = {10, 100, 200};
    for (unsigned i = 0; i < ARRAY_SIZE(server_prios); i++) {
        reset();
        struct ipc_pair p;
        make_pair(&p, server_prios[i], 100);
        run(p.server);
        ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
        run(p.client);
        if (expected_switch(100, server_prios[i], false) == CHOOSE_PARTNER) {
            if (!p.server->queued)      /* lazy: unless no pick has passed it yet */
                prepare_fast_switch(p.server, p.call_dest);
            EXPECT(fastpath_call(p.call_dest, 0) == p.server);
            expect_awaits_reply(p.client, p.server);
        } else {
            EXPECT(fastpath_call(p.call_dest, 0) == NULL);
            EXPECT_EQ(p.client->state, THREAD_READY);    /* declined: nothing changed */
            expect_waits_for_request(&p);
        }
        kernel_check_invariants();
    }
}
