// qemu riscv32 virt (qemu-system-misc), machine mode, no firmware (-bios none).
// - NS16550A UART at 0x10000000, 115200 8N1, receive interrupt through the PLIC
//   (source 10, hart 0 M-mode context) into the common ring.
// - CLINT machine timer (mtime at 10 MHz): mtimecmp advanced by 10000 each interrupt is
//   the 1 kHz tick; mtime gives the time (100 ns).
// - Motors: the virt board has no PWM block; the compare values go to a register file
//   in RAM (pwm_compare) that a debugger or test can read. Heater: likewise.
// - mtvec holds trap_entry in direct mode, so trap_entry is 4-byte aligned (its low two
//   bits would be read as the mode).
// - The sifive_test finisher at 0x100000 ends a run with an exit status.
#include <stdint.h>

#include "board.h"
#include "telemetry.h"

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define REG8(addr) (*(volatile uint8_t *)(uintptr_t)(addr))

const char board_name[] = "riscv32-virt";
const uint32_t hal_fine_hz = 10000000u;

#define UART 0x10000000u
#define UART_RBR REG8(UART + 0)
#define UART_THR REG8(UART + 0)
#define UART_IER REG8(UART + 1)
#define UART_FCR REG8(UART + 2)
#define UART_LCR REG8(UART + 3)
#define UART_MCR REG8(UART + 4)
#define UART_LSR REG8(UART + 5)
#define LSR_DATA_READY 0x01u
#define LSR_THR_EMPTY 0x20u

#define CLINT_MTIMECMP_LO REG32(0x02004000u)
#define CLINT_MTIMECMP_HI REG32(0x02004004u)
#define CLINT_MTIME_LO REG32(0x0200bff8u)
#define CLINT_MTIME_HI REG32(0x0200bffcu)

#define PLIC 0x0c000000u
#define PLIC_PRIORITY(src) REG32(PLIC + 4u * (src))
#define PLIC_ENABLE_CTX0 REG32(PLIC + 0x2000u)
#define PLIC_THRESHOLD_CTX0 REG32(PLIC + 0x200000u)
#define PLIC_CLAIM_CTX0 REG32(PLIC + 0x200004u)
#define UART_IRQ 10u

#define FINISHER REG32(0x00100000u)

#define TICK_COUNTS 10000u

volatile uint16_t pwm_compare[4];
volatile uint8_t heater_output;

static uint64_t next_tick;

static uint64_t mtime(void) {
    uint32_t hi, lo;
    do {
        hi = CLINT_MTIME_HI;
        lo = CLINT_MTIME_LO;
    } while (hi != CLINT_MTIME_HI);
    return ((uint64_t)hi << 32) | lo;
}

static void set_mtimecmp(uint64_t when) {
    // No spurious match while the two halves are written.
    CLINT_MTIMECMP_HI = 0xffffffffu;
    CLINT_MTIMECMP_LO = (uint32_t)when;
    CLINT_MTIMECMP_HI = (uint32_t)(when >> 32);
}

__attribute__((interrupt("machine"), used, aligned(4))) void trap_entry(void) {
    uint32_t cause;
    __asm__ volatile("csrr %0, mcause" : "=r"(cause));
    if (cause == 0x80000007u) { // machine timer
        next_tick += TICK_COUNTS;
        set_mtimecmp(next_tick);
        board_tick_interrupt();
    } else if (cause == 0x8000000bu) { // machine external (PLIC)
        uint32_t source = PLIC_CLAIM_CTX0;
        if (source == UART_IRQ) {
            while (UART_LSR & LSR_DATA_READY) board_uart_received(UART_RBR);
        }
        if (source) PLIC_CLAIM_CTX0 = source;
    } else {
        board_panic("exception");
    }
}

void hal_init(void) {
    UART_LCR = 0x03; // 8N1 (the divisor does not matter to qemu)
    UART_FCR = 0x01; // FIFO on, trigger at 1 byte
    UART_MCR = 0x08; // OUT2: interrupt line enabled on a real 16550
    UART_IER = 0x01; // received data available
    PLIC_PRIORITY(UART_IRQ) = 1;
    PLIC_ENABLE_CTX0 = 1u << UART_IRQ;
    PLIC_THRESHOLD_CTX0 = 0;
    next_tick = mtime() + TICK_COUNTS;
    set_mtimecmp(next_tick);
    __asm__ volatile("csrs mie, %0" ::"r"((1u << 7) | (1u << 11))); // MTIE, MEIE
    __asm__ volatile("csrs mstatus, %0" ::"r"(1u << 3));            // MIE
}

uint32_t hal_fine_now(void) { return CLINT_MTIME_LO; }

uint64_t hal_now_us(void) {
    // mtime / 10 without a 64-bit division: exact for mtime < 2^32 * 10 (4.9 days).
    uint64_t t = mtime();
    uint32_t hi = (uint32_t)(t >> 32), lo = (uint32_t)t;
    uint32_t q_hi = hi / 10u, r = hi % 10u;
    uint64_t rest = ((uint64_t)r << 32) | lo;
    // rest < 10 * 2^32: split it once more into two 32-bit divisions.
    uint32_t rest_hi = (uint32_t)(rest >> 16), q_mid = rest_hi / 10u;
    uint32_t rest_lo = ((rest_hi % 10u) << 16) | (lo & 0xffffu), q_lo = rest_lo / 10u;
    return ((uint64_t)q_hi << 32) + ((uint64_t)q_mid << 16) + q_lo;
}

int hal_uart_tx_ready(void) { return (UART_LSR & LSR_THR_EMPTY) != 0; }

void hal_uart_send(uint8_t byte) { UART_THR = byte; }

void hal_wait_for_interrupt(void) { __asm__ volatile("wfi" ::: "memory"); }

uint32_t hal_irq_save(void) {
    uint32_t status;
    __asm__ volatile("csrrci %0, mstatus, 8" : "=r"(status)::"memory");
    return status & 8u;
}

void hal_irq_restore(uint32_t state) {
    if (state) __asm__ volatile("csrs mstatus, 8" ::: "memory");
}

void hal_pwm_write(int motor, uint16_t per_mille) {
    if (motor >= 0 && motor < 4) pwm_compare[motor] = per_mille;
}

void hal_heater_write(int on) { heater_output = (uint8_t)on; }

_Noreturn void board_exit(int status) {
    FINISHER = status == 0 ? 0x5555u : (((uint32_t)status << 16) | 0x3333u);
    for (;;) hal_wait_for_interrupt();
}
