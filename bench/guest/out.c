/*
 * Buffered console output through SYS_DEBUG_WRITE (one system call per line or
 * buffer-full), and the few string helpers the benchmark needs.
 */
#include "sys.h"

static char buffer[1024];
static size_t used;

void out_flush(void)
{
    if (used)
        syscall5(SYS_DEBUG_WRITE, (uint64_t)(uintptr_t)buffer, used, 0, 0, 0);
    used = 0;
}

static void out_char(char c)
{
    if (used == sizeof(buffer))
        out_flush();
    buffer[used++] = c;
    if (c == '\n')
        out_flush();
}

void out_str(const char *s)
{
    while (*s)
        out_char(*s++);
}

void out_u64(uint64_t v)
{
    char digits[21];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n--)
        out_char(digits[n]);
}

void out_i64(int64_t v)
{
    if (v < 0) {
        out_char('-');
        out_u64((uint64_t)(-(v + 1)) + 1);
    } else {
        out_u64((uint64_t)v);
    }
}

void out_hex(uint64_t v)
{
    out_str("0x");
    for (int shift = 60; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 0xf;
        if (d || shift == 0 || v >> shift)
            out_char((char)(d < 10 ? '0' + d : 'a' + d - 10));
    }
}

void out_field(const char *key, const char *value)
{
    out_char(' ');
    out_str(key);
    out_char('=');
    out_str(value);
}

void out_field_u64(const char *key, uint64_t value)
{
    out_char(' ');
    out_str(key);
    out_char('=');
    out_u64(value);
}

size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* Start of the value of key in cmdline, or NULL. */
static const char *find_value(const char *cmdline, const char *key)
{
    size_t klen = str_len(key);
    for (const char *p = cmdline; *p; p++) {
        if (p != cmdline && p[-1] != ' ')
            continue;
        size_t i = 0;
        while (i < klen && p[i] == key[i])
            i++;
        if (i == klen && p[i] == '=')
            return p + i + 1;
    }
    return NULL;
}

uint64_t cmdline_u64(const char *cmdline, const char *key, uint64_t fallback)
{
    const char *v = find_value(cmdline, key);
    if (!v || *v < '0' || *v > '9')
        return fallback;
    uint64_t n = 0;
    while (*v >= '0' && *v <= '9')
        n = n * 10 + (uint64_t)(*v++ - '0');
    return n;
}

void cmdline_str(const char *cmdline, const char *key, char *buf, size_t size,
                 const char *fallback)
{
    const char *v = find_value(cmdline, key);
    if (!v)
        v = fallback;
    size_t i = 0;
    for (; i + 1 < size && v[i] && v[i] != ' '; i++)
        buf[i] = v[i];
    buf[i] = '\0';
}
