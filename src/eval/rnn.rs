//! Baseline (a): the "standard recurrent network" the paper contrasts LSTM with. An Elman RNN:
//! one layer of tanh units, logistic outputs, cross-entropy per unit. Trained by the LSTM's own
//! driver (`lstm::trainer`) as a [`Learner`]: full BPTT over sequences of consecutive corpus
//! choruses, minibatches of lock-step sequences, global-norm clipping, Adam with inverse-time
//! decay, the same stop rule and the same cap on epochs, deterministic from the seed; played by
//! the same free run. The matrix kernels and the output layer are the LSTM trainer's own
//! (`lstm::ops`). CLI thread.
//!
//! Per step t (input frame x(t), target frame x(t + 1)):
//!   h(t) = tanh(W_h · [x(t), h(t − 1), 1])                     (H hidden units)
//!   y(t) = σ(W_y · [h(t), 1]);  loss += CE(y(t), x(t + 1))      (N outputs)
//! Flat parameters: W_h (H × (N + H + 1)), then W_y (N × (H + 1)), each row-major; gradients
//! and Adam moments share the layout.

// Fixed-size lane loops are indexed on purpose: that is the shape LLVM vectorises.
#![allow(clippy::needless_range_loop)]

use crate::lstm::free_run::{FreeRun, Stepper};
use crate::lstm::ops::{
    linear_backward_input, linear_backward_weights, linear_forward, output_backward, output_forward, Lanes, SEQUENCES,
};
use crate::lstm::readout::Readout;
use crate::lstm::real::{sigmoid_f32, tanh_f32, Real};
use crate::lstm::rng::Rng;
use crate::lstm::trainer::{output_bias, train, Fork, Learner, Progress, TrainConfig, TrainError, Trained};
use crate::lstm::training_set::TrainingSet;
use crate::music::encoding::{Encoding, Frame};
use std::sync::atomic::AtomicBool;

/// Units in (= out) and hidden units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RnnShape {
    pub n_units: usize,
    pub hidden: usize,
}

impl RnnShape {
    /// Columns of W_h: [x, h, 1].
    fn hidden_cols(&self) -> usize {
        self.n_units + self.hidden + 1
    }

    /// Columns of W_y: [h, 1].
    fn out_cols(&self) -> usize {
        self.hidden + 1
    }

    /// Where W_y starts in the flat parameters.
    fn w_y(&self) -> usize {
        self.hidden * self.hidden_cols()
    }

    /// Weights, biases included: H(N + H + 1) + N(H + 1).
    pub fn n_params(&self) -> usize {
        self.w_y() + self.n_units * self.out_cols()
    }

    /// The hidden size whose weight count is nearest `target` (ties: the smaller net).
    pub fn matching(n_units: usize, target: usize) -> Self {
        let shape = |hidden| Self { n_units, hidden };
        (1..=256).map(shape).min_by_key(|s| s.n_params().abs_diff(target)).unwrap_or(shape(1))
    }
}

/// Activations cached by the forward pass for the backward pass, and the backward scratch,
/// for sequences of up to `capacity` steps. Every element is a `Lanes<R>`.
pub struct Workspace<R> {
    capacity: usize,
    /// Hidden-layer inputs [x(t), h(t − 1), 1]: (T, N + H + 1).
    gin: Vec<Lanes<R>>,
    /// h(t): (T, H); the backward pass turns it into dL/d(pre-activation) in place.
    h: Vec<Lanes<R>>,
    /// Output-layer inputs [h(t), 1]: (T, H + 1).
    oin: Vec<Lanes<R>>,
    /// Outputs y(t): (T, N); the backward pass turns them into dL/dlogit in place.
    y: Vec<Lanes<R>>,
    /// dL/dh(t), and the part of it that reaches h(t − 1): (H) each.
    dh: Vec<Lanes<R>>,
    dh_prev: Vec<Lanes<R>>,
    /// Per-unit losses of one step: (N).
    ce: Vec<Lanes<R>>,
    /// Scratch of `linear_forward`.
    active: Vec<usize>,
}

impl<R: Real> Workspace<R> {
    pub fn new(shape: RnnShape, capacity: usize) -> Self {
        let zero = [R::ZERO; SEQUENCES];
        let (n, hd) = (shape.n_units, shape.hidden);
        Self {
            capacity,
            gin: vec![zero; capacity * shape.hidden_cols()],
            h: vec![zero; capacity * hd],
            oin: vec![zero; capacity * shape.out_cols()],
            y: vec![zero; capacity * n],
            dh: vec![zero; hd],
            dh_prev: vec![zero; hd],
            ce: vec![zero; n],
            active: vec![0; shape.hidden_cols()],
        }
    }
}

/// Runs `steps` steps of [`SEQUENCES`] sequences from h = 0. `frames` is (steps + 1, N) lanes:
/// frame t is the input at step t and frame t + 1 its target. Returns Σ over lanes of
/// `weight[lane]` × (cross-entropy summed over units and steps).
pub fn forward<R: Real>(
    shape: RnnShape,
    params: &[R],
    frames: &[Lanes<R>],
    steps: usize,
    weight: &Lanes<R>,
    ws: &mut Workspace<R>,
) -> f64 {
    let (n, hd, cols) = (shape.n_units, shape.hidden, shape.hidden_cols());
    assert!(steps <= ws.capacity && frames.len() >= (steps + 1) * n && params.len() == shape.n_params());
    let (w_h, w_y) = params.split_at(shape.w_y());
    let mut loss = [R::ZERO; SEQUENCES];
    for t in 0..steps {
        let gin = &mut ws.gin[t * cols..(t + 1) * cols];
        gin[..n].copy_from_slice(&frames[t * n..(t + 1) * n]);
        if t == 0 {
            gin[n..n + hd].fill([R::ZERO; SEQUENCES]);
        } else {
            gin[n..n + hd].copy_from_slice(&ws.h[(t - 1) * hd..t * hd]);
        }
        gin[cols - 1] = [R::ONE; SEQUENCES];
        let h = &mut ws.h[t * hd..(t + 1) * hd];
        linear_forward(w_h, gin, h, &mut ws.active);
        for v in h.iter_mut() {
            R::tanh_lanes(v);
        }
        let oin = &mut ws.oin[t * (hd + 1)..(t + 1) * (hd + 1)];
        oin[..hd].copy_from_slice(h);
        oin[hd] = [R::ONE; SEQUENCES];
        let y = &mut ws.y[t * n..(t + 1) * n];
        linear_forward(w_y, oin, y, &mut ws.active);
        output_forward(y, &frames[(t + 1) * n..(t + 2) * n], &mut ws.ce);
        for e in &ws.ce {
            for l in 0..SEQUENCES {
                loss[l] += e[l];
            }
        }
    }
    (0..SEQUENCES).map(|l| (loss[l] * weight[l]).to_f64()).sum()
}

/// Adds the gradient of the weighted loss of the last `forward` (same arguments) to `grads`:
/// the steps in reverse, then the weight gradients of the whole sequence at once.
pub fn backward<R: Real>(
    shape: RnnShape,
    params: &[R],
    grads: &mut [R],
    frames: &[Lanes<R>],
    steps: usize,
    weight: &Lanes<R>,
    ws: &mut Workspace<R>,
) {
    let (n, hd, cols) = (shape.n_units, shape.hidden, shape.hidden_cols());
    let (w_h, w_y) = params.split_at(shape.w_y());
    ws.dh.fill([R::ZERO; SEQUENCES]);
    for t in (0..steps).rev() {
        let dy = &mut ws.y[t * n..(t + 1) * n];
        output_backward(dy, &frames[(t + 1) * n..(t + 2) * n], weight);
        linear_backward_input(w_y, hd + 1, dy, 0, &mut ws.dh);
        // Through tanh: h → dL/d(pre-activation) = dh (1 − h²).
        for (z, d) in ws.h[t * hd..(t + 1) * hd].iter_mut().zip(&ws.dh) {
            for l in 0..SEQUENCES {
                z[l] = d[l] * (R::ONE - z[l] * z[l]);
            }
        }
        ws.dh_prev.fill([R::ZERO; SEQUENCES]);
        linear_backward_input(w_h, cols, &ws.h[t * hd..(t + 1) * hd], n, &mut ws.dh_prev);
        std::mem::swap(&mut ws.dh, &mut ws.dh_prev);
    }
    let (g_h, g_y) = grads.split_at_mut(shape.w_y());
    linear_backward_weights(g_h, &ws.gin[..steps * cols], &ws.h[..steps * hd], hd, cols);
    linear_backward_weights(g_y, &ws.oin[..steps * (hd + 1)], &ws.y[..steps * n], n, hd + 1);
}

/// A trained RNN, ready to play one step at a time.
#[derive(Clone, Debug)]
pub struct Rnn {
    pub shape: RnnShape,
    /// The flat parameters (module docs).
    params: Vec<f32>,
    /// [x(t), h(t − 1), 1] of the step being played, and the new hidden state.
    gin: Vec<f32>,
    h: Vec<f32>,
}

impl Rnn {
    pub fn new(shape: RnnShape, params: Vec<f32>) -> Self {
        Self { shape, params, gin: vec![0.0; shape.hidden_cols()], h: vec![0.0; shape.hidden] }
    }

    /// `choruses` choruses of free run from `start` (step 0) by `encoding`'s rule at
    /// `temperature` (module docs of `eval`): its own outputs fed back.
    pub fn generate(
        &mut self,
        start: Frame,
        encoding: &Encoding,
        choruses: usize,
        temperature: f32,
        rng: &mut Rng,
    ) -> Vec<Frame> {
        let n = encoding.n_units();
        assert_eq!(self.shape.n_units, n);
        let readout = encoding.readout();
        let total = choruses * encoding.steps_per_chorus();
        let mut frames = Vec::with_capacity(total);
        let mut run = FreeRun::new(n, 0);
        let mut frame = start;
        encoding.encode(&frame, &Frame::default(), run.input_mut());
        Stepper::reset(self);
        let temperatures = [temperature; 4];
        while frames.len() < total {
            frames.push(frame);
            let step_in_bar = frames.len() % encoding.steps_per_bar;
            let units = run.step(self, &readout, &temperatures, rng);
            frame = encoding.decode(units, &frame, step_in_bar);
        }
        frames
    }
}

impl Stepper for Rnn {
    fn reset(&mut self) {
        self.gin.fill(0.0);
    }

    /// One step: reads N units `x`, writes N output probabilities `y`. The same f32 functions
    /// as the trainer's forward pass.
    fn step(&mut self, x: &[f32], y: &mut [f32]) {
        let (n, hd) = (self.shape.n_units, self.shape.hidden);
        let (w_h, w_y) = self.params.split_at(self.shape.w_y());
        self.gin[..n].copy_from_slice(&x[..n]);
        *self.gin.last_mut().expect("W_h has a bias column") = 1.0;
        for (h, row) in self.h.iter_mut().zip(w_h.chunks_exact(self.gin.len())) {
            *h = tanh_f32(row.iter().zip(&self.gin).map(|(w, v)| w * v).sum());
        }
        for (yu, row) in y.iter_mut().zip(w_y.chunks_exact(hd + 1)) {
            *yu = sigmoid_f32(row[hd] + row.iter().zip(&self.h).map(|(w, h)| w * h).sum::<f32>());
        }
        self.gin[n..n + hd].copy_from_slice(&self.h);
    }
}

/// The RNN as the trainer drives it.
pub struct RnnLearner {
    shape: RnnShape,
    ws: Workspace<f32>,
}

impl RnnLearner {
    pub fn new(shape: RnnShape) -> Self {
        Self { shape, ws: Workspace::new(shape, 0) }
    }
}

impl Fork for RnnLearner {
    fn fork(&self) -> Self {
        Self::new(self.shape)
    }
}

impl Learner for RnnLearner {
    type Player = Rnn;

    fn n_params(&self) -> usize {
        self.shape.n_params()
    }

    fn n_outputs(&self) -> usize {
        self.shape.n_units
    }

    /// Weights uniform in ±1/√H (a vanilla RNN's usual start, PyTorch's `nn.RNN`), output
    /// biases per `config.output_bias`, as the LSTM trainer starts its outputs.
    fn init_params(&self, config: &TrainConfig, means: &[f64], rng: &mut Rng) -> Vec<f32> {
        let shape = self.shape;
        let a = 1.0 / (shape.hidden as f32).sqrt();
        let mut params: Vec<f32> = (0..shape.n_params()).map(|_| rng.uniform(-a, a)).collect();
        let out_cols = shape.out_cols();
        for (row, &m) in params[shape.w_y()..].chunks_exact_mut(out_cols).zip(means) {
            row[out_cols - 1] = output_bias(config.output_bias, m);
        }
        params
    }

    fn forward_backward(
        &mut self,
        params: &[f32],
        grads: &mut [f32],
        frames: &[Lanes<f32>],
        steps: usize,
        weight: &Lanes<f32>,
    ) -> f64 {
        if self.ws.capacity < steps {
            self.ws = Workspace::new(self.shape, steps);
        }
        let loss = forward(self.shape, params, frames, steps, weight, &mut self.ws);
        backward(self.shape, params, grads, frames, steps, weight, &mut self.ws);
        loss
    }

    fn player(&self, params: &[f32]) -> Rnn {
        Rnn::new(self.shape, params.to_vec())
    }
}

/// Trains an RNN of `shape` on `set` as `config` trains the LSTM (module docs), for at most
/// `config.max_epochs` epochs (it may never meet the stop rule: `Trained::converged` says).
pub fn train_rnn(
    set: &dyn TrainingSet,
    readout: &Readout,
    shape: RnnShape,
    config: &TrainConfig,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<(Rnn, Trained), TrainError> {
    let trained = train(RnnLearner::new(shape), set, readout, config, on_progress, &AtomicBool::new(false))?;
    Ok((Rnn::new(shape, trained.params.clone()), trained))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::topology::Topology;
    use crate::music::corpus::Corpus;
    use crate::music::style::builtin_style;
    use crate::music::training_set::EncodedCorpus;

    const N_UNITS: usize = 25;

    #[test]
    fn about_as_many_weights_as_the_papers_lstm() {
        let target = Topology::exp2().n_params();
        let shape = RnnShape::matching(N_UNITS, target);
        assert_eq!(shape.hidden, 21);
        assert_eq!(shape.n_params(), 21 * 47 + 25 * 22);
        assert!(shape.n_params().abs_diff(target) < 30, "{} vs {target}", shape.n_params());
    }

    /// The BPTT gradient against central differences of the loss, in f64, every weight, with
    /// unequal lane weights.
    #[test]
    fn gradients_match_central_differences() {
        let shape = RnnShape { n_units: 3, hidden: 4 };
        let steps = 6;
        let mut rng = Rng::new(11);
        let mut params: Vec<f64> = (0..shape.n_params()).map(|_| rng.uniform(-0.8, 0.8).into()).collect();
        let frames: Vec<Lanes<f64>> =
            (0..(steps + 1) * 3).map(|_| std::array::from_fn(|_| f64::from(u8::from(rng.below(2) == 1)))).collect();
        let weight: Lanes<f64> = std::array::from_fn(|l| 0.1 + 0.05 * l as f64);
        let mut ws = Workspace::new(shape, steps);
        let mut grads = vec![0.0; shape.n_params()];
        forward(shape, &params, &frames, steps, &weight, &mut ws);
        backward(shape, &params, &mut grads, &frames, steps, &weight, &mut ws);
        let eps = 1e-5;
        let mut worst = (0.0, 0);
        for i in 0..params.len() {
            let keep = params[i];
            params[i] = keep + eps;
            let up = forward(shape, &params, &frames, steps, &weight, &mut ws);
            params[i] = keep - eps;
            let down = forward(shape, &params, &frames, steps, &weight, &mut ws);
            params[i] = keep;
            let numeric = (up - down) / (2.0 * eps);
            let err = (numeric - grads[i]).abs() / (numeric.abs() + grads[i].abs()).max(1e-3);
            if err > worst.0 {
                worst = (err, i);
            }
        }
        assert!(worst.0 < 1e-6, "worst relative error {} at weight {}", worst.0, worst.1);
        assert!(grads.iter().all(|&g| g != 0.0), "every weight is reached");
    }

    /// The player computes what the trainer's forward pass computes.
    #[test]
    fn the_player_matches_the_trainer() {
        let shape = RnnShape { n_units: N_UNITS, hidden: 6 };
        let mut rng = Rng::new(3);
        let params: Vec<f32> = (0..shape.n_params()).map(|_| rng.uniform(-0.5, 0.5)).collect();
        let steps = 20;
        let frames: Vec<Lanes<f32>> =
            (0..(steps + 1) * N_UNITS).map(|_| [f32::from(u8::from(rng.below(3) == 0)); SEQUENCES]).collect();
        let mut ws = Workspace::new(shape, steps);
        forward(shape, &params, &frames, steps, &[1.0; SEQUENCES], &mut ws);
        let mut rnn = Rnn::new(shape, params);
        let mut y = [0.0; N_UNITS];
        for t in 0..steps {
            let x: Vec<f32> = frames[t * N_UNITS..(t + 1) * N_UNITS].iter().map(|l| l[0]).collect();
            rnn.step(&x, &mut y);
            for u in 0..N_UNITS {
                assert!((y[u] - ws.y[t * N_UNITS + u][0]).abs() < 1e-5, "step {t}, unit {u}");
            }
        }
    }

    #[test]
    fn training_lowers_the_loss_deterministically_and_the_net_plays() {
        let corpus = Corpus::of_style(builtin_style("paper-blues").unwrap());
        let encoding = Encoding::paper();
        let set = EncodedCorpus::new(&corpus, encoding);
        let shape = RnnShape { n_units: N_UNITS, hidden: 8 };
        let config = TrainConfig { seed: 4, max_epochs: 40, check_every: 20, ..TrainConfig::default() };
        let mut losses = Vec::new();
        let (mut rnn, a) = train_rnn(&set, &encoding.readout(), shape, &config, &mut |p| losses.push(p.loss)).unwrap();
        assert_eq!(a.epochs, 40);
        assert!(!a.converged);
        assert!(losses[39] < 0.8 * losses[0], "{} → {}", losses[0], losses[39]);
        let (_, b) = train_rnn(&set, &encoding.readout(), shape, &config, &mut |_| {}).unwrap();
        assert_eq!(a.params, b.params);
        // Two chunks of sequences on two threads learn what they learn on one.
        let [one, two] = [1, 2].map(|threads| {
            let c = TrainConfig { batch: 16, threads, max_epochs: 5, ..config.clone() };
            train_rnn(&set, &encoding.readout(), shape, &c, &mut |_| {}).unwrap().1.params
        });
        assert_eq!(one, two);
        let start = corpus.chorus(0)[0];
        let frames = rnn.generate(start, &encoding, 2, 1.0, &mut Rng::new(1));
        assert_eq!(frames.len(), 192);
        assert_eq!(frames[0], start);
        assert!(frames.iter().all(|f| f.melody.key.is_some_and(|k| (60..=72).contains(&k))));
        assert_eq!(frames, rnn.generate(start, &encoding, 2, 1.0, &mut Rng::new(1)), "generate starts afresh");
    }
}
