/*
 * REPLY=cap: the lifetime of a reply capability. Created in the callee's caller slot
 * when it takes a call, linked below the caller's master; deleted and unlinked by the
 * reply; gone when its callee starts another receive, when its caller dies (revoked
 * through the master) and when its callee dies; never usable twice or by another
 * thread, and never by a later thread in a dead caller's TCB slot.
 */
#include "dest.h"
#include "reply.h"
#include "unit.h"

/* The server took the client's call: a reply capability links the two. */
static void expect_linked(struct tcb *server, struct tcb *client)
{
    EXPECT_EQ(server->caller_slot.cap.type, CAP_REPLY);
    EXPECT(server->caller_slot.cap.tcb == client);
    EXPECT(server->caller_slot.parent == &client->reply_master);
    EXPECT(client->reply_master.child == &server->caller_slot);
    EXPECT(!server->caller_slot.revocable && client->reply_master.revocable);
}

static void expect_unlinked(struct tcb *server, struct tcb *client)
{
    EXPECT_EQ(server->caller_slot.cap.type, CAP_EMPTY);
    EXPECT(server->caller_slot.parent == NULL);
    EXPECT(client->reply_master.child == NULL);
}

/* Server received, client called: the state every test starts from. */
static void called(struct ipc_pair *p)
{
    reset();
    make_pair(p, 100, 100);
    run(p->server);
    ipc_general(p->server, SYS_RECV, 0, 0, p->recv_from);
    run(p->client);
    ipc_general(p->client, SYS_CALL, p->call_dest, 0, 0);
    run(p->server);
}

UNIT_TEST(test_reply_cap_created_and_deleted)
{
    struct ipc_pair p;
    called(&p);
    expect_linked(p.server, p.client);
    EXPECT_EQ(p.client->reply_master.cap.type, CAP_REPLY_MASTER);
    EXPECT(p.client->reply_master.cap.tcb == p.client);
    kernel_check_invariants();
    ipc_general(p.server, SYS_REPLY_WAIT, 0, TAG_RECV_NONBLOCK, p.recv_from);
    EXPECT_EQ(p.client->state, THREAD_READY);
    EXPECT_EQ(result_error(p.client), E_OK);
    expect_unlinked(p.server, p.client);
    kernel_check_invariants();
}

UNIT_TEST(test_reply_cap_used_twice)
{
    struct ipc_pair p;
    called(&p);
    ipc_general(p.server, SYS_REPLY_WAIT, 0, TAG_RECV_NONBLOCK, p.recv_from);
    EXPECT_EQ(result_error(p.server), E_WOULD_BLOCK);   /* replied; nobody to receive */
    ipc_general(p.server, SYS_REPLY_WAIT, 0, TAG_RECV_NONBLOCK, p.recv_from);
    EXPECT_EQ(result_error(p.server), E_INVALID_DEST);  /* the capability is gone */
    kernel_check_invariants();
}

UNIT_TEST(test_reply_cap_other_thread)
{
    struct ipc_pair p;
    called(&p);
    struct tcb *other = spawn(space_a, 100);
    run(other);
    ipc_general(other, SYS_REPLY_WAIT, 0, TAG_RECV_NONBLOCK, p.recv_from);
    EXPECT_EQ(result_error(other), E_INVALID_DEST);
    EXPECT_EQ(p.client->state, THREAD_REPLY_BLOCKED);    /* not released by it */
    expect_linked(p.server, p.client);                   /* the server's is untouched */
    run(p.server);
    ipc_general(p.server, SYS_REPLY_WAIT, 0, TAG_RECV_NONBLOCK, p.recv_from);
    EXPECT_EQ(p.client->state, THREAD_READY);
    kernel_check_invariants();
}

/* A receive deletes the reply capability its thread holds (seL4's rule); the caller
 * it named goes on waiting, as under a pointer overwritten by a newer call. */
UNIT_TEST(test_reply_cap_dropped_by_receive)
{
    struct ipc_pair p;
    called(&p);
    ipc_general(p.server, SYS_RECV, 0, TAG_RECV_NONBLOCK, p.recv_from);
    expect_unlinked(p.server, p.client);
    EXPECT_EQ(p.client->state, THREAD_REPLY_BLOCKED);
    kernel_check_invariants();
    /* A receive with a capability it may not use fails before it drops anything. */
    struct ipc_pair q;
    called(&q);
    ipc_general(q.server, SYS_RECV, 0, TAG_RECV_NONBLOCK, CAP_SLOTS - 1);
    EXPECT_EQ(result_error(q.server), E_INVALID_CAP);
    expect_linked(q.server, q.client);
}

/* The caller dies: its master is revoked, the callee's reply capability goes, and a
 * new thread in the caller's TCB slot is not replied to. */
UNIT_TEST(test_reply_cap_revoked_when_caller_dies)
{
    struct ipc_pair p;
    called(&p);
    thread_kill(p.client);
    EXPECT_EQ(p.server->caller_slot.cap.type, CAP_EMPTY);
    kernel_check_invariants();
    struct tcb *again = spawn(space_b, 100);
    EXPECT(again == p.client);                           /* the same TCB slot */
    EXPECT(again->reply_master.child == NULL);
    ipc_general(p.server, SYS_REPLY_WAIT, 0, TAG_RECV_NONBLOCK, p.recv_from);
    EXPECT_EQ(result_error(p.server), E_INVALID_DEST);
    EXPECT_EQ(again->state, THREAD_READY);
    kernel_check_invariants();
}

/* The callee dies holding the capability: it is unlinked from the caller's master,
 * and the caller is released with E_ABORTED. */
UNIT_TEST(test_reply_cap_deleted_when_callee_dies)
{
    struct ipc_pair p;
    called(&p);
    thread_kill(p.server);
    EXPECT(p.client->reply_master.child == NULL);
    EXPECT_EQ(p.client->state, THREAD_READY);
    EXPECT_EQ(result_error(p.client), E_ABORTED);
    kernel_check_invariants();
}

/* The fast path creates and deletes it the same way (FASTPATH=off has none). */
UNIT_TEST(test_reply_cap_fast_path)
{
    if (CONFIG_FASTPATH_OFF)
        return;
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    prepare_fast_switch(p.server, p.call_dest);
    EXPECT(fastpath_call(p.call_dest, 0) == p.server);
    expect_linked(p.server, p.client);
    kernel_check_invariants();
    EXPECT(fastpath_reply_wait(0, 0, p.recv_from) == p.client);
    expect_unlinked(p.server, p.client);
    kernel_check_invariants();
}
