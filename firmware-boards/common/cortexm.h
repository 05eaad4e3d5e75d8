#ifndef FIRMWARE_BOARDS_CORTEXM_H
#define FIRMWARE_BOARDS_CORTEXM_H
#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define NVIC_ISER REG32(0xe000e100u)

void Reset_Handler(void);
void HardFault_Handler(void);
void Default_Handler(void);
extern uint8_t __stack_top[];
#endif
