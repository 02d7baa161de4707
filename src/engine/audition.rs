//! Audition: plays the training choruses themselves, a different one each chorus. A real mode
//! (hear what the network learns from), and the plugin's fallback when no model is loaded.
//! Audio thread only; allocation-free (the chorus buffer is allocated in `new`).
//!
//! The chorus for each chorus of the song is a pure function of the seed and the chorus number,
//! so playing from any bar twice sounds the same, and a render is reproducible.

use crate::lstm::rng::mix;
use crate::music::corpus::Corpus;
use crate::music::encoding::{Form, Frame};
use crate::music::part::Part;

/// Plays corpus choruses in a seeded order.
#[derive(Clone, Debug)]
pub struct Audition {
    /// The choruses to play (a style's, the user's own, or both).
    corpus: Corpus,
    /// The song chorus currently loaded into `chorus`, and the seed it was chosen with.
    loaded: Option<(i64, u64)>,
    chorus: Vec<Frame>,
    /// Whether its choruses carry a comping rhythm (a style's, or a user's chords as played).
    comping: bool,
}

impl Audition {
    pub fn new(corpus: Corpus) -> Self {
        let chorus = vec![Frame::default(); corpus.form.steps()];
        let comping = corpus.style.is_some_and(|s| s.has(Part::Comp)) || !corpus.user.is_empty();
        Self { corpus, loaded: None, chorus, comping }
    }

    /// Whether the chords are struck by the choruses' comping (else as pads).
    pub fn comping(&self) -> bool {
        self.comping
    }

    /// The form of its choruses.
    pub fn form(&self) -> Form {
        self.corpus.form
    }

    /// The frame for song step `index`.
    pub fn frame(&mut self, index: i64, seed: u64) -> Frame {
        let form = self.corpus.form;
        let chorus_number = form.chorus(index);
        if self.loaded != Some((chorus_number, seed)) && !self.corpus.is_empty() {
            let pick = mix(seed, chorus_number as u64) % self.corpus.len() as u64;
            self.corpus.write_chorus(pick as usize, &mut self.chorus);
            self.loaded = Some((chorus_number, seed));
        }
        self.chorus[form.position(index)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::style::builtin_style;

    #[test]
    fn each_song_chorus_is_a_corpus_chorus_chosen_by_seed_and_position() {
        let style = builtin_style("paper-blues").unwrap();
        let mut a = Audition::new(Corpus::of_style(style));
        let first: Vec<Frame> = (0..96).map(|i| a.frame(i, 7)).collect();
        let again: Vec<Frame> = (0..96).map(|i| a.frame(i, 7)).collect();
        assert_eq!(first, again);
        assert!((0..4096).any(|c| style.chorus(c) == first));
        let choruses: std::collections::HashSet<Vec<Frame>> =
            (0..20).map(|c| (c * 96..c * 96 + 96).map(|i| a.frame(i, 7)).collect()).collect();
        assert!(choruses.len() > 15, "choruses should vary: {}", choruses.len());
        assert_ne!((0..96).map(|i| a.frame(i, 8)).collect::<Vec<_>>(), first, "another seed, another chorus");
        nice_assert_no_alloc::assert_no_alloc(|| {
            for i in 0..10_000 {
                a.frame(i, 3);
            }
        });
    }
}
