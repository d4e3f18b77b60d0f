/*
 * COMMCTL=clans: routing inside, out of and into clans, the chiefs' forwarding with
 * the original sender's ID, the fast path's decline across a boundary, a chief that
 * dies holding a message or while forwarding it, and bad input.
 *
 * The world of most tests: a client C whose chief is X1, X1's chief X2, X2 and a server
 * V in the top clan, each in a task of its own made by space_a (as the root task's).
 * C calling V crosses two clan boundaries: C -> X1 -> X2 -> V, and the reply
 * V -> X2 -> X1 -> C.
 */
#include "commctl.h"
#include "syscall.h"
#include "unit.h"

struct clans {
    struct tcb *root, *x2, *x1, *c, *v;
};

/* A task of its own in the clan of `chief` (IPC_NIL: the top clan), with one thread. */
static struct tcb *member(struct tcb *root, uint64_t chief)
{
    struct space *s = space_create(space_a);
    EXPECT(s != NULL);
    sys_call(root, SYS_CLAN_SET, s->handle, chief, 0);
    EXPECT_EQ(result_error(root), E_OK);
    return spawn(s, 100);
}

static void make_clans(struct clans *w)
{
    reset();
    w->root = spawn(space_a, 100);
    w->x2 = member(w->root, IPC_NIL);
    w->x1 = member(w->root, w->x2->tid);
    w->c = member(w->root, w->x1->tid);
    w->v = member(w->root, IPC_NIL);
    EXPECT_EQ(w->c->clan, w->x1->tid);
    EXPECT_EQ(w->x1->clan, w->x2->tid);
}

static void receive_any(struct tcb *t)
{
    run(t);
    ipc_general(t, SYS_RECV, 0, 0, IPC_ANY);
    EXPECT_EQ(t->state, THREAD_RECV_BLOCKED);
}

/* t took a message redirected to it, from `sender`. */
static void expect_redirected(struct tcb *t, struct tcb *sender)
{
    EXPECT_EQ(t->state, THREAD_READY);
    EXPECT_EQ(result_error(t), E_OK);
    EXPECT_EQ(result_value(t, 0), sender->tid);
    EXPECT(result_value(t, 1) & TAG_REDIRECTED);
}

static void forward(struct tcb *chief)
{
    run(chief);
    sys_call(chief, SYS_CLAN_FORWARD, 0, tag_make(0, 5), 0);
    EXPECT_EQ(result_error(chief), E_OK);
}

UNIT_TEST(test_clans_route_out_and_in)
{
    struct clans w;
    make_clans(&w);
    receive_any(w.x2);
    receive_any(w.x1);
    receive_any(w.v);
    run(w.c);
    ipc_general(w.c, SYS_CALL, w.v->tid, tag_make(0, 5), 0);
    expect_redirected(w.x1, w.c);                    /* out of C's clan: its chief */
    EXPECT_EQ(w.v->state, THREAD_RECV_BLOCKED);
    EXPECT_EQ(w.c->state, THREAD_RECV_BLOCKED);
    EXPECT_EQ(w.c->wait_from, w.v->tid);             /* awaits the one it called */
    EXPECT(w.c->held_by == w.x1);
    kernel_check_invariants();

    forward(w.x1);                                   /* out of X1's clan: X2 */
    expect_redirected(w.x2, w.c);
    EXPECT(w.c->held_by == w.x2);
    receive_any(w.x1);
    forward(w.x2);                                   /* X2 and V share the top clan */
    EXPECT_EQ(w.v->state, THREAD_READY);
    EXPECT_EQ(result_value(w.v, 0), w.c->tid);       /* as from the original sender */
    EXPECT(!(result_value(w.v, 1) & TAG_REDIRECTED));
    EXPECT_EQ(result_value(w.v, 1) >> TAG_LABEL_SHIFT, 5);
    EXPECT(w.c->held_by == NULL);
    receive_any(w.x2);
    kernel_check_invariants();

    /* The reply enters C's side through X2, then X1. */
    run(w.v);
    ipc_general(w.v, SYS_REPLY_WAIT, w.c->tid, 0, IPC_ANY);
    EXPECT_EQ(result_error(w.v), E_OK);
    expect_redirected(w.x2, w.v);
    EXPECT(w.c->held_by == w.x2);
    forward(w.x2);
    expect_redirected(w.x1, w.v);
    EXPECT(w.c->held_by == w.x1);
    forward(w.x1);                                   /* a chief into its own clan */
    EXPECT_EQ(w.c->state, THREAD_READY);
    EXPECT_EQ(result_error(w.c), E_OK);
    EXPECT_EQ(result_value(w.c, 0), w.v->tid);
    EXPECT(w.c->held_by == NULL);
    kernel_check_invariants();
}

/* Inside a clan, to one's own chief and from a chief into its clan: direct. */
UNIT_TEST(test_clans_direct)
{
    struct clans w;
    make_clans(&w);
    struct tcb *mate = spawn(w.c->space, 100);      /* C's clan: same task, same chief */
    receive_any(mate);
    run(w.c);
    ipc_general(w.c, SYS_SEND, mate->tid, 0, 0);
    EXPECT_EQ(mate->state, THREAD_READY);
    EXPECT(!(result_value(mate, 1) & TAG_REDIRECTED));
    receive_any(w.x1);
    run(w.c);
    ipc_general(w.c, SYS_SEND, w.x1->tid, 0, 0);    /* to its own chief */
    EXPECT_EQ(w.x1->state, THREAD_READY);
    EXPECT(!(result_value(w.x1, 1) & TAG_REDIRECTED));
    receive_any(w.c);
    run(w.x1);
    ipc_general(w.x1, SYS_SEND, w.c->tid, 0, 0);    /* a chief into its clan */
    EXPECT_EQ(w.c->state, THREAD_READY);
    EXPECT_EQ(result_value(w.c, 0), w.x1->tid);
    kernel_check_invariants();
}

/* The fast path takes a call inside a clan and declines one that crosses. */
UNIT_TEST(test_clans_fastpath_boundary)
{
    struct clans w;
    make_clans(&w);
    EXPECT(!commctl_fast_ok(w.c, w.v));
    EXPECT(commctl_fast_ok(w.x2, w.v));
    receive_any(w.v);
    run(w.c);
    if (CONFIG_FASTPATH_ON)
        EXPECT(fastpath_call(w.v->tid, 0) == NULL);
    run(w.x2);
    if (CONFIG_FASTPATH_ON) {
        EXPECT(fastpath_call(w.v->tid, 0) == w.v);  /* same clan: taken */
        EXPECT_EQ(result_value(w.v, 0), w.x2->tid);
    }
}

/* A chief that dies holding a caller's request: the caller is released with E_ABORTED,
 * nothing stays queued. */
UNIT_TEST(test_clans_chief_dies_holding)
{
    struct clans w;
    make_clans(&w);
    receive_any(w.x1);
    run(w.c);
    ipc_general(w.c, SYS_CALL, w.v->tid, 0, 0);
    EXPECT(w.c->held_by == w.x1);
    thread_kill(w.x1);
    EXPECT_EQ(w.c->state, THREAD_READY);
    EXPECT_EQ(result_error(w.c), E_ABORTED);
    EXPECT(w.c->held_by == NULL);
    kernel_check_invariants();
    /* With its chief gone, C can no longer leave its clan. */
    run(w.c);
    ipc_general(w.c, SYS_CALL, w.v->tid, 0, 0);
    EXPECT_EQ(result_error(w.c), E_INVALID_DEST);
    EXPECT_EQ(w.c->state, THREAD_READY);
    kernel_check_invariants();
}

/* A chief that dies blocked in its forward (the next hop does not receive): out of
 * the destination's queue, and the caller released. */
UNIT_TEST(test_clans_chief_dies_forwarding)
{
    struct clans w;
    make_clans(&w);
    receive_any(w.x1);
    run(w.c);
    ipc_general(w.c, SYS_CALL, w.v->tid, 0, 0);
    forward(w.x1);                                   /* X2 does not receive: X1 blocks */
    EXPECT_EQ(w.x1->state, THREAD_SEND_BLOCKED);
    EXPECT(w.c->held_by == w.x1);
    thread_kill(w.x1);
    EXPECT_EQ(result_error(w.c), E_ABORTED);
    EXPECT(list_empty(&w.x2->senders));              /* nothing stays queued */
    kernel_check_invariants();
}

/* A caller queued on a chief that is not receiving, and the chief dies. */
UNIT_TEST(test_clans_chief_dies_before_taking)
{
    struct clans w;
    make_clans(&w);
    run(w.c);
    ipc_general(w.c, SYS_CALL, w.v->tid, 0, 0);
    EXPECT_EQ(w.c->state, THREAD_SEND_BLOCKED);
    EXPECT(w.c->partner == w.x1);
    thread_kill(w.x1);
    EXPECT_EQ(result_error(w.c), E_ABORTED);
    kernel_check_invariants();
}

/* A forward that cannot go on (here: a non-blocking forward to a destination that does
 * not receive) releases the caller with why; nothing stays queued. */
UNIT_TEST(test_clans_forward_fails)
{
    struct clans w;
    make_clans(&w);
    receive_any(w.x1);
    receive_any(w.x2);
    run(w.c);
    ipc_general(w.c, SYS_CALL, w.v->tid, 0, 0);
    forward(w.x1);
    run(w.x2);
    sys_call(w.x2, SYS_CLAN_FORWARD, 0, TAG_SEND_NONBLOCK, 0);
    EXPECT_EQ(result_error(w.x2), E_WOULD_BLOCK);
    EXPECT_EQ(w.c->state, THREAD_READY);
    EXPECT_EQ(result_error(w.c), E_WOULD_BLOCK);
    EXPECT(list_empty(&w.v->senders));
    kernel_check_invariants();
    /* The destination's death releases a caller the same way (it awaits that thread). */
    receive_any(w.x1);
    run(w.c);
    ipc_general(w.c, SYS_CALL, w.v->tid, 0, 0);
    thread_kill(w.v);
    EXPECT_EQ(result_error(w.c), E_ABORTED);
    kernel_check_invariants();
}

UNIT_TEST(test_clans_bad_input)
{
    struct clans w;
    make_clans(&w);
    sys_call(w.root, SYS_CLAN_SET, w.c->space->handle, IPC_NIL, 0);
    EXPECT_EQ(result_error(w.root), E_INVALID_ARG);  /* the task already runs */
    struct space *s = space_create(space_a);
    sys_call(w.root, SYS_CLAN_SET, s->handle, w.v->tid + 1, 0);
    EXPECT_EQ(result_error(w.root), E_INVALID_DEST); /* a stale chief */
    sys_call(w.c, SYS_CLAN_SET, s->handle, IPC_NIL, 0);
    EXPECT_EQ(result_error(w.c), E_NO_PERMISSION);   /* not its task to place */
    sys_call(w.root, SYS_CLAN_SET, s->handle + 1, IPC_NIL, 0);
    EXPECT(result_error(w.root) != E_OK);            /* a dead handle */
    run(w.x1);
    sys_call(w.x1, SYS_CLAN_FORWARD, 0, 0, 0);
    EXPECT_EQ(result_error(w.x1), E_INVALID_ARG);    /* it holds no message */
    kernel_check_invariants();
}
