//! Retraining in the background: the user's corpus is learned on a thread of its own — never the
//! audio or GUI thread — while the music keeps playing the old model. The editor reads progress
//! (epoch, loss curve, time) and can cancel. A finished model must pass the check (free-running,
//! its chords follow the user's form) before it replaces the old one; a failed or cancelled run
//! keeps the old model and says why.

use crate::lstm::check::free_run_chord_check;
use crate::lstm::model_file::Model;
use crate::lstm::topology::Topology;
use crate::lstm::train::{train, Progress, TrainConfig, TrainError};
use crate::models;
use crate::project::Project;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

/// Choruses the finished model must free-run with every chord right before it is used.
pub const CHECK_CHORUSES: u32 = 100;

/// What the editor shows of a training run.
#[derive(Clone, Debug, Default)]
pub struct TrainingStatus {
    pub running: bool,
    pub epoch: u32,
    pub max_epochs: u32,
    /// Loss per reported epoch, for the curve.
    pub losses: Vec<f32>,
    /// Choruses the free-running network got right at the last check.
    pub chord_choruses_ok: Option<u32>,
    pub elapsed_seconds: f32,
    /// Choruses being learned.
    pub choruses: usize,
    /// How the last run ended, for the user.
    pub outcome: Option<Result<String, String>>,
}

impl TrainingStatus {
    /// An upper bound of the time left: the run stops at `max_epochs` at the latest.
    pub fn seconds_left_at_most(&self) -> Option<f32> {
        (self.running && self.epoch > 0)
            .then(|| self.elapsed_seconds / self.epoch as f32 * self.max_epochs.saturating_sub(self.epoch) as f32)
    }
}

/// The training job: at most one run at a time.
#[derive(Debug, Default)]
pub struct Training {
    status: Mutex<TrainingStatus>,
    cancel: AtomicBool,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Training {
    pub fn status(&self) -> TrainingStatus {
        self.status.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn update(&self, f: impl FnOnce(&mut TrainingStatus)) {
        f(&mut self.status.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// Asks a running job to stop; it keeps the old model.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Release);
    }

    /// Cancels a run in progress and waits for its thread to end (within one epoch): the plugin
    /// calls this when it is destroyed, so no training thread outlives it.
    pub fn shut_down(&self) {
        self.cancel();
        let handle = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }

    /// Whether a training thread exists (running, or finished and not yet joined).
    pub fn has_live_thread(&self) -> bool {
        self.thread.lock().unwrap_or_else(|e| e.into_inner()).as_ref().is_some_and(|h| !h.is_finished())
    }

    /// Starts learning the project's corpus with the paper's Exp 2 network. Refused while a run is
    /// going or when there is nothing to learn.
    pub fn start(self: &Arc<Self>, project: Arc<Project>, seed: u64) -> Result<(), String> {
        let mut thread = self.thread.lock().unwrap_or_else(|e| e.into_inner());
        if self.status().running {
            return Err("A training run is already going.".to_string());
        }
        if let Some(done) = thread.take() {
            let _ = done.join();
        }
        let corpus = project.corpus();
        if corpus.is_empty() {
            return Err(
                "There is nothing to learn: capture or import some 12-bar choruses, or include the built-in corpus."
                    .to_string(),
            );
        }
        self.cancel.store(false, Ordering::Release);
        self.update(|s| *s = TrainingStatus { running: true, choruses: corpus.len(), ..Default::default() });
        let job = self.clone();
        let spawned = std::thread::Builder::new().name("blues-lstm training".to_string()).spawn(move || {
            let result = job.run(&corpus, seed);
            let message = match &result {
                Ok(model) => Ok(format!(
                    "Learned {} choruses in {:.1} s ({} epochs): now playing the new model.",
                    corpus.len(),
                    model.metadata.train_seconds,
                    model.metadata.epochs
                )),
                Err(why) => Err(why.clone()),
            };
            if let Ok(model) = result {
                project.set_model(model);
            }
            job.update(|s| {
                s.running = false;
                s.outcome = Some(message);
            });
        });
        match spawned {
            Ok(handle) => {
                *thread = Some(handle);
                Ok(())
            }
            Err(e) => {
                self.update(|s| s.running = false);
                Err(format!("Could not start the training thread: {e}"))
            }
        }
    }

    fn run(&self, corpus: &crate::music::corpus::Corpus, seed: u64) -> Result<Model, String> {
        let started = Instant::now();
        let topology = Topology::exp2();
        let config = TrainConfig::for_topology(topology, seed);
        let mut on_progress = |p: &Progress| {
            self.update(|s| {
                s.epoch = p.epoch;
                s.max_epochs = p.max_epochs;
                s.losses.push(p.loss);
                if p.chord_choruses_ok.is_some() {
                    s.chord_choruses_ok = p.chord_choruses_ok;
                }
                s.elapsed_seconds = started.elapsed().as_secs_f32();
            });
        };
        let mut model = match train(topology, models::encoding(), corpus, &config, &mut on_progress, &self.cancel) {
            Ok(model) => model,
            Err(TrainError::Cancelled) => {
                return Err("Training was cancelled; the old model keeps playing.".to_string())
            }
            Err(err) => return Err(format!("Training did not succeed ({err}); the old model keeps playing.")),
        };
        let ok = free_run_chord_check(&model, corpus, CHECK_CHORUSES, seed);
        if ok < CHECK_CHORUSES {
            return Err(format!(
                "The new model kept your form for only {ok} of {CHECK_CHORUSES} choruses when playing on its own; the old model keeps playing. Try again (a new seed) or add choruses."
            ));
        }
        model.metadata.name = format!("Retrained on {} choruses", corpus.len());
        Ok(model)
    }
}
