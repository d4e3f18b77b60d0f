/*
 * The one IPC stub every measurement uses, and its twin with the svc replaced by a nop
 * (for overhead calibration, as sel4bench does). Both read the cycle counter
 * (isb; mrs pmccntr_el0) just before the trap and just after it returns, into
 * args->t_before and args->t_after, so the instructions between a client's read and a
 * server's read are the same as between the twin's two reads, plus the kernel path.
 *
 *   void ipc_stub(struct ipc_args *args);      void ipc_stub_nop(struct ipc_args *args);
 *
 * struct ipc_args (sys.h): nr, dest, tag, from, mr[10], error, t_before, t_after, at the
 * offsets of ipc_args.h. The register convention is kernel/arch/aarch64/include/ipclab/
 * abi_arch.h's: x8 number, x0 dest, x1 tag, x2 from; x19..x28 the message registers.
 */
#include "ipc_args.h"

#define A_NR IPC_ARGS_NR
#define A_DEST IPC_ARGS_DEST
#define A_TAG IPC_ARGS_TAG
#define A_MR IPC_ARGS_MR
#define A_ERROR IPC_ARGS_ERROR
#define A_T_BEFORE IPC_ARGS_T_BEFORE
#define A_T_AFTER IPC_ARGS_T_AFTER
#define FRAME 112                   /* x19..x30 and the args pointer, 16-byte aligned */

.macro IPC_STUB name, trap
    .global \name
    .type \name, @function
\name:
    stp x29, x30, [sp, #-FRAME]!
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    stp x23, x24, [sp, #48]
    stp x25, x26, [sp, #64]
    stp x27, x28, [sp, #80]
    str x0, [sp, #96]
    ldp x19, x20, [x0, #A_MR + 0]
    ldp x21, x22, [x0, #A_MR + 16]
    ldp x23, x24, [x0, #A_MR + 32]
    ldp x25, x26, [x0, #A_MR + 48]
    ldp x27, x28, [x0, #A_MR + 64]
    ldr x8, [x0, #A_NR]
    isb
    mrs x9, pmccntr_el0
    str x9, [x0, #A_T_BEFORE]
    ldp x1, x2, [x0, #A_TAG]        /* tag, from */
    ldr x0, [x0, #A_DEST]
    \trap
    isb
    mrs x9, pmccntr_el0
    ldr x10, [sp, #96]
    str x9, [x10, #A_T_AFTER]
    str x0, [x10, #A_ERROR]
    stp x1, x2, [x10, #A_DEST]      /* sender, tag */
    stp x19, x20, [x10, #A_MR + 0]
    stp x21, x22, [x10, #A_MR + 16]
    stp x23, x24, [x10, #A_MR + 32]
    stp x25, x26, [x10, #A_MR + 48]
    stp x27, x28, [x10, #A_MR + 64]
    ldp x19, x20, [sp, #16]
    ldp x21, x22, [sp, #32]
    ldp x23, x24, [sp, #48]
    ldp x25, x26, [sp, #64]
    ldp x27, x28, [sp, #80]
    ldp x29, x30, [sp], #FRAME
    ret
.endm

    .text
IPC_STUB ipc_stub, "svc #0"
IPC_STUB ipc_stub_nop, nop
