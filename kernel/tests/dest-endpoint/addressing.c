/* DEST=endpoint: partners named by capabilities to endpoints; caps and reply rights. */
#include "cspace.h"
#include "dest.h"
#include "reply.h"
#include "unit.h"

#define BADGE 0x77

/* An endpoint in the server's space (every right) and a badged send capability to it
 * in the client's. */
void make_pair(struct ipc_pair *p, unsigned server_prio, unsigned client_prio)
{
    p->server = spawn(space_a, server_prio);
    p->client = spawn(space_b, client_prio);
    uint64_t ep_slot;
    EXPECT_EQ(dest_endpoint_create(p->server, &ep_slot), E_OK);
    uint64_t send_slot = cap_free_slot(space_b);
    EXPECT_EQ(cap_mint(space_a, ep_slot, space_b, send_slot, BADGE, CAP_RIGHT_SEND), E_OK);
    p->call_dest = send_slot;
    p->recv_from = ep_slot;
    p->reply_dest = 0;                   /* the reply right names the caller */
    p->client_id = BADGE;                /* the badge, never a thread ID */
    p->bad_dest = CAP_SLOTS - 1;         /* an empty slot */
    p->bad_dest_error = E_INVALID_CAP;
}

/* Interrupts come through the server's own (unbadged) endpoint capability. */
uint64_t dest_irq_object(struct ipc_pair *p)
{
    return p->recv_from;
}

uint64_t dest_irq_sender(struct ipc_pair *p, unsigned line)
{
    (void)p;
    (void)line;
    return 0;
}

void expect_awaits_reply(struct tcb *client, struct tcb *server)
{
    EXPECT_EQ(client->state, THREAD_REPLY_BLOCKED);
    EXPECT(client->partner == server);
    EXPECT(reply_holder(server) == client);
    EXPECT(client->blocked_on == NULL);  /* a caller holds no queue place */
}

void expect_waits_for_request(struct ipc_pair *p)
{
    EXPECT_EQ(p->server->state, THREAD_RECV_BLOCKED);
    EXPECT(reply_holder(p->server) == NULL); /* the reply right is one-shot */
    struct endpoint *ep = p->server->blocked_on;
    EXPECT(ep != NULL && ep->state == EP_RECEIVERS);
}

UNIT_TEST(test_caps)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    uint64_t ep_slot = p.recv_from, send_slot = p.call_dest;
    EXPECT(cspace_lookup(space_a, ep_slot, CAP_ENDPOINT, CAP_RIGHTS_ALL) != NULL);
    EXPECT(cspace_lookup(space_a, IPC_NIL, CAP_ENDPOINT, 0) == NULL);
    EXPECT(cspace_lookup(space_a, CAP_SLOTS, CAP_ENDPOINT, 0) == NULL);
    EXPECT(cspace_lookup(space_a, ep_slot + 1, CAP_ENDPOINT, 0) == NULL);
    struct cap *send = cspace_lookup(space_b, send_slot, CAP_ENDPOINT, CAP_RIGHT_SEND);
    EXPECT(send != NULL && send->badge == BADGE);
    EXPECT(cspace_lookup(space_b, send_slot, CAP_ENDPOINT, CAP_RIGHT_RECV) == NULL);
    EXPECT_EQ(cap_mint(space_a, ep_slot, space_b, send_slot, 1, CAP_RIGHT_SEND), E_INVALID_ARG);
    EXPECT_EQ(cap_mint(space_a, ep_slot + 8, space_b, 3, 1, CAP_RIGHT_SEND), E_INVALID_CAP);
    EXPECT_EQ(cap_mint(space_a, ep_slot, space_b, 0, 1, CAP_RIGHT_SEND), E_INVALID_ARG);
    /* Minting never adds rights. */
    uint64_t copy = cap_free_slot(space_b);
    EXPECT_EQ(cap_mint(space_b, send_slot, space_b, copy, 0, CAP_RIGHTS_ALL), E_OK);
    EXPECT(cspace_lookup(space_b, copy, CAP_ENDPOINT, CAP_RIGHT_RECV) == NULL);
}

UNIT_TEST(test_endpoint_errors)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.client);
    ipc_general(p.client, SYS_RECV, 0, 0, p.call_dest);     /* no receive right */
    EXPECT_EQ(result_error(p.client), E_INVALID_CAP);
    ipc_general(p.client, SYS_REPLY_WAIT, 0, 0, p.call_dest); /* nobody to reply to */
    EXPECT_EQ(result_error(p.client), E_INVALID_DEST);
    EXPECT_EQ(p.client->state, THREAD_READY);
    kernel_check_invariants();
}

/* A reply right used once is gone: a second reply has nobody to go to. */
UNIT_TEST(test_reply_right_is_one_shot)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    ipc_general(p.client, SYS_CALL, p.call_dest, 0, 0);
    run(p.server);
    ipc_general(p.server, SYS_SEND, 0, 0, 0);  /* a plain send on slot 0: no capability */
    EXPECT_EQ(result_error(p.server), E_INVALID_CAP);
    EXPECT(reply_holder(p.server) == p.client);   /* a failed send does not spend the right */
    ipc_general(p.server, SYS_REPLY_WAIT, 0, TAG_RECV_NONBLOCK, p.recv_from);
    EXPECT_EQ(p.client->state, THREAD_READY);
    EXPECT(reply_holder(p.server) == NULL);
    ipc_general(p.server, SYS_REPLY_WAIT, 0, TAG_RECV_NONBLOCK, p.recv_from);
    EXPECT_EQ(result_error(p.server), E_INVALID_DEST);
    kernel_check_invariants();
}

UNIT_TEST(test_endpoint_queue_state)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    struct endpoint *ep = cspace_lookup(space_a, p.recv_from, CAP_ENDPOINT, 0)->ep;
    EXPECT_EQ(ep->state, EP_IDLE);
    run(p.client);
    ipc_general(p.client, SYS_SEND, p.call_dest, 0, 0);
    EXPECT_EQ(ep->state, EP_SENDERS);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    EXPECT_EQ(ep->state, EP_IDLE);
    EXPECT_EQ(result_value(p.server, 0), BADGE);
    kernel_check_invariants();
}
