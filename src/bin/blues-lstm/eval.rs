//! `blues-lstm eval`: free-runs a model and measures the music (form, harmony, novelty,
//! repetition, long-range structure); with `--compare`, beside a vanilla RNN, a third-order
//! Markov chain and a pentatonic random walk trained on (or given) the same built-in corpus;
//! with `--phrasing`, then the phrasing and rhythm-section measures beside the corpus's.

use super::args::Args;
use super::chart_arg::read_chart;
use super::choice::chosen;
use blues_lstm::audio_render::{load_soundfont, synthesize, wav_bytes, Instruments, DEFAULT_SOUNDFONT};
use blues_lstm::engine::voices::VoiceSettings;
use blues_lstm::engine::DEFAULT_TEMPERATURE;
use blues_lstm::eval::answers::{answers, traded, traded_corpus};
use blues_lstm::eval::memory::{memory_by_form, memory_table};
use blues_lstm::eval::over_chart::{chords_played, measure, play_chart, OverChanges};
use blues_lstm::eval::phrasing::{phrasing, phrasing_plain, phrasing_table};
use blues_lstm::eval::table::{self, RunInfo};
use blues_lstm::eval::{self, picture, CompareConfig, Reference};
use blues_lstm::model::builtin::{chart_band, BUILTINS};
use blues_lstm::render::frames_to_notes;

/// The tempo `--wav-dir` plays at, on the straight grid the pictures are drawn on.
const WAV_TEMPO: f64 = 120.0;

const FLAGS: &[&str] = &[
    "model",
    "style",
    "choruses",
    "seed",
    "temperature",
    "json",
    "markdown",
    "compare",
    "phrasing",
    "forms",
    "rnn-epochs",
    "png-dir",
    "png-from",
    "png-choruses",
    "wav-dir",
    "soundfont",
    "chart",
];

pub fn run(args: &[String]) -> Result<(), String> {
    let a = Args::parse("eval", args, FLAGS)?;
    for switch in ["json", "markdown", "compare", "phrasing", "forms"] {
        if !a.values(switch).is_empty() {
            return Err(a.mistake(format!("--{switch} takes no value")));
        }
    }
    if a.has("json") && a.has("markdown") {
        return Err(a.mistake("choose one of --json and --markdown"));
    }
    if a.has("json") && a.has("phrasing") {
        return Err(a.mistake("--phrasing prints a table: use it without --json"));
    }
    let choruses: usize = a.number("choruses", 200, 1..=100_000)?;
    let seed: u64 = a.number("seed", 1, 0..=u64::MAX)?;
    let temperature: f32 = a.number("temperature", DEFAULT_TEMPERATURE, 0.0..=2.0)?;
    if a.has("forms") {
        return forms(&a, choruses, seed, temperature);
    }
    if a.has("chart") {
        return charts(&a, choruses, seed, temperature);
    }
    let png_from: usize = a.number("png-from", 1, 1..=choruses)?;
    let png_choruses: usize = a.number("png-choruses", 2, 1..=choruses - png_from + 1)?;
    let png_dir = a.output_dir("png-dir")?;
    let wav_dir = a.output_dir("wav-dir")?;
    if png_dir.is_none() && wav_dir.is_none() && (a.has("png-from") || a.has("png-choruses")) {
        return Err("--png-from and --png-choruses go with --png-dir or --wav-dir".to_string());
    }
    if a.has("soundfont") && wav_dir.is_none() {
        return Err(a.mistake("--soundfont is for --wav-dir"));
    }
    // Read before anything is trained or played: a missing SoundFont is said at once.
    let soundfont = match wav_dir {
        Some(_) => Some(load_soundfont(&a.path("soundfont")?.unwrap_or_else(|| DEFAULT_SOUNDFONT.into()))?),
        None => None,
    };
    let chosen = chosen(&a)?;
    let (model, corpus) = (&chosen.model, &chosen.corpus);

    let compare = a.has("compare");
    if !compare && a.has("rnn-epochs") {
        return Err("--rnn-epochs goes with --compare".to_string());
    }
    let rnn_epochs = a.number("rnn-epochs", CompareConfig::default_rnn_epochs(), 1..=10_000_000)?;
    let played = if compare {
        let config = CompareConfig { choruses, seed, temperature, rnn_epochs };
        eval::compare(model, corpus, &config, &mut |line| eprintln!("{line}"))?
    } else {
        vec![eval::play_model(model, corpus, choruses, seed, temperature)?]
    };
    let reference = Reference::new(corpus);
    let (form, comping) = (model.encoding.form(), model.encoding.comp);
    let rows: Vec<eval::Row> = played.iter().map(|p| p.row(&reference)).collect();

    if let Some(dir) = png_dir {
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for p in &played {
            let path = dir.join(format!("{}.png", p.key));
            std::fs::write(&path, picture::piano_roll(&p.frames, form, comping, png_from - 1, png_choruses))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("drew {} (choruses {png_from}–{})", path.display(), png_from + png_choruses - 1);
        }
    }
    if let (Some(dir), Some(font)) = (wav_dir, &soundfont) {
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let voices = VoiceSettings::default();
        for p in &played {
            let window = picture::choruses(&p.frames, form, png_from - 1, png_choruses);
            let notes = frames_to_notes(window, form, comping, &voices);
            // A step is an eighth: the window's end in beats.
            let audio = synthesize(&notes, WAV_TEMPO, window.len() as f64 / 2.0, font, &Instruments::band(&voices))?;
            let path = dir.join(format!("{}.wav", p.key));
            std::fs::write(&path, wav_bytes(&audio)).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("played {} (choruses {png_from}–{})", path.display(), png_from + png_choruses - 1);
        }
    }

    let info = RunInfo { choruses, seed, temperature, rnn_epochs: compare.then_some(rnn_epochs) };
    if a.has("json") {
        println!("{}", table::json(&rows, &info));
    } else if a.has("markdown") {
        print!("{}", table::markdown(&rows));
    } else {
        println!(
            "{choruses} free-running choruses, seed {seed}, temperature {temperature}, against the form and corpus of {}\n",
            corpus.describe()
        );
        print!("{}", table::plain(&rows));
    }
    if a.has("phrasing") {
        // The corpus's own stream by the same seed; with --compare every generator but its
        // corpus column, which is drawn by another seed.
        let mut corpus_run = phrasing(&eval::corpus_frames(corpus, choruses, seed), form);
        // A band that hears whose turn it is learned trading from the corpus traded with itself.
        if let (true, Some(melody)) = (model.encoding.context.turn, model.encoding.melody) {
            corpus_run.answers = answers(&traded_corpus(corpus, choruses, seed, melody), form);
        }
        let mut runs: Vec<(&str, _)> =
            played.iter().filter(|p| p.key != "corpus").map(|p| (p.name.as_str(), phrasing(&p.frames, form))).collect();
        // The LSTM's answers are heard traded with: the corpus's lines as the calls.
        let traded = answers(&traded(model, corpus, choruses, seed, temperature)?, form);
        for ((_, run), p) in runs.iter_mut().zip(played.iter().filter(|p| p.key != "corpus")) {
            if p.key == "lstm" {
                run.answers = traded;
            }
        }
        let columns: Vec<(&str, &_)> =
            [("Corpus", &corpus_run)].into_iter().chain(runs.iter().map(|(n, p)| (*n, p))).collect();
        let by_level =
            eval::intensity::at_levels(model, corpus, choruses, seed, temperature, &eval::intensity::LEVELS)?;
        if !model.encoding.context.intensity {
            println!("\n(this model was trained without the intensity unit: only the loudness follows the control)");
        }
        println!("\nthe melody by Intensity ({choruses} choruses each, seed {seed}):\n");
        print!("{}", eval::intensity::markdown(&by_level));
        if a.has("markdown") {
            print!("\n{}", phrasing_table(&columns));
        } else {
            println!(
                "\nphrasing and the rhythm section, beside {choruses} corpus choruses (seed {seed}); trading: the"
            );
            println!(
                "LSTM traded fours with corpus lines as the calls, the others' bar after each 4 bars of their own"
            );
            if model.encoding.context.turn {
                println!("(the corpus's: its choruses traded as the LSTM learned to trade, music::traded)");
            }
            println!();
            print!("{}", phrasing_plain(&columns));
        }
    }
    Ok(())
}

/// `eval --forms`: where each built-in form's memory runs out, LSTM against vanilla RNN.
fn forms(a: &Args, choruses: usize, seed: u64, temperature: f32) -> Result<(), String> {
    for other in ["model", "style", "compare", "phrasing", "png-dir", "json"] {
        if a.has(other) {
            return Err(format!("--forms measures every built-in band; it does not go with --{other}"));
        }
    }
    let rnn_epochs = if a.has("rnn-epochs") { Some(a.number("rnn-epochs", 1, 1..=10_000_000)?) } else { None };
    let rows = memory_by_form(choruses, seed, temperature, rnn_epochs, &mut |line| eprintln!("{line}"))?;
    if !a.has("markdown") {
        println!("{choruses} free-running choruses per form, seed {seed}, temperature {temperature}\n");
    }
    print!("{}", memory_table(&rows, choruses));
    Ok(())
}

/// `eval --chart C [--chart C …]`: the chart band over each chart, then every built-in band over
/// its own learned changes, by the same measures.
fn charts(a: &Args, choruses: usize, seed: u64, temperature: f32) -> Result<(), String> {
    for other in ["model", "style", "compare", "phrasing", "png-dir", "json"] {
        if a.has(other) {
            return Err(format!("--chart measures the chart band; it does not go with --{other}"));
        }
    }
    let band = chart_band().ok_or("this build has no chart band (models/chart-band.json)")?;
    let mut rows: Vec<(String, usize, OverChanges)> = Vec::new();
    for value in a.values("chart") {
        let chart = read_chart(value)?;
        let frames = play_chart(band, &chart, choruses, seed, temperature)?;
        let given: Vec<_> = (0..frames.len()).map(|s| Some(chart.chord_at_step(s))).collect();
        let name = std::path::Path::new(value).file_stem().and_then(|n| n.to_str()).filter(|_| !value.contains('|'));
        rows.push((format!("chart band: {}", name.unwrap_or("the chart")), chart.len(), measure(&frames, &given)));
    }
    for b in BUILTINS.iter().filter(|b| b.model().is_some_and(|m| m.encoding.bass.is_some())) {
        let model = b.model().ok_or("a built-in model is missing")?;
        let frames = blues_lstm::eval::lstm_frames(model, &b.corpus(), choruses, seed, temperature)?;
        rows.push((
            format!("{} (its own changes)", b.name),
            model.encoding.bars,
            measure(&frames, &chords_played(&frames)),
        ));
    }
    let percent = |x: f64| format!("{:.1} %", 100.0 * x);
    if !a.has("markdown") {
        println!("{choruses} choruses each, seed {seed}, temperature {temperature}\n");
    }
    println!("| band over | bars | chords as given (half-bars) | bass on the root at a change | bass on a chord tone at a change | melody in the chord and its tensions | chord tones on beats 1 and 3 | distinct melody pitches |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, bars, m) in rows {
        println!(
            "| {name} | {bars} | {} | {} | {} | {} | {} | {} |",
            percent(m.chords_as_given),
            percent(m.bass_root_at_changes),
            percent(m.bass_chord_tone_at_changes),
            percent(m.melody_in_chord),
            percent(m.chord_tones_on_1_and_3),
            m.distinct_pitches
        );
    }
    Ok(())
}
