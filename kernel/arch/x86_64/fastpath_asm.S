/*
 * FASTPATH=asm: a hand-written twin of the C fast path (kernel/core/fastpath.c) for
 * call and reply-and-wait under endpoint addressing: the same checks in the same
 * order, the same point of no return, the same commit, and, through #if, the same
 * variation along the other axes (SCHED, FRAME, CSPACE, REPLY, FPU, KPTI; TRANSFER
 * regs or vregs, whose fast path moves no word). Each block names the C it mirrors.
 *
 * Entered by a jump from syscall_entry.S with rsp at the caller's frame, which is its
 * TCB (the frame comes first), so `self` is rsp: no load of `current`, no call, no
 * return value to test; it leaves by `jmp pop_frame` with rsp at the receiver's TCB,
 * or by `jmp slow_path` untouched. Until the point of no return it uses only rax,
 * rcx, rdx, rsi, rdi and r11, which the general path does not need (the arguments are
 * in the frame), so a declined IPC leaves every message register and rbp where the
 * general path's save expects them; under FRAME=partial the message registers cross
 * to the receiver in the CPU, as with the C fast path. Register use:
 *   rsp self   rdi cptr (dest or from), then scratch   rax capability, then `to`
 *   rdx endpoint   rsi, rcx, r11 scratch
 *
 * The [category] comments say what make profile counts the instructions after them as
 * (lookup, checks, commit, switch, and the axes' frame, reply, fpu); the AT macro
 * beside each puts a label there, which is what the profile reads.
 */
#include "config.h"
#include "fastpath_offsets.h"
#include <arch/regs_offsets.h>
#include <ipclab/abi.h>

#define TAG_NOT_FAST 0xffffffff0000ff00    /* ~(TAG_LEN_MASK | TAG_LABEL_MASK) */

/* Decline: nothing was written; the general path redoes the whole operation. */
#define DECLINE slow_path

/* A label where the instructions of one category begin, for make profile (which
 * attributes each instruction to the nearest symbol before it): <fn>.<category>.<n>. */
.macro AT fn, category
\fn\().\category\().\@:
.endm

/*
 * cspace_lookup(self->space, cptr, CAP_ENDPOINT, right) -> rax (cap.h, cspace_*.h,
 * cnode.h); declines when it is NULL. In: rdi = cptr, rsi = self->space.
 */
.macro CAP_LOOKUP fn, right
#if CONFIG_CSPACE_FLAT
    /* [lookup] cap_lookup(): slot 0 and slots past the table name nothing */
    AT \fn, lookup
    leaq -1(%rdi), %rax
    cmpq $(CAP_SLOT_COUNT - 1), %rax
    jae DECLINE
    leaq (%rdi,%rdi,2), %rax
    leaq SPACE_CAPS(%rsi,%rax,8), %rax
#else
    /* [lookup] cnode_decode(root, cptr, 64): guard, radix, depth, per CNode level;
     * the shift by 64 - n is a shift by -n (the CPU takes the count mod 64) */
    AT \fn, lookup
    leaq SPACE_CSPACE_ROOT(%rsi), %rax       /* node */
    movl $64, %r11d                          /* bits left */
1:  movzbl CAP_GUARD_BITS(%rax), %ecx
    movzbl CAP_RADIX(%rax), %edx
    leal (%rcx,%rdx), %esi
    cmpl %r11d, %esi
    ja DECLINE                               /* depth mismatch */
    subl %esi, %r11d
    testl %ecx, %ecx
    jz 2f
    movq %rdi, %rsi
    negl %ecx
    shrq %cl, %rsi                           /* the next guard_bits bits */
    cmpq CAP_BADGE(%rax), %rsi               /* (the guard, in the badge's word) */
    jne DECLINE                              /* guard mismatch */
    negl %ecx
    shlq %cl, %rdi
2:  movl %edx, %ecx
    negl %ecx
    movq %rdi, %rsi
    shrq %cl, %rsi                           /* the next radix bits: the index */
    leaq (%rsi,%rsi,2), %rsi
    movq CAP_OBJECT(%rax), %rax              /* (the slots, in the object's word) */
    leaq (%rax,%rsi,8), %rax
    testl %r11d, %r11d
    jz 3f                                    /* bits used up: this slot */
    cmpb $CAP_CNODE_TYPE, CAP_TYPE(%rax)
    jne DECLINE                              /* ran off the tree */
    movl %edx, %ecx
    shlq %cl, %rdi
    jmp 1b
3:
#endif
    cmpb $CAP_ENDPOINT_TYPE, CAP_TYPE(%rax)
    jne DECLINE
    testb $\right, CAP_RIGHTS(%rax)
    jz DECLINE
.endm

/* tag_fast(): no flags, at most ABI_REG_WORDS words. In: rsi = tag. */
.macro TAG_CHECK fn
    /* [checks] */
    AT \fn, checks
    movq $TAG_NOT_FAST, %rcx
    testq %rcx, %rsi
    jnz DECLINE
    cmpb $ABI_REG_WORDS, %sil
    ja DECLINE
.endm

/* partner_schedulable(self, to): sched_fast_switch_ok (lazy: still queued) and the
 * direct-switch rule for a blocking self (to->prio >= self->prio). In: rax = to. */
.macro SCHEDULABLE fn
    /* [checks] */
    AT \fn, checks
#if CONFIG_SCHED_LAZY
    cmpb $0, TCB_QUEUED(%rax)
    je DECLINE
#endif
    movzbl TCB_PRIO(%rsp), %ecx
    cmpb %cl, TCB_PRIO(%rax)
    jb DECLINE
.endm

/*
 * commit_switch(self, to, tag, sender_id): to runs; the message's register words
 * (FRAME=full), its results, the address space, the FPU, current and the next entry's
 * frame. In: rax = to, rdx = sender id (badge or 0). Leaves to the exit with rsp = to.
 */
.macro COMMIT_SWITCH fn
    /* [commit] to->state = READY; results: E_OK, sender id, the tag as sent */
    AT \fn, commit
    movb $STATE_READY, TCB_STATE(%rax)
    movq $0, REGS_RAX(%rax)
    movq %rdx, REGS_RDI(%rax)
    movq REGS_RSI(%rsp), %rcx
    movq %rcx, REGS_RSI(%rax)
#if CONFIG_FRAME_FULL
    /* [frame] regframe_fast_words(): the first len words, which the registers still
     * hold (the entry saved them, nothing touched them since), into to's frame */
    AT \fn, frame
    movzbl %cl, %ecx
    cmpl $1, %ecx
    jb 4f
    movq %r8, REGS_R8(%rax)
    cmpl $2, %ecx
    jb 4f
    movq %r9, REGS_R9(%rax)
    cmpl $3, %ecx
    jb 4f
    movq %r10, REGS_R10(%rax)
    cmpl $4, %ecx
    jb 4f
    movq %rbx, REGS_RBX(%rax)
    cmpl $5, %ecx
    jb 4f
    movq %r12, REGS_R12(%rax)
    cmpl $6, %ecx
    jb 4f
    movq %r13, REGS_R13(%rax)
    cmpl $7, %ecx
    jb 4f
    movq %r14, REGS_R14(%rax)
    cmpl $8, %ecx
    jb 4f
    movq %r15, REGS_R15(%rax)
4:
#endif
    /* [switch] a new address space only if to's differs */
    AT \fn, switch
    movq TCB_SPACE(%rax), %rcx
    cmpq TCB_SPACE(%rsp), %rcx
    je 5f
    movq SPACE_ARCH_PML4(%rcx), %rcx
#if CONFIG_KPTI_ON
    movq %rcx, kpti_user_cr3(%rip)           /* the exit loads it */
#else
    movq %rcx, %cr3
#endif
5:
#if CONFIG_FPU_LAZY
    /* [fpu] fpu_switch(to): nothing while nobody owns the FPU; else on for the owner */
    AT \fn, fpu
    movq fpu_owner(%rip), %rcx
    testq %rcx, %rcx
    jz 7f
    cmpq %rcx, %rax
    sete %cl
    cmpb %cl, fpu_enabled(%rip)
    je 7f
    movb %cl, fpu_enabled(%rip)
    testb %cl, %cl
    jz 6f
    clts
    jmp 7f
6:  movq %cr0, %rcx
    orq $8, %rcx                             /* CR0.TS */
    movq %rcx, %cr0
7:
#endif
    /* [switch] current = to; the next entry fills to's frame */
    AT \fn, switch
    movq %rax, current(%rip)
    leaq REGS_PARTIAL_END(%rax), %rcx
    movq %rcx, entry_frame_top(%rip)
    movq %rax, %rsp
    jmp pop_frame
.endm

    .text
/* fastpath_call(dest = rdi, tag = rsi) */
    .global fastpath_asm_call
    .type fastpath_asm_call, @function
fastpath_asm_call:
    TAG_CHECK fastpath_asm_call
    /* [lookup] dest_fast_call_partner(): a send capability... */
    AT fastpath_asm_call, lookup
    movq TCB_SPACE(%rsp), %rsi
    CAP_LOOKUP fastpath_asm_call, RIGHT_SEND
    /* [checks] ...to an endpoint whose queue holds receivers: the first is `to` */
    AT fastpath_asm_call, checks
    movq CAP_OBJECT(%rax), %rdx
    cmpb $EP_STATE_RECEIVERS, EP_STATE(%rdx)
    jne DECLINE
    movq %rax, %rdi                          /* the capability, for its badge */
    movq EP_QUEUE + LINK_NEXT(%rdx), %rax
    subq $TCB_WAIT_LINK, %rax
    SCHEDULABLE fastpath_asm_call

    /* Point of no return. */
    /* [commit] dest_fast_call_commit(): endpoint_remove(ep, to) */
    AT fastpath_asm_call, commit
    movq TCB_WAIT_LINK + LINK_NEXT(%rax), %rcx
    movq TCB_WAIT_LINK + LINK_PREV(%rax), %rsi
    movq %rcx, LINK_NEXT(%rsi)
    movq %rsi, LINK_PREV(%rcx)
    leaq TCB_WAIT_LINK(%rax), %rcx
    movq %rcx, TCB_WAIT_LINK + LINK_NEXT(%rax)
    movq %rcx, TCB_WAIT_LINK + LINK_PREV(%rax)
    movq $0, TCB_BLOCKED_ON(%rax)
    leaq EP_QUEUE(%rdx), %rcx
    cmpq %rcx, EP_QUEUE + LINK_NEXT(%rdx)
    jne 8f
    movb $EP_STATE_IDLE, EP_STATE(%rdx)
8:  /* dest_await_reply(self, to) */
    movb $STATE_REPLY_BLOCKED, TCB_STATE(%rsp)
    movq %rax, TCB_PARTNER(%rsp)
    /* [reply] reply_grant(self, to) */
    AT fastpath_asm_call, reply
#if CONFIG_REPLY_POINTER
    movq %rsp, TCB_REPLY_TO(%rax)
#else
    movb $CAP_REPLY_TYPE, TCB_CALLER_SLOT + CAP_TYPE(%rax)
    movq %rsp, TCB_CALLER_SLOT + CAP_OBJECT(%rax)
    leaq TCB_REPLY_MASTER(%rsp), %rcx
    movq %rcx, TCB_CALLER_SLOT + REPLY_SLOT_PARENT(%rax)
    leaq TCB_CALLER_SLOT(%rax), %rcx
    movq %rcx, TCB_REPLY_MASTER + REPLY_SLOT_CHILD(%rsp)
#endif
    /* [commit] the receiver sees the capability's badge */
    AT fastpath_asm_call, commit
    movq CAP_BADGE(%rdi), %rdx
    COMMIT_SWITCH fastpath_asm_call
    .size fastpath_asm_call, . - fastpath_asm_call

/* fastpath_reply_wait(dest = rdi, tag = rsi, from = rdx) */
    .global fastpath_asm_reply_wait
    .type fastpath_asm_reply_wait, @function
fastpath_asm_reply_wait:
    TAG_CHECK fastpath_asm_reply_wait
    /* [reply] dest_fast_reply_partner(): reply_fast_target(), a caller to reply to */
    AT fastpath_asm_reply_wait, reply
#if CONFIG_REPLY_POINTER
    movq TCB_REPLY_TO(%rsp), %r11
    testq %r11, %r11
    jz DECLINE
    cmpb $STATE_REPLY_BLOCKED, TCB_STATE(%r11)
    jne DECLINE
    cmpq %rsp, TCB_PARTNER(%r11)
    jne DECLINE
#else
    cmpb $CAP_REPLY_TYPE, TCB_CALLER_SLOT + CAP_TYPE(%rsp)
    jne DECLINE
    movq TCB_CALLER_SLOT + CAP_OBJECT(%rsp), %r11
#endif
    movq %rdx, %rdi
    /* [lookup] a receive capability... */
    AT fastpath_asm_reply_wait, lookup
    movq TCB_SPACE(%rsp), %rsi
    CAP_LOOKUP fastpath_asm_reply_wait, RIGHT_RECV
#if CONFIG_CSPACE_GUARDED
    /* [reply] the decode used r11: `to` again, from where it was checked */
    AT fastpath_asm_reply_wait, reply
#if CONFIG_REPLY_POINTER
    movq TCB_REPLY_TO(%rsp), %r11
#else
    movq TCB_CALLER_SLOT + CAP_OBJECT(%rsp), %r11
#endif
#endif
    /* [checks] ...to an endpoint with no sender queued (the general path takes it) */
    AT fastpath_asm_reply_wait, checks
    movq CAP_OBJECT(%rax), %rdx
    cmpb $EP_STATE_SENDERS, EP_STATE(%rdx)
    je DECLINE
    movq %r11, %rax
    SCHEDULABLE fastpath_asm_reply_wait

    /* Point of no return: the server waits for the next request, the client runs. */
    /* [commit] */
    AT fastpath_asm_reply_wait, commit
    movb $STATE_RECV_BLOCKED, TCB_STATE(%rsp)
    /* [reply] reply_fast_consume(self) */
    AT fastpath_asm_reply_wait, reply
#if CONFIG_REPLY_POINTER
    movq $0, TCB_REPLY_TO(%rsp)
#else
    movq TCB_CALLER_SLOT + REPLY_SLOT_PARENT(%rsp), %rcx
    movq $0, REPLY_SLOT_CHILD(%rcx)
    movq $0, TCB_CALLER_SLOT + REPLY_SLOT_PARENT(%rsp)
    movb $CAP_EMPTY_TYPE, TCB_CALLER_SLOT + CAP_TYPE(%rsp)
#endif
    /* [commit] to->partner = NULL; endpoint_enqueue(ep, self, EP_RECEIVERS) */
    AT fastpath_asm_reply_wait, commit
    movq $0, TCB_PARTNER(%rax)
    leaq TCB_WAIT_LINK(%rsp), %rcx
    leaq EP_QUEUE(%rdx), %rdi
    movq LINK_PREV(%rdi), %rsi
    movq %rsi, TCB_WAIT_LINK + LINK_PREV(%rsp)
    movq %rdi, TCB_WAIT_LINK + LINK_NEXT(%rsp)
    movq %rcx, LINK_NEXT(%rsi)
    movq %rcx, LINK_PREV(%rdi)
    movb $EP_STATE_RECEIVERS, EP_STATE(%rdx)
    movq %rdx, TCB_BLOCKED_ON(%rsp)
    xorl %edx, %edx                          /* a reply carries no badge */
    COMMIT_SWITCH fastpath_asm_reply_wait
    .size fastpath_asm_reply_wait, . - fastpath_asm_reply_wait
