/*
 * The two-process ping-pong every cross-process mechanism runs (pingpong.c) and the
 * interface each mechanism fills in (mechanisms.c).
 *
 * Side A (the parent) sends value a_i and then receives; side B (the child, forked
 * after the channel is opened) receives, checks and answers with b_i. Each side's
 * system calls go through the timed stub; a mechanism only says which system call
 * sends and which receives, and what arrived.
 */
#ifndef PINGPONG_H
#define PINGPONG_H

#include "linuxbench.h"

enum side { SIDE_A = 0, SIDE_B = 1 };

/* What both processes share of a channel (it lives in MAP_SHARED memory, so stores
 * by one side are seen by the other; the futex and yield mechanisms use it). */
struct shared_words {
    volatile uint32_t word[2];    /* word[side]: what that side sends */
};

struct chan {
    int fd_send[2];               /* per side; -1 if unused */
    int fd_recv[2];
    struct shared_words *shared;
    /* Per side, each process's own copy after fork: */
    uint64_t last_seen;           /* the receiving side's previous value (futex) */
    union {
        unsigned char byte;
        uint64_t word;
    } out, in;                    /* the send and receive buffers of read/write */
};

struct mechanism {
    const char *bench;            /* the bench= name */
    unsigned len;                 /* len= of its cases: bytes or words (README) */
    /* 1 if side A's one call already spans the round trip (sched_yield returns when
     * the partner has yielded back); otherwise a round trip is send + receive. */
    int one_call_round;
    /* 1 if both processes always run SCHED_FIFO: sched_yield, because under CFS a
     * yield is only a hint (a freshly forked partner, its vruntime set a slice ahead,
     * is not picked, and the yielding process simply runs on). */
    int always_fifo;
    int (*open)(struct chan *c);
    /* Set up the send of `value` (untimed: message set-up, as for the kernel's
     * message words), then the receive. */
    void (*prep_send)(struct chan *c, enum side s, uint32_t value, struct sc *call);
    void (*prep_recv)(struct chan *c, enum side s, struct sc *call);
    /* After the receive returned: 1 if it must be repeated (a futex wake-up that
     * did not change the word). */
    int (*again)(struct chan *c, enum side s, const struct sc *call);
    /* After the receive: the value that arrived. */
    uint32_t (*received)(struct chan *c, enum side s, const struct sc *call);
    /* Did the call succeed (the result it must have)? */
    int (*send_ok)(const struct sc *call);
    int (*recv_ok)(const struct sc *call);
};

extern const struct mechanism mech_sched_yield, mech_pipe, mech_eventfd, mech_futex,
    mech_unix_socket;

#endif
