/* IRQ=ipc: the interrupt is an IPC from the line's pseudo-thread (irq_ipc.c). */
#include "unit.h"

uint64_t irq_object(struct ipc_pair *p)
{
    return dest_irq_object(p);
}

struct tcb *irq_wait_blocking(struct ipc_pair *p, uint64_t object)
{
    (void)object;
    return ipc_general(p->server, SYS_RECV, 0, 0, p->recv_from);
}

uint64_t irq_take_nonblocking(struct ipc_pair *p, uint64_t object)
{
    (void)object;
    ipc_general(p->server, SYS_RECV, 0, TAG_RECV_NONBLOCK, p->recv_from);
    return result_error(p->server);
}

uint64_t irq_expected_value(struct ipc_pair *p, unsigned line)
{
    return dest_irq_sender(p, line);
}

/* A pending interrupt is a queued sender: the fast path's reply-and-wait declines, the
 * general path receives it at once, and the pseudo-thread never becomes runnable. */
UNIT_TEST(test_irq_ipc_pending_is_a_queued_sender)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    sys_call(p.server, SYS_IRQ_REGISTER, IRQ_LINE_TIMER, irq_object(&p), 0);
    EXPECT_EQ(result_error(p.server), E_OK);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    ipc_general(p.client, SYS_CALL, p.call_dest, 0, 0);   /* the server takes the call */
    run(p.server);
    EXPECT(irq_raise(IRQ_LINE_TIMER) == NULL);             /* not receiving: it queues */
    EXPECT_EQ(irq_senders[IRQ_LINE_TIMER].state, THREAD_SEND_BLOCKED);
    kernel_check_invariants();
    EXPECT(fastpath_reply_wait(p.reply_dest, 0, p.recv_from) == NULL);
    EXPECT_EQ(p.server->state, THREAD_READY);              /* declined: nothing changed */
    struct tcb *next = ipc_general(p.server, SYS_REPLY_WAIT, p.reply_dest, 0, p.recv_from);
    EXPECT_EQ(result_error(p.server), E_OK);               /* the interrupt, at once */
    EXPECT_EQ(result_value(p.server, 0), irq_expected_value(&p, IRQ_LINE_TIMER));
    EXPECT_EQ(result_value(p.server, 1) >> TAG_LABEL_SHIFT, IRQ_MSG_LABEL);
    EXPECT_EQ(p.server->state, THREAD_READY);
    EXPECT_EQ(p.client->state, THREAD_READY);              /* and the reply went out */
    EXPECT(next == p.server || next == p.client);
    EXPECT_EQ(irq_senders[IRQ_LINE_TIMER].state, THREAD_INACTIVE);
    EXPECT(!irq_senders[IRQ_LINE_TIMER].queued);
    kernel_check_invariants();
}

/* Released with an interrupt still queued: it is withdrawn with the line. */
UNIT_TEST(test_irq_ipc_release_withdraws_queued)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    uint64_t object = irq_object(&p);
    sys_call(p.server, SYS_IRQ_REGISTER, IRQ_LINE_TIMER, object, 0);
    EXPECT(irq_raise(IRQ_LINE_TIMER) == NULL);
    sys_call(p.server, SYS_IRQ_RELEASE, IRQ_LINE_TIMER, 0, 0);
    EXPECT_EQ(result_error(p.server), E_OK);
    EXPECT_EQ(irq_take_nonblocking(&p, object), E_WOULD_BLOCK);
    kernel_check_invariants();
}
