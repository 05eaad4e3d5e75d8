// A minimal firmware image around MassageFirmware, for scripts/embedded-check to link
// and measure: what a device maker flashes, minus the board support. The board_*
// functions are the board's (left unresolved at link time: the image is measured, not
// run).
import MassageFirmware
import MassageWire

@_silgen_name("board_now_us") func boardNowMicroseconds() -> UInt64
@_silgen_name("board_read_byte") func boardReadByte() -> Int32
@_silgen_name("board_write_byte") func boardWriteByte(_ byte: UInt8)
@_silgen_name("board_temperature") func boardTemperature() -> Int32
@_silgen_name("board_motor_speed") func boardMotorSpeed(_ motor: Int32) -> UInt16
@_silgen_name("board_set_motor") func boardSetMotor(_ motor: Int32, _ duty: UInt16)
@_silgen_name("board_set_heater") func boardSetHeater(_ percent: UInt8)
@_silgen_name("board_wait_tick") func boardWaitTick()

func text(_ bytes: StaticString) -> ShortText {
    var text = ShortText()
    let count = min(bytes.utf8CodeUnitCount, 16)
    for i in 0..<count { _ = text.append(bytes.utf8Start[i]) }
    return text
}

@_cdecl("main")
func main() -> Int32 {
    var actuators = InlineArray<16, ActuatorInfo>(repeating: ActuatorInfo(placement: .ring, acceleration: 0, spinUpMilliseconds: 0))
    for i in 0..<4 {
        actuators[i] = ActuatorInfo(placement: .ring, angle: UInt16(i * 9000), acceleration: 900, spinUpMilliseconds: 80)
    }
    let profile = DeviceProfile(
        firmwareVersion: (1, 0, 0),
        identity: DeviceIdentity(vendor: text("pid.codes"), model: text("Ring4 Heat"), serial: text("0001")),
        layout: .ring, actuatorCount: 4, actuators: actuators, hasHeater: true
    )
    var core = FirmwareCore(profile: profile)
    var sensors = SensorReadings()
    while true {
        let now = boardNowMicroseconds()
        while true {
            let byte = boardReadByte()
            if byte < 0 { break }
            core.receive(UInt8(truncatingIfNeeded: byte), now: now)
        }
        let reading = boardTemperature()
        sensors.temperature = reading == Int32.min ? nil : Int16(truncatingIfNeeded: reading)
        for motor in 0..<4 { sensors.motorSpeeds[motor] = boardMotorSpeed(Int32(motor)) }
        let outputs = core.step(now: now, sensors: sensors)
        for motor in 0..<4 { boardSetMotor(Int32(motor), outputs.motorDuties[motor]) }
        boardSetHeater(outputs.heaterDuty)
        while let frame = core.nextOutgoingFrame() {
            for i in 0..<frame.count { boardWriteByte(frame[i]) }
        }
        boardWaitTick()
    }
}
