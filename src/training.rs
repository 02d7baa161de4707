//! Retraining in the background: the user's corpus is learned on a thread of its own — never the
//! audio or GUI thread — while the music keeps playing the old model. The editor reads progress
//! (epoch, loss curve, time) and can cancel. A finished model must pass the check (free-running,
//! its chords follow the user's form) before it replaces the old one; a failed or cancelled run
//! keeps the old model and says why.
//!
//! The same worker switches the built-in band when the Style parameter changes (the audio
//! thread sees the change but may not build a network).

use crate::lstm::trainer::{Progress, TrainConfig, TrainError};
use crate::model::builtin::band_recipe_for;
use crate::model::builtin::chart_band;
use crate::model::builtin::BUILTINS;
use crate::model::fine_tune::{
    fine_tune, fine_tune_config, fine_tune_over_chart, takes_over_chart, Start, StartChoice, NEAREST_BAND_MAX_BARS,
};
use crate::model::{self, check_form, Model, Recipe};
use crate::music::chart::Chart;
use crate::music::corpus::{missing_part_warning, Corpus};
use crate::music::encoding::Encoding;
use crate::music::part::Part;
use crate::project::{ModelChoice, Project};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::thread::{JoinHandle, Thread};
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
    /// What the corpus lacks (parts no chorus plays), said when the run starts.
    pub warnings: Vec<String>,
    /// What the run started from ("Bebop blues in C (moved down 2)", "random weights"), and
    /// the parts the new model keeps from it or leaves out; said once known.
    pub started_from: Option<String>,
    /// How the last run ended, for the user.
    pub outcome: Option<Result<String, String>>,
    /// A run taught a chart band over the project's chart: the editor sets Harmony to Chart
    /// (once, [`Training::take_follow_chart`]), so what was taught is what plays.
    pub follow_chart: bool,
}

impl TrainingStatus {
    /// An upper bound of the time left: the run stops at `max_epochs` at the latest.
    pub fn seconds_left_at_most(&self) -> Option<f32> {
        (self.running && self.epoch > 0)
            .then(|| self.elapsed_seconds / self.epoch as f32 * self.max_epochs.saturating_sub(self.epoch) as f32)
    }
}

/// Where a retrain starts, as the user chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetrainFrom {
    pub choice: StartChoice,
    /// Keep the start model's parts the choruses do not play (else the new model has none).
    pub keep_missing: bool,
}

impl Default for RetrainFrom {
    fn default() -> Self {
        Self { choice: StartChoice::NearestBand, keep_missing: true }
    }
}

/// What a run learns: the project's corpus as it was checked, with a seed, from where; the
/// new model goes to the project.
struct Job {
    project: Arc<Project>,
    corpus: Corpus,
    seed: u64,
    from: RetrainFrom,
    /// The project's chart, for a run that teaches a chart band the choruses over it.
    over_chart: Option<Chart>,
    /// `over_chart` was read from the choruses (the project had none): it becomes the
    /// project's chart when the run succeeds.
    chart_heard: bool,
}

/// The training job: one worker thread per plugin, parked until asked, at most one run at a
/// time. The audio thread may ask too (the Retrain parameter): [`Training::request`] is two
/// atomic stores and a wake-up, no allocation, lock or wait.
#[derive(Debug)]
pub struct Training {
    status: Mutex<TrainingStatus>,
    cancel: AtomicBool,
    /// A run the editor asked for, waiting for the worker.
    job: Mutex<Option<Job>>,
    /// A run the audio thread asked for (with its seed), and the project it learns.
    requested: AtomicBool,
    requested_seed: AtomicU64,
    project: Mutex<Option<Arc<Project>>>,
    /// The built-in band the audio thread asked for (an index into `BUILTINS`), `NO_BUILTIN`
    /// once applied.
    builtin_wanted: AtomicUsize,
    /// Held while a built-in band is staged: the worker's and the activation's never interleave.
    applying_builtin: Mutex<()>,
    /// Where the next run starts (the editor sets it; a Retrain press uses it too).
    from: Mutex<RetrainFrom>,
    /// Set once: the worker ends.
    closing: AtomicBool,
    worker: Mutex<Option<JoinHandle<()>>>,
    /// The worker's handle for waking it (set when it starts).
    wake: OnceLock<Thread>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("seed", &self.seed).finish_non_exhaustive()
    }
}

impl Training {
    /// The job and its parked worker thread (any non-audio thread). `project` is what a
    /// Retrain press from the audio thread learns.
    pub fn new(project: Option<Arc<Project>>) -> Arc<Self> {
        let training = Arc::new(Self {
            status: Mutex::default(),
            cancel: AtomicBool::new(false),
            job: Mutex::new(None),
            requested: AtomicBool::new(false),
            requested_seed: AtomicU64::new(0),
            project: Mutex::new(project),
            builtin_wanted: AtomicUsize::new(NO_BUILTIN),
            applying_builtin: Mutex::new(()),
            from: Mutex::default(),
            closing: AtomicBool::new(false),
            worker: Mutex::new(None),
            wake: OnceLock::new(),
        });
        let weak = Arc::downgrade(&training);
        let spawned = std::thread::Builder::new().name("blues-lstm training".to_string()).spawn(move || work(&weak));
        match spawned {
            Ok(handle) => {
                let _ = training.wake.set(handle.thread().clone());
                *lock(&training.worker) = Some(handle);
            }
            Err(e) => training.update(|s| s.outcome = Some(Err(format!("No training thread could be started: {e}")))),
        }
        training
    }

    pub fn status(&self) -> TrainingStatus {
        lock(&self.status).clone()
    }

    /// Whether a run taught a chart band over the chart since last asked (the editor then sets
    /// Harmony to Chart).
    pub fn take_follow_chart(&self) -> bool {
        std::mem::take(&mut lock(&self.status).follow_chart)
    }

    /// Where retrains start from now on (any non-audio thread).
    pub fn set_retrain_from(&self, from: RetrainFrom) {
        *lock(&self.from) = from;
    }

    pub fn retrain_from(&self) -> RetrainFrom {
        *lock(&self.from)
    }

    fn update(&self, f: impl FnOnce(&mut TrainingStatus)) {
        f(&mut lock(&self.status));
    }

    /// Asks a running job to stop; it keeps the old model.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Release);
    }

    /// Cancels a run in progress and ends the worker thread, waiting for it (within one
    /// epoch): the plugin calls this when it is destroyed, so no training thread outlives it.
    pub fn shut_down(&self) {
        self.closing.store(true, Ordering::Release);
        self.cancel();
        if let Some(thread) = self.wake.get() {
            thread.unpark();
        }
        let handle = lock(&self.worker).take();
        if let Some(handle) = handle.filter(|h| h.thread().id() != std::thread::current().id()) {
            let _ = handle.join();
        }
    }

    /// Whether the worker thread still runs.
    pub fn has_live_thread(&self) -> bool {
        lock(&self.worker).as_ref().is_some_and(|h| !h.is_finished())
    }

    /// Audio thread: the Retrain parameter was pressed. The worker starts a run on the
    /// project's corpus with `seed` if none is going. Real-time safe.
    pub fn request(&self, seed: u64) {
        self.requested_seed.store(seed, Ordering::Relaxed);
        self.requested.store(true, Ordering::Release);
        if let Some(thread) = self.wake.get() {
            thread.unpark();
        }
    }

    /// Audio thread: the Style parameter asks for built-in model `index` (of `BUILTINS`); the
    /// worker stages it in the project. Real-time safe.
    pub fn request_builtin(&self, index: usize) {
        self.builtin_wanted.store(index, Ordering::Release);
        if let Some(thread) = self.wake.get() {
            thread.unpark();
        }
    }

    /// Worker: stages the built-in model asked for, if any (a model of the user's own keeps
    /// playing; the built-in one is what the project falls back to and learns beside).
    fn apply_builtin(&self) {
        let _one_at_a_time = lock(&self.applying_builtin);
        let index = self.builtin_wanted.load(Ordering::Acquire);
        if index == NO_BUILTIN {
            return;
        }
        if let (Some(builtin), Some(project)) = (BUILTINS.get(index), lock(&self.project).clone()) {
            project.set_builtin(builtin);
        }
        // Still wanted until staged; a newer request in the meantime stays for the next pass.
        let _ = self.builtin_wanted.compare_exchange(index, NO_BUILTIN, Ordering::AcqRel, Ordering::Acquire);
    }

    /// Stages built-in model `index` now, on the calling thread (activation: not the audio
    /// thread), and drops any request the worker has not applied, so no older style can be
    /// staged after it.
    pub fn apply_builtin_now(&self, index: usize) {
        let _one_at_a_time = lock(&self.applying_builtin);
        self.builtin_wanted.store(NO_BUILTIN, Ordering::Release);
        if let (Some(builtin), Some(project)) = (BUILTINS.get(index), lock(&self.project).clone()) {
            project.set_builtin(builtin);
        }
    }

    /// Audio thread, offline rendering only (it waits): until the built-in band asked for is
    /// staged, or `at_most` has passed. Allocates and locks nothing.
    pub fn wait_for_builtin(&self, at_most: std::time::Duration) {
        let started = Instant::now();
        while self.builtin_wanted.load(Ordering::Acquire) != NO_BUILTIN && started.elapsed() < at_most {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// Starts learning the project's corpus (on the worker thread). Refused while a run is
    /// going, when there is nothing to learn, or when the corpus cannot teach a band its form
    /// ([`Corpus::check_learnable`]); the old model keeps playing.
    pub fn start(&self, project: Arc<Project>, seed: u64) -> Result<(), String> {
        let mut job = lock(&self.job);
        if self.status().running || job.is_some() {
            return Err("A training run is already going.".to_string());
        }
        let corpus = project.corpus();
        if corpus.is_empty() {
            return Err("There is nothing to learn: capture or import some choruses, or include the built-in corpus."
                .to_string());
        }
        let mut warnings = corpus.check_learnable().map_err(|why| format!("Not retrained: {why}"))?;
        let from = self.retrain_from();
        let (over_chart, chart_heard) = if teaches_chart_band(from, project.model()) {
            (Some(chart_to_learn(&project, &corpus)?), false)
        } else {
            long_form_chart(from, &project, &corpus, &mut warnings).map_or((None, false), |(c, heard)| (Some(c), heard))
        };
        let chart_fits = || matches!(project.chart(), Ok(Some(c)) if c.len() == corpus.form.bars);
        let from_scratch = corpus.form.bars > NEAREST_BAND_MAX_BARS || from.choice == StartChoice::Scratch;
        if over_chart.is_none() && from_scratch && chart_fits() {
            warnings.push(format!(
                "A {0}-bar form learned from scratch takes minutes. Your chart has {0} bars too: Start from \"the chart band, over my chart\" teaches the chart band your lines in seconds.",
                corpus.form.bars
            ));
        }
        if self.closing.load(Ordering::Acquire) || !self.has_live_thread() {
            return Err("The training thread is not running.".to_string());
        }
        self.cancel.store(false, Ordering::Release);
        let choruses = if over_chart.is_some() { corpus.user.len() } else { corpus.len() };
        self.update(|s| *s = TrainingStatus { running: true, choruses, warnings, ..Default::default() });
        *job = Some(Job { project, corpus, seed, from, over_chart, chart_heard });
        drop(job);
        if let Some(thread) = self.wake.get() {
            thread.unpark();
        }
        Ok(())
    }

    /// The next run to do, if any: the editor's, else one the audio thread asked for.
    fn next_job(&self) -> Option<Job> {
        if let Some(job) = lock(&self.job).take() {
            return Some(job);
        }
        if self.requested.swap(false, Ordering::AcqRel) {
            let project = lock(&self.project).clone()?;
            let seed = self.requested_seed.load(Ordering::Relaxed);
            match self.start(project, seed) {
                Ok(()) => return lock(&self.job).take(),
                Err(why) => {
                    if let Some(project) = lock(&self.project).as_ref() {
                        project.notify(why);
                    }
                }
            }
        }
        None
    }

    /// One run, start to end, on the worker thread.
    fn run_job(&self, job: Job) {
        let current = match job.project.model() {
            ModelChoice::Custom { model, .. } => Some(model),
            ModelChoice::Builtin => None,
        };
        let result = match &job.over_chart {
            Some(chart) => self.run_over_chart(&job.corpus, chart, job.seed, job.from, current.as_deref()),
            None => self.run(&job.corpus, job.seed, job.from, current.as_deref()),
        };
        let message = match &result {
            Ok(model) if job.chart_heard => Ok(format!(
                "Learned {} choruses over their own chords, read as a chart (now in the Chart panel; Harmony: Chart plays it), from {}, in {:.1} s ({} epochs).",
                job.corpus.user.len(),
                model.metadata.started_from,
                model.metadata.train_seconds,
                model.metadata.epochs,
            )),
            Ok(model) if job.over_chart.is_some() => Ok(format!(
                "Learned {} choruses over your chart, from {}, in {:.1} s ({} epochs): the chart band now plays your lines over any chart.",
                job.corpus.user.len(),
                model.metadata.started_from,
                model.metadata.train_seconds,
                model.metadata.epochs,
            )),
            Ok(model) => {
                let from = match model.metadata.started_from.as_str() {
                    "" => "from scratch".to_string(),
                    start => format!("from {start}"),
                };
                Ok(format!(
                    "Learned {} choruses {from} in {:.1} s ({} epochs): now playing the new model.",
                    job.corpus.len(),
                    model.metadata.train_seconds,
                    model.metadata.epochs,
                ))
            }
            Err(why) => Err(why.clone()),
        };
        let taught_over_chart = result.is_ok() && job.over_chart.is_some();
        if let Ok(model) = result {
            if let (true, Some(chart)) = (job.chart_heard, &job.over_chart) {
                // Only into an empty chart box: a chart the user wrote meanwhile stays.
                if matches!(job.project.chart(), Ok(None)) {
                    let _ = job.project.set_chart_text(&chart.to_text());
                }
            }
            job.project.set_model(model);
        }
        self.update(|s| {
            s.running = false;
            s.outcome = Some(message);
            s.follow_chart |= taught_over_chart;
        });
    }

    /// Learns `corpus`: fine-tuning the start `from` chooses where one fits (and from scratch
    /// if that does not learn the form), else from scratch; then the plugin's check.
    fn run(&self, corpus: &Corpus, seed: u64, from: RetrainFrom, current: Option<&Model>) -> Result<Model, String> {
        let started = Instant::now();
        let threads = retrain_threads();
        let mut on_progress = |p: &Progress| self.progress(p, started);
        let name = format!("Retrained on {} choruses", corpus.len());
        let start = choose_start(corpus, from, current);
        let mut fine_tuned = None;
        if let Some(start) = &start {
            self.say_start(start, corpus, "");
            let config = TrainConfig { threads, ..fine_tune_config(seed) };
            match fine_tune(start, corpus, &config, &name, &mut on_progress, &self.cancel) {
                Ok(model) => fine_tuned = Some(model),
                Err(TrainError::Cancelled) => return Err(CANCELLED.to_string()),
                // Learning wins over speed: what the start could not learn, random weights may.
                Err(_) => {
                    let warnings = corpus.check_learnable().unwrap_or_default();
                    self.update(|s| {
                        s.started_from = Some(format!("random weights ({} could not learn the form)", start.name));
                        s.warnings = warnings;
                        s.losses.clear();
                    })
                }
            }
        } else {
            self.update(|s| s.started_from = Some("random weights".to_string()));
        }
        let model = match fine_tuned {
            Some(model) => model,
            None => {
                let mut recipe = retrain_recipe(corpus, seed);
                recipe.config.threads = threads;
                match train_from_scratch(&recipe, corpus, &name, &mut on_progress, &self.cancel) {
                    Ok(model) => model,
                    Err(TrainError::Cancelled) => return Err(CANCELLED.to_string()),
                    Err(err) => return Err(format!("Training did not succeed ({err}); the old model keeps playing.")),
                }
            }
        };
        let mut model = model;
        model.metadata.train_seconds = started.elapsed().as_secs_f32();
        let ok = check_form(&model, corpus, CHECK_CHORUSES, seed);
        if ok < CHECK_CHORUSES {
            return Err(format!(
                "The new model kept your form for only {ok} of {CHECK_CHORUSES} choruses when playing on its own; the old model keeps playing. Try again (a new seed) or add choruses."
            ));
        }
        Ok(model)
    }

    /// What the editor shows of a run's progress, and a style switch applied meanwhile.
    fn progress(&self, p: &Progress, started: Instant) {
        self.apply_builtin();
        self.update(|s| {
            s.epoch = p.epoch;
            s.max_epochs = p.max_epochs;
            s.losses.push(p.loss);
            if p.chord_choruses_ok.is_some() {
                s.chord_choruses_ok = p.chord_choruses_ok;
            }
            s.elapsed_seconds = started.elapsed().as_secs_f32();
        });
    }

    /// Tells the editor what the run starts from (and which parts it keeps from there, `how`
    /// after it), and which parts the choruses lack.
    fn say_start(&self, start: &Start, corpus: &Corpus, how: &str) {
        let parts = start.describe_parts();
        let said = if parts.is_empty() { start.name.clone() } else { format!("{} ({parts})", start.name) };
        let warnings = corpus
            .missing_parts()
            .into_iter()
            .map(|p| missing_part_warning(p, start.kept.contains(&p).then_some(start.name.as_str())))
            .collect();
        self.update(|s| {
            s.started_from = Some(format!("{said}{how}"));
            s.warnings = warnings;
        });
    }

    /// Teaches a chart band the user's choruses over `chart`: the chart band playing now when
    /// the user asks to start from it, else the built-in one; then checks that it plays.
    fn run_over_chart(
        &self,
        corpus: &Corpus,
        chart: &Chart,
        seed: u64,
        from: RetrainFrom,
        current: Option<&Model>,
    ) -> Result<Model, String> {
        let started = Instant::now();
        let (band, name) = match current {
            Some(m) if from.choice == StartChoice::CurrentModel && m.encoding.context.given_chord => {
                (m, m.metadata.name.clone())
            }
            _ => {
                let band = chart_band().ok_or("This build has no chart band to teach.")?;
                (band, format!("the built-in {}", band.metadata.name))
            }
        };
        let start = Start::chart_band(band, &name, corpus, from.keep_missing)
            .ok_or_else(|| format!("{name} cannot learn these choruses: they play a part it does not have."))?;
        self.say_start(&start, corpus, ", over your chart");
        let config = TrainConfig { threads: retrain_threads(), ..fine_tune_config(seed) };
        let title = format!("Chart band taught {} choruses", corpus.user.len());
        let mut model = fine_tune_over_chart(
            &start,
            chart,
            corpus,
            &config,
            &title,
            &mut |p| self.progress(p, started),
            &self.cancel,
        )
        .map_err(|err| match err {
            TrainError::Cancelled => CANCELLED.to_string(),
            err => format!("Training did not succeed ({err}); the old model keeps playing."),
        })?;
        model.metadata.train_seconds = started.elapsed().as_secs_f32();
        check_plays_over(&model, chart, corpus, seed)?;
        Ok(model)
    }
}

/// Whether a retrain from `from`, with `model` playing, teaches a chart band over the chart:
/// asked for, or the chart band the user taught before is the start asked for.
fn teaches_chart_band(from: RetrainFrom, model: ModelChoice) -> bool {
    match (from.choice, model) {
        (StartChoice::ChartBand, _) => true,
        (StartChoice::CurrentModel, ModelChoice::Custom { model, .. }) => model.encoding.context.given_chord,
        _ => false,
    }
}

/// The project's chart, to teach the chart band `corpus` over it: an error for the user when
/// there is none, it cannot be read, or the choruses are not of its length.
fn chart_to_learn(project: &Project, corpus: &Corpus) -> Result<Chart, String> {
    let chart = match project.chart() {
        Ok(Some(chart)) => chart,
        Ok(None) => {
            return Err("Not retrained: learning over your chart needs a chart. Write or load one in the Chart panel, capture choruses over it, then retrain.".to_string())
        }
        Err(why) => return Err(format!("Not retrained: your chart cannot be read ({why}).")),
    };
    takes_over_chart(&chart, corpus, &Encoding::chart_band(crate::model::builtin::CHART_BAND_WINDOW_BARS), &[])
        .map_err(|why| format!("Not retrained: {why}."))?;
    Ok(chart)
}

/// The chart a default retrain of a form longer than any built-in band's start teaches the
/// chart band over (seconds, where learning the form from scratch takes minutes), and whether
/// it was read from the choruses: the project's chart when it has the choruses' length, else,
/// when the project has none, the chart their chords sound. `None` (from scratch, as before)
/// for a shorter form, another start asked for, no choruses of the user's, or a chart of
/// another length; a chart the choruses' chords do not make is said in `warnings`.
fn long_form_chart(
    from: RetrainFrom,
    project: &Project,
    corpus: &Corpus,
    warnings: &mut Vec<String>,
) -> Option<(Chart, bool)> {
    if from.choice != StartChoice::NearestBand || corpus.form.bars <= NEAREST_BAND_MAX_BARS || corpus.user.is_empty() {
        return None;
    }
    let (chart, heard) = match project.chart() {
        Ok(Some(chart)) if chart.len() == corpus.form.bars => (chart, false),
        Ok(None) => match Chart::heard_in(&corpus.user) {
            Ok(chart) => (chart, true),
            Err(why) => {
                warnings.push(format!("Your choruses' chords could not be read as a chart ({why}): learning the form from scratch takes minutes."));
                return None;
            }
        },
        _ => return None,
    };
    let window = Encoding::chart_band(crate::model::builtin::CHART_BAND_WINDOW_BARS);
    takes_over_chart(&chart, corpus, &window, &[]).ok()?;
    Some((chart, heard))
}

/// Bars over which a chart band taught by a user is checked before it plays.
const CHECK_BARS: usize = 32;

/// The plugin's check of a chart band taught over `chart`: free-running over it, its melody
/// plays — at least a quarter as many notes a bar as the user's choruses (a band whose melody
/// fell silent would pass any check of its given chords).
fn check_plays_over(model: &Model, chart: &Chart, corpus: &Corpus, seed: u64) -> Result<(), String> {
    let choruses = CHECK_BARS.div_ceil(chart.len());
    let frames = crate::eval::over_chart::play_chart(model, chart, choruses, seed, crate::engine::DEFAULT_TEMPERATURE)
        .map_err(|why| format!("The taught chart band cannot play ({why}); the old model keeps playing."))?;
    let notes = |frames: &[crate::music::encoding::Frame]| frames.iter().filter(|f| f.melody.begin).count();
    let per_bar = |n: usize, frames: usize| n as f64 / (frames as f64 / crate::music::encoding::STEPS_PER_BAR as f64);
    let user: Vec<_> = corpus.user.concat();
    let (played, theirs) = (per_bar(notes(&frames), frames.len()), per_bar(notes(&user), user.len()));
    if played < theirs / 4.0 {
        return Err(format!(
            "The taught chart band played {played:.1} melody notes a bar over your chart, your choruses {theirs:.1}; the old model keeps playing. Try again (a new seed) or add choruses."
        ));
    }
    Ok(())
}

const CANCELLED: &str = "Training was cancelled; the old model keeps playing.";

/// The model a retrain of `corpus` fine-tunes, as `from` asks: `None` is from scratch (asked
/// for, or nothing fits).
pub fn choose_start(corpus: &Corpus, from: RetrainFrom, current: Option<&Model>) -> Option<Start> {
    let keep = from.keep_missing;
    match from.choice {
        StartChoice::Scratch => None,
        StartChoice::CurrentModel => current
            .and_then(|m| Start::from_model(m, &m.metadata.name, corpus, keep))
            .or_else(|| Start::nearest_builtin(corpus, keep)),
        // A chart band is taught over a chart (`Training::run_over_chart`); without one, the
        // nearest band.
        StartChoice::NearestBand | StartChoice::ChartBand => Start::nearest_builtin(corpus, keep),
    }
}

/// How a user's choruses are learned: a band network over their form, with the voices they
/// play (a corpus without a bass line learns none, and the bass stays silent).
pub fn retrain_recipe(corpus: &Corpus, seed: u64) -> Recipe {
    let mut encoding = Encoding::band(corpus.form.bars);
    if !corpus.plays(Part::Bass) {
        encoding.bass = None;
    }
    if !corpus.plays(Part::Comp) {
        encoding.comp = false;
    }
    if !corpus.plays_drums() {
        encoding.drums = false;
    }
    let mut recipe = band_recipe_for(encoding, seed);
    // A user waits for this one. Two choruses a sequence still teach the turn from the last
    // bar back to the first, at two thirds of the cost of three, and the trainer's default
    // plateau stops as soon as the lines settle: 8 bebop choruses in 15 to 20 s over seeds
    // 1-3, against 26 s with the built-in models' recipe. A higher rate (0.03, 0.05) was
    // faster on some 12-bar corpora and never converged on others; a 32-bar form is the
    // other way round: at 0.02 and 0.03, 8 choruses of rhythm changes mostly did not hold
    // their form in 10,000 epochs; at 0.05 they did in 4,000 to 5,700 for 3 of 4 seeds.
    let defaults = TrainConfig::seeded(seed);
    recipe.config.choruses_per_sequence = 2;
    recipe.config.plateau_tolerance = defaults.plateau_tolerance;
    if encoding.bars > 16 {
        // (Its chord blocks are already the long form's: `band_blocks`.)
        recipe.config.learning_rate = 0.05;
    }
    recipe
}

/// Epochs after which a retrain from scratch over 16 bars that has not held its form starts
/// again from other random weights. A seed either finds how to count the sections or never
/// holds a chorus: over 20 seeds of our AABA and rhythm changes (12 chord blocks), 15 held by
/// 5,000 epochs, 4 between 5,000 and 7,900, and one never in 10,000.
pub const LONG_FORM_RESTART_EPOCHS: u32 = 5_000;

/// Learns `corpus` from random weights by `recipe` (a [`retrain_recipe`]). Over 16 bars, a
/// run that has not held the form by [`LONG_FORM_RESTART_EPOCHS`] starts again from weights
/// drawn from another seed, for the recipe's full epochs: learning the count is a matter of
/// the draw, not of more epochs. Progress counts the epochs of both runs.
pub fn train_from_scratch(
    recipe: &Recipe,
    corpus: &Corpus,
    name: &str,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Model, TrainError> {
    if recipe.encoding.bars <= NEAREST_BAND_MAX_BARS {
        return model::train(recipe, corpus, name, on_progress, cancel);
    }
    restarting(recipe, corpus, name, LONG_FORM_RESTART_EPOCHS, on_progress, cancel)
}

/// [`train_from_scratch`] restarting at `restart` epochs.
fn restarting(
    recipe: &Recipe,
    corpus: &Corpus,
    name: &str,
    restart: u32,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Model, TrainError> {
    if recipe.config.max_epochs <= restart {
        return model::train(recipe, corpus, name, on_progress, cancel);
    }
    let total = restart + recipe.config.max_epochs;
    let mut first = recipe.clone();
    first.config.max_epochs = restart;
    let mut shown =
        |p: &Progress, before: u32| on_progress(&Progress { epoch: p.epoch + before, max_epochs: total, ..*p });
    match model::train(&first, corpus, name, &mut |p| shown(p, 0), cancel) {
        Err(TrainError::DidNotConverge { .. }) => {}
        done => return done,
    }
    let mut again = recipe.clone();
    again.config.seed = recipe.config.seed ^ RESTART_SEED;
    let mut model = model::train(&again, corpus, name, &mut |p| shown(p, restart), cancel).map_err(|e| match e {
        TrainError::DidNotConverge { epochs, best_chord_choruses } => {
            TrainError::DidNotConverge { epochs: epochs + restart, best_chord_choruses }
        }
        e => e,
    })?;
    model.metadata.epochs += restart;
    Ok(model)
}

/// Mixed into the seed of a restarted run.
const RESTART_SEED: u64 = 0x5EED_2D0F;

/// Threads the plugin retrains on: every core but one, which stays with the host's audio and
/// GUI, and at least one. The weights do not depend on it (`lstm::trainer` docs).
pub fn retrain_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
}

/// `builtin_wanted` when nothing is asked.
const NO_BUILTIN: usize = usize::MAX;

/// A lock whose holder panicked still guards plain data: keep using it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The worker: parked until woken, then does what was asked, until the job closes or is gone.
fn work(training: &Weak<Training>) {
    loop {
        {
            let Some(training) = training.upgrade() else { return };
            if training.closing.load(Ordering::Acquire) {
                return;
            }
            training.apply_builtin();
            while let Some(job) = training.next_job() {
                training.run_job(job);
                if training.closing.load(Ordering::Acquire) {
                    return;
                }
            }
        }
        std::thread::park();
    }
}

impl Drop for Training {
    fn drop(&mut self) {
        // The last handle went without `shut_down` (tests, tools): let the worker end on its own.
        self.closing.store(true, Ordering::Release);
        if let Some(thread) = self.wake.get() {
            thread.unpark();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::style::builtin_style;

    /// A run that has not held its form by the restart epoch starts again from other weights,
    /// for the recipe's full epochs, and the progress goes on counting across the two.
    #[test]
    fn a_long_form_not_learned_by_the_restart_starts_again_counting_on() {
        let style = builtin_style("rhythm-changes").unwrap();
        let corpus = Corpus::from_choruses((0..2).map(|i| style.chorus(i * 977)).collect(), style.bars);
        let mut recipe = retrain_recipe(&corpus, 1);
        recipe.config.max_epochs = 6;
        recipe.config.check_every = 2;
        let mut epochs = Vec::new();
        let result = restarting(
            &recipe,
            &corpus,
            "t",
            4,
            &mut |p| epochs.push((p.epoch, p.max_epochs)),
            &AtomicBool::new(false),
        );
        assert!(matches!(result, Err(TrainError::DidNotConverge { epochs: 10, .. })), "{result:?}");
        assert_eq!(epochs.iter().map(|e| e.0).collect::<Vec<_>>(), (1..=10).collect::<Vec<_>>(), "4 then 6 more");
        assert!(epochs.iter().all(|e| e.1 == 10), "out of 4 + 6");
        let cancel = AtomicBool::new(true);
        assert_eq!(restarting(&recipe, &corpus, "t", 4, &mut |_| {}, &cancel).err(), Some(TrainError::Cancelled));
    }
}
