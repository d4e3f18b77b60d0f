/*
 * The thread control block: everything the kernel knows about one thread.
 *
 * The saved user registers come first so that the architecture's entry code can
 * reach them at a fixed offset from the TCB pointer. Every other field is portable.
 */
#ifndef IPCLAB_CORE_TCB_H
#define IPCLAB_CORE_TCB_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "list.h"
#include "reply_fields.h"
#include <arch/regs.h>
#include <ipclab/abi.h>
#if CONFIG_FPU_LAZY
#include <arch/fpu.h>
#endif

enum thread_state {
    THREAD_FREE = 0,        /* slot unused */
    THREAD_INACTIVE,        /* created, not started */
    THREAD_READY,           /* running or runnable */
    THREAD_SEND_BLOCKED,    /* waiting for a receiver (send phase of send or call) */
    THREAD_RECV_BLOCKED,    /* waiting for a sender */
    THREAD_REPLY_BLOCKED,   /* endpoint call: waiting for the reply of the thread it called */
    THREAD_NOTIFY_BLOCKED,  /* waiting in SYS_WAIT on a notification (NOTIFY=notify) */
};

struct space;
struct endpoint;
struct notification;

/* A power of two at least the TCB's size, so that finding a TCB from a thread number
 * is a shift rather than a multiplication. */
#define TCB_ALIGN 512

struct tcb {
    struct arch_regs regs;       /* must stay first: see the arch entry code */

    uint8_t state;               /* enum thread_state */
    uint8_t prio;
    bool queued;                 /* linked into its priority's ready queue */
    bool calling;                /* a blocked send is the first phase of a call */
    uint32_t timeslice_left;     /* timer ticks before round robin moves on */
    struct link ready_link;

    struct space *space;
    struct utcb *utcb;           /* the UTCB as the kernel addresses it */
    uint64_t utcb_addr;          /* the UTCB as its thread addresses it */
    uint64_t tid;                /* global thread ID: number and version */

    /* IPC wait state. */
    struct link wait_link;       /* in a thread's sender queue or an endpoint queue */
    uint64_t send_tag;           /* tag of a blocked send */
    uint64_t send_id;            /* what a receiver sees as this blocked sender: its
                                    thread ID or its capability's badge (dest.h) */
    struct tcb *partner;         /* the thread a blocked sender or caller waits on */
    /* The DEST axis's own fields (dest_tid.h, dest_endpoint.h). */
#if CONFIG_DEST_TID
    uint64_t wait_from;          /* IPC_ANY or the thread ID of the awaited sender */
    struct link senders;         /* threads blocked sending to this thread */
#else
    struct endpoint *blocked_on; /* endpoint whose queue holds this thread */
    REPLY_TCB_FIELDS             /* the right to reply to a caller (reply.h) */
#endif
#if CONFIG_FPU_LAZY
    /* FPU=lazy (fpu.h): the thread's FPU registers while another thread owns them. */
    bool fpu_used;               /* it has used the FPU: fpu_state is its state */
    struct arch_fpu_state fpu_state;
#endif
#if CONFIG_NOTIFY_NOTIFY
    /* The NOTIFY axis's fields (notification.c). */
    struct notification *bound;      /* its open receives also end on a signal of this */
    struct notification *waiting_on; /* the notification it waits on (NOTIFY_BLOCKED) */
#endif
} __attribute__((aligned(TCB_ALIGN)));

static inline bool thread_runnable(const struct tcb *t)
{
    return t->state == THREAD_READY;
}

#endif
