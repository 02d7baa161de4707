//! Every `blues-lstm` command the README shows, run through the built binary as a reader would
//! type it (issue 19): the README is a promise. The quick ones run exactly as written; the long
//! ones (training, `eval --compare`, `eval --forms`) with the same flags and smaller sizes — the
//! list `SMALLER` says which and how — and must then either succeed or stop only because the
//! few epochs allowed were not enough. The set-up script and `cargo xtask bundle` are run by CI
//! itself (`.ci/run`), as the README's main job.

use blues_lstm::music::midi_file::{write_smf, TimedNote};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Long commands, made small: (what the README's command contains, flags set: a flag the
/// command has gets this value, another is added).
const SMALLER: &[(&str, &str)] = &[
    ("train ", "--max-epochs 40"),
    ("eval --model builtin:paper-exp2 --temperature 1 --compare", "--choruses 7 --rnn-epochs 20"),
    ("eval --compare --phrasing", "--choruses 3 --rnn-epochs 20"),
    ("eval --forms", "--choruses 2 --rnn-epochs 20"),
];

/// The README's `cargo run --release --bin blues-lstm -- …` lines, as argument lists.
fn readme_commands() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let prefix = "cargo run --release --bin blues-lstm -- ";
    readme.lines().filter_map(|l| l.trim().strip_prefix(prefix)).map(shell_words).collect()
}

/// Splits a command line as a shell does for these lines: spaces, and "double quotes".
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted) = (Vec::new(), String::new(), false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A folder with the files the README's commands read: a call, a 32-bar tune, models.
fn workdir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-commands");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("models")).unwrap();
    let note =
        |beats: f64, key: u8, on: bool| TimedNote { beats, channel: 0, key, velocity: if on { 90 } else { 0 }, on };
    // The call: four bars of eighth notes around middle C.
    let call: Vec<TimedNote> = (0..32)
        .flat_map(|i| {
            [
                note(f64::from(i) / 2.0, 60 + (i % 5) as u8, true),
                note(f64::from(i) / 2.0 + 0.4, 60 + (i % 5) as u8, false),
            ]
        })
        .collect();
    std::fs::write(dir.join("my-call.mid"), write_smf(&call, 120.0, &|c| format!("{c}"))).unwrap();
    // The tune: 32 bars of a chord (C3-B3) and a melody note a beat.
    let mut tune = Vec::new();
    for bar in 0..32u8 {
        let root = [48, 53, 55, 50][usize::from(bar % 4)];
        let at = f64::from(bar) * 4.0;
        for key in [root, root + 4, root + 7] {
            tune.extend([note(at, key.min(59), true), note(at + 4.0, key.min(59), false)]);
        }
        for beat in 0..4u8 {
            tune.extend([
                note(at + f64::from(beat), 67 + beat, true),
                note(at + f64::from(beat) + 0.9, 67 + beat, false),
            ]);
        }
    }
    tune.sort_by(|a, b| a.beats.total_cmp(&b.beats).then(a.on.cmp(&b.on)));
    std::fs::write(dir.join("my-tune.mid"), write_smf(&tune, 120.0, &|c| format!("{c}"))).unwrap();
    // The model `render --model mine.json` plays (the README trains it just before).
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/rhythm-changes.json");
    std::fs::copy(model, dir.join("mine.json")).unwrap();
    // And the chart band `render --model my-chart-band.json` plays (likewise trained before).
    let band = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/chart-band.json");
    std::fs::copy(band, dir.join("my-chart-band.json")).unwrap();
    dir
}

#[test]
fn every_command_in_the_readme_runs_as_written() {
    let commands = readme_commands();
    assert!(commands.len() >= 12, "the README shows {} commands", commands.len());
    let dir = workdir();
    for words in commands {
        let line = words.join(" ");
        let mut args = words.clone();
        let smaller = SMALLER.iter().find(|(has, _)| line.starts_with(has) || line.contains(has));
        if let Some((_, extra)) = smaller {
            let extra: Vec<&str> = extra.split(' ').collect();
            for pair in extra.chunks(2) {
                match args.iter().position(|a| a == pair[0]) {
                    Some(i) => args[i + 1] = pair[1].to_string(),
                    None => args.extend(pair.iter().map(|s| s.to_string())),
                }
            }
        }
        let out = Command::new(env!("CARGO_BIN_EXE_blues-lstm")).args(&args).current_dir(&dir).output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let stopped_short = smaller.is_some() && stderr.contains("no convergence after");
        println!(
            "{} {line}{}",
            if out.status.success() { "ok  " } else { "ok (stopped short)" },
            smaller.map_or(String::new(), |(_, e)| format!("  [+ {e}]"))
        );
        assert!(out.status.success() || stopped_short, "`blues-lstm {line}` failed:\n{stdout}\n{stderr}");
        if line.starts_with("train --style minor-blues") {
            assert!(stdout.contains("forget-gate bias 3"), "the minor blues trains by its built-in recipe:\n{stdout}");
        }
    }
}

#[test]
fn help_and_mistakes_say_what_they_should() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_blues-lstm")).args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    for command in ["render", "train", "eval"] {
        let (ok, text) = run(&[command, "--help"]);
        assert!(ok && text.starts_with(command) && text.contains("--"), "{command} --help:\n{text}");
    }
    let (ok, text) = run(&["render", "--choruses=2", "--out", "/nonexistent-folder/x.mid"]);
    assert!(!ok && text.contains("its folder /nonexistent-folder does not exist"), "{text}");
    let (ok, text) = run(&["render", "--style", "nope", "--out", "x.mid"]);
    assert!(!ok && text.contains("--style nope: no such style") && text.contains("bebop-blues"), "{text}");
    let (ok, text) = run(&["train", "--style", "minor-blues", "--out", "/nonexistent-folder/x.json"]);
    assert!(!ok && text.contains("does not exist") && !text.contains("epoch"), "refused before training:\n{text}");
    let (ok, text) = run(&["render", "--chorusez", "2"]);
    assert!(!ok && text.contains("unknown option '--chorusez'") && text.contains("render --help"), "{text}");
}
