//! The plugin's editor (egui through nice-plug-egui): the controls, the 12-bar form with the bar
//! being played, a piano roll of the last two choruses, the model and its retraining, and the
//! user's choruses. GUI thread only; it reads the parameters and the audio thread's [`Display`],
//! and changes parameters only through the host-aware setter (begin/set/end), so automation
//! records it.

mod chart_panel;
mod controls;
mod corpus_panel;
mod files;
mod form_view;
mod loss_plot;
mod model_panel;
mod piano_roll;

use crate::engine::composer::Composer;
use crate::engine::display::Display;
use crate::engine::handoff::Handoff;
use crate::engine::harmony::HarmonySource;
use crate::params::BluesParams;
use crate::project::Project;
use crate::training::Training;
use egui::{Color32, RichText, Ui};
use nice_plug::context::gui::GuiContext;
use nice_plug::prelude::*;
use nice_plug_egui::{create_egui_editor, EguiEditor, EguiEditorState, EguiNiceSettings, NiceEguiApp, RepaintNotifier};
use std::sync::Arc;
use std::time::Duration;

/// Default editor size in logical pixels.
pub const DEFAULT_SIZE: (f32, f32) = (1150.0, 640.0);
/// Smallest size at which everything still fits.
pub const MIN_SIZE: (f32, f32) = (950.0, 560.0);

/// What the editor shares with the plugin.
pub struct Shared {
    pub params: Arc<BluesParams>,
    pub display: Arc<Display>,
    pub project: Arc<Project>,
    pub training: Arc<Training>,
    /// Old composers handed back by the audio thread are dropped here, off the audio thread.
    pub handoff: Arc<Handoff<Composer>>,
}

pub fn default_state() -> Arc<EguiEditorState> {
    EguiEditorState::from_size(nice_plug::editor::dpi::LogicalSize::new(DEFAULT_SIZE.0, DEFAULT_SIZE.1), 1.0)
}

/// Builds the editor; nice-plug calls `spawn` on it when the host opens the window.
/// `repaint` is set by the audio thread whenever a step was played, so the form and the piano
/// roll follow the music.
pub fn create(
    shared: Shared,
    state: Arc<EguiEditorState>,
    repaint: RepaintNotifier,
) -> Option<EguiEditor<BluesEditor>> {
    let min = nice_plug::editor::dpi::LogicalSize::new(MIN_SIZE.0, MIN_SIZE.1);
    let settings = EguiNiceSettings::new()
        .with_tile("Blues LSTM")
        .with_resize_hint(ResizeHint::resizable().with_min_logical_size(min))
        // Look for repaint requests (a step played) about 30 times a second.
        .with_repaint_poll_interval(Duration::from_millis(33));
    let app = BluesEditor {
        shared,
        gui: None,
        files: files::Files::default(),
        model_panel: model_panel::ModelPanel::default(),
        corpus_panel: corpus_panel::CorpusPanel::default(),
        chart_panel: chart_panel::ChartPanel::default(),
        take_choruses: 2,
    };
    create_egui_editor(state, repaint, settings, app)
}

/// The editor's state: shared handles, plus what only the window needs.
pub struct BluesEditor {
    shared: Shared,
    /// The host context, given when the window opens; parameter changes go through it.
    gui: Option<GuiContext>,
    /// File dialogs in flight.
    files: files::Files,
    model_panel: model_panel::ModelPanel,
    corpus_panel: corpus_panel::CorpusPanel,
    chart_panel: chart_panel::ChartPanel,
    /// Choruses the take's export writes.
    take_choruses: usize,
}

impl NiceEguiApp for BluesEditor {
    fn build(
        &mut self,
        _ctx: egui::Context,
        gui: GuiContext,
        _frame: &mut nice_plug_egui::Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        self.gui = Some(gui);
        Ok(())
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut nice_plug_egui::Frame) {
        let Some(gui) = self.gui.clone() else { return };
        let setter = gui.param_setter();
        self.shared.handoff.collect_garbage();
        self.answer_files();
        if let Some(problem) = self.files.problem.take() {
            self.shared.project.notify(problem);
        }
        if self.shared.training.take_follow_chart() {
            controls::follow_chart(&self.shared.params, &setter);
        }

        egui::Panel::left("controls").resizable(false).exact_size(300.0).show(ui, |ui| {
            ui.add_space(6.0);
            ui.heading(RichText::new("Blues LSTM").strong());
            ui.label(RichText::new("A jazz trio's LSTM, after Eck & Schmidhuber 2002").small().color(Color32::GRAY));
            ui.separator();
            egui::ScrollArea::vertical().id_salt("controls").show(ui, |ui| {
                controls::show(ui, &self.shared.params, &setter, &self.shared.display);
            });
        });
        egui::Panel::right("model").resizable(false).exact_size(300.0).show(ui, |ui| {
            ui.add_space(6.0);
            self.model_panel.show(ui, &self.shared, &mut self.files);
            ui.separator();
            self.corpus_panel.show(ui, &self.shared, &mut self.files);
        });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(6.0);
            let trade = self.shared.params.settings().trade;
            ui.horizontal(|ui| {
                ui.label(RichText::new("The form").strong());
                controls::turn_label(ui, &self.shared.display);
            });
            let display = &self.shared.display;
            let marks = |bar: usize| controls::turn_mark(display, &trade, bar);
            let following_chart = self.shared.params.settings().harmony == HarmonySource::Chart;
            let chart = self.shared.project.chart().ok().flatten().filter(|_| following_chart);
            let written = match &chart {
                // Before it plays, the chart as written: a chord per eighth note.
                Some(c) => (0..c.len() * 8).map(|s| c.chord_at_step(s).mask()).collect(),
                None => self.shared.project.form_chords(),
            };
            form_view::show(ui, display, &written, &marks);
            ui.add_space(6.0);
            self.chart_panel.show(ui, &self.shared, &mut self.files, following_chart);
            ui.add_space(10.0);
            ui.horizontal(|ui| {
                ui.label(RichText::new("Last two choruses").strong());
                ui.label(RichText::new("chords").strong().color(piano_roll::CHORD_COLOUR));
                ui.label(RichText::new("melody").strong().color(piano_roll::MELODY_COLOUR));
                ui.label(RichText::new("bass").strong().color(piano_roll::BASS_COLOUR));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let export = ui.add_enabled(!self.files.open, egui::Button::new("Export take…"));
                    if export.on_hover_text("Write the last choruses played (and what you played in your turns, as heard) to a .mid file").clicked() {
                        self.files.ask(files::Purpose::ExportTake);
                    }
                    ui.add(egui::DragValue::new(&mut self.take_choruses).range(1..=8).suffix(" choruses"));
                });
            });
            let notices = self.shared.project.notices();
            let notices_height = if notices.is_empty() { 0.0 } else { 18.0 * notices.len().min(4) as f32 + 28.0 };
            let height = (ui.available_height() - 8.0 - notices_height).max(120.0);
            piano_roll::show(ui, &self.shared.display, height);
            if !notices.is_empty() {
                self.notices(ui, &notices);
            }
        });
    }

    fn editor_closed(&mut self) {
        self.gui = None;
        // A dialog still open dies with the window.
        self.files = files::Files::default();
    }
}

impl BluesEditor {
    /// Acts on what a file dialog picked.
    fn answer_files(&mut self) {
        let Some((purpose, paths)) = self.files.poll() else { return };
        for path in paths {
            match purpose {
                files::Purpose::ImportModel => model_panel::import_model(&self.shared, &path),
                files::Purpose::ExportModel => model_panel::export_model(&self.shared, &path),
                files::Purpose::ImportMidi => {
                    corpus_panel::import_midi(&self.shared, &path, self.corpus_panel.import_bars)
                }
                files::Purpose::ExportTake => self.export_take(&path),
                files::Purpose::ImportChart => self.chart_panel.load(&self.shared, &path),
            }
        }
    }

    /// Writes the last choruses heard to `path`.
    fn export_take(&self, path: &std::path::Path) {
        let project = &self.shared.project;
        let Some(take) = crate::take::Take::from_display(&self.shared.display, self.take_choruses) else {
            project.notify("Nothing has been played yet: press play, then export the take.");
            return;
        };
        let settings = self.shared.params.settings();
        match std::fs::write(path, take.smf(&settings.voices)) {
            Ok(()) => project.notify(format!("Wrote the take ({} bars) to {}.", take.frames.len() / 8, path.display())),
            Err(e) => project.notify(format!("Could not write {}: {e}", path.display())),
        }
    }

    /// Messages for the user: what failed and why, what was loaded.
    fn notices(&self, ui: &mut Ui, notices: &[String]) {
        ui.horizontal(|ui| {
            ui.label(RichText::new("Messages").strong());
            if ui.small_button("Dismiss").clicked() {
                self.shared.project.clear_notices();
            }
        });
        egui::ScrollArea::vertical().id_salt("notices").max_height(18.0 * 4.0).stick_to_bottom(true).show(ui, |ui| {
            for notice in notices {
                ui.label(RichText::new(notice).small());
            }
        });
    }
}
