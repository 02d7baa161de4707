//! The controls panel: what plays (mode, style, harmony, temperature, seed, key), the player's feel, the
//! three voices, and trading; and whose turn it is, for the form view. GUI thread only.

use crate::engine::display::Display;
use crate::engine::trade::Trade;
use crate::music::encoding::{Form, STEPS_PER_BAR};
use crate::params::{BluesParams, SwingModeChoice};
use egui::{Color32, RichText, Ui};
use nice_plug::prelude::*;

/// The player's turns on the form view, and the plugin's.
pub const PLAYER_TURN: Color32 = Color32::from_rgb(110, 190, 240);
pub const PLUGIN_TURN: Color32 = Color32::from_rgb(214, 160, 60);

const LABEL_WIDTH: f32 = 100.0;

/// The controls; the display gives the form being played (a trading turn longer than it is
/// said) and the swing played at the host's tempo.
pub fn show(ui: &mut Ui, p: &BluesParams, setter: &ParamSetter, display: &Display) {
    let form_bars = display.bars();
    choice(ui, "Mode", &p.mode, setter);
    choice(ui, "Style", &p.style, setter);
    choice(ui, "Harmony", &p.harmony, setter);
    if p.harmony.value() == crate::params::HarmonyChoice::ChordInput {
        slider(ui, "Chord input ch.", &p.chord_input_channel, setter);
    }
    slider(ui, "Temperature", &p.temperature, setter);
    ui.horizontal(|ui| {
        ui.add_sized([LABEL_WIDTH, 18.0], egui::Label::new("Seed"));
        ui.add(nice_plug_egui::widgets::ParamSlider::for_param(&p.seed, setter).with_width(60.0));
        if ui.button("Reseed").on_hover_text("New random choices from where the song is").clicked() {
            // A new, saved seed: the time is as good a source of surprise as any here.
            let nanos =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(7, |d| d.subsec_nanos());
            set(setter, &p.seed, (nanos % 10_000) as i32);
        }
    });
    slider(ui, "Key", &p.key, setter);

    heading(ui, "Solo");
    slider(ui, "Intensity", &p.intensity, setter);
    choice(ui, "Build", &p.build, setter);
    if p.build.value() != crate::params::BuildChoice::Off {
        let now = format!("Building from the Intensity to full and back; now: {:.0} %", display.intensity() * 100.0);
        ui.label(RichText::new(now).small().color(Color32::GRAY));
    }

    heading(ui, "Feel");
    slider(ui, "Swing", &p.swing, setter);
    choice(ui, "Swing mode", &p.swing_mode, setter);
    if p.swing_mode.value() == SwingModeChoice::FollowsTempo {
        // The Swing carried to the tempo the host last gave.
        let tempo = display.time().0;
        let played = format!("Swing at 120 BPM; at {tempo:.0} BPM: {:.0} %", p.feel().swing_at(tempo) * 100.0);
        ui.label(RichText::new(played).small().color(Color32::GRAY));
    }
    slider(ui, "Dynamics", &p.dynamics, setter);
    slider(ui, "Humanize", &p.humanize, setter);
    slider(ui, "Gate", &p.gate, setter);
    choice(ui, "Voicing", &p.voicing, setter);
    slider(ui, "Comping", &p.comp, setter);

    heading(ui, "Voices");
    ui.horizontal(|ui| {
        toggle(ui, "Chords", &p.chords_on, setter);
        toggle(ui, "Melody", &p.melody_on, setter);
        toggle(ui, "Bass", &p.bass_on, setter);
        toggle(ui, "Drums", &p.drums_on, setter);
        toggle(ui, "MIDI thru", &p.thru, setter);
    });
    slider(ui, "Chord channel", &p.chord_channel, setter);
    slider(ui, "Melody channel", &p.melody_channel, setter);
    slider(ui, "Bass channel", &p.bass_channel, setter);
    slider(ui, "Drum channel", &p.drum_channel, setter);
    slider(ui, "Chord velocity", &p.chord_velocity, setter);
    slider(ui, "Melody velocity", &p.melody_velocity, setter);
    slider(ui, "Bass velocity", &p.bass_velocity, setter);
    slider(ui, "Drum velocity", &p.drum_velocity, setter);
    slider(ui, "Bass octave", &p.bass_octave, setter);
    slider(ui, "Bass input ch.", &p.bass_input_channel, setter);

    heading(ui, "Trading");
    choice(ui, "Trade", &p.trade, setter);
    let turn = p.settings().trade.bars;
    if usize::from(turn) > form_bars {
        let warning = format!(
            "A turn of {turn} bars is longer than the form ({form_bars} bars): it runs on into the next chorus."
        );
        ui.label(RichText::new(warning).small().color(Color32::from_rgb(230, 190, 90)));
    }
    choice(ui, "First turn", &p.trade_first, setter);
    toggle(ui, "Fill a turn I leave silent", &p.trade_fill, setter);
    ui.separator();
    ui.label(
        RichText::new(
            "Play into the plugin to steer it: every note you play is its melody, in any register, unless it comes on the bass input channel (or the chord input channel, with Harmony: Chord input); the chords stay the form's, or the chart's. Trading, your turns are its call: it answers what it heard.",
        )
        .small()
        .color(Color32::GRAY),
    );
}

/// Whose turn it is and the bars left, while trading.
pub fn turn_label(ui: &mut Ui, display: &Display) {
    if let (Some((players, left)), true) = (display.turn(), display.playing()) {
        let (who, colour) = if players { ("Your turn", PLAYER_TURN) } else { ("Its turn", PLUGIN_TURN) };
        let bars = if left == 1 { "last bar".to_string() } else { format!("{left} bars left") };
        ui.label(RichText::new(format!("{who} · {bars}")).strong().color(colour));
    }
}

/// The colour of form bar `bar`'s frame: whose turn it is in the chorus being played.
pub fn turn_mark(display: &Display, trade: &Trade, bar: usize) -> Option<Color32> {
    if !trade.is_on() {
        return None;
    }
    let form = Form { steps_per_bar: STEPS_PER_BAR, bars: display.bars() };
    let now = display.step().unwrap_or(0);
    let chorus_start = now - now.rem_euclid(form.steps() as i64);
    let step = chorus_start + (bar * STEPS_PER_BAR) as i64;
    Some(if trade.players_turn(step, form) { PLAYER_TURN } else { PLUGIN_TURN }.gamma_multiply(0.8))
}

fn heading(ui: &mut Ui, text: &str) {
    ui.add_space(4.0);
    ui.separator();
    ui.label(RichText::new(text).strong());
}

/// Harmony set to Chart, as a user would: after a retrain that taught the chart band over the
/// project's chart, what was taught is what plays.
pub fn follow_chart(params: &BluesParams, setter: &ParamSetter) {
    set(setter, &params.harmony, crate::params::HarmonyChoice::Chart);
}

fn set<P: Param>(setter: &ParamSetter, param: &P, value: P::Plain) {
    setter.begin_set_parameter(param);
    setter.set_parameter(param, value);
    setter.end_set_parameter(param);
}

/// A labelled row holding a parameter's slider.
fn slider<P: Param>(ui: &mut Ui, label: &str, param: &P, setter: &ParamSetter) {
    ui.horizontal(|ui| {
        ui.add_sized([LABEL_WIDTH, 18.0], egui::Label::new(label));
        ui.add(nice_plug_egui::widgets::ParamSlider::for_param(param, setter).with_width(130.0));
    });
}

/// A checkbox bound to a boolean parameter.
fn toggle(ui: &mut Ui, label: &str, param: &BoolParam, setter: &ParamSetter) {
    let mut value = param.value();
    if ui.checkbox(&mut value, label).changed() {
        set(setter, param, value);
    }
}

/// A labelled drop-down of an enum parameter's variants.
fn choice<T: Enum + PartialEq + Copy + 'static>(ui: &mut Ui, label: &str, param: &EnumParam<T>, setter: &ParamSetter) {
    ui.horizontal(|ui| {
        ui.add_sized([LABEL_WIDTH, 18.0], egui::Label::new(label));
        let names = T::variants();
        let mut index = param.value().to_index();
        egui::ComboBox::from_id_salt(label).width(130.0).selected_text(names[index.min(names.len() - 1)]).show_ui(
            ui,
            |ui| {
                for (i, name) in names.iter().enumerate() {
                    ui.selectable_value(&mut index, i, *name);
                }
            },
        );
        if index != param.value().to_index() {
            set(setter, param, T::from_index(index));
        }
    });
}
