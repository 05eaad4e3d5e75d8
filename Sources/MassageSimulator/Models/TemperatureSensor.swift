/// The heater's temperature sensor (an NTC thermistor bonded to the element, read by an
/// ADC) as the firmware sees it: a reading in 0.1 °C every `samplePeriodMicroseconds`.
///
/// Healthy, it reads the surface temperature plus Gaussian noise (σ `noiseSigma` °C),
/// rounded to 0.1 °C. Defaults: a sample every 100 ms (10 Hz, Klipper's usual ADC rate
/// for heaters, far faster than the pad's minutes-long time constant) and σ = 0.05 °C
/// (a 10 kΩ NTC on a 12-bit ADC near 40 °C resolves about 0.03 °C; the rest is supply
/// and reference noise).
///
/// Faults, each one a case of PROTOCOL.md section 6.4 the firmware must catch:
/// - `.detached`: the sensor came off the element. It now sits in air: its own
///   temperature relaxes toward the air's with τ = `detachedTimeConstantMicroseconds`
///   (20 s by default: a small bead in still air) while the element keeps heating. The
///   reading falls or stalls while the surface rises: thermal runaway.
/// - `.open`: an open thermistor (a broken lead) reads as infinitely cold:
///   `openReading`, −40.0 °C, below the −20 … 80 °C range.
/// - `.shorted`: a shorted thermistor reads as infinitely hot: `shortedReading`,
///   150.0 °C, above the range.
/// - `.silent`: a dead ADC: no samples at all (the firmware's stale-sensor rule).
public struct TemperatureSensor: Sendable {
    /// A way the sensor fails.
    public enum Fault: Equatable, Sendable {
        /// Came off the element: relaxes toward air temperature.
        case detached
        /// Open circuit: reads `openReading`.
        case open
        /// Short circuit: reads `shortedReading`.
        case shorted
        /// Dead ADC: no readings.
        case silent
    }

    /// What an open thermistor reads, 0.1 °C: −40.0 °C.
    public static let openReading: Int16 = -400
    /// What a shorted thermistor reads, 0.1 °C: 150.0 °C.
    public static let shortedReading: Int16 = 1500

    /// Time between samples, µs.
    public let samplePeriodMicroseconds: UInt32
    /// σ of the reading noise, °C.
    public var noiseSigma: Double
    /// The fault in force, nil when healthy.
    public var fault: Fault?
    /// The sensing element's own temperature at the last sample, °C: the surface's while
    /// attached; drifting toward air while detached. NaN before the first sample.
    @inlinable public var probeTemperature: Double { probe }

    @usableFromInline var probe: Double = .nan
    @usableFromInline var nextSampleMicroseconds: UInt64
    @usableFromInline var lastSampleMicroseconds: UInt64
    @usableFromInline var detachedDecay: ExponentialDecay
    @usableFromInline var random: SimulationRandom

    /// A healthy sensor whose first sample is due at `startMicroseconds`.
    public init(
        samplePeriodMicroseconds: UInt32 = 100_000,
        noiseSigma: Double = 0.05,
        detachedTimeConstantMicroseconds: UInt32 = 20_000_000,
        seed: UInt64 = 0x7E57,
        startMicroseconds: UInt64 = 0
    ) {
        precondition(samplePeriodMicroseconds > 0, "the sample period must be positive")
        precondition(noiseSigma >= 0 && noiseSigma.isFinite, "noise σ must be finite and not negative")
        self.samplePeriodMicroseconds = samplePeriodMicroseconds
        self.noiseSigma = noiseSigma
        detachedDecay = ExponentialDecay(timeConstantMicroseconds: Double(detachedTimeConstantMicroseconds))
        random = SimulationRandom(seed: seed)
        nextSampleMicroseconds = startMicroseconds
        lastSampleMicroseconds = startMicroseconds
    }

    /// τ of a detached sensor's drift toward air, µs.
    public var detachedTimeConstantMicroseconds: Double { detachedDecay.timeConstantMicroseconds }

    /// The reading in 0.1 °C when a sample is due at `nowMicroseconds`, nil otherwise (and
    /// always nil while `.silent`). `surface` and `air` are the temperatures now, °C.
    ///
    /// Call it every tick; it samples on the grid start + k·period, and after a gap of
    /// several periods it takes one sample, not a burst.
    @inlinable
    public mutating func sample(surface: Double, air: Double, nowMicroseconds now: UInt64) -> Int16? {
        guard now >= nextSampleMicroseconds else { return nil }
        let missed = (now - nextSampleMicroseconds) / UInt64(samplePeriodMicroseconds)
        nextSampleMicroseconds += (missed + 1) * UInt64(samplePeriodMicroseconds)
        let elapsed = now - lastSampleMicroseconds
        lastSampleMicroseconds = now
        return takeSample(surface: surface, air: air, elapsed: elapsed)
    }

    @usableFromInline
    mutating func takeSample(surface: Double, air: Double, elapsed: UInt64) -> Int16? {
        if fault == .detached {
            if probe.isNaN {
                // Off the element before it was ever read: it sits at air temperature.
                probe = air
            } else {
                let factor = detachedDecay.factor(overMicroseconds: UInt32(clamping: elapsed))
                probe = air + (probe - air) * factor
            }
        } else {
            probe = surface
        }
        switch fault {
        case .silent: return nil
        case .open: return Self.openReading
        case .shorted: return Self.shortedReading
        case .detached, nil:
            let tenths = (probe + noiseSigma * random.nextGaussian()) * 10
            guard tenths.isFinite else { return Int16.min }
            return Int16(roundedToInteger(max(-32767, min(32767, tenths))))
        }
    }
}
