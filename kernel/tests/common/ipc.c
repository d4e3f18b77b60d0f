/*
 * The general IPC path under any addressing mode, message transfer and policy: a call
 * and its reply, a sender that blocks, and the errors of bad arguments. How partners
 * are named comes from the dest-<mode>/ fixture (unit.h).
 */
#include "transfer.h"
#include "unit.h"

UNIT_TEST(test_ipc_call_reply)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    struct tcb *next = ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    expect_waits_for_request(&p);
    EXPECT(next == p.client);

    run(p.client);
    unsigned len = TRANSFER_MAX_WORDS < 3 ? TRANSFER_MAX_WORDS : 3;
    put_words(p.client, len, 7);
    next = ipc_general(p.client, SYS_CALL, p.call_dest, tag_make(len, 42), 0);
    EXPECT(next == p.server);                        /* direct switch, equal priority */
    EXPECT_EQ(p.server->state, THREAD_READY);
    expect_awaits_reply(p.client, p.server);
    EXPECT_EQ(result_error(p.server), E_OK);
    EXPECT_EQ(result_value(p.server, 0), p.client_id);
    EXPECT_EQ(tag_len(result_value(p.server, 1)), len);
    EXPECT_EQ(result_value(p.server, 1) >> TAG_LABEL_SHIFT, 42);
    EXPECT_EQ(words_match(p.server, len, 7), 0);

    run(p.server);
    put_words(p.server, 1, 9);
    next = ipc_general(p.server, SYS_REPLY_WAIT, p.reply_dest, tag_make(1, 0), p.recv_from);
    EXPECT(next == p.client);
    EXPECT_EQ(p.client->state, THREAD_READY);
    expect_waits_for_request(&p);
    EXPECT_EQ(result_error(p.client), E_OK);
    EXPECT_EQ(words_match(p.client, 1, 9), 0);
    kernel_check_invariants();
}

UNIT_TEST(test_ipc_long_message)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    put_words(p.client, TRANSFER_MAX_WORDS, 11);
    ipc_general(p.client, SYS_CALL, p.call_dest, tag_make(TRANSFER_MAX_WORDS, 0), 0);
    EXPECT_EQ(result_error(p.server), E_OK);
    EXPECT_EQ(words_match(p.server, TRANSFER_MAX_WORDS, 11), 0);
    kernel_check_invariants();
}

UNIT_TEST(test_ipc_blocked_sender)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.client);
    put_words(p.client, 2, 3);
    struct tcb *next = ipc_general(p.client, SYS_SEND, p.call_dest, tag_make(2, 1), 0);
    EXPECT_EQ(p.client->state, THREAD_SEND_BLOCKED);
    EXPECT(next == p.server);
    run(p.server);
    next = ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    EXPECT_EQ(p.server->state, THREAD_READY);
    EXPECT_EQ(p.client->state, THREAD_READY);
    EXPECT_EQ(result_error(p.client), E_OK);
    EXPECT_EQ(result_value(p.server, 0), p.client_id);
    EXPECT_EQ(words_match(p.server, 2, 3), 0);
    /* The receiver goes on and released the sender (equal priority): switch.h's rule. */
    enum switch_choice c = expected_switch(100, 100, true);
    EXPECT(c != CHOOSE_PARTNER || next == p.client);
    EXPECT(c != CHOOSE_SELF || next == p.server);
    EXPECT(c != CHOOSE_BY_SCHEDULER || next == p.server || next == p.client);
    kernel_check_invariants();
}

UNIT_TEST(test_ipc_errors)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.client);
    ipc_general(p.client, SYS_CALL, p.call_dest, tag_make(TRANSFER_MAX_WORDS + 1, 0), 0);
    EXPECT_EQ(result_error(p.client), E_MSG_TOO_LONG);
    ipc_general(p.client, SYS_CALL, p.bad_dest, 0, 0);
    EXPECT_EQ(result_error(p.client), p.bad_dest_error);
    ipc_general(p.client, SYS_SEND, p.call_dest, TAG_SEND_NONBLOCK, 0);
    EXPECT_EQ(result_error(p.client), E_WOULD_BLOCK);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, TAG_RECV_NONBLOCK, p.recv_from);
    EXPECT_EQ(result_error(p.server), E_WOULD_BLOCK);
    EXPECT_EQ(p.client->state, THREAD_READY);        /* no error left anyone blocked */
    EXPECT_EQ(p.server->state, THREAD_READY);
    kernel_check_invariants();
}

UNIT_TEST(test_ipc_partner_dies)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    ipc_general(p.client, SYS_CALL, p.call_dest, 0, 0);
    expect_awaits_reply(p.client, p.server);
    thread_kill(p.server);
    EXPECT_EQ(p.client->state, THREAD_READY);
    EXPECT_EQ(result_error(p.client), E_ABORTED);
    kernel_check_invariants();
}

UNIT_TEST(test_ipc_higher_priority_partner_runs)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 200, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    /* A send that does not block: the woken receiver outranks the sender and runs. */
    EXPECT(ipc_general(p.client, SYS_SEND, p.call_dest, 0, 0) == p.server);
    EXPECT_EQ(p.client->state, THREAD_READY);
    EXPECT(p.client->queued);                        /* the sender waits its turn */
    kernel_check_invariants();
}
