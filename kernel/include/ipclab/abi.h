/*
 * The user-visible ABI of the ipclab kernel: system call numbers, error codes, the
 * message tag, the UTCB and the kernel info page. Kernel and user code both include
 * this file and nothing else defines these numbers.
 *
 * How the words of a system call travel in registers, how many message words fit in
 * them and where the user half of an address space lies differ between architectures:
 * <ipclab/abi_arch.h>, in kernel/arch/<arch>/include/, holds those facts.
 */
#ifndef IPCLAB_ABI_H
#define IPCLAB_ABI_H

#include <ipclab/abi_arch.h>

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/*
 * System call numbers (macros: the assembly entry code dispatches on them too).
 * Arguments are numbered a0..a4 and results r0 (the error code), r1, r2; which
 * registers carry them is the architecture's (<ipclab/abi_arch.h>).
 */
#define SYS_NULL 0            /* returns at once: the floor no IPC can beat */
#define SYS_SEND 1            /* send(a0 dest, a1 tag) */
#define SYS_RECV 2            /* recv(a2 from, a1 tag) */
#define SYS_CALL 3            /* send to dest, then wait for its reply, atomically */
#define SYS_REPLY_WAIT 4      /* reply to a0 dest (tid) or to the caller (endpoint), then recv(a2 from) */
#define SYS_SPACE_CREATE 5    /* () -> r1 = space handle */
#define SYS_THREAD_CREATE 6   /* (a0 space, a1 utcb address, a2 priority) -> r1 = thread ID */
#define SYS_THREAD_START 7    /* (a0 thread ID, a1 ip, a2 sp, a3 argument) */
#define SYS_MAP 8             /* (a0 space, a1 source address, a2 dest address, a3 pages, a4 flags) */
#define SYS_ENDPOINT_CREATE 9 /* () -> r1 = capability slot in the caller's table */
#define SYS_CAP_MINT 10       /* (a0 space, a1 source slot, a2 dest slot, a3 badge, a4 rights) */
#define SYS_DEBUG_WRITE 11    /* (a0 address, a1 length): print to the console */
#define SYS_SHUTDOWN 12       /* (a0 status): end the run; root task only */
#define SYS_YIELD 13
#define SYS_THREAD_DESTROY 14 /* (a0 thread ID): kill it and free what it owned; root task only */
#define SYS_CAP_DELETE 15     /* (a0 slot): empty a slot; the last capability to an endpoint destroys it */
#define SYS_SPACE_DESTROY 16  /* (a0 space): kill its threads, empty its slots, free its tables */
/* Notifications (NOTIFY=notify; E_INVALID_SYSCALL otherwise). A notification is named
 * by a capability slot (with thread IDs as with endpoints: the slot table is the task's
 * handle table); the SEND right signals, the RECV right waits, polls and binds. */
#define SYS_NOTIFY_CREATE 17  /* () -> r1 = slot of a new notification, every right */
#define SYS_SIGNAL 18         /* (a0 slot): OR the capability's badge (1 if none) in; never blocks */
#define SYS_WAIT 19           /* (a0 slot) -> r1 = the bits, cleared; blocks while there are none */
#define SYS_POLL 20           /* (a0 slot) -> r1 = the bits, cleared; E_WOULD_BLOCK if none */
#define SYS_NOTIFY_BIND 21    /* (a0 slot): bind it to the caller (IPC_NIL: unbind) */
/* Tasks (the TASKS axis: ids or caps, see kernel/core/tasks.h). A task is an address
 * space; its creator is its owner, alone acts on it, and destroying it (SYS_SPACE_DESTROY)
 * destroys every task made under it. ids: any task may create, first come first served
 * from the global table; caps: creating costs the creator one unit of its task quota,
 * plus the quota it hands the new task, and destroying gives all of it back. */
#define SYS_TASK_CREATE 22    /* (a0 parent space: the caller's or one it controls, a1 quota
                                 to hand over (caps; 0 under ids)) -> r1 = space handle */
/* Clans and chiefs (COMMCTL=clans; E_INVALID_SYSCALL otherwise, see kernel/core/commctl.h).
 * Every task belongs to the clan of its chief thread (none: the top clan); IPC inside a
 * clan, to one's own chief and from a chief into its clan is direct; any other IPC is
 * redirected to the chief on the way, which receives it with TAG_REDIRECTED and the
 * original sender's ID and passes it on with SYS_CLAN_FORWARD. */
#define SYS_CLAN_SET 23       /* (a0 space it controls and that has no threads yet, a1 chief
                                 thread ID or IPC_NIL): the task joins that chief's clan */
#define SYS_CLAN_FORWARD 24   /* (a1 tag): send the redirected message last received on to
                                 its destination, as from its original sender */
/*
 * Time: interrupts delivered to user threads, the user timer, a preemptible long
 * operation, user-level scheduling, kernel event counters (numbers 30-39).
 *
 * An interrupt line (IRQ_LINE_*) has at most one handler thread. Its interrupt reaches
 * the handler as the IRQ axis says: IRQ=ipc, as a message of length 0 with label
 * IRQ_MSG_LABEL from the line's pseudo-thread, which queues like a sender while nobody
 * receives it (DEST=tid: in the handler's open receives, sender IRQ_SENDER_ID(line);
 * DEST=endpoint: through the endpoint the registration named, with that capability's
 * badge); IRQ=notify, as a signal of the notification the registration named (its
 * capability's badge ORed in). After an interrupt the line stays masked until its
 * handler acknowledges it; one that arrives meanwhile is delivered at the ack.
 */
#define SYS_IRQ_REGISTER 30   /* (a0 line, a1 object): become the line's handler. a1: IRQ=ipc
                                 with endpoints / IRQ=notify: slot of the endpoint / notification
                                 (SEND right); IRQ=ipc with thread IDs: IPC_NIL */
#define SYS_IRQ_ACK 31        /* (a0 line): the handler is done with the interrupt: unmask */
#define SYS_IRQ_RELEASE 32    /* (a0 line): stop handling it (a dying handler releases its lines) */
#define SYS_TIMER_ARM 33      /* (a0 deadline): the user timer (IRQ_LINE_TIMER) fires once when the
                                 counter user code reads reaches a0 (0: disarm); only a thread of
                                 the line's handler's task may arm it */
#define SYS_UNMAP 34          /* (a0 space, a1 address, a2 pages): remove that many page mappings
                                 (absent ones are skipped) from a space the caller may act on.
                                 A long operation: under PREEMPT=points an interrupt stops it between
                                 pages and the call restarts afterwards with a1/a2 advanced past the
                                 pages already removed (as an interrupted rep movs does) */
#define SYS_SCHED_CONTROL 35  /* (a0 notification slot | IPC_NIL): the caller becomes the user-level
                                 scheduler, told of its threads' events through that notification
                                 (NOTIFY=notify): bit n = thread number n became ready,
                                 USCHED_EVENT_STOPPED = the dispatched thread stopped; IPC_NIL ends it */
#define SYS_SCHED_MANAGE 36   /* (a0 thread ID, a1 1 | 0): put a thread of the caller's task under
                                 the caller's scheduling (the kernel no longer runs it on its own),
                                 or give it back to the kernel's scheduler */
#define SYS_SCHED_RUN 37      /* (a0 thread ID | IPC_NIL): dispatch a ready managed thread (it runs
                                 at its priority when the caller blocks); the one dispatched before
                                 is parked */
#define SYS_KSTAT 38          /* (a0 KSTAT_*) -> r1 = a kernel event counter */

/* Interrupt lines user threads may register, on every architecture. */
#define IRQ_LINE_TIMER 0      /* the user timer (SYS_TIMER_ARM): x86_64 local APIC timer, aarch64
                                 EL1 physical timer, riscv64 the SBI timer shared with the tick */
#define IRQ_SENDER_ID(line) ((1ull << 63) | (uint64_t)(line)) /* never a thread ID */
#define IRQ_MSG_LABEL 0xfff0ull
/* The user-level scheduler's event bit for "the thread you dispatched stopped running". */
#define USCHED_EVENT_STOPPED (1ull << 63)
/* Kernel event counters (SYS_KSTAT). */
#define KSTAT_SCHED_PICKS 0   /* the scheduler chose a thread from the ready queues */
#define KSTAT_PREEMPTIONS 1   /* a long operation stopped at a preemption point */
#define KSTAT_IRQS 2          /* interrupts delivered to user handlers */
#define KSTAT_COUNT 3

#ifndef __ASSEMBLER__

/* Error codes, returned in r0. */
enum sys_error {
    E_OK = 0,
    E_INVALID_SYSCALL = 1,  /* no such system call number */
    E_INVALID_DEST = 2,     /* unknown, stale or dead thread ID */
    E_INVALID_CAP = 3,      /* empty slot, wrong object type or missing right */
    E_MSG_TOO_LONG = 4,     /* more words than this transfer mode can carry */
    E_WOULD_BLOCK = 5,      /* a non-blocking phase found no partner ready */
    E_BAD_ADDRESS = 6,      /* a user pointer outside the user half or not mapped */
    E_SELF_IPC = 7,         /* a thread named itself as IPC partner */
    E_NO_MEMORY = 8,        /* out of kernel objects or frames */
    E_INVALID_ARG = 9,      /* any other out-of-range argument */
    E_NO_PERMISSION = 10,   /* operation reserved to the root task */
    E_ABORTED = 11,         /* the partner died while this thread waited */
    E_QUOTA = 12,           /* the caller's task may create no more of this object */
    E_TIMEOUT = 13,         /* a phase's finite timeout expired (TIMEOUTS=full) */
    E_IRQ_BUSY = 16,        /* the interrupt line has a handler already */
    E_NOT_OWNER = 17,       /* the line (or the user timer) is not the caller's */
    E_NOT_MANAGED = 18,     /* the thread is not under the caller's user-level scheduling */
};

/*
 * Message tag:
 *   bits  0-7   length in words
 *   bit   8     do not block in the send phase (a zero send timeout)
 *   bit   9     do not block in the receive phase (a zero receive timeout)
 *   bit  10     (received only) the receive ended on a notification (NOTIFY=notify)
 *   bit  11     (received only) a message redirected to the receiver as its sender's or
 *               its destination's chief (COMMCTL=clans)
 *   bits 16-31  a label the kernel passes on
 *   bits 32-47  send timeout, bits 48-63 receive timeout (TIMEOUTS=full): 0 is infinity
 *               (or zero with the phase's bit 8/9), 1..TIMEOUT_MAX_TICKS timer ticks
 *               (1 ms each); anything else, or a finite timeout with bit 8/9 for the
 *               same phase, is E_INVALID_ARG. TIMEOUTS=zeroinf has no timeout fields:
 *               bits 32-63 are ignored there, as the other reserved bits are
 * A received tag carries the length, the label and bits 10-11 only.
 */
#define TAG_LEN_MASK 0xffull
#define TAG_SEND_NONBLOCK (1ull << 8)
#define TAG_RECV_NONBLOCK (1ull << 9)
#define TAG_LABEL_SHIFT 16
#define TAG_LABEL_MASK (0xffffull << TAG_LABEL_SHIFT)
/* In a received tag: the receive ended on a signal of the receiver's bound notification
 * (r1 holds its bits), not on a message. */
#define TAG_NOTIFICATION (1ull << 10)
/* In a received tag: the message was on its way elsewhere and the receiver is the chief
 * it must pass (r1 holds the original sender's ID); SYS_CLAN_FORWARD sends it on. */
#define TAG_REDIRECTED (1ull << 11)
#define TAG_SEND_TIMEOUT_SHIFT 32
#define TAG_RECV_TIMEOUT_SHIFT 48
#define TAG_TIMEOUT_FIELD 0xffffull
#define TAG_TIMEOUT_MASK (~0ull << TAG_SEND_TIMEOUT_SHIFT)
#define TIMEOUT_MAX_TICKS 60000ull   /* one minute at the 1 kHz tick */

/* A tag with finite send and receive timeouts in ticks (0: infinity). */
static inline uint64_t tag_timeouts(uint64_t tag, uint64_t send_ticks, uint64_t recv_ticks)
{
    return (tag & ~TAG_TIMEOUT_MASK) | ((send_ticks & TAG_TIMEOUT_FIELD) << TAG_SEND_TIMEOUT_SHIFT) |
           ((recv_ticks & TAG_TIMEOUT_FIELD) << TAG_RECV_TIMEOUT_SHIFT);
}

static inline uint64_t tag_send_timeout(uint64_t tag)
{
    return (tag >> TAG_SEND_TIMEOUT_SHIFT) & TAG_TIMEOUT_FIELD;
}

static inline uint64_t tag_recv_timeout(uint64_t tag)
{
    return (tag >> TAG_RECV_TIMEOUT_SHIFT) & TAG_TIMEOUT_FIELD;
}

static inline uint64_t tag_make(uint64_t len, uint64_t label)
{
    return (len & TAG_LEN_MASK) | ((label << TAG_LABEL_SHIFT) & TAG_LABEL_MASK);
}

static inline uint64_t tag_len(uint64_t tag)
{
    return tag & TAG_LEN_MASK;
}

/* Special destination and receive specifiers. */
#define IPC_NIL 0ull          /* no partner: never a valid thread ID or slot */
#define IPC_ANY (~0ull)       /* receive from any sender (thread-ID addressing only) */

/*
 * Thread IDs: number in bits 32-47, version in bits 0-31 (never 0). A slot's version
 * grows at every reuse and the slot is retired before it could wrap, so an ID kept past
 * its thread's death never names another thread. Space handles have the same form.
 */
#define TID_VERSION_BITS 32
#define TID_VERSION_MASK 0xffffffffull

/* The most words a UTCB holds (vregs and mem transfer). */
#define ABI_UTCB_WORDS 64

/*
 * The user thread control block: one pinned page per thread. Message word i lives in
 * mr[i]; with vregs transfer only mr[ABI_REG_WORDS..] are used, the first words travel
 * in registers.
 */
struct utcb {
    uint64_t mr[ABI_UTCB_WORDS];
};

/*
 * Capability rights (endpoint addressing). Minting (SYS_CAP_MINT) copies a capability
 * the caller holds into a slot of its own task's table, or of a task it created; the
 * copy has at most the source's rights; a badge can be set only on an unbadged source
 * (badge 0 keeps the source's), so a server can trust the badges it hands out.
 */
#define CAP_RIGHT_SEND 1ull
#define CAP_RIGHT_RECV 2ull
#define CAP_RIGHTS_ALL (CAP_RIGHT_SEND | CAP_RIGHT_RECV)
/*
 * A task holds CAP_SLOTS capability slots, named by capability addresses: the slot's
 * index. Under CSPACE=guarded (configuration string cspace=guarded) the kernel decodes
 * an address through a tree of guarded CNodes, as seL4 does, whose root guard covers
 * every bit above the index: the same addresses name the same slots, and an address
 * with any other bit set fails the guard (E_INVALID_CAP, or E_INVALID_ARG as a mint's
 * destination), as an index out of range does under CSPACE=flat.
 */
#define CAP_SLOTS 128

/* Flags of SYS_MAP. */
#define MAP_WRITABLE 1ull

/* Fixed user addresses (USER_BASE, USER_TOP and KIP_ADDRESS: <ipclab/abi_arch.h>). */
#define USER_PAGE_SIZE 4096ull
#define ROOT_IMAGE_BASE USER_BASE
#define ROOT_UTCB_ADDRESS (KIP_ADDRESS + USER_PAGE_SIZE)

/*
 * The kernel info page, mapped read-only into the root task: what this kernel was
 * built as and booted with, so the benchmark reports it without guessing. `config` is
 * the configuration string made from kernel/axes.conf ("transfer=regs sched=lazy ..."),
 * one key=value per design axis, which the root task prints as it is.
 */
#define KIP_MAGIC 0x50494b4c43504931ull /* "1IPCLKIP" */
#define KIP_STRING 32
#define KIP_CONFIG 512
#define KIP_CMDLINE 256

struct kip {
    uint64_t magic;
    uint64_t abi_version;
    char variant[KIP_STRING];
    char arch[KIP_STRING];
    char counter[KIP_STRING];  /* the cycle counter user code reads */
    char build[KIP_STRING];    /* "release", or "debug" (kernel assertions compiled in) */
    char config[KIP_CONFIG];   /* the configuration string, one key=value per axis */
    uint64_t reg_words;        /* message words that travel in registers (0: all in the UTCB) */
    uint64_t max_words;        /* longest message this variant accepts */
    uint64_t root_tid;         /* the root thread's own ID */
    uint64_t root_space;       /* the root task's space handle */
    uint64_t root_utcb;        /* user address of the root thread's UTCB */
    volatile uint64_t frames_free; /* free physical frames, kept current by the kernel */
    char cmdline[KIP_CMDLINE]; /* the boot command line, as given */
    /* What kernel objects cost in kernel memory, so that a workload can report the
     * memory a design uses (a thread also takes one frame for its UTCB, counted by
     * frames_free): bytes of one entry of each object table, 0 for an object this
     * configuration does not compile. */
    uint64_t tcb_bytes;
    uint64_t endpoint_bytes;
    uint64_t notification_bytes;
};

#define ABI_VERSION 3

#endif /* __ASSEMBLER__ */
#endif
