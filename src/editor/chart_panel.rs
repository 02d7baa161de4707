//! The chart: the changes the band follows with Harmony = Chart, typed or pasted into a text box
//! (bars between `|`, `%` repeats a bar, `#` starts a comment) or loaded from a chart text file or
//! a MusicXML lead sheet. Applied, it takes over at the next bar with no retrain; a chart that
//! cannot be read is named (bar and symbol) and kept as typed. GUI thread only.

use super::files::{Files, Purpose};
use super::Shared;
use crate::music::chart;
use crate::music::lead_sheet::chart_from_musicxml;
use egui::{Color32, RichText, Ui};
use std::path::Path;

/// The text being edited, and what reading it last said.
#[derive(Default)]
pub struct ChartPanel {
    /// The text in the box.
    text: String,
    /// The project's chart text when the box last took it: a chart loaded or restored since
    /// replaces what is in the box, and nothing else does (typing is kept until applied).
    seen: Option<String>,
    status: Option<Result<String, String>>,
}

/// A word on what a chart holds: its length and first chords.
fn summary(c: &chart::Chart) -> String {
    let names: Vec<String> = c.bars.iter().take(8).map(|b| b[0].name()).collect();
    let more = if c.len() > 8 { " …" } else { "" };
    format!("{} bars: {}{more}", c.len(), names.join(" | "))
}

impl ChartPanel {
    pub fn show(&mut self, ui: &mut Ui, shared: &Shared, files: &mut Files, following: bool) {
        let project = &shared.project;
        let saved = project.chart_text();
        if self.seen.as_ref() != Some(&saved) {
            self.text = saved.clone();
            self.seen = Some(saved);
        }
        let text = &mut self.text;
        ui.horizontal(|ui| {
            ui.label(RichText::new("Chart").strong());
            let state = if following { "followed (Harmony: Chart)" } else { "set Harmony to Chart to play it" };
            ui.label(RichText::new(state).small().color(Color32::GRAY));
        });
        let edit = egui::TextEdit::multiline(text)
            .font(egui::TextStyle::Monospace)
            .desired_rows(3)
            .desired_width(f32::INFINITY)
            .hint_text("| F7 | Bb7 | F7 | Cm7 F7 |\n| Bb7 | Bdim7 | F7 | D7 |\n| Gm7 | C7 | F7 D7 | Gm7 C7 |");
        ui.add(edit);
        ui.horizontal(|ui| {
            if ui.button("Apply").on_hover_text("Play this chart from the next bar").clicked() {
                self.status = Some(match project.set_chart_text(text) {
                    Ok(Some(c)) => Ok(summary(&c)),
                    Ok(None) => Ok("No chart: the band plays its learned form.".to_string()),
                    Err(why) => Err(why),
                });
            }
            let load = ui.add_enabled(!files.open, egui::Button::new("Load chart…"));
            if load.on_hover_text("A chart text file, or a MusicXML lead sheet (.musicxml, .xml, .mxl)").clicked() {
                files.ask(Purpose::ImportChart);
            }
            match &self.status {
                Some(Ok(s)) => ui.label(RichText::new(s).small()),
                Some(Err(e)) => ui.label(RichText::new(e).small().color(Color32::from_rgb(230, 120, 100))),
                None => ui.label(""),
            };
        });
    }

    /// Loads the chart at `path` (a chart text or MusicXML file) into the project and the box.
    pub fn load(&mut self, shared: &Shared, path: &Path) {
        let project = &shared.project;
        let read = std::fs::read(path).map_err(|e| e.to_string()).and_then(|bytes| {
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            if matches!(extension.as_str(), "musicxml" | "xml" | "mxl") {
                chart_from_musicxml(&bytes).map(|c| c.to_text())
            } else {
                String::from_utf8(bytes).map_err(|_| "not a text file".to_string())
            }
        });
        match read {
            Ok(text) => {
                self.status = Some(project.set_chart_text(&text).map(|c| c.map_or(String::new(), |c| summary(&c))));
            }
            Err(why) => project.notify(format!("Could not load the chart {}: {why}", path.display())),
        }
    }
}
