/* IRQ=notify: the interrupt is a signal of the notification named at registration. */
#include "notification.h"
#include "unit.h"

uint64_t irq_object(struct ipc_pair *p)
{
    sys_call(p->server, SYS_NOTIFY_CREATE, 0, 0, 0);
    EXPECT_EQ(result_error(p->server), E_OK);
    return result_value(p->server, 0);
}

struct tcb *irq_wait_blocking(struct ipc_pair *p, uint64_t object)
{
    return sys_call(p->server, SYS_WAIT, object, 0, 0);
}

uint64_t irq_take_nonblocking(struct ipc_pair *p, uint64_t object)
{
    sys_call(p->server, SYS_POLL, object, 0, 0);
    return result_error(p->server);
}

/* The capability made by irq_object() is unbadged: a signal ORs in 1. */
uint64_t irq_expected_value(struct ipc_pair *p, unsigned line)
{
    (void)p;
    (void)line;
    return 1;
}

/* The line holds the notification: deleting the last capability does not free it
 * under an interrupt in flight; releasing the line does. */
UNIT_TEST(test_irq_notify_line_holds_notification)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    uint64_t object = irq_object(&p);
    struct notification *n = space_a->caps[object].ntfn;
    uint32_t quota = space_a->object_quota;
    sys_call(p.server, SYS_IRQ_REGISTER, IRQ_LINE_TIMER, object, 0);
    sys_call(p.server, SYS_CAP_DELETE, object, 0, 0);
    EXPECT(n->used);
    EXPECT(irq_raise(IRQ_LINE_TIMER) == NULL);             /* nobody waits: bits kept */
    EXPECT_EQ(n->word, 1);
    kernel_check_invariants();
    sys_call(p.server, SYS_IRQ_RELEASE, IRQ_LINE_TIMER, 0, 0);
    EXPECT(!n->used);
    EXPECT_EQ(space_a->object_quota, quota + 1);
    kernel_check_invariants();
}
