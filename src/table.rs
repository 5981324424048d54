//! A hash table whose keys are 64-bit hashes already, with a way to ask for a key's slot to be
//! read into the cache before the key is looked up.
//!
//! Open addressing with linear probing, kept at most half full: a lookup reads one slot (key
//! and value side by side, 16 bytes for a value of up to 6 bytes) and seldom the next. A long
//! text's index holds millions of keys that no cache holds, so each lookup would wait for
//! memory; [`Table::prefetch`] lets the caller start that read a few units ahead, while it
//! works on the units before.

/// Slots of a table when its first key comes.
const MIN_SLOTS: usize = 16;

/// An emptied table keeps up to this many slots (1 MiB of 16-byte slots); a larger one, left
/// by a long text, is let go.
const MAX_KEPT_SLOTS: usize = 1 << 16;

/// A key and its value, in use while its epoch is the table's: a table is emptied by moving to
/// the next epoch, not by writing every slot (a crawl's pages each empty the tables).
#[derive(Clone, Copy, Default)]
struct Slot<V> {
    key: u64,
    value: V,
    epoch: u16,
}

/// The size of a slot of a `Table<V>`: 16 bytes for a value of up to 6 bytes.
pub(crate) const fn slot_size<V>() -> usize {
    std::mem::size_of::<Slot<V>>()
}

/// Key -> value, for keys that are hashes (their bits are mixed again to pick a slot).
pub(crate) struct Table<V> {
    /// A power of two of them, or none.
    slots: Vec<Slot<V>>,
    /// Keys held.
    len: usize,
    /// The epoch of the slots in use; never 0, the epoch of new slots.
    epoch: u16,
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table {
            slots: Vec::new(),
            len: 0,
            epoch: 1,
        }
    }
}

impl<V: Copy + Default> Table<V> {
    /// The slot where the search for `key` starts.
    fn home(&self, key: u64) -> usize {
        // Fibonacci hashing: the top bits of the product, as many as the slots need.
        let bits = self.slots.len().trailing_zeros();
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (63 - bits) >> 1) as usize
    }

    /// The slot that holds `key`, or else the free slot where it would go (the table has
    /// slots, and a free one).
    // Every lookup and insertion runs it: as a call of its own it cost 0.35% more instructions
    // per page.
    #[inline(always)]
    fn probe(&self, key: u64) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut at = self.home(key);
        loop {
            let slot = &self.slots[at];
            if slot.epoch != self.epoch {
                return Err(at);
            }
            if slot.key == key {
                return Ok(at);
            }
            at = (at + 1) & mask;
        }
    }

    /// The value of `key`.
    pub(crate) fn get(&self, key: u64) -> Option<&V> {
        if self.slots.is_empty() {
            return None;
        }
        let at = self.probe(key).ok()?;
        Some(&self.slots[at].value)
    }

    /// The value of `key`, set to `value` first if it has none.
    pub(crate) fn get_or_insert(&mut self, key: u64, value: V) -> &mut V {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let at = self.probe(key).unwrap_or_else(|free| {
            self.slots[free] = Slot {
                key,
                value,
                epoch: self.epoch,
            };
            self.len += 1;
            free
        });
        &mut self.slots[at].value
    }

    /// Doubles the slots (or makes the first ones), moving every key to its new place.
    fn grow(&mut self) {
        let size = (2 * self.slots.len()).max(MIN_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        let epoch = std::mem::replace(&mut self.epoch, 1);
        for slot in old.into_iter().filter(|s| s.epoch == epoch) {
            // Keys are distinct: each goes to a free slot.
            let (Ok(at) | Err(at)) = self.probe(slot.key);
            self.slots[at] = Slot {
                epoch: self.epoch,
                ..slot
            };
        }
    }

    /// Asks for the slot where the search for `key` starts to be read into the cache: a hint
    /// that costs a few instructions and changes nothing else (on x86-64; elsewhere nothing).
    #[inline]
    pub(crate) fn prefetch(&self, key: u64) {
        #[cfg(target_arch = "x86_64")]
        if !self.slots.is_empty() {
            let slot: *const Slot<V> = &self.slots[self.home(key)];
            // SAFETY: a prefetch reads no memory the program sees and cannot fault; the
            // pointer is to a slot of this table anyway.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch::<_MM_HINT_T0>(slot.cast());
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = key;
    }

    /// Forgets every key, keeping the memory unless it is large.
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        if self.slots.len() > MAX_KEPT_SLOTS {
            self.slots = Vec::new();
            self.epoch = 1;
            return;
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            // Every epoch was used: the slots are written once in 65,535 emptyings.
            self.slots.fill(Slot::default());
            self.epoch = 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        /// The table holds what a map holds, through growth and emptying: keys from a small
        /// set (so many repeat), the free-slot key among them, and keys that share slots.
        #[test]
        fn holds_what_a_map_holds(
            ops in prop::collection::vec((0u64..300, any::<u32>(), any::<bool>()), 0..600),
        ) {
            let mut table = Table::default();
            let mut map = HashMap::new();
            // Keys that share slots, 0 among them.
            let key = |k: u64| k.rotate_right(7) ^ (k & 1) << 40;
            for (n, &(k, value, clear)) in ops.iter().enumerate() {
                if clear && n % 50 == 0 {
                    table.clear();
                    map.clear();
                }
                let got = *table.get_or_insert(key(k), value);
                prop_assert_eq!(got, *map.entry(key(k)).or_insert(value));
                *table.get_or_insert(key(k), value) = got ^ 1;
                *map.get_mut(&key(k)).unwrap() ^= 1;
                table.prefetch(key(k + 1));
            }
            for k in 0..300 {
                prop_assert_eq!(table.get(key(k)), map.get(&key(k)));
            }
        }
    }

    #[test]
    fn keys_of_every_earlier_epoch_are_forgotten() {
        let mut table = Table::default();
        // Past the last epoch, and round to the first again.
        for n in 0..70_000u32 {
            assert!((0..16).all(|k| table.get(k).is_none()), "emptied {n} times");
            *table.get_or_insert(u64::from(n % 16), n) += 1;
            table.clear();
        }
    }

    #[test]
    fn an_emptied_large_table_lets_go_of_its_memory() {
        let mut table = Table::default();
        (1..=MAX_KEPT_SLOTS as u64).for_each(|k| _ = table.get_or_insert(k, 1u32));
        assert!(table.slots.len() > MAX_KEPT_SLOTS);
        table.clear();
        assert!(table.slots.is_empty());
        assert_eq!(table.get(7), None);
        assert_eq!(*table.get_or_insert(7, 2), 2);
    }
}
