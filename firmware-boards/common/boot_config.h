// Settings an emulator run passes to the image at boot, without rebuilding it: words
// that `scripts/firmware run` writes into RAM with qemu's generic loader
// (`-device loader,addr=...,data=...`) before the CPU starts. The startup code leaves
// this block alone (section .boot_config, outside .data and .bss). A real board would
// have none of it: every word defaults to "off" when the magic is absent.
#ifndef FIRMWARE_BOARDS_BOOT_CONFIG_H
#define FIRMWARE_BOARDS_BOOT_CONFIG_H

#include <stdint.h>

#define BOOT_CONFIG_MAGIC 0xb007c0f1u

struct boot_config {
    uint32_t magic;
    /// Print a stats line on the semihosting console this often, ms (0: never).
    uint32_t stats_period_ms;
    /// End the run (exit status 0) at this uptime, ms (0: never).
    uint32_t exit_after_ms;
    /// The temperature sensor comes off the heater element this long after the heater
    /// first turns on, ms (0: never): the fault the runaway rule must catch.
    uint32_t sensor_detach_after_ms;
};

/// At ORIGIN(RAM) (see each board's link.ld); scripts/firmware writes to that address.
extern volatile struct boot_config boot_config;

static inline uint32_t boot_config_word(volatile const uint32_t *word) {
    return boot_config.magic == BOOT_CONFIG_MAGIC ? *word : 0;
}
static inline uint32_t boot_config_stats_period_ms(void) { return boot_config_word(&boot_config.stats_period_ms); }
static inline uint32_t boot_config_exit_after_ms(void) { return boot_config_word(&boot_config.exit_after_ms); }
static inline uint32_t boot_config_sensor_detach_after_ms(void) {
    return boot_config_word(&boot_config.sensor_detach_after_ms);
}

#endif
