/*
 * The user-visible ABI of the ipclab kernel: system call numbers, error codes, the
 * message tag, the UTCB and the kernel info page. Kernel and user code both include
 * this file and nothing else defines these numbers.
 *
 * Register use of a system call on x86_64 (see kernel/arch/x86_64/syscall_entry.S):
 *   in:  rax = call number, rdi = destination, rsi = tag, rdx = receive specifier,
 *        r8, r9, r10, rbx, r12, r13, r14, r15 = message registers MR0..MR7
 *   out: rax = error code, rdi = sender (thread ID or badge), rsi = tag,
 *        MR registers = message words (for lengths up to ABI_REG_WORDS)
 *   rcx and r11 are destroyed by the syscall instruction itself; rsp is kept; the
 *   other system calls keep every other register. An IPC that receives leaves rbp and
 *   the message registers past the received length undefined: they may hold the
 *   sender's register contents (as in L4 X.2, the fast path spends no instructions
 *   clearing them; the user stub saves rbp itself).
 */
#ifndef IPCLAB_ABI_H
#define IPCLAB_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* System call numbers (macros: the assembly entry code dispatches on them too). */
#define SYS_NULL 0            /* returns at once: the floor no IPC can beat */
#define SYS_SEND 1            /* send(dest, tag) */
#define SYS_RECV 2            /* recv(from, tag) */
#define SYS_CALL 3            /* send to dest, then wait for its reply, atomically */
#define SYS_REPLY_WAIT 4      /* reply to dest (tid) or to the caller (endpoint), then recv(from) */
#define SYS_SPACE_CREATE 5    /* () -> rdi = space handle */
#define SYS_THREAD_CREATE 6   /* (rdi space, rsi utcb address, rdx priority) -> rdi = thread ID */
#define SYS_THREAD_START 7    /* (rdi thread ID, rsi ip, rdx sp, r8 argument) */
#define SYS_MAP 8             /* (rdi space, rsi source address, rdx dest address, r8 pages, r9 flags) */
#define SYS_ENDPOINT_CREATE 9 /* () -> rdi = capability slot in the caller's table */
#define SYS_CAP_MINT 10       /* (rdi space, rsi source slot, rdx dest slot, r8 badge, r9 rights) */
#define SYS_DEBUG_WRITE 11    /* (rdi address, rsi length): print to the console */
#define SYS_SHUTDOWN 12       /* (rdi status): end the run; root task only */
#define SYS_YIELD 13

#ifndef __ASSEMBLER__

/* Error codes, returned in rax. */
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
};

/*
 * Message tag: bits 0-7 length in words, bit 8 "do not block in the send phase",
 * bit 9 "do not block in the receive phase", bits 16-31 a label the kernel passes on.
 */
#define TAG_LEN_MASK 0xffull
#define TAG_SEND_NONBLOCK (1ull << 8)
#define TAG_RECV_NONBLOCK (1ull << 9)
#define TAG_LABEL_SHIFT 16
#define TAG_LABEL_MASK (0xffffull << TAG_LABEL_SHIFT)

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

/* Thread IDs: number in bits 16-47, version in bits 0-15 (never 0). */
#define TID_VERSION_BITS 16
#define TID_VERSION_MASK 0xffffull

/* Message registers: how many words travel in physical registers. */
#define ABI_REG_WORDS 8
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

/* Capability rights (endpoint addressing). */
#define CAP_RIGHT_SEND 1ull
#define CAP_RIGHT_RECV 2ull
#define CAP_RIGHTS_ALL (CAP_RIGHT_SEND | CAP_RIGHT_RECV)
#define CAP_SLOTS 64

/* Flags of SYS_MAP. */
#define MAP_WRITABLE 1ull

/* Fixed user addresses. The user half runs from USER_BASE to USER_TOP. */
#define USER_BASE 0x40000000ull
#define USER_TOP 0x0000800000000000ull
#define USER_PAGE_SIZE 4096ull
#define ROOT_IMAGE_BASE USER_BASE
#define KIP_ADDRESS 0x7f0000000000ull
#define ROOT_UTCB_ADDRESS (KIP_ADDRESS + USER_PAGE_SIZE)

/*
 * The kernel info page, mapped read-only into the root task: what this kernel was
 * built as and booted with, so the benchmark reports it without guessing.
 */
#define KIP_MAGIC 0x50494b4c43504931ull /* "1IPCLKIP" */
#define KIP_STRING 32
#define KIP_CMDLINE 256

struct kip {
    uint64_t magic;
    uint64_t abi_version;
    char variant[KIP_STRING];
    char arch[KIP_STRING];
    char transfer[KIP_STRING];
    char sched[KIP_STRING];
    char dest[KIP_STRING];
    char fastpath[KIP_STRING];
    char counter[KIP_STRING];
    uint64_t reg_words;        /* words a message may carry in registers */
    uint64_t max_words;        /* longest message this variant accepts */
    uint64_t root_tid;         /* the root thread's own ID */
    uint64_t root_space;       /* the root task's space handle */
    uint64_t root_utcb;        /* user address of the root thread's UTCB */
    char cmdline[KIP_CMDLINE]; /* the boot command line, as given */
};

#define ABI_VERSION 1

#endif /* __ASSEMBLER__ */
#endif
