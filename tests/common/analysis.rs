//! Checks of a recorded session that a listener would notice.

use super::Recorded;
use blues_lstm::model::builtin::default_builtin;
use blues_lstm::music::chord_names::chord_name;
use blues_lstm::music::encoding::STEPS_PER_BAR;
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

/// The chord of every step of the form the sessions play (the paper's, `Session::new`).
pub fn default_form() -> Vec<u16> {
    paper_form()
}

/// The chord of every step of the default band's form (`Session::band`, the binary as loaded).
pub fn band_form() -> Vec<u16> {
    default_builtin().style().chords.clone()
}

fn paper() -> &'static blues_lstm::model::builtin::Builtin {
    blues_lstm::model::builtin::builtin("paper-exp2").expect("the paper's model")
}

/// The chord of every step of the paper's form (its Exp 1 and Exp 2 models).
pub fn paper_form() -> Vec<u16> {
    paper().style().chords.clone()
}

/// The form bar a song position falls in (bars of the sessions' form).
pub fn form_bar(beats: f64) -> usize {
    let bars = default_form().len() / STEPS_PER_BAR;
    ((beats + 1e-9) / 4.0).floor().rem_euclid(bars as f64) as usize
}

/// The pitch classes of `keys` played `transpose` semitones up.
pub fn pitch_classes(keys: &[u8], transpose: i32) -> u16 {
    keys.iter().fold(0u16, |m, &k| m | 1 << (i32::from(k) - transpose).rem_euclid(12))
}

/// Every chord struck is the chord of the form at the step it is struck on (transposed by
/// `transpose`), in the default model's form.
pub fn assert_chords_follow_the_form(events: &[Recorded], channel: u8, transpose: i32) -> usize {
    assert_chords_follow(events, channel, transpose, &default_form())
}

/// Every chord struck is the chord of `form` (a chord per step) at its step.
pub fn assert_chords_follow(events: &[Recorded], channel: u8, transpose: i32, form: &[u16]) -> usize {
    let onsets = chord_onsets(events, channel);
    for (sample, (beats, keys)) in &onsets {
        let step = ((beats * 2.0 + 1e-9).floor() as i64).rem_euclid(form.len() as i64) as usize;
        let mask = pitch_classes(keys, transpose);
        assert_eq!(
            mask,
            form[step],
            "at sample {sample} (beat {beats:.3}, form bar {}) played {keys:?} ({}), want {}",
            step / STEPS_PER_BAR + 1,
            chord_name(mask),
            chord_name(form[step])
        );
    }
    onsets.len()
}

/// Whether a melody key is in the scale the paper's corpus uses.
pub fn in_corpus_scale(key: u8) -> bool {
    let style = paper().style();
    let scale = (0..style.choruses().min(64))
        .fold(0u16, |m, i| style.chorus(i).iter().filter_map(|f| f.melody.key).fold(m, |m, k| m | 1 << (k % 12)));
    scale & (1 << (key % 12)) != 0
}

/// The plugin's default swing at `tempo` BPM: where its off-beat eighths fall, as a share of
/// the beat (the default Swing follows the tempo: `engine::swing`).
pub fn default_swing_at(tempo: f64) -> f64 {
    blues_lstm::engine::feel::Feel::default().swing_at(tempo)
}

/// Where step `n` starts (beats) when off-beats fall at `swing` of the beat.
pub fn swung_step_start(n: i64, swing: f64) -> f64 {
    n.div_euclid(2) as f64 + if n.rem_euclid(2) == 1 { swing } else { 0.0 }
}

/// The last step starting at or before `beats`, at `swing`.
pub fn swung_step_at(beats: f64, swing: f64) -> i64 {
    const EPS: f64 = 1e-9;
    let beat = (beats + EPS).floor();
    2 * beat as i64 + i64::from(beats + EPS - beat >= swing)
}

/// Every NoteOn sits on the plugin's (default, swung) eighth-note grid at the tempo it was
/// played at: on the first sample at or after its step, so the sample before it is before the
/// step.
pub fn assert_on_grid(events: &[Recorded], channels: &[u8]) {
    assert_on_grid_by(events, channels, default_swing_at);
}

/// The same, with off-beats at `swing` of the beat at every tempo (0.5 straight).
pub fn assert_on_swung_grid(events: &[Recorded], channels: &[u8], swing: f64) {
    assert_on_grid_by(events, channels, |_| swing);
}

/// The same, with off-beats at `swing(tempo)` of the beat.
pub fn assert_on_grid_by(events: &[Recorded], channels: &[u8], swing: impl Fn(f64) -> f64) {
    const EPS: f64 = 1e-9;
    for e in events.iter().filter(|e| e.on && channels.contains(&e.channel)) {
        let swing = swing(e.tempo);
        let step_beats = swung_step_start(swung_step_at(e.beats, swing), swing);
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

/// The keys the default band's melody plays.
pub fn melody_range() -> std::ops::RangeInclusive<u8> {
    let line = default_builtin().model().expect("the default model loads").encoding.melody.expect("it plays a melody");
    line.low..=line.high()
}
