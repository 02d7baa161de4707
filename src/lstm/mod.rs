//! The LSTM of Eck & Schmidhuber 2002, written out by hand: topology, the real-time forward
//! step, BPTT training under one driver, and the paper's generation rule.
//!
//! Nothing here knows about plugins, hosts or music: `music::training_set` adapts a corpus in
//! an encoding to [`training_set::TrainingSet`] and to a [`readout::Readout`]. `network`,
//! `readout`, `free_run` and `rng` are real-time safe (audio thread); everything else runs on
//! the trainer/loader thread or the CLI.
//!
//! The files, in the order they build on each other:
//! - `topology` (the shape), `weights` (its numbers), `rng`;
//! - `real` (f32/f64 arithmetic and fast functions for training), `ops` (the training pass's
//!   building blocks, forward beside backward), `layout` (the flat parameter layout), `bptt`
//!   (the whole pass, and the LSTM as a `Learner`);
//! - `f32x8` (eight floats at a time), `network` (the real-time step);
//! - `readout` (outputs → next input), `free_run` (the loop that plays a net, and the form
//!   check), `training_set`, `optimizer`, `own_lines` (training on the net's own draws too),
//!   `trainer` (the one training driver).

pub mod bptt;
pub mod f32x8;
pub mod free_run;
pub mod layout;
pub mod network;
pub mod ops;
pub mod optimizer;
pub mod own_lines;
pub mod readout;
pub mod real;
pub mod rng;
pub mod topology;
pub mod trainer;
pub mod training_set;
pub mod weights;

use std::sync::atomic::AtomicBool;
use trainer::{Progress, TrainConfig, TrainError, Trained};

/// Where fine-tuning starts: a trained network of the same topology, and the groups it keeps
/// as they are (parts the training set does not play).
#[derive(Clone, Copy, Debug)]
pub struct FineTune<'a> {
    pub from: &'a weights::Weights,
    pub kept: &'a [usize],
    /// Groups that run but learn nothing (`layout::Layout::freeze`).
    pub frozen: &'a [usize],
}

/// Trains an LSTM of `topology` on `set` by the paper's rule `readout` to the stop criterion
/// (`trainer` docs), from random weights or from `fine_tune`'s; a run that does not converge
/// within `max_epochs` is an error.
pub fn train_lstm(
    topology: &topology::Topology,
    set: &dyn training_set::TrainingSet,
    readout: &readout::Readout,
    config: &TrainConfig,
    fine_tune: Option<FineTune>,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<(weights::Weights, Trained), TrainError> {
    topology.validate().map_err(TrainError::InvalidSetup)?;
    if topology.n_in() != set.n_units() {
        return Err(TrainError::InvalidSetup(format!(
            "the network reads {} units, the training set writes {}",
            topology.n_in(),
            set.n_units()
        )));
    }
    let (learner, start) = match fine_tune {
        Some(f) if f.from.topology != *topology => {
            return Err(TrainError::InvalidSetup("the network to start from has another shape".to_string()))
        }
        Some(f) => (
            bptt::LstmLearner::keeping_frozen(topology.clone(), f.kept, f.frozen).map_err(TrainError::InvalidSetup)?,
            Some(f.from.to_flat()),
        ),
        None => (bptt::LstmLearner::new(topology.clone()), None),
    };
    let trained = trainer::train_from(learner, set, readout, config, start.as_deref(), on_progress, cancel)?;
    if !trained.converged {
        return Err(TrainError::DidNotConverge { epochs: trained.epochs, best_chord_choruses: trained.best_check });
    }
    Ok((weights::Weights::from_flat(topology.clone(), &trained.params), trained))
}
