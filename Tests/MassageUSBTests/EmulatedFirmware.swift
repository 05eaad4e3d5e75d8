import USBDeviceEmulator

/// What runs behind an emulated USB device: called from the emulator's ioctl thread with
/// each bulk OUT URB's bytes, and for each bulk IN URB to fill. Subclasses override both.
class EmulatedFirmware: @unchecked Sendable {
    // @unchecked: subclasses keep their state behind a Mutex.
    func receive(_ bytes: UnsafeBufferPointer<UInt8>) {}
    func transmit(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int { 0 }

    /// The C callbacks; `context` is this object, kept alive by the ``USBTestbed`` that
    /// holds it for as long as the emulator may call.
    var callbacks: usb_emulator_firmware {
        usb_emulator_firmware(
            context: Unmanaged.passUnretained(self).toOpaque(),
            receive: { context, bytes, count in
                guard let context, let bytes else { return }
                Unmanaged<EmulatedFirmware>.fromOpaque(context).takeUnretainedValue()
                    .receive(UnsafeBufferPointer(start: bytes, count: count))
            },
            transmit: { context, buffer, capacity in
                guard let context, let buffer else { return 0 }
                return Unmanaged<EmulatedFirmware>.fromOpaque(context).takeUnretainedValue()
                    .transmit(into: UnsafeMutableBufferPointer(start: buffer, count: capacity))
            })
    }
}
