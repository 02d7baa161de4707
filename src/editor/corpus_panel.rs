//! The user's own choruses: how many, which (by their chords), remove or clear them, and whether
//! the built-in corpus is learned along with them. GUI thread only.

use super::Shared;
use crate::music::chord_names::chord_name;
use crate::music::corpus::Chorus;
use crate::music::encoding::STEPS_PER_BAR;
use egui::{RichText, Ui};

pub fn show(ui: &mut Ui, shared: &Shared) {
    let corpus = shared.project.corpus();
    ui.label(RichText::new(format!("Your choruses: {}", corpus.user.len())).strong());
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

/// A chorus in a line: the chord of each bar.
fn summary(chorus: &Chorus) -> String {
    chorus.iter().step_by(STEPS_PER_BAR).map(|f| chord_name(f.chord)).collect::<Vec<_>>().join(" ")
}
