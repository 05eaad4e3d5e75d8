import Glibc

/// C library functions that Swift's Glibc module does not declare (they sit behind
/// `_GNU_SOURCE` / `_XOPEN_SOURCE`, which the module is not built with), looked up in
/// the running C library by name. nil means this C library does not have it.
enum GNULibC {
    typealias DescriptorFunction = @convention(c) (Int32) -> Int32
    typealias PtsnameR = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32
    typealias Accept4 = @convention(c) (
        Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32
    ) -> Int32

    private static func symbol<Function>(_ name: String, as _: Function.Type) -> Function? {
        guard let program = dlopen(nil, RTLD_NOW) else { return nil }
        defer { dlclose(program) }
        guard let address = dlsym(program, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }

    static func posixOpenpt() -> DescriptorFunction? { symbol("posix_openpt", as: DescriptorFunction.self) }
    static func grantpt() -> DescriptorFunction? { symbol("grantpt", as: DescriptorFunction.self) }
    static func unlockpt() -> DescriptorFunction? { symbol("unlockpt", as: DescriptorFunction.self) }
    static func ptsnameR() -> PtsnameR? { symbol("ptsname_r", as: PtsnameR.self) }
    static func accept4() -> Accept4? { symbol("accept4", as: Accept4.self) }

    /// Linux's `SOCK_NONBLOCK` and `SOCK_CLOEXEC`, for accept4.
    static var acceptFlags: Int32 { Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue) }
}
