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

/* A lower-priority receiver is left to the general path (it would not run at once). */
UNIT_TEST(test_fastpath_declines_lower_priority)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 10, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    EXPECT(fastpath_call(p.call_dest, 0) == NULL);
    EXPECT_EQ(p.client->state, THREAD_READY);            /* declined: nothing changed */
    expect_waits_for_request(&p);
    kernel_check_invariants();
}
