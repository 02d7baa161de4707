//! The user's own choruses: capture what is played in, import .mid files, see and remove them,
//! and choose whether the built-in corpus is learned along with them. GUI thread only.

use super::files::{Files, Purpose};
use super::Shared;
use crate::music::chord_names::chord_name;
use crate::music::corpus::Chorus;
use crate::music::encoding::{MAX_BARS, MIN_BARS, STEPS_PER_BAR};
use crate::music::midi_import::{choruses_from_file, ImportRule};
use crate::music::split::VoiceSplit;
use egui::{Color32, RichText, Ui};
use std::path::Path;

/// The panel's own state: the path typed by hand, and the bars of a chorus in the files
/// imported (0 until chosen: the form being played).
#[derive(Default)]
pub struct CorpusPanel {
    pub path: String,
    pub import_bars: usize,
}

impl CorpusPanel {
    pub fn show(&mut self, ui: &mut Ui, shared: &Shared, files: &mut Files) {
        shared.project.collect_captured();
        let corpus = shared.project.corpus();
        ui.label(RichText::new(format!("Your choruses: {}", corpus.user.len())).strong());
        // Saved text this version cannot read: kept, and the user should know it is there.
        let kept = Color32::from_rgb(230, 190, 90);
        let damaged = shared.project.damaged_choruses();
        if damaged > 0 {
            let text = format!(
                "{damaged} saved chorus{} could not be read: kept in the project as text, left out of training",
                if damaged == 1 { "" } else { "es" }
            );
            ui.label(RichText::new(text).small().color(kept));
        }
        if shared.project.keeps_unread_corpus() {
            let text = "Choruses this version cannot read (from a newer version, or damaged) are kept in the project";
            ui.label(RichText::new(text).small().color(kept));
        }

        let capture = shared.project.capture();
        let mut on = capture.enabled();
        if ui.checkbox(&mut on, "Capture what I play (while the host plays)").changed() {
            capture.set_enabled(on);
        }
        let mut split = capture.split();
        ui.horizontal(|ui| {
            ui.label("Parts by");
            let by_channel = matches!(split, VoiceSplit::ByChannel { .. });
            egui::ComboBox::from_id_salt("split").selected_text(if by_channel { "channel" } else { "range" }).show_ui(
                ui,
                |ui| {
                    ui.selectable_value(&mut split, VoiceSplit::ByRange, "range");
                    let channels = VoiceSplit::ByChannel { chord_channel: 0, bass_channel: Some(2) };
                    ui.selectable_value(&mut split, channels, "channel");
                },
            );
            if let VoiceSplit::ByChannel { chord_channel, bass_channel } = &mut split {
                let mut channel = *chord_channel + 1;
                ui.add(egui::DragValue::new(&mut channel).range(1..=16).prefix("chords ch "));
                *chord_channel = channel - 1;
                let mut bass = bass_channel.map_or(0, |b| b + 1);
                ui.add(egui::DragValue::new(&mut bass).range(0..=16).prefix("bass ch ").custom_formatter(|v, _| {
                    if v == 0.0 {
                        "none".to_string()
                    } else {
                        format!("{v}")
                    }
                }));
                *bass_channel = (bass > 0).then(|| bass - 1);
            }
        });
        if split != capture.split() {
            capture.set_split(split);
        }
        ui.label(
            RichText::new(format!(
                "Rule for capture and import: {}. Choruses are {} bars of 4/4 from the host's bar 1.",
                split.describe(),
                shared.display.bars()
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

        // A corpus has one form: once it has choruses, files must be of their length.
        let fixed = (!corpus.user.is_empty()).then(|| shared.project.user_bars());
        if self.import_bars == 0 {
            self.import_bars = shared.display.bars();
        }
        ui.horizontal(|ui| {
            ui.label("Choruses in the files are");
            let mut bars = fixed.unwrap_or(self.import_bars);
            let drag = egui::DragValue::new(&mut bars).range(MIN_BARS..=MAX_BARS).suffix(" bars");
            ui.add_enabled(fixed.is_none(), drag)
                .on_hover_text("A file holds one or more whole choruses of this length");
            if fixed.is_none() {
                self.import_bars = bars;
            }
        });
        ui.horizontal(|ui| {
            if ui.add_enabled(!files.open, egui::Button::new("Import .mid…")).clicked() {
                files.ask(Purpose::ImportMidi);
            }
            ui.add(
                egui::TextEdit::singleline(&mut self.path).hint_text("or a path: /…/blues.mid").desired_width(130.0),
            );
            if ui.small_button("Add").clicked() {
                import_midi(shared, Path::new(self.path.trim()), self.import_bars);
            }
        });

        let mut include = shared.project.include_builtin();
        let style = shared.project.builtin().style();
        let label = format!("also learn the built-in choruses ({})", style.title);
        let fits = corpus.user.is_empty() || style.form() == corpus.form;
        if ui.add_enabled(fits, egui::Checkbox::new(&mut include, label)).changed() {
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
        let hint = if damaged > 0 {
            "Remove your choruses, the damaged ones kept as text too"
        } else {
            "Remove your choruses"
        };
        if (!corpus.user.is_empty() || damaged > 0) && ui.small_button("Clear all").on_hover_text(hint).clicked() {
            shared.project.clear_choruses();
        }
    }
}

/// Adds a .mid file's choruses of `bars` bars (the corpus's own length once it has any); a bad
/// file gets its own message, good files are kept.
pub fn import_midi(shared: &Shared, path: &Path, bars: usize) {
    let project = &shared.project;
    let bars = if project.corpus().user.is_empty() { bars } else { project.user_bars() };
    let rule = ImportRule::new(project.capture().split(), Some(bars));
    match choruses_from_file(path, rule) {
        Ok(choruses) => {
            let n = choruses.len();
            match project.add_choruses(choruses) {
                Ok(()) => project.notify(format!("Imported {n} choruses of {bars} bars from {}.", path.display())),
                Err(why) => project.notify(format!("Not imported: {why}")),
            }
        }
        Err(err) => project.notify(format!("Not imported: {err}")),
    }
}

/// A chorus in a line: the chord of each bar.
fn summary(chorus: &Chorus) -> String {
    chorus.iter().step_by(STEPS_PER_BAR).map(|f| chord_name(f.chord)).collect::<Vec<_>>().join(" ")
}
