//! The form survives anything a player plays (issue 19): every built-in band, many seeds, with
//! input a careless or adventurous player could send — a trading call in the tenor range, a
//! note storm on the band's own channels, a stuck note, chords that are not the form's, random
//! notes on any channel and key, a bass line on the bass input channel — and the piano (pads,
//! so every bar and change is struck) plays the form's chord in at least 99 % of half-bars.
//! Through the real `Plugin::process`, under the allocation guard.

mod common;

use blues_lstm::model::builtin::BUILTINS;
use blues_lstm::music::chord_names::chord_name;
use blues_lstm::music::encoding::STEPS_PER_BAR;
use common::analysis::*;
use common::{Recorded, Session, TestRng};

const CHORDS: u8 = 0;
const MELODY: u8 = 1;
const TEMPO: f64 = 160.0;
const RATE: f32 = 44_100.0;
const CHORUSES: usize = 3;

/// What the player sends in: (song step, length in steps, channel, key) notes, or stuck notes.
#[derive(Clone, Copy, Debug)]
enum Input {
    /// Trading fours, the player first: an eighth-note line in keys 55–70 (a tenor's or a
    /// trombone's register) in every one of the player's turns.
    TenorCall,
    /// Bars 3–4 of every chorus: 8 notes an eighth on channels 1–3, any key 0–127.
    NoteStorm,
    /// A C3 struck at the start and never released.
    StuckC3,
    /// A triad on a random root every half bar, on the chord channel, in the chord range.
    WrongChords,
    /// Random notes of random lengths on any channel, any key, at random times.
    Random,
    /// The bass input channel set to 3: a random walking line there, a random melody elsewhere.
    BassChannel,
}

const INPUTS: [Input; 6] =
    [Input::TenorCall, Input::NoteStorm, Input::StuckC3, Input::WrongChords, Input::Random, Input::BassChannel];

/// Plays `choruses` of built-in band `builtin` with `input`; returns the session.
fn play(builtin: usize, seed: u64, input: Input, choruses: usize) -> Session {
    let mut s = Session::style(RATE, TEMPO, builtin);
    s.set_param("seed", seed as f32);
    s.set_param("comp", 0.0); // pads: struck at every bar and change
    s.set_param("voice", 2.0); // as learned: the chord's pitch classes, nothing added
    s.set_param("thru", 0.0); // what the band plays, not the player echoed
    s.set_param("human", 0.0);
    let form_steps = BUILTINS[builtin].style().chords.len() as i64;
    let steps = form_steps * choruses as i64;
    let spb = s.samples_per_beat();
    let at = |step: f64| (step / 2.0 * spb).round() as u64;
    let mut rng = TestRng(seed * 7919 + builtin as u64);
    let mut notes: Vec<(u64, u8, u8, bool)> = Vec::new();
    let note = |from: f64, len: f64, channel: u8, key: u8, notes: &mut Vec<_>| {
        notes.push((at(from), channel, key, true));
        notes.push(((at(from + len)).saturating_sub(1).max(at(from) + 1), channel, key, false));
    };
    match input {
        Input::TenorCall => {
            s.set_param("trade", 2.0);
            s.set_param("tradefirst", 0.0);
            for step in 0..steps {
                let players_turn = (step / (4 * STEPS_PER_BAR as i64)) % 2 == 0;
                if players_turn && rng.below(6) != 0 {
                    note(step as f64, 1.0, MELODY, 55 + rng.below(16) as u8, &mut notes);
                }
            }
        }
        Input::NoteStorm => {
            for chorus in 0..choruses as i64 {
                for step in (chorus * form_steps + 16)..(chorus * form_steps + 32) {
                    for i in 0..8 {
                        let from = step as f64 + i as f64 / 8.0;
                        note(from, 0.1, rng.below(3) as u8, rng.below(128) as u8, &mut notes);
                    }
                }
            }
        }
        Input::StuckC3 => notes.push((0, CHORDS, 48, true)),
        Input::WrongChords => {
            for half_bar in 0..steps / 4 {
                let root = 48 + rng.below(12) as u8;
                for key in [root, root + 3 + rng.below(2) as u8, root + 7] {
                    note((half_bar * 4) as f64, 4.0, CHORDS, key.min(59), &mut notes);
                }
            }
        }
        Input::Random => {
            let mut t = 0.0;
            while t < steps as f64 {
                let len = 0.05 + rng.below(40) as f64 / 4.0;
                note(t, len, rng.below(16) as u8, rng.below(128) as u8, &mut notes);
                t += rng.below(8) as f64 / 4.0;
            }
        }
        Input::BassChannel => {
            s.set_param("inbass", 3.0);
            for step in 0..steps {
                if step % 2 == 0 {
                    note(step as f64, 2.0, 2, 28 + rng.below(20) as u8, &mut notes);
                }
                if rng.below(3) == 0 {
                    note(step as f64, 1.0, rng.below(2) as u8, 40 + rng.below(50) as u8, &mut notes);
                }
            }
        }
    }
    notes.sort_by_key(|&(sample, _, _, on)| (sample, on));
    s.to_send.extend(notes);
    let mut sizes = TestRng(seed);
    s.play_until(steps as f64 / 2.0, || 1 + sizes.below(1024) as u32);
    s.stop(64);
    s
}

/// Half-bars whose sounding piano chord is the form's, of all half-bars played.
fn half_bars_on_the_form(events: &[Recorded], form: &[u16], spb: f64, steps: i64) -> (usize, usize, Vec<String>) {
    let mut sounding = std::collections::BTreeSet::new();
    let mut piano = events.iter().filter(|e| e.channel == CHORDS).peekable();
    let (mut right, mut total, mut wrong) = (0, 0, Vec::new());
    for step in (0..steps).step_by(4) {
        // Pads are struck on the step's first sample: look just after it.
        let sample = (step as f64 / 2.0 * spb).ceil() as u64 + 2;
        while let Some(e) = piano.next_if(|e| e.sample <= sample) {
            if e.on {
                sounding.insert(e.key);
            } else {
                sounding.remove(&e.key);
            }
        }
        let keys: Vec<u8> = sounding.iter().copied().collect();
        let want = form[step as usize % form.len()];
        total += 1;
        if pitch_classes(&keys, 0) == want {
            right += 1;
        } else if wrong.len() < 4 {
            let played = chord_name(pitch_classes(&keys, 0));
            wrong.push(format!("bar {} half {}: {played} for {}", step / 8 + 1, step % 8 / 4 + 1, chord_name(want)));
        }
    }
    (right, total, wrong)
}

#[test]
fn every_band_plays_the_forms_chords_whatever_the_player_plays() {
    let mut worst = 1.0f64;
    for (index, builtin) in BUILTINS.iter().enumerate() {
        let form = &builtin.style().chords;
        for input in INPUTS {
            let (mut right, mut total) = (0, 0);
            let mut examples = Vec::new();
            for seed in 1..=3 {
                let s = play(index, seed, input, CHORUSES);
                assert_in_order(&s.events);
                assert_no_hanging(&s.events);
                let steps = (form.len() * CHORUSES) as i64;
                let (r, t, wrong) = half_bars_on_the_form(&s.events, form, s.samples_per_beat(), steps);
                right += r;
                total += t;
                examples.extend(wrong);
            }
            let share = right as f64 / total as f64;
            worst = worst.min(share);
            println!("{:<18} {:<12} {right}/{total} half-bars on the form", builtin.id, format!("{input:?}"));
            assert!(
                share >= 0.99,
                "{} with {input:?}: the form's chord in only {right} of {total} half-bars ({:.1} %); e.g. {examples:?}",
                builtin.id,
                100.0 * share
            );
        }
    }
    println!("worst: {:.2} % of half-bars on the form", 100.0 * worst);
}

#[test]
fn a_call_below_middle_c_is_heard_as_the_melody() {
    // Trading, a tenor's call (keys 55–70) is the network's melody input: the answer after it
    // is not the answer after silence.
    let answer = |input: Option<Input>, seed: u64| -> Vec<(u64, u8)> {
        let s = match input {
            Some(input) => play(0, seed, input, 1),
            None => {
                let mut s = Session::style(RATE, TEMPO, 0);
                s.set_param("seed", seed as f32);
                s.set_param("trade", 2.0);
                s.set_param("tradefirst", 0.0);
                s.set_param("comp", 0.0);
                s.set_param("voice", 2.0);
                s.set_param("thru", 0.0);
                s.play_until(48.0, || 512);
                s
            }
        };
        let spb = s.samples_per_beat();
        s.events
            .iter()
            .filter(|e| e.on && e.channel == MELODY && (16.0..20.0).contains(&(e.sample as f64 / spb)))
            .map(|e| (e.sample, e.key))
            .collect()
    };
    let differ = (1..=6).filter(|&seed| answer(Some(Input::TenorCall), seed) != answer(None, seed)).count();
    assert!(differ >= 5, "the answer after a tenor call differs from the answer after silence in {differ} of 6 seeds");
}
