//! The form as a chart: rows of four bars, each labelled with its chord (two where the chord
//! changes inside the bar), the bar being played lit and the eighth-note step inside it marked.
//! Any length of form, 4 to 64 bars. GUI thread only.

use crate::engine::display::Display;
use crate::music::chord_names::chord_name;
use crate::music::encoding::STEPS_PER_BAR;
use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, StrokeKind, Ui, Vec2};

pub const CURRENT_BAR: Color32 = Color32::from_rgb(214, 160, 60);
pub const BAR_FILL: Color32 = Color32::from_gray(40);

/// The chord of every step of the form: what was last played there (from the recent history),
/// else `form` (the model's form as written), else silence.
fn step_chords(display: &Display, form: &[u16]) -> Vec<u16> {
    let steps = display.steps_per_chorus();
    let mut chords: Vec<u16> = (0..steps).map(|s| form.get(s).copied().unwrap_or(0)).collect();
    if let Some(now) = display.step() {
        for back in 0..steps as i64 {
            let step = now - back;
            if let Some(frame) = display.frame_at(step) {
                chords[step.rem_euclid(steps as i64) as usize] = frame.chord;
            }
        }
    }
    chords
}

/// The chord names of a bar: one, or the first and the one it changes to.
fn bar_label(chords: &[u16]) -> String {
    let first = chords[0];
    match chords.iter().find(|&&c| c != first) {
        Some(&second) => format!("{} {}", chord_name(first), chord_name(second)),
        None => chord_name(first),
    }
}

/// Draws the chart; `form` is the model's form as written (a chord per step), shown before
/// anything plays; `marks` colours a bar's frame (trading: whose turn), if given.
pub fn show(ui: &mut Ui, display: &Display, form: &[u16], marks: &dyn Fn(usize) -> Option<Color32>) {
    let bars = display.bars();
    let rows = bars.div_ceil(4);
    let width = ui.available_width();
    let height = if rows > 4 { 26.0 } else { 46.0 };
    let cell = Vec2::new(width / 4.0, height);
    let (rect, _) = ui.allocate_exact_size(Vec2::new(width, cell.y * rows as f32), Sense::hover());
    let painter = ui.painter_at(rect);
    let chords = step_chords(display, form);
    let now = display.step().filter(|_| display.playing());
    let steps = (bars * STEPS_PER_BAR) as i64;
    let (current_bar, current_step) = match now {
        Some(step) => {
            let pos = step.rem_euclid(steps) as usize;
            (Some(pos / STEPS_PER_BAR), pos % STEPS_PER_BAR)
        }
        None => (None, 0),
    };
    for bar in 0..bars {
        let min = rect.min + Vec2::new((bar % 4) as f32 * cell.x, (bar / 4) as f32 * cell.y);
        let r = Rect::from_min_size(min, cell).shrink(2.0);
        let lit = current_bar == Some(bar);
        painter.rect_filled(r, 4.0, if lit { CURRENT_BAR.gamma_multiply(0.35) } else { BAR_FILL });
        let edge = marks(bar).unwrap_or(if lit { CURRENT_BAR } else { Color32::from_gray(70) });
        painter.rect_stroke(
            r,
            4.0,
            Stroke::new(if lit || marks(bar).is_some() { 2.0 } else { 1.0 }, edge),
            StrokeKind::Inside,
        );
        painter.text(
            r.left_top() + Vec2::new(6.0, 3.0),
            Align2::LEFT_TOP,
            format!("{}", bar + 1),
            FontId::proportional(10.0),
            Color32::from_gray(140),
        );
        let label = bar_label(&chords[bar * STEPS_PER_BAR..(bar + 1) * STEPS_PER_BAR]);
        let size = if rows > 4 {
            12.0
        } else if label.contains(' ') {
            14.0
        } else {
            18.0
        };
        painter.text(
            r.center() - Vec2::new(0.0, 2.0),
            Align2::CENTER_CENTER,
            label,
            FontId::proportional(size),
            Color32::WHITE,
        );
        if lit {
            for s in 0..STEPS_PER_BAR {
                let x = r.left() + 8.0 + s as f32 * (r.width() - 16.0) / (STEPS_PER_BAR - 1) as f32;
                let on = s == current_step;
                painter.circle_filled(
                    egui::pos2(x, r.bottom() - 5.0),
                    if on { 3.0 } else { 1.8 },
                    if on { CURRENT_BAR } else { Color32::from_gray(110) },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_with_a_change_names_both_chords() {
        let c7 = 1 | 1 << 4 | 1 << 7 | 1 << 10;
        let a7 = 1 << 1 | 1 << 4 | 1 << 7 | 1 << 9;
        assert_eq!(bar_label(&[c7; 8]), "C7");
        assert_eq!(bar_label(&[c7, c7, c7, c7, a7, a7, a7, a7]), "C7 A7");
    }
}
