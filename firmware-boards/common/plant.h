// The sensors' source on the emulated boards: a small model of the device's heater,
// motors and temperature sensor, stepped by the 1 kHz tick interrupt. See README
// ("Emulated boards") for why the model lives on the board rather than on the host.
#ifndef FIRMWARE_BOARDS_PLANT_H
#define FIRMWARE_BOARDS_PLANT_H

#include <stdint.h>

#define PLANT_MOTORS 4

void plant_init(void);
/// One ms of physics; from the tick interrupt.
void plant_tick(void);
void plant_set_motor(int motor, uint16_t per_mille);
void plant_set_heater(uint8_t percent);
/// A new temperature sample (0.1 °C) since the last call, or INT32_MIN for none.
int32_t plant_take_temperature_sample(void);
uint16_t plant_motor_speed(int motor);
/// Prints the model's events (sensor detached) from the main loop.
void plant_poll_events(uint64_t now_us);

#endif
