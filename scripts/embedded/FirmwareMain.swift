// The firmware's main loop around MassageFirmware: what a device maker flashes, minus
// the board support. scripts/embedded-check links it with the board_* functions left
// unresolved (to measure the project's own code); scripts/firmware links it with a
// board from firmware-boards/ and runs it under qemu.
import MassageFirmware
import MassageWire

// @_extern(c): the C calling convention. @_silgen_name would use Swift's, which leaves
// the upper bits of a UInt8 or UInt16 argument undefined where C (AAPCS) expects them
// zero-extended: on the emulated Cortex-M0, board_set_heater saw heater duty 0 as 19456.
@_extern(c, "board_now_us") func boardNowMicroseconds() -> UInt64
@_extern(c, "board_read_byte") func boardReadByte() -> Int32
@_extern(c, "board_write_byte") func boardWriteByte(_ byte: UInt8)
@_extern(c, "board_temperature") func boardTemperature() -> Int32
@_extern(c, "board_motor_speed") func boardMotorSpeed(_ motor: Int32) -> UInt16
@_extern(c, "board_set_motor") func boardSetMotor(_ motor: Int32, _ duty: UInt16)
@_extern(c, "board_set_heater") func boardSetHeater(_ percent: UInt8)
@_extern(c, "board_wait_tick") func boardWaitTick()
/// Called once the core is built, before the main loop: the board can tell the stack
/// used at start-up from the stack the loop uses.
@_extern(c, "board_main_loop_started") func boardMainLoopStarted()

func text(_ bytes: StaticString) -> ShortText {
    var text = ShortText()
    let count = min(bytes.utf8CodeUnitCount, 16)
    for i in 0..<count { _ = text.append(bytes.utf8Start[i]) }
    return text
}

/// The core lives in static storage, not in main's frame: a struct of ~2 KB held in a
/// local is copied into temporaries that the frame keeps (main's frame measured 13 KB on
/// armv7em). `nil` is a constant, so this is zero-initialized data with no lazy
/// initializer (no swift_once).
nonisolated(unsafe) var firmwareCore: FirmwareCore? = nil

@inline(never)
func startCore() {

    var actuators = InlineArray<16, ActuatorInfo>(repeating: ActuatorInfo(placement: .ring, acceleration: 0, spinUpMilliseconds: 0))
    for i in 0..<4 {
        actuators[i] = ActuatorInfo(placement: .ring, angle: UInt16(i * 9000), acceleration: 900, spinUpMilliseconds: 80)
    }
    let profile = DeviceProfile(
        firmwareVersion: (1, 0, 0),
        identity: DeviceIdentity(vendor: text("pid.codes"), model: text("Ring4 Heat"), serial: text("0001")),
        layout: .ring, actuatorCount: 4, actuators: actuators, hasHeater: true
    )
    firmwareCore = FirmwareCore(profile: profile)
}

// The main loop's three phases are separate functions that are never inlined into
// main or into one another: each one's frame is popped before the next runs, so the
// stack peak is the largest phase, not their sum (inlined, main's frame was 8.5 KB).

/// Feeds every byte received since the last tick to the core, sending the answers after
/// each frame (its 0x00 delimiter): however many frames arrive in one tick, the core's
/// outbox holds at most one frame's answers.
@inline(never)
func receivePending(now: UInt64) {
    while true {
        let byte = boardReadByte()
        if byte < 0 { return }
        firmwareCore!.receive(UInt8(truncatingIfNeeded: byte), now: now)
        if byte == 0 { sendQueued() }
    }
}

/// One step of the core with this tick's sensor readings; drives the outputs.
@inline(never)
func stepAndDrive(now: UInt64, sensors: inout SensorReadings) {
    let reading = boardTemperature()
    sensors.temperature = reading == Int32.min ? nil : Int16(truncatingIfNeeded: reading)
    for motor in 0..<4 { sensors.motorSpeeds[motor] = boardMotorSpeed(Int32(motor)) }
    let outputs = firmwareCore!.step(now: now, sensors: sensors)
    for motor in 0..<4 { boardSetMotor(Int32(motor), outputs.motorDuties[motor]) }
    boardSetHeater(outputs.heaterDuty)
}

/// Sends every frame the core has queued.
@inline(never)
func sendQueued() {
    while let frame = firmwareCore!.nextOutgoingFrame() {
        for i in 0..<frame.count { boardWriteByte(frame[i]) }
    }
}

@_cdecl("main")
func main() -> Int32 {
    startCore()
    boardMainLoopStarted()
    var sensors = SensorReadings()
    while true {
        let now = boardNowMicroseconds()
        receivePending(now: now)
        stepAndDrive(now: now, sensors: &sensors)
        sendQueued()
        boardWaitTick()
    }
}

/// Sizes of the values the stack budget depends on, for the board's boot telemetry.
@_cdecl("firmware_value_size")
func firmwareValueSize(_ which: Int32) -> Int32 {
    switch which {
    case 0: Int32(MemoryLayout<FirmwareCore>.size)
    case 1: Int32(MemoryLayout<Message>.size)
    case 2: Int32(MemoryLayout<Frame>.size)
    case 3: Int32(MemoryLayout<WireFrame>.size)
    case 4: Int32(MemoryLayout<DecodeEvent>.size)
    case 5: Int32(MemoryLayout<DeviceProfile>.size)
    default: -1
    }
}
