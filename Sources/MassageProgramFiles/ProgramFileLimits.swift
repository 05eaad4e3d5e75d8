/// The bounds a program file must keep to. Files come from users and are untrusted: each
/// bound is checked while the file is read, before anything is built from it, so no file
/// can make the reader take unbounded time or memory.
public enum ProgramFileLimits {
    /// Bytes in one file: the longest built-in program is under 3 KiB, so 256 KiB leaves
    /// room for generous hand-written files and none for a denial of service.
    public static let maximumBytes = 256 * 1024
    /// Levels of nesting in the document (mappings and lists), the file's own structure.
    public static let maximumDepth = 32
    /// Nodes in the document, counted while it is walked, with every YAML alias expanded:
    /// an alias bomb ("billion laughs") reaches this after a few milliseconds of work.
    public static let maximumNodes = 20_000
    /// Steps in one program.
    public static let maximumSteps = 200
    /// A program's whole length, seconds (4 hours: a heat session is cut at 30 minutes,
    /// and the vibration dose meter ends most programs much sooner anyway).
    public static let maximumProgramSeconds: Double = 4 * 3600
    /// A step's length, seconds: at least 100 ms, at most the program's maximum.
    public static let stepSeconds: ClosedRange<Double> = 0.1 ... maximumProgramSeconds
    /// The heat a file may ask for, °C. Below 30 °C a heater does nothing a skin can
    /// feel; 43 °C is the IEC 60601-1 limit for ten minutes of skin contact, and the
    /// device clamps every setpoint to its own cap (41 °C by default) in any case.
    public static let heat: ClosedRange<Double> = 30 ... 43
    /// The errors reported for one file before the rest are only counted.
    public static let maximumReportedIssues = 20
    /// Characters in a program's name (an identifier: `a-z`, `0-9`, `-`).
    public static let nameLength: ClosedRange<Int> = 1 ... 64
    /// Characters in a title, a step's name, a technique, a description.
    public static let titleLength: ClosedRange<Int> = 1 ... 100
    public static let stepNameLength: ClosedRange<Int> = 1 ... 60
    public static let techniqueLength: ClosedRange<Int> = 0 ... 200
    public static let descriptionLength: ClosedRange<Int> = 0 ... 2000
}
