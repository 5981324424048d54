//! Buckets of members filed under 64-bit keys, each capped, with the members of a bucket side
//! by side in memory: reading a bucket of an index of millions of entries costs a cache miss
//! or two, not one per member (as a linked chain of members would).

use crate::table::Table;

/// Where a bucket's members are: `members[start..start + len]`, with room after them up to
/// the next power of two. Packed into 6 bytes, so that with its key and epoch a slot of the
/// table is 16 bytes (24 unpacked): four to a cache line.
#[derive(Clone, Copy, Default)]
#[repr(C, packed)]
struct Span {
    start: u32,
    len: u16,
}

const _: () = assert!(crate::table::slot_size::<Span>() == 16);

/// Key -> the members filed under it, in the order they were added, up to a cap per bucket.
pub(crate) struct Buckets<T> {
    /// Key -> where its members are.
    buckets: Table<Span>,
    /// The members of all buckets. A bucket outgrowing its room is copied to the end, where its
    /// room doubles; the room it leaves stays unused until [`Buckets::clear`].
    members: Vec<T>,
}

impl<T> Default for Buckets<T> {
    fn default() -> Self {
        Buckets {
            buckets: Table::default(),
            members: Vec::new(),
        }
    }
}

impl<T: Copy + Default> Buckets<T> {
    /// Forgets every bucket, keeping the memory.
    pub(crate) fn clear(&mut self) {
        self.buckets.clear();
        self.members.clear();
    }

    /// The members filed under `key`, oldest first.
    pub(crate) fn get(&self, key: &u64) -> &[T] {
        match self.buckets.get(*key) {
            Some(&Span { start, len }) => &self.members[start as usize..][..len as usize],
            None => &[],
        }
    }

    /// Asks for the slot of `key` to be read into the cache (see [`Table::prefetch`]).
    pub(crate) fn prefetch(&self, key: u64) {
        self.buckets.prefetch(key);
    }

    /// Files `member` under `key` unless the bucket holds `cap` members already.
    pub(crate) fn add(&mut self, key: u64, member: T, cap: usize) {
        let end = self.members.len();
        let empty = Span {
            start: end as u32,
            len: 0,
        };
        let span = self.buckets.get_or_insert(key, empty);
        let Span { start, len } = *span;
        let (at, n) = (start as usize, len as usize);
        if n >= cap.min(u16::MAX.into()) {
            return;
        }
        let at = if n == 0 {
            self.members.push(member);
            at
        } else if n.is_power_of_two() {
            // No room left: make room for as many again, where the bucket is when it comes
            // last, else at the end.
            let at = if at + n == end {
                at
            } else {
                self.members.extend_from_within(at..at + n);
                end
            };
            self.members.resize(at + 2 * n, T::default());
            self.members[at + n] = member;
            at
        } else {
            self.members[at + n] = member;
            at
        };
        span.start = at as u32;
        span.len = len + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rustc_hash::FxHashMap;

    proptest! {
        /// Whatever order entries are filed in, every bucket holds what a plain map of
        /// vectors holds: its first `cap` entries, in order.
        #[test]
        fn buckets_hold_what_they_were_given(
            adds in proptest::collection::vec((0u64..6, any::<u32>()), 0..400),
            cap in 1usize..40,
        ) {
            let mut buckets = Buckets::default();
            let mut expected: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
            for &(key, entry) in &adds {
                buckets.add(key, entry, cap);
                let members = expected.entry(key).or_default();
                if members.len() < cap {
                    members.push(entry);
                }
                for key in 0..6 {
                    let want = expected.get(&key).map_or(&[][..], |m| &m[..]);
                    prop_assert_eq!(buckets.get(&key), want);
                }
            }
            buckets.clear();
            prop_assert!((0..6).all(|key| buckets.get(&key).is_empty()));
        }
    }

    #[test]
    fn a_bucket_that_comes_last_grows_where_it_is() {
        let mut buckets = Buckets::default();
        (0..8).for_each(|entry| buckets.add(1, entry, 16));
        assert_eq!(buckets.members.len(), 8);
        buckets.add(2, 100, 16);
        buckets.add(1, 8, 16);
        // Bucket 1 had no room left and bucket 2 came after it: it moved to the end.
        assert_eq!(buckets.members.len(), 8 + 1 + 16);
        assert_eq!(buckets.get(&1), &(0..9).collect::<Vec<_>>()[..]);
        assert_eq!(buckets.get(&2), &[100]);
    }
}
