//! The one training driver, for any [`Learner`] (the LSTM's BPTT, and the vanilla RNN that
//! `eval` compares it with): full BPTT over sequences of several consecutive choruses, Adam,
//! global gradient-norm clipping, deterministic from a seed; stops when the free-running net
//! plays the form's chords right for `check_choruses` choruses and the loss has plateaued.
//!
//! Runs on a background thread (the plugin's retraining job) or the CLI; reports through a
//! callback every epoch and stops within one epoch of `cancel` being set. One epoch is one
//! minibatch update (`batch` sequences), as in the reference runs we compare against.
//!
//! Threads: the minibatch's chunks of [`SEQUENCES`] lock-step sequences are shared out to
//! `threads` workers (this thread and scoped helpers started and joined within the epoch, so
//! no thread outlives it), each with a learner (workspace) of its own. Every chunk adds its
//! gradient into a buffer of its own, and the buffers are summed in chunk order afterwards:
//! the same seed and data give bit-identical weights on any number of threads. The data are
//! drawn on this thread in chunk order, as on one thread. A batch of one chunk (the default)
//! has nothing to share and runs on this thread alone.
//!
//! Plateau rule: the mean loss of the last `plateau_window` epochs is less than
//! max(`plateau_tolerance` × it, `plateau_min_drop`) below the mean of the `plateau_window`
//! epochs before them, i.e. the loss fell by under 2 % (default) over the last 250 epochs, or
//! by under 0.002 when it is near 0 (a chords-only net). The learning rate decays (inverse
//! time) so the loss settles instead of bouncing.

use super::bptt::LstmLearner;
use super::free_run::{form_check, AllowedChords, Stepper};
use super::ops::{Lanes, SEQUENCES};
use super::optimizer::{clip_global_norm, Adam};
use super::own_lines::OwnLines;
use super::readout::Readout;
use super::rng::Rng;
use super::training_set::{unit_means, TrainingSet};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// A trainable network: its flat parameters' start, its loss and gradient over a lock-step
/// chunk of sequences, and a player of its parameters for the free-run check. `Send` and
/// [`Fork`]: the trainer's workers each run one of their own.
pub trait Learner: Fork + Send {
    /// The network that plays a set of parameters one step at a time.
    type Player: Stepper;
    /// Number of flat parameters.
    fn n_params(&self) -> usize;
    /// Units it predicts a step (the frame's; any context units after them are given).
    fn n_outputs(&self) -> usize;
    /// Initial parameters, drawn from `rng`; `unit_means` is how often each unit is on.
    fn init_params(&self, config: &TrainConfig, unit_means: &[f64], rng: &mut Rng) -> Vec<f32>;
    /// Runs `steps` steps of [`SEQUENCES`] sequences (`frames`: (steps + 1, n_units) lanes,
    /// frame t the input at step t and frame t + 1 its target), adds the gradient of the
    /// weighted loss to `grads` and returns Σ over lanes of `weight[lane]` × the loss.
    fn forward_backward(
        &mut self,
        params: &[f32],
        grads: &mut [f32],
        frames: &[Lanes<f32>],
        steps: usize,
        weight: &Lanes<f32>,
    ) -> f64;
    /// A player of `params`.
    fn player(&self, params: &[f32]) -> Self::Player;
    /// Before a chunk: hear `readout`'s group `own.group` as drawn from its own outputs in runs
    /// (`own_lines`), the draws from `seed`. A learner that cannot leaves its inputs as written.
    fn hear_own(&mut self, _readout: &Readout, _own: &OwnLines, _seed: u64) {}
}

/// A learner that can make another of the same network with a workspace of its own, for one
/// of the trainer's worker threads.
pub trait Fork {
    fn fork(&self) -> Self;
}

// NOTE: here rather than beside `LstmLearner` in bptt.rs, which only needs the topology to
// make another.
impl Fork for LstmLearner {
    fn fork(&self) -> Self {
        LstmLearner::of(self.layout().clone())
    }
}

/// How the output biases start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputBiasInit {
    /// The paper's 0.5 for every output unit.
    Paper,
    /// The logit of how often each unit is on in the training set, so training starts from
    /// the right base rates instead of spending its first epochs finding them.
    DataMean,
}

/// Training settings. `Default` trains the paper's nets (and ours) quickly from seed 0.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Seeds the initial weights, the choice of choruses and the check's draws.
    pub seed: u64,
    /// Sequences per minibatch (one update per epoch).
    pub batch: usize,
    /// Consecutive choruses per sequence (≥ 2, so the wrap from the last bar to the first is
    /// learned).
    pub choruses_per_sequence: usize,
    /// Adam settings.
    pub learning_rate: f32,
    /// Inverse-time decay: the rate at epoch e is `learning_rate / (1 + e / lr_halving_epochs)`
    /// (0 = constant). Late, large Adam steps can throw a trained net off; this calms them.
    pub lr_halving_epochs: u32,
    pub beta1: f32,
    pub beta2: f32,
    pub adam_eps: f32,
    /// Global gradient-norm clip.
    pub clip_norm: f32,
    /// Initial weights are uniform in ±`init_scale` (biases: see `OutputBiasInit` and
    /// `Topology::gate_bias`).
    pub init_scale: f32,
    pub output_bias: OutputBiasInit,
    /// Initial forget-gate bias of every block; `None` keeps the paper's staggered −0.5…−2.0
    /// (the same as the input and output gates).
    pub forget_bias: Option<f32>,
    /// Give up after this many epochs.
    pub max_epochs: u32,
    /// Run the free-running chord check every this many epochs.
    pub check_every: u32,
    /// Choruses the free run must get right.
    pub check_choruses: u32,
    /// Plateau rule (module docs): window in epochs, relative tolerance, and the absolute
    /// drop below which a loss near 0 (chords only) counts as flat.
    pub plateau_window: u32,
    pub plateau_tolerance: f32,
    pub plateau_min_drop: f32,
    /// Threads an epoch's chunks of [`SEQUENCES`] sequences are shared out to (0 or 1: this
    /// thread alone; more than the batch's chunks: one a chunk). The weights do not depend on it.
    pub threads: usize,
    /// Train on the network's own lines too (`own_lines`); `None` hears only the corpus.
    pub own_lines: Option<OwnLines>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self::seeded(0)
    }
}

impl TrainConfig {
    /// The settings that train the paper's nets quickly, from `seed`.
    pub fn seeded(seed: u64) -> Self {
        Self {
            seed,
            // One chunk of 8 lock-step sequences: the most updates per second of compute.
            batch: SEQUENCES,
            choruses_per_sequence: 3,
            learning_rate: 2e-2,
            lr_halving_epochs: 1000,
            beta1: 0.9,
            beta2: 0.999,
            adam_eps: 1e-8,
            clip_norm: 1.0,
            init_scale: 0.1,
            output_bias: OutputBiasInit::DataMean,
            // Remembering from the start (forget gates open) learns the 96-step form about
            // twice as fast as the paper's negative forget biases.
            forget_bias: Some(1.0),
            max_epochs: 10_000,
            check_every: 20,
            check_choruses: 100,
            plateau_window: 250,
            plateau_tolerance: 0.02,
            plateau_min_drop: 0.002,
            threads: 1,
            own_lines: None,
        }
    }
}

/// What the trainer reports after each epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Epochs done (1-based).
    pub epoch: u32,
    /// Mean cross-entropy per step (summed over units) of this epoch's minibatch.
    pub loss: f32,
    /// Whole choruses the free run got right, on epochs where it was checked.
    pub chord_choruses_ok: Option<u32>,
    pub elapsed_seconds: f32,
    pub max_epochs: u32,
}

/// Why training stopped without a result.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    EmptyCorpus,
    Cancelled,
    DidNotConverge {
        epochs: u32,
        best_chord_choruses: u32,
    },
    /// The topology or config cannot be trained (message says why).
    InvalidSetup(String),
    /// The loss became NaN or infinite.
    Diverged {
        epoch: u32,
    },
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyCorpus => write!(f, "the training set has no choruses"),
            Self::Cancelled => write!(f, "training was cancelled"),
            Self::DidNotConverge { epochs, best_chord_choruses } => write!(
                f,
                "no convergence after {epochs} epochs (best free run: {best_chord_choruses} choruses with the right chords)"
            ),
            Self::InvalidSetup(m) => write!(f, "cannot train: {m}"),
            Self::Diverged { epoch } => write!(f, "training diverged (non-finite loss) at epoch {epoch}"),
        }
    }
}

impl std::error::Error for TrainError {}

/// How a run ended: the parameters it stopped with and what it took.
#[derive(Clone, Debug, PartialEq)]
pub struct Trained {
    pub params: Vec<f32>,
    pub epochs: u32,
    /// Mean loss over the plateau window's last epochs.
    pub final_loss: f32,
    pub seconds: f32,
    /// The most whole choruses any check got right.
    pub best_check: u32,
    /// Whether the stop rule was met (else the run hit `max_epochs`).
    pub converged: bool,
}

/// The initial bias of an output unit that is on a share `mean` of the time.
pub fn output_bias(init: OutputBiasInit, mean: f64) -> f32 {
    match init {
        OutputBiasInit::Paper => 0.5,
        OutputBiasInit::DataMean => {
            let m = mean.clamp(1e-3, 1.0 - 1e-3);
            (m / (1.0 - m)).ln() as f32
        }
    }
}

/// Whether the loss has plateaued (module docs).
pub fn plateaued(losses: &[f32], window: usize, tolerance: f32, min_drop: f32) -> bool {
    if window == 0 || losses.len() < 2 * window {
        return window == 0;
    }
    let mean = |s: &[f32]| s.iter().map(|&l| f64::from(l)).sum::<f64>() / s.len() as f64;
    let n = losses.len();
    let last = mean(&losses[n - window..]);
    let before = mean(&losses[n - 2 * window..n - window]);
    before - last < (f64::from(tolerance) * before).max(f64::from(min_drop))
}

/// A training run in progress: the learners, the parameters, the optimiser and every buffer,
/// allocated once. [`train`] drives it to the stop criterion; benches and tools can step it.
pub struct Trainer<'a, L: Learner> {
    /// One learner per worker (the first is this thread's, and plays the check), at most one
    /// per chunk of the batch.
    learners: Vec<L>,
    set: &'a dyn TrainingSet,
    readout: &'a Readout,
    config: TrainConfig,
    /// Flat parameters.
    params: Vec<f32>,
    /// Gradients, one flat buffer per chunk of the batch in turn (chunks, n_params): the first
    /// becomes the batch's sum, taken in chunk order.
    grads: Vec<f32>,
    adam: Adam,
    /// Draws the choruses of every minibatch.
    rng: Rng,
    /// One sequence as the set writes it (T + 1, n_units), and every chunk of SEQUENCES of
    /// them interleaved (chunks, T + 1, n_units) lanes.
    sequence: Vec<f32>,
    frames: Vec<Lanes<f32>>,
    /// Each chunk's lane weights (0 for the lanes past the batch's end), and its weighted loss.
    weights: Vec<Lanes<f32>>,
    /// Each chunk's seed for the draws of its own lines (drawn only when they are heard).
    own_seeds: Vec<u64>,
    chunk_losses: Vec<f64>,
    /// Steps per sequence (frames − 1).
    steps: usize,
    /// The chords allowed at each step of the form, for the free-run check.
    allowed: AllowedChords,
    /// The check always starts from the same frame with the same draws, so its verdicts
    /// compare across epochs.
    check_seed: u64,
    check_start: Vec<f32>,
    /// Loss of every epoch so far.
    losses: Vec<f32>,
}

/// The chunks one worker computes: their frames and lane weights in; their gradients (each
/// chunk's own buffer, zeroed) and losses out.
struct Share<'s> {
    frames: &'s [Lanes<f32>],
    weights: &'s [Lanes<f32>],
    /// Each chunk's seed for its own lines (when they are heard).
    own_seeds: &'s [u64],
    grads: &'s mut [f32],
    losses: &'s mut [f64],
}

/// What every chunk of an epoch is run with.
#[derive(Clone, Copy)]
struct Run<'r> {
    params: &'r [f32],
    steps: usize,
    own: Option<(&'r Readout, &'r OwnLines)>,
}

impl Share<'_> {
    fn run<L: Learner>(self, learner: &mut L, run: Run) {
        let chunks = self.weights.len();
        let (frames, grads) = (self.frames.len() / chunks, self.grads.len() / chunks);
        let parts = self.frames.chunks_exact(frames).zip(self.grads.chunks_exact_mut(grads));
        for ((((f, g), w), loss), &seed) in parts.zip(self.weights).zip(self.losses.iter_mut()).zip(self.own_seeds) {
            if let Some((readout, own)) = run.own {
                learner.hear_own(readout, own, seed);
            }
            *loss = learner.forward_backward(run.params, g, f, run.steps, w);
        }
    }
}

impl<'a, L: Learner> Trainer<'a, L> {
    /// Sets up a run: checks the inputs, reads the set once (allowed chords, unit means) and
    /// initialises the parameters from `config.seed`.
    pub fn new(
        learner: L,
        set: &'a dyn TrainingSet,
        readout: &'a Readout,
        config: &TrainConfig,
    ) -> Result<Self, TrainError> {
        Self::starting_from(learner, set, readout, config, None)
    }

    /// [`Trainer::new`], starting from the parameters `start` (fine-tuning a trained network)
    /// where given.
    pub fn starting_from(
        learner: L,
        set: &'a dyn TrainingSet,
        readout: &'a Readout,
        config: &TrainConfig,
        start: Option<&[f32]>,
    ) -> Result<Self, TrainError> {
        if set.is_empty() {
            return Err(TrainError::EmptyCorpus);
        }
        let (steps_per_chorus, n) = (set.steps_per_chorus(), set.n_units());
        if steps_per_chorus == 0 || config.batch == 0 || config.choruses_per_sequence == 0 {
            return Err(TrainError::InvalidSetup("choruses, batch and sequence length must not be empty".into()));
        }
        // The readout draws the predicted units; any beyond them are given context.
        if readout.n_units() != learner.n_outputs() || readout.n_units() > n || readout.groups.is_empty() {
            return Err(TrainError::InvalidSetup(format!(
                "the set writes {n} units a step, the network predicts {}, the generation rule reads {}",
                learner.n_outputs(),
                readout.n_units()
            )));
        }
        let mut rng = Rng::new(config.seed);
        let params = match start {
            Some(start) if start.len() != learner.n_params() => {
                return Err(TrainError::InvalidSetup(format!(
                    "the start has {} parameters, the network {}",
                    start.len(),
                    learner.n_params()
                )))
            }
            Some(start) => start.to_vec(),
            None => learner.init_params(config, &unit_means(set), &mut rng),
        };
        let frames_per_seq = config.choruses_per_sequence * steps_per_chorus;
        // The check's own seed, and the frame it starts from: the first of a chorus that seed picks.
        let check_seed = config.seed ^ 0x5EED_C4EC;
        let mut check_start = vec![0.0; steps_per_chorus * n];
        set.write_chorus(Rng::new(check_seed).below(set.len()), &mut check_start);
        let n_params = learner.n_params();
        let chunks = config.batch.div_ceil(SEQUENCES);
        let workers = config.threads.clamp(1, chunks);
        let mut learners = vec![learner];
        for _ in 1..workers {
            learners.push(learners[0].fork());
        }
        Ok(Self {
            learners,
            set,
            readout,
            config: config.clone(),
            grads: vec![0.0; chunks * n_params],
            adam: Adam::new(n_params, config.learning_rate, config.beta1, config.beta2, config.adam_eps),
            params,
            rng,
            sequence: vec![0.0; frames_per_seq * n],
            frames: vec![[0.0; SEQUENCES]; chunks * frames_per_seq * n],
            weights: vec![[0.0; SEQUENCES]; chunks],
            own_seeds: vec![0; chunks],
            chunk_losses: vec![0.0; chunks],
            steps: frames_per_seq - 1,
            allowed: AllowedChords::from_set(set, readout.groups[0].units),
            check_seed,
            check_start,
            losses: Vec::new(),
        })
    }

    /// One epoch: a minibatch of `batch` random sequences, forward, backward (shared out to
    /// the workers), the chunks' gradients summed in chunk order, clip, Adam. Returns the
    /// epoch's loss (mean cross-entropy per step, summed over units).
    pub fn epoch(&mut self) -> f32 {
        self.draw_batch();
        self.grads.fill(0.0);
        self.chunk_gradients();
        // The sum over chunks, always in chunk order (f32 addition is not associative).
        let n_params = self.params.len();
        let (grads, others) = self.grads.split_at_mut(n_params);
        for other in others.chunks_exact(n_params) {
            for (g, o) in grads.iter_mut().zip(other) {
                *g += o;
            }
        }
        let loss = self.chunk_losses.iter().fold(0.0f64, |sum, &l| sum + l);
        clip_global_norm(grads, self.config.clip_norm);
        if self.config.lr_halving_epochs > 0 {
            let e = self.losses.len() as f32 / self.config.lr_halving_epochs as f32;
            self.adam.learning_rate = self.config.learning_rate / (1.0 + e);
        }
        self.adam.update(&mut self.params, grads);
        self.losses.push(loss as f32);
        loss as f32
    }

    /// Writes the minibatch's sequences into the chunks' frames, and the lane weights, drawn
    /// in chunk and lane order on this thread (so on any number of workers the same).
    fn draw_batch(&mut self) {
        let batch = self.config.batch;
        // Loss and gradient are means over sequences and steps (summed over units).
        let scale = 1.0 / (batch * self.steps) as f32;
        let chunk_frames = self.frames.len() / self.weights.len();
        let chorus = self.set.steps_per_chorus() * self.set.n_units();
        for (chunk, (frames, weight)) in self.frames.chunks_exact_mut(chunk_frames).zip(&mut self.weights).enumerate() {
            // Lanes past the end of the batch run on empty frames with weight 0.
            for (lane, w) in weight.iter_mut().enumerate() {
                let used = chunk * SEQUENCES + lane < batch;
                *w = if used { scale } else { 0.0 };
                if used {
                    for part in self.sequence.chunks_exact_mut(chorus) {
                        self.set.write_chorus(self.rng.below(self.set.len()), part);
                    }
                } else {
                    self.sequence.fill(0.0);
                }
                for (f, &u) in frames.iter_mut().zip(&self.sequence) {
                    f[lane] = u;
                }
            }
        }
        // After every chunk's choruses, so a run without its own lines draws as before.
        if self.config.own_lines.is_some() {
            for seed in &mut self.own_seeds {
                *seed = self.rng.next_u64();
            }
        }
    }

    /// Every chunk's loss and gradient (into its own zeroed buffer): consecutive chunks per
    /// worker, the first share on this thread, the others on scoped threads joined before
    /// this returns. A share whose thread cannot be started is computed here afterwards.
    fn chunk_gradients(&mut self) {
        let chunks = self.weights.len();
        let per_worker = chunks.div_ceil(self.learners.len());
        let (n_params, chunk_frames) = (self.params.len(), self.frames.len() / chunks);
        let shares = self
            .frames
            .chunks(per_worker * chunk_frames)
            .zip(self.weights.chunks(per_worker))
            .zip(self.own_seeds.chunks(per_worker))
            .zip(self.grads.chunks_mut(per_worker * n_params))
            .zip(self.chunk_losses.chunks_mut(per_worker))
            .map(|((((frames, weights), own_seeds), grads), losses)| Share {
                frames,
                weights,
                own_seeds,
                grads,
                losses,
            });
        let own = self.config.own_lines.as_ref().map(|o| (self.readout, o));
        let run = Run { params: &self.params[..], steps: self.steps, own };
        let mut learners = self.learners.iter_mut();
        let mut not_started = Vec::new();
        std::thread::scope(|scope| {
            let mut shares = shares.enumerate();
            let mine = shares.next();
            let mine_learner = learners.next();
            for ((w, share), learner) in shares.zip(&mut learners) {
                let spawned = std::thread::Builder::new()
                    // NOTE: named like the training worker ("blues-lstm trai…"), so the host
                    // tests that count the plugin's training threads count these too.
                    .name("blues-lstm trainer".to_string())
                    .spawn_scoped(scope, move || share.run(learner, run));
                if spawned.is_err() {
                    not_started.push(w);
                }
            }
            if let (Some((_, share)), Some(learner)) = (mine, mine_learner) {
                share.run(learner, run);
            }
        });
        for w in not_started {
            let chunks = w * per_worker..((w + 1) * per_worker).min(chunks);
            let share = Share {
                frames: &self.frames[chunks.start * chunk_frames..chunks.end * chunk_frames],
                weights: &self.weights[chunks.clone()],
                own_seeds: &self.own_seeds[chunks.clone()],
                grads: &mut self.grads[chunks.start * n_params..chunks.end * n_params],
                losses: &mut self.chunk_losses[chunks],
            };
            let own = self.config.own_lines.as_ref().map(|o| (self.readout, o));
            share.run(&mut self.learners[0], Run { params: &self.params, steps: self.steps, own });
        }
    }

    /// The free-run check of the current parameters: whole choruses with every chord
    /// allowed, at most `config.check_choruses`.
    pub fn check(&self) -> u32 {
        let mut net = self.learners[0].player(&self.params);
        let mut rng = Rng::new(self.check_seed);
        form_check(&mut net, self.readout, &self.allowed, &self.check_start, self.config.check_choruses, &mut rng)
    }

    /// Whether the loss has plateaued (module docs).
    pub fn plateaued(&self) -> bool {
        let c = &self.config;
        plateaued(&self.losses, c.plateau_window as usize, c.plateau_tolerance, c.plateau_min_drop)
    }

    /// The current parameters.
    pub fn params(&self) -> &[f32] {
        &self.params
    }

    /// Workers an epoch is shared out to: `config.threads`, at most one per chunk, at least 1.
    pub fn workers(&self) -> usize {
        self.learners.len()
    }

    /// The loss a finished run reports: the mean over the plateau window's last epochs.
    fn final_loss(&self) -> f32 {
        let tail = &self.losses[self.losses.len().saturating_sub(self.config.plateau_window.max(1) as usize)..];
        tail.iter().sum::<f32>() / tail.len().max(1) as f32
    }
}

/// Trains `learner` on `set` until the stop criterion (module docs) holds or `max_epochs`
/// have passed (then `converged` is false).
pub fn train<L: Learner>(
    learner: L,
    set: &dyn TrainingSet,
    readout: &Readout,
    config: &TrainConfig,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Trained, TrainError> {
    train_from(learner, set, readout, config, None, on_progress, cancel)
}

/// [`train`], starting from the parameters `start` where given (fine-tuning).
pub fn train_from<L: Learner>(
    learner: L,
    set: &dyn TrainingSet,
    readout: &Readout,
    config: &TrainConfig,
    start: Option<&[f32]>,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Trained, TrainError> {
    let started = Instant::now();
    let mut trainer = Trainer::starting_from(learner, set, readout, config, start)?;
    let mut best_check = 0;
    let mut converged = false;
    for epoch in 1..=config.max_epochs {
        if cancel.load(Ordering::Relaxed) {
            return Err(TrainError::Cancelled);
        }
        let loss = trainer.epoch();
        if !loss.is_finite() {
            return Err(TrainError::Diverged { epoch });
        }
        let mut chord_choruses_ok = None;
        if config.check_every > 0 && epoch % config.check_every == 0 {
            let ok = trainer.check();
            best_check = best_check.max(ok);
            chord_choruses_ok = Some(ok);
        }
        let elapsed_seconds = started.elapsed().as_secs_f32();
        on_progress(&Progress { epoch, loss, chord_choruses_ok, elapsed_seconds, max_epochs: config.max_epochs });
        if chord_choruses_ok.is_some_and(|ok| ok >= config.check_choruses) && trainer.plateaued() {
            converged = true;
            break;
        }
    }
    Ok(Trained {
        final_loss: trainer.final_loss(),
        epochs: trainer.losses.len() as u32,
        seconds: started.elapsed().as_secs_f32(),
        best_check,
        converged,
        params: trainer.params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::bptt::LstmLearner;
    use crate::lstm::readout::{GroupRule, Rule};
    use crate::lstm::topology::{GroupShape, Topology};
    use crate::lstm::training_set::TinySet;

    fn tiny() -> Topology {
        Topology {
            groups: vec![GroupShape::new("chord", 3, 2, &[]), GroupShape::new("melody", 2, 1, &[0])],
            cells_per_block: 2,
            context: 0,
        }
    }

    fn readout(melody: bool) -> Readout {
        let mut groups = vec![GroupRule { offset: 0, units: 3, rule: Rule::Threshold }];
        if melody {
            groups.push(GroupRule {
                offset: 3,
                units: 2,
                rule: Rule::Choice { begin: false, restrike: false, rest: None, trim: false },
            });
        }
        Readout { groups }
    }

    fn config(seed: u64) -> TrainConfig {
        TrainConfig { check_every: 5, plateau_window: 20, max_epochs: 1000, ..TrainConfig::seeded(seed) }
    }

    fn learner(t: &Topology) -> LstmLearner {
        LstmLearner::new(t.clone())
    }

    #[test]
    fn an_empty_set_or_bad_setup_is_refused() {
        let cancel = AtomicBool::new(false);
        let (t, r) = (tiny(), readout(true));
        let set = |choruses| TinySet { choruses, melody: true };
        let run =
            |set: &TinySet, config: &TrainConfig, r: &Readout| train(learner(&t), set, r, config, &mut |_| {}, &cancel);
        assert_eq!(run(&set(0), &config(1), &r).unwrap_err(), TrainError::EmptyCorpus);
        assert!(matches!(run(&set(4), &TrainConfig { batch: 0, ..config(1) }, &r), Err(TrainError::InvalidSetup(_))));
        assert!(matches!(run(&set(4), &config(1), &readout(false)), Err(TrainError::InvalidSetup(_))));
    }

    #[test]
    fn cancel_stops_within_an_epoch() {
        // On this thread alone, and with three chunks shared out to two threads.
        for c in [config(1), TrainConfig { batch: 19, threads: 2, ..config(1) }] {
            let cancel = AtomicBool::new(false);
            let mut seen = 0;
            let set = TinySet { choruses: 16, melody: true };
            let r = train(
                learner(&tiny()),
                &set,
                &readout(true),
                &c,
                &mut |p| {
                    seen = p.epoch;
                    if p.epoch == 3 {
                        cancel.store(true, Ordering::Relaxed);
                    }
                },
                &cancel,
            );
            assert_eq!(r.unwrap_err(), TrainError::Cancelled);
            assert_eq!(seen, 3);
        }
    }

    /// Chunks shared out to threads: each chunk's gradient is summed in chunk order, so the
    /// weights are bit-identical on 1, 2, 3 or 8 threads (3 chunks, the last one partly empty).
    #[test]
    fn any_number_of_threads_gives_the_same_weights() {
        let set = TinySet { choruses: 16, melody: true };
        let r = readout(true);
        let run = |batch, threads| {
            let c = TrainConfig { batch, threads, ..config(5) };
            let mut t = Trainer::new(learner(&tiny()), &set, &r, &c).unwrap();
            let losses: Vec<u32> = (0..5).map(|_| t.epoch().to_bits()).collect();
            (t.workers(), losses, t.params().to_vec())
        };
        let (workers, losses, params) = run(19, 1);
        assert_eq!(workers, 1);
        for threads in [0, 2, 3, 8] {
            let (w, l, p) = run(19, threads);
            assert_eq!(w, threads.clamp(1, 3), "one worker a chunk at most");
            assert_eq!(l, losses, "{threads} threads");
            assert_eq!(p, params, "{threads} threads");
        }
        // One chunk has nothing to share.
        assert_eq!(run(8, 4).0, 1);
        assert_eq!(run(8, 4).2, run(8, 1).2);
        // And a whole run stops at the same epoch with the same weights.
        let whole = |threads| {
            let c = TrainConfig { batch: 16, threads, max_epochs: 40, ..config(5) };
            let t = train(learner(&tiny()), &set, &r, &c, &mut |_| {}, &AtomicBool::new(false)).unwrap();
            (t.epochs, t.final_loss.to_bits(), t.best_check, t.params)
        };
        assert_eq!(whole(1), whole(2));
    }

    /// Hearing its own lines, the trainer still gives the same weights on any number of threads
    /// (each chunk draws from its own seed), and they are not the weights of the corpus alone.
    #[test]
    fn own_lines_change_the_weights_but_not_with_the_threads() {
        let set = TinySet { choruses: 16, melody: true };
        let r = readout(true);
        let run = |threads, own_lines| {
            let c = TrainConfig { batch: 19, threads, own_lines, ..config(5) };
            let mut t = Trainer::new(learner(&tiny()), &set, &r, &c).unwrap();
            (0..5).map(|_| t.epoch()).for_each(drop);
            t.params().to_vec()
        };
        let own = Some(OwnLines {
            group: 1,
            span: 1,
            share: 0.5,
            run_steps: 4.0,
            given: None,
            teach_heard: false,
            temperature: 1.0,
        });
        assert_eq!(run(1, own), run(3, own));
        assert_ne!(run(1, own), run(1, None));
    }

    #[test]
    fn the_same_seed_gives_the_same_weights() {
        let set = TinySet { choruses: 16, melody: true };
        let r = readout(true);
        let run = |seed| {
            let mut t = Trainer::new(learner(&tiny()), &set, &r, &config(seed)).unwrap();
            (0..5).map(|_| t.epoch()).for_each(drop);
            t.params().to_vec()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
        // Batches that do not fill the lanes train too, and deterministically.
        let mut t = Trainer::new(learner(&tiny()), &set, &r, &TrainConfig { batch: 3, ..config(3) }).unwrap();
        assert!(t.epoch().is_finite());
        // And batches of more than one chunk.
        let mut t = Trainer::new(learner(&tiny()), &set, &r, &TrainConfig { batch: 19, ..config(3) }).unwrap();
        assert!(t.epoch().is_finite());
    }

    #[test]
    fn a_tiny_form_is_learned_and_checked() {
        let set = TinySet { choruses: 64, melody: true };
        let mut progress = Vec::new();
        let trained = train(
            learner(&tiny()),
            &set,
            &readout(true),
            &config(2),
            &mut |p| progress.push(*p),
            &AtomicBool::new(false),
        )
        .unwrap();
        assert!(trained.converged);
        let last = progress.last().unwrap();
        assert_eq!(last.chord_choruses_ok, Some(100));
        assert_eq!(trained.epochs, last.epoch);
        assert!(progress.first().unwrap().loss > last.loss);
        // Chords only (Exp 1 shape) learns the same form.
        let t1 = Topology { groups: tiny().groups[..1].to_vec(), ..tiny() };
        let chords = TinySet { choruses: 64, melody: false };
        let m1 =
            train(learner(&t1), &chords, &readout(false), &config(2), &mut |_| {}, &AtomicBool::new(false)).unwrap();
        assert!(m1.converged);
    }

    #[test]
    fn a_run_that_never_converges_says_so() {
        let set = TinySet { choruses: 64, melody: true };
        let c = TrainConfig { max_epochs: 10, ..config(2) };
        let trained = train(learner(&tiny()), &set, &readout(true), &c, &mut |_| {}, &AtomicBool::new(false)).unwrap();
        assert!(!trained.converged);
        assert_eq!(trained.epochs, 10);
    }

    #[test]
    fn plateau_rule() {
        let falling: Vec<f32> = (0..40).map(|i| 1.0 - i as f32 * 0.02).collect();
        assert!(!plateaued(&falling, 10, 0.01, 0.0));
        let flat: Vec<f32> = (0..40).map(|i| 0.5 + 0.001 * (i % 2) as f32).collect();
        assert!(plateaued(&flat, 10, 0.01, 0.0));
        assert!(!plateaued(&flat[..15], 10, 0.01, 0.0), "needs two whole windows");
        // Near 0 a relative rule never ends: the absolute floor does.
        let tiny: Vec<f32> = (0..40).map(|i| 0.001 * 0.95f32.powi(i)).collect();
        assert!(!plateaued(&tiny, 10, 0.01, 0.0));
        assert!(plateaued(&tiny, 10, 0.01, 0.002));
    }
}
