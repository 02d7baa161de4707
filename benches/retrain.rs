//! Retraining to the criterion (free-running chords right for 100 choruses, loss plateaued),
//! from scratch, deterministic seed: what a user waits for after pressing Retrain — 8 choruses
//! of a user's own, with the recipe the plugin retrains with — on 1 and on 2 threads, with the
//! recipe's batch of 8 sequences (one lock-step chunk: nothing to share out) and with 16 (two
//! chunks). One epoch of each first. The weights are the same on any number of threads, so a
//! run on 2 threads stops at the same epoch as on 1. Run: `cargo bench --bench retrain`
//! (`-- epoch` for the epochs alone, `-- "user tune"` for the fine-tuning targets, `-- "over its
//! chart"` for the chart band taught a user's lines).

use blues_lstm::lstm::bptt::LstmLearner;
use blues_lstm::lstm::trainer::{TrainConfig, Trainer};
use blues_lstm::model::builtin::default_builtin;
use blues_lstm::model::{train, Recipe};
use blues_lstm::music::corpus::Corpus;
use blues_lstm::music::training_set::EncodedCorpus;
use blues_lstm::training::retrain_recipe;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Sequences per update and threads of each case.
const CASES: [(usize, usize); 4] = [(8, 1), (8, 2), (16, 1), (16, 2)];

/// Eight choruses a user might have captured: eight of the default style's corpus.
fn user_corpus() -> Corpus {
    let style = default_builtin().style();
    let user: Vec<_> = (0..8).map(|i| style.chorus(i * 977)).collect();
    Corpus::from_choruses(user, style.bars)
}

/// The plugin's retrain recipe with `batch` sequences an update on `threads` threads.
fn recipe(corpus: &Corpus, batch: usize, threads: usize) -> Recipe {
    let mut recipe = retrain_recipe(corpus, 1);
    recipe.config = TrainConfig { batch, threads, ..recipe.config };
    recipe
}

fn name(batch: usize, threads: usize) -> String {
    let plural = if threads == 1 { "" } else { "s" };
    format!("batch {batch}, {threads} thread{plural}")
}

fn epoch(c: &mut Criterion) {
    let corpus = user_corpus();
    let mut group = c.benchmark_group("retrain epoch");
    group.sample_size(50);
    for (batch, threads) in CASES {
        let recipe = recipe(&corpus, batch, threads);
        let set = EncodedCorpus::new(&corpus, recipe.encoding);
        let readout = recipe.encoding.readout();
        let topology = recipe.encoding.topology(&recipe.blocks, recipe.cells_per_block);
        let mut trainer = Trainer::new(LstmLearner::new(topology), &set, &readout, &recipe.config).expect("trainer");
        group.bench_function(name(batch, threads), |b| b.iter(|| black_box(trainer.epoch())));
    }
    group.finish();
}

/// Benches one training run to its model, `run`, as `id`, and prints the epochs it took.
fn bench_training(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: String,
    run: impl Fn() -> Result<blues_lstm::model::Model, blues_lstm::lstm::trainer::TrainError>,
) {
    let mut epochs = 0;
    group.bench_function(id, |b| {
        b.iter(|| {
            let model = run().expect("learns the form");
            epochs = model.metadata.epochs;
            model
        })
    });
    println!("  ({epochs} epochs)");
}

fn retrain(c: &mut Criterion) {
    let corpus = user_corpus();
    let mut group = c.benchmark_group("retrain to the criterion");
    group.sample_size(10).measurement_time(Duration::from_secs(60));
    for (batch, threads) in CASES {
        let recipe = recipe(&corpus, batch, threads);
        let id = format!("8 user choruses of {} bars, seed 1, {}", corpus.form.bars, name(batch, threads));
        bench_training(&mut group, id, || train(&recipe, &corpus, "bench", &mut |_| {}, &AtomicBool::new(false)));
    }
    group.finish();
}

/// What a user waits for now: 8 choruses of a tune unlike any built-in band's (`music::user_tunes`:
/// other changes, quarter-note pentatonic lines, a bass in two, no drums) fine-tuned from the
/// nearest built-in band, on 1 and 2 threads; and the same choruses from scratch, as every
/// retrain was before (one thread: a batch of 8 is one chunk). Over 16 bars a retrain starts
/// from scratch (`fine_tune::NEAREST_BAND_MAX_BARS`); `--bench from_scratch` measures that.
fn fine_tune(c: &mut Criterion) {
    use blues_lstm::model::fine_tune::{fine_tune, fine_tune_config, Start};
    use blues_lstm::music::user_tunes::user_tune;
    let mut group = c.benchmark_group("user tune");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    for bars in [12, 16] {
        let corpus = user_tune(bars).expect("a tune of that length").corpus(8, 1);
        let start = Start::nearest_builtin(&corpus, true).expect("a band to start from");
        for threads in [1, 2] {
            let config = TrainConfig { threads, ..fine_tune_config(1) };
            let id = format!("{bars} bars fine-tuned from {}, {}", start.name, name(8, threads));
            bench_training(&mut group, id, || {
                fine_tune(&start, &corpus, &config, "bench", &mut |_| {}, &AtomicBool::new(false))
            });
        }
        let recipe = retrain_recipe(&corpus, 1);
        let id = format!("{bars} bars from scratch, {}", name(8, 1));
        bench_training(&mut group, id, || train(&recipe, &corpus, "bench", &mut |_| {}, &AtomicBool::new(false)));
    }
    group.finish();
}

/// The same tunes' choruses over their charts teaching the chart band their lines (in all 12
/// keys: `fine_tune::OVER_CHART_MOVES`), as *Start from: the chart band, over my chart* does:
/// the chart gives the form, so a 32-bar tune costs what a 12-bar one does.
fn over_chart(c: &mut Criterion) {
    use blues_lstm::model::builtin::chart_band;
    use blues_lstm::model::fine_tune::{fine_tune_config, fine_tune_over_chart, Start};
    use blues_lstm::music::user_tunes::user_tune;
    let mut group = c.benchmark_group("user tune over its chart");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    let band = chart_band().expect("the chart band");
    for bars in [12, 16, 32] {
        let tune = user_tune(bars).expect("a tune of that length");
        let (chart, corpus) = (tune.chart(), tune.corpus(8, 1));
        let start = Start::chart_band(band, "the chart band", &corpus, true).expect("the chart band can learn it");
        for threads in [1, 2] {
            let config = TrainConfig { threads, ..fine_tune_config(1) };
            let id = format!("{bars} bars, the chart band taught, {}", name(8, threads));
            bench_training(&mut group, id, || {
                fine_tune_over_chart(&start, &chart, &corpus, &config, "bench", &mut |_| {}, &AtomicBool::new(false))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, epoch, retrain, fine_tune, over_chart);
criterion_main!(benches);
