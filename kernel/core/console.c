/* The console's line discipline: see console.h. */
#include "console.h"

#include "arch_api.h"
#include "kernel.h"

#define KERNEL_WRITER 0

static bool at_line_start = true;
static uint64_t line_writer = KERNEL_WRITER;   /* who wrote the open line */

void console_putc(char c)
{
    arch_console_putc(c);
    at_line_start = c == '\n';
}

void console_start_line(void)
{
    if (!at_line_start)
        console_putc('\n');
    line_writer = KERNEL_WRITER;
}

void console_write_user(const char *bytes, uint64_t len, uint64_t writer_tid, bool trusted)
{
    /* A line another writer left open is closed first: nobody's text runs into the
     * root task's result lines, which must start a line to count. */
    if (len && line_writer != writer_tid)
        console_start_line();
    line_writer = writer_tid;
    for (uint64_t i = 0; i < len; i++) {
        if (at_line_start && !trusted)
            kprintf("user %lx| ", writer_tid);
        console_putc(bytes[i]);
    }
}
