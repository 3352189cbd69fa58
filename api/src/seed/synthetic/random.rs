//! A small deterministic pseudo-random generator (SplitMix64) and the draws the synthetic
//! dataset needs. Not for anything secret: it exists so that the same scale always loads the
//! same rows, without a dependency.

/// A SplitMix64 stream. Each table draws from its own stream, so that changing how one table
/// is generated leaves the others as they were.
#[derive(Debug, Clone)]
pub struct Random(u64);

impl Random {
    /// The stream named `salt` of the dataset.
    pub fn stream(salt: u64) -> Self {
        Self(0x5EED_C0DE_2014_0326 ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (0 when `bound` is 0), by multiply-shift.
    pub fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        let span = high.saturating_sub(low).max(0) as u64 + 1;
        low + self.below(span) as i64
    }

    /// An index into a list of `len` items (0 when it is empty).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `choices`, each as likely as its weight; the first when all weights are 0.
    pub fn weighted<T: Copy>(&mut self, choices: &[(T, u64)]) -> T {
        let total: u64 = choices.iter().map(|(_, weight)| weight).sum();
        let mut draw = self.below(total);
        for (choice, weight) in choices {
            if draw < *weight {
                return *choice;
            }
            draw -= weight;
        }
        choices[0].0
    }

    /// `count` distinct items of `pool` (all of them when it has fewer), in draw order.
    pub fn distinct<T: Copy>(&mut self, pool: &[T], count: usize) -> Vec<T> {
        self.distinct_below(pool.len(), count)
            .into_iter()
            .map(|index| pool[index])
            .collect()
    }

    /// `count` distinct numbers below `len` (all of them when `len` is smaller), in draw
    /// order.
    pub fn distinct_below(&mut self, len: usize, count: usize) -> Vec<usize> {
        let count = count.min(len);
        let mut chosen = Vec::with_capacity(count);
        // Rejection is cheap while `count` is small against `len`; past half, a partial
        // shuffle is.
        if count * 2 <= len {
            while chosen.len() < count {
                let index = self.index(len);
                if !chosen.contains(&index) {
                    chosen.push(index);
                }
            }
            return chosen;
        }
        let mut indexes: Vec<usize> = (0..len).collect();
        for position in 0..count {
            let other = position + self.index(len - position);
            indexes.swap(position, other);
            chosen.push(indexes[position]);
        }
        chosen
    }

    /// `total` split into `parts` numbers, each in `min..=max`, that add up exactly to
    /// `total`; `None` when that is impossible.
    pub fn split(&mut self, total: u64, parts: usize, min: u64, max: u64) -> Option<Vec<u64>> {
        let count = parts as u64;
        if min > max || total < count * min || total > count * max || parts == 0 {
            return (total == 0 && parts == 0).then(Vec::new);
        }
        let (base, extra) = (total / count, total % count);
        let mut split: Vec<u64> = (0..count)
            .map(|part| base + u64::from(part < extra))
            .collect();
        // Random transfers between pairs keep the sum and the bounds while spreading sizes.
        for part in 0..parts {
            let other = self.index(parts);
            let room = (split[part] - min).min(max - split[other]);
            let moved = self.below(room + 1);
            split[part] -= moved;
            split[other] += moved;
        }
        Some(split)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_repeats_and_streams_differ() {
        let first: Vec<u64> = (0..4).map(|_| Random::stream(1).next_u64()).collect();
        assert!(first.windows(2).all(|pair| pair[0] == pair[1]));
        assert_ne!(Random::stream(1).next_u64(), Random::stream(2).next_u64());
    }

    #[test]
    fn split_adds_up_within_bounds() {
        let mut random = Random::stream(3);
        for (total, parts, min, max) in [(40_000, 5_000, 2, 14), (120, 30, 1, 8), (7, 7, 1, 1)] {
            let split = random.split(total, parts, min, max).unwrap();
            assert_eq!(split.len(), parts);
            assert_eq!(split.iter().sum::<u64>(), total);
            assert!(split.iter().all(|part| (min..=max).contains(part)));
        }
        assert_eq!(random.split(100, 5, 1, 10), None);
    }

    #[test]
    fn distinct_draws_never_repeat() {
        let mut random = Random::stream(4);
        let pool: Vec<u32> = (0..10).collect();
        for count in [0, 3, 7, 10, 12] {
            let mut drawn = random.distinct(&pool, count);
            assert_eq!(drawn.len(), count.min(10));
            drawn.sort_unstable();
            drawn.dedup();
            assert_eq!(drawn.len(), count.min(10));
        }
    }

    #[test]
    fn below_stays_below() {
        let mut random = Random::stream(5);
        assert!((0..1_000).all(|_| random.below(7) < 7));
        assert_eq!(random.below(0), 0);
        assert!((0..1_000).all(|_| (3..=5).contains(&random.between(3, 5))));
    }
}
