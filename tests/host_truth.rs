//! Hosts as they really behave (issue 11): a host that puts plugins to sleep whenever it may, a
//! host that rounds its musical position (as Ardour 7 does) beside an exact sample position, one
//! that gives rounded beats only, an offline bounce (and a style changed in the middle of one),
//! the bypass button, and a plugin destroyed in the middle of a retrain. All through the real `Plugin::process` under the allocation guard.

mod common;

use common::analysis::*;
use common::Session;
use nice_plug::prelude::ProcessMode;

const CHORDS: u8 = 0;
const MELODY: u8 = 1;
/// Ardour 7 reports `projectTimeMusic` in 1/1920 of a quarter note.
const ARDOUR_ROUNDING: f64 = 1.0 / 1920.0;

/// The first sample at or after song step `step` (eighth notes, swung as the plugin's default
/// at `tempo`) at `spb` samples per beat.
fn step_sample(step: i64, spb: f64, tempo: f64) -> u64 {
    (swung_step_start(step, default_swing_at(tempo)) * spb - 1e-7).ceil() as u64
}

/// Every NoteOn's distance, in samples, from the exact sample of the eighth note it belongs to,
/// for a session played from beat 0 without jumps.
fn worst_onset_error(session: &Session) -> u64 {
    let (spb, tempo) = (session.samples_per_beat(), session.tempo());
    session
        .events
        .iter()
        .filter(|e| e.on && (e.channel == CHORDS || e.channel == MELODY))
        .map(|e| {
            // The step it belongs to, even a few samples early (steps are a quarter beat apart or more).
            let step = swung_step_at(e.sample as f64 / spb + 1.0 / 16.0, default_swing_at(tempo));
            e.sample.abs_diff(step_sample(step, spb, tempo))
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn a_host_that_sleeps_quiet_plugins_still_hears_the_whole_form() {
    let mut s = Session::new(48_000.0, 120.0);
    s.sleepy = true;
    s.play_until(4.0 * 96.0 / 2.0, || 512);
    s.stop(512);
    assert_eq!(s.skipped_blocks, 0, "the host was allowed to put the plugin to sleep");
    assert_no_hanging(&s.events);
    assert_eq!(assert_chords_follow_the_form(&s.events, CHORDS, 0), 48, "four choruses, a chord per bar");
    assert_eq!(s.plugin.display().recorded(), 4 * 96, "every eighth note played");
}

#[test]
fn onsets_are_exact_when_the_host_rounds_its_beats_but_gives_exact_samples() {
    for (tempo, sample_rate, block) in [(120.0, 48_000.0, 512), (137.0, 44_100.0, 256), (93.0, 96_000.0, 1000)] {
        let mut s = Session::new(sample_rate, tempo);
        s.transport.beats_rounding = Some(ARDOUR_ROUNDING);
        s.transport.give_samples = true;
        s.play_until(96.0, || block);
        s.stop(block);
        assert_eq!(worst_onset_error(&s), 0, "{tempo} BPM {sample_rate} Hz: onsets off the exact grid");
        assert_chords_follow_the_form(&s.events, CHORDS, 0);
        assert_no_hanging(&s.events);

        // Seeks to positions the host rounds: the first step after each lands on its exact sample.
        let mut s = Session::new(sample_rate, tempo);
        s.transport.beats_rounding = Some(ARDOUR_ROUNDING);
        s.transport.give_samples = true;
        let spb = s.samples_per_beat();
        for target in [13.37, 50.01, 7.77] {
            // A host seeks to a sample: its position in beats is that sample over the tempo.
            let sample = (target * spb).round();
            s.seek(sample / spb);
            let first_event = s.events.len();
            s.play_until(sample / spb + 8.0, || block);
            let swing = default_swing_at(tempo);
            let next_step = (swung_step_at(sample / spb - 1e-7, swing) + 1..)
                .find(|&n| swung_step_start(n, swing) * spb >= sample - 1e-7)
                .expect("a step follows");
            let first_on = s.events[first_event..].iter().find(|e| e.on).expect("something plays");
            let at = first_on.beats * spb;
            assert_eq!(at.round() as u64, step_sample(next_step, spb, tempo), "after a seek to beat {target}");
        }
        s.stop(block);
        assert_no_hanging(&s.events);
    }
}

#[test]
fn a_host_with_rounded_beats_only_still_spaces_steps_exactly() {
    let mut s = Session::new(48_000.0, 120.0);
    s.transport.beats_rounding = Some(ARDOUR_ROUNDING);
    // 701 samples: block starts fall between the host's 1/1920 beats, so it rounds them.
    s.play_until(96.0, || 701);
    s.stop(701);
    assert_eq!(worst_onset_error(&s), 0, "onsets wobble with the host's rounding");
    assert_chords_follow_the_form(&s.events, CHORDS, 0);
    assert_on_grid(&s.events, &[CHORDS, MELODY]);
}

/// What a session plays: (sample, channel, key, on) of every event.
fn notes_of(s: &Session) -> Vec<(u64, u8, u8, bool)> {
    s.events.iter().map(|e| (e.sample, e.channel, e.key, e.on)).collect()
}

#[test]
fn an_offline_bounce_plays_exactly_what_live_playback_plays() {
    let play = |mode: ProcessMode, block: u32| {
        let mut s = Session::with_process_mode(48_000.0, 126.0, mode);
        s.set_param("seed", 42.0);
        s.play_until(48.0, || block);
        s.seek(8.0); // and a jump back, as a bounce of a loop region does
        s.play_until(40.0, || block);
        s.stop(block);
        notes_of(&s)
    };
    let live = play(ProcessMode::Realtime, 512);
    assert!(live.len() > 100);
    assert_eq!(play(ProcessMode::Offline, 512), live, "offline, same blocks");
    assert_eq!(play(ProcessMode::Offline, 8192), live, "offline, the large blocks a bounce uses");
}

/// A bounce with the Style changed between two choruses plays the new band from the next step:
/// an offline render may wait for the band to be built, so it never plays the old one on.
#[test]
fn a_style_changed_in_an_offline_bounce_plays_from_the_next_bar() {
    use blues_lstm::model::builtin::BUILTINS;
    for (from, to) in [(common::PAPER_EXP2, 0), (0, 5), (5, 1)] {
        let mut s = Session::with_style_and_mode(48_000.0, 180.0, from, ProcessMode::Offline);
        s.set_param("comp", 0.0);
        s.set_param("voice", 2.0);
        let (old, new) = (&BUILTINS[from].style().chords, &BUILTINS[to].style().chords);
        let old_beats = old.len() as f64 / 2.0;
        s.play_until(old_beats, || 1024);
        let played_before = s.events.len();
        s.set_param("style", to as f32);
        s.play_until(old_beats + new.len() as f64 / 2.0, || 1024);
        s.stop(64);
        assert_no_hanging(&s.events);
        let (before, after) = s.events.split_at(played_before);
        assert_chords_follow(before, CHORDS, 0, old);
        // The new band's form counts from the song's bar 1: the bar after the change is its
        // bar (old length mod new length) + 1.
        let shifted: Vec<u16> = (0..new.len()).map(|i| new[(i + 2 * old_beats as usize) % new.len()]).collect();
        let moved: Vec<_> = after.iter().map(|e| common::Recorded { beats: e.beats - old_beats, ..*e }).collect();
        let chords = assert_chords_follow(&moved, CHORDS, 0, &shifted);
        assert!(
            chords * 8 >= new.len(),
            "{} → {}: {chords} chords after the change",
            BUILTINS[from].id,
            BUILTINS[to].id
        );
        let bass_in_first_bar = after.iter().filter(|e| e.on && e.channel == 2 && e.beats < old_beats + 4.0).count();
        let plays_bass = BUILTINS[to].model().unwrap().encoding.bass.is_some();
        assert_eq!(
            bass_in_first_bar > 0,
            plays_bass,
            "{}: bass notes in the first bar after the change",
            BUILTINS[to].id
        );
    }
}

#[test]
fn bypass_releases_everything_passes_input_through_and_keeps_the_form_counting() {
    let mut s = Session::new(48_000.0, 120.0);
    s.set_param("thru", 0.0);
    let spb = s.samples_per_beat();
    s.play_until(6.0, || 512);
    let sounding_before = s.plugin.engine().sounding();
    assert!(sounding_before > 0, "something sounds before the bypass");
    s.set_param("bypass", 1.0);
    let at = s.events.len();
    // A note played while bypassed passes through, though thru is off.
    s.to_send.push_back(((8.0 * spb) as u64, 3, 64, true));
    s.to_send.push_back(((9.0 * spb) as u64, 3, 64, false));
    s.play_until(20.0, || 512);
    assert_eq!(s.plugin.engine().sounding(), 0);
    let during: Vec<_> = s.events[at..].iter().collect();
    assert!(during.iter().filter(|e| e.on).all(|e| e.channel == 3), "only the played note sounds: {during:?}");
    assert!(during.iter().any(|e| e.on && e.channel == 3 && e.key == 64), "the played note passed through");
    s.set_param("bypass", 0.0);
    let resumed = s.events.len();
    s.play_until(24.0, || 512);
    // Bar 6 (beats 20–24) of the form: its chord, right on the downbeat.
    let first = s.events[resumed..].iter().find(|e| e.on && e.channel == CHORDS).expect("chords resume");
    assert_eq!(first.sample, (20.0 * spb) as u64, "the music resumes on the bar line");
    s.stop(512);
    assert_no_hanging(&s.events);
    assert_chords_follow_the_form(&s.events, CHORDS, 0);
}

#[test]
fn destroying_the_plugin_during_a_retrain_ends_the_training_thread() {
    for _ in 0..3 {
        let mut s = Session::new(48_000.0, 120.0);
        // The Retrain button as a host or controller presses it, from the audio thread.
        s.play_until(1.0, || 512);
        s.set_param("retrn", 1.0);
        s.play_until(2.0, || 512);
        let training = s.plugin.training();
        let waited = std::time::Instant::now();
        while !training.status().running && waited.elapsed().as_secs() < 5 {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        assert!(training.status().running, "the Retrain press started a run");
        assert!(training.has_live_thread());
        s.play_until(3.0, || 512);
        drop(s);
        assert!(!training.has_live_thread(), "the training thread outlived its plugin");
        assert!(!training.status().running, "the run was cancelled");
    }
    // A plugin that never trained drops as fast as ever.
    let started = std::time::Instant::now();
    drop(blues_lstm::BluesLstm::default());
    assert!(started.elapsed().as_secs_f32() < 5.0);
}
