//! Retraining to the criterion (free-running chords right for 100 choruses, loss plateaued),
//! from scratch, deterministic seed: what a user waits for after pressing Retrain — 8 choruses
//! of a user's own, with the recipe the plugin retrains with. Run: `cargo bench --bench retrain`.

use blues_lstm::model::builtin::default_builtin;
use blues_lstm::music::corpus::Corpus;
use blues_lstm::training::retrain_recipe;
use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn retrain(c: &mut Criterion) {
    // Eight choruses a user might have captured: eight of the default style's corpus.
    let style = default_builtin().style();
    let user: Vec<_> = (0..8).map(|i| style.chorus(i * 977)).collect();
    let corpus = Corpus::from_choruses(user, style.bars);
    let recipe = retrain_recipe(&corpus, 1);
    let mut group = c.benchmark_group("retrain to the criterion");
    group.sample_size(10).measurement_time(Duration::from_secs(60));
    group.bench_function(format!("8 user choruses of {} bars, seed 1", style.bars), |b| {
        b.iter(|| {
            blues_lstm::model::train(&recipe, &corpus, "bench", &mut |_| {}, &AtomicBool::new(false))
                .expect("converges")
        })
    });
    group.finish();
}

criterion_group!(benches, retrain);
criterion_main!(benches);
