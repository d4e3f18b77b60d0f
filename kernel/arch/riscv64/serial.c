/* The console: the virt board's 16550 UART, polled, transmit only. */
#include <arch/cpu.h>

#include "arch_api.h"
#include "riscv.h"

#define UART_THR 0
#define UART_IER 1
#define UART_LSR 5
#define UART_LSR_THRE (1u << 5)

void serial_init(void)
{
    mmio_write8(VIRT_UART_BASE + UART_IER, 0); /* no interrupts */
}

void arch_console_putc(char c)
{
    while (!(mmio_read8(VIRT_UART_BASE + UART_LSR) & UART_LSR_THRE))
        ;
    mmio_write8(VIRT_UART_BASE + UART_THR, (uint8_t)c);
}
