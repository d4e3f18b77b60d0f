/* TIMEOUTS=zeroinf: zero (the non-blocking bits) and infinity only. The tag has no
 * timeout fields, so a value in bits 32-63 is ignored like any reserved bit: it neither
 * arms anything nor is refused (refusing it would cost every IPC of the default). */
#include "timeouts.h"
#include "unit.h"

UNIT_TEST(test_zeroinf_ignores_timeout_fields)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    run(p.server);
    uint64_t finite[] = {
        tag_timeouts(0, 1, 0), tag_timeouts(0, 0, 1), tag_timeouts(0, TIMEOUT_MAX_TICKS, 0),
        tag_timeouts(0, TAG_TIMEOUT_FIELD, TAG_TIMEOUT_FIELD),
    };
    /* Zero: the non-blocking bit decides, whatever the fields hold (full would refuse
     * a finite receive timeout beside it). */
    for (unsigned i = 0; i < sizeof(finite) / sizeof(finite[0]); i++) {
        EXPECT(ipc_general(p.server, SYS_RECV, 0, finite[i] | TAG_RECV_NONBLOCK,
                           p.recv_from) == p.server);
        EXPECT_EQ(result_error(p.server), E_WOULD_BLOCK);
        EXPECT_EQ(p.server->state, THREAD_READY);
    }
    /* Infinity: a receive with a "finite" field waits, and no tick ends the wait. */
    ipc_general(p.server, SYS_RECV, 0, tag_timeouts(0, 0, 1), p.recv_from);
    expect_waits_for_request(&p);
    for (unsigned tick = 0; tick < 4; tick++)
        EXPECT(!timeouts_tick(NULL));
    expect_waits_for_request(&p);
    EXPECT(timeouts_fast_ok(p.server));
    /* A call with fields set goes through; the receiver sees no trace of them. */
    run(p.client);
    ipc_general(p.client, SYS_CALL, p.call_dest, tag_timeouts(tag_make(0, 7), 2, 3), 0);
    EXPECT_EQ(result_error(p.server), E_OK);
    EXPECT_EQ(result_value(p.server, 1), tag_make(0, 7));
    expect_awaits_reply(p.client, p.server);
    EXPECT(!timeouts_tick(p.client));                      /* a tick expires nothing */
    expect_awaits_reply(p.client, p.server);
    kernel_check_invariants();
}
