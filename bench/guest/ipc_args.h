/*
 * Byte offsets of struct ipc_args (sys.h) for the assembly IPC stubs of every
 * architecture (arch/<arch>/ipc_stub.S); sys.h asserts that the struct matches. The
 * message words take ABI_REG_WORDS slots: as many as the architecture's registers.
 */
#ifndef IPCLAB_GUEST_IPC_ARGS_H
#define IPCLAB_GUEST_IPC_ARGS_H

#include <ipclab/abi_arch.h>

#define IPC_ARGS_NR 0
#define IPC_ARGS_DEST 8
#define IPC_ARGS_TAG 16
#define IPC_ARGS_FROM 24
#define IPC_ARGS_MR 32
#define IPC_ARGS_ERROR (IPC_ARGS_MR + 8 * ABI_REG_WORDS)
#define IPC_ARGS_T_BEFORE (IPC_ARGS_ERROR + 8)
#define IPC_ARGS_T_AFTER (IPC_ARGS_ERROR + 16)

#endif
