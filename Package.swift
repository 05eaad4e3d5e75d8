// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "massage-control",
    products: [
        .library(name: "MassageWire", targets: ["MassageWire"]),
        .library(name: "MassageFirmware", targets: ["MassageFirmware"]),
        .library(name: "MassageKit", targets: ["MassageKit"]),
        .library(name: "MassageSimulator", targets: ["MassageSimulator"]),
        .library(name: "MassageUSB", targets: ["MassageUSB"]),
        .library(name: "MassageConformance", targets: ["MassageConformance"]),
        .library(name: "MassageControl", targets: ["MassageControl"]),
        .executable(name: "massagectl", targets: ["massagectl"]),
        .executable(name: "massaged", targets: ["massaged"]),
    ],
    traits: [
        .trait(name: "Service", description: "The service's HTTP and WebSocket door (massaged, MassageServiceHTTP): Hummingbird 2 and what it brings. Off by default, so that massagectl's build never resolves the web stack; swift build --traits Service, swift test --traits Service."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // The service's web stack, for massaged only, behind the Service trait: without
        // it (`swift run massagectl`) these are not even resolved. `--traits Service`.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // The wire protocol: framing, CRC-32C, messages. No Foundation, no existentials,
        // fixed-size storage: the same files compile for microcontrollers (Embedded Swift).
        // On hosts it takes the CPU's CRC-32C instructions from CCRC32C when present.
        .target(name: "MassageWire", dependencies: ["CCRC32C"]),

        // CRC-32C with SSE4.2 (x86-64) or the ARMv8 CRC32 instructions, chosen at run time.
        .target(name: "CCRC32C"),

        // The reference device core: a step function with every device-side safety rule.
        // Embedded-Swift clean and allocation-free, like MassageWire.
        .target(name: "MassageFirmware", dependencies: ["MassageWire"]),

        // The host library: transports, device URIs and table, the device session.
        .target(name: "MassageKit", dependencies: ["MassageWire"]),

        // Program files (YAML, JSON) read as untrusted input, validated, and the built-in
        // library. Apart from MassageKit so that the host library stays free of Yams.
        .target(
            name: "MassageProgramFiles",
            dependencies: ["MassageKit", .product(name: "Yams", package: "Yams")]
        ),

        // The history of program runs and mat sessions, in SQLite.
        .target(
            name: "MassageHistory",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")]
        ),

        // System libraries, found through pkg-config; Debian package names for the hint.
        .systemLibrary(
            name: "CLibUSB",
            pkgConfig: "libusb-1.0",
            providers: [.apt(["libusb-1.0-0-dev"])]
        ),
        .systemLibrary(
            name: "CGPIOD",
            pkgConfig: "libgpiod",
            providers: [.apt(["libgpiod-dev"])]
        ),

        // The USB transport: libusb-1.0, enumeration by the device table, hotplug.
        .target(name: "MassageUSB", dependencies: ["CLibUSB", "MassageKit"]),

        // The mat's contact lines through libgpiod 1.6: edges with kernel timestamps.
        .target(name: "MassageGPIO", dependencies: ["CGPIOD", "MassageKit"]),

        // umockdev, for the tests only: an emulated USB device behind usbfs ioctls, and
        // emulated gpiochip ioctls.
        .systemLibrary(
            name: "CUmockdev",
            pkgConfig: "umockdev-1.0",
            providers: [.apt(["libumockdev-dev"])]
        ),
        // The emulated device's ioctl handler (C, GObject signals), handing URBs to a
        // firmware through callbacks. Used by MassageUSBTests under umockdev-wrapper.
        .target(name: "USBDeviceEmulator", dependencies: ["CUmockdev"]),

        // The conformance suite: every promise of PROTOCOL.md a host can observe, checked
        // against any device through a Transport, speaking raw frames where precision needs
        // it. No CLI code: `massagectl conform` is a thin view on it.
        .target(name: "MassageConformance", dependencies: ["MassageWire", "MassageKit"]),

        // The application layer: what a user-facing program does with a device. Opening a
        // device by URI, a program run (ProgramRun: scheduler, governor, progress, faults
        // and link loss as events), a mat session toward the day's goal, the history
        // record. The CLI and the service are thin views on it. Named for the package
        // (massage-control): it is the API a front end controls the devices through.
        .target(
            name: "MassageControl",
            dependencies: ["MassageKit", "MassageUSB", "MassageGPIO", "MassageSimulator", "MassageHistory"]
        ),

        // What massagectl and the service share about talking to each other: the
        // newline-delimited JSON-RPC envelope, where the socket and token live, a small
        // blocking client. Foundation only, so that the CLI carries no web stack.
        .target(name: "MassageServiceProtocol"),

        // The service's core: the devices' one owner, the handlers behind the UNIX socket
        // and HTTP, access checks, the dead-man switch, the newest-state hub, the UNIX
        // socket. No web stack: it builds and is tested with or without the Service trait.
        .target(
            name: "MassageService",
            dependencies: ["MassageServiceProtocol", "MassageControl", "MassageKit", "MassageSimulator", "MassageHistory", "MassageProgramFiles", "MassageWire"]
        ),
        // The service's HTTP and WebSocket door on Hummingbird, the dashboard's files, and
        // the lifecycle (a graceful end on SIGTERM). Hummingbird lives here and nowhere else,
        // and only with the Service trait (its files are empty without it).
        .target(
            name: "MassageServiceHTTP",
            dependencies: [
                "MassageService", "MassageServiceProtocol",
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Service"])),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket", condition: .when(traits: ["Service"])),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["Service"])),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Service"])),
                .product(name: "HTTPTypes", package: "swift-http-types", condition: .when(traits: ["Service"])),
            ],
            resources: [.copy("Dashboard")]
        ),
        .executableTarget(
            name: "massaged",
            dependencies: ["MassageService", "MassageServiceHTTP", "MassageServiceProtocol", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .executableTarget(
            name: "massagectl",
            dependencies: [
                "MassageServiceProtocol",
                "MassageConformance", "MassageWire", "MassageFirmware", "MassageKit", "MassageControl", "MassageUSB", "MassageGPIO", "MassageSimulator", "MassageHistory", "MassageProgramFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The simulated device: the firmware core around physical models (motors, heater,
        // temperature sensor, pressure mat), injectable faults, and the transports another
        // process talks to it through (in-memory, UNIX socket, pty).
        .target(
            name: "MassageSimulator",
            dependencies: ["MassageWire", "MassageFirmware", "MassageKit"]
        ),

        .executableTarget(
            name: "massage-bench",
            dependencies: ["MassageWire", "MassageFirmware", "MassageKit", "MassageSimulator", "MassageProgramFiles"],
            path: "Benchmarks/massage-bench"
        ),

        .testTarget(
            name: "MassageWireTests",
            dependencies: [
                "MassageWire",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "MassageFirmwareTests",
            dependencies: [
                "MassageFirmware",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "MassageKitTests",
            dependencies: [
                "MassageKit", "MassageSimulator",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "MassageProgramFilesTests",
            dependencies: [
                "MassageProgramFiles", "MassageSimulator",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "MassageHistoryTests",
            // GRDB for the tests' raw SQL: damaged rows, held locks.
            dependencies: ["MassageHistory", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "MassageGPIOTests",
            dependencies: ["MassageGPIO", "MassageKit", "CUmockdev"]
        ),
        .testTarget(
            name: "massagectlTests",
            // MassageHistory and GRDB to build damaged and old histories for `history`;
            // MassageService (the web-free core) to serve `call` over a real UNIX socket.
            dependencies: ["massagectl", "MassageWire", "MassageControl", "MassageHistory", "MassageService", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "MassageControlTests",
            dependencies: [
                "MassageControl", "MassageKit", "MassageSimulator", "MassageWire",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "MassageUSBTests",
            dependencies: [
                "MassageUSB", "USBDeviceEmulator", "MassageSimulator", "MassageWire", "MassageConformance",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "MassageConformanceTests",
            dependencies: [
                "MassageConformance", "MassageSimulator", "MassageFirmware", "MassageWire", "MassageKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "MassageServiceTests",
            dependencies: [
                // Real sockets with hand-written requests (any Host, any Origin), so no
                // test client library: HummingbirdTesting's would pull in AsyncHTTPClient.
                "MassageService", "MassageServiceHTTP", "MassageServiceProtocol", "MassageHistory",
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Service"])),
            ]
        ),
        .testTarget(
            name: "MassageSimulatorTests",
            dependencies: [
                "MassageSimulator",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    target.swiftSettings = settings
}
