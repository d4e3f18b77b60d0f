/* SWITCH=direct: the released partner always runs at once, whatever the priorities. */
#include "unit.h"

enum switch_choice expected_switch(unsigned self_prio, unsigned partner_prio, bool self_runs)
{
    (void)self_prio;
    (void)partner_prio;
    (void)self_runs;
    return CHOOSE_PARTNER;
}

/* Blind donation: a higher thread that is ready waits while a lower one runs. */
UNIT_TEST(test_direct_switch_ignores_ready_higher_thread)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 10, 100);
    struct tcb *high = spawn(space_a, 200);
    run(p.server);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    run(p.client);
    EXPECT(high->state == THREAD_READY);
    struct tcb *next = ipc_general(p.client, SYS_SEND, p.call_dest, 0, 0);
    EXPECT(next == p.server);            /* priority 10 runs while 200 is ready */
    kernel_check_invariants();
}
