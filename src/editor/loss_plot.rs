//! The loss curve of a training run, drawn as a line over the epochs. GUI thread only.

use egui::{Align2, Color32, FontId, Sense, Stroke, Ui, Vec2};

pub fn show(ui: &mut Ui, losses: &[f32], height: f32) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(ui.available_width(), height), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, Color32::from_gray(24));
    let finite: Vec<f32> = losses.iter().copied().filter(|l| l.is_finite()).collect();
    if finite.len() < 2 {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "loss curve",
            FontId::proportional(11.0),
            Color32::from_gray(110),
        );
        return;
    }
    let (low, high) = finite.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &l| (lo.min(l), hi.max(l)));
    let span = (high - low).max(1e-6);
    let points: Vec<egui::Pos2> = finite
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            let x = rect.left() + 4.0 + i as f32 / (finite.len() - 1) as f32 * (rect.width() - 8.0);
            let y = rect.bottom() - 4.0 - (l - low) / span * (rect.height() - 16.0);
            egui::pos2(x, y)
        })
        .collect();
    painter.add(egui::Shape::line(points, Stroke::new(1.5, Color32::from_rgb(120, 200, 140))));
    painter.text(
        rect.left_top() + Vec2::new(4.0, 2.0),
        Align2::LEFT_TOP,
        format!("{high:.3}"),
        FontId::proportional(9.0),
        Color32::GRAY,
    );
    painter.text(
        rect.left_bottom() + Vec2::new(4.0, -2.0),
        Align2::LEFT_BOTTOM,
        format!("{low:.3}"),
        FontId::proportional(9.0),
        Color32::GRAY,
    );
}
