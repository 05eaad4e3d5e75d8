// A heater element on skin, a thermistor on the element, and four vibration motors, as
// integer first-order models stepped every ms from the tick interrupt (so the main loop's
// CPU budget excludes them). Figures are round, for a small skin heater:
// - element: heats at 3 °C/s at full power, loses heat toward skin (32 °C) with a 10 s
//   time constant (about 62 °C at 100 % forever);
// - heater power: slow PWM of the duty percent over a 100 ms window, on one output;
// - sensor: reads the element every 100 ms. Detached (boot_config), it reads the room
//   instead, cooling toward 22 °C with a 2 s time constant: what the runaway rule must
//   catch;
// - motors: speed follows duty with a 30 ms time constant.
#include "plant.h"

#include "board.h"
#include "boot_config.h"
#include "telemetry.h"

#define SKIN_UC 32000000    // µ°C
#define ROOM_UC 22000000
#define HEAT_UC_PER_MS 3000 // 3 °C/s at 100 %
#define ELEMENT_TAU_MS 10000
#define SENSOR_TAU_MS 2000
#define SAMPLE_PERIOD_MS 100
#define PWM_WINDOW_MS 100
#define MOTOR_TAU_MS 30

static int32_t element_uc, sensor_uc;
static uint32_t ms;
static uint8_t heater_percent;
static int heater_on;
static uint32_t heater_first_on_ms; // 0 = never on
static volatile int sensor_detached;
static int detach_reported;
static volatile int32_t sample = INT32_MIN;
static int32_t motor_duty[PLANT_MOTORS];
static int32_t motor_speed_milli[PLANT_MOTORS]; // per mille × 1000

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
    int on = (ms % PWM_WINDOW_MS) < heater_percent;
    if (on != heater_on) {
        heater_on = on;
        hal_heater_write(on);
    }
    if (on && heater_first_on_ms == 0) heater_first_on_ms = ms;
    element_uc += (on ? HEAT_UC_PER_MS : 0) - (element_uc - SKIN_UC) / ELEMENT_TAU_MS;

    uint32_t detach_after = boot_config_sensor_detach_after_ms();
    if (!sensor_detached && detach_after != 0 && heater_first_on_ms != 0 && ms - heater_first_on_ms >= detach_after) {
        sensor_detached = 1;
    }
    if (sensor_detached) {
        sensor_uc -= (sensor_uc - ROOM_UC) / SENSOR_TAU_MS;
    } else {
        sensor_uc = element_uc;
    }
    if (ms % SAMPLE_PERIOD_MS == 0) sample = sensor_uc / 100000; // 0.1 °C

    for (int i = 0; i < PLANT_MOTORS; i++) {
        motor_speed_milli[i] += (motor_duty[i] * 1000 - motor_speed_milli[i]) / MOTOR_TAU_MS;
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
    int32_t v = motor_speed_milli[motor] / 1000;
    return (uint16_t)(v < 0 ? 0 : v > 1000 ? 1000 : v);
}

void plant_poll_events(uint64_t now_us) {
    if (sensor_detached && !detach_reported) {
        detach_reported = 1;
        telemetry_event("sensor detached", now_us, "element_decidegrees", (uint64_t)(element_uc / 100000));
    }
}
