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
const LANDING: [&str; 6] = BANDS;

/// What a measure is held to: repeated keys at most 1.5 points over the corpus's, wide leaps
/// within 1 point of it.
#[derive(Clone, Copy, PartialEq)]
enum Measure {
    Repeats,
    Leaps,
}

/// Where a band is still further from its corpus than that (issue 23 item 2), with the most it
/// may be (points): the test fails if it gets worse, and once it is within bounds, so the entry
/// goes. Seed 1, the bands retrained with the restrike unit (`music::encoding`), which brought
/// every band's repeated keys within the bound at both temperatures (before it, eight were off,
/// by up to +6.2 points: the minor blues at 1.0). Still off, measured (band − corpus), are wide
/// leaps: bebop +1.2 / +1.5, the minor blues +3.8 / +4.8, the sixteen-bar +1.1 / +2.9, rhythm
/// changes +2.0 / +2.7 (before it: bebop + 1.9 at 1.0, the minor +2.4 / +4.4, the sixteen-bar
/// +1.4 at 1.0; the jazz and eight-bar bands, then 1.3 to 2.3 points under their corpora, are
/// now within a point). Keys the network chooses with confidence: trimming the tail at 0.2
/// instead of 0.1 moved none of them by half a point. Retrained to trade (`music::traded`, 10
/// melody blocks, traded choruses with smooth seams): the bebop band (seed 2) leaps +0.5 /
/// +2.9 (seeds 1-5 leap +1.6 to +4.9 at T = 1, against +1.5 before the seams were smoothed, but
/// copy their corpus less: `model::builtin`), the minor blues +3.1 / +3.5; the jazz band stays
/// within a point (−0.9 / −0.3). Heard its corpus, each network expects its corpus's leaps (the
/// last test here): the excess came from the states its own lines led it into. Retrained on its
/// own melody as well (`model::builtin::own_melody`), each band leaps less: bebop −0.4 / 0.0,
/// the minor blues +1.5 / +1.6, the sixteen-bar +0.9 / +1.4.
const STILL_OFF: [(&str, f32, Measure, f64); 5] = [
    ("minor-blues", 0.7, Measure::Leaps, 2.0),
    ("minor-blues", 1.0, Measure::Leaps, 2.0),
    ("sixteen-bar-blues", 1.0, Measure::Leaps, 2.0),
    ("rhythm-changes", 0.7, Measure::Leaps, 2.5),
    ("rhythm-changes", 1.0, Measure::Leaps, 3.0),
];

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
            let checks = [
                (Measure::Repeats, "repeats", points(repeats - repeats0), 1.5),
                (Measure::Leaps, "leaps", points(leaps - leaps0).abs(), 1.0),
            ];
            for (measure, name, off, bound) in checks {
                let known = STILL_OFF.iter().find(|k| k.0 == id && k.1 == temperature && k.2 == measure);
                match known {
                    Some(&(_, _, _, most)) if off <= bound || off > most => wrong.push(format!(
                        "{id} at T = {temperature}: {name} {off:.1} points off its corpus; STILL_OFF says {bound}–{most}"
                    )),
                    None if off > bound => {
                        wrong.push(format!("{id} at T = {temperature}: {name} {off:.1} points off its corpus (at most {bound})"))
                    }
                    _ => {}
                }
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

#[test]
fn heard_its_corpus_every_band_expects_its_corpuss_leaps() {
    // Where the band leaps more than its corpus (`STILL_OFF`), is it the network or where its
    // own lines take it? Fed its corpus's choruses step by step, the network's chance of a wide
    // leap at each struck note (drawn at T = 1, the tail trimmed as `lstm::readout` trims it) is
    // the corpus's own share: the network learned its corpus's leaps. Free-running, it meets
    // states its corpus never had, and leaps from them with confidence.
    use blues_lstm::eval::phrasing::WIDE_LEAP;
    use blues_lstm::lstm::network::Network;
    use blues_lstm::lstm::readout::trim_tail;
    use blues_lstm::lstm::rng::Rng;
    use blues_lstm::lstm::training_set::TrainingSet;
    use blues_lstm::music::part::Part;
    use blues_lstm::music::training_set::EncodedCorpus;
    let mut wrong = Vec::new();
    for id in BANDS {
        let b = builtin(id).unwrap();
        let (model, corpus) = (b.model().unwrap(), b.corpus());
        let encoding = model.encoding;
        let (_, line, offset) = encoding.lines().find(|l| l.0 == Part::Melody).unwrap();
        // The rest, then a unit a key, then the begin unit.
        let (keys, begin) = (offset + 1..offset + 1 + line.pitches as usize, offset + 1 + line.pitches as usize);
        let key_of = |x: &[f32]| x[keys.clone()].iter().position(|&u| u > 0.5).map(|i| line.low + i as u8);
        let set = EncodedCorpus::new(&corpus, encoding);
        let (n_in, steps) = (encoding.n_inputs(), encoding.steps_per_chorus());
        let mut network = Network::new(&model.weights);
        let (mut y, mut units) = (vec![0.0; encoding.n_units()], vec![0.0; steps * n_in]);
        let mut kept = vec![0.0; begin - offset];
        let (mut expected, mut leapt, mut pairs) = (0.0f64, 0usize, 0usize);
        let mut rng = Rng::new(11);
        for _ in 0..300 {
            set.write_chorus(rng.below(corpus.len()), &mut units);
            network.reset();
            let mut last: Option<u8> = None;
            for (x, next) in units.chunks_exact(n_in).zip(units.chunks_exact(n_in).skip(1)) {
                if x[begin] > 0.5 {
                    last = key_of(x).or(last);
                }
                network.step(x, &mut y);
                let (Some(from), Some(to)) = (last, key_of(next).filter(|_| next[begin] > 0.5)) else { continue };
                // The readout's own trim, over the rest and the keys; then the keys' shares.
                trim_tail(&y[offset..begin], Some(0), &mut kept);
                let (all, wide) =
                    kept[1..].iter().enumerate().filter(|&(_, &v)| v > 0.0).fold((0.0, 0.0), |(a, w), (i, &v)| {
                        let v = f64::from(v);
                        (a + v, w + if (line.low + i as u8).abs_diff(from) >= WIDE_LEAP { v } else { 0.0 })
                    });
                expected += wide / all.max(f64::MIN_POSITIVE);
                leapt += usize::from(to.abs_diff(from) >= WIDE_LEAP);
                pairs += 1;
            }
        }
        let (expects, has) = (points(expected / pairs as f64), points(leapt as f64 / pairs as f64));
        let (band, _) = melodies(id, 1.0);
        println!(
            "{id}: heard its corpus, it expects a wide leap in {expects:.1} % of note pairs (its corpus leaps in {has:.1} %); free-running at T = 1 it leaps in {:.1} %",
            points(band.wide_leaps.unwrap())
        );
        if (expects - has).abs() > 1.0 {
            wrong.push(format!("{id}: expects {expects:.1} % leaps where its corpus has {has:.1} %"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
