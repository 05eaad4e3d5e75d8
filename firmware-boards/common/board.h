// The interface between the board-independent support (firmware-boards/common) and one
// board's drivers (firmware-boards/<board>/board.c). The Swift main loop
// (scripts/embedded/FirmwareMain.swift) calls only the board_* functions of
// board_common.c; those call the hal_* functions each board implements.
#ifndef FIRMWARE_BOARDS_BOARD_H
#define FIRMWARE_BOARDS_BOARD_H

#include <stdint.h>

// MARK: What each board implements (firmware-boards/<board>/board.c)

/// Clocks, UART (receive interrupt on), the 1 kHz tick, the PWM outputs; interrupts on.
void hal_init(void);
/// Microseconds since boot, monotonic, 64-bit.
uint64_t hal_now_us(void);
/// A free-running 32-bit counter at HAL_FINE_HZ (board.c's own), for the CPU budget.
uint32_t hal_fine_now(void);
extern const uint32_t hal_fine_hz;
/// Whether the transmitter takes a byte now; then hal_uart_send hands it one.
int hal_uart_tx_ready(void);
void hal_uart_send(uint8_t byte);
/// Sleeps until the next interrupt.
void hal_wait_for_interrupt(void);
/// Motor `motor`'s PWM compare register, per mille; the heater's on/off output.
void hal_pwm_write(int motor, uint16_t per_mille);
void hal_heater_write(int on);
/// A semihosting call (ARM BKPT 0xAB / RISC-V ebreak sequence); qemu answers it when
/// started with -semihosting-config enable=on.
int32_t hal_semihost(int32_t op, void *arg);
/// Interrupts off / restore, for the few places that read two words of ISR state.
uint32_t hal_irq_save(void);
void hal_irq_restore(uint32_t state);
/// The lowest and highest address of the main stack (it grows down from the top).
extern uint8_t __stack_bottom[], __stack_top[];

// MARK: What the boards call (board_common.c)

/// From the UART receive interrupt: one byte in.
void board_uart_received(uint8_t byte);
/// From the 1 kHz timer interrupt.
void board_tick_interrupt(void);
/// Stops everything: outputs off, a message on the semihosting console, exit status 3.
_Noreturn void board_panic(const char *why);
/// The C entry after startup code has set up .data and .bss.
_Noreturn void board_start(void);

#endif
