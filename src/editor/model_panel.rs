//! The model and its training: which model plays and how it was trained, Retrain with progress,
//! a loss curve, time and Cancel, back to the built-in model, and export/import of model files.
//! GUI thread only; training itself runs on its own thread ([`crate::training`]).

use super::files::{Files, Purpose};
use super::{loss_plot, Shared};
use crate::model::fine_tune::StartChoice;
use crate::model::Model;
use crate::project::ModelChoice;
use egui::{Color32, RichText, Ui};
use std::path::Path;

/// The panel's own state: the path typed by hand.
#[derive(Default)]
pub struct ModelPanel {
    pub path: String,
}

impl ModelPanel {
    pub fn show(&mut self, ui: &mut Ui, shared: &Shared, files: &mut Files) {
        ui.label(RichText::new("Model").strong());
        let (name, details) = describe(&shared.project.model(), shared.project.builtin());
        ui.label(RichText::new(name).color(Color32::from_rgb(214, 160, 60)));
        ui.label(RichText::new(details).small().color(Color32::GRAY));

        let status = shared.training.status();
        ui.horizontal(|ui| {
            let corpus = shared.project.corpus();
            let retrain = ui.add_enabled(!status.running, egui::Button::new("Retrain")).on_hover_text(format!(
                "Learn the {} choruses of the corpus below in the background; the music keeps playing the current model until the new one passes its check.",
                corpus.len()
            ));
            if retrain.clicked() {
                let seed = shared.params.seed.value().max(0) as u64;
                if let Err(why) = shared.training.start(shared.project.clone(), seed) {
                    shared.project.notify(why);
                }
            }
            if ui.add_enabled(status.running, egui::Button::new("Cancel")).clicked() {
                shared.training.cancel();
            }
            let builtin = matches!(shared.project.model(), ModelChoice::Builtin);
            if ui.add_enabled(!builtin, egui::Button::new("Use built-in")).clicked() {
                shared.project.use_builtin_model();
            }
        });
        retrain_from(ui, shared);
        if let Some(from) = &status.started_from {
            let verb = if status.running { "Learning from" } else { "Learned from" };
            ui.label(RichText::new(format!("{verb} {from}")).small().color(Color32::GRAY));
        }
        if status.running || !status.losses.is_empty() {
            let fraction = if status.max_epochs > 0 { status.epoch as f32 / status.max_epochs as f32 } else { 0.0 };
            let checked = status.chord_choruses_ok.map_or(String::new(), |ok| format!(" · form held {ok} choruses"));
            let text = format!("epoch {}{checked} · {:.1} s", status.epoch, status.elapsed_seconds);
            ui.add(egui::ProgressBar::new(if status.running { fraction } else { 1.0 }).text(text).desired_height(14.0));
            if let Some(left) = status.seconds_left_at_most() {
                ui.label(
                    RichText::new(format!("at most {left:.0} s left (stops sooner once the form is learned)"))
                        .small()
                        .color(Color32::GRAY),
                );
            }
            loss_plot::show(ui, &status.losses, 56.0);
        }
        // What the corpus lacks, said from the start of the run: the new model will lack it too.
        for warning in &status.warnings {
            ui.label(RichText::new(warning).small().color(Color32::from_rgb(230, 190, 90)));
        }
        if let Some(outcome) = &status.outcome {
            let (text, colour) = match outcome {
                Ok(text) => (text, Color32::from_rgb(120, 200, 140)),
                Err(text) => (text, Color32::from_rgb(235, 120, 90)),
            };
            ui.label(RichText::new(text).small().color(colour));
        }

        ui.horizontal(|ui| {
            if ui.add_enabled(!files.open, egui::Button::new("Export…")).clicked() {
                files.ask(Purpose::ExportModel);
            }
            if ui.add_enabled(!files.open, egui::Button::new("Import…")).clicked() {
                files.ask(Purpose::ImportModel);
            }
        });
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.path).hint_text("or a path: /…/model.json").desired_width(150.0),
            );
            if ui.small_button("Load").clicked() {
                import_model(shared, Path::new(self.path.trim()));
            }
            if ui.small_button("Save").clicked() {
                export_model(shared, Path::new(self.path.trim()));
            }
        });
    }
}

/// Where the next retrain starts, and whether it keeps the parts the choruses do not play.
fn retrain_from(ui: &mut Ui, shared: &Shared) {
    let mut from = shared.training.retrain_from();
    let was = from;
    ui.horizontal(|ui| {
        ui.label(RichText::new("Start from").small());
        let label = |c: StartChoice| match c {
            StartChoice::NearestBand => "the nearest built-in band",
            StartChoice::CurrentModel => "the model playing now",
            StartChoice::Scratch => "scratch (random weights)",
            StartChoice::ChartBand => "the chart band, over my chart",
        };
        egui::ComboBox::from_id_salt("retrain-from").selected_text(label(from.choice)).show_ui(ui, |ui| {
            for c in [StartChoice::NearestBand, StartChoice::ChartBand, StartChoice::CurrentModel, StartChoice::Scratch] {
                ui.selectable_value(&mut from.choice, c, label(c));
            }
        });
    })
    .response
    .on_hover_text(
        "A band that already plays learns your choruses in seconds: the built-in band of your form's length, moved to your key; over 16 bars, the chart band over your chart, or over the chart your choruses' chords make when you have written none (it goes in the Chart panel). The chart band, over your chart: choruses you played over the chart you wrote teach the chart band your lines, and it plays them over any chart. Scratch learns from nothing (slower); the built-in band is always there to start again from.",
    );
    ui.add_enabled(
        from.choice != StartChoice::Scratch,
        egui::Checkbox::new(&mut from.keep_missing, RichText::new("Keep the parts my choruses don't play").small()),
    )
    .on_hover_text("Without a bass line or drums in your choruses, the new model plays the start band's; untick to leave them out.");
    if from != was {
        shared.training.set_retrain_from(from);
    }
}

/// A model's name and how it was trained, in words.
fn describe(choice: &ModelChoice, builtin: &'static crate::model::builtin::Builtin) -> (String, String) {
    let model = match choice {
        ModelChoice::Builtin => match builtin.model() {
            Some(model) => model,
            None => return ("Built-in corpus (no model)".to_string(), String::new()),
        },
        ModelChoice::Custom { model, .. } => model.as_ref(),
    };
    let m = &model.metadata;
    let t = &model.weights.topology;
    let started = match (m.started_from.as_str(), m.kept_parts.is_empty()) {
        ("", _) => String::new(),
        (from, true) => format!(" · fine-tuned from {from}"),
        (from, false) => format!(" · fine-tuned from {from}, its {} kept", m.kept_parts.join(" and ")),
    };
    let groups: Vec<String> = t.groups.iter().map(|g| format!("{} {}", g.blocks, g.name)).collect();
    let shape = if model.encoding.context.given_chord {
        format!(
            "a chart band: plays over your chart and the chords played in ({} plays where none are given)",
            builtin.name
        )
    } else {
        format!("{} bars", model.encoding.bars)
    };
    let details = format!(
        "{shape} · {} blocks of {} cells · trained on {} · seed {} · {} epochs · loss {:.3} · {:.1} s · form held {} choruses{}",
        groups.join(" + "),
        t.cells_per_block,
        m.corpus,
        m.seed,
        m.epochs,
        m.final_loss,
        m.train_seconds,
        m.chord_check_choruses,
        started
    );
    let name = if matches!(choice, ModelChoice::Builtin) { format!("Built-in: {}", m.name) } else { m.name.clone() };
    (name, details)
}

/// Loads a model file and plays it; errors go to the notices.
pub fn import_model(shared: &Shared, path: &Path) {
    match Model::load(path) {
        Ok(model) => {
            shared.project.notify(format!("Playing the model from {}.", path.display()));
            shared.project.set_model(model);
        }
        Err(err) => shared.project.notify(format!("Could not import the model: {err}")),
    }
}

/// Writes the model being played to a file; errors go to the notices.
pub fn export_model(shared: &Shared, path: &Path) {
    let json = match shared.project.model() {
        ModelChoice::Builtin => shared.project.builtin().model().map(Model::to_json).unwrap_or_default(),
        ModelChoice::Custom { json, .. } => json.as_ref().clone(),
    };
    match std::fs::write(path, json) {
        Ok(()) => shared.project.notify(format!("Saved the model to {}.", path.display())),
        Err(err) => shared.project.notify(format!("Could not save the model to {}: {err}", path.display())),
    }
}
