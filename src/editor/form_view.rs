//! The 12-bar form as a chart: three rows of four bars, each labelled with its chord, the bar
//! being played lit and the eighth-note step inside it marked. GUI thread only.

use crate::engine::display::Display;
use crate::music::chord_names::chord_name;
use crate::music::corpus::builtin_form_masks;
use crate::music::encoding::{BARS_PER_CHORUS, STEPS_PER_BAR, STEPS_PER_CHORUS};
use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, StrokeKind, Ui, Vec2};

pub const CURRENT_BAR: Color32 = Color32::from_rgb(214, 160, 60);
pub const BAR_FILL: Color32 = Color32::from_gray(40);

/// The chord each bar last sounded (from the recent history), else the built-in form's chord.
fn bar_chords(display: &Display) -> [u16; BARS_PER_CHORUS] {
    let mut chords = builtin_form_masks();
    if let Some(now) = display.step() {
        for back in 0..STEPS_PER_CHORUS as i64 {
            let step = now - back;
            if step.rem_euclid(STEPS_PER_BAR as i64) == 0 {
                if let Some(frame) = display.frame_at(step) {
                    chords[(step.rem_euclid(STEPS_PER_CHORUS as i64) as usize) / STEPS_PER_BAR] = frame.chord;
                }
            }
        }
    }
    chords
}

pub fn show(ui: &mut Ui, display: &Display) {
    let width = ui.available_width();
    let cell = Vec2::new(width / 4.0, 46.0);
    let (rect, _) = ui.allocate_exact_size(Vec2::new(width, cell.y * 3.0), Sense::hover());
    let painter = ui.painter_at(rect);
    let chords = bar_chords(display);
    let now = display.step().filter(|_| display.playing());
    let (current_bar, current_step) = match now {
        Some(step) => {
            let pos = step.rem_euclid(STEPS_PER_CHORUS as i64) as usize;
            (Some(pos / STEPS_PER_BAR), pos % STEPS_PER_BAR)
        }
        None => (None, 0),
    };
    for bar in 0..BARS_PER_CHORUS {
        let min = rect.min + Vec2::new((bar % 4) as f32 * cell.x, (bar / 4) as f32 * cell.y);
        let r = Rect::from_min_size(min, cell).shrink(2.0);
        let lit = current_bar == Some(bar);
        painter.rect_filled(r, 4.0, if lit { CURRENT_BAR.gamma_multiply(0.35) } else { BAR_FILL });
        painter.rect_stroke(
            r,
            4.0,
            Stroke::new(if lit { 2.0 } else { 1.0 }, if lit { CURRENT_BAR } else { Color32::from_gray(70) }),
            StrokeKind::Inside,
        );
        painter.text(
            r.left_top() + Vec2::new(6.0, 4.0),
            Align2::LEFT_TOP,
            format!("{}", bar + 1),
            FontId::proportional(11.0),
            Color32::from_gray(140),
        );
        painter.text(
            r.center() - Vec2::new(0.0, 3.0),
            Align2::CENTER_CENTER,
            chord_name(chords[bar]),
            FontId::proportional(18.0),
            Color32::WHITE,
        );
        if lit {
            for s in 0..STEPS_PER_BAR {
                let x = r.left() + 8.0 + s as f32 * (r.width() - 16.0) / (STEPS_PER_BAR - 1) as f32;
                let on = s == current_step;
                painter.circle_filled(
                    egui::pos2(x, r.bottom() - 7.0),
                    if on { 3.5 } else { 2.0 },
                    if on { CURRENT_BAR } else { Color32::from_gray(110) },
                );
            }
        }
    }
}
