//! Where the bytes of a class are in a byte string, found 64 bytes at a time: SIMD compares
//! (the `wide` crate: SSE2 on x86-64, NEON on aarch64, plain code elsewhere) turn a 64-byte
//! block into a bit mask, one bit per byte, so a scan costs a few instructions per block and
//! one step per byte found, however close together the bytes are (`memchr` pays a call for
//! each).

use wide::u8x16;

/// Finds the bytes that `class` picks out of `bytes`: given 16 bytes, it returns all ones
/// where a byte is of the class and zero elsewhere.
pub(crate) struct Finder<'a, C> {
    bytes: &'a [u8],
    class: C,
    /// Where the block being looked at starts.
    base: usize,
    /// Its bytes of the class not passed yet: bit `i` stands for byte `base + i`.
    mask: u64,
}

impl<'a, C: Fn(u8x16) -> u8x16> Finder<'a, C> {
    pub(crate) fn new(bytes: &'a [u8], class: C) -> Finder<'a, C> {
        let mut finder = Finder {
            bytes,
            class,
            base: 0,
            mask: 0,
        };
        finder.load(0);
        finder
    }

    /// The first byte of the class at or after `from`, if any. `from` never goes back.
    pub(crate) fn next(&mut self, from: usize) -> Option<usize> {
        // A `from` before the block (against the rule) wraps around and loads its own block.
        match from.wrapping_sub(self.base) {
            past @ 0..64 => self.mask &= u64::MAX << past,
            _ => self.load(from),
        }
        while self.mask == 0 {
            if self.base + 64 >= self.bytes.len() {
                return None;
            }
            self.load(self.base + 64);
        }
        Some(self.base + self.mask.trailing_zeros() as usize)
    }

    /// Classifies the 64 bytes from `at` (fewer at the end).
    fn load(&mut self, at: usize) {
        let rest = self.bytes.get(at..).unwrap_or_default();
        let mut padded = [0; 64];
        let (block, valid) = match rest.first_chunk::<64>() {
            Some(block) => (block, u64::MAX),
            None => {
                padded[..rest.len()].copy_from_slice(rest);
                (&padded, !(u64::MAX << rest.len()))
            }
        };
        let mut mask = 0;
        for (k, chunk) in block.chunks_exact(16).enumerate() {
            let v = u8x16::new(chunk.try_into().expect("16 bytes"));
            mask |= u64::from((self.class)(v).to_bitmask()) << (16 * k);
        }
        (self.base, self.mask) = (at, mask & valid);
    }
}

/// All ones where a byte of `v` is `byte`.
pub(crate) fn is(v: u8x16, byte: u8) -> u8x16 {
    v.simd_eq(u8x16::splat(byte))
}

/// All ones where a byte of `v` is in `lo..=hi`.
pub(crate) fn within(v: u8x16, lo: u8, hi: u8) -> u8x16 {
    // `x` is in `lo..=hi` when `x - lo` (wrapping) is at most `hi - lo`.
    let off = v - u8x16::splat(lo);
    off.min(u8x16::splat(hi - lo)).simd_eq(off)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every byte of the class is found, in order, from any starting points, wherever
        /// the 64-byte blocks fall.
        #[test]
        fn finds_what_a_plain_search_finds(
            bytes in proptest::collection::vec(proptest::sample::select(b"ab\n\0\x1f\"".to_vec()), 0..300),
            steps in proptest::collection::vec(0usize..80, 0..20),
        ) {
            let mut finder = Finder::new(&bytes, |v| is(v, b'\n') | is(v, 0));
            let mut from = 0;
            for step in steps {
                let expected = (from..bytes.len()).find(|&i| matches!(bytes[i], b'\n' | 0));
                prop_assert_eq!(finder.next(from), expected);
                from += step;
            }
        }
    }
}
