/*
 * The two-process ping-pong (pingpong.h) and the cases it prints for each mechanism:
 *
 *   call   one way, A to B: B's counter read just after its receive returns minus A's
 *          read just before its send traps, less one nop stub (sel4bench's one-way
 *          method: the two partial stubs add up to one whole);
 *   round  A's send and receive back to back (sc_pair), from A's first read to its
 *          last, less the nop pair (sched_yield: its one call, less one nop stub).
 *
 * Timestamps and tallies travel through MAP_SHARED memory allocated and written
 * before fork(), so neither side takes a first-touch or copy-on-write fault on them
 * while timing; the warm-up iterations absorb the faults on each side's own stack and
 * data after fork().
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pingpong.h"

#define PAGE 4096u

struct tallies {                  /* B's, read by A after B exits */
    uint64_t done;                /* iterations B completed */
    uint64_t errors;              /* calls that did not return what they must */
    uint64_t bad_values;          /* values that were not the one sent */
    uint64_t retries;             /* receives repeated (futex: word unchanged) */
};

struct shared_run {
    struct shared_words words;
    struct tallies b;
    /* followed (page aligned) by the timestamp arrays */
};

struct stamps {
    uint64_t *a_before;           /* A, just before its send traps */
    uint64_t *a_round_end;        /* A, just after its receive returns */
    uint64_t *b_after;            /* B, just after its receive returns */
};

/* The values each side sends in iteration i: never 0 (an eventfd write of 0 wakes
 * nobody) and never equal to the previous one (a futex waiter must see a change). */
static uint32_t value_a(unsigned i) { return i % 255u + 1u; }
static uint32_t value_b(unsigned i) { return 256u - value_a(i); }

/* Side B, the child: receive, check, answer; `iters` times. */
static void side_b(const struct mechanism *m, struct chan *c, struct shared_run *sh,
                   const struct stamps *st, unsigned iters, int ready_fd,
                   size_t shared_bytes)
{
    struct tallies t = {0};
    struct sc snd, rcv;
    /* Write every shared page once from this process too: a MAP_SHARED mapping is
     * not copied into the child's page tables by fork(), so the first touch faults. */
    for (size_t off = 0; off < shared_bytes; off += PAGE)
        ((volatile char *)sh)[off] = ((volatile char *)sh)[off];
    char ready = 'r';
    if (write(ready_fd, &ready, 1) != 1)
        t.errors++;

    m->prep_recv(c, SIDE_B, &rcv);
    if (m->one_call_round)        /* B's yield both answers and waits for the next turn */
        sc_timed(&rcv);
    for (unsigned i = 0; i < iters; i++) {
        if (!m->one_call_round) {
            m->prep_recv(c, SIDE_B, &rcv);
            sc_timed(&rcv);
            while (m->again(c, SIDE_B, &rcv)) {
                t.retries++;
                sc_timed(&rcv);
            }
        }
        st->b_after[i] = rcv.t_after;
        t.errors += !m->recv_ok(&rcv);
        t.bad_values += m->received(c, SIDE_B, &rcv) != value_a(i);
        m->prep_send(c, SIDE_B, value_b(i), &snd);
        if (m->one_call_round) {
            m->prep_recv(c, SIDE_B, &rcv);
            sc_timed(&rcv);
            t.errors += !m->recv_ok(&rcv);
        } else {
            sc_timed(&snd);
            t.errors += !m->send_ok(&snd);
        }
        t.done++;
    }
    sh->b = t;
}

/* Side A, the parent: send, receive the answer, check; `iters` times. */
static void side_a(const struct mechanism *m, struct chan *c, const struct stamps *st,
                   unsigned iters, struct tallies *t)
{
    struct sc snd = {0}, rcv = {0};
    for (unsigned i = 0; i < iters; i++) {
        m->prep_send(c, SIDE_A, value_a(i), &snd);
        if (m->one_call_round) {
            sc_timed(&snd);
            st->a_round_end[i] = snd.t_after;
            t->errors += !m->send_ok(&snd);
        } else {
            m->prep_recv(c, SIDE_A, &rcv);
            sc_pair(&snd, &rcv);
            while (m->again(c, SIDE_A, &rcv)) {
                t->retries++;
                sc_timed(&rcv);
            }
            st->a_round_end[i] = rcv.t_after;
            t->errors += !m->send_ok(&snd) + !m->recv_ok(&rcv);
        }
        st->a_before[i] = snd.t_before;
        t->bad_values += m->received(c, SIDE_A, &rcv) != value_b(i);
        t->done++;
    }
}

/* Both processes run under one policy (fork() inherits it): SCHED_OTHER (CFS, what a
 * Linux program gets) or SCHED_FIFO at priority 1 (fixed priority, as the
 * microkernel's threads: above every CFS task, so no kernel worker runs in between). */
static int set_policy(int fifo)
{
    struct sched_param sp = {.sched_priority = fifo ? 1 : 0};
    return sched_setscheduler(0, fifo ? SCHED_FIFO : SCHED_OTHER, &sp);
}

static void check_name(char *buf, size_t size, const char *bench, const char *what)
{
    snprintf(buf, size, "%s_%s", bench, what);
}

/* One mechanism: open, fork, ping-pong, report. Returns nothing; every failure is a
 * failed CHECK (and a SKIP instead of values). */
static void run_mechanism(struct run *r, const struct mechanism *m)
{
    unsigned iters = r->warmup + r->samples;
    size_t head = (sizeof(struct shared_run) + PAGE - 1) / PAGE * PAGE;
    size_t bytes = head + 3 * (size_t)iters * sizeof(uint64_t);
    char name[64];
    struct shared_run *sh = shared_alloc(bytes);
    struct chan c = {.fd_send = {-1, -1}, .fd_recv = {-1, -1}};
    int ready[2] = {-1, -1};
    int opened = sh && pipe(ready) == 0;
    if (opened) {
        c.shared = &sh->words;
        opened = m->open(&c) == 0;
    }
    check_name(name, sizeof(name), m->bench, "open");
    report_check(r, name, 1, opened);
    check_name(name, sizeof(name), m->bench, "policy");
    report_check(r, name, 0, set_policy(r->fifo || m->always_fifo));
    if (!opened) {
        report_skip(m->bench, "cross", m->len, "ipc_error");
        return;
    }
    uint64_t *arrays = (uint64_t *)((char *)sh + head);
    struct stamps st = {arrays, arrays + iters, arrays + 2 * (size_t)iters};

    report_flush();               /* a child must not inherit unprinted output */
    pid_t pid = fork();
    if (pid == 0) {
        side_b(m, &c, sh, &st, iters, ready[1], bytes);
        _exit(0);
    }
    struct tallies a = {0};
    int status = -1;
    if (pid > 0) {
        char byte;
        if (read(ready[0], &byte, 1) != 1)
            a.errors++;
        side_a(m, &c, &st, iters, &a);
        if (waitpid(pid, &status, 0) != pid)
            status = -1;
    }
    for (int i = 0; i < 2; i++) {
        if (c.fd_send[i] >= 0)
            close(c.fd_send[i]);
        if (c.fd_recv[i] >= 0 && c.fd_recv[i] != c.fd_send[i])
            close(c.fd_recv[i]);
    }
    close(ready[0]);
    close(ready[1]);

    uint64_t errors = a.errors + sh->b.errors;
    check_name(name, sizeof(name), m->bench, "partner_exit");
    report_check(r, name, 0, pid > 0 ? status : -1);
    check_name(name, sizeof(name), m->bench, "exchanges");
    report_check(r, name, 2 * (int64_t)iters, (int64_t)(a.done + sh->b.done));
    check_name(name, sizeof(name), m->bench, "call_errors");
    report_check(r, name, 0, (int64_t)errors);
    check_name(name, sizeof(name), m->bench, "values");
    report_check(r, name, 0, (int64_t)(a.bad_values + sh->b.bad_values));
    if (a.retries + sh->b.retries)
        report_text("%s: %llu receive(s) repeated", m->bench,
                    (unsigned long long)(a.retries + sh->b.retries));

    if (pid <= 0 || status != 0 || errors || a.done + sh->b.done != 2ull * iters) {
        /* Timestamps of failed exchanges measure nothing: no values. */
        report_skip(m->bench, "cross", m->len, "ipc_error");
    } else {
        unsigned w = r->warmup;
        for (unsigned i = 0; i < r->samples; i++)
            r->values[i] = (int64_t)(st.b_after[w + i] - st.a_before[w + i] - r->ovh_one);
        report_case(r, m->bench, "cross", m->len, "call", r->ovh_one, r->values);
        uint64_t ovh = m->one_call_round ? r->ovh_one : r->ovh_pair;
        for (unsigned i = 0; i < r->samples; i++)
            r->values[i] = (int64_t)(st.a_round_end[w + i] - st.a_before[w + i] - ovh);
        report_case(r, m->bench, "cross", m->len, "round", ovh, r->values);
    }
    munmap(sh, bytes);
    set_policy(0);
}

void run_cross_process(struct run *r)
{
    report_text("policy: %s (sched_yield: SCHED_FIFO always)",
                r->fifo ? "SCHED_FIFO priority 1" : "SCHED_OTHER");
    static const struct mechanism *const all[] = {
        &mech_sched_yield, &mech_pipe, &mech_eventfd, &mech_futex, &mech_unix_socket,
    };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        run_mechanism(r, all[i]);
}
