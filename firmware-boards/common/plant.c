// A heater element on skin, a thermistor on the element, and four vibration motors, as
// integer first-order models stepped every ms from the tick interrupt (so the main loop's
// CPU budget excludes them). Figures are round, for a small skin heater:
// - element: heats at 3 °C/s at full power, loses heat toward skin (32 °C) with an 8 s
//   time constant (about 56 °C at 100 % forever);
// - heater power: slow PWM of the duty percent over a 100 ms window, on one output;
// - sensor: reads the element every 100 ms. Detached (boot_config), it reads the room
//   instead, cooling toward 22 °C with a 2 s time constant: what the runaway rule must
//   catch;
// - motors: speed follows duty with a 32 ms time constant.
// Time constants are powers of two and the PWM window counts down, so the model divides
// by shifts only: it runs in the tick interrupt, and a Cortex-M0 has no divider.
#include "plant.h"

#include "board.h"
#include "boot_config.h"
#include "telemetry.h"

#define SKIN_UC 32000000    // µ°C
#define ROOM_UC 22000000
#define HEAT_UC_PER_MS 3000 // 3 °C/s at 100 %
#define ELEMENT_TAU_SHIFT 13 // 8192 ms
#define SENSOR_TAU_SHIFT 11  // 2048 ms
#define SAMPLE_PERIOD_MS 100
#define PWM_WINDOW_MS 100
#define MOTOR_TAU_SHIFT 5    // 32 ms

static int32_t element_uc, sensor_uc;
static uint32_t ms;
static uint32_t window_ms; // ms into the heater's PWM window (counts 0 .. 99)
static uint32_t sample_countdown = SAMPLE_PERIOD_MS;
static uint8_t heater_percent;
static int heater_on;
static uint32_t heater_first_on_ms; // 0 = never on
static volatile int sensor_detached;
static int detach_reported;
static volatile int32_t sample = INT32_MIN;
static int32_t motor_duty[PLANT_MOTORS];
static int32_t motor_speed_milli[PLANT_MOTORS]; // per mille × 1024

void plant_init(void) {
    element_uc = SKIN_UC;
    sensor_uc = SKIN_UC;
}

void plant_set_motor(int motor, uint16_t per_mille) {
    if (motor >= 0 && motor < PLANT_MOTORS) motor_duty[motor] = per_mille;
}

void plant_set_heater(uint8_t percent) { heater_percent = percent > 100 ? 100 : percent; }

void plant_tick(void) {
    ms++;
    if (++window_ms == PWM_WINDOW_MS) window_ms = 0;
    int on = window_ms < heater_percent;
    if (on != heater_on) {
        heater_on = on;
        hal_heater_write(on);
    }
    if (on && heater_first_on_ms == 0) heater_first_on_ms = ms;
    element_uc += (on ? HEAT_UC_PER_MS : 0) - ((element_uc - SKIN_UC) >> ELEMENT_TAU_SHIFT);

    uint32_t detach_after = boot_config_sensor_detach_after_ms();
    if (!sensor_detached && detach_after != 0 && heater_first_on_ms != 0 && ms - heater_first_on_ms >= detach_after) {
        sensor_detached = 1;
    }
    if (sensor_detached) {
        sensor_uc -= (sensor_uc - ROOM_UC) >> SENSOR_TAU_SHIFT;
    } else {
        sensor_uc = element_uc;
    }
    if (--sample_countdown == 0) {
        sample_countdown = SAMPLE_PERIOD_MS;
        // µ°C to 0.1 °C: × 2^-17 × 1.31072 ≈ ÷ 100000 (exact to 0.01 °C here) without
        // a division.
        sample = (int32_t)(((int64_t)sensor_uc * 21475) >> 31);
    }

    for (int i = 0; i < PLANT_MOTORS; i++) {
        motor_speed_milli[i] += (motor_duty[i] * 1024 - motor_speed_milli[i]) >> MOTOR_TAU_SHIFT;
    }
}

int32_t plant_take_temperature_sample(void) {
    uint32_t s = hal_irq_save();
    int32_t value = sample;
    sample = INT32_MIN;
    hal_irq_restore(s);
    return value;
}

uint16_t plant_motor_speed(int motor) {
    if (motor < 0 || motor >= PLANT_MOTORS) return 0;
    int32_t v = motor_speed_milli[motor] >> 10;
    return (uint16_t)(v < 0 ? 0 : v > 1000 ? 1000 : v);
}

void plant_poll_events(uint64_t now_us) {
    if (sensor_detached && !detach_reported) {
        detach_reported = 1;
        telemetry_event("sensor detached", now_us, "element_decidegrees", (uint64_t)(element_uc / 100000));
    }
}
