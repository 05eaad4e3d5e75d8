/// How the mat's contact lines are wired, for the line request.
public struct GPIOLineOptions: Equatable, Sendable {
    /// Turn on the line's pull-up resistor (`GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP`): for a
    /// contact that closes to ground and floats when open.
    public var pullUp: Bool
    /// The line reads low when pressed (`GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW`): with a
    /// pull-up and a contact to ground, pressed is low. The kernel then reports a press as a
    /// rising edge of the logical level, so `ContactEdge.pressed` stays "pressed".
    public var activeLow: Bool
    /// The consumer name the kernel shows for the lines (`gpioinfo`).
    public var consumer: String

    /// Contacts to ground with the pull-up on, by default: the simplest mat wiring.
    public init(pullUp: Bool = true, activeLow: Bool = true, consumer: String = "massagectl-mat") {
        self.pullUp = pullUp
        self.activeLow = activeLow
        self.consumer = consumer
    }
}
