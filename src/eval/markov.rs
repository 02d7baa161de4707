//! Baseline (b): Mozer's transition table, a Markov chain over frames. The next frame is drawn
//! from the frames that followed the last three frames in the corpus, in proportion to their
//! counts (T = 1), backing off to the last two, the last one, and no context at all when a
//! context was never seen. Corpus choruses are counted cyclically (bar 12 runs on into bar 1),
//! as the LSTM trains on consecutive choruses. CLI thread.
//!
//! NOTE: whole frames are drawn, not units: a table has no independent units to threshold.
//! Thresholding its unit shares at 0.5 (the networks' chord rule) fails within the first bar:
//! where a context is followed by two chords, the thresholded average (C and E alone, in our
//! runs) is a chord the table has never seen, and it never finds the form again.

use crate::lstm::rng::Rng;
use crate::lstm::training_set::{sample_indices, SURVEY_CHORUSES};
use crate::music::corpus::Corpus;
use crate::music::encoding::{Encoding, Frame, Note};
use std::collections::HashMap;

/// The paper's comparison (Mozer's third-order transition tables).
pub const ORDER: usize = 3;

/// Bits of one frame's code: 12 chord bits and 8 for each line, so three fit a `u128`.
const CODE_BITS: u32 = 36;

/// What followed one context: each next frame with its count, sorted by frame code (so the
/// draws do not depend on hash order).
type Continuations = Vec<(u128, Frame, u32)>;

/// A frame-level Markov chain of order up to [`ORDER`] with back-off.
#[derive(Clone, Debug)]
pub struct Markov {
    order: usize,
    /// `tables[k]`: continuations of every context of the last `k` frames (k = 0..=order).
    tables: Vec<HashMap<u128, Continuations>>,
    /// Steps of a chorus of the corpus.
    steps: usize,
    /// How frames are told apart (see `train`).
    encoding: Encoding,
}

/// A frame as `encoding` tells it apart: without a begin unit, a line's note does not begin.
fn heard(mut frame: Frame, encoding: &Encoding) -> Frame {
    for (voice, line, _) in encoding.lines() {
        if !line.begin {
            frame.voice_mut(voice).begin = false;
        }
    }
    frame
}

/// A note as 8 bits: whether it begins (lowest) and its key (silence ordered after every key,
/// as the paper's code had it).
fn note_code(note: Note) -> u128 {
    u128::from(note.begin) | u128::from(note.key.map_or(127, |k| k.min(126))) << 1
}

/// A frame as a 36-bit code: the lines above the chord, so frames sort by melody first.
fn code(frame: &Frame) -> u128 {
    u128::from(frame.chord & 0xFFF)
        | note_code(frame.melody) << 12
        | note_code(frame.bass) << 20
        | note_code(frame.comp) << 28
}

/// The key of a context (oldest frame first).
fn key(context: &[Frame]) -> u128 {
    context.iter().fold(0, |k, f| k << CODE_BITS | code(f))
}

impl Markov {
    /// Counts every step of every chorus of `corpus` (or a fixed sample of a corpus too large
    /// to read), cyclically within the chorus, as `encoding` tells frames apart (where it has no
    /// begin unit, a held and a struck note are one frame, as they are to the networks).
    pub fn train(corpus: &Corpus, order: usize, encoding: &Encoding) -> Self {
        assert!(order <= ORDER, "three 36-bit frames fill a u128 key");
        let steps = corpus.form.steps();
        let mut tables = vec![HashMap::new(); order + 1];
        for index in sample_indices(corpus.len(), SURVEY_CHORUSES) {
            let chorus: Vec<Frame> = corpus.chorus(index).into_iter().map(|f| heard(f, encoding)).collect();
            for t in 0..steps {
                let next = chorus[t];
                let mut context = [Frame::default(); ORDER];
                for (k, table) in tables.iter_mut().enumerate() {
                    for (i, c) in context[..k].iter_mut().enumerate() {
                        *c = chorus[(t + steps - k + i) % steps];
                    }
                    let seen: &mut Continuations = table.entry(key(&context[..k])).or_default();
                    match seen.binary_search_by_key(&code(&next), |&(c, _, _)| c) {
                        Ok(at) => seen[at].2 += 1,
                        Err(at) => seen.insert(at, (code(&next), next, 1)),
                    }
                }
            }
        }
        Self { order, tables, steps, encoding: *encoding }
    }

    /// Distinct contexts seen at the full order.
    pub fn contexts(&self) -> usize {
        self.tables[self.order].len()
    }

    /// What followed the longest known context at the end of `history` (at most `order`
    /// frames); `None` only for an untrained chain.
    fn continuations(&self, history: &[Frame]) -> Option<&Continuations> {
        let longest = self.order.min(history.len());
        (0..=longest).rev().find_map(|k| self.tables[k].get(&key(&history[history.len() - k..])))
    }

    /// Draws the frame after `history`.
    pub fn next(&self, history: &[Frame], rng: &mut Rng) -> Frame {
        let Some(seen) = self.continuations(history) else { return Frame::default() };
        let total: u64 = seen.iter().map(|&(_, _, n)| u64::from(n)).sum();
        let mut target = (rng.next_f64() * total as f64) as u64;
        for &(_, frame, n) in seen {
            if target < u64::from(n) {
                return frame;
            }
            target -= u64::from(n);
        }
        seen[seen.len() - 1].1
    }

    /// Plays `choruses` choruses: the first `order` frames of the corpus chorus the seed picks,
    /// then the chain's own draws.
    pub fn generate(&self, corpus: &Corpus, choruses: usize, seed: u64) -> Vec<Frame> {
        let mut rng = Rng::new(seed);
        let primer = corpus.chorus(rng.below(corpus.len()));
        let total = choruses * self.steps;
        let mut frames: Vec<Frame> =
            primer[..self.order.max(1).min(total)].iter().map(|&f| heard(f, &self.encoding)).collect();
        while frames.len() < total {
            let next = self.next(&frames, &mut rng);
            frames.push(next);
        }
        // Notes begin as the encoding says they do.
        self.encoding.normalize_begins(&mut frames);
        frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::style::builtin_style;

    fn builtin_chorus(i: usize) -> Vec<Frame> {
        builtin_style("paper-blues").unwrap().chorus(i)
    }

    /// Whether every context of `order` frames in the (cyclic) chorus has one continuation.
    fn unambiguous(chorus: &[Frame], order: usize) -> bool {
        let n = chorus.len();
        let mut next: HashMap<u128, Frame> = HashMap::new();
        (0..n).all(|t| {
            let context: Vec<Frame> = (0..order).map(|i| chorus[(t + n - order + i) % n]).collect();
            *next.entry(key(&context)).or_insert(chorus[t]) == chorus[t]
        })
    }

    #[test]
    fn trained_on_one_chorus_it_plays_that_chorus_at_order_three() {
        // The form's chords under a random melody, picked so that every three frames say where
        // in the chorus they are.
        let form: Vec<u16> = builtin_chorus(0).iter().map(|f| f.chord).collect();
        let mut rng = Rng::new(2);
        let chorus = (0..1000)
            .map(|_| -> Vec<Frame> {
                (0..96)
                    .map(|s| Frame {
                        chord: form[s],
                        melody: Note::struck(60 + rng.below(13) as u8),
                        ..Frame::default()
                    })
                    .collect()
            })
            .find(|c| unambiguous(c, ORDER))
            .unwrap();
        let corpus = Corpus::from_choruses(vec![chorus.clone()], 12);
        let chain = Markov::train(&corpus, ORDER, &Encoding::paper());
        assert!(chain.contexts() <= 96);
        let played = chain.generate(&corpus, 3, 9);
        let mut expected: Vec<Frame> = chorus.iter().cycle().take(3 * 96).copied().collect();
        Encoding::paper().normalize_begins(&mut expected);
        assert_eq!(played, expected);
        // The corpus's quarter notes are another matter: three frames never pin a chorus down.
        assert!(!(0..64).any(|i| unambiguous(&builtin_chorus(i), ORDER)));
    }

    #[test]
    fn draws_follow_the_counts_and_back_off() {
        // Frames as the paper's encoding hears them (no begin unit).
        let a = Frame { chord: 0b1, melody: Note::held(60), ..Frame::default() };
        let b = Frame { chord: 0b11, melody: Note::held(62), ..Frame::default() };
        let c = Frame { chord: 0b10, melody: Note::held(64), ..Frame::default() };
        let mut chorus = vec![a; 96];
        chorus[10] = b;
        chorus[11] = c;
        let chain = Markov::train(&Corpus::from_choruses(vec![chorus], 12), ORDER, &Encoding::paper());
        // Contexts: aaa, aab, abc, bca, caa.
        assert_eq!(chain.contexts(), 5);
        // After a, a, a: b once in the 92 times (all steps but the 4 with b or c before them).
        let mut rng = Rng::new(1);
        let n = 92_000;
        let bs = (0..n).filter(|_| chain.next(&[a, a, a], &mut rng) == b).count();
        assert!((bs as f64 / n as f64 - 1.0 / 92.0).abs() < 0.002, "{bs}");
        // Never seen at order 3: backs off to what follows b, c (always a).
        assert_eq!(chain.next(&[b, b, c], &mut rng), a);
        assert_eq!(chain.next(&[b], &mut rng), c);
        // An unseen frame: the unconditional draw (a 94 times in 96).
        let odd = Frame { chord: 0x800, ..Frame::default() };
        let a_share = (0..9600).filter(|_| chain.next(&[odd], &mut rng) == a).count();
        assert!((9200..9600).contains(&a_share), "{a_share}");
    }
}
