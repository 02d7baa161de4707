//! The LSTM in the composer's seat, checked as a listener would: every built-in model keeps its
//! form for 1000 free-running choruses, the melody stays in the scale and is new every chorus,
//! temperature and seed do what they say, played notes steer the network, and a model swap
//! mid-song leaves no note hanging. Renders go through the plugin's own engine (the offline
//! renderer the CLI uses) or the real `Plugin::process` (fake host).

mod common;

use blues_lstm::engine::feel::Feel;
use blues_lstm::engine::{Settings, DEFAULT_TEMPERATURE};
use blues_lstm::eval::lstm_frames;
use blues_lstm::model::builtin::{default_builtin, BUILTINS};
use blues_lstm::model::Model;
use blues_lstm::music::chord_names::chord_name;
use blues_lstm::music::chord_names::chord_root;
use blues_lstm::music::corpus::Corpus;
use blues_lstm::music::midi_file::TimedNote;
use blues_lstm::render::{model_engine, render, RenderSpec};
use common::analysis::{
    assert_chords_follow_the_form, assert_in_order, assert_no_hanging, default_swing_at, pitch_classes, swung_step_at,
    swung_step_start,
};
use common::builtins::exp1;
use common::{PlayMode, Session};
use std::collections::{BTreeMap, HashSet};

/// The default model and its corpus.
fn default_model() -> (&'static Model, Corpus) {
    let b = default_builtin();
    (b.model().expect("the default model loads"), b.corpus())
}

/// Renders `choruses` choruses of `model` from bar 1 through the plugin's engine.
fn render_model(model: &Model, corpus: &Corpus, choruses: u32, seed: u64, temperature: f32) -> Vec<TimedNote> {
    let mut engine = model_engine(model, corpus).expect("the model plays here");
    let settings = Settings { seed, temperature, ..Settings::default() };
    render(&mut engine, &settings, &RenderSpec { choruses, tempo_bpm: 120.0, ..RenderSpec::default() })
}

/// The first song step whose chord is not the form's, in a free run's frames.
fn first_wrong_step(frames: &[blues_lstm::music::encoding::Frame], form: &[u16]) -> Option<usize> {
    frames.iter().enumerate().position(|(s, f)| f.chord != form[s % form.len()])
}

/// Every chord struck in a render is the form's at its step; returns the chords struck.
fn chords_right(notes: &[TimedNote], form: &[u16]) -> Result<usize, String> {
    let mut onsets: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
    for n in notes.iter().filter(|n| n.on && n.channel == 0) {
        onsets.entry((n.beats * 2.0).round() as i64).or_default().push(n.key);
    }
    for (step, keys) in &onsets {
        let want = form[(*step as usize) % form.len()];
        let got = pitch_classes(keys, 0);
        if got != want {
            return Err(format!(
                "step {step} (bar {}) played {} over {}",
                step / 8 + 1,
                chord_name(got),
                chord_name(want)
            ));
        }
    }
    Ok(onsets.len())
}

#[test]
fn every_builtin_model_keeps_its_form_for_1000_free_running_choruses() {
    for b in &BUILTINS {
        let model = b.model().unwrap_or_else(|| panic!("{} loads", b.id));
        let form = &b.style().chords;
        let frames = lstm_frames(model, &b.corpus(), 1000, 1, 1.0).unwrap();
        if let Some(step) = first_wrong_step(&frames, form) {
            panic!(
                "{}: step {step} (chorus {}, bar {}) played {}, the form has {}",
                b.id,
                step / form.len() + 1,
                step % form.len() / 8 + 1,
                chord_name(frames[step].chord),
                chord_name(form[step % form.len()])
            );
        }
        println!("{}: 1000 choruses of {} bars, every step's chord right", b.id, b.style().bars);
    }
}

#[test]
fn the_default_band_swings_breathes_and_walks_over_its_form() {
    let (model, corpus) = default_model();
    let notes = render_model(model, &corpus, 100, 1, DEFAULT_TEMPERATURE);
    let form = &default_builtin().style().chords;
    let beats = 100.0 * form.len() as f64 / 2.0;
    chords_right(&notes, form).unwrap_or_else(|e| panic!("{e}"));
    let ons = |channel: u8| notes.iter().filter(move |n| n.on && n.channel == channel);
    let melody: Vec<&TimedNote> = ons(1).collect();
    let line = model.encoding.melody.expect("a melody");
    assert!(melody.iter().all(|n| (line.low..=line.high()).contains(&n.key)), "the melody in its range");
    // Swung eighths: every off-beat onset at the swing, none straight.
    let swing = f64::from(Feel::default().swing);
    let off_beat: Vec<f64> = melody.iter().map(|n| n.beats.fract()).filter(|f| *f > 1e-6).collect();
    assert!(off_beat.iter().all(|f| (f - swing).abs() < 1e-6), "off-beats at {swing} of the beat");
    assert!(
        off_beat.len() * 4 >= melody.len(),
        "eighth-note lines: {} of {} notes off the beat",
        off_beat.len(),
        melody.len()
    );
    // It breathes: beats where no melody note sounds at all, as the corpus rests.
    let mut sounding = vec![false; beats as usize];
    let mut open: BTreeMap<u8, f64> = BTreeMap::new();
    for n in notes.iter().filter(|n| n.channel == 1) {
        if n.on {
            open.insert(n.key, n.beats);
        } else if let Some(start) = open.remove(&n.key) {
            for b in start.floor() as usize..(n.beats.ceil() as usize).min(sounding.len()) {
                sounding[b] |= (b as f64) < n.beats && start < (b + 1) as f64;
            }
        }
    }
    let silent = sounding.iter().filter(|s| !**s).count();
    assert!(silent * 10 >= sounding.len(), "rests: only {silent} of {} beats silent", sounding.len());
    // Dynamics: accents and contour move the velocity around the melody's 100.
    let velocities: HashSet<u8> = melody.iter().map(|n| n.velocity).collect();
    let (low, high) = (velocities.iter().min().unwrap(), velocities.iter().max().unwrap());
    assert!(velocities.len() >= 8 && high - low >= 15, "velocities {low}..{high}, {} of them", velocities.len());
    // The bass walks: a note on most beats, the root on most downbeats.
    let bass: Vec<&TimedNote> = ons(2).collect();
    let on_beats = bass.iter().filter(|n| n.beats.fract() < 1e-6).count();
    assert!(on_beats as f64 >= 0.75 * beats, "a bass note on {on_beats} of {beats} beats");
    let bars = 100 * form.len() / 8;
    let roots = bass
        .iter()
        .filter(|n| n.beats % 4.0 < 1e-6)
        .filter(|n| {
            let chord = form[((n.beats * 2.0).round() as usize) % form.len()];
            chord_root(chord).is_some_and(|(root, _)| n.key % 12 == root)
        })
        .count();
    assert!(roots * 10 >= bars * 6, "the root on beat 1 of {roots} of {bars} bars");
}

/// A band model file saved before the drummer (format 2.0, no drums in its encoding) loads as
/// it is and plays its band, without drums, on its form; its begin units still mark every
/// onset (it was written before the restrike unit), and are read so.
#[test]
fn a_band_model_saved_before_the_drummer_still_loads_and_plays_drumless() {
    let model = Model::from_json(include_str!("fixtures/bebop-blues-drumless-2.0.json")).expect("today's file loads");
    assert!(!model.encoding.drums && model.encoding.bass.is_some() && model.encoding.comp);
    let melody = model.encoding.melody.unwrap();
    assert!(melody.begin && !melody.restrike, "an onset begin unit");
    let corpus = default_builtin().corpus();
    let form: Vec<u16> = default_builtin().style().chords.clone();
    let notes = render_model(&model, &corpus, 20, 3, DEFAULT_TEMPERATURE);
    assert!(chords_right(&notes, &form).unwrap() >= 20 * 12, "the form holds");
    assert!(notes.iter().any(|n| n.on && n.channel == 2), "it walks");
    assert!(!notes.iter().any(|n| n.channel == 9), "and plays no drums");
}

#[test]
fn the_embedded_exp1_model_plays_chords_only() {
    let model = exp1();
    assert_eq!(model.weights.topology.groups.len(), 1, "Exp 1 is chords only");
    let b = blues_lstm::model::builtin::builtin("paper-exp1").unwrap();
    let notes = render_model(model, &b.corpus(), 50, 3, 1.0);
    chords_right(&notes, &b.style().chords).unwrap_or_else(|e| panic!("{e}"));
    assert!(notes.iter().all(|n| n.channel == 0), "no melody from a chords-only model");
}

/// The melody of each chorus, as its sequence of (step, key) onsets within the chorus.
fn melodies(notes: &[TimedNote], steps: i64) -> Vec<Vec<(i64, u8)>> {
    let mut choruses: BTreeMap<i64, Vec<(i64, u8)>> = BTreeMap::new();
    for n in notes.iter().filter(|n| n.on && n.channel == 1) {
        let step = (n.beats * 2.0).round() as i64;
        choruses.entry(step / steps).or_default().push((step % steps, n.key));
    }
    choruses.into_values().collect()
}

#[test]
fn the_melody_is_new_every_chorus() {
    let (model, corpus) = default_model();
    let steps = corpus.form.steps() as i64;
    let notes = render_model(model, &corpus, 20, 5, 1.0);
    let distinct: HashSet<Vec<(i64, u8)>> = melodies(&notes, steps).into_iter().collect();
    assert!(distinct.len() >= 18, "only {} distinct melodies in 20 choruses", distinct.len());
    // No chorus copies one of 4096 training choruses note for note.
    let corpus_melodies: HashSet<Vec<(i64, u8)>> = (0..corpus.len().min(4096))
        .map(|i| {
            let c = corpus.chorus(i);
            c.iter()
                .enumerate()
                .filter(|(_, f)| f.melody.begin)
                .filter_map(|(s, f)| Some((s as i64, f.melody.key?)))
                .collect()
        })
        .collect();
    let copied = melodies(&notes, steps).iter().filter(|m| corpus_melodies.contains(*m)).count();
    assert!(copied < 10, "{copied} of 20 choruses copy a training chorus note for note");
}

#[test]
fn temperature_zero_plays_the_likeliest_notes_and_one_samples() {
    let (model, corpus) = default_model();
    let form = &default_builtin().style().chords;
    let cold_a = render_model(model, &corpus, 4, 1, 0.0);
    let cold_b = render_model(model, &corpus, 4, 2, 0.0);
    assert_eq!(cold_a, cold_b, "at temperature 0 the seed does not matter");
    let warm_a = render_model(model, &corpus, 4, 1, 1.0);
    let warm_b = render_model(model, &corpus, 4, 2, 1.0);
    assert_ne!(warm_a, warm_b, "at temperature 1 another seed plays another melody");
    assert_eq!(warm_a, render_model(model, &corpus, 4, 1, 1.0), "the same seed plays the same music");
    for notes in [&cold_a, &warm_a, &warm_b] {
        chords_right(notes, form).unwrap_or_else(|e| panic!("chords are thresholded whatever the temperature: {e}"));
    }
    let hot = render_model(model, &corpus, 8, 1, 2.0);
    chords_right(&hot, form).unwrap_or_else(|e| panic!("even a hot melody keeps the form: {e}"));
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
    s.plugin.project().set_model(exp1().clone());
    s.play_until(48.0, || 333);
    s.stop(1);
    assert_in_order(&s.events);
    assert_no_hanging(&s.events);
    assert_chords_follow_the_form(&s.events, 0, 0);
    let late_melody = s.events.iter().filter(|e| e.on && e.channel == 1 && e.beats > 14.0).count();
    assert_eq!(late_melody, 0, "the chords-only model took over at the next step");
    // The first note struck after the swap is on a (swung) step, not between.
    let swap = s.events.iter().filter(|e| e.on && e.beats > 13.3).map(|e| e.beats).next().unwrap();
    let step = swung_step_start(swung_step_at(swap, default_swing_at(120.0)), default_swing_at(120.0));
    assert!((swap - step).abs() < 1e-3, "the swap sounds on a step, not between: beat {swap}");
}
