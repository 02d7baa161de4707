//! A scrolling piano roll of the last two choruses played: bass, chords and melody in three
//! colours, bar lines with the form's bar numbers, the newest step at the right edge, and below
//! them a drum lane, a row per kit piece, each stroke as bright as it is loud. The keys shown
//! follow what is visible. GUI thread only.

use crate::engine::display::Display;
use crate::music::drums::{Piece, ACCENT, PIECES};
use crate::music::encoding::{Frame, STEPS_PER_BAR};
use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, Ui, Vec2};

pub const CHORD_COLOUR: Color32 = Color32::from_rgb(90, 150, 220);
pub const MELODY_COLOUR: Color32 = Color32::from_rgb(235, 120, 90);
pub const BASS_COLOUR: Color32 = Color32::from_rgb(110, 200, 120);
pub const DRUM_COLOUR: Color32 = Color32::from_rgb(230, 200, 90);
/// Height of one kit piece's row in the drum lane.
const DRUM_ROW: f32 = 5.0;

/// The keys a frame sounds, with their colours: chord notes from `chord_low`, melody, bass.
fn keys(frame: &Frame, chord_low: u8) -> impl Iterator<Item = (u8, Color32)> + '_ {
    let chord = (0..12u8).filter(move |pc| frame.chord & (1 << pc) != 0).map(move |pc| (chord_low + pc, CHORD_COLOUR));
    let lines = [(frame.melody.key, MELODY_COLOUR), (frame.bass.key, BASS_COLOUR)];
    chord.chain(lines.into_iter().filter_map(|(k, c)| k.map(|k| (k, c))))
}

pub fn show(ui: &mut Ui, display: &Display, height: f32) {
    let width = ui.available_width();
    let (rect, _) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, Color32::from_gray(24));
    let Some(now) = display.step() else {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "Press play in the host",
            FontId::proportional(14.0),
            Color32::from_gray(150),
        );
        return;
    };
    let steps = display.steps_per_chorus();
    let shown = 2 * steps;
    let first = now - shown as i64 + 1;
    let frames: Vec<(i64, Frame)> = (first..=now).filter_map(|s| display.frame_at(s).map(|f| (s, f))).collect();
    let chord_low = 48;
    let (low, high) = frames
        .iter()
        .flat_map(|(_, f)| keys(f, chord_low).map(|(k, _)| k).collect::<Vec<_>>())
        .fold((chord_low, chord_low + 24), |(lo, hi), k| (lo.min(k), hi.max(k)));
    let rows = f32::from(high - low + 1);
    let drums = frames.iter().any(|(_, f)| !f.drums.is_empty());
    let lane = if drums { DRUM_ROW * PIECES as f32 + 4.0 } else { 0.0 };
    let keys_bottom = rect.bottom() - lane;
    let row_h = (rect.height() - 14.0 - lane) / rows;
    let step_w = rect.width() / shown as f32;
    for c in (low..=high).filter(|k| k % 12 == 0) {
        let y = keys_bottom - f32::from(c - low) * row_h;
        painter.hline(rect.x_range(), y, Stroke::new(0.5, Color32::from_gray(45)));
    }
    for step in first..=now {
        let x = rect.left() + (step - first) as f32 * step_w;
        if step.rem_euclid(STEPS_PER_BAR as i64) == 0 {
            let bar = step.rem_euclid(steps as i64) / STEPS_PER_BAR as i64 + 1;
            let strong = bar == 1;
            painter.vline(
                x,
                rect.y_range(),
                Stroke::new(if strong { 1.5 } else { 0.5 }, Color32::from_gray(if strong { 120 } else { 60 })),
            );
            painter.text(
                egui::pos2(x + 2.0, rect.top() + 1.0),
                Align2::LEFT_TOP,
                bar.to_string(),
                FontId::proportional(9.0),
                Color32::from_gray(130),
            );
        }
    }
    for (step, frame) in &frames {
        let x = rect.left() + (step - first) as f32 * step_w;
        for (key, colour) in keys(frame, chord_low) {
            let y = keys_bottom - f32::from(key - low + 1) * row_h;
            painter.rect_filled(
                Rect::from_min_size(egui::pos2(x, y), Vec2::new(step_w.max(1.0), row_h.max(1.0))),
                1.0,
                colour,
            );
        }
        for (piece, level) in frame.drums.struck() {
            let y = rect.bottom() - (PIECES - piece.lane()) as f32 * DRUM_ROW;
            let alpha = (255 * u32::from(level) / u32::from(ACCENT)) as u8;
            let colour = Color32::from_rgba_unmultiplied(DRUM_COLOUR.r(), DRUM_COLOUR.g(), DRUM_COLOUR.b(), alpha);
            painter.rect_filled(
                Rect::from_min_size(egui::pos2(x, y), Vec2::new(step_w.max(1.0), DRUM_ROW - 1.0)),
                0.0,
                colour,
            );
        }
    }
    if drums {
        for piece in Piece::ALL {
            let y = rect.bottom() - (PIECES - piece.lane()) as f32 * DRUM_ROW;
            painter.text(
                egui::pos2(rect.left() + 2.0, y - 1.0),
                Align2::LEFT_TOP,
                piece.name(),
                FontId::proportional(5.0),
                Color32::from_gray(110),
            );
        }
    }
}
