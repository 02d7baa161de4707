//! Checks of a recorded session that a listener would notice.

use super::Recorded;
use blues_lstm::music::corpus::{builtin_form_masks, BUILTIN_FORM};
use blues_lstm::music::encoding::{CHORD_LOW, STEPS_PER_BAR};
use std::collections::{BTreeMap, HashSet};

/// Events of one block leave in non-decreasing time order.
pub fn assert_in_order(events: &[Recorded]) {
    for pair in events.windows(2) {
        if pair[0].block == pair[1].block {
            assert!(
                pair[0].timing <= pair[1].timing,
                "events out of order in block {}: {:?} then {:?}",
                pair[0].block,
                pair[0],
                pair[1]
            );
        }
    }
}

/// Every NoteOn gets its NoteOff, no note is struck twice while sounding, nothing sounds at the end.
pub fn assert_no_hanging(events: &[Recorded]) {
    let mut sounding = HashSet::new();
    for e in events {
        if e.on {
            assert!(sounding.insert((e.channel, e.key)), "note struck again while sounding: {e:?}");
        } else {
            assert!(sounding.remove(&(e.channel, e.key)), "NoteOff for a note not sounding: {e:?}");
        }
    }
    assert!(sounding.is_empty(), "hanging notes at the end: {sounding:?}");
}

/// Chord onsets on `channel`: sample → (song beats, keys struck).
pub fn chord_onsets(events: &[Recorded], channel: u8) -> BTreeMap<u64, (f64, Vec<u8>)> {
    let mut onsets: BTreeMap<u64, (f64, Vec<u8>)> = BTreeMap::new();
    for e in events.iter().filter(|e| e.on && e.channel == channel) {
        onsets.entry(e.sample).or_insert((e.beats, Vec::new())).1.push(e.key);
    }
    onsets
}

/// The form bar (0–11) a song position falls in.
pub fn form_bar(beats: f64) -> usize {
    ((beats + 1e-9) / 4.0).floor().rem_euclid(12.0) as usize
}

/// Every chord struck is the chord of the bar it is struck in (transposed by `transpose`).
pub fn assert_chords_follow_the_form(events: &[Recorded], channel: u8, transpose: i32) -> usize {
    let masks = builtin_form_masks();
    let onsets = chord_onsets(events, channel);
    for (sample, (beats, keys)) in &onsets {
        let bar = form_bar(*beats);
        let mask = keys.iter().fold(0u16, |m, &k| m | 1 << (i32::from(k) - transpose - i32::from(CHORD_LOW)));
        assert_eq!(
            mask,
            masks[bar],
            "at sample {sample} (beat {beats:.3}, form bar {}) played {keys:?}, want {}",
            bar + 1,
            BUILTIN_FORM[bar].name
        );
    }
    onsets.len()
}

/// Every NoteOn sits on the eighth-note grid: on the first sample at or after its step, so the
/// sample before it is before the step (whatever the tempo of the block before).
pub fn assert_on_grid(events: &[Recorded], channels: &[u8]) {
    const EPS: f64 = 1e-9;
    for e in events.iter().filter(|e| e.on && channels.contains(&e.channel)) {
        let step_beats = (e.beats * 2.0 + EPS).floor() / 2.0;
        let on_or_after = e.beats + EPS >= step_beats;
        let first = e.previous_sample_beats < step_beats + EPS || e.previous_sample_beats.is_infinite();
        assert!(on_or_after && first, "onset off the grid (step at beat {step_beats}): {e:?}");
    }
}

/// Song positions (beats) at which a bar starts and a chord is struck on `channel`.
pub fn bar_starts_with_chords(events: &[Recorded], channel: u8) -> Vec<f64> {
    chord_onsets(events, channel)
        .values()
        .map(|(beats, _)| *beats)
        .filter(|b| ((b * 2.0).round() as i64).rem_euclid(STEPS_PER_BAR as i64) == 0)
        .collect()
}
