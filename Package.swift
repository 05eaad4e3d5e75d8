// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "massage-control",
    products: [
        .library(name: "MassageWire", targets: ["MassageWire"]),
        .executable(name: "massagectl", targets: ["massagectl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // The wire protocol: framing, CRC-32C, messages. No Foundation, no existentials,
        // fixed-size storage: the same files compile for microcontrollers (Embedded Swift).
        .target(name: "MassageWire"),

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

        // The device simulator: firmware core, physical models and the byte transports
        // (in-memory, UNIX socket, pseudo-terminal) through which host processes reach it.
        .target(
            name: "MassageSimulator",
            dependencies: ["MassageWire"]
        ),

        .executableTarget(
            name: "massagectl",
            dependencies: [
                "MassageWire", "CLibUSB", "CGPIOD",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "massage-bench",
            dependencies: ["MassageWire"],
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
            name: "MassageSimulatorTests",
            dependencies: ["MassageSimulator"]
        ),
        .testTarget(
            name: "massagectlTests",
            dependencies: ["massagectl"]
        ),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    target.swiftSettings = settings
}
