// The board functions scripts/embedded/FirmwareMain.swift calls, the same on every board:
// the UART receive ring, the 1 kHz tick, the sensors (from plant.c's model), the
// outputs, and the telemetry the emulator runs read (semihosting console: it never
// shares the protocol's UART).
#include <stdint.h>

#include "board.h"
#include "boot_config.h"
#include "plant.h"
#include "telemetry.h"

__attribute__((section(".boot_config"), used)) volatile struct boot_config boot_config;

// MARK: - UART receive ring

// 256 bytes: four maximal frames. The main loop drains it every tick (1 ms), and at
// 115200 baud at most 12 bytes arrive per ms, so it only fills if the loop stalls;
// then the oldest bytes are kept and the newest dropped (counted), and the frame
// decoder resynchronises on the next 0x00.
#define RX_CAPACITY 256u
static uint8_t rx_ring[RX_CAPACITY];
// Written by the ISR (head) and by the main loop (tail) only: one writer each, read with
// atomic loads (PRIMASK critical sections on armv6m, plain loads elsewhere).
static uint32_t rx_head, rx_tail;
static uint32_t rx_overruns, rx_bytes, tx_bytes, tx_dropped;
static volatile uint64_t last_rx_us;
/// The time the main loop last read (board_now_us), once per tick.
static uint64_t tick_now_us;

void board_uart_received(uint8_t byte) {
    uint32_t head = __atomic_load_n(&rx_head, __ATOMIC_RELAXED);
    uint32_t tail = __atomic_load_n(&rx_tail, __ATOMIC_ACQUIRE);
    if (head - tail >= RX_CAPACITY) {
        rx_overruns++;
        return;
    }
    rx_bytes++;
    rx_ring[head % RX_CAPACITY] = byte;
    __atomic_store_n(&rx_head, head + 1, __ATOMIC_RELEASE);
}

__attribute__((used)) int32_t board_read_byte(void) {
    uint32_t tail = __atomic_load_n(&rx_tail, __ATOMIC_RELAXED);
    uint32_t head = __atomic_load_n(&rx_head, __ATOMIC_ACQUIRE);
    if (head == tail) return -1;
    uint8_t byte = rx_ring[tail % RX_CAPACITY];
    __atomic_store_n(&rx_tail, tail + 1, __ATOMIC_RELEASE);
    // The time of this tick (the main loop reads the clock once per tick): reading the
    // timer per byte cost the Cortex-M0 a sixth of its budget.
    last_rx_us = tick_now_us;
    return byte;
}

// A transmitter that takes no byte for 1 ms (a real UART at 115200 baud takes one every
// 87 µs) is stuck: the byte is dropped and counted rather than stalling the main loop,
// whose watchdog and heater rules must keep running whatever happens to the link. Under
// qemu this happens when nobody reads the pty.
__attribute__((used)) void board_write_byte(uint8_t byte) {
    static int stuck;
    if (!hal_uart_tx_ready()) {
        if (stuck) {
            tx_dropped++;
            return;
        }
        uint32_t start = hal_fine_now();
        while (!hal_uart_tx_ready()) {
            if (hal_fine_now() - start > hal_fine_hz / 1000u) {
                stuck = 1;
                tx_dropped++;
                return;
            }
        }
    }
    stuck = 0;
    tx_bytes++;
    hal_uart_send(byte);
}

// MARK: - Tick and CPU budget

static volatile uint32_t tick_count;
static uint32_t ticks_waited;
// Busy time per tick: from the return of board_wait_tick to its next call, in
// hal_fine_now counts. Under `qemu -icount shift=0` one instruction is one ns of
// virtual time, so this is the instruction count of the main loop's work.
static uint32_t busy_started;
static uint64_t busy_total;
static uint32_t busy_max;
static uint32_t busy_ticks;

void board_tick_interrupt(void) {
    tick_count++;
    plant_tick();
}

__attribute__((used)) uint64_t board_now_us(void) {
    tick_now_us = hal_now_us();
    return tick_now_us;
}

static void telemetry_periodic(uint64_t now_us);

__attribute__((used)) void board_wait_tick(void) {
    uint32_t busy = hal_fine_now() - busy_started;
    if (busy_started != 0) {
        busy_total += busy;
        if (busy > busy_max) busy_max = busy;
        busy_ticks++;
    }
    telemetry_periodic(hal_now_us());
    uint32_t seen = tick_count;
    while (tick_count == seen) hal_wait_for_interrupt();
    ticks_waited++;
    busy_started = hal_fine_now();
    if (busy_started == 0) busy_started = 1;
}

// MARK: - Sensors and outputs

__attribute__((used)) int32_t board_temperature(void) { return plant_take_temperature_sample(); }

__attribute__((used)) uint16_t board_motor_speed(int32_t motor) { return plant_motor_speed(motor); }

static uint16_t motor_duty[PLANT_MOTORS];
static uint8_t heater_percent;
static int outputs_on;

static void outputs_changed(void) {
    int on = heater_percent != 0;
    for (int i = 0; i < PLANT_MOTORS; i++) on |= motor_duty[i] != 0;
    if (on == outputs_on) return;
    outputs_on = on;
    uint64_t now = hal_now_us();
    if (on) {
        telemetry_event("outputs on", now, 0, 0);
    } else {
        // The watchdog check of CI: how long after the last byte from the host did every
        // output reach 0.
        telemetry_event("outputs off; silence_us", now, "silence_us", now - last_rx_us);
    }
}

__attribute__((used)) void board_set_motor(int32_t motor, uint16_t duty) {
    if (motor < 0 || motor >= PLANT_MOTORS) return;
    hal_pwm_write(motor, duty);
    plant_set_motor(motor, duty);
    if (motor_duty[motor] != duty) {
        motor_duty[motor] = duty;
        outputs_changed();
    }
}

__attribute__((used)) void board_set_heater(uint8_t percent) {
    plant_set_heater(percent);
    if (heater_percent != percent) {
        if ((heater_percent == 0) != (percent == 0)) {
            telemetry_event(percent ? "heater on" : "heater off", hal_now_us(), "percent", percent);
        }
        heater_percent = percent;
        outputs_changed();
    }
}

// MARK: - Stack high-water mark

#define STACK_PAINT 0xa5a5a5a5u

// Paints the free stack below this function's frame; what is still painted later was
// never used.
__attribute__((noinline)) static void paint_stack(void) {
    uint32_t here;
    uint32_t *p = (uint32_t *)(void *)__stack_bottom;
    uint32_t *end = (uint32_t *)(void *)((uintptr_t)&here - 64);
    while (p < end) *p++ = STACK_PAINT;
}

static uint32_t startup_stack_peak;

// The stack start-up used (building the core) is recorded, and the stack is painted again
// below this frame: the stats then show the main loop's own peak beside it. RAM must
// hold the larger of the two.
__attribute__((used)) void board_main_loop_started(void) {
    startup_stack_peak = board_stack_high_water();
    paint_stack();
    telemetry_event("main loop started", hal_now_us(), "startup_stack_peak", startup_stack_peak);
}

uint32_t board_stack_high_water(void) {
    const uint32_t *p = (const uint32_t *)(const void *)__stack_bottom;
    const uint32_t *top = (const uint32_t *)(const void *)__stack_top;
    while (p < top && *p == STACK_PAINT) p++;
    return (uint32_t)((uintptr_t)top - (uintptr_t)p);
}

// MARK: - Telemetry

extern uint8_t __data_start[], __data_end[], __bss_start[], __bss_end[];

static uint64_t next_stats_us;

static void telemetry_stats(uint64_t now) {
    // ns per fine count is 1e9 / hz; the figures are printed in fine counts and in ns so
    // the budget script needs no board table.
    telemetry_begin("stats", now);
    telemetry_field("ticks", busy_ticks);
    telemetry_field("busy_total", busy_total);
    telemetry_field("busy_max", busy_max);
    telemetry_field("fine_hz", hal_fine_hz);
    telemetry_field("stack_hwm", board_stack_high_water());
    telemetry_field("startup_stack_peak", startup_stack_peak);
    telemetry_field("stack_size", (uint64_t)(__stack_top - __stack_bottom));
    telemetry_field("data", (uint64_t)(__data_end - __data_start));
    telemetry_field("bss", (uint64_t)(__bss_end - __bss_start));
    telemetry_field("rx_bytes", rx_bytes);
    telemetry_field("tx_bytes", tx_bytes);
    telemetry_field("tx_dropped", tx_dropped);
    telemetry_field("rx_overruns", rx_overruns);
    telemetry_end();
}

static void telemetry_periodic(uint64_t now) {
    plant_poll_events(now);
    uint32_t period = boot_config_stats_period_ms();
    if (period == 0) return;
    if (now < next_stats_us) return;
    next_stats_us = now + (uint64_t)period * 1000u;
    if (busy_ticks > 0) telemetry_stats(now);
    uint32_t exit_after = boot_config_exit_after_ms();
    if (exit_after != 0 && now >= (uint64_t)exit_after * 1000u) {
        telemetry_stats(now);
        board_exit(0);
    }
}

// MARK: - Start and panic

extern int main(void);
/// From FirmwareMain.swift: MemoryLayout sizes of the core's values (0 core, 1 Message,
/// 2 Frame, 3 WireFrame, 4 DecodeEvent, 5 DeviceProfile).
extern int32_t firmware_value_size(int32_t which);

_Noreturn void board_start(void) {
    paint_stack();
    plant_init();
    hal_init();
    telemetry_boot(board_name, (uint64_t)(__data_end - __data_start), (uint64_t)(__bss_end - __bss_start),
                   (uint64_t)(__stack_top - __stack_bottom));
    telemetry_begin("config", 0);
    telemetry_field("stats_period_ms", boot_config_stats_period_ms());
    telemetry_field("exit_after_ms", boot_config_exit_after_ms());
    telemetry_field("sensor_detach_after_ms", boot_config_sensor_detach_after_ms());
    telemetry_end();
    telemetry_begin("sizes", 0);
    static const char *const names[] = {"core", "message", "frame", "wire_frame", "decode_event", "profile"};
    for (int32_t i = 0; i < 6; i++) telemetry_field(names[i], (uint64_t)firmware_value_size(i));
    telemetry_end();
    main();
    board_panic("main returned");
}

_Noreturn void board_panic(const char *why) {
    for (int i = 0; i < PLANT_MOTORS; i++) hal_pwm_write(i, 0);
    hal_heater_write(0);
    telemetry_event(why, hal_now_us(), "panic", 1);
    board_exit(3);
}
