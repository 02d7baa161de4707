//! How a band plays over changes: the chart band over a user's chart, or a learned band over its
//! own form, measured the same way — whether the piano plays the chart's chords, whether the
//! bass lands on the root (or a chord tone) where the chord changes, whether the melody's notes
//! belong to the chord (its tones and usual tensions) and fall on chord tones on beats 1 and 3,
//! and how many pitches it uses. CLI thread and tests.

use crate::engine::harmony::{ChartSteps, Given};
use crate::engine::improviser::Improviser;
use crate::engine::steering::SteerInput;
use crate::model::Model;
use crate::music::chart::{Chart, ChartChord, Quality};
use crate::music::chord_names::chord_root;
use crate::music::encoding::{Frame, STEPS_PER_BAR};

/// The chart band's free run over `chart`, `choruses` times through, from bar 1.
pub fn play_chart(
    band: &Model,
    chart: &Chart,
    choruses: usize,
    seed: u64,
    temperature: f32,
) -> Result<Vec<Frame>, String> {
    if chart.is_empty() {
        return Err("the chart has no bars".to_string());
    }
    let mut improviser = Improviser::new(band, band.primer.clone())?;
    let steps = ChartSteps::new(chart);
    let form = steps.form();
    let total = (choruses * form.steps()) as i64;
    Ok((0..total)
        .map(|step| {
            let given = Given { form, before: steps.chord_at(step - 1).into(), now: steps.chord_at(step).into() };
            improviser.frame_over(step, seed, SteerInput::default(), temperature, &given)
        })
        .collect())
}

/// The chords a learned band played, as a chart chord per step: each step's chord by its root
/// and quality where a known quality fits (else as a major triad on its lowest pitch class).
pub fn chords_played(frames: &[Frame]) -> Vec<Option<ChartChord>> {
    frames
        .iter()
        .map(|f| {
            (f.chord != 0).then(|| match chord_root(f.chord) {
                Some((root, "7")) => ChartChord::new(root, Quality::Dom7),
                Some((root, "maj7")) => ChartChord::new(root, Quality::Maj7),
                Some((root, "m7")) => ChartChord::new(root, Quality::Min7),
                Some((root, "m7b5")) => ChartChord::new(root, Quality::HalfDim),
                Some((root, "dim7")) => ChartChord::new(root, Quality::Dim7),
                Some((root, "mMaj7")) => ChartChord::new(root, Quality::MinMaj7),
                Some((root, "6")) => ChartChord::new(root, Quality::Six),
                Some((root, "m6")) => ChartChord::new(root, Quality::Min6),
                Some((root, "m")) => ChartChord::new(root, Quality::Minor),
                Some((root, "dim")) => ChartChord::new(root, Quality::Dim),
                Some((root, "aug")) => ChartChord::new(root, Quality::Aug),
                Some((root, _)) => ChartChord::new(root, Quality::Major),
                None => ChartChord::new(f.chord.trailing_zeros() as u8, Quality::Major),
            })
        })
        .collect()
}

/// The measures of a run over changes (shares in 0..1).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OverChanges {
    /// Half-bars whose chord (every step of it) is the given one.
    pub chords_as_given: f64,
    /// Chord changes where the bass strikes: on the root (or the written bass note), on a chord
    /// tone.
    pub bass_root_at_changes: f64,
    pub bass_chord_tone_at_changes: f64,
    /// Melody notes struck on a pitch class of the chord or its usual tensions.
    pub melody_in_chord: f64,
    /// Melody notes struck on beats 1 and 3 that are chord tones.
    pub chord_tones_on_1_and_3: f64,
    /// Distinct melody keys over the run.
    pub distinct_pitches: usize,
    /// Notes measured.
    pub melody_notes: usize,
    pub changes: usize,
}

/// Measures `frames` against `chords`, the chord given (or played) at each step.
pub fn measure(frames: &[Frame], chords: &[Option<ChartChord>]) -> OverChanges {
    let share = |hits: usize, of: usize| if of == 0 { 0.0 } else { hits as f64 / of as f64 };
    let half = STEPS_PER_BAR / 2;
    let (mut halves, mut halves_right) = (0, 0);
    for (frames, chords) in frames.chunks(half).zip(chords.chunks(half)) {
        halves += 1;
        if frames.iter().zip(chords).all(|(f, c)| c.is_some_and(|c| c.mask() == f.chord)) {
            halves_right += 1;
        }
    }
    let (mut changes, mut roots, mut tones) = (0, 0, 0);
    let (mut notes, mut inside, mut strong, mut strong_tones) = (0, 0, 0, 0);
    let mut pitches = [false; 128];
    for (step, (frame, chord)) in frames.iter().zip(chords).enumerate() {
        let Some(chord) = chord else { continue };
        let changed = step == 0 || chords[step - 1] != Some(*chord);
        if let (true, Some(key), true) = (changed, frame.bass.key, frame.bass.begin) {
            changes += 1;
            roots += usize::from(key % 12 == chord.bass_note());
            tones += usize::from(chord.chord_tones() & (1 << (key % 12)) != 0 || key % 12 == chord.bass_note());
        }
        if let (Some(key), true) = (frame.melody.key, frame.melody.begin) {
            notes += 1;
            pitches[usize::from(key.min(127))] = true;
            inside += usize::from(chord.allowed() & (1 << (key % 12)) != 0);
            if step % half == 0 {
                strong += 1;
                strong_tones += usize::from(chord.chord_tones() & (1 << (key % 12)) != 0);
            }
        }
    }
    OverChanges {
        chords_as_given: share(halves_right, halves),
        bass_root_at_changes: share(roots, changes),
        bass_chord_tone_at_changes: share(tones, changes),
        melody_in_chord: share(inside, notes),
        chord_tones_on_1_and_3: share(strong_tones, strong),
        distinct_pitches: pitches.iter().filter(|&&p| p).count(),
        melody_notes: notes,
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::encoding::Note;

    #[test]
    fn a_run_that_plays_the_chart_right_measures_right() {
        let (f7, bb7) = (ChartChord::new(5, Quality::Dom7), ChartChord::new(10, Quality::Dom7));
        let chords: Vec<Option<ChartChord>> = (0..16).map(|s| Some(if s < 8 { f7 } else { bb7 })).collect();
        let mut frames: Vec<Frame> =
            chords.iter().map(|c| Frame { chord: c.unwrap().mask(), ..Frame::default() }).collect();
        frames[0].bass = Note::struck(41); // F on F7
        frames[8].bass = Note::struck(38); // D on Bb7: a chord tone, not the root
        frames[0].melody = Note::struck(69); // A: F7's third, on beat 1
        frames[4].melody = Note::struck(71); // B: F7's #11, a tension, on beat 3
        frames[9].melody = Note::struck(64); // E over Bb7: #11, allowed
        let m = measure(&frames, &chords);
        assert_eq!(m.chords_as_given, 1.0);
        assert_eq!((m.changes, m.bass_root_at_changes, m.bass_chord_tone_at_changes), (2, 0.5, 1.0));
        assert_eq!((m.melody_notes, m.melody_in_chord), (3, 1.0));
        assert_eq!(m.chord_tones_on_1_and_3, 0.5, "the #11 on beat 3 is a tension, not a chord tone");
        assert_eq!(m.distinct_pitches, 3);
        frames[5].chord = 0;
        assert_eq!(measure(&frames, &chords).chords_as_given, 0.75, "one half-bar lost its chord");
    }
}
