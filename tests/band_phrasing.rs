//! The built-in bands against their own corpora, as a listener hears the lines: no stutter the
//! corpus does not have and no leaps it does not make, at the default temperature and at 1.0;
//! and where a style's melody was written to land on long notes, the band plays its note
//! lengths. Every band free-runs as the plugin does (`eval::lstm_frames`), seeded.

use blues_lstm::engine::DEFAULT_TEMPERATURE;
use blues_lstm::eval::phrasing::{phrasing, Melody, LENGTH_BINS};
use blues_lstm::eval::{corpus_frames, lstm_frames};
use blues_lstm::model::builtin::builtin;

const BANDS: [&str; 6] =
    ["bebop-blues", "jazz-blues", "minor-blues", "eight-bar-blues", "sixteen-bar-blues", "rhythm-changes"];

/// The styles whose melodies were rewritten so phrases land (their corpora's note lengths are
/// checked in `tests/style_facts.rs`); the others follow.
const LANDING: [&str; 2] = ["bebop-blues", "jazz-blues"];

/// Where a band still strikes a held key again more than 1.5 points over its corpus (issue 23
/// item 2), with the most it may: the test fails if it gets worse, and once it is fixed, so the
/// entry goes. All at temperature 1.0, where the line wanders into places the network never
/// saw and believes a repeat there (seed 1: bebop 4.9 % against its corpus's 0.7 %, jazz 4.0 %
/// against 2.1 %, minor 3.7 % against 1.5 %).
const STILL_STUTTERS: [(&str, f32, f64); 3] =
    [("bebop-blues", 1.0, 4.5), ("jazz-blues", 1.0, 2.5), ("minor-blues", 1.0, 2.5)];

/// Bars each stream plays: about 2000 melody notes, enough for shares a point apart.
const BARS: usize = 384;

/// The melody of `id`'s band at `temperature`, and of its corpus.
fn melodies(id: &str, temperature: f32) -> (Melody, Melody) {
    let b = builtin(id).unwrap();
    let (model, corpus) = (b.model().unwrap(), b.corpus());
    let form = model.encoding.form();
    let choruses = BARS / form.bars;
    let band = lstm_frames(model, &corpus, choruses, 1, temperature).unwrap();
    let written = corpus_frames(&corpus, choruses, 1);
    (phrasing(&band, form).melody.unwrap(), phrasing(&written, form).melody.unwrap())
}

fn points(x: f64) -> f64 {
    100.0 * x
}

#[test]
fn no_band_strikes_a_key_again_or_leaps_more_than_its_corpus() {
    let mut wrong = Vec::new();
    for id in BANDS {
        for temperature in [DEFAULT_TEMPERATURE, 1.0] {
            let (band, corpus) = melodies(id, temperature);
            let (repeats, leaps) = (band.repeated_keys.unwrap(), band.wide_leaps.unwrap());
            let (repeats0, leaps0) = (corpus.repeated_keys.unwrap(), corpus.wide_leaps.unwrap());
            println!(
                "{id} at T = {temperature}: same key again within a beat {:.1} % (corpus {:.1} %), leaps of a tritone or more {:.1} % ({:.1} %)",
                points(repeats),
                points(repeats0),
                points(leaps),
                points(leaps0)
            );
            let over = points(repeats - repeats0);
            let known = STILL_STUTTERS.iter().find(|k| k.0 == id && k.1 == temperature);
            if let Some(&(_, _, most)) = known {
                if over <= 1.5 || over > most {
                    wrong.push(format!("{id} at T = {temperature}: repeats {over:.1} points over its corpus; STILL_STUTTERS says 1.5–{most}"));
                }
            } else if over > 1.5 {
                wrong.push(format!(
                    "{id} at T = {temperature}: repeats {:.1} points over its corpus",
                    points(repeats - repeats0)
                ));
            }
            if points(leaps - leaps0).abs() > 1.0 {
                wrong.push(format!(
                    "{id} at T = {temperature}: leaps {:.1} points from its corpus",
                    points(leaps - leaps0)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn bands_whose_phrases_land_play_their_corpus_note_lengths() {
    for id in LANDING {
        let (band, corpus) = melodies(id, DEFAULT_TEMPERATURE);
        let tv: f64 = (0..LENGTH_BINS).map(|i| (band.lengths[i] - corpus.lengths[i]).abs()).sum::<f64>() / 2.0;
        let shares = |m: &Melody| m.lengths.map(|s| format!("{:.1}", points(s))).join(" / ");
        println!(
            "{id}: notes of 1 / 2 / 3 / 4 / 5+ eighths: band {} %, corpus {} %; TV {tv:.3}",
            shares(&band),
            shares(&corpus)
        );
        assert!(tv <= 0.15, "{id}: the band's note lengths are {tv:.3} (total variation) from its corpus's");
        let long = |m: &Melody| m.lengths[3] + m.lengths[4];
        assert!(
            long(&band) >= long(&corpus) / 2.0,
            "{id}: {:.1} % of the band's notes last four eighths or more, against {:.1} % written",
            points(long(&band)),
            points(long(&corpus))
        );
    }
}
