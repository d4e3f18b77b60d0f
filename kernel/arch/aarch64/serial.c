/* The console: the virt board's PL011 UART, polled, transmit only. */
#include <arch/cpu.h>

#include "aarch64.h"
#include "arch_api.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_CR 0x30
#define UART_FR_TXFF (1u << 5)
#define UART_CR_ENABLE ((1u << 0) | (1u << 8)) /* UARTEN, TXE */

void serial_init(void)
{
    mmio_write32(VIRT_UART_BASE + UART_CR, UART_CR_ENABLE);
}

void arch_console_putc(char c)
{
    while (mmio_read32(VIRT_UART_BASE + UART_FR) & UART_FR_TXFF)
        ;
    mmio_write32(VIRT_UART_BASE + UART_DR, (uint8_t)c);
}
