//! Piano rolls of generated frames, so a person can see what the measures say (a baseline
//! drifting off the form, say). The frames become notes through the plugin's own voices (same
//! note lengths as the plugin plays), then `music::piano_roll_png` draws them. CLI thread.

use crate::engine::voices::VoiceSettings;
use crate::music::encoding::{Form, Frame};
use crate::music::part::Part;
use crate::music::piano_roll_png::{piano_roll_png, Roll};
use crate::render::frames_to_notes;

/// `count` choruses of `frames`, from chorus `first` (0-based; clamped to the frames): what a
/// picture shows, and what `eval --wav-dir` plays.
pub fn choruses(frames: &[Frame], form: Form, first: usize, count: usize) -> &[Frame] {
    let start = (first * form.steps()).min(frames.len());
    let end = (start + count * form.steps()).min(frames.len());
    &frames[start..end]
}

/// A PNG of `count` choruses of `frames`, from chorus `first` (0-based; clamped to the frames).
pub fn piano_roll(frames: &[Frame], form: Form, comping: bool, first: usize, count: usize) -> Vec<u8> {
    let window = choruses(frames, form, first, count);
    let settings = VoiceSettings::default();
    let roll = Roll {
        steps: window.len(),
        bars_per_chorus: form.bars,
        chord_channel: settings.channel(Part::Chords),
        bass_channel: Some(settings.channel(Part::Bass)),
        drum_channel: Some(settings.channel(Part::Drums)),
    };
    piano_roll_png(&frames_to_notes(window, form, comping, &settings), &roll)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::style::builtin_style;

    #[test]
    fn a_corpus_chorus_becomes_its_chords_and_quarter_notes() {
        let style = builtin_style("paper-blues").unwrap();
        let form = style.form();
        let notes = frames_to_notes(&style.chorus(0), form, false, &VoiceSettings::default());
        let chord_ons = notes.iter().filter(|n| n.on && n.channel == 0).count();
        let melody_ons: Vec<f64> = notes.iter().filter(|n| n.on && n.channel == 1).map(|n| n.beats).collect();
        assert_eq!(chord_ons, 12 * 4, "four notes per bar");
        assert_eq!(melody_ons, (0..48).map(f64::from).collect::<Vec<_>>(), "a note on every beat");
        assert_eq!(notes.iter().filter(|n| n.on).count(), notes.iter().filter(|n| !n.on).count());
        let two: Vec<Frame> = style.chorus(1).iter().chain(&style.chorus(2)).copied().collect();
        let png = piano_roll(&two, form, false, 1, 5);
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(png, piano_roll(&style.chorus(2), form, false, 0, 1));
    }
}
