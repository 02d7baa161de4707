//! Audition: plays the training choruses themselves, a different one each chorus. A real mode
//! (hear what the network learns from), and the plugin's fallback when no model is loaded.
//! Audio thread only; allocation-free.
//!
//! The chorus for each chorus of the song is a pure function of the seed and the chorus number,
//! so playing from any bar twice sounds the same, and a render is reproducible.

use crate::music::corpus::{Chorus, Corpus};
use crate::music::encoding::{Frame, STEPS_PER_CHORUS};

/// Plays corpus choruses in a seeded order.
#[derive(Clone, Debug)]
pub struct Audition {
    /// The choruses to play (built-in, the user's own, or both).
    corpus: Corpus,
    /// The song chorus currently loaded into `chorus`, and the seed it was chosen with.
    loaded: Option<(i64, u64)>,
    chorus: Chorus,
}

impl Audition {
    pub fn new(corpus: Corpus) -> Self {
        Self { corpus, loaded: None, chorus: [Frame::default(); STEPS_PER_CHORUS] }
    }

    /// The frame for song step `index`.
    pub fn frame(&mut self, index: i64, seed: u64) -> Frame {
        let chorus_number = index.div_euclid(STEPS_PER_CHORUS as i64);
        if self.loaded != Some((chorus_number, seed)) && !self.corpus.is_empty() {
            let pick = mix(seed, chorus_number as u64) % self.corpus.len() as u64;
            self.chorus = self.corpus.chorus(pick as usize);
            self.loaded = Some((chorus_number, seed));
        }
        self.chorus[index.rem_euclid(STEPS_PER_CHORUS as i64) as usize]
    }
}

/// A well-spread 64-bit hash of two numbers (SplitMix64's finaliser).
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::corpus::builtin_chorus;

    #[test]
    fn each_song_chorus_is_a_corpus_chorus_chosen_by_seed_and_position() {
        let mut a = Audition::new(Corpus::builtin());
        let first: Vec<Frame> = (0..96).map(|i| a.frame(i, 7)).collect();
        let again: Vec<Frame> = (0..96).map(|i| a.frame(i, 7)).collect();
        assert_eq!(first, again);
        assert!((0..4096).any(|c| builtin_chorus(c).to_vec() == first));
        let choruses: std::collections::HashSet<Vec<Frame>> =
            (0..20).map(|c| (c * 96..c * 96 + 96).map(|i| a.frame(i, 7)).collect()).collect();
        assert!(choruses.len() > 15, "choruses should vary: {}", choruses.len());
        assert_ne!((0..96).map(|i| a.frame(i, 8)).collect::<Vec<_>>(), first, "another seed, another chorus");
    }
}
