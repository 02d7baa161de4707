//! The LSTM in the composer's seat, checked as a listener would: the embedded models keep the
//! 12-bar form for 1000 choruses, the melody stays in the scale and is new every chorus,
//! temperature and seed do what they say, played notes steer the network, and a model swap
//! mid-song leaves no note hanging. Renders go through the plugin's own engine (the offline
//! renderer the CLI uses) or the real `Plugin::process` (fake host).

mod common;

use blues_lstm::engine::audition::Audition;
use blues_lstm::engine::composer::Composer;
use blues_lstm::engine::improviser::Improviser;
use blues_lstm::engine::render::{render, RenderSpec};
use blues_lstm::engine::{Engine, Settings};
use blues_lstm::lstm::model_file::Model;
use blues_lstm::models;
use blues_lstm::music::corpus::{builtin_chorus, builtin_form_masks, Corpus, BUILTIN_FORM, PENTATONIC};
use blues_lstm::music::encoding::{CHORD_LOW, STEPS_PER_BAR};
use blues_lstm::music::midi_file::TimedNote;
use common::analysis::{assert_chords_follow_the_form, assert_in_order, assert_no_hanging};
use common::{PlayMode, Session};
use std::collections::{BTreeMap, HashSet};

/// Renders `choruses` choruses of `model` from bar 1 through the plugin's engine.
fn render_model(model: &Model, choruses: u32, seed: u64, temperature: f32) -> Vec<TimedNote> {
    let improviser = Improviser::new(model, models::primer_of(model)).expect("the model plays here");
    let mut engine =
        Engine::new(Box::new(Composer::new(Audition::new(Corpus::builtin()), Some(improviser))), Default::default());
    let settings = Settings { seed, temperature, ..Settings::default() };
    render(&mut engine, &settings, &RenderSpec { choruses, tempo_bpm: 120.0, ..RenderSpec::default() })
}

/// Chords struck per song bar (beats → bar), as masks over the chord octave.
fn chords_by_bar(notes: &[TimedNote]) -> BTreeMap<usize, Vec<u16>> {
    let mut onsets: BTreeMap<i64, u16> = BTreeMap::new();
    for n in notes.iter().filter(|n| n.on && n.channel == 0) {
        *onsets.entry((n.beats * 2.0).round() as i64).or_default() |= 1 << (n.key - CHORD_LOW);
    }
    let mut bars: BTreeMap<usize, Vec<u16>> = BTreeMap::new();
    for (step, mask) in onsets {
        bars.entry(step as usize / STEPS_PER_BAR).or_default().push(mask);
    }
    bars
}

/// The first song bar whose chord is not the form's (struck once, at the bar start, right).
fn first_wrong_bar(notes: &[TimedNote], bars: usize) -> Option<usize> {
    let masks = builtin_form_masks();
    let by_bar = chords_by_bar(notes);
    (0..bars).find(|bar| by_bar.get(bar) != Some(&vec![masks[bar % 12]]))
}

#[test]
fn the_embedded_exp2_model_keeps_the_form_for_1000_choruses_with_its_melody_in_the_scale() {
    let model = models::builtin_model().expect("the embedded Exp 2 model loads");
    let notes = render_model(model, 1000, 1, 1.0);
    if let Some(bar) = first_wrong_bar(&notes, 12_000) {
        panic!(
            "bar {} (chorus {}, form bar {}: {}) has chords {:?}",
            bar + 1,
            bar / 12 + 1,
            bar % 12 + 1,
            BUILTIN_FORM[bar % 12].name,
            chords_by_bar(&notes).get(&bar)
        );
    }
    let melody: Vec<u8> = notes.iter().filter(|n| n.on && n.channel == 1).map(|n| n.key).collect();
    let outside = melody.iter().filter(|k| !PENTATONIC.contains(k)).count();
    assert!(melody.len() >= 1000 * 48, "a melody note on most beats: {}", melody.len());
    assert!(outside * 100 <= melody.len(), "{outside} of {} melody notes outside the scale", melody.len());
    println!("1000 choruses: every bar's chord right; {} melody notes, {outside} outside the scale", melody.len());
}

#[test]
fn the_embedded_exp1_model_reproduces_the_chords_for_1000_choruses() {
    let model = models::builtin_chords_model().expect("the embedded Exp 1 model loads");
    assert_eq!(model.topology.n_melody, 0, "Exp 1 is chords only");
    let notes = render_model(model, 1000, 3, 1.0);
    assert_eq!(first_wrong_bar(&notes, 12_000), None);
    assert!(notes.iter().all(|n| n.channel == 0), "no melody from a chords-only model");
}

/// The melody of each chorus, as its sequence of (step, key) onsets within the chorus.
fn melodies(notes: &[TimedNote]) -> Vec<Vec<(i64, u8)>> {
    let mut choruses: BTreeMap<i64, Vec<(i64, u8)>> = BTreeMap::new();
    for n in notes.iter().filter(|n| n.on && n.channel == 1) {
        let step = (n.beats * 2.0).round() as i64;
        choruses.entry(step / 96).or_default().push((step % 96, n.key));
    }
    choruses.into_values().collect()
}

#[test]
fn the_melody_is_new_every_chorus() {
    let notes = render_model(models::builtin_model().unwrap(), 20, 5, 1.0);
    let distinct: HashSet<Vec<(i64, u8)>> = melodies(&notes).into_iter().collect();
    assert!(distinct.len() >= 18, "only {} distinct melodies in 20 choruses", distinct.len());
    let corpus: HashSet<Vec<u8>> =
        (0..4096).map(|i| builtin_chorus(i).iter().step_by(2).map(|f| 60 + f.melody.unwrap()).collect()).collect();
    let copied =
        melodies(&notes).iter().filter(|m| corpus.contains(&m.iter().map(|(_, k)| *k).collect::<Vec<_>>())).count();
    assert!(copied < 10, "{copied} of 20 choruses copy a training chorus note for note");
}

#[test]
fn temperature_zero_plays_the_likeliest_notes_and_one_samples() {
    let model = models::builtin_model().unwrap();
    let cold_a = render_model(model, 4, 1, 0.0);
    let cold_b = render_model(model, 4, 2, 0.0);
    assert_eq!(cold_a, cold_b, "at temperature 0 the seed does not matter");
    let warm_a = render_model(model, 4, 1, 1.0);
    let warm_b = render_model(model, 4, 2, 1.0);
    assert_ne!(warm_a, warm_b, "at temperature 1 another seed plays another melody");
    assert_eq!(warm_a, render_model(model, 4, 1, 1.0), "the same seed plays the same music");
    for notes in [&cold_a, &warm_a, &warm_b] {
        assert_eq!(first_wrong_bar(notes, 48), None, "chords are thresholded whatever the temperature");
    }
    let hot = render_model(model, 8, 1, 2.0);
    assert_eq!(first_wrong_bar(&hot, 96), None, "even a hot melody keeps the form");
}

#[test]
fn reseed_changes_the_melody_where_the_song_is_and_keeps_the_form() {
    let play = |reseed: bool| {
        let mut s = Session::with_mode(48_000.0, 120.0, PlayMode::Improvise);
        s.play_until(26.0, || 512); // into bar 7
        if reseed {
            s.set_param("reseed", 1.0);
        }
        s.play_until(96.0, || 512);
        s.stop(1);
        s
    };
    let (plain, reseeded) = (play(false), play(true));
    for s in [&plain, &reseeded] {
        assert_in_order(&s.events);
        assert_no_hanging(&s.events);
        assert_chords_follow_the_form(&s.events, 0, 0);
    }
    let melody_after = |s: &Session| -> Vec<(u64, u8)> {
        s.events.iter().filter(|e| e.on && e.channel == 1 && e.beats >= 26.0).map(|e| (e.sample, e.key)).collect()
    };
    let melody_before = |s: &Session| -> Vec<(u64, u8)> {
        s.events.iter().filter(|e| e.on && e.channel == 1 && e.beats < 26.0).map(|e| (e.sample, e.key)).collect()
    };
    assert_eq!(melody_before(&plain), melody_before(&reseeded));
    assert_ne!(melody_after(&plain), melody_after(&reseeded), "Reseed draws new choices");
    reseeded.write_mid("reseed_in_bar_7");
}

#[test]
fn notes_played_into_the_plugin_steer_the_network_and_the_form_holds() {
    let play = |steer: bool| {
        let mut s = Session::with_mode(48_000.0, 120.0, PlayMode::Improvise);
        s.set_param("thru", 0.0);
        if steer {
            // A D5 struck just before every beat of bars 3-6: the network takes it as its melody.
            let spb = s.samples_per_beat();
            for beat in 8..24u64 {
                let at = (beat as f64 * spb) as u64 - 200;
                s.to_send.push_back((at, 0, 74, true));
                s.to_send.push_back((at + 100, 0, 74, false));
            }
        }
        s.play_until(96.0, || 256);
        s.stop(1);
        s
    };
    let (free, steered) = (play(false), play(true));
    assert_chords_follow_the_form(&steered.events, 0, 0);
    assert_no_hanging(&steered.events);
    let melody = |s: &Session| -> Vec<(u64, u8)> {
        s.events.iter().filter(|e| e.on && e.channel == 1).map(|e| (e.sample, e.key)).collect()
    };
    assert_ne!(melody(&free), melody(&steered), "played notes change what the network plays");
    steered.write_mid("steered_by_d5");
}

#[test]
fn a_model_swap_mid_song_sounds_at_a_step_and_leaves_nothing_hanging() {
    let mut s = Session::with_mode(48_000.0, 120.0, PlayMode::Improvise);
    s.play_until(13.3, || 333);
    let exp1 = models::builtin_chords_model().unwrap().clone();
    s.plugin.project().set_model(exp1);
    s.play_until(48.0, || 333);
    s.stop(1);
    assert_in_order(&s.events);
    assert_no_hanging(&s.events);
    assert_chords_follow_the_form(&s.events, 0, 0);
    let late_melody = s.events.iter().filter(|e| e.on && e.channel == 1 && e.beats > 14.0).count();
    assert_eq!(late_melody, 0, "the chords-only model took over at the next step");
    let swap = s.events.iter().filter(|e| e.beats > 13.3).map(|e| e.beats).next().unwrap();
    assert!(((swap * 2.0) - (swap * 2.0).round()).abs() < 1e-3, "the swap sounds on a step, not between");
}
