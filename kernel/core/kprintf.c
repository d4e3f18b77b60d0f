/*
 * Console output for the kernel: a small printf (%s %c %d %u %x %p, with l/ll and
 * a zero-padded width) to the console (console.c), and panic().
 */
#include "arch_api.h"
#include "assert.h"
#include "console.h"
#include "kernel.h"

static void put_unsigned(uint64_t value, unsigned base, int width, char pad)
{
    char digits[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(value % base);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        value /= base;
    } while (value);
    while (width-- > n)
        console_putc(pad);
    while (n--)
        console_putc(digits[n]);
}

void kvprintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            console_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0;
        if (*fmt == '0')
            pad = '0';
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        int longs = 0;
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++)
                console_putc(*s);
            break;
        }
        case 'c':
            console_putc((char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) {
                console_putc('-');
                v = -v;
            }
            put_unsigned((uint64_t)v, 10, width, pad);
            break;
        }
        case 'u':
            put_unsigned(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            put_unsigned(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad);
            break;
        case 'p':
            console_putc('0');
            console_putc('x');
            put_unsigned((uint64_t)(uintptr_t)va_arg(ap, void *), 16, 0, ' ');
            break;
        case '%':
            console_putc('%');
            break;
        default:
            console_putc('%');
            console_putc(*fmt);
            break;
        }
    }
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

noreturn void assert_failed(const char *condition, const char *file, int line)
{
    panic("assertion failed: %s (%s:%d)", condition, file, line);
}

noreturn void panic(const char *fmt, ...)
{
    va_list ap;
    console_start_line();
    kprintf(RESULT_LINE("PANIC") " reason=");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    arch_shutdown(EXIT_PANIC);
}
