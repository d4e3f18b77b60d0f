/*
 * The one IPC stub every measurement uses, and its twin with the ecall replaced by a
 * nop (for overhead calibration, as sel4bench does). Both read the instruction counter
 * (rdinstret) just before the trap and just after it returns, into args->t_before and
 * args->t_after, so the instructions between a client's read and a server's read are
 * the same as between the twin's two reads, plus the kernel path.
 *
 *   void ipc_stub(struct ipc_args *args);      void ipc_stub_nop(struct ipc_args *args);
 *
 * struct ipc_args (sys.h): nr, dest, tag, from, mr[12], error, t_before, t_after, at the
 * offsets of ipc_args.h. The register convention is kernel/arch/riscv64/include/ipclab/
 * abi_arch.h's: a7 number, a0 dest, a1 tag, a2 from; s0..s11 the message registers.
 */
#include "ipc_args.h"

#define A_NR IPC_ARGS_NR
#define A_DEST IPC_ARGS_DEST
#define A_TAG IPC_ARGS_TAG
#define A_FROM IPC_ARGS_FROM
#define A_MR IPC_ARGS_MR
#define A_ERROR IPC_ARGS_ERROR
#define A_T_BEFORE IPC_ARGS_T_BEFORE
#define A_T_AFTER IPC_ARGS_T_AFTER
#define FRAME 112                   /* ra, s0..s11 and the args pointer, 16-byte aligned */

.macro IPC_STUB name, trap
    .global \name
    .type \name, @function
\name:
    addi sp, sp, -FRAME
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    sd s5, 48(sp)
    sd s6, 56(sp)
    sd s7, 64(sp)
    sd s8, 72(sp)
    sd s9, 80(sp)
    sd s10, 88(sp)
    sd s11, 96(sp)
    sd a0, 104(sp)
    ld s0, A_MR + 0(a0)
    ld s1, A_MR + 8(a0)
    ld s2, A_MR + 16(a0)
    ld s3, A_MR + 24(a0)
    ld s4, A_MR + 32(a0)
    ld s5, A_MR + 40(a0)
    ld s6, A_MR + 48(a0)
    ld s7, A_MR + 56(a0)
    ld s8, A_MR + 64(a0)
    ld s9, A_MR + 72(a0)
    ld s10, A_MR + 80(a0)
    ld s11, A_MR + 88(a0)
    ld a7, A_NR(a0)
    rdinstret t0
    sd t0, A_T_BEFORE(a0)
    ld a1, A_TAG(a0)
    ld a2, A_FROM(a0)
    ld a0, A_DEST(a0)
    \trap
    rdinstret t0
    ld t1, 104(sp)
    sd t0, A_T_AFTER(t1)
    sd a0, A_ERROR(t1)
    sd a1, A_DEST(t1)               /* sender */
    sd a2, A_TAG(t1)
    sd s0, A_MR + 0(t1)
    sd s1, A_MR + 8(t1)
    sd s2, A_MR + 16(t1)
    sd s3, A_MR + 24(t1)
    sd s4, A_MR + 32(t1)
    sd s5, A_MR + 40(t1)
    sd s6, A_MR + 48(t1)
    sd s7, A_MR + 56(t1)
    sd s8, A_MR + 64(t1)
    sd s9, A_MR + 72(t1)
    sd s10, A_MR + 80(t1)
    sd s11, A_MR + 88(t1)
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    ld s5, 48(sp)
    ld s6, 56(sp)
    ld s7, 64(sp)
    ld s8, 72(sp)
    ld s9, 80(sp)
    ld s10, 88(sp)
    ld s11, 96(sp)
    addi sp, sp, FRAME
    ret
.endm

    .text
IPC_STUB ipc_stub, ecall
IPC_STUB ipc_stub_nop, nop
