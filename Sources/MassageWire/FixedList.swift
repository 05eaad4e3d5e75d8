/// A list of at most `capacity` elements stored inline: no heap, a fixed size, so a
/// frame and everything in it can live on a microcontroller's stack.
///
/// Appending past capacity is refused (`append` returns false), never a trap: the
/// counts that fill these lists come from the wire.
public struct FixedList<let capacity: Int, Element: BitwiseCopyable & Equatable & Sendable>: Equatable, Sendable {
    @usableFromInline var storage: InlineArray<capacity, Element>
    @usableFromInline var _count: Int
    /// How many elements the list holds.
    @inlinable public var count: Int { _count }

    /// An empty list; `filler` occupies the unused slots and is never observable.
    @inlinable
    public init(filler: Element) {
        storage = InlineArray(repeating: filler)
        _count = 0
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { _count }
    @inlinable public var isEmpty: Bool { _count == 0 }
    @inlinable public var isFull: Bool { _count == capacity }

    @inlinable
    public subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < count, "FixedList index out of range")
            return storage[position]
        }
        set {
            precondition(position >= 0 && position < count, "FixedList index out of range")
            storage[position] = newValue
        }
    }

    /// Adds `element` at the end; false (and no change) when the list is full.
    @inlinable @discardableResult
    public mutating func append(_ element: Element) -> Bool {
        guard count < capacity else { return false }
        storage[_count] = element
        _count += 1
        return true
    }

    @inlinable
    public mutating func removeAll() { _count = 0 }

    @inlinable
    public static func == (lhs: Self, rhs: Self) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for i in 0..<lhs.count where lhs.storage[i] != rhs.storage[i] { return false }
        return true
    }
}

extension FixedList where Element: FixedWidthInteger {
    /// An empty list of integers.
    @inlinable
    public init() { self.init(filler: 0) }
}

/// A text field of the protocol: at most 16 bytes of UTF-8 (vendor, model, serial).
public typealias ShortText = FixedList<16, UInt8>

#if !hasFeature(Embedded)
// Host only: Collection's default methods (map, Array(...)) allocate, and Embedded
// builds are checked with -no-allocations. Firmware code indexes 0 ..< count instead.
extension FixedList: RandomAccessCollection {
    /// The elements as one buffer: lets generic byte loops (`FrameDecoder.feed`) read
    /// them in place instead of copying the whole inline storage for every element.
    @inlinable
    public func withContiguousStorageIfAvailable<R>(
        _ body: (UnsafeBufferPointer<Element>) throws -> R
    ) rethrows -> R? {
        try storage.span.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[..<_count])) }
    }

    /// A list holding `elements`, or nil when there are more than `capacity` of them.
    public init?<S: Sequence<Element>>(_ elements: S, filler: Element) {
        self.init(filler: filler)
        for element in elements where !append(element) { return nil }
    }
}

extension FixedList where Element: FixedWidthInteger {
    /// A list of integers, or nil when there are more than `capacity`.
    public init?<S: Sequence<Element>>(_ elements: S) { self.init(elements, filler: 0) }
}

extension FixedList where Element == UInt8 {
    /// The bytes as a String, invalid UTF-8 repaired with U+FFFD.
    public var text: String { String(decoding: self, as: UTF8.self) }
}

extension FixedList where Element == UInt8, capacity == 16 {
    /// The text's UTF-8 bytes, or nil when it is longer than 16 bytes.
    public init?(text: String) { self.init(text.utf8) }
}
#endif
