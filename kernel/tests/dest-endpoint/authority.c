/*
 * DEST=endpoint: who may mint what, object quotas, and the lifetime of an endpoint
 * (the rules of cap.h and abi.h; issue "isolation and authority").
 */
#include "cspace.h"
#include "dest.h"
#include "reply.h"
#include "unit.h"

UNIT_TEST(test_mint_rules)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);            /* space_b holds a send capability badged 0x77 */
    uint64_t mine = cap_free_slot(space_b);
    /* Badge forgery: a badged capability cannot be re-badged... */
    EXPECT_EQ(cap_mint(space_b, p.call_dest, space_b, mine, 0x99, CAP_RIGHT_SEND),
              E_NO_PERMISSION);
    /* ... but it can be copied, keeping its badge. */
    EXPECT_EQ(cap_mint(space_b, p.call_dest, space_b, mine, 0, CAP_RIGHT_SEND), E_OK);
    EXPECT_EQ(cspace_slot(space_b, mine)->badge, 0x77);
    /* Injection: a task cannot mint into a task it did not create. */
    EXPECT_EQ(cap_mint(space_b, p.call_dest, space_a, cap_free_slot(space_a), 0,
                       CAP_RIGHT_SEND), E_NO_PERMISSION);
    /* The creator may mint into its child, and re-badge an unbadged capability. */
    uint64_t child = cap_free_slot(space_b);
    EXPECT_EQ(cap_mint(space_a, p.recv_from, space_b, child, 5, CAP_RIGHT_SEND), E_OK);
    EXPECT_EQ(cspace_slot(space_b, child)->badge, 5);
    kernel_check_invariants();
}

UNIT_TEST(test_object_quota)
{
    reset();
    struct tcb *root = spawn(space_a, 100);
    struct tcb *child = spawn(space_b, 100);
    uint64_t slot;
    EXPECT_EQ(dest_endpoint_create(child, &slot), E_QUOTA);     /* a child has none */
    uint32_t quota = space_a->object_quota;
    EXPECT_EQ(dest_endpoint_create(root, &slot), E_OK);
    EXPECT_EQ(space_a->object_quota, quota - 1);
    EXPECT_EQ(cap_delete(space_a, slot), E_OK);                 /* the last capability */
    EXPECT_EQ(space_a->object_quota, quota);                  /* quota given back */
    EXPECT_EQ(cap_delete(space_a, slot), E_INVALID_CAP);
    kernel_check_invariants();
}

/* The last capability deleted destroys the endpoint and releases its waiters. */
UNIT_TEST(test_endpoint_dies_with_last_cap)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    EXPECT_EQ(cap_delete(space_b, p.call_dest), E_OK);          /* one left: alive */
    EXPECT_EQ(p.server->state, THREAD_RECV_BLOCKED);
    EXPECT_EQ(cap_delete(space_a, p.recv_from), E_OK);          /* none left */
    EXPECT_EQ(p.server->state, THREAD_READY);
    EXPECT_EQ(result_error(p.server), E_ABORTED);
    EXPECT(p.server->blocked_on == NULL);
    kernel_check_invariants();
}

/*
 * A caller whose partner died must not keep the partner link: otherwise, blocked in a
 * later send, it is wrongly aborted when an unrelated thread that reuses the dead
 * partner's TCB slot dies.
 */
UNIT_TEST(test_stale_partner_link)
{
    reset();
    struct ipc_pair first;
    make_pair(&first, 100, 100);
    struct ipc_pair second;
    make_pair(&second, 100, 100);
    struct tcb *caller = first.client;
    run(first.server);
    ipc_general(first.server, SYS_RECV, 0, 0, first.recv_from);
    run(caller);
    ipc_general(caller, SYS_CALL, first.call_dest, 0, 0);
    struct tcb *dead_slot = first.server;
    thread_kill(first.server);                                   /* partner dies */
    EXPECT_EQ(result_error(caller), E_ABORTED);
    EXPECT(caller->partner == NULL);
    run(caller);
    uint64_t caller_dest = cap_free_slot(space_b);
    EXPECT_EQ(cap_mint(space_a, second.recv_from, space_b, caller_dest, 3, CAP_RIGHT_SEND),
              E_OK);
    ipc_general(caller, SYS_SEND, caller_dest, 0, 0);            /* nobody receives: blocks */
    EXPECT_EQ(caller->state, THREAD_SEND_BLOCKED);
    EXPECT(dest_partner_consistent(caller));
    struct tcb *reuser = spawn(space_a, 100);                    /* the dead one's slot */
    EXPECT(reuser == dead_slot);
    thread_kill(reuser);
    EXPECT_EQ(caller->state, THREAD_SEND_BLOCKED);               /* not aborted */
    kernel_check_invariants();
}

/* A reply right to a caller that dies goes with it (found by the fuzzer: the right
 * outlived its caller, and a later thread in that TCB slot could have received it). */
UNIT_TEST(test_reply_right_dies_with_caller)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    ipc_general(p.client, SYS_CALL, p.call_dest, 0, 0);
    EXPECT(reply_holder(p.server) == p.client);
    thread_kill(p.client);
    EXPECT(reply_holder(p.server) == NULL);
    kernel_check_invariants();
}
