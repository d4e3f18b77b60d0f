/*
 * The console, shared by the kernel and the threads that print through
 * SYS_DEBUG_WRITE. The harness believes a protocol line (bench/FORMAT.md) only at the
 * start of a line; so the kernel's own lines always start one, a line another writer
 * left open is closed before anyone else writes, and a line written by any thread but
 * the root task's is marked with its writer, so no such thread can forge a PANIC,
 * FAULT or result line, or spoil one of the root task's.
 */
#ifndef IPCLAB_CORE_CONSOLE_H
#define IPCLAB_CORE_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

void console_putc(char c);
/* End a line some thread left open, so that what follows starts one. */
void console_start_line(void);
/* len bytes a user thread wrote; `trusted` (the root task's thread) prints them as
 * they are, any other writer's lines begin with "user <tid>| ". */
void console_write_user(const char *bytes, uint64_t len, uint64_t writer_tid, bool trusted);

#endif
