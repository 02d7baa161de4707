//! `process()` of the real plugin on 512-sample blocks, during continuous playback at 120 BPM and
//! 48 kHz (a step every 12,000 samples): blocks where no step starts, and blocks where one does.
//! Each block is timed on its own and sorted into one of the two groups.
//! Run: `cargo bench --bench process`.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};

fn blocks(c: &mut Criterion, name: &str, want_step: bool) {
    let mut session = common::Session::new(48_000.0, 120.0);
    session.record = false;
    let display = session.plugin.display();
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let (mut total, mut counted) = (Duration::ZERO, 0);
            while counted < iters {
                let before = display.recorded();
                let start = Instant::now();
                session.block(512);
                let took = start.elapsed();
                if (display.recorded() > before) == want_step {
                    total += took;
                    counted += 1;
                }
                if session.pos_beats > 10_000.0 {
                    session.seek(0.0);
                    session.block(512); // the jump's re-alignment is not what is measured
                }
            }
            total
        })
    });
}

fn process(c: &mut Criterion) {
    blocks(c, "process 512 samples, no step", false);
    blocks(c, "process 512 samples, one step", true);
}

criterion_group!(benches, process);
criterion_main!(benches);
