//! The user's own choruses: capture what is played in, import .mid files, see and remove them,
//! and choose whether the built-in corpus is learned along with them. GUI thread only.

use super::files::{Files, Purpose};
use super::Shared;
use crate::music::chord_names::chord_name;
use crate::music::corpus::Chorus;
use crate::music::encoding::STEPS_PER_BAR;
use crate::music::midi_import::choruses_from_file;
use crate::music::split::VoiceSplit;
use egui::{Color32, RichText, Ui};
use std::path::Path;

/// The panel's own state: the path typed by hand.
#[derive(Default)]
pub struct CorpusPanel {
    pub path: String,
}

impl CorpusPanel {
    pub fn show(&mut self, ui: &mut Ui, shared: &Shared, files: &mut Files) {
        shared.project.collect_captured();
        let corpus = shared.project.corpus();
        ui.label(RichText::new(format!("Your choruses: {}", corpus.user.len())).strong());

        let capture = shared.project.capture();
        let mut on = capture.enabled();
        if ui.checkbox(&mut on, "Capture what I play (while the host plays)").changed() {
            capture.set_enabled(on);
        }
        let mut split = capture.split();
        ui.horizontal(|ui| {
            ui.label("Chords are");
            let by_channel = matches!(split, VoiceSplit::ByChannel { .. });
            egui::ComboBox::from_id_salt("split")
                .selected_text(if by_channel { "one channel" } else { "notes below C4" })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut split, VoiceSplit::ByRange, "notes below C4");
                    ui.selectable_value(&mut split, VoiceSplit::ByChannel { chord_channel: 0 }, "one channel");
                });
            if let VoiceSplit::ByChannel { chord_channel } = &mut split {
                let mut channel = *chord_channel + 1;
                ui.add(egui::DragValue::new(&mut channel).range(1..=16).prefix("ch "));
                *chord_channel = channel - 1;
            }
        });
        if split != capture.split() {
            capture.set_split(split);
        }
        ui.label(
            RichText::new(format!(
                "Rule for capture and import: {}. Choruses are 12 bars of 4/4 from the host's bar 1, 13, 25…",
                split.describe()
            ))
            .small()
            .color(Color32::GRAY),
        );
        if capture.dropped() > 0 {
            ui.label(
                RichText::new(format!(
                    "{} captured choruses were lost (open the editor to collect them)",
                    capture.dropped()
                ))
                .small()
                .color(Color32::from_rgb(235, 120, 90)),
            );
        }

        ui.horizontal(|ui| {
            if ui.add_enabled(!files.open, egui::Button::new("Import .mid…")).clicked() {
                files.ask(Purpose::ImportMidi);
            }
            ui.add(
                egui::TextEdit::singleline(&mut self.path).hint_text("or a path: /…/blues.mid").desired_width(130.0),
            );
            if ui.small_button("Add").clicked() {
                import_midi(shared, Path::new(self.path.trim()));
            }
        });

        let mut include = corpus.include_builtin;
        if ui.checkbox(&mut include, "also learn the built-in 4096 choruses").changed() {
            shared.project.set_include_builtin(include);
        }
        let mut remove = None;
        egui::ScrollArea::vertical().id_salt("choruses").max_height(90.0).show(ui, |ui| {
            for (i, chorus) in corpus.user.iter().enumerate() {
                ui.horizontal(|ui| {
                    if ui.small_button("×").on_hover_text("Remove this chorus").clicked() {
                        remove = Some(i);
                    }
                    ui.label(RichText::new(format!("{}: {}", i + 1, summary(chorus))).small().monospace());
                });
            }
        });
        if let Some(i) = remove {
            shared.project.remove_chorus(i);
        }
        if !corpus.user.is_empty() && ui.small_button("Clear all").clicked() {
            shared.project.clear_choruses();
        }
    }
}

/// Adds a .mid file's choruses; a bad file gets its own message, good files are kept.
pub fn import_midi(shared: &Shared, path: &Path) {
    match choruses_from_file(path, shared.project.capture().split()) {
        Ok(choruses) => {
            shared.project.notify(format!("Imported {} choruses from {}.", choruses.len(), path.display()));
            shared.project.add_choruses(choruses);
        }
        Err(err) => shared.project.notify(format!("Not imported: {err}")),
    }
}

/// A chorus in a line: the chord of each bar.
fn summary(chorus: &Chorus) -> String {
    chorus.iter().step_by(STEPS_PER_BAR).map(|f| chord_name(f.chord)).collect::<Vec<_>>().join(" ")
}
