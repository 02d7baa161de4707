//! `blues-lstm train`: trains a model the paper's way (Exp 1 chords only, Exp 2 chords and
//! melody) on the built-in corpus or on the user's own 12-bar choruses, and writes a model file.
//! The embedded models under `models/` are made with it (see the README).

use super::args::Args;
use blues_lstm::lstm::check::free_run_chord_check;
use blues_lstm::lstm::topology::Topology;
use blues_lstm::lstm::train::{train, Progress, TrainConfig};
use blues_lstm::models;
use blues_lstm::music::corpus::Corpus;
use blues_lstm::music::midi_import::choruses_from_file;
use blues_lstm::music::split::VoiceSplit;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

const FLAGS: &[&str] = &["experiment", "seed", "corpus", "split", "with-builtin", "name", "out"];

pub fn run(args: &[String]) -> Result<(), String> {
    let a = Args::parse(args, FLAGS)?;
    let out = a.path("out")?.ok_or("train needs --out FILE.json")?;
    let experiment: u8 = a.number("experiment", 2, 1..=2)?;
    let seed: u64 = a.number("seed", 1, 0..=u64::MAX)?;
    let split = parse_split(a.value("split")?.unwrap_or("range"))?;
    let corpus = corpus(&a, split)?;
    let topology = if experiment == 1 { Topology::exp1() } else { Topology::exp2() };
    let config = TrainConfig::for_topology(topology, seed);

    println!("training Exp {experiment} ({} weights) on {} choruses, seed {seed}", topology.n_params(), corpus.len());
    let started = Instant::now();
    let mut last_print = Instant::now();
    let mut on_progress = |p: &Progress| {
        if last_print.elapsed().as_secs_f32() >= 1.0 || p.chord_choruses_ok.is_some_and(|ok| ok >= 100) {
            let checked = p.chord_choruses_ok.map_or(String::new(), |ok| format!("  form held {ok} choruses"));
            println!("  epoch {:5}  loss {:.4}{checked}  {:.1} s", p.epoch, p.loss, p.elapsed_seconds);
            last_print = Instant::now();
        }
    };
    let cancel = AtomicBool::new(false);
    let mut model =
        train(topology, models::encoding(), &corpus, &config, &mut on_progress, &cancel).map_err(|e| e.to_string())?;
    if let Some(name) = a.value("name")? {
        model.metadata.name = name.to_string();
    }
    let held = free_run_chord_check(&model, &corpus, 1000, seed.wrapping_add(1));
    model.save(&out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!(
        "wrote {}: {} epochs, loss {:.4}, {:.1} s; free-running (new seed) the form held {held} of 1000 choruses",
        out.display(),
        model.metadata.epochs,
        model.metadata.final_loss,
        started.elapsed().as_secs_f32()
    );
    Ok(())
}

fn parse_split(text: &str) -> Result<VoiceSplit, String> {
    if text == "range" {
        return Ok(VoiceSplit::ByRange);
    }
    let channel = text.strip_prefix("channel:").and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=16).contains(n));
    channel
        .map(|n| VoiceSplit::ByChannel { chord_channel: n - 1 })
        .ok_or_else(|| format!("--split: '{text}' is neither 'range' nor 'channel:N' with N in 1..16"))
}

/// The built-in corpus, or the choruses of the given files (each bad file is named and refused).
fn corpus(a: &Args, split: VoiceSplit) -> Result<Corpus, String> {
    let files = a.values("corpus");
    if files.is_empty() {
        if a.has("corpus") {
            return Err("--corpus needs at least one .mid file".to_string());
        }
        return Ok(Corpus::builtin());
    }
    let mut user = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match choruses_from_file(std::path::Path::new(file), split) {
            Ok(choruses) => {
                println!("  {file}: {} choruses", choruses.len());
                user.extend(choruses);
            }
            Err(err) => errors.push(err.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(format!("these files cannot be learned:\n  {}", errors.join("\n  ")));
    }
    Ok(Corpus { include_builtin: a.has("with-builtin"), user })
}
