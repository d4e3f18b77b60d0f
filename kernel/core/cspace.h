/*
 * The CSPACE axis: how a capability address names a slot of its task's capabilities.
 * Everything that resolves an address (the IPC paths, mint, delete, endpoint
 * creation) calls the operations below and never tests the axis; each alternative is
 * one header, side by side:
 *
 *   cspace_flat.h     the address is an index into the task's table (caps[])
 *   cspace_guarded.h  the address is decoded through a tree of guarded CNodes
 *                     (cnode.h) of CSPACE_DEPTH levels, whose leaves are that table
 *
 * Both define:
 *   cspace_init(s)                   give a new space its capability space
 *   cspace_slot(s, cptr)             the slot an address names, any content; NULL for
 *                                    none (and for slot 0, which is never filled)
 *   cspace_lookup(s, cptr, type, r)  the capability there if of type with rights r
 *   cspace_address(index)            the address that names leaf slot index
 */
#ifndef IPCLAB_CORE_CSPACE_H
#define IPCLAB_CORE_CSPACE_H

#include "config.h"

#if CONFIG_CSPACE_FLAT
#include "cspace_flat.h"
#else
#include "cspace_guarded.h"
#endif

#endif
