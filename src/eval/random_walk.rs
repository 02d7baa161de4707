//! Baseline (c): a random walk on the pentatonic scale over the right chords. The form's chords
//! are given, not learned; the melody moves in quarter notes (as the paper's corpus does), each
//! one scale degree up or down from the last with equal odds, turning back at the ends of the
//! scale (C4 and C5). What a melody with no memory beyond one note sounds like. CLI thread.
//!
//! NOTE: a ±1 walk changes the parity of its degree on every quarter note, so the parity is
//! locked to the beat: every bar starts on a degree of the same parity, there are at most 24
//! possible bar melodies, and the frames at any even lag share that bit of information.

use crate::lstm::rng::Rng;
use crate::music::encoding::{Frame, Note};

/// The scale of the walk: C major pentatonic from C4 to C5.
pub const PENTATONIC: [u8; 6] = [60, 62, 64, 67, 69, 72];

/// Plays `choruses` choruses over `form` (one chord mask per step), the first note on a degree
/// the seed picks.
pub fn random_walk(form: &[u16], choruses: usize, seed: u64) -> Vec<Frame> {
    let mut rng = Rng::new(seed);
    let top = PENTATONIC.len() - 1;
    let mut degree = rng.below(PENTATONIC.len());
    (0..choruses * form.len())
        .map(|step| {
            if step > 0 && step % 2 == 0 {
                degree = match degree {
                    0 => 1,
                    d if d == top => top - 1,
                    d if rng.below(2) == 0 => d - 1,
                    d => d + 1,
                };
            }
            let melody = Note { key: Some(PENTATONIC[degree]), begin: step % 2 == 0 };
            Frame { chord: form[step % form.len()], melody, ..Frame::default() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_by_one_degree_per_quarter_over_the_form() {
        let form: Vec<u16> = (0..96).map(|s| 1 << (s / 8 % 12)).collect();
        let frames = random_walk(&form, 4, 3);
        assert_eq!(frames.len(), 4 * 96);
        let degree = |f: &Frame| PENTATONIC.iter().position(|&n| Some(n) == f.melody.key).unwrap();
        for (step, pair) in frames.windows(2).enumerate() {
            let moved = degree(&pair[1]) as i32 - degree(&pair[0]) as i32;
            if step % 2 == 0 {
                assert_eq!(moved, 0, "a quarter note lasts two steps");
                assert!(!pair[1].melody.begin);
            } else {
                assert_eq!(moved.abs(), 1, "step {step}");
                assert!(pair[1].melody.begin);
            }
        }
        assert!(frames.iter().enumerate().all(|(s, f)| f.chord == form[s % 96]));
        assert_eq!(frames, random_walk(&form, 4, 3));
        assert_ne!(frames, random_walk(&form, 4, 4));
    }
}
