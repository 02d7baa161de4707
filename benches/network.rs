//! Speed of the network: one real-time step of the paper's Exp 2 net and of the band's net,
//! alone and with the generation rule the improviser adds, the melody draw alone (at the paper's
//! temperature and at another), and one training epoch of each.
//! `cargo bench --bench network`.

use blues_lstm::lstm::bptt::LstmLearner;
use blues_lstm::lstm::free_run::FreeRun;
use blues_lstm::lstm::network::Network;
use blues_lstm::lstm::readout::sample_choice;
use blues_lstm::lstm::rng::Rng;
use blues_lstm::lstm::trainer::{TrainConfig, Trainer};
use blues_lstm::lstm::weights::Weights;
use blues_lstm::model::builtin::{builtin, Builtin, BUILTINS};
use blues_lstm::music::encoding::StepContext;
use blues_lstm::music::training_set::EncodedCorpus;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

/// A built-in model after a few epochs of training from scratch: realistic weights, cheap to make.
fn briefly_trained(b: &Builtin) -> Weights {
    let recipe = b.recipe(1);
    let corpus = b.corpus();
    let set = EncodedCorpus::new(&corpus, recipe.encoding);
    let readout = recipe.encoding.readout();
    let topology = recipe.encoding.topology(&recipe.blocks, recipe.cells_per_block);
    let mut trainer =
        Trainer::new(LstmLearner::new(topology.clone()), &set, &readout, &recipe.config).expect("trainer");
    for _ in 0..20 {
        trainer.epoch();
    }
    Weights::from_flat(topology, trainer.params())
}

/// The frames of a chorus of the corpus, as the network reads them.
fn chorus_units(b: &Builtin) -> Vec<Vec<f32>> {
    let encoding = b.recipe(1).encoding;
    let chorus = b.corpus().chorus(0);
    chorus
        .iter()
        .enumerate()
        .map(|(step, frame)| {
            let mut units = vec![0.0f32; encoding.n_inputs()];
            // The chorus comes round: its first step follows its last.
            let previous = &chorus[(step + chorus.len() - 1) % chorus.len()];
            encoding.encode(frame, previous, &mut units[..encoding.n_units()]);
            encoding.encode_context(&StepContext::at(encoding.form(), step as i64 + 1), &mut units);
            units
        })
        .collect()
}

/// The next frame of a chorus, round and round: a compare, not a division (a 64-bit `%` would
/// cost the bench more than some of what it measures).
fn next(i: usize, len: usize) -> usize {
    if i + 1 == len {
        0
    } else {
        i + 1
    }
}

fn step(c: &mut Criterion) {
    for b in BUILTINS.iter().filter(|b| b.recipe(1).encoding.melody.is_some()) {
        let mut net = Network::new(&briefly_trained(b));
        let frames = chorus_units(b);
        let (n, n_in) = (b.recipe(1).encoding.n_units(), frames[0].len());
        let mut y = vec![0.0f32; n];
        let mut i = 0;
        c.bench_function(&format!("{}/step_network_only", b.id), |bench| {
            bench.iter(|| {
                net.step(black_box(&frames[i]), &mut y);
                i = next(i, frames.len());
                black_box(&y);
            })
        });
        // The whole free-run step: the network, then the rule (threshold, draws).
        let readout = b.recipe(1).encoding.readout();
        let mut run = FreeRun::new(n, n_in - n);
        let mut rng = Rng::new(1);
        c.bench_function(&format!("{}/step", b.id), |bench| {
            bench.iter(|| {
                run.input_mut().copy_from_slice(&frames[i]);
                i = next(i, frames.len());
                black_box(run.step(&mut net, &readout, &[1.0; 4], &mut rng));
            })
        });
    }
    // The melody draw alone, on the paper's outputs (what the composer samples from).
    let b = builtin("paper-exp2").unwrap();
    let mut net = Network::new(&briefly_trained(b));
    let outputs: Vec<Vec<f32>> = chorus_units(b)
        .iter()
        .map(|f| {
            let mut y = vec![0.0f32; 25];
            net.step(f, &mut y);
            y
        })
        .collect();
    let mut rng = Rng::new(1);
    let mut i = 0;
    for temperature in [1.0f32, 0.7] {
        c.bench_function(&format!("sample_melody_t{temperature}"), |bench| {
            bench.iter(|| {
                i = next(i, outputs.len());
                sample_choice(black_box(&outputs[i][12..]), temperature, &mut rng)
            })
        });
    }
}

/// Subnormal floats are slow on many CPUs unless flushed to zero, which hosts' audio threads
/// usually do and the command line does not. A net whose every weight is ~1e-20 would make
/// every product subnormal (before the step flushed tiny values this bench took twice as long
/// as `step_network_only`); now it should cost the same.
fn step_subnormal(c: &mut Criterion) {
    let b = builtin("paper-exp2").unwrap();
    let mut weights = briefly_trained(b);
    let mut rng = Rng::new(2);
    for tensor in weights.tensors.values_mut() {
        for v in &mut tensor.values {
            *v = rng.uniform(-1e-20, 1e-20);
        }
    }
    let mut net = Network::new(&weights);
    let frames = chorus_units(b);
    let mut y = vec![0.0f32; 25];
    let mut i = 0;
    c.bench_function("step_subnormal_weights", |bench| {
        bench.iter(|| {
            net.step(black_box(&frames[i]), &mut y);
            i = next(i, frames.len());
            black_box(&y);
        })
    });
}

fn epoch(c: &mut Criterion) {
    let mut group = c.benchmark_group("train");
    group.sample_size(20);
    for b in BUILTINS.iter().filter(|b| b.recipe(1).encoding.melody.is_some()) {
        let recipe = b.recipe(1);
        let corpus = b.corpus();
        let set = EncodedCorpus::new(&corpus, recipe.encoding);
        let readout = recipe.encoding.readout();
        let topology = recipe.encoding.topology(&recipe.blocks, recipe.cells_per_block);
        let config = TrainConfig { ..recipe.config.clone() };
        let mut trainer = Trainer::new(LstmLearner::new(topology), &set, &readout, &config).expect("trainer");
        group.bench_function(format!("{}/epoch", b.id), |bench| bench.iter(|| black_box(trainer.epoch())));
    }
    group.finish();
}

criterion_group!(benches, step, step_subnormal, epoch);
criterion_main!(benches);
