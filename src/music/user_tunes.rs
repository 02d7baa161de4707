//! Tunes a user might bring to a retrain, unlike anything the built-in bands learned: changes
//! of our own writing in 12, 16 and 32 bars, a melody in quarter notes on the major pentatonic
//! that lands each two-bar phrase on a held note, a bass in two (root and fifth in half notes)
//! and the comping of the chart corpus — and no drums, as a player capturing from a keyboard
//! has none. What the retrain bench and the fine-tuning tests learn: a model that plays these
//! lines learned the user, not the band it started from. Deterministic from the seed.

use super::chart::{parse, Chart};
use super::chart_corpus::perform;
use super::corpus::{Chorus, Corpus};
use super::drums::Hits;
use super::encoding::{Frame, Note, STEPS_PER_BAR};
use crate::lstm::rng::Rng;

/// A tune: its name, key (pitch class of the tonic) and chart text.
#[derive(Clone, Copy, Debug)]
pub struct UserTune {
    pub name: &'static str,
    pub key: u8,
    pub chart: &'static str,
}

/// The tunes, by form length: 12, 16 and 32 bars.
pub static USER_TUNES: [UserTune; 3] = [
    // A blues in Bb with a minor turnaround through G7, none of the built-in blues' changes.
    UserTune {
        name: "Blues in Bb, minor turnaround",
        key: 10,
        chart: "| Bb7 | Eb7 | Bb7 | Bb7 | Eb7 | Eb7 | Bb7 | G7 | Cm7 | F7 | Bb7 G7 | Cm7 F7 |",
    },
    UserTune {
        name: "Sixteen bars in Eb",
        key: 3,
        chart: "| Ebmaj7 | Cm7 | Fm7 | Bb7 | Gm7 | C7 | Fm7 | Bb7 | Abmaj7 | Db7 | Gm7 | C7 | Fm7 | Bb7 | Ebmaj7 | Fm7 Bb7 |",
    },
    // AABA in F, the bridge through the subdominant and its minor: not rhythm changes.
    UserTune {
        name: "AABA in F",
        key: 5,
        chart: "| Fmaj7 | D7 | Gm7 | C7 | Am7 | D7 | Gm7 C7 | Fmaj7 | Fmaj7 | D7 | Gm7 | C7 | Am7 | D7 | Gm7 C7 | Fmaj7 \
                | Cm7 | F7 | Bbmaj7 | Bbm7 | Am7 | D7 | G7 | Gm7 C7 \
                | Fmaj7 | D7 | Gm7 | C7 | Am7 | D7 | Gm7 C7 | Fmaj7 |",
    },
];

/// The tune of `bars` bars, if there is one.
pub fn user_tune(bars: usize) -> Option<&'static UserTune> {
    USER_TUNES.iter().find(|t| t.chart().len() == bars)
}

impl UserTune {
    /// Its chart (the text is ours and reads: a test checks it).
    pub fn chart(&self) -> Chart {
        parse(self.chart).unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// `choruses` choruses of it, from `seed`.
    pub fn corpus(&self, choruses: usize, seed: u64) -> Corpus {
        let chart = self.chart();
        let steps = chart.len() * STEPS_PER_BAR;
        let band = perform(&chart, choruses, seed);
        let mut rng = Rng::new(seed ^ 0x7E11_7E11);
        let mut melody = Vec::with_capacity(band.len());
        let mut pitch = 72 + usize::from(self.key) % 5;
        for bar in 0..chart.len() * choruses {
            self.melody_bar(bar % 2 == 1, &mut pitch, &mut rng, &mut melody);
        }
        let choruses: Vec<Chorus> = band
            .chunks_exact(steps)
            .zip(melody.chunks_exact(steps))
            .map(|(frames, line)| {
                frames
                    .iter()
                    .zip(line)
                    .enumerate()
                    .map(|(s, (f, &melody))| Frame { melody, bass: two_feel(&chart, s), drums: Hits::default(), ..*f })
                    .collect()
            })
            .collect();
        Corpus::from_choruses(choruses, chart.len())
    }

    /// One bar of the melody: four quarter notes walking the pentatonic, or, ending a phrase,
    /// two quarters and a half note held.
    fn melody_bar(&self, ends_phrase: bool, pitch: &mut usize, rng: &mut Rng, out: &mut Vec<Note>) {
        let lengths: &[usize] = if ends_phrase { &[2, 2, 4] } else { &[2, 2, 2, 2] };
        for &length in lengths {
            *pitch = self.step_on_scale(*pitch, rng);
            for i in 0..length {
                out.push(Note { key: Some(*pitch as u8), begin: i == 0 });
            }
        }
    }

    /// The next pentatonic note: one or two scale steps up or down, turned back at the edges
    /// of the range C4–G5.
    fn step_on_scale(&self, pitch: usize, rng: &mut Rng) -> usize {
        const SCALE: [usize; 5] = [0, 2, 4, 7, 9];
        let on_scale = |p: usize| SCALE.contains(&((p + 12 - usize::from(self.key)) % 12));
        let steps = 1 + rng.below(2);
        let up = match pitch {
            ..=64 => true,
            76.. => false,
            _ => rng.below(2) == 0,
        };
        let mut p = pitch;
        for _ in 0..steps {
            p = if up { p + 1 } else { p - 1 };
            while !on_scale(p) {
                p = if up { p + 1 } else { p - 1 };
            }
        }
        p
    }
}

/// The bass in two at step `s` of the chart: the root on beat 1, the fifth on beat 3 (the next
/// chord's root where the chord changes there), each held a half note, from E1 to D#2.
fn two_feel(chart: &Chart, s: usize) -> Note {
    let half = s % STEPS_PER_BAR / 4;
    let chord = chart.chord_at_step(s - s % 4);
    let changed = half == 1 && chart.chord_at_step(s - s % STEPS_PER_BAR) != chord;
    let pc = if half == 0 || changed { chord.bass_note() } else { (chord.root + 7) % 12 };
    Note { key: Some(28 + (pc + 8) % 12), begin: s.is_multiple_of(4) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::part::Part;

    #[test]
    fn each_tune_reads_and_plays_its_form_in_quarter_notes_with_a_bass_in_two_and_no_drums() {
        for (tune, bars) in USER_TUNES.iter().zip([12, 16, 32]) {
            assert_eq!(tune.chart().len(), bars, "{}", tune.name);
            assert!(std::ptr::eq(user_tune(bars).unwrap(), tune));
            let corpus = tune.corpus(8, 1);
            assert_eq!((corpus.len(), corpus.form.bars), (8, bars), "{}", tune.name);
            assert!(corpus.plays(Part::Melody) && corpus.plays(Part::Bass) && corpus.plays(Part::Comp));
            assert!(!corpus.plays_drums(), "{}: a keyboard player's capture has no drums", tune.name);
            let chart = tune.chart();
            for c in 0..corpus.len() {
                let chorus = corpus.chorus(c);
                for (s, f) in chorus.iter().enumerate() {
                    assert_eq!(f.chord, chart.chord_at_step(s).mask(), "{} step {s}", tune.name);
                    let key = f.melody.key.unwrap();
                    assert!((60..=79).contains(&key), "{}: {key} in the melody's range", tune.name);
                    let pc = (key + 12 - tune.key) % 12;
                    assert!([0, 2, 4, 7, 9].contains(&pc), "{}: {key} on the pentatonic", tune.name);
                    // Notes start on the beat only: quarter notes and halves.
                    assert_eq!(f.melody.begin, s % 2 == 0 && s % 16 <= 12, "{} step {s}", tune.name);
                    let bass = f.bass.key.unwrap();
                    assert!((28..40).contains(&bass));
                    assert_eq!(f.bass.begin, s % 4 == 0);
                    if s % STEPS_PER_BAR == 0 {
                        assert_eq!(bass % 12, chart.chord_at_step(s).root, "{}: the root on beat 1", tune.name);
                    }
                }
            }
        }
    }
}
