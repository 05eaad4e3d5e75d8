// One-line events on the semihosting console ("fw t_us=… event=… key=value…"), for the
// emulator runs to read: outputs on and off, heater on and off, the sensor detaching,
// and the CPU/stack statistics. Never on the protocol's UART.
#ifndef FIRMWARE_BOARDS_TELEMETRY_H
#define FIRMWARE_BOARDS_TELEMETRY_H

#include <stdint.h>

extern const char board_name[];
void telemetry_begin(const char *event, uint64_t now_us);
void telemetry_field(const char *key, uint64_t value);
void telemetry_end(void);
/// begin + one field (omitted when key is null) + end.
void telemetry_event(const char *event, uint64_t now_us, const char *key, uint64_t value);
void telemetry_boot(const char *board, uint64_t data, uint64_t bss, uint64_t stack);
/// Ends the emulator run with `status` (semihosting SYS_EXIT or the sifive_test finisher).
_Noreturn void board_exit(int status);
uint32_t board_stack_high_water(void);

#endif
