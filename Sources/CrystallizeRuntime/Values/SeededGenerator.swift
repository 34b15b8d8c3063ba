/// xoshiro256** seeded through splitmix64: fast, well-tested, and identical on every platform,
/// which is what makes results equal under every execution strategy.
public struct SeededGenerator: RandomNumberGenerator {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    /// A generator for one (replicate seed, condition, step) triple.
    public init(seed: UInt64, labels: String...) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for label in labels { Self.mix(label, into: &h) }
        self.init(seed: h)
    }

    /// The same stream as `init(seed:labels: condition, step)`, without the variadic array:
    /// this runs once per step call.
    public init(seed: UInt64, condition: String, step: String) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        Self.mix(condition, into: &h)
        Self.mix(step, into: &h)
        self.init(seed: h)
    }

    /// The stream of the stage at `stage` (0 = the first of the pipeline) of a replicate whose
    /// seed is `seed`: the same in every condition (common random numbers).
    public init(seed: UInt64, stage: Int) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        Self.mix("stage", into: &h)
        var x = h
        for shift in stride(from: 0, to: 64, by: 8) { x = (x ^ (UInt64(UInt(bitPattern: stage)) >> UInt64(shift) & 0xFF)) &* 0x100_0000_01B3 }
        self.init(seed: x)
    }

    /// FNV-1a over the label's bytes, then a separator so ("ab", "c") differs from ("a", "bc").
    private static func mix(_ label: String, into h: inout UInt64) {
        var x = h
        label.withUTF8Bytes { for b in $0 { x = (x ^ UInt64(b)) &* 0x100_0000_01B3 } }
        h = (x ^ 0xFF) &* 0x100_0000_01B3
    }

    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3; s.2 ^= t
        s.3 = Self.rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Normal(mean, sd) by Box–Muller (one draw per pair, so the stream stays simple to reason about).
    public mutating func normal(mean: Double = 0, sd: Double = 1) -> Double {
        var u1 = uniform()
        while u1 <= 0 { u1 = uniform() }
        let u2 = uniform()
        return mean + sd * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
