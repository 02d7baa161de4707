//! Speed of the network: one real-time step of the paper's Exp 2 net, alone and with the chord
//! mask and melody draw the composer adds, the draw alone (at the paper's temperature and at
//! another), and one training epoch at the default config.
//! `cargo bench --bench network`.

use blues_lstm::lstm::model_file::Model;
use blues_lstm::lstm::network::Network;
use blues_lstm::lstm::rng::Rng;
use blues_lstm::lstm::sampling::{chord_mask_from_outputs, sample_melody};
use blues_lstm::lstm::topology::Topology;
use blues_lstm::lstm::train::{TrainConfig, Trainer};
use blues_lstm::music::corpus::Corpus;
use blues_lstm::music::encoding::{N_CHORD, N_UNITS};
use blues_lstm::music::training_set::encoding;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

/// An Exp 2 model after a few epochs of training: realistic weights, cheap to make.
fn exp2_model() -> Model {
    let t = Topology::exp2();
    let corpus = Corpus::builtin();
    let mut trainer = Trainer::new(t, encoding(), &corpus, &TrainConfig::for_topology(t, 1)).expect("trainer");
    for _ in 0..20 {
        trainer.epoch();
    }
    trainer.model()
}

/// The frames of the first built-in chorus, as the network reads them.
fn chorus_frames() -> Vec<[f32; N_UNITS]> {
    Corpus::builtin()
        .chorus(0)
        .iter()
        .map(|frame| {
            let mut units = [0.0f32; N_UNITS];
            frame.write_units(&mut units);
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
    let mut net = Network::new(&exp2_model());
    let frames = chorus_frames();
    let mut y = [0.0f32; N_UNITS];
    let mut rng = Rng::new(1);
    let mut i = 0;
    // The network alone, then with the composer's chord mask and melody draw.
    c.bench_function("step_network_only", |b| {
        b.iter(|| {
            net.step(black_box(&frames[i]), &mut y);
            i = next(i, frames.len());
            black_box(&y);
        })
    });
    // The draw alone, on the outputs of one chorus's steps (what the composer samples from).
    let outputs: Vec<[f32; N_UNITS]> = frames
        .iter()
        .map(|f| {
            let mut y = [0.0f32; N_UNITS];
            net.step(f, &mut y);
            y
        })
        .collect();
    for temperature in [1.0f32, 0.7] {
        c.bench_function(&format!("sample_melody_t{temperature}"), |b| {
            b.iter(|| {
                i = next(i, outputs.len());
                sample_melody(black_box(&outputs[i][N_CHORD..]), temperature, &mut rng)
            })
        });
    }
    c.bench_function("step", |b| {
        b.iter(|| {
            net.step(black_box(&frames[i]), &mut y);
            i = next(i, frames.len());
            let chord = chord_mask_from_outputs(&y[..N_CHORD]);
            let melody = sample_melody(&y[N_CHORD..], 1.0, &mut rng);
            black_box((chord, melody))
        })
    });
}

/// Subnormal floats are slow on many CPUs unless flushed to zero, which hosts' audio threads
/// usually do and the command line does not. A net whose every weight is ~1e-20 would make
/// every product and every x² in the nonlinearities subnormal (before the step flushed tiny
/// values this bench took twice as long as `step_network_only`); now it should cost the same.
fn step_subnormal(c: &mut Criterion) {
    let mut model = exp2_model();
    let mut rng = Rng::new(2);
    for tensor in model.weights.values_mut() {
        for v in &mut tensor.values {
            *v = rng.uniform(-1e-20, 1e-20);
        }
    }
    let mut net = Network::new(&model);
    let frames = chorus_frames();
    let mut y = [0.0f32; N_UNITS];
    let mut i = 0;
    c.bench_function("step_subnormal_weights", |b| {
        b.iter(|| {
            net.step(black_box(&frames[i]), &mut y);
            i = next(i, frames.len());
            black_box(&y);
        })
    });
}

fn epoch(c: &mut Criterion) {
    let t = Topology::exp2();
    let corpus = Corpus::builtin();
    let mut trainer = Trainer::new(t, encoding(), &corpus, &TrainConfig::for_topology(t, 1)).expect("trainer");
    let mut group = c.benchmark_group("train");
    group.sample_size(20);
    group.bench_function("epoch", |b| b.iter(|| black_box(trainer.epoch())));
    group.finish();
}

criterion_group!(benches, step, step_subnormal, epoch);
criterion_main!(benches);
