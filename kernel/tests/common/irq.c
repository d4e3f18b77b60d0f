/*
 * Interrupt lines owned by user threads (core/irq.c), under either delivery (the
 * irq-<value>/ fixture says how a handler waits and what it sees): who may register,
 * ack and release; delivery masks the line until the ack; one that arrives meanwhile
 * is kept and delivered at the ack; a released or orphaned line delivers nothing; the
 * user timer belongs to the line's task. The machine is arch/host's stand-in.
 */
#include <arch/host_irq.h>

#include "unit.h"

static uint64_t register_server(struct ipc_pair *p)
{
    run(p->server);
    uint64_t object = irq_object(p);
    sys_call(p->server, SYS_IRQ_REGISTER, IRQ_LINE_TIMER, object, 0);
    EXPECT_EQ(result_error(p->server), E_OK);
    return object;
}

UNIT_TEST(test_irq_register_rules)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);                /* server in the root task's space, client not */
    struct tcb *peer = spawn(space_a, 100);
    sys_call(p.client, SYS_IRQ_REGISTER, IRQ_LINE_TIMER, IPC_NIL, 0);
    EXPECT_EQ(result_error(p.client), E_NO_PERMISSION);
    sys_call(p.server, SYS_IRQ_REGISTER, HOST_IRQ_LINES, IPC_NIL, 0);
    EXPECT_EQ(result_error(p.server), E_INVALID_ARG);
    sys_call(p.server, SYS_IRQ_ACK, HOST_IRQ_LINES + 5, 0, 0);
    EXPECT_EQ(result_error(p.server), E_INVALID_ARG);
    sys_call(p.server, SYS_IRQ_ACK, IRQ_LINE_TIMER, 0, 0);
    EXPECT_EQ(result_error(p.server), E_NOT_OWNER);        /* nobody's yet */
    sys_call(p.server, SYS_TIMER_ARM, 123, 0, 0);
    EXPECT_EQ(result_error(p.server), E_NOT_OWNER);
    EXPECT(host_irq_masked[IRQ_LINE_TIMER]);               /* a free line is masked */

    uint64_t object = register_server(&p);
    EXPECT(!host_irq_masked[IRQ_LINE_TIMER]);
    sys_call(peer, SYS_IRQ_REGISTER, IRQ_LINE_TIMER, object, 0);
    EXPECT_EQ(result_error(peer), E_IRQ_BUSY);
    sys_call(peer, SYS_IRQ_ACK, IRQ_LINE_TIMER, 0, 0);
    EXPECT_EQ(result_error(peer), E_NOT_OWNER);
    sys_call(peer, SYS_IRQ_RELEASE, IRQ_LINE_TIMER, 0, 0);
    EXPECT_EQ(result_error(peer), E_NOT_OWNER);
    /* The timer is the device behind the line: its handler's task drives it. */
    sys_call(p.client, SYS_TIMER_ARM, 123, 0, 0);
    EXPECT_EQ(result_error(p.client), E_NOT_OWNER);
    sys_call(peer, SYS_TIMER_ARM, 456, 0, 0);
    EXPECT_EQ(result_error(peer), E_OK);
    EXPECT_EQ(host_utimer_deadline, 456);
    kernel_check_invariants();
}

UNIT_TEST(test_irq_masked_until_ack)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    uint64_t object = register_server(&p);
    uint64_t delivered = kstat[KSTAT_IRQS];
    irq_wait_blocking(&p, object);
    EXPECT(p.server->state != THREAD_READY);
    run(p.client);
    EXPECT(irq_raise(IRQ_LINE_TIMER) == p.server);         /* the waiting handler runs */
    EXPECT_EQ(p.server->state, THREAD_READY);
    EXPECT_EQ(result_error(p.server), E_OK);
    EXPECT_EQ(result_value(p.server, 0), irq_expected_value(&p, IRQ_LINE_TIMER));
    EXPECT(host_irq_masked[IRQ_LINE_TIMER]);
    EXPECT_EQ(kstat[KSTAT_IRQS], delivered + 1);
    sched_wake(p.server);
    kernel_check_invariants();

    EXPECT(irq_raise(IRQ_LINE_TIMER) == NULL);             /* masked: kept, not delivered */
    EXPECT_EQ(kstat[KSTAT_IRQS], delivered + 1);
    run(p.server);
    EXPECT_EQ(irq_take_nonblocking(&p, object), E_WOULD_BLOCK);
    sys_call(p.server, SYS_IRQ_ACK, IRQ_LINE_TIMER, 0, 0);  /* the kept one comes now */
    EXPECT_EQ(result_error(p.server), E_OK);
    EXPECT_EQ(kstat[KSTAT_IRQS], delivered + 2);
    EXPECT(host_irq_masked[IRQ_LINE_TIMER]);               /* ... and masks the line again */
    run(p.server);
    EXPECT_EQ(irq_take_nonblocking(&p, object), E_OK);
    EXPECT_EQ(result_value(p.server, 0), irq_expected_value(&p, IRQ_LINE_TIMER));
    sys_call(p.server, SYS_IRQ_ACK, IRQ_LINE_TIMER, 0, 0);
    EXPECT(!host_irq_masked[IRQ_LINE_TIMER]);
    sys_call(p.server, SYS_IRQ_ACK, IRQ_LINE_TIMER, 0, 0);  /* idempotent */
    EXPECT_EQ(result_error(p.server), E_OK);
    EXPECT_EQ(irq_take_nonblocking(&p, object), E_WOULD_BLOCK);

    EXPECT(irq_raise(IRQ_LINE_TIMER) == NULL);             /* not waiting: kept for it */
    EXPECT_EQ(irq_take_nonblocking(&p, object), E_OK);
    kernel_check_invariants();
}

UNIT_TEST(test_irq_release_and_handler_death)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    register_server(&p);
    sys_call(p.server, SYS_TIMER_ARM, 99, 0, 0);
    sys_call(p.server, SYS_IRQ_RELEASE, IRQ_LINE_TIMER, 0, 0);
    EXPECT_EQ(result_error(p.server), E_OK);
    EXPECT(host_irq_masked[IRQ_LINE_TIMER]);
    EXPECT_EQ(host_utimer_deadline, 0);                    /* the device is quieted */
    uint64_t delivered = kstat[KSTAT_IRQS];
    EXPECT(irq_raise(IRQ_LINE_TIMER) == NULL);             /* in flight: nobody's */
    EXPECT_EQ(kstat[KSTAT_IRQS], delivered);
    kernel_check_invariants();

    register_server(&p);
    EXPECT(irq_raise(IRQ_LINE_TIMER) == NULL);             /* kept for a handler ... */
    thread_kill(p.server);                                 /* ... that dies */
    kernel_check_invariants();
    struct tcb *heir = spawn(space_a, 100);
    run(heir);
    sys_call(heir, SYS_IRQ_REGISTER, IRQ_LINE_TIMER, dest_irq_object(&p), 0);
    EXPECT(result_error(heir) == E_OK || result_error(heir) == E_INVALID_CAP);
    kernel_check_invariants();
}
