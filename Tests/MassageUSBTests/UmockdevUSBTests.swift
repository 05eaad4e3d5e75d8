import Testing

/// Every test that runs against emulated USB devices. One umockdev testbed may exist per
/// process at a time (the preload follows $UMOCKDEV_DIR, which the newest testbed sets),
/// so the nested suites run one test at a time. Outside umockdev-wrapper they skip.
@Suite(.serialized, .enabled(if: USBTestbed.isAvailable, Comment(rawValue: USBTestbed.unavailableReason ?? "")))
struct UmockdevUSBTests {}
