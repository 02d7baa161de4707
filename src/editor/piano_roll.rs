//! A scrolling piano roll of the last two choruses played: chords and melody in two colours,
//! bar lines with bar numbers, the newest step at the right edge. GUI thread only.

use crate::engine::display::{Display, HISTORY_STEPS};
use crate::music::encoding::{CHORD_LOW, MELODY_LOW, N_MELODY, STEPS_PER_BAR, STEPS_PER_CHORUS};
use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, Ui, Vec2};

pub const CHORD_COLOUR: Color32 = Color32::from_rgb(90, 150, 220);
pub const MELODY_COLOUR: Color32 = Color32::from_rgb(235, 120, 90);

pub fn show(ui: &mut Ui, display: &Display, height: f32) {
    let width = ui.available_width();
    let (rect, _) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, Color32::from_gray(24));
    let low = CHORD_LOW;
    let high = MELODY_LOW + N_MELODY as u8 - 1;
    let rows = f32::from(high - low + 1);
    let row_h = (rect.height() - 14.0) / rows;
    let step_w = rect.width() / HISTORY_STEPS as f32;
    // The boundary between the chord and the melody octaves.
    let split_y = rect.bottom() - f32::from(MELODY_LOW - low) * row_h;
    painter.hline(rect.x_range(), split_y, Stroke::new(1.0, Color32::from_gray(50)));

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
    let first = now - HISTORY_STEPS as i64 + 1;
    for step in first..=now {
        let x = rect.left() + (step - first) as f32 * step_w;
        if step.rem_euclid(STEPS_PER_BAR as i64) == 0 {
            let bar = step.rem_euclid(STEPS_PER_CHORUS as i64) / STEPS_PER_BAR as i64 + 1;
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
        let Some(frame) = display.frame_at(step) else {
            continue;
        };
        let cell = |key: u8, colour: Color32| {
            let y = rect.bottom() - f32::from(key - low + 1) * row_h;
            painter.rect_filled(
                Rect::from_min_size(egui::pos2(x, y), Vec2::new(step_w.max(1.0), row_h.max(1.0))),
                1.0,
                colour,
            );
        };
        for key in frame.chord_notes() {
            cell(key, CHORD_COLOUR);
        }
        if let Some(key) = frame.melody_note() {
            cell(key, MELODY_COLOUR);
        }
    }
}
