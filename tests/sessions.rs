//! Randomized host sessions: 10,000 seeded sessions through the real `Plugin::process` with
//! random block sizes (1–8192), sample rates (22,050–192,000 Hz), tempos (20–999 BPM, changed
//! mid-song), seeks forward and back, loops, stops, missing transport fields, parameter changes,
//! incoming note storms and model swaps (the chords-only model, the built-in one, back again),
//! half of them with the swing fixed and half with it following the tempo (so a tempo change
//! moves the off-beats too). After every block: no skipped or doubled step (checked against an
//! independent oracle of which steps start inside the block), events in order; at the end of each
//! session no hanging note; and never an allocation in process() (the fake host's guard).
//!
//! A failure names its session seed; replay one with `BLUES_LSTM_SESSION=<seed> cargo test
//! --test sessions` (add `BLUES_LSTM_SESSION_TRACE=1` to print every block).
//! `BLUES_LSTM_SESSIONS=<n>` changes the count.

mod common;

use blues_lstm::engine::swing::SwingMode;
use common::analysis::{assert_in_order, assert_no_hanging, swung_step_at, swung_step_start};
use common::{Session, TestRng};

const SAMPLE_RATES: [f32; 6] = [22_050.0, 44_100.0, 48_000.0, 88_200.0, 96_000.0, 192_000.0];
/// Parameters changed mid-session (none moves a step: swing is set per session).
const PARAMS: [(&str, f32, f32); 16] = [
    ("key", -12.0, 12.0),
    ("seed", 0.0, 9_999.0),
    ("chon", 0.0, 1.0),
    ("mlon", 0.0, 1.0),
    ("chch", 1.0, 16.0),
    ("mlch", 1.0, 16.0),
    ("thru", 0.0, 1.0),
    ("mlvel", 1.0, 127.0),
    ("bass", 0.0, 1.0),
    ("bassoc", -2.0, 2.0),
    ("gate", 20.0, 100.0),
    ("dyn", 0.0, 100.0),
    ("voice", 0.0, 2.0),
    ("comp", 0.0, 100.0),
    ("trade", 0.0, 4.0),
    ("tradefill", 0.0, 1.0),
];
/// Swings a session plays at (whole percents, as the parameter steps): straight, the default,
/// about triplets, the most.
const SWINGS: [f64; 4] = [0.5, 0.58, 0.67, 0.75];

fn block_size(rng: &mut TestRng) -> u32 {
    match rng.below(10) {
        0 => 1 + rng.below(4) as u32,
        1 => 8192,
        2..=4 => 1 + rng.below(8192) as u32,
        _ => 32 << rng.below(6),
    }
}

/// Whether a step boundary lies so close to `beats` that rounding may put it either side.
fn near_a_step_boundary(beats: f64, swing: f64) -> bool {
    let n = swung_step_at(beats, swing);
    (n..=n + 1).any(|n| (swung_step_start(n, swing) - beats).abs() < 1e-6)
}

fn run_session(seed: u64) {
    let mut rng = TestRng(seed);
    let sample_rate = SAMPLE_RATES[rng.below(6) as usize];
    let tempo = 20.0 + rng.below(980) as f64;
    let mut s = Session::new(sample_rate, tempo);
    let knob = SWINGS[rng.below(SWINGS.len() as u64) as usize];
    s.set_param("swing", (knob * 100.0).round() as f32);
    // Even sessions follow the tempo, odd ones play the Swing as set (from the seed, so the
    // random draws stay as they were before there was a choice).
    let mode = if seed.is_multiple_of(2) { SwingMode::FollowsTempo } else { SwingMode::Fixed };
    s.set_param("swmode", if mode == SwingMode::Fixed { 0.0 } else { 1.0 });
    s.seek(rng.below(200) as f64 / 4.0);
    let display = s.plugin.display();
    let blocks = 20 + rng.below(120);
    // The next step the plugin must play, when the test knows it.
    let mut next_step: Option<i64> = None;
    // Whether the next block continues the last one (no seek, loop jump, stop or lost position).
    let mut continuous = false;
    // Whether the song position moved since the last block (a seek, a loop jump or a stop), as
    // opposed to the position being hidden or given again (see below).
    let mut jumped = true;

    for _ in 0..blocks {
        match rng.below(40) {
            0 => {
                s.seek(rng.below(4000) as f64 / 8.0 - 8.0);
                (continuous, jumped) = (false, true);
            }
            1 => {
                let start = rng.below(48) as f64;
                s.transport.loop_range_beats = Some((start, start + 4.0 * (1 + rng.below(8)) as f64));
                s.seek(start);
                (continuous, jumped) = (false, true);
            }
            2 => {
                s.stop(block_size(&mut rng));
                (continuous, jumped) = (false, true);
                continue;
            }
            3 => s.transport.tempo = Some(20.0 + rng.below(980) as f64),
            4 => s.transport.tempo = if s.transport.tempo.is_some() { None } else { Some(tempo) },
            5 => {
                s.transport.give_position = !s.transport.give_position;
                continuous = false;
            }
            6 | 7 => {
                let (id, low, high) = PARAMS[rng.below(PARAMS.len() as u64) as usize];
                s.set_param(id, low + rng.below((high - low) as u64 + 1) as f32);
            }
            8 => {
                for _ in 0..rng.below(3000) {
                    let at = s.sample + rng.below(8192);
                    let key = rng.below(128) as u8;
                    s.to_send.push_back((at, 15, key, true));
                    s.to_send.push_back((at, 15, key, false));
                }
                s.to_send.make_contiguous().sort_by_key(|e| e.0);
            }
            9 => {
                // A model swap, as after retraining or loading one: staged off the audio thread,
                // taken by process() at the next block, sounding from the next step.
                let project = s.plugin.project();
                if rng.below(2) == 0 {
                    project.set_model(common::builtins::exp1().clone());
                } else {
                    project.use_builtin_model();
                }
            }
            _ => {}
        }
        s.transport.playing = true;
        // A host that loops jumps back once the song reaches the loop end.
        if let Some((loop_start, loop_end)) = s.transport.loop_range_beats {
            if s.pos_beats >= loop_end {
                s.seek(loop_start);
                (continuous, jumped) = (false, true);
            }
        }
        let (start_beats, spb) = (s.pos_beats, s.samples_per_beat());
        // The swing of this block's tempo (the oracle's own reading of the stated curve).
        let swing = mode.swing(knob, s.tempo());
        if !continuous {
            let exact = s.transport.give_position && !near_a_step_boundary(start_beats, swing);
            next_step = exact.then(|| swung_step_at(start_beats - 1e-9, swing) + 1);
            // The position given again without a jump: the plugin plays on if its own count
            // agrees with the host's, or re-aligns if not (its count ran on from bar 1 after a
            // stop). When it has already played the step the swing now puts next (played at an
            // earlier tempo's smaller swing), either may be right: unknown until a step plays.
            if let (false, Some(next), Some(last)) = (jumped, next_step, display.step()) {
                if last >= next {
                    next_step = None;
                }
            }
            jumped = false;
        }
        let (events_before, recorded_before) = (s.events.len(), display.recorded());
        let samples = block_size(&mut rng);
        if std::env::var_os("BLUES_LSTM_SESSION_TRACE").is_some() {
            eprintln!("block at {start_beats:.5} +{samples} spb {spb:.2} continuous {continuous} next {next_step:?} tempo {:?} pos {} loop {:?} swing {swing}", s.transport.tempo, s.transport.give_position, s.transport.loop_range_beats);
        }
        s.block(samples);
        if std::env::var_os("BLUES_LSTM_SESSION_TRACE").is_some() {
            eprintln!("  -> pos {:.5} played {}", s.pos_beats, display.recorded() - recorded_before);
        }
        let played = display.recorded() - recorded_before;
        let last = display.step();
        assert_in_order(&s.events[events_before..]);

        let last_sample = start_beats + f64::from(samples - 1) / spb;
        let loop_cut = s.transport.loop_range_beats.is_some_and(|(_, end)| last_sample >= end - 1e-6);
        match next_step {
            Some(first) if s.transport.give_position && !loop_cut && !near_a_step_boundary(last_sample, swing) => {
                let expected_last = swung_step_at(last_sample, swing);
                let expected = (expected_last - first + 1).max(0) as u64;
                assert_eq!(played, expected, "session {seed}: block at beat {start_beats:.5} ({samples} samples, {spb:.2} samples/beat) played {played} steps from step {first}, want {expected}");
                if played > 0 {
                    assert_eq!(
                        last,
                        Some(expected_last),
                        "session {seed}: last step of the block at beat {start_beats:.5}"
                    );
                }
            }
            _ => {}
        }
        if played > 0 {
            next_step = last.map(|l| l + 1);
        } else if loop_cut || near_a_step_boundary(last_sample, swing) || !s.transport.give_position {
            next_step = None;
        }
        continuous = true;
    }
    s.stop(1);
    // Thru notes come in pairs; everything the plugin played must be released too.
    assert_no_hanging(&s.events);
    assert_eq!(s.plugin.engine().sounding(), 0, "session {seed}");
}

#[test]
fn ten_thousand_random_host_sessions() {
    if let Some(seed) = std::env::var("BLUES_LSTM_SESSION").ok().and_then(|v| v.parse().ok()) {
        run_session(seed);
        return;
    }
    let count: u64 = std::env::var("BLUES_LSTM_SESSIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    for seed in 0..count {
        run_session(seed);
    }
}
