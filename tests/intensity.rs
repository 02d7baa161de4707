//! The Intensity control and Build, as a listener hears them: every built-in band plays sparser
//! and softer turned down and busier and louder turned up (its mean key is printed: higher only
//! where its corpus's busy lines are), holding its form at every level; Build carries a solo up over its choruses and back down; a model trained
//! without the intensity unit plays the same notes at any level (only louder or softer).

use blues_lstm::engine::intensity::{Build, Intensity};
use blues_lstm::engine::Settings;
use blues_lstm::eval::intensity::at_levels;
use blues_lstm::eval::lstm_frames_at;
use blues_lstm::model::builtin::builtin;
use blues_lstm::music::part::Part;
use blues_lstm::render::{model_engine, render, RenderSpec};

const BANDS: [&str; 6] =
    ["bebop-blues", "jazz-blues", "minor-blues", "eight-bar-blues", "sixteen-bar-blues", "rhythm-changes"];

#[test]
fn every_band_plays_busier_and_louder_as_the_intensity_rises() {
    let mut wrong = Vec::new();
    for id in BANDS {
        let b = builtin(id).unwrap();
        let (model, corpus) = (b.model().unwrap(), b.corpus());
        assert!(model.encoding.context.intensity, "{id}: trained with the intensity unit");
        let choruses = 96 / model.encoding.bars;
        let rows = at_levels(model, &corpus, choruses, 1, 0.7, &[0.0, 0.5, 1.0]).unwrap();
        let [low, mid, high] = [&rows[0], &rows[1], &rows[2]];
        println!(
            "{id}: notes a bar {:.2} / {:.2} / {:.2}, mean key {:.1} / {:.1} / {:.1}, velocity {:.0} / {:.0} / {:.0}",
            low.notes_per_bar,
            mid.notes_per_bar,
            high.notes_per_bar,
            low.mean_key,
            mid.mean_key,
            high.mean_key,
            low.velocity,
            mid.velocity,
            high.velocity
        );
        if !(low.notes_per_bar < mid.notes_per_bar && mid.notes_per_bar < high.notes_per_bar) {
            wrong.push(format!("{id}: notes a bar do not rise with the intensity"));
        }
        // A listener hears a quarter more notes: about 0.8 a bar over lines of 3 to 4.
        if high.notes_per_bar - low.notes_per_bar < 0.8 {
            wrong.push(format!(
                "{id}: from 0 to 100 % only {:.2} more notes a bar",
                high.notes_per_bar - low.notes_per_bar
            ));
        }
        if high.velocity - low.velocity < 15.0 {
            wrong.push(format!("{id}: velocity {:.0} at 0 %, {:.0} at 100 %", low.velocity, high.velocity));
        }
        for r in rows.iter().filter(|r| r.form_held < r.choruses) {
            wrong.push(format!(
                "{id}: at {:.0} % the form held {} of {} choruses",
                r.level * 100.0,
                r.form_held,
                r.choruses
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Melody notes and their mean velocity in each chorus of a render.
fn by_chorus(settings: &Settings, choruses: u32) -> Vec<(usize, f64)> {
    let b = builtin("bebop-blues").unwrap();
    let (model, corpus) = (b.model().unwrap(), b.corpus());
    let mut engine = model_engine(model, &corpus).unwrap();
    let notes = render(&mut engine, settings, &RenderSpec { choruses, ..RenderSpec::default() });
    let channel = settings.voices.channel(Part::Melody);
    let beats = model.encoding.bars as f64 * 4.0;
    (0..choruses as usize)
        .map(|c| {
            let struck: Vec<_> =
                notes.iter().filter(|n| n.on && n.channel == channel && (n.beats / beats) as usize == c).collect();
            let velocity = struck.iter().map(|n| f64::from(n.velocity)).sum::<f64>() / struck.len().max(1) as f64;
            (struck.len(), velocity)
        })
        .collect()
}

#[test]
fn build_carries_a_solo_up_over_its_choruses_and_back_down() {
    let settings = Settings { intensity: Intensity { level: 0.0, build: Build::Over(4) }, ..Settings::default() };
    let choruses = by_chorus(&settings, 8);
    println!("melody notes and velocity by chorus, building over 4 from 0 %: {choruses:?}");
    // Each curve: chorus 1 near the start level, chorus 3 near the top, chorus 4 coming down.
    for cycle in [0, 4] {
        let [first, _, top, last] = [0, 1, 2, 3].map(|c| choruses[cycle + c]);
        assert!(
            top.0 as f64 > first.0 as f64 * 1.1,
            "chorus {} builds on chorus {}: {choruses:?}",
            cycle + 3,
            cycle + 1
        );
        assert!(top.1 > first.1 + 10.0, "and is louder: {choruses:?}");
        assert!(last.1 < top.1, "chorus {} comes down: {choruses:?}", cycle + 4);
    }
    let steady =
        by_chorus(&Settings { intensity: Intensity { level: 0.0, build: Build::Off }, ..Settings::default() }, 4);
    assert!(steady.iter().all(|c| (c.0 as f64) < choruses[2].0 as f64), "without Build it stays down: {steady:?}");
}

#[test]
fn a_model_without_the_intensity_unit_plays_the_same_notes_at_any_level() {
    let b = builtin("paper-exp2").unwrap();
    let (model, corpus) = (b.model().unwrap(), b.corpus());
    assert!(!model.encoding.context.intensity);
    let low = lstm_frames_at(model, &corpus, 4, 3, 1.0, 0.0).unwrap();
    let high = lstm_frames_at(model, &corpus, 4, 3, 1.0, 1.0).unwrap();
    assert_eq!(low, high);
}
