//! A model: a trained network together with the encoding it speaks, where it came from, and a
//! chorus to prime it with. What the plugin plays, what training makes, what a model file
//! holds (`file`), and the ones compiled in (`builtin`). Any non-audio thread.

pub mod builtin;
pub mod file;
pub mod fine_tune;
pub mod own_drums;

use crate::lstm::free_run::{form_check, AllowedChords};
use crate::lstm::network::Network;
use crate::lstm::readout::Readout;
use crate::lstm::rng::Rng;
use crate::lstm::trainer::{Progress, TrainConfig, TrainError};
use crate::lstm::training_set::corpus_hash;
use crate::lstm::training_set::TrainingSet;
use crate::lstm::weights::Weights;
use crate::music::chart::Chart;
use crate::music::corpus::Corpus;
use crate::music::encoding::{Encoding, Frame, CHORD_UNITS};
use crate::music::training_set::{ChartWindows, EncodedCorpus};
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicBool;

/// Where a model came from and how training went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// A name for people, e.g. "Paper Exp 2".
    pub name: String,
    /// What it was trained on, e.g. "The paper's 12-bar blues (4096 choruses)".
    pub corpus: String,
    /// FNV-1a 64 (hex) over the training frames: tells whether two models saw the same data.
    pub corpus_hash: String,
    /// The training seed: the same seed, corpus and config give the same weights.
    pub seed: u64,
    /// Epochs trained (one epoch = one minibatch update).
    pub epochs: u32,
    /// Mean cross-entropy per step (summed over units) over the last epochs.
    pub final_loss: f32,
    /// Wall-clock training time.
    pub train_seconds: f32,
    /// Choruses the free-running network played with every chord right at the stop check.
    pub chord_check_choruses: u32,
    /// The model it was fine-tuned from ("" = trained from random weights).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub started_from: String,
    /// Parts its training choruses did not play, kept as the start model played them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept_parts: Vec<String>,
}

/// A trained network and everything needed to play it.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub weights: Weights,
    pub encoding: Encoding,
    pub metadata: Metadata,
    /// A training chorus, played in to prime the network up to a form position after a jump
    /// (the paper seeded its runs with training notes). Empty when the file has none.
    pub primer: Vec<Frame>,
}

impl Model {
    /// The generation rule of its encoding.
    pub fn readout(&self) -> Readout {
        self.encoding.readout()
    }

    /// The chorus that primes it: its own, or, for a file without one, chorus 0 of `fallback`.
    pub fn primer_or(&self, fallback: &Corpus) -> Vec<Frame> {
        if self.primer.len() == self.encoding.steps_per_chorus() {
            return self.primer.clone();
        }
        if fallback.form == self.encoding.form() && !fallback.is_empty() {
            return fallback.chorus(0);
        }
        vec![Frame::default(); self.encoding.steps_per_chorus()]
    }
}

/// How a model is to be trained: its encoding, the blocks of each group, the settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Recipe {
    pub encoding: Encoding,
    /// Blocks of each group in unit order (chords first), 2 cells each unless `cells_per_block`.
    pub blocks: Vec<usize>,
    pub cells_per_block: usize,
    pub config: TrainConfig,
}

/// The whole choruses the free-running `model` plays with every step's chord one that `corpus`
/// has there, stopping at `choruses`: the paper's test, from a chorus of the corpus that `seed`
/// picks, with the draws seeded by it too.
pub fn check_form(model: &Model, corpus: &Corpus, choruses: u32, seed: u64) -> u32 {
    if corpus.is_empty() || corpus.form != model.encoding.form() {
        return 0;
    }
    let set = EncodedCorpus::new(corpus, model.encoding);
    let allowed = AllowedChords::from_set(&set, CHORD_UNITS);
    let mut rng = Rng::new(seed);
    let mut chorus = vec![0.0; corpus.form.steps() * model.encoding.n_inputs()];
    set.write_chorus(rng.below(corpus.len()), &mut chorus);
    form_check(&mut Network::new(&model.weights), &model.readout(), &allowed, &chorus, choruses, &mut rng)
}

/// Trains a model of `recipe` on `corpus` to the stop criterion; names it `name`. The first
/// chorus of the corpus becomes its primer.
pub fn train(
    recipe: &Recipe,
    corpus: &Corpus,
    name: &str,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Model, TrainError> {
    train_from(recipe, corpus, name, None, on_progress, cancel)
}

/// [`train`], from random weights or fine-tuning `start` (`fine_tune`).
fn train_from(
    recipe: &Recipe,
    corpus: &Corpus,
    name: &str,
    start: Option<crate::lstm::FineTune>,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Model, TrainError> {
    recipe.encoding.validate().map_err(TrainError::InvalidSetup)?;
    if corpus.form != recipe.encoding.form() {
        return Err(TrainError::InvalidSetup(format!(
            "the choruses have {} bars, the model's form {}",
            corpus.form.bars, recipe.encoding.bars
        )));
    }
    if corpus.is_empty() {
        return Err(TrainError::EmptyCorpus);
    }
    let set = EncodedCorpus::new(corpus, recipe.encoding);
    train_on(recipe, &set, name, corpus.chorus(0), start, on_progress, cancel)
}

/// Trains a model of `recipe` on `set` (from random weights, or fine-tuning `start`) and names
/// it `name`, with `primer` to prime it: what every kind of model shares once its training set
/// is made.
fn train_on(
    recipe: &Recipe,
    set: &dyn TrainingSet,
    name: &str,
    primer: Vec<Frame>,
    start: Option<crate::lstm::FineTune>,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Model, TrainError> {
    let topology = recipe.encoding.topology(&recipe.blocks, recipe.cells_per_block);
    let readout = recipe.encoding.readout();
    let (weights, trained) =
        crate::lstm::train_lstm(&topology, set, &readout, &recipe.config, start, on_progress, cancel)?;
    Ok(Model {
        weights,
        encoding: recipe.encoding,
        metadata: Metadata {
            name: name.to_string(),
            corpus: set.describe(),
            corpus_hash: corpus_hash(set),
            seed: recipe.config.seed,
            epochs: trained.epochs,
            final_loss: trained.final_loss,
            train_seconds: trained.seconds,
            chord_check_choruses: recipe.config.check_choruses,
            started_from: String::new(),
            kept_parts: Vec::new(),
        },
        primer,
    })
}

/// Trains the chart band of `recipe` on `takes` (performances over charts) to the stop
/// criterion; names it `name`. Its first window becomes its primer.
pub fn train_chart_band(
    recipe: &Recipe,
    takes: &[(Chart, Vec<Frame>)],
    name: &str,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Model, TrainError> {
    train_chart_band_from(recipe, takes, name, None, on_progress, cancel)
}

/// [`train_chart_band`], from random weights or fine-tuning `start` (`fine_tune::over_chart`).
fn train_chart_band_from(
    recipe: &Recipe,
    takes: &[(Chart, Vec<Frame>)],
    name: &str,
    start: Option<crate::lstm::FineTune>,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Model, TrainError> {
    recipe.encoding.validate().map_err(TrainError::InvalidSetup)?;
    if !recipe.encoding.context.given_chord {
        return Err(TrainError::InvalidSetup("a chart band's encoding must hear a given chord".to_string()));
    }
    let set = ChartWindows::new(takes, recipe.encoding);
    if set.is_empty() {
        return Err(TrainError::EmptyCorpus);
    }
    // The first take long enough for a window (there is one: the set is not empty).
    let steps = recipe.encoding.steps_per_chorus();
    let primer = takes.iter().find(|(_, f)| f.len() >= steps).map_or_else(Vec::new, |(_, f)| f[..steps].to_vec());
    train_on(recipe, &set, name, primer, start, on_progress, cancel)
}
