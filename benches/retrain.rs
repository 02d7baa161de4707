//! Retraining to the criterion (free-running chords right for 100 choruses, loss plateaued),
//! from scratch, deterministic seed: what a user waits for after pressing Retrain. Exp 1 on the
//! built-in corpus, so a sample takes about a second. Run: `cargo bench --bench retrain`.

use blues_lstm::lstm::topology::Topology;
use blues_lstm::lstm::train::{train, TrainConfig};
use blues_lstm::models;
use blues_lstm::music::corpus::Corpus;
use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn retrain(c: &mut Criterion) {
    let corpus = Corpus::builtin();
    let topology = Topology::exp1();
    let config = TrainConfig::for_topology(topology, 1);
    let mut group = c.benchmark_group("retrain to the criterion");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("Exp 1, built-in corpus, seed 1", |b| {
        b.iter(|| {
            train(topology, models::encoding(), &corpus, &config, &mut |_| {}, &AtomicBool::new(false))
                .expect("converges")
        })
    });
    group.finish();
}

criterion_group!(benches, retrain);
criterion_main!(benches);
