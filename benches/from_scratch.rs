//! A user's 32-bar tune retrained from scratch, as the plugin does it (`retrain_recipe`, the
//! plugin's thread count), over seeds 1 to 10: does the new model hold the form (the plugin's
//! own check, `model::check_form`, 100 free-running choruses), in how many epochs and seconds.
//! Two corpora of 8 choruses: (a) the built-in rhythm changes, as tests/retrain.rs takes them;
//! (b) an AABA tune of our own writing (below), performed by the chart band's combo
//! (`chart_corpus::perform`). A measurement to run by hand, not a test:
//!
//!     cargo bench --bench from_scratch
//!
//! A run that has not held the form by `training::LONG_FORM_RESTART_EPOCHS` starts again from
//! other weights, as the plugin's does (`FROM_SCRATCH_NO_RESTART=1`: one run, as before).
//! `FROM_SCRATCH_SEEDS=1-3` (or `4,7`) and `FROM_SCRATCH_CORPORA=rhythm,aaba,blues12,blues16`
//! pick the cases (the two 32-bar corpora and seeds 1-10 by default; `blues12` and `blues16` are
//! 8 choruses of the bebop and sixteen-bar blues, to check the shorter forms are not hurt).

use blues_lstm::lstm::trainer::TrainError;
use blues_lstm::model::{self, check_form};
use blues_lstm::music::chart;
use blues_lstm::music::chart_corpus::perform;
use blues_lstm::music::corpus::Corpus;
use blues_lstm::music::encoding::STEPS_PER_BAR;
use blues_lstm::music::style::builtin_style;
use blues_lstm::training::{retrain_recipe, retrain_threads, train_from_scratch, CHECK_CHORUSES};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// A 32-bar AABA in F of our own: A1 turns around to A2, A2 lands on the tonic a bar early
/// and walks up to the bridge, the bridge goes to the IV, and A3 is A1. As in rhythm changes,
/// only counting tells A1 from A3 and from A2 until their last two bars.
const AABA: &str = "
| Fmaj7 | Abdim7 | Gm7 | C7 | Am7 D7 | Gm7 C7 | Fmaj7 D7 | Gm7 C7 |
| Fmaj7 | Abdim7 | Gm7 | C7 | Am7 D7 | Gm7 C7 | Fmaj7 | Cm7 F7 |
| Bbmaj7 | Bbm6 | Am7 | D7 | G7 | G7 | Gm7 | C7 |
| Fmaj7 | Abdim7 | Gm7 | C7 | Am7 D7 | Gm7 C7 | Fmaj7 D7 | Gm7 C7 |
";

/// Eight choruses of a built-in style, as tests/retrain.rs takes a user's.
fn style_corpus(id: &str) -> Corpus {
    let style = builtin_style(id).unwrap_or_else(|| panic!("no style {id}"));
    Corpus::from_choruses((0..8).map(|i| style.chorus(i * 977)).collect(), style.bars)
}

/// Eight choruses of [`AABA`], performed in one take and cut at the form.
fn aaba_corpus() -> Corpus {
    let chart = chart::parse(AABA).expect("the AABA chart parses");
    assert_eq!(chart.len(), 32);
    let frames = perform(&chart, 8, 1);
    let steps = chart.len() * STEPS_PER_BAR;
    assert_eq!(frames.len(), 8 * steps, "perform plays whole choruses");
    for (s, f) in frames.iter().enumerate() {
        assert_eq!(f.chord, chart.chord_at_step(s % steps).mask(), "step {s} is on the chart's chord");
    }
    Corpus::from_choruses(frames.chunks_exact(steps).map(<[_]>::to_vec).collect(), chart.len())
}

/// Seeds from `FROM_SCRATCH_SEEDS` ("1-10", "3", "2,5"), 1 to 10 by default.
fn seeds() -> Vec<u64> {
    let text = std::env::var("FROM_SCRATCH_SEEDS").unwrap_or_else(|_| "1-10".to_string());
    text.split(',')
        .flat_map(|part| match part.split_once('-') {
            Some((a, b)) => (a.trim().parse().unwrap()..=b.trim().parse().unwrap()).collect::<Vec<u64>>(),
            None => vec![part.trim().parse().unwrap()],
        })
        .collect()
}

/// To try a variant of the recipe without a rebuild: `FROM_SCRATCH_RATE`, `_HALVING` (epochs),
/// `_FORGET` (the forget bias), `_CHORUSES` (a sequence), `_CHORD_BLOCKS`.
fn vary(recipe: &mut blues_lstm::model::Recipe) {
    let var = |name: &str| std::env::var(format!("FROM_SCRATCH_{name}")).ok();
    let c = &mut recipe.config;
    if let Some(v) = var("RATE") {
        c.learning_rate = v.parse().unwrap();
    }
    if let Some(v) = var("HALVING") {
        c.lr_halving_epochs = v.parse().unwrap();
    }
    if let Some(v) = var("FORGET") {
        c.forget_bias = Some(v.parse().unwrap());
    }
    if let Some(v) = var("CHORUSES") {
        c.choruses_per_sequence = v.parse().unwrap();
    }
    if let Some(v) = var("CHORD_BLOCKS") {
        recipe.blocks[0] = v.parse().unwrap();
    }
}

/// One seed's run.
struct Run {
    held: bool,
    epochs: u32,
    seconds: f32,
}

fn run(corpus: &Corpus, seed: u64) -> Run {
    let mut recipe = retrain_recipe(corpus, seed);
    recipe.config.threads = retrain_threads();
    vary(&mut recipe);
    let started = Instant::now();
    let mut first_held = None;
    let trace: u32 = std::env::var("FROM_SCRATCH_TRACE").ok().and_then(|t| t.parse().ok()).unwrap_or(0);
    let (mut losses, mut checks) = (0.0f32, Vec::new());
    let mut on_progress = |p: &blues_lstm::lstm::trainer::Progress| {
        if p.chord_choruses_ok == Some(recipe.config.check_choruses) && first_held.is_none() {
            first_held = Some(p.epoch);
        }
        // FROM_SCRATCH_TRACE=N: every N epochs, the mean loss and the checks since the last line.
        if trace > 0 {
            losses += p.loss;
            checks.extend(p.chord_choruses_ok);
            if p.epoch.is_multiple_of(trace) {
                println!("    epoch {:>6}  loss {:.3}  checks {checks:?}", p.epoch, losses / trace as f32);
                (losses, checks) = (0.0, Vec::new());
            }
        }
    };
    // As the plugin does, restarts included; FROM_SCRATCH_NO_RESTART=1 for one run of max epochs.
    let result = if std::env::var("FROM_SCRATCH_NO_RESTART").is_ok() {
        model::train(&recipe, corpus, "from scratch", &mut on_progress, &AtomicBool::new(false))
    } else {
        train_from_scratch(&recipe, corpus, "from scratch", &mut on_progress, &AtomicBool::new(false))
    };
    let seconds = started.elapsed().as_secs_f32();
    let (held, epochs, note) = match result {
        Ok(model) => {
            let ok = check_form(&model, corpus, CHECK_CHORUSES, seed);
            (ok == CHECK_CHORUSES, model.metadata.epochs, format!("plugin check {ok}/{CHECK_CHORUSES}"))
        }
        Err(TrainError::DidNotConverge { epochs, best_chord_choruses }) => {
            (false, epochs, format!("did not converge (best free run {best_chord_choruses})"))
        }
        Err(e) => (false, 0, format!("{e}")),
    };
    let first = first_held.map_or("-".to_string(), |e| e.to_string());
    println!(
        "  seed {seed:>2}  {:<4} {epochs:>6} epochs {seconds:>7.1} s   first 100/100 at {first:>6}   {note}",
        if held { "held" } else { "FAIL" }
    );
    Run { held, epochs, seconds }
}

fn median(mut v: Vec<f32>) -> f32 {
    v.sort_by(f32::total_cmp);
    match v.len() {
        0 => f32::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn main() {
    let corpora = std::env::var("FROM_SCRATCH_CORPORA").unwrap_or_else(|_| "rhythm,aaba".to_string());
    let seeds = seeds();
    println!("retrain from scratch on {} thread(s), seeds {seeds:?}", retrain_threads());
    for name in corpora.split(',').map(str::trim) {
        let corpus = match name {
            "rhythm" => style_corpus("rhythm-changes"),
            "aaba" => aaba_corpus(),
            "blues12" => style_corpus("bebop-blues"),
            "blues16" => style_corpus("sixteen-bar-blues"),
            other => panic!("unknown corpus {other} (rhythm, aaba, blues12, blues16)"),
        };
        let mut recipe = retrain_recipe(&corpus, 1);
        vary(&mut recipe);
        let c = &recipe.config;
        println!(
            "{name}: 8 choruses of {} bars; blocks {:?}, rate {}, halving {}, forget bias {:?}, {} choruses a sequence, batch {}, max {} epochs",
            corpus.form.bars,
            recipe.blocks,
            c.learning_rate,
            c.lr_halving_epochs,
            c.forget_bias,
            c.choruses_per_sequence,
            c.batch,
            c.max_epochs
        );
        let runs: Vec<Run> = seeds.iter().map(|&seed| run(&corpus, seed)).collect();
        let held = runs.iter().filter(|r| r.held).count();
        let seconds: Vec<f32> = runs.iter().map(|r| r.seconds).collect();
        let max = seconds.iter().copied().fold(0.0, f32::max);
        let epochs = median(runs.iter().map(|r| r.epochs as f32).collect());
        println!(
            "{name}: held {held} of {}; median {:.1} s, max {max:.1} s; median {epochs:.0} epochs\n",
            runs.len(),
            median(seconds)
        );
    }
}
