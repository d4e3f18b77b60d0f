/* DEST=tid: partners named by thread ID; what only thread-ID addressing has. */
#include "dest.h"
#include "unit.h"

void make_pair(struct ipc_pair *p, unsigned server_prio, unsigned client_prio)
{
    p->server = spawn(space_a, server_prio);
    p->client = spawn(space_b, client_prio);
    p->call_dest = p->server->tid;
    p->recv_from = IPC_ANY;
    p->reply_dest = p->client->tid;
    p->client_id = p->client->tid;
    p->bad_dest = p->server->tid + 1;    /* a stale version */
    p->bad_dest_error = E_INVALID_DEST;
}

/* The handler receives interrupts itself, in its open receives. */
uint64_t dest_irq_object(struct ipc_pair *p)
{
    (void)p;
    return IPC_NIL;
}

uint64_t dest_irq_sender(struct ipc_pair *p, unsigned line)
{
    (void)p;
    return IRQ_SENDER_ID(line);
}

void expect_awaits_reply(struct tcb *client, struct tcb *server)
{
    EXPECT_EQ(client->state, THREAD_RECV_BLOCKED);  /* a receive ... */
    EXPECT_EQ(client->wait_from, server->tid);      /* ... from the callee only */
}

void expect_waits_for_request(struct ipc_pair *p)
{
    EXPECT_EQ(p->server->state, THREAD_RECV_BLOCKED);
    EXPECT_EQ(p->server->wait_from, IPC_ANY);
}

UNIT_TEST(test_tid_errors)
{
    reset();
    struct tcb *a = spawn(space_a, 100);
    struct tcb *b = spawn(space_a, 100);
    run(a);
    ipc_general(a, SYS_CALL, a->tid, 0, 0);
    EXPECT_EQ(result_error(a), E_SELF_IPC);
    ipc_general(a, SYS_RECV, 0, 0, a->tid);
    EXPECT_EQ(result_error(a), E_SELF_IPC);
    ipc_general(a, SYS_RECV, 0, 0, b->tid + 1);
    EXPECT_EQ(result_error(a), E_INVALID_DEST);
    ipc_general(a, SYS_REPLY_WAIT, b->tid, 0, IPC_ANY);  /* b is not waiting */
    EXPECT_EQ(result_error(a), E_WOULD_BLOCK);
    EXPECT_EQ(a->state, THREAD_READY);                    /* no receive phase ran */
    EXPECT_EQ(b->state, THREAD_READY);
    uint64_t slot;
    EXPECT_EQ(dest_endpoint_create(a, &slot), E_INVALID_SYSCALL);
    kernel_check_invariants();
}

/* A sender queued on a thread that dies is released with E_ABORTED. */
UNIT_TEST(test_tid_blocked_sender_partner_dies)
{
    reset();
    struct tcb *a = spawn(space_a, 100);
    struct tcb *b = spawn(space_a, 100);
    run(a);
    ipc_general(a, SYS_CALL, b->tid, 0, 0);
    EXPECT_EQ(a->state, THREAD_SEND_BLOCKED);
    thread_kill(b);
    EXPECT_EQ(a->state, THREAD_READY);
    EXPECT_EQ(result_error(a), E_ABORTED);
    kernel_check_invariants();
}

/* A receive from one thread takes that thread's message, not an earlier one's. */
UNIT_TEST(test_tid_receive_from_one)
{
    reset();
    struct tcb *server = spawn(space_a, 100);
    struct tcb *first = spawn(space_b, 100);
    struct tcb *second = spawn(space_b, 100);
    run(first);
    ipc_general(first, SYS_SEND, server->tid, tag_make(0, 1), 0);
    run(second);
    ipc_general(second, SYS_SEND, server->tid, tag_make(0, 2), 0);
    run(server);
    ipc_general(server, SYS_RECV, 0, 0, second->tid);
    EXPECT_EQ(result_value(server, 0), second->tid);
    EXPECT_EQ(first->state, THREAD_SEND_BLOCKED);
    EXPECT_EQ(second->state, THREAD_READY);
    kernel_check_invariants();
}
