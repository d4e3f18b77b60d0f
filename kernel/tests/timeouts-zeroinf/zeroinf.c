/* TIMEOUTS=zeroinf: zero (the non-blocking bits) and infinity only; a finite timeout in
 * a tag is refused with E_INVALID_ARG before anything happens. */
#include "timeouts.h"
#include "unit.h"

UNIT_TEST(test_zeroinf_refuses_finite_timeouts)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    uint64_t finite[] = {
        tag_timeouts(0, 1, 0), tag_timeouts(0, 0, 1), tag_timeouts(0, TIMEOUT_MAX_TICKS, 0),
        tag_timeouts(0, TAG_TIMEOUT_FIELD, TAG_TIMEOUT_FIELD),
    };
    for (unsigned i = 0; i < sizeof(finite) / sizeof(finite[0]); i++) {
        EXPECT(ipc_general(p.server, SYS_RECV, 0, finite[i], p.recv_from) == p.server);
        EXPECT_EQ(result_error(p.server), E_INVALID_ARG);
        EXPECT_EQ(p.server->state, THREAD_READY);
    }
    /* Zero and infinity work as ever. */
    ipc_general(p.server, SYS_RECV, 0, TAG_RECV_NONBLOCK, p.recv_from);
    EXPECT_EQ(result_error(p.server), E_WOULD_BLOCK);
    ipc_general(p.server, SYS_RECV, 0, 0, p.recv_from);
    expect_waits_for_request(&p);
    run(p.client);
    ipc_general(p.client, SYS_CALL, p.call_dest, tag_timeouts(0, 0, 3), 0);
    EXPECT_EQ(result_error(p.client), E_INVALID_ARG);
    expect_waits_for_request(&p);                          /* the server still waits */
    EXPECT(timeouts_fast_ok(p.server));
    EXPECT(!timeouts_tick(p.client));                      /* a tick expires nothing */
    kernel_check_invariants();
}
