//! The plugin's editor (egui through nice-plug-egui): the controls, the 12-bar form with the bar
//! being played, a piano roll of the last two choruses, the model and its retraining, and the
//! user's choruses. GUI thread only; it reads the parameters and the audio thread's [`Display`],
//! and changes parameters only through the host-aware setter (begin/set/end), so automation
//! records it.

mod corpus_panel;
mod files;
mod form_view;
mod loss_plot;
mod model_panel;
mod piano_roll;

use crate::engine::composer::Composer;
use crate::engine::display::Display;
use crate::engine::handoff::Handoff;
use crate::params::{BluesParams, ModeChoice};
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

        egui::Panel::left("controls").resizable(false).exact_size(300.0).show(ui, |ui| {
            ui.add_space(6.0);
            ui.heading(RichText::new("Blues LSTM").strong());
            ui.label(RichText::new("12-bar blues after Eck & Schmidhuber 2002").small().color(Color32::GRAY));
            ui.separator();
            controls(ui, &self.shared.params, &setter);
        });
        egui::Panel::right("model").resizable(false).exact_size(300.0).show(ui, |ui| {
            ui.add_space(6.0);
            self.model_panel.show(ui, &self.shared, &mut self.files);
            ui.separator();
            self.corpus_panel.show(ui, &self.shared, &mut self.files);
        });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(6.0);
            ui.label(RichText::new("The form").strong());
            form_view::show(ui, &self.shared.display, &self.shared.project.form_chords(), &|_| None);
            ui.add_space(10.0);
            ui.horizontal(|ui| {
                ui.label(RichText::new("Last two choruses").strong());
                ui.label(RichText::new("chords").strong().color(piano_roll::CHORD_COLOUR));
                ui.label(RichText::new("melody").strong().color(piano_roll::MELODY_COLOUR));
                ui.label(RichText::new("bass").strong().color(piano_roll::BASS_COLOUR));
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
                files::Purpose::ImportMidi => corpus_panel::import_midi(&self.shared, &path),
            }
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

/// A labelled row holding a parameter's slider.
fn slider<P: Param>(ui: &mut Ui, label: &str, param: &P, setter: &ParamSetter) {
    ui.horizontal(|ui| {
        ui.add_sized([100.0, 18.0], egui::Label::new(label));
        ui.add(nice_plug_egui::widgets::ParamSlider::for_param(param, setter).with_width(110.0));
    });
}

/// A checkbox bound to a boolean parameter.
fn toggle(ui: &mut Ui, label: &str, param: &BoolParam, setter: &ParamSetter) {
    let mut value = param.value();
    if ui.checkbox(&mut value, label).changed() {
        setter.begin_set_parameter(param);
        setter.set_parameter(param, value);
        setter.end_set_parameter(param);
    }
}

fn controls(ui: &mut Ui, p: &BluesParams, setter: &ParamSetter) {
    ui.horizontal(|ui| {
        ui.label("Mode");
        let mut mode = p.mode.value();
        egui::ComboBox::from_id_salt("mode").selected_text(mode_label(mode)).show_ui(ui, |ui| {
            for choice in [ModeChoice::Improvise, ModeChoice::Audition] {
                ui.selectable_value(&mut mode, choice, mode_label(choice));
            }
        });
        if mode != p.mode.value() {
            setter.begin_set_parameter(&p.mode);
            setter.set_parameter(&p.mode, mode);
            setter.end_set_parameter(&p.mode);
        }
    });
    slider(ui, "Temperature", &p.temperature, setter);
    ui.horizontal(|ui| {
        ui.add_sized([100.0, 18.0], egui::Label::new("Seed"));
        ui.add(nice_plug_egui::widgets::ParamSlider::for_param(&p.seed, setter).with_width(60.0));
        if ui.button("Reseed").on_hover_text("New random choices from where the song is").clicked() {
            // A new, saved seed: the time is as good a source of surprise as any here.
            let nanos =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(7, |d| d.subsec_nanos());
            let seed = (nanos % 10_000) as i32;
            setter.begin_set_parameter(&p.seed);
            setter.set_parameter(&p.seed, seed);
            setter.end_set_parameter(&p.seed);
        }
    });
    slider(ui, "Key", &p.key, setter);
    ui.separator();
    ui.horizontal(|ui| {
        toggle(ui, "Chords", &p.chords_on, setter);
        toggle(ui, "Melody", &p.melody_on, setter);
        toggle(ui, "MIDI thru", &p.thru, setter);
    });
    slider(ui, "Chord channel", &p.chord_channel, setter);
    slider(ui, "Melody channel", &p.melody_channel, setter);
    slider(ui, "Chord velocity", &p.chord_velocity, setter);
    slider(ui, "Melody velocity", &p.melody_velocity, setter);
    ui.separator();
    ui.label(
        RichText::new("Play into the plugin to steer it: notes below C4 become its chord, notes from C4 up its melody, for the next eighth note.")
            .small()
            .color(Color32::GRAY),
    );
}

fn mode_label(mode: ModeChoice) -> &'static str {
    match mode {
        ModeChoice::Improvise => "Improvise (LSTM)",
        ModeChoice::Audition => "Audition corpus",
    }
}
