/*
 * Host-built unit tests of the portable kernel core, compiled from the kernel's own
 * sources once per variant (kernel/tests/unit.mk), with kernel/arch/host standing in
 * for the machine. They check the ready queues under the variant's policy, IPC state
 * transitions on the general and fast paths, thread-ID and capability lookup, and the
 * errors bad arguments get. Word transfer through physical registers on the fast path
 * is a property of the real entry code and is checked in the guest (bench/guest).
 */
#include <stdio.h>
#include <string.h>

#include "endpoint.h"
#include "frame.h"
#include "ipc.h"
#include "kernel.h"
#include "objects.h"
#include "sched.h"
#include "space.h"
#include "thread.h"

static unsigned passed, failed;

#define EXPECT(cond)                                                                   \
    do {                                                                               \
        if (cond) {                                                                    \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                     \
        }                                                                              \
    } while (0)

#define EXPECT_EQ(a, b)                                                                \
    do {                                                                               \
        unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
        if (va_ == vb_) {                                                              \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            printf("FAIL %s:%d: %s == %s (%llu != %llu)\n", __FILE__, __LINE__, #a, #b, \
                   va_, vb_);                                                          \
        }                                                                              \
    } while (0)

#define POOL_FRAMES 256
static unsigned char frame_pool[POOL_FRAMES * FRAME_SIZE] __attribute__((aligned(4096)));
static uint64_t next_utcb;
static struct space *space_a, *space_b;

static void reset(void)
{
    frame_init((uint64_t)(uintptr_t)frame_pool,
               (uint64_t)(uintptr_t)frame_pool + sizeof(frame_pool));
    kernel_objects_init();
    next_utcb = USER_BASE;
    space_a = space_create();
    space_b = space_create();
    current = NULL;
}

/* A started thread: runnable and eligible for the scheduler. */
static struct tcb *spawn(struct space *s, unsigned prio)
{
    int error;
    struct tcb *t = thread_create(s, next_utcb, prio, &error);
    next_utcb += FRAME_SIZE;
    EXPECT(t != NULL);
    thread_start(t, USER_BASE, USER_BASE, 0);
    return t;
}

/* Make t the running thread as the scheduler would have (Benno: not in the queue). */
static void run(struct tcb *t)
{
#if CONFIG_SCHED_BENNO
    sched_remove(t);
#endif
    current = t;
}

static uint64_t result_error(struct tcb *t)
{
    return arch_regs_syscall(&t->regs);
}

static uint64_t result_value(struct tcb *t, unsigned n)
{
    return arch_regs_arg(&t->regs, n);
}

/* Put len recognisable words where this variant's transfer mode carries them. */
static void put_words(struct tcb *t, unsigned len, uint64_t seed)
{
    for (unsigned i = 0; i < len; i++) {
        uint64_t w = seed * 1000 + i;
#if CONFIG_TRANSFER_MEM
        t->utcb->mr[i] = w;
#else
        if (i < ABI_REG_WORDS)
            *arch_regs_mr(&t->regs, i) = w;
        else
            t->utcb->mr[i] = w;
#endif
    }
}

static unsigned words_match(struct tcb *t, unsigned len, uint64_t seed)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < len; i++) {
        uint64_t w = seed * 1000 + i;
#if CONFIG_TRANSFER_MEM
        bad += t->utcb->mr[i] != w;
#else
        bad += (i < ABI_REG_WORDS ? *arch_regs_mr(&t->regs, i) : t->utcb->mr[i]) != w;
#endif
    }
    return bad;
}

/* ---- ready queues ---- */

static void test_sched_priorities(void)
{
    reset();
    struct tcb *low = spawn(space_a, 10);
    struct tcb *high = spawn(space_a, 200);
    struct tcb *mid = spawn(space_a, 64);
    struct tcb *zero = spawn(space_a, 0);
    struct tcb *top = spawn(space_a, 255);
    EXPECT(sched_pick() == top);
    top->state = THREAD_RECV_BLOCKED;
    sched_block(top);
    EXPECT(sched_pick() == high);
    high->state = THREAD_RECV_BLOCKED;
    sched_block(high);
    EXPECT(sched_pick() == mid);
    mid->state = THREAD_RECV_BLOCKED;
    sched_block(mid);
    EXPECT(sched_pick() == low);
    low->state = THREAD_RECV_BLOCKED;
    sched_block(low);
    EXPECT(sched_pick() == zero);
    zero->state = THREAD_RECV_BLOCKED;
    sched_block(zero);
    EXPECT(sched_pick() == NULL);
}

static void test_sched_round_robin(void)
{
    reset();
    struct tcb *a = spawn(space_a, 50);
    struct tcb *b = spawn(space_a, 50);
    struct tcb *c = spawn(space_a, 50);
    struct tcb *first = sched_pick();
    EXPECT(first == a);
    sched_rotate(first);
    EXPECT(sched_pick() == b);
    sched_rotate(b);
    EXPECT(sched_pick() == c);
    sched_rotate(c);
    EXPECT(sched_pick() == a);
}

static void test_sched_policy(void)
{
    reset();
    struct tcb *a = spawn(space_a, 50);
    struct tcb *b = spawn(space_a, 50);
    struct tcb *running = sched_pick();
    EXPECT(running == a);
#if CONFIG_SCHED_LAZY
    /* Lazy: the running thread stays queued, a blocking one too, until a pick drops it. */
    EXPECT(a->queued);
    a->state = THREAD_RECV_BLOCKED;
    sched_block(a);
    EXPECT(a->queued);
    uint64_t dropped = sched_lazy_dropped;
    EXPECT(sched_pick() == b);
    EXPECT_EQ(sched_lazy_dropped, dropped + 1);
    EXPECT(!a->queued);
    /* Switched to directly while not queued: put back, as the running thread must be. */
    a->state = THREAD_READY;
    sched_activate_direct(a);
    EXPECT(a->queued);
#else
    /* Benno: the pick takes the thread out; a blocking thread is not in the queue. */
    EXPECT(!a->queued);
    a->state = THREAD_RECV_BLOCKED;
    sched_block(a);
    EXPECT(!a->queued);
    EXPECT(sched_pick() == b);
    EXPECT(!b->queued);
    a->state = THREAD_READY;
    sched_activate_direct(a);
    EXPECT(!a->queued);
    sched_wake(a);
    EXPECT(a->queued);
#endif
    sched_remove(a);
    EXPECT(!a->queued);
}

static void test_sched_timeslice(void)
{
    reset();
    struct tcb *a = spawn(space_a, 7);
    unsigned ticks = 0;
    while (!sched_tick(a) && ticks < 1000)
        ticks++;
    EXPECT_EQ(ticks + 1, SCHED_TIMESLICE_TICKS);
    EXPECT_EQ(a->timeslice_left, SCHED_TIMESLICE_TICKS);
}

/* ---- thread IDs ---- */

static void test_thread_ids(void)
{
    reset();
    struct tcb *a = spawn(space_a, 10);
    uint64_t old = a->tid;
    EXPECT(thread_lookup(old) == a);
    EXPECT(thread_lookup(old + 1) == NULL);                       /* wrong version */
    EXPECT(thread_lookup(tid_make(MAX_THREADS, 1)) == NULL);       /* out of range */
    EXPECT(thread_lookup(tid_make(MAX_THREADS - 1, 1)) == NULL);   /* free slot */
    EXPECT(thread_lookup(IPC_NIL) == NULL);
    thread_kill(a);
    EXPECT(thread_lookup(old) == NULL);
    struct tcb *again = spawn(space_a, 10);
    EXPECT(again == a);                  /* the slot is reused ... */
    EXPECT(again->tid != old);           /* ... under a new version */
    EXPECT(thread_lookup(old) == NULL);
    EXPECT(thread_lookup(again->tid) == again);

    int error;
    EXPECT(thread_create(space_a, next_utcb + 8, 1, &error) == NULL);
    EXPECT_EQ(error, E_INVALID_ARG);
    EXPECT(thread_create(space_a, next_utcb, 256, &error) == NULL);
    EXPECT_EQ(error, E_INVALID_ARG);
    EXPECT(thread_create(space_a, 0x1000, 1, &error) == NULL);
    EXPECT_EQ(error, E_INVALID_ARG);
}

/* ---- IPC ---- */

#if CONFIG_FASTPATH_ON
/* Lazy: the pick that chose the next thread dropped the blocked receiver from the
 * queue; the fast path declines a receiver that is not queued, and the general path
 * puts it back when it switches to it. Model that one general-path switch. */
static void requeue_if_lazy(struct tcb *receiver, uint64_t dest)
{
#if CONFIG_SCHED_LAZY
    EXPECT(!receiver->queued);
    EXPECT(fastpath_call(dest, 0) == NULL);
    sched_wake(receiver);
#else
    (void)receiver;
    (void)dest;
#endif
}
#endif

#if CONFIG_DEST_TID

static void test_ipc_call_reply_tid(void)
{
    reset();
    struct tcb *server = spawn(space_a, 100);
    struct tcb *client = spawn(space_b, 100);
    run(server);
    struct tcb *next = ipc_general(server, SYS_RECV, 0, 0, IPC_ANY);
    EXPECT_EQ(server->state, THREAD_RECV_BLOCKED);
    EXPECT(next == client);

    run(client);
    unsigned len = ABI_REG_WORDS < 3 ? ABI_REG_WORDS : 3;
    put_words(client, len, 7);
    next = ipc_general(client, SYS_CALL, server->tid, tag_make(len, 42), 0);
    EXPECT(next == server);                         /* direct switch */
    EXPECT_EQ(server->state, THREAD_READY);
    EXPECT_EQ(client->state, THREAD_RECV_BLOCKED);  /* waiting for the reply ... */
    EXPECT_EQ(client->wait_from, server->tid);      /* ... from the server only */
    EXPECT_EQ(result_error(server), E_OK);
    EXPECT_EQ(result_value(server, 0), client->tid);
    EXPECT_EQ(tag_len(result_value(server, 1)), len);
    EXPECT_EQ(result_value(server, 1) >> TAG_LABEL_SHIFT, 42);
    EXPECT_EQ(words_match(server, len, 7), 0);

    run(server);
    put_words(server, 1, 9);
    next = ipc_general(server, SYS_REPLY_WAIT, client->tid, tag_make(1, 0), IPC_ANY);
    EXPECT(next == client);
    EXPECT_EQ(client->state, THREAD_READY);
    EXPECT_EQ(server->state, THREAD_RECV_BLOCKED);
    EXPECT_EQ(server->wait_from, IPC_ANY);
    EXPECT_EQ(result_error(client), E_OK);
    EXPECT_EQ(result_value(client, 0), server->tid);
    EXPECT_EQ(words_match(client, 1, 9), 0);
}

static void test_ipc_blocked_sender_tid(void)
{
    reset();
    struct tcb *receiver = spawn(space_a, 100);
    struct tcb *sender = spawn(space_a, 100);
    run(sender);
    put_words(sender, 2, 3);
    struct tcb *next = ipc_general(sender, SYS_SEND, receiver->tid, tag_make(2, 1), 0);
    EXPECT_EQ(sender->state, THREAD_SEND_BLOCKED);
    EXPECT(next == receiver);
    run(receiver);
    next = ipc_general(receiver, SYS_RECV, 0, 0, sender->tid);
    EXPECT_EQ(receiver->state, THREAD_READY);
    EXPECT_EQ(sender->state, THREAD_READY);
    EXPECT_EQ(result_error(sender), E_OK);
    EXPECT_EQ(result_value(receiver, 0), sender->tid);
    EXPECT_EQ(words_match(receiver, 2, 3), 0);
    EXPECT(next == receiver);                       /* equal priority: receiver goes on */
}

static void test_ipc_errors_tid(void)
{
    reset();
    struct tcb *a = spawn(space_a, 100);
    struct tcb *b = spawn(space_a, 100);
    run(a);
    ipc_general(a, SYS_CALL, b->tid, tag_make(CONFIG_MAX_MSG_WORDS + 1, 0), 0);
    EXPECT_EQ(result_error(a), E_MSG_TOO_LONG);
    ipc_general(a, SYS_CALL, a->tid, 0, 0);
    EXPECT_EQ(result_error(a), E_SELF_IPC);
    ipc_general(a, SYS_CALL, b->tid + 1, 0, 0);
    EXPECT_EQ(result_error(a), E_INVALID_DEST);
    ipc_general(a, SYS_SEND, b->tid, TAG_SEND_NONBLOCK, 0);
    EXPECT_EQ(result_error(a), E_WOULD_BLOCK);
    ipc_general(a, SYS_RECV, 0, TAG_RECV_NONBLOCK, IPC_ANY);
    EXPECT_EQ(result_error(a), E_WOULD_BLOCK);
    ipc_general(a, SYS_REPLY_WAIT, b->tid, 0, IPC_ANY);  /* b is not waiting */
    EXPECT_EQ(result_error(a), E_WOULD_BLOCK);
    EXPECT_EQ(a->state, THREAD_READY);                    /* no receive phase ran */
    EXPECT_EQ(b->state, THREAD_READY);

    /* A caller blocked on a thread that dies is released with E_ABORTED. */
    ipc_general(a, SYS_CALL, b->tid, 0, 0);
    EXPECT_EQ(a->state, THREAD_SEND_BLOCKED);
    thread_kill(b);
    EXPECT_EQ(a->state, THREAD_READY);
    EXPECT_EQ(result_error(a), E_ABORTED);
}

#if CONFIG_FASTPATH_ON

static void test_fastpath_tid(void)
{
    reset();
    struct tcb *server = spawn(space_a, 100);
    struct tcb *client = spawn(space_b, 100);
    run(server);
    ipc_general(server, SYS_RECV, 0, 0, IPC_ANY);
    run(client);
    EXPECT(fastpath_call(server->tid, tag_make(1, 0) | TAG_SEND_NONBLOCK) == NULL);
    EXPECT(fastpath_call(server->tid, tag_make(ABI_REG_WORDS + 1, 0)) == NULL);
    EXPECT(fastpath_call(client->tid, 0) == NULL);     /* itself: not waiting */
    EXPECT(fastpath_call(server->tid + 1, 0) == NULL); /* stale */
    requeue_if_lazy(server, server->tid);
    unsigned long switches = host_space_switches;
    EXPECT(fastpath_call(server->tid, tag_make(0, 5)) == server);
    EXPECT(current == server);
    EXPECT(host_entry_thread == server);
    EXPECT_EQ(host_space_switches, switches + 1);      /* cross address space */
    EXPECT_EQ(client->state, THREAD_RECV_BLOCKED);
    EXPECT_EQ(client->wait_from, server->tid);
    EXPECT_EQ(server->state, THREAD_READY);
    EXPECT_EQ(result_value(server, 0), client->tid);
    EXPECT(fastpath_reply_wait(client->tid, 0, IPC_ANY) == client);
    EXPECT(current == client);
    EXPECT_EQ(server->state, THREAD_RECV_BLOCKED);
    EXPECT_EQ(client->state, THREAD_READY);

    /* A lower-priority receiver is left to the general path. */
    struct tcb *low = spawn(space_a, 10);
    run(low);
    ipc_general(low, SYS_RECV, 0, 0, IPC_ANY);
    run(client);
    EXPECT(fastpath_call(low->tid, 0) == NULL);
}
#endif

#else /* CONFIG_DEST_ENDPOINT */

#define EP_SLOT 1
#define SEND_SLOT 2
#define BADGE 0x77

static struct endpoint *make_endpoint(void)
{
    struct endpoint *ep = endpoint_create();
    EXPECT(ep != NULL);
    space_a->caps[EP_SLOT] = (struct cap){CAP_ENDPOINT, CAP_RIGHTS_ALL, ep, 0};
    EXPECT_EQ(cap_mint(space_a, EP_SLOT, space_b, SEND_SLOT, BADGE, CAP_RIGHT_SEND), E_OK);
    return ep;
}

static void test_caps(void)
{
    reset();
    make_endpoint();
    EXPECT(cap_lookup(space_a->caps, EP_SLOT, CAP_ENDPOINT, CAP_RIGHTS_ALL) != NULL);
    EXPECT(cap_lookup(space_a->caps, IPC_NIL, CAP_ENDPOINT, 0) == NULL);
    EXPECT(cap_lookup(space_a->caps, CAP_SLOTS, CAP_ENDPOINT, 0) == NULL);
    EXPECT(cap_lookup(space_a->caps, 5, CAP_ENDPOINT, 0) == NULL);
    struct cap *send = cap_lookup(space_b->caps, SEND_SLOT, CAP_ENDPOINT, CAP_RIGHT_SEND);
    EXPECT(send != NULL && send->badge == BADGE);
    EXPECT(cap_lookup(space_b->caps, SEND_SLOT, CAP_ENDPOINT, CAP_RIGHT_RECV) == NULL);
    EXPECT_EQ(cap_mint(space_a, EP_SLOT, space_b, SEND_SLOT, 1, CAP_RIGHT_SEND), E_INVALID_ARG);
    EXPECT_EQ(cap_mint(space_a, 9, space_b, 3, 1, CAP_RIGHT_SEND), E_INVALID_CAP);
    EXPECT_EQ(cap_mint(space_a, EP_SLOT, space_b, 0, 1, CAP_RIGHT_SEND), E_INVALID_ARG);
    /* Minting never adds rights. */
    EXPECT_EQ(cap_mint(space_b, SEND_SLOT, space_a, 4, 1, CAP_RIGHTS_ALL), E_OK);
    EXPECT(cap_lookup(space_a->caps, 4, CAP_ENDPOINT, CAP_RIGHT_RECV) == NULL);
    EXPECT_EQ(cap_free_slot(space_a), 2);
}

static void test_ipc_call_reply_endpoint(void)
{
    reset();
    struct endpoint *ep = make_endpoint();
    struct tcb *server = spawn(space_a, 100);
    struct tcb *client = spawn(space_b, 100);
    run(server);
    struct tcb *next = ipc_general(server, SYS_RECV, 0, 0, EP_SLOT);
    EXPECT_EQ(server->state, THREAD_RECV_BLOCKED);
    EXPECT_EQ(ep->state, EP_RECEIVERS);
    EXPECT(next == client);

    run(client);
    unsigned len = ABI_REG_WORDS < 3 ? ABI_REG_WORDS : 3;
    put_words(client, len, 5);
    next = ipc_general(client, SYS_CALL, SEND_SLOT, tag_make(len, 1), 0);
    EXPECT(next == server);
    EXPECT_EQ(ep->state, EP_IDLE);
    EXPECT_EQ(client->state, THREAD_REPLY_BLOCKED);
    EXPECT(server->reply_to == client);
    EXPECT_EQ(result_value(server, 0), BADGE);       /* the badge, never a thread ID */
    EXPECT_EQ(words_match(server, len, 5), 0);

    run(server);
    next = ipc_general(server, SYS_REPLY_WAIT, 0, 0, EP_SLOT);
    EXPECT(next == client);
    EXPECT_EQ(client->state, THREAD_READY);
    EXPECT_EQ(result_error(client), E_OK);
    EXPECT(server->reply_to == NULL);                 /* the reply right is one-shot */
    EXPECT_EQ(server->state, THREAD_RECV_BLOCKED);
    EXPECT_EQ(ep->state, EP_RECEIVERS);
}

static void test_ipc_errors_endpoint(void)
{
    reset();
    make_endpoint();
    struct tcb *a = spawn(space_b, 100);
    struct tcb *b = spawn(space_a, 100);
    run(a);
    ipc_general(a, SYS_CALL, SEND_SLOT, tag_make(CONFIG_MAX_MSG_WORDS + 1, 0), 0);
    EXPECT_EQ(result_error(a), E_MSG_TOO_LONG);
    ipc_general(a, SYS_CALL, 9, 0, 0);
    EXPECT_EQ(result_error(a), E_INVALID_CAP);
    ipc_general(a, SYS_RECV, 0, 0, SEND_SLOT);       /* no receive right */
    EXPECT_EQ(result_error(a), E_INVALID_CAP);
    ipc_general(a, SYS_SEND, SEND_SLOT, TAG_SEND_NONBLOCK, 0);
    EXPECT_EQ(result_error(a), E_WOULD_BLOCK);
    ipc_general(a, SYS_REPLY_WAIT, 0, 0, SEND_SLOT); /* nobody to reply to */
    EXPECT_EQ(result_error(a), E_INVALID_DEST);

    /* The receiver dies holding our call: E_ABORTED. */
    run(b);
    ipc_general(b, SYS_RECV, 0, 0, EP_SLOT);
    run(a);
    ipc_general(a, SYS_CALL, SEND_SLOT, 0, 0);
    EXPECT_EQ(a->state, THREAD_REPLY_BLOCKED);
    thread_kill(b);
    EXPECT_EQ(a->state, THREAD_READY);
    EXPECT_EQ(result_error(a), E_ABORTED);
}

#if CONFIG_FASTPATH_ON

static void test_fastpath_endpoint(void)
{
    reset();
    struct endpoint *ep = make_endpoint();
    struct tcb *server = spawn(space_a, 100);
    struct tcb *client = spawn(space_b, 100);
    run(client);
    EXPECT(fastpath_call(SEND_SLOT, 0) == NULL);      /* nobody receiving yet */
    run(server);
    ipc_general(server, SYS_RECV, 0, 0, EP_SLOT);
    run(client);
    EXPECT(fastpath_call(9, 0) == NULL);              /* no such capability */
    requeue_if_lazy(server, SEND_SLOT);
    EXPECT(fastpath_call(SEND_SLOT, 0) == server);
    EXPECT_EQ(client->state, THREAD_REPLY_BLOCKED);
    EXPECT(server->reply_to == client);
    EXPECT_EQ(result_value(server, 0), BADGE);
    EXPECT(fastpath_reply_wait(0, 0, EP_SLOT) == client);
    EXPECT_EQ(server->state, THREAD_RECV_BLOCKED);
    EXPECT_EQ(ep->state, EP_RECEIVERS);
    EXPECT(server->reply_to == NULL);
}
#endif

#endif

int main(void)
{
    printf("unit tests: variant %s (transfer=%s sched=%s dest=%s fastpath=%s)\n",
           CONFIG_VARIANT, CONFIG_TRANSFER_NAME, CONFIG_SCHED_NAME, CONFIG_DEST_NAME,
           CONFIG_FASTPATH_NAME);
    test_sched_priorities();
    test_sched_round_robin();
    test_sched_policy();
    test_sched_timeslice();
    test_thread_ids();
#if CONFIG_DEST_TID
    test_ipc_call_reply_tid();
    test_ipc_blocked_sender_tid();
    test_ipc_errors_tid();
#if CONFIG_FASTPATH_ON
    test_fastpath_tid();
#endif
#else
    test_caps();
    test_ipc_call_reply_endpoint();
    test_ipc_errors_endpoint();
#if CONFIG_FASTPATH_ON
    test_fastpath_endpoint();
#endif
#endif
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
