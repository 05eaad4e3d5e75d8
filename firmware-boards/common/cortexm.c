// What every Cortex-M board shares: the reset handler (copy .data, zero .bss), the fault
// handler, interrupt masking, semihosting (BKPT 0xAB) and the exit call. Each board's
// board.c holds its own vector table, naming these.
#include <stdint.h>

#include "board.h"
#include "telemetry.h"

extern uint8_t __data_start[], __data_end[], __data_load[], __bss_start[], __bss_end[];

void Reset_Handler(void) {
    uint8_t *src = __data_load;
    for (uint8_t *dst = __data_start; dst < __data_end;) *dst++ = *src++;
    for (uint8_t *dst = __bss_start; dst < __bss_end;) *dst++ = 0;
    board_start();
}

void HardFault_Handler(void) { board_panic("hard fault"); }

void Default_Handler(void) { board_panic("unexpected interrupt"); }

uint32_t hal_irq_save(void) {
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    return primask;
}

void hal_irq_restore(uint32_t state) { __asm__ volatile("msr primask, %0" ::"r"(state) : "memory"); }

void hal_wait_for_interrupt(void) { __asm__ volatile("wfi" ::: "memory"); }

int32_t hal_semihost(int32_t op, void *arg) {
    register int32_t r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

_Noreturn void board_exit(int status) {
    // SYS_EXIT_EXTENDED: qemu exits with `status` (plain SYS_EXIT on 32-bit ARM can only
    // say success or failure).
    uint32_t block[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)status};
    hal_semihost(0x20, block);
    for (;;) hal_wait_for_interrupt();
}
