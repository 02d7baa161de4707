//! Training: full BPTT over sequences of several consecutive choruses, Adam, global
//! gradient-norm clipping, deterministic from a seed; stops when the free-running net plays
//! the form's chords right for `check_choruses` choruses and the loss has plateaued.
//!
//! Runs on a background thread (the plugin's retraining job) or the CLI; reports through a
//! callback every epoch and stops within one epoch of `cancel` being set. One epoch is one
//! minibatch update (`batch` sequences), as in the reference runs we compare against.
//!
//! Plateau rule: the mean loss of the last `plateau_window` epochs is less than
//! max(`plateau_tolerance` × it, `plateau_min_drop`) below the mean of the `plateau_window`
//! epochs before them, i.e. the loss fell by under 2 % (default) over the last 250 epochs, or
//! by under 0.002 when it is near 0 (a chords-only net). The learning rate decays (inverse
//! time) so the loss settles instead of bouncing.

use super::bptt::{forward_backward_f32, Lanes, Layout, Workspace, LANES};
use super::check::{free_run, AllowedChords};
use super::model_file::{Encoding, Metadata, Model};
use super::network::Network;
use super::optimizer::{clip_global_norm, Adam};
use super::rng::Rng;
use super::topology::{Topology, GATES};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub use super::check::free_run_chord_check;

/// Choruses to train on: anything that can write chorus `i` as network units.
pub trait TrainingSet {
    /// Number of choruses.
    fn len(&self) -> usize;
    /// Steps in every chorus (96 for the 12-bar form in eighth notes).
    fn steps_per_chorus(&self) -> usize;
    /// Writes chorus `index` as `steps × n_in` units, row-major; `n_in` is the chord units
    /// only (12) or chords then melody (25).
    fn write_chorus(&self, index: usize, n_in: usize, out: &mut [f32]);
    /// For people: what this set is, e.g. "built-in 12-bar blues (4096 choruses)".
    fn describe(&self) -> String;
    fn is_empty(&self) -> bool {
        self.len() == 0
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

/// Training settings. `Default` is `for_topology(Topology::exp2(), 0)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Seeds the initial weights, the choice of choruses and the check's melody draws.
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
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self::for_topology(Topology::exp2(), 0)
    }
}

impl TrainConfig {
    /// Settings that train `t` (the paper's nets or similar) quickly from `seed`.
    pub fn for_topology(t: Topology, seed: u64) -> Self {
        // The same settings suit both of the paper's nets; `t` is here for future sizes.
        let _ = t;
        Self {
            seed,
            // One chunk of 8 lock-step sequences: the most updates per second of compute.
            batch: LANES,
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

/// Why training stopped without a model.
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
            Self::DidNotConverge {
                epochs,
                best_chord_choruses,
            } => write!(
                f,
                "no convergence after {epochs} epochs (best free run: {best_chord_choruses} choruses with the right chords)"
            ),
            Self::InvalidSetup(m) => write!(f, "cannot train: {m}"),
            Self::Diverged { epoch } => write!(f, "training diverged (non-finite loss) at epoch {epoch}"),
        }
    }
}

impl std::error::Error for TrainError {}

/// FNV-1a 64 over the bytes of every unit of every chorus, as hex.
pub fn corpus_hash(set: &dyn TrainingSet, n_in: usize) -> String {
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    let mut units = vec![0.0; set.steps_per_chorus() * n_in];
    for i in 0..set.len() {
        set.write_chorus(i, n_in, &mut units);
        for u in &units {
            for b in u.to_le_bytes() {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
            }
        }
    }
    format!("{hash:016x}")
}

/// Mean of each unit over every frame of the set.
pub(crate) fn unit_means(set: &dyn TrainingSet, n_in: usize) -> Vec<f64> {
    let steps = set.steps_per_chorus();
    let mut sum = vec![0.0; n_in];
    let mut units = vec![0.0; steps * n_in];
    for i in 0..set.len() {
        set.write_chorus(i, n_in, &mut units);
        for frame in units.chunks_exact(n_in) {
            for (s, &u) in sum.iter_mut().zip(frame) {
                *s += f64::from(u);
            }
        }
    }
    let n = (set.len() * steps) as f64;
    sum.iter().map(|s| s / n).collect()
}

/// Initial flat parameters: uniform weights, the paper's staggered gate biases, output biases
/// per `config.output_bias`.
fn init_params(layout: &Layout, config: &TrainConfig, means: &[f64], rng: &mut Rng) -> Vec<f32> {
    let mut p: Vec<f32> = (0..layout.len).map(|_| rng.uniform(-config.init_scale, config.init_scale)).collect();
    for g in &layout.groups {
        // Row-major tensors: the bias is the last column of each row.
        let gates = &mut p[g.gates.clone()];
        for (r, row) in gates.chunks_exact_mut(g.gate_cols).enumerate() {
            let is_forget = (g.blocks..2 * g.blocks).contains(&r);
            row[g.gate_cols - 1] = match (r < GATES * g.blocks, is_forget, config.forget_bias) {
                (_, true, Some(f)) => f,
                (true, _, _) => Topology::gate_bias(r % g.blocks),
                _ => 0.0,
            };
        }
        let out = &mut p[g.out.clone()];
        for (u, row) in out.chunks_exact_mut(g.out_cols).enumerate() {
            row[g.out_cols - 1] = output_bias(config.output_bias, means[g.x_off + u]);
        }
    }
    p
}

/// The initial bias of an output unit that is on a share `mean` of the time.
pub(crate) fn output_bias(init: OutputBiasInit, mean: f64) -> f32 {
    match init {
        OutputBiasInit::Paper => 0.5,
        OutputBiasInit::DataMean => {
            let m = mean.clamp(1e-3, 1.0 - 1e-3);
            (m / (1.0 - m)).ln() as f32
        }
    }
}

/// The free-run check of a run seeded `seed`: its own seed for the melody draws, and the frame
/// it starts from (the first of a chorus of `set` that seed picks), the same at every check so
/// that its verdicts compare across epochs.
pub(crate) fn check_setup(set: &dyn TrainingSet, n_in: usize, seed: u64) -> (u64, Vec<f32>) {
    let check_seed = seed ^ 0x5EED_C4EC;
    let mut start = vec![0.0; set.steps_per_chorus() * n_in];
    set.write_chorus(Rng::new(check_seed).below(set.len()), n_in, &mut start);
    start.truncate(n_in);
    (check_seed, start)
}

/// Fills `sequence` (whole choruses of `n_in` units) with consecutive choruses of `set` drawn
/// by `rng`.
pub(crate) fn random_sequence(set: &dyn TrainingSet, n_in: usize, rng: &mut Rng, sequence: &mut [f32]) {
    for chorus in sequence.chunks_exact_mut(set.steps_per_chorus() * n_in) {
        set.write_chorus(rng.below(set.len()), n_in, chorus);
    }
}

/// Puts `sequence` into lane `lane` of the interleaved `frames`.
pub(crate) fn to_lane(sequence: &[f32], frames: &mut [Lanes<f32>], lane: usize) {
    for (f, &u) in frames.iter_mut().zip(sequence) {
        f[lane] = u;
    }
}

/// One descent step after `epochs_done` epochs: clip the gradient, set the epoch's learning
/// rate (`lr_halving_epochs`), Adam.
pub(crate) fn descend(
    adam: &mut Adam,
    config: &TrainConfig,
    epochs_done: usize,
    params: &mut [f32],
    grads: &mut [f32],
) {
    clip_global_norm(grads, config.clip_norm);
    if config.lr_halving_epochs > 0 {
        let e = epochs_done as f32 / config.lr_halving_epochs as f32;
        adam.learning_rate = config.learning_rate / (1.0 + e);
    }
    adam.update(params, grads);
}

/// The loss a finished run reports: the mean over the plateau window's last epochs.
pub(crate) fn final_loss(losses: &[f32], config: &TrainConfig) -> f32 {
    let tail = &losses[losses.len().saturating_sub(config.plateau_window.max(1) as usize)..];
    tail.iter().sum::<f32>() / tail.len().max(1) as f32
}

/// Whether the loss has plateaued (module docs).
pub(crate) fn plateaued(losses: &[f32], window: usize, tolerance: f32, min_drop: f32) -> bool {
    if window == 0 || losses.len() < 2 * window {
        return window == 0;
    }
    let mean = |s: &[f32]| s.iter().map(|&l| f64::from(l)).sum::<f64>() / s.len() as f64;
    let n = losses.len();
    let last = mean(&losses[n - window..]);
    let before = mean(&losses[n - 2 * window..n - window]);
    before - last < (f64::from(tolerance) * before).max(f64::from(min_drop))
}

/// A training run in progress: the parameters, the optimiser and every buffer, allocated once.
/// [`train`] drives it to the stop criterion; benches and tools can step it by hand.
pub struct Trainer<'a> {
    set: &'a dyn TrainingSet,
    config: TrainConfig,
    encoding: Encoding,
    layout: Layout,
    /// Flat parameters and their gradients (the layout of `bptt::Layout`).
    params: Vec<f32>,
    grads: Vec<f32>,
    adam: Adam,
    /// Draws the choruses of every minibatch.
    rng: Rng,
    ws: Workspace<f32>,
    /// One sequence as the set writes it (T + 1, n_in), and a chunk of LANES of them
    /// interleaved (T + 1, n_in) lanes.
    sequence: Vec<f32>,
    frames: Vec<Lanes<f32>>,
    /// Steps per sequence (frames − 1).
    steps: usize,
    /// The chords allowed at each step of the form, for the free-run check.
    allowed: AllowedChords,
    /// The check always starts from the same frame with the same melody draws, so its
    /// verdicts compare across epochs.
    check_seed: u64,
    check_start: Vec<f32>,
    /// Loss of every epoch so far.
    losses: Vec<f32>,
    metadata: Metadata,
}

impl<'a> Trainer<'a> {
    /// Sets up a run: checks the inputs, reads the set once (allowed chords, unit means,
    /// hash) and initialises the weights from `config.seed`.
    pub fn new(
        topology: Topology,
        encoding: Encoding,
        set: &'a dyn TrainingSet,
        config: &TrainConfig,
    ) -> Result<Self, TrainError> {
        topology.validate().map_err(TrainError::InvalidSetup)?;
        if set.is_empty() {
            return Err(TrainError::EmptyCorpus);
        }
        let steps_per_chorus = set.steps_per_chorus();
        if steps_per_chorus == 0 || config.batch == 0 || config.choruses_per_sequence == 0 {
            return Err(TrainError::InvalidSetup("choruses, batch and sequence length must not be empty".into()));
        }
        let n_in = topology.n_in();
        let layout = Layout::new(topology);
        let mut rng = Rng::new(config.seed);
        let params = init_params(&layout, config, &unit_means(set, n_in), &mut rng);
        let frames_per_seq = config.choruses_per_sequence * steps_per_chorus;
        let (check_seed, check_start) = check_setup(set, n_in, config.seed);
        Ok(Self {
            set,
            config: config.clone(),
            encoding,
            grads: vec![0.0; layout.len],
            adam: Adam::new(layout.len, config.learning_rate, config.beta1, config.beta2, config.adam_eps),
            params,
            rng,
            ws: Workspace::new(&layout, frames_per_seq - 1),
            sequence: vec![0.0; frames_per_seq * n_in],
            frames: vec![[0.0; LANES]; frames_per_seq * n_in],
            steps: frames_per_seq - 1,
            allowed: AllowedChords::from_set(set, n_in, topology.n_chord),
            check_seed,
            check_start,
            losses: Vec::new(),
            metadata: Metadata {
                name: String::new(),
                corpus: set.describe(),
                corpus_hash: corpus_hash(set, n_in),
                seed: config.seed,
                epochs: 0,
                final_loss: 0.0,
                train_seconds: 0.0,
                chord_check_choruses: 0,
            },
            layout,
        })
    }

    /// One epoch: a minibatch of `batch` random sequences, forward, backward, clip, Adam.
    /// Returns the epoch's loss (mean cross-entropy per step, summed over units).
    pub fn epoch(&mut self) -> f32 {
        let (batch, n_in) = (self.config.batch, self.layout.topology.n_in());
        // Loss and gradient are means over sequences and steps (summed over units).
        let scale = 1.0 / (batch * self.steps) as f32;
        self.grads.fill(0.0);
        let mut loss = 0.0f64;
        for chunk in 0..batch.div_ceil(LANES) {
            // Lanes past the end of the batch run on empty frames with weight 0.
            let mut weight = [0.0; LANES];
            for (lane, w) in weight.iter_mut().enumerate() {
                let used = chunk * LANES + lane < batch;
                *w = if used { scale } else { 0.0 };
                if used {
                    random_sequence(self.set, n_in, &mut self.rng, &mut self.sequence);
                } else {
                    self.sequence.fill(0.0);
                }
                to_lane(&self.sequence, &mut self.frames, lane);
            }
            loss += forward_backward_f32(
                &self.layout,
                &self.params,
                &mut self.grads,
                &self.frames,
                self.steps,
                &weight,
                &mut self.ws,
            );
        }
        descend(&mut self.adam, &self.config, self.losses.len(), &mut self.params, &mut self.grads);
        self.losses.push(loss as f32);
        self.metadata.epochs += 1;
        loss as f32
    }

    /// The free-run check of the current weights: whole choruses with every chord allowed,
    /// at most `config.check_choruses`.
    pub fn check(&self) -> u32 {
        let mut net = Network::new(&self.model());
        let mut rng = Rng::new(self.check_seed);
        free_run(&mut net, &self.allowed, &self.check_start, self.config.check_choruses, &mut rng)
    }

    /// Whether the loss has plateaued (module docs).
    pub fn plateaued(&self) -> bool {
        let c = &self.config;
        plateaued(&self.losses, c.plateau_window as usize, c.plateau_tolerance, c.plateau_min_drop)
    }

    /// The current weights as a model (metadata as of the last epoch).
    pub fn model(&self) -> Model {
        let mut model = Model::zeros(self.layout.topology, self.encoding, self.metadata.clone());
        for (spec, range) in self.layout.specs.iter().zip(&self.layout.ranges) {
            model.values_mut(spec).copy_from_slice(&self.params[range.clone()]);
        }
        model
    }
}

/// Trains a network of `topology` on `set` until the stop criterion (module docs) holds.
pub fn train(
    topology: Topology,
    encoding: Encoding,
    set: &dyn TrainingSet,
    config: &TrainConfig,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Model, TrainError> {
    let started = Instant::now();
    let mut trainer = Trainer::new(topology, encoding, set, config)?;
    let mut best_choruses = 0;
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
            best_choruses = best_choruses.max(ok);
            chord_choruses_ok = Some(ok);
        }
        let elapsed_seconds = started.elapsed().as_secs_f32();
        on_progress(&Progress { epoch, loss, chord_choruses_ok, elapsed_seconds, max_epochs: config.max_epochs });
        if chord_choruses_ok.is_some_and(|ok| ok >= config.check_choruses) && trainer.plateaued() {
            trainer.metadata.final_loss = final_loss(&trainer.losses, config);
            trainer.metadata.train_seconds = elapsed_seconds;
            trainer.metadata.chord_check_choruses = config.check_choruses;
            let mut model = trainer.model();
            // The first training chorus primes the network to a form position after a jump.
            model.primer = vec![0.0; set.steps_per_chorus() * topology.n_in()];
            set.write_chorus(0, topology.n_in(), &mut model.primer);
            return Ok(model);
        }
    }
    Err(TrainError::DidNotConverge { epochs: config.max_epochs, best_chord_choruses: best_choruses })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny form: 8 steps, 3 chord units, 2 melody units. The chord walks 1 → 2 → 4 → 2
    /// (two steps each); the melody is unit 0 or 1 at random (choruses differ only there).
    struct TinySet {
        choruses: usize,
    }

    impl TrainingSet for TinySet {
        fn len(&self) -> usize {
            self.choruses
        }
        fn steps_per_chorus(&self) -> usize {
            8
        }
        fn write_chorus(&self, index: usize, n_in: usize, out: &mut [f32]) {
            out.fill(0.0);
            for (s, frame) in out.chunks_exact_mut(n_in).enumerate() {
                frame[[0, 1, 2, 1][s / 2]] = 1.0;
                if n_in > 3 {
                    frame[3 + (index >> s) % 2] = 1.0;
                }
            }
        }
        fn describe(&self) -> String {
            format!("{} tiny choruses", self.choruses)
        }
    }

    fn tiny() -> Topology {
        Topology { n_chord: 3, n_melody: 2, chord_blocks: 2, melody_blocks: 1, cells_per_block: 2 }
    }

    fn encoding() -> Encoding {
        Encoding { chord_low: 48, melody_low: 60, steps_per_bar: 2, bars_per_chorus: 4 }
    }

    fn config(seed: u64) -> TrainConfig {
        TrainConfig { check_every: 5, plateau_window: 20, max_epochs: 1000, ..TrainConfig::for_topology(tiny(), seed) }
    }

    #[test]
    fn an_empty_set_or_bad_setup_is_refused() {
        let cancel = AtomicBool::new(false);
        let r = train(tiny(), encoding(), &TinySet { choruses: 0 }, &config(1), &mut |_| {}, &cancel);
        assert_eq!(r.unwrap_err(), TrainError::EmptyCorpus);
        let bad = Topology { cells_per_block: 0, ..tiny() };
        let r = train(bad, encoding(), &TinySet { choruses: 4 }, &config(1), &mut |_| {}, &cancel);
        assert!(matches!(r, Err(TrainError::InvalidSetup(_))));
        let r = train(
            tiny(),
            encoding(),
            &TinySet { choruses: 4 },
            &TrainConfig { batch: 0, ..config(1) },
            &mut |_| {},
            &cancel,
        );
        assert!(matches!(r, Err(TrainError::InvalidSetup(_))));
    }

    #[test]
    fn cancel_stops_within_an_epoch() {
        let cancel = AtomicBool::new(false);
        let mut seen = 0;
        let r = train(
            tiny(),
            encoding(),
            &TinySet { choruses: 16 },
            &config(1),
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

    #[test]
    fn the_same_seed_gives_the_same_weights() {
        let set = TinySet { choruses: 16 };
        let run = |seed| {
            let mut t = Trainer::new(tiny(), encoding(), &set, &config(seed)).unwrap();
            (0..5).map(|_| t.epoch()).for_each(drop);
            t.model()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3).weights, run(4).weights);
        // Batches that do not fill the lanes train too, and deterministically.
        let mut t = Trainer::new(tiny(), encoding(), &set, &TrainConfig { batch: 3, ..config(3) }).unwrap();
        assert!(t.epoch().is_finite());
    }

    #[test]
    fn a_tiny_form_is_learned_and_checked() {
        let set = TinySet { choruses: 64 };
        let mut progress = Vec::new();
        let model = train(tiny(), encoding(), &set, &config(2), &mut |p| progress.push(*p), &AtomicBool::new(false))
            .unwrap_or_else(|e| panic!("{e}"));
        let last = progress.last().unwrap();
        assert_eq!(last.chord_choruses_ok, Some(100));
        assert_eq!(model.metadata.epochs, last.epoch);
        assert_eq!(model.metadata.chord_check_choruses, 100);
        assert_eq!(model.metadata.corpus, "64 tiny choruses");
        assert!(progress.first().unwrap().loss > last.loss);
        assert_eq!(free_run_chord_check(&model, &set, 100, 9), 100);
        // Chords only (Exp 1 shape) learns the same form.
        let t1 = Topology { n_melody: 0, melody_blocks: 0, ..tiny() };
        let m1 = train(t1, encoding(), &set, &config(2), &mut |_| {}, &AtomicBool::new(false))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(free_run_chord_check(&m1, &set, 100, 9), 100);
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

    #[test]
    fn corpus_hash_tells_sets_apart() {
        assert_eq!(corpus_hash(&TinySet { choruses: 4 }, 5), corpus_hash(&TinySet { choruses: 4 }, 5));
        assert_ne!(corpus_hash(&TinySet { choruses: 4 }, 5), corpus_hash(&TinySet { choruses: 5 }, 5));
        assert_eq!(corpus_hash(&TinySet { choruses: 4 }, 5).len(), 16);
    }
}
