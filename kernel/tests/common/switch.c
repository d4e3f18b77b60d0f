/*
 * The direct-switch rule on the general path, for each priority relation and for a
 * caller that blocks (call) or goes on (send): who runs next, and whether the
 * scheduler was asked (switch-<value>/ states the rule each value should follow).
 */
#include "unit.h"

static const unsigned server_prios[] = {50, 100, 150};   /* below, equal, above the client */

static void one_case(unsigned server_prio, bool self_runs)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, server_prio, 100);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    uint64_t picks = kstat[KSTAT_SCHED_PICKS];
    struct tcb *next = ipc_general(p.client, self_runs ? SYS_SEND : SYS_CALL, p.call_dest,
                                   0, 0);
    EXPECT_EQ(result_error(p.server), E_OK);
    EXPECT_EQ(p.server->state, THREAD_READY);
    switch (expected_switch(100, server_prio, self_runs)) {
    case CHOOSE_PARTNER:
        EXPECT(next == p.server);
        EXPECT_EQ(kstat[KSTAT_SCHED_PICKS], picks);
        break;
    case CHOOSE_SELF:
        EXPECT(self_runs && next == p.client);
        EXPECT_EQ(kstat[KSTAT_SCHED_PICKS], picks);
        EXPECT(p.server->queued);        /* waits its turn in the ready queue */
        break;
    case CHOOSE_BY_SCHEDULER:
        EXPECT_EQ(kstat[KSTAT_SCHED_PICKS], picks + 1);
        /* The pick chose the highest-priority runnable thread. */
        if (!self_runs || server_prio > 100)
            EXPECT(next == p.server);
        else if (server_prio < 100)
            EXPECT(next == p.client);
        else
            EXPECT(next == p.server || next == p.client);
        break;
    }
    kernel_check_invariants();
}

UNIT_TEST(test_switch_rule_each_priority_relation)
{
    for (unsigned i = 0; i < ARRAY_SIZE(server_prios); i++) {
        one_case(server_prios[i], false);
        one_case(server_prios[i], true);
    }
}
