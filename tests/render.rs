//! Offline renders through the real `Plugin::process` with a fake host: the form on the right
//! bars, onsets on the grid, no hanging notes, events in order, no allocation in process(),
//! across tempos, sample rates, block sizes, seeks, loops, stops and tempo changes — in both
//! modes: the LSTM improvising (the default) and the corpus auditioned.
//! Each test writes what it heard to target/renders/*.mid.

mod common;

use common::analysis::*;
use common::{PlayMode, Session, TestRng};

const CHORDS: u8 = 0;
const MELODY: u8 = 1;

const MODES: [PlayMode; 2] = [PlayMode::Improvise, PlayMode::Audition];

/// What a listener checks in any mode: events in order, nothing hanging, onsets on the grid,
/// every chord the chord of its bar, the melody in the scale (the corpus always; the network at
/// least 99% of its notes). Returns the number of chords struck.
fn check(session: &Session) -> usize {
    assert_in_order(&session.events);
    assert_no_hanging(&session.events);
    assert_on_grid(&session.events, &[CHORDS, MELODY]);
    let melody: Vec<u8> = session.events.iter().filter(|e| e.on && e.channel == MELODY).map(|e| e.key).collect();
    let outside = melody.iter().filter(|k| !in_corpus_scale(**k)).count();
    assert!(outside * 100 <= melody.len(), "{outside} of {} melody notes outside the scale", melody.len());
    assert_chords_follow_the_form(&session.events, CHORDS, 0)
}

#[test]
fn two_choruses_play_the_form_bar_by_bar_at_many_tempos_and_rates() {
    for mode in MODES {
        for (sample_rate, tempo, block) in [
            (44_100.0, 120.0, 512),
            (48_000.0, 97.5, 64),
            (96_000.0, 240.0, 4096),
            (22_050.0, 999.0, 8192),
            (192_000.0, 20.0, 1024),
        ] {
            let mut s = Session::with_mode(sample_rate, tempo, mode);
            s.play_until(96.0, || block);
            s.stop(256);
            let onsets = check(&s);
            assert_eq!(onsets, 24, "{mode:?} {sample_rate} Hz {tempo} BPM: one chord per bar");
            let starts = bar_starts_with_chords(&s.events, CHORDS);
            assert_eq!(starts.len(), 24);
            for (bar, beats) in starts.iter().enumerate() {
                let exact = (bar as f64 * 4.0 * s.samples_per_beat()).ceil();
                let sample = (beats * s.samples_per_beat()).round();
                assert!((sample - exact).abs() <= 1.0, "bar {} struck at {sample}, want {exact}", bar + 1);
            }
            let melody = s.events.iter().filter(|e| e.on && e.channel == MELODY).count();
            if mode == PlayMode::Audition {
                assert_eq!(melody, 2 * 48, "the corpus melody is quarter notes");
            } else {
                assert!(melody >= 48, "the network's melody sounds on most beats: {melody} notes");
            }
            let display = s.plugin.display();
            assert_eq!(display.recorded(), 192, "the editor sees every step");
            assert_eq!(display.step(), Some(191));
            assert!(!display.playing(), "and sees that the transport stopped");
            s.write_mid(&format!("form_{mode:?}_{sample_rate}hz_{tempo}bpm"));
        }
    }
}

#[test]
fn random_block_sizes_from_1_to_8192_change_nothing() {
    for mode in MODES {
        let mut reference = Session::with_mode(48_000.0, 133.0, mode);
        reference.play_until(48.0, || 512);
        reference.stop(1);
        let mut rng = TestRng(7);
        let mut s = Session::with_mode(48_000.0, 133.0, mode);
        s.play_until(48.0, || match rng.below(4) {
            0 => 1 + rng.below(8) as u32,
            1 => 1 + rng.below(8192) as u32,
            _ => 1 + rng.below(700) as u32,
        });
        s.stop(1);
        check(&s);
        let key = |e: &common::Recorded| (e.sample, e.channel, e.key, e.on);
        let a: Vec<_> = reference.events.iter().map(key).collect();
        let b: Vec<_> = s.events.iter().map(key).collect();
        assert_eq!(a.len(), b.len());
        assert_eq!(a, b, "{mode:?}: the same song, sample for sample, whatever the block sizes");
        s.write_mid(&format!("random_blocks_{mode:?}"));
    }
}

#[test]
fn a_seek_into_bar_8_plays_bar_8s_chord_from_the_next_step() {
    for mode in MODES {
        let mut s = Session::with_mode(48_000.0, 120.0, mode);
        s.play_until(5.0, || 480);
        s.seek(29.3); // inside bar 8 (A7)
        let before = s.events.len();
        s.play_until(40.0, || 480);
        s.stop(64);
        check(&s);
        let first_chord = s.events[before..].iter().find(|e| e.on && e.channel == CHORDS).unwrap();
        // The next step is the swung "and" of beat 29.
        let next = swung_step_start(swung_step_at(29.3, default_swing_at(120.0)) + 1, default_swing_at(120.0));
        assert!((first_chord.beats - next).abs() < 1e-3, "first chord after the seek at beat {}", first_chord.beats);
        assert_eq!(form_bar(first_chord.beats), 7);
        s.write_mid(&format!("seek_bar_8_{mode:?}"));
    }
}

#[test]
fn looping_back_to_bar_1_restarts_the_form() {
    for mode in MODES {
        let mut s = Session::with_mode(44_100.0, 150.0, mode);
        s.transport.loop_range_beats = Some((0.0, 16.0));
        for _ in 0..3 {
            s.seek(0.0);
            s.play_until(16.0, || 1000);
        }
        s.seek(0.0);
        s.play_until(2.0, || 1000);
        s.stop(10);
        check(&s);
        assert_eq!(bar_starts_with_chords(&s.events, CHORDS).len(), 3 * 4 + 1);
        assert!(s.events.iter().all(|e| e.beats < 16.0 + 1e-9), "nothing plays at or past the loop end");
        s.write_mid(&format!("loop_bars_1_to_4_{mode:?}"));
    }
}

#[test]
fn a_loop_in_the_middle_of_the_form_keeps_its_bars() {
    for mode in MODES {
        let mut s = Session::with_mode(48_000.0, 180.0, mode);
        s.transport.loop_range_beats = Some((24.0, 36.0)); // bars 7–9: C7 A7 Dm7
        s.seek(20.0);
        s.play_until(36.0, || 777);
        for _ in 0..2 {
            s.seek(24.0);
            s.play_until(36.0, || 333);
        }
        s.stop(1);
        check(&s);
        s.write_mid(&format!("loop_bars_7_to_9_{mode:?}"));
    }
}

#[test]
fn stop_releases_everything_and_play_resumes_in_place() {
    for mode in MODES {
        let mut s = Session::with_mode(48_000.0, 120.0, mode);
        s.play_until(5.3, || 256);
        assert!(s.plugin.engine().sounding() > 0);
        s.stop(256);
        assert_eq!(s.plugin.engine().sounding(), 0);
        let stopped_at = s.events.len();
        assert_no_hanging(&s.events);
        for _ in 0..10 {
            s.block(256); // stopped: silence
        }
        assert_eq!(s.events.len(), stopped_at, "a stopped transport plays nothing");
        s.play_until(12.0, || 256);
        s.stop(256);
        check(&s);
        let resumed = s.events[stopped_at..].iter().find(|e| e.on && e.channel == CHORDS).unwrap();
        let next = swung_step_start(swung_step_at(5.3, default_swing_at(120.0)) + 1, default_swing_at(120.0));
        assert!((resumed.beats - next).abs() < 1e-3, "{mode:?} resumes at the next step: {}", resumed.beats);
    }
}

#[test]
fn tempo_changes_mid_song_keep_every_bar_on_its_chord() {
    for mode in MODES {
        let mut s = Session::with_mode(48_000.0, 100.0, mode);
        let tempos = [100.0, 60.0, 240.0, 20.0, 999.0, 87.0];
        for bar in 0..24 {
            s.transport.tempo = Some(tempos[bar % tempos.len()]);
            s.play_until((bar + 1) as f64 * 4.0, || 300);
        }
        s.stop(1);
        assert_eq!(check(&s), 24);
        assert_eq!(s.plugin.display().recorded(), 192, "no skipped or doubled step");
        if mode == PlayMode::Audition {
            let mut steps: Vec<i64> = s
                .events
                .iter()
                .filter(|e| e.on && e.channel == MELODY)
                .map(|e| (e.beats * 2.0).round() as i64)
                .collect();
            steps.dedup();
            assert_eq!(steps, (0..192).step_by(2).collect::<Vec<_>>(), "a quarter note on every beat");
        }
        s.write_mid(&format!("tempo_changes_{mode:?}"));
    }
}

/// Swing following the tempo (the default): the band's off-beats fall at the curve's swing of
/// each tempo it plays, on the exact sample, and a tempo change in the middle of a beat neither
/// skips nor doubles a step.
#[test]
fn swing_follows_the_tempo_through_tempo_changes() {
    let mut s = Session::band(48_000.0, 60.0);
    let tempos = [60.0, 120.0, 200.0, 300.0, 90.0];
    for (bar, tempo) in tempos.iter().enumerate() {
        s.transport.tempo = Some(*tempo);
        s.play_until((bar + 1) as f64 * 4.0, || 333);
    }
    s.stop(1);
    assert_in_order(&s.events);
    assert_no_hanging(&s.events);
    assert_on_grid(&s.events, &[CHORDS, MELODY, 9]);
    for tempo in tempos {
        let swing = default_swing_at(tempo);
        let off_beats: Vec<f64> = s
            .events
            .iter()
            .filter(|e| e.on && e.tempo == tempo && e.beats.fract() > 0.25)
            .map(|e| e.beats.fract())
            .collect();
        assert!(!off_beats.is_empty(), "off-beats at {tempo} BPM");
        // On the first sample at or after the swung off-beat.
        let sample_beats = 1.0 / (48_000.0 * 60.0 / tempo);
        assert!(
            off_beats.iter().all(|f| *f >= swing - 1e-9 && *f < swing + sample_beats),
            "{tempo} BPM: off-beats at {off_beats:?}, the curve says {swing}"
        );
    }
    assert!((default_swing_at(60.0) - (default_swing_at(120.0) + 0.08 / 0.3 * 0.1)).abs() < 1e-6, "more swing slow");
    assert_eq!(default_swing_at(300.0), 0.5, "straight at 300 BPM");

    // Tempo changes inside beats, to tempos that swing more or less: every step plays once.
    let mut s = Session::band(44_100.0, 100.0);
    let mut rng = TestRng(7);
    let mut beats = 0.0;
    while beats < 46.0 {
        beats += 0.1 + rng.below(17) as f64 / 10.0;
        s.transport.tempo = Some(40.0 + rng.below(300) as f64);
        s.play_until(beats, || 256);
    }
    s.play_until(48.0, || 256);
    s.stop(1);
    assert_in_order(&s.events);
    assert_no_hanging(&s.events);
    assert_eq!(s.plugin.display().recorded(), 96, "every step of 12 bars once");
}

/// `render --swing`: `auto` follows the tempo from the default Swing, `auto:P` from P % at
/// 120 BPM, a number plays that swing at every tempo; anything else is refused.
#[test]
fn the_command_lines_swing_follows_the_tempo_or_is_fixed() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("render-swing");
    std::fs::create_dir_all(&dir).unwrap();
    let off_beat = |swing: &str, tempo: &str| -> f64 {
        let mid = dir.join(format!("{swing}-{tempo}.mid").replace(':', "_"));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_blues-lstm"))
            .args(["render", "--mode", "audition", "--swing", swing, "--tempo", tempo, "--out"])
            .arg(&mid)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let notes = blues_lstm::music::midi_import::notes_from_smf(&std::fs::read(&mid).unwrap()).unwrap();
        let fracts: Vec<f64> = notes.iter().filter(|n| n.on).map(|n| n.beats.fract()).filter(|f| *f > 0.25).collect();
        // The file's ticks are 1/480 of a beat.
        let first = fracts[0];
        assert!(fracts.iter().all(|f| (f - first).abs() < 1.5 / 480.0), "{swing} at {tempo}: {fracts:?}");
        first
    };
    let near = |got: f64, want: f64| (got - want).abs() < 1.5 / 480.0;
    assert!(near(off_beat("auto", "200"), 0.5444), "the default follows the tempo");
    assert!(near(off_beat("auto", "120"), 0.58));
    assert!(near(off_beat("auto:66", "60"), 0.7133));
    assert!(near(off_beat("62", "200"), 0.62), "a number is fixed");
    assert!(near(off_beat("62", "60"), 0.62));
    for bad in ["auto:80", "autox", "fast", "49", "auto:"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_blues-lstm"))
            .args(["render", "--swing", bad, "--out"])
            .arg(dir.join("bad.mid"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains("--swing"), "--swing {bad}: {err}");
    }
}

#[test]
fn a_host_without_position_or_tempo_plays_from_where_play_started_at_120() {
    for mode in MODES {
        let mut s = Session::with_mode(48_000.0, 120.0, mode);
        s.transport.give_position = false;
        s.transport.tempo = None;
        s.play_until(48.0, || 512);
        s.stop(1);
        assert_eq!(check(&s), 12);
    }
}

#[test]
fn absurd_host_values_never_break_the_plugin() {
    let mut s = Session::new(48_000.0, 120.0);
    for tempo in [Some(0.0), Some(-120.0), Some(f64::NAN), Some(f64::INFINITY), Some(1e12), None] {
        s.transport.tempo = tempo;
        for _ in 0..50 {
            s.block(1);
        }
        s.block(8192);
        s.block(0);
    }
    s.seek(f64::NAN);
    s.block(64);
    s.seek(-7.25); // a count-in
    s.play_until(1.0, || 97);
    s.seek(1e9);
    s.block(4096);
    s.stop(1);
    assert_in_order(&s.events);
    assert_no_hanging(&s.events);
}

#[test]
fn played_notes_pass_through_in_order_even_in_a_storm() {
    // Audition: in improvise mode the storm's low notes would become the network's chord input,
    // which is steering (tests/improvise.rs), not what this test is about.
    let mut s = Session::with_mode(48_000.0, 120.0, PlayMode::Audition);
    // Thousands of notes in one 8192-sample block, plus a few later, on channel 16.
    for i in 0..3000u64 {
        let at = i * 8192 / 3000;
        s.to_send.push_back((at, 15, 30 + (i % 60) as u8, true));
        s.to_send.push_back((at, 15, 30 + (i % 60) as u8, false));
    }
    s.to_send.push_back((20_000, 15, 100, true));
    s.to_send.push_back((30_000, 15, 100, false));
    s.play_until(4.0, || 8192);
    s.stop(1);
    check(&s);
    let thru: Vec<_> = s.events.iter().filter(|e| e.channel == 15).collect();
    assert_eq!(thru.len(), 6002);
    assert!(thru.iter().filter(|e| e.key == 100).all(|e| e.sample == 20_000 || e.sample == 30_000));
    s.set_param("thru", 0.0);
    s.to_send.push_back((s.sample + 10, 15, 70, true));
    s.play_until(5.0, || 512);
    s.stop(1);
    assert_eq!(s.events.iter().filter(|e| e.channel == 15).count(), 6002, "thru off: nothing passes");
}

#[test]
fn toggles_key_and_channel_changes_never_leave_a_note_hanging() {
    let mut s = Session::new(48_000.0, 120.0);
    let changes: [(&str, f32); 8] = [
        ("key", 5.0),
        ("chch", 3.0),
        ("chon", 0.0),
        ("mlon", 0.0),
        ("chon", 1.0),
        ("mlch", 9.0),
        ("mlon", 1.0),
        ("key", -12.0),
    ];
    s.set_param("voice", 2.0); // as learned: the chord from C3 up, so an octave down is below C3
    for (i, (id, value)) in changes.iter().enumerate() {
        s.play_until(3.1 + i as f64 * 2.7, || 200);
        s.set_param(id, *value);
    }
    s.play_until(30.0, || 200);
    s.stop(1);
    assert_in_order(&s.events);
    assert_no_hanging(&s.events);
    assert!(s.events.iter().any(|e| e.on && e.channel == 2), "chords moved to channel 3");
    assert!(s.events.iter().any(|e| e.on && e.channel == 8), "melody moved to channel 9");
    let last_chord = s.events.iter().rev().find(|e| e.on && e.channel == 2).unwrap();
    assert!(last_chord.key < 48, "key −12 moves the chords an octave down");
}

/// The allocation guard these renders rely on must really fire in this test binary: a child
/// process allocates inside `assert_no_alloc` and must abort. Without this, a broken guard
/// (feature off, allocator not linked) would let every "no allocation" check pass silently.
#[test]
#[cfg(debug_assertions)]
fn the_allocation_guard_of_these_renders_really_fires() {
    const CHILD: &str = "BLUES_LSTM_ALLOCATE_UNDER_GUARD";
    if std::env::var_os(CHILD).is_some() {
        let session = Session::new(48_000.0, 120.0); // links the plugin, and its guard, in
        nice_assert_no_alloc::assert_no_alloc(|| std::hint::black_box(vec![1u8; 64]).len());
        drop(session);
        return; // Only reached when the guard is broken; the parent then fails.
    }
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["the_allocation_guard_of_these_renders_really_fires", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(!child.status.success(), "allocating under the guard was not stopped:\n{stderr}");
    assert!(stderr.to_lowercase().contains("alloc"), "the child died for another reason:\n{stderr}");
}
