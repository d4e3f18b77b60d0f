/*
 * The DEST axis: how an IPC names its partner. Both IPC paths (ipc.c, fastpath.c) and
 * the thread table call the dest_* operations below and never test the axis
 * themselves; each alternative is one header, side by side:
 *
 *   dest_tid.h       global thread IDs; each thread queues the senders blocked on it
 *   dest_endpoint.h  endpoint capabilities; the endpoint queues senders or receivers
 *
 * Both define the same set of inline operations:
 *   struct send_target / struct recv_source   the resolved partner of a phase
 *   dest_send_target, dest_reply_target       resolve a send or reply destination
 *   dest_block_sending                        queue a sender that found no receiver
 *   dest_recv_source, dest_take_sender        resolve a receive specifier; take a sender
 *   dest_block_receiving                      queue a receiver that found no sender
 *   dest_await_reply                          a caller waits for its callee's reply
 *   dest_leave_wait_queue, dest_waits_for     dying and aborted partners
 *   dest_forget, dest_thread_exit             what a dying thread leaves behind
 *   dest_thread_init, dest_objects_init, dest_endpoint_create
 *   dest_fast_call_partner / _commit          the fast path's decline checks and commit
 *   dest_fast_reply_partner / _commit
 */
#ifndef IPCLAB_CORE_DEST_H
#define IPCLAB_CORE_DEST_H

#include "config.h"

#if CONFIG_DEST_TID
#include "dest_tid.h"
#else
#include "dest_endpoint.h"
#endif

#endif
