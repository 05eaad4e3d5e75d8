// BBC micro:bit v1 (qemu -M microbit): nRF51822, Cortex-M0 (armv6m), 16 KB RAM.
// - UART0 at 0x40002000, 115200 8N1, receive interrupt (IRQ 2) into the common ring.
// - TIMER0 at 0x40008000 at 16 MHz (prescaler 0): compare 0 at 16000 counts interrupts
//   (1 kHz tick, IRQ 8) and clears the counter; capture 1 reads the time within the ms. 16 MHz rather than the
//   1 MHz of prescaler 4 so the CPU budget resolves 62.5 ns (62 instructions under
//   -icount shift=0).
// - Motors: TIMER2's compare registers CC[0..3] (period 1000 counts), which is how an
//   nRF51 makes PWM (GPIOTE toggles a pin on each compare). Heater: GPIO pin 0.
#include <stdint.h>

#include "board.h"
#include "cortexm.h"

const char board_name[] = "microbit";
const uint32_t hal_fine_hz = 16000000u;

#define UART0 0x40002000u
#define UART_TASKS_STARTRX REG32(UART0 + 0x000)
#define UART_TASKS_STARTTX REG32(UART0 + 0x008)
#define UART_EVENTS_RXDRDY REG32(UART0 + 0x108)
#define UART_EVENTS_TXDRDY REG32(UART0 + 0x11c)
#define UART_INTENSET REG32(UART0 + 0x304)
#define UART_ENABLE REG32(UART0 + 0x500)
#define UART_PSELTXD REG32(UART0 + 0x50c)
#define UART_PSELRXD REG32(UART0 + 0x514)
#define UART_RXD REG32(UART0 + 0x518)
#define UART_TXD REG32(UART0 + 0x51c)
#define UART_BAUDRATE REG32(UART0 + 0x524)

#define TIMER0 0x40008000u
#define TIMER2 0x4000a000u
#define TIMER_START(t) REG32((t) + 0x000)
#define TIMER_CAPTURE(t, n) REG32((t) + 0x040 + 4 * (n))
#define TIMER_COMPARE_EVENT(t, n) REG32((t) + 0x140 + 4 * (n))
#define TIMER_SHORTS(t) REG32((t) + 0x200)
#define TIMER_INTENSET(t) REG32((t) + 0x304)
#define TIMER_MODE(t) REG32((t) + 0x504)
#define TIMER_BITMODE(t) REG32((t) + 0x508)
#define TIMER_PRESCALER(t) REG32((t) + 0x510)
#define TIMER_CC(t, n) REG32((t) + 0x540 + 4 * (n))

#define GPIO_OUTSET REG32(0x50000508u)
#define GPIO_OUTCLR REG32(0x5000050cu)
#define GPIO_DIRSET REG32(0x50000518u)

#define IRQ_UART0 2
#define IRQ_TIMER0 8
#define TICK_COUNTS 16000u

static void uart0_irq(void) {
    while (UART_EVENTS_RXDRDY) {
        UART_EVENTS_RXDRDY = 0;
        board_uart_received((uint8_t)UART_RXD);
    }
}

// Counts at the start of the current ms: a running sum, so that reading the time costs
// no 64-bit multiply (a library call on a Cortex-M0).
static volatile uint64_t ms_base;

static void timer0_irq(void) {
    TIMER_COMPARE_EVENT(TIMER0, 0) = 0;
    ms_base += TICK_COUNTS;
    board_tick_interrupt();
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 32])(void) = {
    (void (*)(void))(uintptr_t)__stack_top,
    Reset_Handler,
    Default_Handler,   // NMI
    HardFault_Handler,
    [4 ... 15] = Default_Handler,
    [16 ... 16 + 31] = Default_Handler,
    [16 + IRQ_UART0] = uart0_irq,
    [16 + IRQ_TIMER0] = timer0_irq,
};

void hal_init(void) {
    UART_PSELTXD = 24;
    UART_PSELRXD = 25;
    UART_BAUDRATE = 0x01d7e000u; // 115200
    UART_ENABLE = 4;
    UART_INTENSET = 1u << 2;     // RXDRDY
    UART_TASKS_STARTRX = 1;
    UART_TASKS_STARTTX = 1;

    TIMER_MODE(TIMER0) = 0;
    TIMER_BITMODE(TIMER0) = 3;   // 32 bit
    TIMER_PRESCALER(TIMER0) = 0; // 16 MHz
    TIMER_CC(TIMER0, 0) = TICK_COUNTS;
    TIMER_SHORTS(TIMER0) = 1;    // COMPARE0 clears the counter: it counts within one ms
    TIMER_INTENSET(TIMER0) = 1u << 16; // COMPARE0
    TIMER_START(TIMER0) = 1;

    GPIO_DIRSET = 1u << 0;
    NVIC_ISER = (1u << IRQ_UART0) | (1u << IRQ_TIMER0);
    __asm__ volatile("cpsie i" ::: "memory");
}

// Counts at 16 MHz since boot: whole ms from the tick interrupt, plus the counter within
// the ms. A compare that has cleared the counter but whose interrupt has not run yet
// is seen as its pending event.
static uint64_t fine_counts(void) {
    uint32_t s = hal_irq_save();
    TIMER_CAPTURE(TIMER0, 1) = 1;
    uint32_t within = TIMER_CC(TIMER0, 1);
    uint64_t base = ms_base;
    if (within >= TICK_COUNTS) {
        // qemu's model counts past the compare value until its timer callback applies
        // the clear (and raises the event): that count belongs to the next ms.
        base += TICK_COUNTS;
        within -= TICK_COUNTS;
    } else if (TIMER_COMPARE_EVENT(TIMER0, 0) && within < TICK_COUNTS / 2) {
        base += TICK_COUNTS;
    }
    // The model applies the clear when its callback runs, a little after the compare,
    // and restarts from 0 then: the counts between are lost, and the time read just
    // before could be ahead of the time read just after. Never let time go back.
    static uint64_t last;
    uint64_t now = base + within;
    if (now < last) now = last;
    last = now;
    hal_irq_restore(s);
    return now;
}

uint32_t hal_fine_now(void) { return (uint32_t)fine_counts(); }

uint64_t hal_now_us(void) { return fine_counts() >> 4; } // 16 counts per µs

// TXDRDY says the previous byte has gone; none is pending before the first.
static int tx_pending;

int hal_uart_tx_ready(void) {
    if (!tx_pending) return 1;
    if (!UART_EVENTS_TXDRDY) return 0;
    UART_EVENTS_TXDRDY = 0;
    tx_pending = 0;
    return 1;
}

void hal_uart_send(uint8_t byte) {
    tx_pending = 1;
    UART_TXD = byte;
}

void hal_pwm_write(int motor, uint16_t per_mille) {
    if (motor >= 0 && motor < 4) TIMER_CC(TIMER2, motor) = per_mille;
}

void hal_heater_write(int on) {
    if (on) {
        GPIO_OUTSET = 1u << 0;
    } else {
        GPIO_OUTCLR = 1u << 0;
    }
}
