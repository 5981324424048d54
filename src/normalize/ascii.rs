//! The words of an ASCII paragraph, found 64 bytes at a time.
//!
//! The paragraph may also hold lowercase letters of other scripts (see [`super::stand_ins`]):
//! every byte of them is a letter byte, so they join words as ASCII letters do.
//!
//! Every byte is classified by SIMD compares (the `wide` crate: SSE2 on x86-64, NEON on
//! aarch64, plain code elsewhere) into bit masks, one bit per byte; where words start and end
//! is then a matter of bit operations on the masks, and only the words themselves are visited
//! one by one. The words are the ones UAX #29 finds in ASCII text (tests compare this path with
//! the general one): runs of letters, digits and `_`, where `:` joins two letters, `,` and `;`
//! join two digits, and `.` and `'` join two letters or two digits (`` ` `` counts as `'`,
//! and is folded to it).

use std::ops::Range;

use wide::u8x16;

use super::Normalized;
use crate::bytes::{is, within};

/// The classes of the bytes of a 64-byte block: bit `i` stands for byte `i`.
#[derive(Clone, Copy, Default)]
struct Block {
    letter: u64,
    digit: u64,
    /// `_`.
    connector: u64,
    /// What joins two letters: `:`, `.`, `'` and `` ` `` (folded to `'`).
    joins_letters: u64,
    /// What joins two digits: `,`, `;`, `.`, `'` and `` ` ``.
    joins_digits: u64,
    /// `` ` ``.
    backtick: u64,
    /// Non-ASCII bytes (of letters).
    wide: u64,
}

impl Block {
    /// Classifies 64 bytes (lowercase) of which the first `len` are text: NUL bytes pad the
    /// text to whole blocks, and are of no class.
    fn of(bytes: &[u8; 64], len: usize) -> Block {
        let mut block = Block::default();
        for (k, chunk) in bytes.chunks_exact(16).take(len.div_ceil(16)).enumerate() {
            let v = u8x16::new(chunk.try_into().expect("16 bytes"));
            let mask = |m: u8x16| u64::from(m.to_bitmask()) << (16 * k);
            // Non-ASCII bytes are those of letters (see the module's documentation).
            block.letter |= mask(within(v, b'a', b'z') | v);
            block.wide |= mask(v);
            block.digit |= mask(within(v, b'0', b'9'));
            block.connector |= mask(is(v, b'_'));
            let backtick = is(v, b'`');
            let both = is(v, b'.') | is(v, b'\'') | backtick;
            block.joins_letters |= mask(both | is(v, b':'));
            block.joins_digits |= mask(both | is(v, b',') | is(v, b';'));
            block.backtick |= mask(backtick);
        }
        block
    }
}

/// Scratch space kept between calls, sized for a window (see [`words`]), not a paragraph.
#[derive(Default)]
pub(super) struct Scratch {
    /// The window lowercased, `` ` `` folded to `'`, then NUL bytes up to a whole number of
    /// 64-byte blocks.
    lower: String,
    /// Per block: its classes, then which of its bytes are word bytes.
    blocks: Vec<Block>,
    word_bytes: Vec<u64>,
}

/// 64 NUL bytes.
const NULS: &str = match std::str::from_utf8(&[0; 64]) {
    Ok(nuls) => nuls,
    Err(_) => panic!("NUL bytes are UTF-8"),
};

/// Scratch space is sized for pieces of about this many bytes.
const WINDOW: usize = 1 << 16;

/// Appends the words of `text` to `out`: ASCII, and lowercase letters of other scripts that
/// were uppercase where `upper` says (byte offsets into `text`, in order). Without `TEXT`, only
/// their hashes, capitals and labels (see [`super::words_into`]); without `FLAGS` either, only
/// their hashes (see [`super::word_hashes_into`]).
///
/// No word spans whitespace, so a long paragraph is read in windows that end at whitespace:
/// the scratch space stays small however long the paragraph.
pub(super) fn words<const TEXT: bool, const FLAGS: bool>(
    text: &str,
    upper: &[usize],
    scratch: &mut Scratch,
    out: &mut Normalized,
) {
    let mut from = 0;
    while text.len() - from > WINDOW {
        let cut = (text.as_bytes()[from + WINDOW..].iter())
            .position(u8::is_ascii_whitespace)
            .map_or(text.len(), |n| from + WINDOW + n);
        window_words::<TEXT, FLAGS>(&text[from..cut], (upper, from), scratch, out);
        from = cut;
    }
    window_words::<TEXT, FLAGS>(&text[from..], (upper, from), scratch, out);
}

/// Appends the words of `text`, which starts at byte `offset` of the text `upper` is about,
/// to `out`; see [`words`].
fn window_words<const TEXT: bool, const FLAGS: bool>(
    text: &str,
    (upper, offset): (&[usize], usize),
    scratch: &mut Scratch,
    out: &mut Normalized,
) {
    if text.len() <= 64 && one_block::<TEXT, FLAGS>(text, (upper, offset), out) {
        return;
    }
    let Scratch {
        lower,
        blocks,
        word_bytes,
    } = scratch;
    lower.clear();
    lower.push_str(text);
    lower.make_ascii_lowercase();
    // Whole blocks: NUL bytes (of no class) pad the text.
    let padding = lower.len().next_multiple_of(64) - lower.len();
    lower.push_str(&NULS[..padding]);
    blocks.clear();
    let (whole, _) = lower.as_bytes().as_chunks::<64>();
    let lens = (0..text.len())
        .step_by(64)
        .map(|at| (text.len() - at).min(64));
    blocks.extend(
        whole
            .iter()
            .zip(lens)
            .map(|(bytes, len)| Block::of(bytes, len)),
    );
    if blocks.iter().any(|b| b.backtick != 0) {
        *lower = lower.replace('`', "'");
    }
    word_bytes.clear();
    word_bytes.extend((0..blocks.len()).map(|k| {
        let before = k.checked_sub(1).map_or_else(Block::default, |k| blocks[k]);
        let after = blocks.get(k + 1).copied().unwrap_or_default();
        word_mask(blocks[k], before, after)
    }));
    let connectors = blocks.iter().any(|b| b.connector != 0);
    let copy = |run: Range<usize>, out: &mut Normalized| out.text.push_str(&lower[run]);
    marked_words::<TEXT, FLAGS>(
        text,
        lower.as_bytes(),
        (word_bytes, blocks),
        connectors,
        (upper, offset),
        out,
        copy,
    );
}

/// [`window_words`] for a text of at most 64 bytes, with its lowercase copy on the stack: most
/// paragraphs of scraped pages are menu items, captions and bylines. Returns false, having done
/// nothing, for a text with `` ` `` (the general path folds it).
fn one_block<const TEXT: bool, const FLAGS: bool>(
    text: &str,
    (upper, offset): (&[usize], usize),
    out: &mut Normalized,
) -> bool {
    // Eight bytes more than a block, so every word of up to eight bytes is hashed from one load.
    let mut lower = [0; 64 + 8];
    lower[..text.len()].copy_from_slice(text.as_bytes());
    let whole = lower.first_chunk_mut().expect("64 bytes");
    lowercase(whole);
    let block = Block::of(whole, text.len());
    if block.backtick != 0 {
        return false;
    }
    // Only ASCII letters changed, to ASCII letters: `lower` is as much UTF-8 as `text` is (and
    // were it not, the general path would take the text).
    let lower_text = match TEXT {
        true => match std::str::from_utf8(&lower[..text.len()]) {
            Ok(lower_text) => lower_text,
            Err(_) => return false,
        },
        false => "",
    };
    let word = word_mask(block, Block::default(), Block::default());
    let copy = |run: Range<usize>, out: &mut Normalized| out.text.push_str(&lower_text[run]);
    let connectors = block.connector != 0;
    marked_words::<TEXT, FLAGS>(
        text,
        &lower,
        (&[word], &[block]),
        connectors,
        (upper, offset),
        out,
        copy,
    );
    true
}

/// Lowercases the ASCII letters of 64 bytes.
fn lowercase(bytes: &mut [u8; 64]) {
    let (chunks, _) = bytes.as_chunks_mut::<16>();
    for chunk in chunks {
        let v = u8x16::new(*chunk);
        *chunk = (v | (within(v, b'A', b'Z') & u8x16::splat(0x20))).to_array();
    }
}

/// Which bytes of `block` are word bytes: letters, digits, `_`, and the punctuation between
/// two letters or two digits that joins them. `before` and `after` are the blocks around it.
fn word_mask(block: Block, before: Block, after: Block) -> u64 {
    let (l, d) = (block.letter, block.digit);
    let letters_around = (l << 1 | before.letter >> 63) & (l >> 1 | after.letter << 63);
    let digits_around = (d << 1 | before.digit >> 63) & (d >> 1 | after.digit << 63);
    let joins = block.joins_letters & letters_around | block.joins_digits & digits_around;
    l | d | block.connector | joins
}

/// Appends the words of `text` to `out`: the runs of bits of `word_bytes` (block by block),
/// hashed from `lower`, its lowercase form (with `` ` `` folded), labels found by the masks of
/// `blocks`. With `TEXT`, `copy` appends a run of `text` in lowercase to the normalized text;
/// without `FLAGS`, the words' capitals and labels are not found. `connectors` says whether
/// there is a `_` at all.
fn marked_words<const TEXT: bool, const FLAGS: bool>(
    text: &str,
    lower: &[u8],
    (word_bytes, blocks): (&[u64], &[Block]),
    connectors: bool,
    (upper, offset): (&[usize], usize),
    out: &mut Normalized,
    copy: impl Fn(Range<usize>, &mut Normalized),
) {
    // Words one space apart are copied to the normalized text together, as they stand.
    let mut run: Option<(usize, usize)> = None;
    let copy_run = |(from, to): (usize, usize), out: &mut Normalized| {
        if !out.text.is_empty() {
            out.text.push(' ');
        }
        copy(from..to, out);
    };
    // The first and the last byte of each word, block by block; a word may go on into the
    // next block.
    let mut start = None;
    // Whether the word going on into the next block has a digit, and a non-ASCII byte.
    let mut carries = (false, false);
    for (k, (&word, block)) in word_bytes.iter().zip(blocks).enumerate() {
        let before = k.checked_sub(1).map_or(0, |k| word_bytes[k]);
        let after = word_bytes.get(k + 1).copied().unwrap_or(0);
        let mut starts = word & !(word << 1 | before >> 63);
        let mut ends = word & !(word >> 1 | after << 63);
        // The last bytes of the words that have a non-ASCII byte, and of the other labels:
        // words with a digit, and words of one byte.
        let (digit_ends, digits_on) = with_some(word, block.digit, carries.0);
        let (wide_ends, wide_on) = with_some(word, block.wide, carries.1);
        carries = (digits_on, wide_on);
        let label_ends = digit_ends | (starts & ends);
        let base = 64 * k;
        loop {
            let s = match start {
                Some(s) => s,
                None if starts != 0 => base + pop(&mut starts),
                None => break,
            };
            if ends == 0 {
                start = Some(s);
                break;
            }
            let e = base + pop(&mut ends) + 1;
            start = None;
            // A run of `_` alone is no word.
            if connectors && lower[s..e].iter().all(|&b| b == b'_') {
                continue;
            }
            if TEXT {
                run = match run {
                    Some((from, to)) if s == to + 1 && lower[to] == b' ' => Some((from, e)),
                    Some(done) => {
                        copy_run(done, out);
                        Some((s, e))
                    }
                    None => Some((s, e)),
                };
            }
            let hash = crate::fingerprint::word_hash_at(lower, s, e);
            if !FLAGS {
                out.hashes.push(hash);
                continue;
            }
            let capitalized = match text.as_bytes()[s] {
                b if b.is_ascii() => b.is_ascii_uppercase(),
                _ => upper.binary_search(&(offset + s)).is_ok(),
            };
            let last = 1 << (e - 1 - base);
            let label = match wide_ends & last {
                0 => label_ends & last != 0,
                // Letters of two or three bytes: one of them alone is a label too.
                _ => super::is_wide_label(&text[s..e]),
            };
            out.push_word(hash, capitalized, label);
        }
    }
    if let Some(done) = run {
        copy_run(done, out);
    }
}

/// Of the runs of bits of `word` (with `carry`: the run at bit 0 goes on from the block
/// before, where it had a bit of `class`), the last bits of those that have a bit of `class`,
/// and whether the run at bit 63 has one: the `carry` of the next block, where that run may
/// go on.
///
/// Adding a bit inside a run of ones carries past the run's end, where `word` has a zero (or
/// out of the block): the run is cleared up to there. So the bits set past a run's end in
/// `word + (class & word)` mark the runs with a bit of `class`.
fn with_some(word: u64, class: u64, carry: bool) -> (u64, bool) {
    let (sum, out) = word.overflowing_add(class & word);
    let (sum, out_too) = sum.overflowing_add(u64::from(carry));
    let out = out | out_too;
    // Past the end of a run, shifted back onto its last bit; a run at bit 63 ends past it.
    let last = (sum & !word) >> 1 | u64::from(out) << 63;
    (last & word, out && word >> 63 != 0)
}

/// Takes the lowest set bit out of `bits`: its position.
fn pop(bits: &mut u64) -> usize {
    let at = bits.trailing_zeros() as usize;
    *bits &= *bits - 1;
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_with_a_bit_of_a_class_are_marked_at_their_last_bit() {
        // Runs at bits 1–2 (a class bit at 2) and 4–6 (none).
        assert_eq!(
            with_some(0b0111_0110, 0b0000_0100, false),
            (0b0000_0100, false)
        );
        // The run at bit 0 goes on from a block where it had one.
        assert_eq!(with_some(0b0111_0011, 0, true), (0b0000_0010, false));
        // A run at bit 63 with one carries into the next block.
        assert_eq!(with_some(3 << 62, 1 << 62, false), (1 << 63, true));
        assert_eq!(with_some(3 << 62, 0, false), (0, false));
    }
}
