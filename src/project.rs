//! What the plugin keeps with the DAW project beyond its parameters: the user's own choruses and
//! the model it plays. Shared (`Arc<Project>`) by the editor, the host's state save/load, and the
//! background trainer — never the audio thread, which only receives finished composers through the
//! hand-off. Every change re-builds the composer and stages it.
//!
//! Nothing is lost silently: saved data that cannot be read (damaged, or from a newer version)
//! is reported in the editor's notices, and its text is kept and saved again unchanged, so
//! opening a project in an older plugin never destroys it. A damaged chorus is saved again in
//! its place among the others; a whole corpus this version cannot read is saved as it came,
//! and beside the choruses added since once there are any. Only the user's own act removes
//! kept text (clearing the choruses, or replacing the model, which the editor says).

use crate::engine::audition::Audition;
use crate::engine::capture::CaptureShared;
use crate::engine::composer::Composer;
use crate::engine::handoff::Handoff;
use crate::engine::harmony::ChartSteps;
use crate::engine::improviser::Improviser;
use crate::model::builtin::{builtin, chart_band, default_builtin, Builtin};
use crate::model::Model;
use crate::music::chart::{self, Chart};
use crate::music::chorus_text::{chorus_from_text, chorus_to_text, text_version};
use crate::music::corpus::{Chorus, Corpus};
use crate::music::encoding::{MAX_BARS, MIN_BARS, STEPS_PER_BAR};
use nice_plug::params::persist::PersistentField;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// Format name and version of the saved corpus (version 1: 12-bar choruses of chords and a
/// C4–C5 melody; version 2: any form, with bass and comping).
const CORPUS_FORMAT: &str = "blues-lstm-corpus";
/// Version 3: with drums (written only where a chorus has them, so older versions still read
/// a drumless corpus).
const CORPUS_VERSION: u32 = 3;
/// Notices kept for the editor.
const MAX_NOTICES: usize = 12;

/// The model being played.
#[derive(Clone, Debug)]
pub enum ModelChoice {
    /// The built-in model of the chosen style.
    Builtin,
    /// A retrained or imported model, with its file text (saved as it came).
    Custom { model: Arc<Model>, json: Arc<String> },
}

/// The saved corpus, as JSON.
#[derive(Serialize, Deserialize)]
struct SavedCorpus {
    format: String,
    version: u32,
    include_builtin: bool,
    /// Bars of every chorus (version 2; version 1 choruses have 12).
    #[serde(default = "twelve")]
    bars: usize,
    choruses: Vec<String>,
    /// The built-in model the project plays (or falls back to), by id; projects from before
    /// there was a choice (version 1) played the paper's Exp 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    builtin: Option<String>,
    /// A corpus this version could not read (from a newer version, or damaged), kept as it came
    /// beside the choruses added since, so the version that wrote it still finds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unread_corpus: Option<String>,
}

/// A saved corpus this version could not read, kept as text.
#[derive(Debug)]
struct UnreadCorpus {
    text: String,
    /// Saved beside this version's corpus (once choruses were added); else saved as it came.
    beside: bool,
}

fn twelve() -> usize {
    12
}

#[derive(Debug)]
struct State {
    /// The user's own choruses, all of `user_bars` bars.
    user: Vec<Chorus>,
    user_bars: usize,
    /// Whether the built-in style's choruses join the user's for retraining.
    include_builtin: bool,
    /// The built-in model of the chosen style (played when `model` is `Builtin`).
    builtin: &'static Builtin,
    model: ModelChoice,
    /// Saved choruses that could not be read, each with its place among the saved choruses:
    /// saved again there, unchanged.
    damaged: Vec<(usize, String)>,
    /// Saved text that could not be read, kept to be saved again unchanged.
    unread_corpus: Option<UnreadCorpus>,
    unreadable_model: Option<String>,
}

/// The project's corpus and model, and the editor's notices.
#[derive(Debug)]
pub struct Project {
    handoff: Arc<Handoff<Composer>>,
    /// Choruses the audio thread captured, waiting to join the corpus.
    capture: Arc<CaptureShared>,
    state: Mutex<State>,
    notices: Mutex<Vec<String>>,
    /// Bumped on every change, so the editor knows when to refresh.
    revision: AtomicU64,
    /// The chart as the user wrote it (kept even when it cannot be read, so nothing typed is
    /// lost), and where a readable one goes to the audio thread.
    chart_text: Mutex<String>,
    charts: OnceLock<Arc<Handoff<ChartSteps>>>,
}

impl Project {
    pub fn new(handoff: Arc<Handoff<Composer>>, capture: Arc<CaptureShared>) -> Arc<Self> {
        Arc::new(Self {
            handoff,
            capture,
            state: Mutex::new(State {
                user: Vec::new(),
                user_bars: 12,
                include_builtin: true,
                builtin: default_builtin(),
                model: ModelChoice::Builtin,
                damaged: Vec::new(),
                unread_corpus: None,
                unreadable_model: None,
            }),
            notices: Mutex::new(Vec::new()),
            revision: AtomicU64::new(0),
            chart_text: Mutex::new(String::new()),
            charts: OnceLock::new(),
        })
    }

    /// Where charts go to the audio thread (the engine's hand-off); the chart already set, if
    /// readable, is staged at once.
    pub fn connect_charts(&self, charts: Arc<Handoff<ChartSteps>>) {
        if self.charts.set(charts).is_ok() {
            if let Ok(Some(chart)) = self.chart() {
                self.stage_chart(&chart);
            }
        }
    }

    /// The chart's text, as written.
    pub fn chart_text(&self) -> String {
        self.chart_text.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The chart, read from its text: `None` when there is none, an error naming the bar and
    /// the symbol when it cannot be read.
    pub fn chart(&self) -> Result<Option<Chart>, String> {
        let text = self.chart_text();
        if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
            return Ok(None);
        }
        chart::parse(&text).map(Some).map_err(|e| e.to_string())
    }

    /// Sets the chart to `text` (typed, pasted or loaded). The text is kept whatever it holds;
    /// a readable chart takes over at the next bar, with no retrain. Returns the chart read.
    pub fn set_chart_text(&self, text: &str) -> Result<Option<Chart>, String> {
        *self.chart_text.lock().unwrap_or_else(|e| e.into_inner()) = text.to_string();
        self.revision.fetch_add(1, Ordering::Relaxed);
        let chart = self.chart()?;
        if let Some(chart) = &chart {
            self.stage_chart(chart);
        }
        Ok(chart)
    }

    fn stage_chart(&self, chart: &Chart) {
        if let Some(charts) = self.charts.get() {
            charts.stage(Box::new(ChartSteps::new(chart)));
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves plain data behind: keep using it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The composer for the current model and corpus (built here, not on the audio thread).
    pub fn composer(&self) -> Box<Composer> {
        let (corpus, model, builtin) = {
            let state = self.state();
            (Self::corpus_of(&state), state.model.clone(), state.builtin)
        };
        // The chart band follows a chart or the chords played in, whatever the style: the
        // user's own (taught their lines over their chart) when that is the model loaded.
        let own = match &model {
            ModelChoice::Custom { model, .. } if model.encoding.context.given_chord => Some(model.as_ref()),
            _ => None,
        };
        // A closure, not the function: it shortens the built-in band's 'static borrow to `model`'s.
        #[allow(clippy::redundant_closure)]
        let chart_band = own.or_else(|| chart_band()).and_then(|m| Improviser::new(m, m.primer.clone()).ok());
        Box::new(self.composer_of(&model, builtin, corpus).with_chart_band(chart_band))
    }

    /// The composer of `model` without its chart band: a chart band loaded as the model leaves
    /// the chosen style's band to play where no chords are given.
    fn composer_of(&self, model: &ModelChoice, builtin: &'static Builtin, corpus: Corpus) -> Composer {
        let of_builtin = |b: &'static Builtin| {
            let corpus = b.corpus();
            let improviser = b.model().and_then(|m| Improviser::new(m, m.primer_or(&corpus)).ok());
            Composer::new(Audition::new(corpus), improviser)
        };
        match model {
            ModelChoice::Builtin => of_builtin(builtin),
            ModelChoice::Custom { model, .. } if model.encoding.context.given_chord => of_builtin(builtin),
            ModelChoice::Custom { model, .. } => {
                // It auditions what it learned: the project's choruses, when they are of its form.
                let form = model.encoding.form();
                let corpus = if corpus.form == form && !corpus.is_empty() {
                    corpus
                } else {
                    Corpus::from_choruses(vec![model.primer_or(&builtin.corpus())], form.bars)
                };
                match Improviser::new(model, model.primer_or(&corpus)) {
                    Ok(improviser) => Composer::new(Audition::new(corpus), Some(improviser)),
                    Err(why) => {
                        self.notify(format!(
                            "The model \"{}\" cannot play here ({why}); playing the built-in model.",
                            model.metadata.name
                        ));
                        self.state().model = ModelChoice::Builtin;
                        of_builtin(builtin)
                    }
                }
            }
        }
    }

    /// The corpus of `state`: the user's choruses, with the built-in style's when asked and of
    /// the same form; the style's alone while the user has none.
    fn corpus_of(state: &State) -> Corpus {
        let style = state.builtin.style();
        let mut corpus = Corpus::from_choruses(state.user.clone(), state.user_bars);
        if state.include_builtin && (state.user.is_empty() || corpus.can_include(style)) {
            corpus.style = Some(style);
            corpus.form = style.form();
        }
        corpus
    }

    /// The chord of every step of the form being played, as written: the built-in style's,
    /// or a loaded model's primer.
    pub fn form_chords(&self) -> Vec<u16> {
        let state = self.state();
        match &state.model {
            ModelChoice::Builtin => state.builtin.style().chords.clone(),
            // A chart band has no form of its own: where no chords are given the style plays.
            ModelChoice::Custom { model, .. } if model.encoding.context.given_chord => {
                state.builtin.style().chords.clone()
            }
            ModelChoice::Custom { model, .. } => model.primer.iter().map(|f| f.chord).collect(),
        }
    }

    /// The built-in model played while no other is loaded (the chosen style's).
    pub fn builtin(&self) -> &'static Builtin {
        self.state().builtin
    }

    /// Chooses the built-in style; it plays unless a retrained or imported model is loaded.
    pub fn set_builtin(&self, builtin: &'static Builtin) {
        if std::ptr::eq(self.state().builtin, builtin) {
            return;
        }
        self.state().builtin = builtin;
        self.restage();
    }

    /// Builds the composer for the current state and hands it to the audio thread.
    fn restage(&self) {
        self.handoff.stage(self.composer());
        self.revision.fetch_add(1, Ordering::Release);
    }

    pub fn revision(&self) -> u64 {
        self.revision.load(Ordering::Acquire)
    }

    /// Adds a message for the user (shown in the editor).
    pub fn notify(&self, message: impl Into<String>) {
        let mut notices = self.notices.lock().unwrap_or_else(|e| e.into_inner());
        notices.push(message.into());
        let excess = notices.len().saturating_sub(MAX_NOTICES);
        notices.drain(..excess);
        self.revision.fetch_add(1, Ordering::Release);
    }

    pub fn notices(&self) -> Vec<String> {
        self.notices.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn clear_notices(&self) {
        self.notices.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.revision.fetch_add(1, Ordering::Release);
    }

    // --- The model ---

    pub fn model(&self) -> ModelChoice {
        self.state().model.clone()
    }

    /// Plays `model` from the next step on.
    pub fn set_model(&self, model: Model) {
        let json = model.to_json();
        let replaced_unreadable = {
            let mut state = self.state();
            state.model = ModelChoice::Custom { model: Arc::new(model), json: Arc::new(json) };
            state.unreadable_model.take().is_some()
        };
        if replaced_unreadable {
            self.notify("The model saved in this project, which this version could not load, is replaced by the new one from the next save on.");
        }
        self.restage();
    }

    /// Goes back to the embedded model.
    pub fn use_builtin_model(&self) {
        {
            let mut state = self.state();
            state.model = ModelChoice::Builtin;
            state.unreadable_model = None;
        }
        self.restage();
    }

    /// The model as saved in the project: empty for the built-in one.
    pub fn model_json(&self) -> String {
        let state = self.state();
        if let Some(text) = &state.unreadable_model {
            return text.clone();
        }
        match &state.model {
            ModelChoice::Builtin => String::new(),
            ModelChoice::Custom { json, .. } => json.as_ref().clone(),
        }
    }

    /// Restores the model saved in a project; on failure plays the built-in model, says why, and
    /// keeps the text.
    pub fn load_model_json(&self, text: &str) {
        if text.trim().is_empty() {
            self.use_builtin_model();
            return;
        }
        match Model::from_json(text) {
            Ok(model) => {
                let mut state = self.state();
                state.model = ModelChoice::Custom { model: Arc::new(model), json: Arc::new(text.to_string()) };
                state.unreadable_model = None;
            }
            Err(err) => {
                self.notify(format!("The model saved in this project could not be loaded ({err}). Playing the built-in model; the saved model is kept in the project."));
                let mut state = self.state();
                state.model = ModelChoice::Builtin;
                state.unreadable_model = Some(text.to_string());
            }
        }
        self.restage();
    }

    // --- The corpus ---

    /// The capture the audio thread shares (switch, rule, finished choruses).
    pub fn capture(&self) -> &CaptureShared {
        &self.capture
    }

    /// Adds the choruses captured since the last call to the corpus (the editor calls this every
    /// frame; a state save calls it too, so nothing captured is lost with the editor closed).
    pub fn collect_captured(&self) {
        let captured = self.capture.take_all();
        if let Some(first) = captured.first() {
            let bars = first.len() / STEPS_PER_BAR;
            self.notify(format!(
                "Captured {} chorus{} of {bars} bars.",
                captured.len(),
                if captured.len() == 1 { "" } else { "es" }
            ));
            if let Err(why) = self.add_choruses(captured) {
                self.notify(why);
            }
        }
    }

    /// The user's corpus (with or without the built-in choruses).
    pub fn corpus(&self) -> Corpus {
        Self::corpus_of(&self.state())
    }

    /// Bars of the user's choruses.
    pub fn user_bars(&self) -> usize {
        self.state().user_bars
    }

    /// Saved choruses this version could not read, kept in the project as text.
    pub fn damaged_choruses(&self) -> usize {
        self.state().damaged.len()
    }

    /// Whether the project keeps a saved corpus this version could not read (from a newer
    /// version, or damaged) as text.
    pub fn keeps_unread_corpus(&self) -> bool {
        self.state().unread_corpus.is_some()
    }

    /// Adds choruses (captured or imported), all of one form: the form of the choruses already
    /// there, or any while there are none. Refused, with the reason, otherwise.
    pub fn add_choruses(&self, choruses: impl IntoIterator<Item = Chorus>) -> Result<(), String> {
        let choruses: Vec<Chorus> = choruses.into_iter().collect();
        let Some(first) = choruses.first() else { return Ok(()) };
        let bars = first.len() / STEPS_PER_BAR;
        if choruses.iter().any(|c| c.len() != bars * STEPS_PER_BAR) || first.len() % STEPS_PER_BAR != 0 {
            return Err("Choruses of different lengths cannot be learned together.".to_string());
        }
        let now_beside = {
            let mut state = self.state();
            if !state.user.is_empty() && state.user_bars != bars {
                return Err(format!(
                    "These choruses have {bars} bars and yours {}: one corpus holds one form. Clear your choruses first to learn a {bars}-bar form.",
                    state.user_bars
                ));
            }
            state.user_bars = bars;
            state.user.extend(choruses);
            // A corpus kept as it came is saved beside these from now on.
            let unread = state.unread_corpus.as_mut().filter(|u| !u.beside);
            unread.map(|u| u.beside = true).is_some()
        };
        if now_beside {
            self.notify("The choruses saved in this project that this version cannot read stay in it, saved beside your new ones: the version that saved them still finds them.");
        }
        self.restage();
        Ok(())
    }

    pub fn remove_chorus(&self, index: usize) {
        {
            let mut state = self.state();
            if index < state.user.len() {
                state.user.remove(index);
            }
        }
        self.restage();
    }

    /// Removes the user's choruses, the damaged ones kept as text with them; a whole corpus
    /// this version cannot read stays (it is not listed, so the user cannot mean it).
    pub fn clear_choruses(&self) {
        {
            let mut state = self.state();
            state.user.clear();
            state.damaged.clear();
        }
        self.restage();
    }

    /// Whether the built-in choruses are mixed with the user's own.
    pub fn set_include_builtin(&self, include: bool) {
        self.state().include_builtin = include;
        self.restage();
    }

    /// Whether the built-in choruses are asked for.
    pub fn include_builtin(&self) -> bool {
        self.state().include_builtin
    }

    pub fn corpus_json(&self) -> String {
        self.collect_captured();
        let state = self.state();
        if let Some(unread) = state.unread_corpus.as_ref().filter(|u| !u.beside) {
            return unread.text.clone();
        }
        let mut choruses: Vec<String> = state.user.iter().map(|c| chorus_to_text(c)).collect();
        for (place, text) in &state.damaged {
            choruses.insert((*place).min(choruses.len()), text.clone());
        }
        let saved = SavedCorpus {
            format: CORPUS_FORMAT.to_string(),
            version: state.user.iter().map(|c| text_version(c)).max().unwrap_or(2),
            include_builtin: state.include_builtin,
            bars: state.user_bars,
            choruses,
            builtin: Some(state.builtin.id.to_string()),
            unread_corpus: state.unread_corpus.as_ref().map(|u| u.text.clone()),
        };
        serde_json::to_string(&saved).expect("a corpus always serialises")
    }

    /// Restores the corpus saved in a project. Damaged choruses are left out of training with a
    /// notice and kept as text in their places; a corpus from a newer version or not readable
    /// at all is kept as text; both are saved again.
    pub fn load_corpus_json(&self, text: &str) {
        let parsed = serde_json::from_str::<SavedCorpus>(text).map_err(|e| e.to_string()).and_then(|saved| {
            if saved.format != CORPUS_FORMAT {
                return Err(format!("it is a \"{}\", not a \"{CORPUS_FORMAT}\"", saved.format));
            }
            if saved.version > CORPUS_VERSION {
                return Err(format!(
                    "it was saved by a newer Blues LSTM (corpus version {}, this one reads up to {CORPUS_VERSION})",
                    saved.version
                ));
            }
            if !(MIN_BARS..=MAX_BARS).contains(&saved.bars) {
                return Err(format!("its choruses have {} bars; a form has {MIN_BARS} to {MAX_BARS}", saved.bars));
            }
            Ok(saved)
        });
        match parsed {
            Ok(saved) => {
                let mut user = Vec::with_capacity(saved.choruses.len());
                let mut damaged = Vec::new();
                let bars = if saved.version < 2 { 12 } else { saved.bars };
                for (i, text) in saved.choruses.into_iter().enumerate() {
                    match chorus_from_text(&text, saved.version, bars * STEPS_PER_BAR) {
                        Ok(chorus) => user.push(chorus),
                        Err(why) => {
                            self.notify(format!("Saved chorus {} is damaged ({why}): it is left out of training, and its text is kept in the project.", i + 1));
                            damaged.push((i, text));
                        }
                    }
                }
                if saved.unread_corpus.is_some() {
                    self.notify("This project also keeps choruses this version cannot read (saved by a newer version, or damaged); they stay in it, saved with it.");
                }
                let chosen = match (saved.version, &saved.builtin) {
                    (1, _) => builtin("paper-exp2"),
                    (_, Some(id)) => {
                        let known = builtin(id);
                        if known.is_none() {
                            self.notify(format!(
                                "The project names a built-in band \"{id}\" this version does not have; it plays the Style chosen instead."
                            ));
                        }
                        known
                    }
                    _ => None,
                };
                let mut state = self.state();
                state.user = user;
                state.user_bars = bars;
                state.include_builtin = saved.include_builtin;
                state.damaged = damaged;
                state.unread_corpus = saved.unread_corpus.map(|text| UnreadCorpus { text, beside: true });
                if let Some(chosen) = chosen {
                    state.builtin = chosen;
                }
            }
            Err(why) => {
                self.notify(format!("The choruses saved in this project could not be read ({why}). They are kept in the project; training uses the built-in corpus meanwhile."));
                let mut state = self.state();
                state.user.clear();
                state.damaged.clear();
                state.include_builtin = true;
                state.unread_corpus = Some(UnreadCorpus { text: text.to_string(), beside: false });
            }
        }
        self.restage();
    }
}

/// Marks a saved field whose stored value was not even a JSON string (see
/// [`crate::BluesLstm::filter_state`]); its raw text follows.
pub const UNREADABLE_MARK: &str = "\u{0}unreadable\u{0}";

/// The persisted field holding the user's corpus (`#[persist = "corpus"]`).
#[derive(Debug)]
pub struct CorpusField(pub Arc<Project>);

/// The persisted field holding the current model (`#[persist = "model"]`).
#[derive(Debug)]
pub struct ModelField(pub Arc<Project>);

/// The persisted field holding the chart's text (`#[persist = "chart"]`). A chart that cannot
/// be read is kept as written and reported.
#[derive(Debug)]
pub struct ChartField(pub Arc<Project>);

impl<'a> PersistentField<'a, String> for ChartField {
    fn set(&self, text: String) {
        let text = text.strip_prefix(UNREADABLE_MARK).unwrap_or(&text);
        if let Err(why) = self.0.set_chart_text(text) {
            self.0.notify(format!("The saved chart cannot be read ({why}); its text is kept in the chart box."));
        }
    }
    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&String) -> R,
    {
        f(&self.0.chart_text())
    }
}

impl<'a> PersistentField<'a, String> for CorpusField {
    fn set(&self, text: String) {
        self.0.load_corpus_json(text.strip_prefix(UNREADABLE_MARK).unwrap_or(&text));
    }
    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&String) -> R,
    {
        f(&self.0.corpus_json())
    }
}

impl<'a> PersistentField<'a, String> for ModelField {
    fn set(&self, text: String) {
        self.0.load_model_json(text.strip_prefix(UNREADABLE_MARK).unwrap_or(&text));
    }
    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&String) -> R,
    {
        f(&self.0.model_json())
    }
}
