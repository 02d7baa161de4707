//! The built-in training corpus: the paper's 12-bar bebop blues, reconstructed as data.
//!
//! The paper's figures of the exact chords and scale are lost, so this is ours: one chord per bar
//! (C7 F7 C7 C7 F7 F7 C7 A7 Dm7 G7 C7 G7) voiced inside MIDI 48–59, and for each bar two bar-long
//! segments of four quarter notes on the C major pentatonic scale, written to fit that bar's
//! chord. A chorus picks one of the two segments per bar, so there are 2^12 = 4096 distinct
//! choruses, as in the paper. A user's own choruses travel the same path ([`Corpus`]).
//! Read-only tables: any thread, including the audio thread (nothing here allocates but
//! [`Corpus::from_choruses`]).

use super::encoding::{chord_mask, Frame, BARS_PER_CHORUS, MELODY_LOW, STEPS_PER_BAR, STEPS_PER_CHORUS};

/// One chorus: 96 eighth-note frames. Fixed size and `Copy`, so the audio thread can hold one.
pub type Chorus = [Frame; STEPS_PER_CHORUS];

/// A chord of the form: a name for people, four MIDI notes inside 48–59 for the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chord {
    pub name: &'static str,
    pub notes: [u8; 4],
}

const C7: Chord = Chord { name: "C7", notes: [48, 52, 55, 58] };
const F7: Chord = Chord { name: "F7", notes: [48, 51, 53, 57] };
const A7: Chord = Chord { name: "A7", notes: [49, 52, 55, 57] };
const DM7: Chord = Chord { name: "Dm7", notes: [48, 50, 53, 57] };
const G7: Chord = Chord { name: "G7", notes: [50, 53, 55, 59] };

/// The built-in form: one chord per bar.
pub const BUILTIN_FORM: [Chord; BARS_PER_CHORUS] = [C7, F7, C7, C7, F7, F7, C7, A7, DM7, G7, C7, G7];

/// The melody scale: C major pentatonic from C4 to C5.
pub const PENTATONIC: [u8; 6] = [60, 62, 64, 67, 69, 72];

/// Quarter notes in a 4/4 bar; each lasts two eighth-note steps.
const QUARTERS_PER_BAR: usize = 4;

/// For each bar, two bar-long melody segments of four quarter notes (MIDI), written to fit the
/// bar's chord: pentatonic, and never a semitone above a chord tone (no E over F7, no D over
/// A7, no C over G7).
pub const BUILTIN_SEGMENTS: [[[u8; QUARTERS_PER_BAR]; 2]; BARS_PER_CHORUS] = [
    [[60, 64, 67, 64], [67, 69, 72, 69]], // C7
    [[69, 67, 60, 62], [72, 69, 67, 69]], // F7
    [[64, 62, 60, 64], [67, 64, 62, 60]], // C7
    [[60, 62, 64, 67], [72, 69, 67, 64]], // C7
    [[69, 72, 69, 67], [62, 60, 62, 69]], // F7
    [[67, 69, 72, 67], [60, 62, 67, 69]], // F7
    [[64, 67, 69, 67], [72, 67, 64, 60]], // C7
    [[69, 64, 67, 69], [64, 69, 72, 69]], // A7
    [[62, 69, 72, 69], [69, 67, 62, 60]], // Dm7
    [[67, 62, 64, 67], [62, 67, 69, 64]], // G7
    [[64, 60, 64, 67], [72, 67, 64, 62]], // C7
    [[62, 67, 69, 62], [67, 62, 64, 67]], // G7
];

/// Distinct built-in choruses: one of two segments in each of 12 bars.
pub const BUILTIN_CHORUS_COUNT: usize = 1 << BARS_PER_CHORUS;

/// Built-in chorus `index` (0..4096): bit `b` of the index picks bar `b`'s segment.
pub fn builtin_chorus(index: usize) -> Chorus {
    let mut chorus = [Frame::default(); STEPS_PER_CHORUS];
    for (bar, (chord, segments)) in BUILTIN_FORM.iter().zip(&BUILTIN_SEGMENTS).enumerate() {
        let segment = &segments[(index >> bar) & 1];
        let mask = chord_mask(&chord.notes);
        for step in 0..STEPS_PER_BAR {
            chorus[bar * STEPS_PER_BAR + step] = Frame { chord: mask, melody: Some(segment[step / 2] - MELODY_LOW) };
        }
    }
    chorus
}

/// The chord mask each bar of the built-in form sounds.
pub fn builtin_form_masks() -> [u16; BARS_PER_CHORUS] {
    BUILTIN_FORM.map(|chord| chord_mask(&chord.notes))
}

/// A set of choruses to train on or audition: the built-in ones, a user's own, or both.
#[derive(Clone, Debug, PartialEq)]
pub struct Corpus {
    /// Whether the 4096 built-in choruses are part of the set (they come first).
    pub include_builtin: bool,
    /// The user's own choruses, in the order they were captured or imported.
    pub user: Vec<Chorus>,
}

impl Corpus {
    /// The paper's corpus: the 4096 built-in choruses.
    pub fn builtin() -> Self {
        Self { include_builtin: true, user: Vec::new() }
    }

    /// A corpus of the user's own choruses only.
    pub fn from_choruses(user: Vec<Chorus>) -> Self {
        Self { include_builtin: false, user }
    }

    /// Number of choruses in the set.
    pub fn len(&self) -> usize {
        usize::from(self.include_builtin) * BUILTIN_CHORUS_COUNT + self.user.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Chorus `index`, built-in ones first. Panics past `len()`, like slice indexing.
    pub fn chorus(&self, index: usize) -> Chorus {
        if self.include_builtin {
            if index < BUILTIN_CHORUS_COUNT {
                return builtin_chorus(index);
            }
            return self.user[index - BUILTIN_CHORUS_COUNT];
        }
        self.user[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::encoding::{CHORD_LOW, N_CHORD, N_MELODY};
    use std::collections::HashSet;

    #[test]
    fn chords_are_voiced_inside_the_chord_octave() {
        for chord in BUILTIN_FORM {
            for note in chord.notes {
                assert!((CHORD_LOW..CHORD_LOW + N_CHORD as u8).contains(&note), "{}", chord.name);
            }
            let distinct: HashSet<u8> = chord.notes.into_iter().collect();
            assert_eq!(distinct.len(), 4, "{} has a doubled note", chord.name);
        }
    }

    #[test]
    fn every_segment_is_pentatonic_in_range_and_fits_its_chord() {
        for (bar, segments) in BUILTIN_SEGMENTS.iter().enumerate() {
            let chord = BUILTIN_FORM[bar];
            let chord_classes: Vec<u8> = chord.notes.iter().map(|n| n % 12).collect();
            for segment in segments {
                for &note in segment {
                    assert!(PENTATONIC.contains(&note), "bar {}: {note} not pentatonic", bar + 1);
                    assert!((MELODY_LOW..MELODY_LOW + N_MELODY as u8).contains(&note));
                    let avoid = chord_classes.iter().any(|c| (c + 1) % 12 == note % 12);
                    assert!(!avoid, "bar {} ({}): {note} clashes a semitone above a chord tone", bar + 1, chord.name);
                }
            }
            assert_ne!(segments[0], segments[1], "bar {} has two equal segments", bar + 1);
        }
    }

    #[test]
    fn choruses_are_quarter_notes_with_one_chord_per_bar() {
        for index in [0, 1, 2047, 4095] {
            let chorus = builtin_chorus(index);
            for (step, frame) in chorus.iter().enumerate() {
                assert!(frame.melody.is_some(), "no rests in the corpus");
                if step % 2 == 1 {
                    assert_eq!(frame.melody, chorus[step - 1].melody, "quarter notes only");
                }
                assert_eq!(frame.chord, builtin_form_masks()[step / STEPS_PER_BAR]);
            }
        }
    }

    #[test]
    fn the_builtin_corpus_has_4096_distinct_choruses() {
        let corpus = Corpus::builtin();
        assert_eq!(corpus.len(), 4096);
        let distinct: HashSet<Vec<Frame>> = (0..corpus.len()).map(|i| corpus.chorus(i).to_vec()).collect();
        assert_eq!(distinct.len(), 4096);
    }

    #[test]
    fn user_choruses_follow_the_builtin_ones() {
        let mut mixed = Corpus::builtin();
        let own = [Frame { chord: 1, melody: None }; STEPS_PER_CHORUS];
        mixed.user.push(own);
        assert_eq!(mixed.len(), 4097);
        assert_eq!(mixed.chorus(4096), own);
        assert_eq!(Corpus::from_choruses(vec![own]).chorus(0), own);
    }
}
