// ARM MPS2 with AN386 (qemu -M mps2-an386): Cortex-M4 (armv7em), 25 MHz.
// - CMSDK APB UART0 at 0x40004000 (DATA +0, STATE +4, CTRL +8, INTSTATUS/INTCLEAR +0xc,
//   BAUDDIV +0x10), 115200 baud, receive interrupt (IRQ 0) into the common ring.
// - SysTick on the 25 MHz processor clock, reload 25000: the 1 kHz tick; its counter
//   gives the time within the ms (40 ns).
// - Motors: the reload registers of the CMSDK APB timers and dual timer (a timer's
//   reload is what a timer-made PWM sets). Heater: CMSDK GPIO0 pin 0. On qemu's AN386
//   these are plain register writes with no pin behind them.
#include <stdint.h>

#include "board.h"
#include "cortexm.h"

const char board_name[] = "mps2-an386";
const uint32_t hal_fine_hz = 25000000u;

#define UART0 0x40004000u
#define UART_DATA REG32(UART0 + 0x00)
#define UART_STATE REG32(UART0 + 0x04)
#define UART_CTRL REG32(UART0 + 0x08)
#define UART_INTCLEAR REG32(UART0 + 0x0c)
#define UART_BAUDDIV REG32(UART0 + 0x10)
#define UART_STATE_TX_FULL 1u
#define UART_STATE_RX_FULL 2u

#define SYST_CSR REG32(0xe000e010u)
#define SYST_RVR REG32(0xe000e014u)
#define SYST_CVR REG32(0xe000e018u)
#define SCB_ICSR REG32(0xe000ed04u)
#define ICSR_PENDSTSET (1u << 26)

#define GPIO0_DATAOUT REG32(0x40010004u)
#define GPIO0_OUTENSET REG32(0x40010010u)

#define IRQ_UART0_RX 0
#define TICK_COUNTS 25000u

static volatile uint32_t tick_ms;

static void uart0_rx_irq(void) {
    UART_INTCLEAR = 2u;
    while (UART_STATE & UART_STATE_RX_FULL) board_uart_received((uint8_t)UART_DATA);
}

static void systick_irq(void) {
    tick_ms++;
    board_tick_interrupt();
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 32])(void) = {
    (void (*)(void))(uintptr_t)__stack_top,
    Reset_Handler,
    Default_Handler,   // NMI
    HardFault_Handler,
    [4 ... 14] = Default_Handler,
    [15] = systick_irq,
    [16 ... 16 + 31] = Default_Handler,
    [16 + IRQ_UART0_RX] = uart0_rx_irq,
};

void hal_init(void) {
    UART_BAUDDIV = 25000000u / 115200u;
    UART_CTRL = 1u | 2u | 8u; // TX enable, RX enable, RX interrupt
    SYST_RVR = TICK_COUNTS - 1;
    SYST_CVR = 0;
    SYST_CSR = 7u; // enable, interrupt, processor clock
    GPIO0_OUTENSET = 1u;
    NVIC_ISER = 1u << IRQ_UART0_RX;
    __asm__ volatile("cpsie i" ::: "memory");
}

// 25 MHz counts since boot: whole ms from the tick, plus SysTick's count down within it.
// A wrap whose interrupt has not run yet shows as PENDSTSET.
static uint64_t fine_counts(void) {
    uint32_t s = hal_irq_save();
    uint32_t within = TICK_COUNTS - 1 - SYST_CVR;
    uint32_t ms = tick_ms;
    if ((SCB_ICSR & ICSR_PENDSTSET) && within < TICK_COUNTS / 2) ms++;
    hal_irq_restore(s);
    return (uint64_t)ms * TICK_COUNTS + within;
}

uint32_t hal_fine_now(void) { return (uint32_t)fine_counts(); }

uint64_t hal_now_us(void) {
    uint32_t s = hal_irq_save();
    uint32_t within = TICK_COUNTS - 1 - SYST_CVR;
    uint32_t ms = tick_ms;
    if ((SCB_ICSR & ICSR_PENDSTSET) && within < TICK_COUNTS / 2) ms++;
    hal_irq_restore(s);
    return (uint64_t)ms * 1000u + within / 25u;
}

int hal_uart_tx_ready(void) { return (UART_STATE & UART_STATE_TX_FULL) == 0; }

void hal_uart_send(uint8_t byte) { UART_DATA = byte; }

void hal_pwm_write(int motor, uint16_t per_mille) {
    static const uint32_t reload[4] = {0x40000008u, 0x40001008u, 0x40002000u, 0x40002020u};
    if (motor >= 0 && motor < 4) REG32(reload[motor]) = per_mille;
}

void hal_heater_write(int on) { GPIO0_DATAOUT = on ? 1u : 0u; }
