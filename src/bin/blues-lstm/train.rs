//! `blues-lstm train`: trains a model — a built-in one by its recipe on its style's corpus
//! (`--builtin ID`; the embedded models under `models/` are made so, see the README), or a model
//! of the user's own choruses from .mid files — and writes a model file.

use super::args::Args;
use super::chart_arg::read_chart;
use super::choice::{builtin_ids, style_ids};
use blues_lstm::lstm::trainer::Progress;
use blues_lstm::model::builtin::{band_recipe, builtin, chart_band, chart_band_recipe};
use blues_lstm::model::fine_tune::{fine_tune, fine_tune_config, fine_tune_over_chart, Start, NEAREST_BAND_MAX_BARS};
use blues_lstm::model::own_drums::drummer_hears_itself;
use blues_lstm::model::{self, check_form, Model, Recipe};
use blues_lstm::music::chart::Chart;
use blues_lstm::music::chart_corpus::chart_band_corpus;
use blues_lstm::music::corpus::{missing_part_warning, Corpus};
use blues_lstm::music::midi_import::{choruses_from_file, ImportRule};
use blues_lstm::music::split::VoiceSplit;
use blues_lstm::music::style::builtin_style;
use blues_lstm::training::{retrain_recipe, train_from_scratch};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

const FLAGS: &[&str] = &[
    "builtin",
    "experiment",
    "style",
    "blocks",
    "max-epochs",
    "forget-bias",
    "batch",
    "threads",
    "seed",
    "corpus",
    "form-bars",
    "split",
    "swing",
    "with-builtin",
    "name",
    "out",
    "chart-band",
    "from",
    "from-scratch",
    "drop-missing",
    "chart",
];

pub fn run(args: &[String]) -> Result<(), String> {
    let a = Args::parse("train", args, FLAGS)?;
    // Checked before training, so a run never ends unable to save what it learned.
    let out = a.output("out")?.ok_or_else(|| a.mistake("train needs --out FILE.json"))?;
    // A built-in model is remade from the seed it was trained from unless told otherwise.
    let default_seed = a.value("builtin")?.and_then(builtin).map_or(1, |b| b.seed);
    let seed: u64 = a.number("seed", default_seed, 0..=u64::MAX)?;
    if a.has("chart-band") {
        return train_chart_band(&a, &out, seed);
    }
    let id = match (a.value("builtin")?, a.value("experiment")?) {
        (Some(_), Some(_)) => return Err("choose one of --builtin and --experiment".to_string()),
        (Some(id), None) => Some(id.to_string()),
        // The paper's two experiments by their old names.
        (None, Some("1")) => Some("paper-exp1".to_string()),
        (None, Some("2")) => Some("paper-exp2".to_string()),
        (None, Some(other)) => return Err(format!("--experiment: '{other}' is neither 1 nor 2")),
        (None, None) => None,
    };
    let mut start = None;
    let (mut recipe, corpus, default_name): (Recipe, Corpus, String) = match (&id, a.has("corpus")) {
        (Some(_), true) => return Err("--corpus trains your own model; it does not go with --builtin".to_string()),
        (None, false) if a.has("style") => {
            let id = a.value("style")?.unwrap_or_default();
            let style =
                builtin_style(id).ok_or_else(|| a.mistake(format!("--style {id}: no such style ({})", style_ids())))?;
            // A style with a built-in band is trained by that band's recipe (the minor blues
            // needs its forget gates opened wider to count its three bars of Cm7).
            let recipe = builtin(id).map_or_else(|| band_recipe(style, seed), |b| b.recipe(seed));
            (recipe, Corpus::of_style(style), style.title.clone())
        }
        (Some(id), false) => {
            let b = builtin(id).ok_or_else(|| {
                a.mistake(format!("--builtin {id}: no such built-in model (there are: {})", builtin_ids()))
            })?;
            (b.recipe(seed), b.corpus(), b.name.to_string())
        }
        (None, _) => {
            let corpus = user_corpus(&a)?;
            corpus.check_learnable()?;
            if let Some(chart) = a.value("chart")? {
                return train_over_chart(&a, &corpus, &read_chart(chart)?, &out, seed, None);
            }
            if let Some(chart) = heard_chart(&a, &corpus, &out)? {
                return train_over_chart(&a, &corpus, &chart, &out, seed, Some(&chart_file(&out)));
            }
            start = start_for(&a, &corpus)?;
            for part in corpus.missing_parts() {
                let kept = start.as_ref().filter(|s| s.kept.contains(&part)).map(|s| s.name.as_str());
                eprintln!("warning: {}", missing_part_warning(part, kept));
            }
            (retrain_recipe(&corpus, seed), corpus, "Your choruses".to_string())
        }
    };
    if start.is_some() && (a.has("blocks") || a.has("forget-bias")) {
        return Err("--blocks and --forget-bias shape a network from scratch: give --from-scratch too".to_string());
    }
    if let Some(start) = &start {
        recipe.config = fine_tune_config(seed);
        let parts = start.describe_parts();
        let parts = if parts.is_empty() { String::new() } else { format!("; {parts}") };
        println!("fine-tuning {}{parts} (--from-scratch to start from random weights)", start.name);
    }
    if a.has("blocks") {
        let text = a.value("blocks")?.unwrap_or_default();
        let blocks: Option<Vec<usize>> = text.split(',').map(|b| b.trim().parse().ok().filter(|&b| b > 0)).collect();
        match blocks {
            Some(b) if b.len() == recipe.blocks.len() => recipe.blocks = b,
            _ => return Err(format!("--blocks: '{text}' is not {} block counts, like 4,6,4,2", recipe.blocks.len())),
        }
    }
    recipe.config.max_epochs = a.number("max-epochs", recipe.config.max_epochs, 1..=1_000_000)?;
    if a.has("forget-bias") {
        recipe.config.forget_bias = Some(a.number("forget-bias", 1.0, -10.0..=10.0)?);
    }
    recipe.config.batch = a.number("batch", recipe.config.batch, 1..=1024)?;
    let all_cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    recipe.config.threads = a.number("threads", all_cores, 1..=1024)?;
    let name = a.value("name")?.map_or(default_name, str::to_string);
    let topology = match &start {
        Some(start) => start.weights.topology.clone(),
        None => recipe.encoding.topology(&recipe.blocks, recipe.cells_per_block),
    };
    let forget = recipe.config.forget_bias.map_or("the paper's".to_string(), |b| format!("{b}"));
    println!(
        "training {name} ({} weights) on {}, seed {seed}, forget-gate bias {forget}",
        topology.n_params(),
        corpus.describe()
    );
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
    let model = match &start {
        Some(start) => fine_tune(start, &corpus, &recipe.config, &name, &mut on_progress, &cancel),
        // A user's choruses restart as the plugin's retrain does; a built-in band's recipe is
        // the one its model file was made by.
        None if id.is_none() && !a.has("style") => {
            train_from_scratch(&recipe, &corpus, &name, &mut on_progress, &cancel)
        }
        None => model::train(&recipe, &corpus, &name, &mut on_progress, &cancel),
    }
    .map_err(|e| match &start {
        Some(_) => format!("{e}; try --from-scratch"),
        None => e.to_string(),
    })?;
    // A built-in band's drummer then learns from its own playing, as its model file was made.
    let made_as = match (&id, a.has("style")) {
        (Some(id), _) => builtin(id),
        (None, true) => a.value("style")?.and_then(builtin),
        (None, false) => None,
    };
    let model = match made_as.and_then(|b| b.drum_pass(&recipe.config, seed)) {
        Some(config) => {
            println!("the drummer learns from its own playing (every other part stays as it is)");
            drummer_hears_itself(&model, &corpus, &config, &mut on_progress, &cancel).map_err(|e| e.to_string())?
        }
        None => model,
    };
    let held = check_form(&model, &corpus, 1000, seed.wrapping_add(1));
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

/// The chart a plain `train --corpus` of a form longer than any built-in band's start teaches
/// the chart band over, as the plugin does: the chart the choruses' chords sound, written to
/// [`chart_file`] beside the model. `None` (the form learned from scratch) for shorter forms,
/// when a start or a network shape is asked for, or when the chords make no chart (said).
fn heard_chart(a: &Args, corpus: &Corpus, out: &std::path::Path) -> Result<Option<Chart>, String> {
    let asked_otherwise = ["from", "from-scratch", "with-builtin", "blocks", "forget-bias"].iter().any(|f| a.has(f));
    if corpus.form.bars <= NEAREST_BAND_MAX_BARS || asked_otherwise || corpus.user.is_empty() {
        return Ok(None);
    }
    let chart = match Chart::heard_in(&corpus.user) {
        Ok(chart) => chart,
        Err(why) => {
            eprintln!("warning: your choruses' chords make no chart ({why}): learning the {}-bar form from scratch, which takes minutes", corpus.form.bars);
            return Ok(None);
        }
    };
    let path = chart_file(out);
    std::fs::write(&path, chart.to_text()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!(
        "a {}-bar form: the chart your choruses' chords sound is written to {} (--from-scratch learns the form instead, in minutes)",
        corpus.form.bars,
        path.display()
    );
    Ok(Some(chart))
}

/// Where `train` writes the chart it read from the choruses: beside the model, `NAME.chart.txt`.
fn chart_file(out: &std::path::Path) -> std::path::PathBuf {
    out.with_extension("chart.txt")
}

/// `train --corpus … --chart CHART`: the user's choruses over their chart teach the chart band
/// (the built-in one, or `--from FILE.json` holding one a user taught before) their lines;
/// `chart_file` names the chart read from the choruses, if it was.
fn train_over_chart(
    a: &Args,
    corpus: &Corpus,
    chart: &Chart,
    out: &std::path::Path,
    seed: u64,
    chart_file: Option<&std::path::Path>,
) -> Result<(), String> {
    if a.has("from-scratch") || a.has("blocks") || a.has("forget-bias") || a.has("with-builtin") {
        return Err(a.mistake(
            "--chart teaches the chart band your choruses over the chart: --from-scratch, --blocks, --forget-bias and --with-builtin do not go with it",
        ));
    }
    let (band, name) = match a.value("from")? {
        None => {
            let band = chart_band().ok_or("this build has no chart band (models/chart-band.json)")?;
            (band.clone(), format!("the built-in {}", band.metadata.name))
        }
        Some(spec) => {
            let model = Model::load(std::path::Path::new(spec)).map_err(|e| format!("--from {spec}: {e}"))?;
            let name = model.metadata.name.clone();
            (model, name)
        }
    };
    let start = Start::chart_band(&band, &name, corpus, !a.has("drop-missing")).ok_or_else(|| {
        format!("{name} cannot learn these choruses over a chart: it must be a chart band with every part they play")
    })?;
    for part in corpus.missing_parts() {
        let kept = start.kept.contains(&part).then_some(start.name.as_str());
        eprintln!("warning: {}", missing_part_warning(part, kept));
    }
    let all_cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut config = fine_tune_config(seed);
    config.max_epochs = a.number("max-epochs", config.max_epochs, 1..=1_000_000)?;
    config.threads = a.number("threads", all_cores, 1..=1024)?;
    let title =
        a.value("name")?.map_or_else(|| format!("Chart band taught {} choruses", corpus.user.len()), str::to_string);
    println!(
        "teaching {} your {} choruses over the chart ({} bars), in all 12 keys",
        start.name,
        corpus.user.len(),
        chart.len()
    );
    let mut last_print = Instant::now();
    let mut on_progress = |p: &Progress| {
        if last_print.elapsed().as_secs_f32() >= 1.0 {
            println!("  epoch {:5}  loss {:.4}  {:.1} s", p.epoch, p.loss, p.elapsed_seconds);
            last_print = Instant::now();
        }
    };
    let model = fine_tune_over_chart(&start, chart, corpus, &config, &title, &mut on_progress, &AtomicBool::new(false))
        .map_err(|e| e.to_string())?;
    model.save(out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let chart_arg = chart_file.map_or("CHART".to_string(), |f| f.display().to_string());
    println!(
        "wrote {}: {} epochs, loss {:.4}, {:.1} s; play it over your tune, or any chart: render --model {} --chart {chart_arg}",
        out.display(),
        model.metadata.epochs,
        model.metadata.final_loss,
        model.metadata.train_seconds,
        out.display()
    );
    Ok(())
}

/// `train --chart-band`: the band that plays over any chart, on performances we wrote over
/// the progressions of `src/music/styles/progressions.txt` in all twelve keys.
fn train_chart_band(a: &Args, out: &std::path::Path, seed: u64) -> Result<(), String> {
    if !a.values("chart-band").is_empty() {
        return Err(a.mistake("--chart-band takes no value"));
    }
    let mut recipe = chart_band_recipe(seed);
    recipe.config.max_epochs = a.number("max-epochs", recipe.config.max_epochs, 1..=1_000_000)?;
    let takes: Vec<_> = chart_band_corpus(seed).into_iter().map(|t| (t.chart, t.frames)).collect();
    let name = a.value("name")?.unwrap_or("Chart band").to_string();
    let topology = recipe.encoding.topology(&recipe.blocks, recipe.cells_per_block);
    let steps: usize = takes.iter().map(|(_, f)| f.len()).sum();
    println!(
        "training {name} ({} weights) on {} takes over charts ({} bars), seed {seed}",
        topology.n_params(),
        takes.len(),
        steps / 8
    );
    let started = Instant::now();
    let mut last_print = Instant::now();
    let mut on_progress = |p: &Progress| {
        if last_print.elapsed().as_secs_f32() >= 5.0 {
            println!("  epoch {:5}  loss {:.4}  {:.1} s", p.epoch, p.loss, p.elapsed_seconds);
            last_print = Instant::now();
        }
    };
    let model = model::train_chart_band(&recipe, &takes, &name, &mut on_progress, &AtomicBool::new(false))
        .map_err(|e| e.to_string())?;
    model.save(out).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!(
        "wrote {}: {} epochs, loss {:.4}, {:.1} s",
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
    let channel = |n: &str| n.parse::<u8>().ok().filter(|n| (1..=16).contains(n)).map(|n| n - 1);
    let rest = text.strip_prefix("channel:");
    let (chord, bass) = match rest.map(|r| r.split_once(",bass:").unwrap_or((r, ""))) {
        Some((c, "")) => (channel(c), None),
        Some((c, b)) => (channel(c), Some(channel(b))),
        None => (None, None),
    };
    match (chord, bass) {
        (Some(chord_channel), None) => Ok(VoiceSplit::ByChannel { chord_channel, bass_channel: None }),
        (Some(chord_channel), Some(Some(b))) => Ok(VoiceSplit::ByChannel { chord_channel, bass_channel: Some(b) }),
        _ => Err(format!(
            "--split: '{text}' is neither 'range' nor 'channel:N' (or 'channel:N,bass:M') with N, M in 1..16"
        )),
    }
}

/// The model `--corpus` fine-tunes: `--from builtin:ID|FILE.json`, else the built-in band
/// nearest the choruses; none with `--from-scratch` or where none can learn them.
fn start_for(a: &Args, corpus: &Corpus) -> Result<Option<Start>, String> {
    let keep = !a.has("drop-missing");
    match (a.has("from-scratch"), a.value("from")?) {
        (true, Some(_)) => Err("choose one of --from and --from-scratch".to_string()),
        (true, None) => Ok(None),
        (false, None) => Ok(Start::nearest_builtin(corpus, keep)),
        (false, Some(spec)) => {
            let (model, name): (Model, String) = match spec.strip_prefix("builtin:") {
                Some(id) => {
                    let b = builtin(id).ok_or_else(|| {
                        a.mistake(format!("--from builtin:{id}: no such built-in model (there are: {})", builtin_ids()))
                    })?;
                    let model = b.model().ok_or_else(|| format!("--from builtin:{id}: its model does not load"))?;
                    (model.clone(), b.name.to_string())
                }
                None => {
                    let model = Model::load(std::path::Path::new(spec)).map_err(|e| format!("--from {spec}: {e}"))?;
                    let name = model.metadata.name.clone();
                    (model, name)
                }
            };
            Start::from_model(&model, &name, corpus, keep).map(Some).ok_or_else(|| {
                format!(
                    "--from {spec}: it cannot learn these choruses (it must be a band whose parts include every part they play, with chord blocks enough for {} bars); try --from-scratch",
                    corpus.form.bars
                )
            })
        }
    }
}

/// The choruses of the given files (each bad file is named and refused), with the built-in
/// paper corpus when asked and of the same form.
fn user_corpus(a: &Args) -> Result<Corpus, String> {
    let files = a.values("corpus");
    if files.is_empty() {
        return Err("--corpus needs at least one .mid file".to_string());
    }
    let split = parse_split(a.value("split")?.unwrap_or("range"))?;
    let form_bars: Option<usize> = if a.has("form-bars") { Some(a.number("form-bars", 12, 4..=64)?) } else { None };
    let swing: f64 = a.number("swing", 50.0, 50.0..=80.0)? / 100.0;
    let rule = ImportRule { split, form_bars, swing };
    let mut user: Vec<Vec<blues_lstm::music::encoding::Frame>> = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match choruses_from_file(std::path::Path::new(file), rule) {
            Ok(choruses) if user.first().is_some_and(|c| choruses.first().is_some_and(|n| n.len() != c.len())) => {
                errors.push(format!("{file}: its choruses are not as long as the other files' (give --form-bars N)"));
            }
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
    let bars = user[0].len() / 8;
    let mut corpus = Corpus::from_choruses(user, bars);
    if a.has("with-builtin") {
        let style = blues_lstm::model::builtin::default_builtin().style();
        if !corpus.can_include(style) {
            return Err(format!("--with-builtin: the built-in corpus has {} bars, your choruses {bars}", style.bars));
        }
        corpus.style = Some(style);
    }
    Ok(corpus)
}
