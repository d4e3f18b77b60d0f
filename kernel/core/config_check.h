/*
 * Refuses an invalid configuration at compile time, naming the option. The generated
 * config.h defines, for each axis, one CONFIG_<AXIS>_<VALUE> macro per value, exactly
 * one of them 1; the Makefile checks the same, this catches hand-written configs.
 */
#ifndef IPCLAB_CORE_CONFIG_CHECK_H
#define IPCLAB_CORE_CONFIG_CHECK_H

#if CONFIG_TRANSFER_REGS + CONFIG_TRANSFER_VREGS + CONFIG_TRANSFER_MEM != 1
#error "option TRANSFER: choose exactly one of regs, vregs, mem"
#endif
#if CONFIG_SCHED_LAZY + CONFIG_SCHED_BENNO != 1
#error "option SCHED: choose exactly one of lazy, benno"
#endif
#if CONFIG_DEST_TID + CONFIG_DEST_ENDPOINT != 1
#error "option DEST: choose exactly one of tid, endpoint"
#endif
#if CONFIG_FASTPATH_ON + CONFIG_FASTPATH_OFF != 1
#error "option FASTPATH: choose exactly one of on, off"
#endif

/* The longest message a variant accepts: registers only, or the UTCB's capacity. */
#if CONFIG_TRANSFER_REGS
#define CONFIG_MAX_MSG_WORDS ABI_REG_WORDS
#else
#define CONFIG_MAX_MSG_WORDS ABI_UTCB_WORDS
#endif

#endif
