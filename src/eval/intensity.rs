//! What the Intensity control does to the band, as a listener hears it: at a few levels, how many
//! notes the melody strikes a bar, how high and how wide it plays, how loud, and whether the form
//! holds. Played through the engine as the plugin plays it (the feel's velocities included).

use super::metrics::{evaluate, Reference};
use crate::engine::intensity::{Build, Intensity};
use crate::engine::Settings;
use crate::model::Model;
use crate::music::corpus::Corpus;
use crate::music::part::Part;
use crate::render::{model_engine, render, RenderSpec};

/// The levels `eval --phrasing` shows.
pub const LEVELS: [f32; 3] = [0.0, 0.5, 1.0];

/// The melody at one intensity level.
#[derive(Clone, Debug, PartialEq)]
pub struct AtLevel {
    pub level: f32,
    pub notes_per_bar: f64,
    /// Mean struck key (MIDI), and the span (semitones) holding the middle 80 % of struck keys.
    pub mean_key: f64,
    pub range: f64,
    /// Mean velocity of the melody's notes (1–127).
    pub velocity: f64,
    /// Choruses whose every chord is the form's, of `choruses`.
    pub form_held: usize,
    pub choruses: usize,
}

/// `model`'s melody over `choruses` choruses at every level of `levels` (seeded; the default
/// feel).
pub fn at_levels(
    model: &Model,
    corpus: &Corpus,
    choruses: usize,
    seed: u64,
    temperature: f32,
    levels: &[f32],
) -> Result<Vec<AtLevel>, String> {
    let reference = Reference::new(corpus);
    levels
        .iter()
        .map(|&level| {
            let frames = super::lstm_frames_at(model, corpus, choruses, seed, temperature, level)?;
            let report = evaluate(&frames, &reference);
            let settings = Settings {
                seed,
                temperature,
                intensity: Intensity { level, build: Build::Off },
                ..Settings::default()
            };
            let mut engine = model_engine(model, corpus)?;
            let spec = RenderSpec { choruses: choruses as u32, ..RenderSpec::default() };
            let channel = settings.voices.channel(Part::Melody);
            let struck: Vec<_> =
                render(&mut engine, &settings, &spec).into_iter().filter(|n| n.on && n.channel == channel).collect();
            let mut keys: Vec<f64> = struck.iter().map(|n| f64::from(n.key)).collect();
            keys.sort_by(f64::total_cmp);
            let n = keys.len().max(1) as f64;
            let at = |q: f64| keys.get(((keys.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
            let bars = (choruses * model.encoding.bars) as f64;
            Ok(AtLevel {
                level,
                notes_per_bar: keys.len() as f64 / bars,
                mean_key: keys.iter().sum::<f64>() / n,
                range: at(0.9) - at(0.1),
                velocity: struck.iter().map(|n| f64::from(n.velocity)).sum::<f64>() / n,
                form_held: report.form_held_choruses,
                choruses: report.choruses,
            })
        })
        .collect()
}

/// The levels as a markdown table.
pub fn markdown(rows: &[AtLevel]) -> String {
    let mut s = String::from(
        "| Intensity | melody notes a bar | mean key | middle 80 % of keys | melody velocity | form held |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        s += &format!(
            "| {:.0} % | {:.2} | {:.1} | {:.0} semitones | {:.0} | {} of {} |\n",
            r.level * 100.0,
            r.notes_per_bar,
            r.mean_key,
            r.range,
            r.velocity,
            r.form_held,
            r.choruses
        );
    }
    s
}
