/// How a mat's contact lines are wired to a GPIO chip, as a `gpio:` device URI says it:
/// which bias to request and which level means "pressed". The GPIO adapter turns it into
/// its line request flags.
public struct GPIOContactWiring: Sendable, Hashable {
    /// Request the line's pull-up resistor (`&bias=pull-up`, the default); false leaves
    /// the bias as the board has it (`&bias=as-is`), for lines with external resistors.
    public var pullUp: Bool
    /// A pressed contact reads low (`&active-low`, the default: a contact that closes to
    /// ground against the pull-up); false when it reads high (`&active-high`).
    public var activeLow: Bool

    /// Pull-up on and active low by default: contacts that close to ground, the simplest
    /// mat wiring.
    public init(pullUp: Bool = true, activeLow: Bool = true) {
        self.pullUp = pullUp
        self.activeLow = activeLow
    }
}
