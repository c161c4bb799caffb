//! [`SplitMix64`]: the generator behind the memory store's eviction samples.

/// Sebastiano Vigna's SplitMix64: a fast generator, for drawing sample positions (not for
/// anything secret).
pub(super) struct SplitMix64(pub(super) u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A position below `len` (0 when `len` is 0), by Lemire's multiply-shift.
    pub(super) fn below(&mut self, len: usize) -> usize {
        ((u128::from(self.next()) * len as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_below_the_length_and_spread_over_it() {
        let mut rng = SplitMix64(1);
        assert_eq!(rng.below(0), 0);
        let mut seen = [0_u32; 10];
        for _ in 0..10_000 {
            seen[rng.below(10)] += 1;
        }
        assert!(seen.iter().all(|&n| (800..1200).contains(&n)), "{seen:?}");
    }
}
