//! The plugin's editor (egui through nice-plug-egui): the controls, the 12-bar form with the bar
//! being played, and a piano roll of the last two choruses. GUI thread only; it reads the
//! parameters and the audio thread's [`Display`], and changes parameters only through the
//! host-aware setter (begin/set/end), so automation records it.

mod form_view;
mod piano_roll;

use crate::engine::display::Display;
use crate::params::{BluesParams, ModeChoice};
use egui::{Color32, RichText, Ui};
use nice_plug::context::gui::GuiContext;
use nice_plug::prelude::*;
use nice_plug_egui::{
    create_egui_editor, EguiEditor, EguiEditorState, EguiNiceSettings, NiceEguiApp, RepaintNotifier,
};
use std::sync::Arc;
use std::time::Duration;

/// Default editor size in logical pixels.
pub const DEFAULT_SIZE: (f32, f32) = (860.0, 560.0);
/// Smallest size at which everything still fits.
pub const MIN_SIZE: (f32, f32) = (640.0, 460.0);

pub fn default_state() -> Arc<EguiEditorState> {
    EguiEditorState::from_size(
        nice_plug::editor::dpi::LogicalSize::new(DEFAULT_SIZE.0, DEFAULT_SIZE.1),
        1.0,
    )
}

/// Builds the editor; nice-plug calls `spawn` on it when the host opens the window.
pub fn create(
    params: Arc<BluesParams>,
    display: Arc<Display>,
    state: Arc<EguiEditorState>,
) -> Option<EguiEditor<BluesEditor>> {
    let settings = EguiNiceSettings::new()
        .with_tile("Blues LSTM")
        .with_resize_hint(ResizeHint::resizable().with_min_logical_size(
            nice_plug::editor::dpi::LogicalSize::new(MIN_SIZE.0, MIN_SIZE.1),
        ))
        // The form and the piano roll move with the music: repaint about 30 times a second.
        .with_repaint_poll_interval(Duration::from_millis(33));
    let app = BluesEditor {
        params,
        display,
        gui: None,
    };
    create_egui_editor(state, RepaintNotifier::new(), settings, app)
}

/// The editor's state: shared handles only; everything shown is read fresh each frame.
pub struct BluesEditor {
    params: Arc<BluesParams>,
    display: Arc<Display>,
    /// The host context, given when the window opens; parameter changes go through it.
    gui: Option<GuiContext>,
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
        egui::Panel::left("controls")
            .resizable(false)
            .exact_size(250.0)
            .show(ui, |ui| {
                ui.add_space(6.0);
                ui.heading(RichText::new("Blues LSTM").strong());
                ui.label(
                    RichText::new("12-bar blues after Eck & Schmidhuber 2002")
                        .small()
                        .color(Color32::GRAY),
                );
                ui.separator();
                controls(ui, &self.params, &setter);
            });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(6.0);
            ui.label(RichText::new("The form").strong());
            form_view::show(ui, &self.display);
            ui.add_space(10.0);
            ui.horizontal(|ui| {
                ui.label(RichText::new("Last two choruses").strong());
                ui.label(RichText::new("■ chords").color(piano_roll::CHORD_COLOUR));
                ui.label(RichText::new("■ melody").color(piano_roll::MELODY_COLOUR));
            });
            let height = (ui.available_height() - 8.0).max(120.0);
            piano_roll::show(ui, &self.display, height);
        });
    }

    fn editor_closed(&mut self) {
        self.gui = None;
    }
}

/// A labelled row holding a parameter's slider.
fn slider<P: Param>(ui: &mut Ui, label: &str, param: &P, setter: &ParamSetter) {
    ui.horizontal(|ui| {
        ui.add_sized([92.0, 18.0], egui::Label::new(label));
        ui.add(nice_plug_egui::widgets::ParamSlider::for_param(param, setter).with_width(130.0));
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
        egui::ComboBox::from_id_salt("mode")
            .selected_text(mode_label(mode))
            .show_ui(ui, |ui| {
                for choice in [ModeChoice::Audition] {
                    ui.selectable_value(&mut mode, choice, mode_label(choice));
                }
            });
        if mode != p.mode.value() {
            setter.begin_set_parameter(&p.mode);
            setter.set_parameter(&p.mode, mode);
            setter.end_set_parameter(&p.mode);
        }
    });
    slider(ui, "Seed", &p.seed, setter);
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
}

fn mode_label(mode: ModeChoice) -> &'static str {
    match mode {
        ModeChoice::Audition => "Audition corpus",
    }
}
