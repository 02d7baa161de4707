//! Hearing a take without a DAW (`blues-lstm render --wav`): the events render writes to its
//! .mid, through the General MIDI SoundFont of Debian's `fluid-soundfont-gm` with rustysynth,
//! into a WAV file. Checked as a listener would: a valid 44.1 kHz 16-bit stereo file as long as
//! the take (and its one-second release), sound all through, and the drummer heard on channel 10
//! where it strikes.
//!
//! These tests need the SoundFont: without it they fail, saying to install fluid-soundfont-gm
//! (`.ci/run` installs it).

use blues_lstm::audio_render::{
    load_soundfont, sample_at, synthesize, wav_bytes, Instruments, Stereo, DEFAULT_SOUNDFONT, SAMPLE_RATE,
    SOUNDFONT_PACKAGE, TAIL_SECONDS,
};
use blues_lstm::engine::audition::Audition;
use blues_lstm::engine::composer::Composer;
use blues_lstm::engine::{Engine, Mode, Settings};
use blues_lstm::model::builtin::default_builtin;
use blues_lstm::music::midi_file::TimedNote;
use blues_lstm::render::{render, RenderSpec};
use rustysynth::SoundFont;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// A fast tempo keeps the take short: one chorus of 12 bars is 14.4 s at 200 BPM.
const TEMPO: f64 = 200.0;
const DRUMS: u8 = 9;

fn soundfont() -> Arc<SoundFont> {
    load_soundfont(Path::new(DEFAULT_SOUNDFONT)).unwrap_or_else(|why| {
        panic!("{why}\nThese tests need the General MIDI SoundFont: `sudo apt-get install {SOUNDFONT_PACKAGE}`.")
    })
}

/// One chorus of the default band's corpus, auditioned (its drummer plays), as `render` plays it.
fn take() -> (Vec<TimedNote>, f64) {
    let style = default_builtin();
    let mut engine = Engine::new(Box::new(Composer::new(Audition::new(style.corpus()), None)), Default::default());
    let settings = Settings { mode: Mode::Audition, ..Settings::default() };
    let notes = render(&mut engine, &settings, &RenderSpec { tempo_bpm: TEMPO, ..RenderSpec::default() });
    (notes, style.style().form().steps() as f64 / 2.0)
}

/// Root mean square of `audio` over samples `from..to` (both channels).
fn rms(audio: &Stereo, from: usize, to: usize) -> f64 {
    let (from, to) = (from.min(audio.len()), to.min(audio.len()));
    let sum: f64 = (from..to).map(|i| f64::from(audio.left[i]).powi(2) + f64::from(audio.right[i]).powi(2)).sum();
    (sum / (2 * (to - from).max(1)) as f64).sqrt()
}

/// The 16-bit samples of a WAV, after checking its header is a 44.1 kHz 16-bit stereo PCM one.
fn read_wav(bytes: &[u8]) -> Vec<i16> {
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    assert_eq!((&bytes[0..4], &bytes[8..16], &bytes[36..40]), (&b"RIFF"[..], &b"WAVEfmt "[..], &b"data"[..]));
    assert_eq!(u32_at(4) as usize, bytes.len() - 8, "RIFF size");
    assert_eq!((u32_at(16), u16_at(20), u16_at(22)), (16, 1, 2), "PCM, stereo");
    assert_eq!((u32_at(24), u32_at(28), u16_at(32), u16_at(34)), (44_100, 44_100 * 4, 4, 16), "44.1 kHz, 16-bit");
    assert_eq!(u32_at(40) as usize, bytes.len() - 44, "data size");
    bytes[44..].chunks(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect()
}

#[test]
fn a_take_becomes_a_wav_as_long_as_it_with_sound_all_through_and_the_drums_where_they_strike() {
    let font = soundfont();
    let (notes, chorus_beats) = take();
    let drum_onsets: Vec<f64> = notes.iter().filter(|n| n.on && n.channel == DRUMS).map(|n| n.beats).collect();
    assert!(drum_onsets.len() > 100, "the corpus's drummer plays: {} strokes", drum_onsets.len());

    let band = synthesize(&notes, TEMPO, chorus_beats, &font, &Instruments::default()).unwrap();
    let wav = wav_bytes(&band);
    let samples = read_wav(&wav);
    // As long as the take (12 bars at 200 BPM) and its release, to the sample.
    let seconds = chorus_beats * 60.0 / TEMPO;
    assert_eq!(seconds, 14.4);
    let frames = (seconds * f64::from(SAMPLE_RATE)).round() as usize + (TAIL_SECONDS * 44_100.0) as usize;
    assert_eq!(samples.len(), 2 * frames, "{} s of audio", samples.len() as f64 / 2.0 / 44_100.0);
    // Sound in every bar, and never clipped.
    let bar = (4.0 * 60.0 / TEMPO * 44_100.0) as usize;
    for b in 0..12 {
        let level = rms(&band, b * bar, (b + 1) * bar);
        assert!(level > 0.01, "bar {} is silent: rms {level}", b + 1);
    }
    assert!(samples.iter().all(|&s| s != i16::MIN), "no sample past full scale");

    // The drums alone (channel 10, the kit): each stroke makes the sound rise where it falls.
    let drums: Vec<TimedNote> = notes.iter().filter(|n| n.channel == DRUMS).copied().collect();
    let kit = synthesize(&drums, TEMPO, chorus_beats, &font, &Instruments::default()).unwrap();
    let window = (0.012 * 44_100.0) as usize; // 12 ms
    let mut onsets = drum_onsets.clone();
    onsets.dedup_by(|a, b| (*a - *b).abs() < 1e-6);
    let rises = onsets
        .iter()
        .filter(|&&beats| {
            let at = sample_at(beats, TEMPO) as usize;
            rms(&kit, at, at + window) > 1.5 * rms(&kit, at.saturating_sub(window), at)
        })
        .count();
    println!("{rises} of {} drum onsets rise by half or more", onsets.len());
    assert!(rises * 10 >= onsets.len() * 9, "the kit is heard at its strokes: {rises} of {}", onsets.len());
    // And nothing before the first stroke.
    let first = sample_at(onsets[0], TEMPO) as usize;
    assert!(rms(&kit, 0, first) < 1e-4, "silence before the drummer's first stroke");

    // In the band's mix, as they sound alone: the band less the same take without its drummer
    // is the kit (the synthesizer mixes its voices linearly).
    let drumless: Vec<TimedNote> = notes.iter().filter(|n| n.channel != DRUMS).copied().collect();
    let without = synthesize(&drumless, TEMPO, chorus_beats, &font, &Instruments::default()).unwrap();
    let residual = |a: &[f32], b: &[f32], c: &[f32]| -> Vec<f32> {
        a.iter().zip(b).zip(c).map(|((band, without), kit)| band - without - kit).collect()
    };
    let rest = Stereo {
        left: residual(&band.left, &without.left, &kit.left),
        right: residual(&band.right, &without.right, &kit.right),
    };
    let (rest, kit_level) = (rms(&rest, 0, rest.len()), rms(&kit, 0, kit.len()));
    assert!(
        kit_level > 0.005 && rest < kit_level * 1e-3,
        "the drums in the mix: {rest} left over, the kit {kit_level}"
    );
}

fn blues_lstm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_blues-lstm")).args(args).output().expect("run blues-lstm")
}

#[test]
fn render_writes_the_wav_beside_the_mid_or_alone_and_says_where_the_soundfont_comes_from() {
    soundfont();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wav-render");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (mid, wav) = (dir.join("take.mid"), dir.join("take.wav"));
    let args = ["render", "--mode", "audition", "--tempo", "300", "--swing", "auto"];
    let out = blues_lstm(&[&args[..], &["--out", mid.to_str().unwrap(), "--wav", wav.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("swing 50.0 %"), "{}", String::from_utf8_lossy(&out.stdout));
    let samples = read_wav(&std::fs::read(&wav).unwrap());
    // 12 bars at 300 BPM: 9.6 s, and the release.
    assert_eq!(samples.len(), 2 * (9.6 * 44_100.0 + 44_100.0) as usize);
    assert!(std::fs::metadata(&mid).unwrap().len() > 100);

    let alone = dir.join("alone.wav");
    let out = blues_lstm(&[&args[..], &["--wav", alone.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&alone).unwrap(), std::fs::read(&wav).unwrap(), "the same take, the same sound");

    let out = blues_lstm(&[&args[..], &["--wav", alone.to_str().unwrap(), "--soundfont", "/nowhere/GM.sf2"]].concat());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("/nowhere/GM.sf2") && err.contains(SOUNDFONT_PACKAGE), "{err}");
    let out = blues_lstm(&["render", "--tempo", "120"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("--wav FILE.wav"), "{err}");
    let out = blues_lstm(&["render", "--out", mid.to_str().unwrap(), "--soundfont", "x.sf2"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--soundfont is for --wav"));
}

#[test]
fn eval_plays_the_choruses_it_draws_for_each_generator() {
    soundfont();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wav-eval");
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let args = ["eval", "--model", "builtin:eight-bar-blues", "--choruses", "3", "--png-from", "2"];
    let out = blues_lstm(&[&args[..], &["--png-choruses", "2", "--png-dir", d, "--wav-dir", d]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("lstm.png").exists(), "the picture beside the sound");
    let samples = read_wav(&std::fs::read(dir.join("lstm.wav")).unwrap());
    // Choruses 2 and 3 of the 8-bar form: 16 bars at 120 BPM, 32 s, and the release.
    assert_eq!(samples.len(), 2 * (32.0 * 44_100.0 + 44_100.0) as usize);
    let left: Vec<f32> = samples.iter().step_by(2).map(|&s| f32::from(s) / 32768.0).collect();
    let audio = Stereo { right: left.clone(), left };
    let bar = 2 * 44_100;
    for b in 0..16 {
        assert!(rms(&audio, b * bar, (b + 1) * bar) > 0.01, "bar {} of the window is silent", b + 1);
    }

    // Only the pictured window is played: a window past the run is refused before any sound.
    let out = blues_lstm(&[&args[..], &["--png-choruses", "3", "--wav-dir", d]].concat());
    assert!(!out.status.success(), "choruses 2-4 of 3");
    let out = blues_lstm(&["eval", "--choruses", "2", "--png-from", "2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("--wav-dir"), "{err}");
    let out = blues_lstm(&["eval", "--choruses", "2", "--wav-dir", d, "--soundfont", "/nowhere/GM.sf2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains(SOUNDFONT_PACKAGE), "{err}");
}
