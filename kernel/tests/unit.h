/*
 * The host-built unit tests of the portable kernel core (make unit): the kernel's own
 * sources compiled into a Linux program once per variant, kernel/arch/host standing in
 * for the machine, with kernel assertions on (CONFIG_DEBUG) and ASan/UBSan.
 *
 * The build picks the test files by the variant's axis values (unit.mk): every file of
 * common/, and of each <axis>-<value>/ directory the configuration names (dest-tid/,
 * sched-benno/, ...), so no test file tests an axis with #if. Tests that need to know
 * how the axes behave ask the fixture below, which the per-value files implement.
 */
#ifndef IPCLAB_UNIT_H
#define IPCLAB_UNIT_H

#include <stdio.h>

#include "frame.h"
#include "invariants.h"
#include "ipc.h"
#include "irq.h"
#include "kstat.h"
#include "kernel.h"
#include "objects.h"
#include "sched.h"
#include "space.h"
#include "thread.h"

extern unsigned unit_passed, unit_failed;

#define EXPECT(cond)                                                                   \
    do {                                                                               \
        if (cond) {                                                                    \
            unit_passed++;                                                             \
        } else {                                                                       \
            unit_failed++;                                                             \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                     \
        }                                                                              \
    } while (0)

#define EXPECT_EQ(a, b)                                                                \
    do {                                                                               \
        unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
        if (va_ == vb_) {                                                              \
            unit_passed++;                                                             \
        } else {                                                                       \
            unit_failed++;                                                             \
            printf("FAIL %s:%d: %s == %s (%llu != %llu)\n", __FILE__, __LINE__, #a, #b, \
                   va_, vb_);                                                          \
        }                                                                              \
    } while (0)

/* UNIT_TEST(name) { ... } defines a test and registers it before main() runs. */
void unit_register(const char *name, void (*fn)(void));
#define UNIT_TEST(name)                                                                \
    static void name(void);                                                            \
    __attribute__((constructor)) static void register_##name(void)                     \
    {                                                                                  \
        unit_register(#name, name);                                                    \
    }                                                                                  \
    static void name(void)

/* ---- fixture.c: a fresh kernel and threads in it ---- */
extern struct space *space_a, *space_b;
/* Every object table emptied, frames reset, two address spaces made: space_a as the
 * root task's (creator of space_b and holder of the endpoint quota), space_b its child. */
void reset(void);
/* A started thread of space s: runnable and eligible for the scheduler. */
struct tcb *spawn(struct space *s, unsigned prio);
/* An inactive (created, not started) thread of space s. */
struct tcb *spawn_inactive(struct space *s, unsigned prio);
uint64_t result_error(struct tcb *t);
uint64_t result_value(struct tcb *t, unsigned n);
/* A plain system call made by t (as the general path sees it); the thread to run next. */
struct tcb *sys_call(struct tcb *t, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);
/* len recognisable words where this variant carries them (transfer.h), and a check. */
void put_words(struct tcb *t, unsigned len, uint64_t seed);
unsigned words_match(struct tcb *t, unsigned len, uint64_t seed);

/* ---- sched-<policy>/: what the ready-queue policy makes of the tests' moves ---- */
/* Make t the running thread as the scheduler would have. */
void run(struct tcb *t);
/* Before the fast path switches to a receiver that a pick has just passed over: what
 * the general path does first under this policy (lazy puts it back in the queue). */
void prepare_fast_switch(struct tcb *receiver, uint64_t dest);

/* ---- switch-<value>/: the direct-switch rule (switch.h), stated again on its own ---- */
enum switch_choice {
    CHOOSE_PARTNER,         /* the released partner runs at once (a direct switch) */
    CHOOSE_SELF,            /* self goes on, the partner waits in the ready queue */
    CHOOSE_BY_SCHEDULER,    /* the partner is queued and the scheduler picks */
};
enum switch_choice expected_switch(unsigned self_prio, unsigned partner_prio, bool self_runs);

/* ---- irq-<value>/: how a handler waits for an interrupt and what it sees ---- */
struct ipc_pair;
/* The object p's server registers a line with (it is the handler). */
uint64_t irq_object(struct ipc_pair *p);
/* The server (running) waits for an interrupt: blocking (the next thread to run is
 * returned), or not (the error: E_WOULD_BLOCK when none is there). */
struct tcb *irq_wait_blocking(struct ipc_pair *p, uint64_t object);
uint64_t irq_take_nonblocking(struct ipc_pair *p, uint64_t object);
/* What the handler finds in its first result value for an interrupt of line. */
uint64_t irq_expected_value(struct ipc_pair *p, unsigned line);

/* ---- dest-<mode>/: how the tests name IPC partners under this addressing mode ---- */
struct ipc_pair {
    struct tcb *server, *client;
    uint64_t call_dest;        /* what the client passes to call the server */
    uint64_t recv_from;        /* what the server passes to receive from clients */
    uint64_t reply_dest;       /* what the server passes to reply to the client */
    uint64_t client_id;        /* what the server sees as the client's sender ID */
    uint64_t bad_dest;         /* a destination naming nothing the client may use */
    uint64_t bad_dest_error;   /* the error a call to bad_dest returns */
};
/* A server in space_a and a client in space_b, at the given priorities. */
void make_pair(struct ipc_pair *p, unsigned server_prio, unsigned client_prio);
/* The client's state while it waits for the server's reply. */
void expect_awaits_reply(struct tcb *client, struct tcb *server);
/* The server's state while it waits for a request (after recv or reply-and-wait). */
void expect_waits_for_request(struct ipc_pair *p);
/* IRQ=ipc: what the server registers a line with, and the sender value it then sees. */
uint64_t dest_irq_object(struct ipc_pair *p);
uint64_t dest_irq_sender(struct ipc_pair *p, unsigned line);

#endif
