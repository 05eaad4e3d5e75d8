import Glibc

/// Text for an `errno` value, for the `detail` and `reason` of a ``TransportError``.
enum ErrnoText {
    /// `strerror` text with the number, e.g. "Permission denied (errno 13)".
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}
