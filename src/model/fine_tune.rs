//! Fine-tuning: a retrain that starts from a band that already knows how to count bars, walk,
//! comp and phrase, and learns only what the user's choruses change — their form, their lines.
//! The start is the built-in band nearest the user's form, or a model the user has; a part the
//! user's choruses do not play (no bass line, no drums) is kept as the start plays it, unless
//! the user turns that off. Any non-audio thread.

use super::builtin::{band_blocks, Builtin, BUILTINS};
use super::{train_chart_band_from, train_from, Model, Recipe};
use crate::lstm::trainer::{Progress, TrainConfig, TrainError};
use crate::lstm::weights::Weights;
use crate::lstm::FineTune;
use crate::music::chart::Chart;
use crate::music::corpus::Corpus;
use crate::music::encoding::{Encoding, Frame, CHORD_UNITS};
use crate::music::part::Part;
use std::sync::atomic::AtomicBool;

/// The longest form the nearest built-in band is a start for. An AABA tune of 32 bars of our
/// own (`music::user_tunes`), fine-tuned from rhythm changes moved to its key, held its form
/// after 5,260 epochs at seed 1 and not in 6,000 at seed 2 (learning rates 0.03 and 0.05 alike):
/// no faster than from scratch, where a 32-bar form also takes thousands of epochs. What takes
/// the time is learning to count the A sections, which the start's counting does not carry over.
pub const NEAREST_BAND_MAX_BARS: usize = 16;

/// What a retrain starts from, as the user chooses it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StartChoice {
    /// The built-in band nearest the choruses' form (from scratch where none fits).
    #[default]
    NearestBand,
    /// The model playing now (the nearest band where it cannot learn the choruses).
    CurrentModel,
    /// Random weights.
    Scratch,
    /// The chart band, taught the choruses' lines over the project's chart (the choruses must
    /// be of its length): it plays them over any chart.
    ChartBand,
}

/// A trained network to fine-tune, shaped for the user's choruses.
#[derive(Clone, Debug)]
pub struct Start {
    /// The start model's name, for the user ("Bebop blues in C").
    pub name: String,
    /// Its weights, without the groups of the parts the user turned off.
    pub weights: Weights,
    /// What the new model speaks: the start's units over the user's form.
    pub encoding: Encoding,
    /// The parts the choruses do not play that are kept as the start plays them.
    pub kept: Vec<Part>,
    /// The parts the choruses do not play that are left out (the user turned keeping off).
    pub dropped: Vec<Part>,
}

impl Start {
    /// `model` (called `name`) as a start for `corpus`, keeping the parts the corpus lacks if
    /// `keep_missing`. `None` where its network cannot learn the corpus: not a band that counts
    /// its own form (the paper's nets, the chart band: see [`Start::chart_band`]), a part the
    /// corpus plays that it lacks, or fewer chord blocks than the form needs.
    pub fn from_model(model: &Model, name: &str, corpus: &Corpus, keep_missing: bool) -> Option<Start> {
        // A band that counts its own form: told the bar position (and, trained since Intensity,
        // the intensity; a band that learned to trade, whose turn it is), never given a chord. A
        // band that trades learns the user's choruses traded too (`music::traded`).
        let c = model.encoding.context;
        if !c.bar_position || c.given_chord || c.chart_place {
            return None;
        }
        if model.weights.topology.groups[0].blocks < band_blocks(corpus.form.bars)[0] {
            return None;
        }
        Self::shaped(model, name, corpus, keep_missing, corpus.form.bars)
    }

    /// A chart band `model` (called `name`: the built-in one, or one a user taught before) as a
    /// start for `corpus` played over a chart ([`fine_tune_over_chart`]): it stays a band that
    /// is given its chords, over windows of its own length, whatever the form of the choruses.
    /// `None` for a band that counts its own form, or one lacking a part the corpus plays.
    pub fn chart_band(model: &Model, name: &str, corpus: &Corpus, keep_missing: bool) -> Option<Start> {
        if !model.encoding.context.given_chord {
            return None;
        }
        Self::shaped(model, name, corpus, keep_missing, model.encoding.bars)
    }

    /// `model` shaped for `corpus` over `bars` bars: the parts the corpus lacks kept or
    /// dropped. `None` when the corpus plays a part the model lacks, or nothing is left to learn.
    fn shaped(model: &Model, name: &str, corpus: &Corpus, keep_missing: bool, bars: usize) -> Option<Start> {
        let e = model.encoding;
        if e.melody.is_none() || corpus.is_empty() {
            return None;
        }
        let plays = |part: Part| match part {
            Part::Drums => corpus.plays_drums(),
            Part::Chords => true,
            line => corpus.plays(line),
        };
        let lacking: Vec<Part> = Part::ALL.into_iter().filter(|&p| !e.has(p) && plays(p)).collect();
        if !lacking.is_empty() {
            return None;
        }
        let missing: Vec<Part> = Part::ALL.into_iter().filter(|&p| e.has(p) && !plays(p)).collect();
        let (kept, dropped) = if keep_missing { (missing, Vec::new()) } else { (Vec::new(), missing) };
        // The melody is a group the chord blocks' readers need no more than the others: any
        // line may go, the chords may not (they are not a line: `missing` never holds them).
        let mut encoding = Encoding { bars, ..e };
        let dropped_groups: Vec<usize> = dropped.iter().filter_map(|&p| group_of(&e, p)).collect();
        for &part in &dropped {
            match part {
                Part::Melody => encoding.melody = None,
                Part::Bass => encoding.bass = None,
                Part::Comp => encoding.comp = false,
                Part::Drums => encoding.drums = false,
                Part::Chords => {}
            }
        }
        // A band without a melody is not one the plugin plays from a retrain.
        encoding.melody?;
        let weights = model.weights.without_groups(&dropped_groups).ok()?;
        encoding.check_topology(&weights.topology).ok()?;
        Some(Start { name: name.to_string(), weights, encoding, kept, dropped })
    }

    /// The built-in band nearest `corpus`: of those whose network can learn it, the one whose
    /// form is closest in length, then whose chords, moved to the key that fits best, agree
    /// with the corpus's first chorus on the most steps (the same changes need least
    /// relearning), then the first in the menu. It starts moved to that key.
    pub fn nearest_builtin(corpus: &Corpus, keep_missing: bool) -> Option<Start> {
        if corpus.form.bars > NEAREST_BAND_MAX_BARS {
            return None;
        }
        let first = (!corpus.is_empty()).then(|| corpus.chorus(0))?;
        let fit = |b: &Builtin| {
            let chords = &b.style().chords;
            let agreement = |k: u8| {
                first.iter().zip(chords.iter().cycle()).filter(|(f, &c)| f.chord == transpose_mask(c, k)).count()
            };
            // The smallest move of the most agreeing.
            (0..12u8)
                .map(|k| (agreement(k), std::cmp::Reverse(k.min(12 - k)), k))
                .max()
                .map_or((0, 0), |(a, _, k)| (a, k))
        };
        BUILTINS
            .iter()
            .filter_map(|b| Some((b, fit(b), Start::from_model(b.model()?, b.name, corpus, keep_missing)?)))
            .min_by_key(|(b, (agreement, _), _)| {
                (b.style().bars.abs_diff(corpus.form.bars), std::cmp::Reverse(*agreement))
            })
            .map(|(_, (_, k), start)| start.transposed(k))
    }

    /// The start moved up `semitones` (0–11): its chord units turned round the octave, its
    /// melody and bass keys moved by the nearest interval that is the same pitch class (a key
    /// moved off the edge of a line's range starts silent).
    pub fn transposed(mut self, semitones: u8) -> Start {
        let k = semitones % 12;
        if k == 0 {
            return self;
        }
        let chords: Vec<Option<usize>> = (0..CHORD_UNITS).map(|u| Some((u + 12 - usize::from(k)) % 12)).collect();
        self.weights = self.weights.with_units_renumbered(0, &chords);
        let shift = if k > 6 { i32::from(k) - 12 } else { i32::from(k) };
        for part in [Part::Melody, Part::Bass] {
            let (Some(line), Some(g)) = (self.encoding.line(part), group_of(&self.encoding, part)) else { continue };
            let first = usize::from(line.rest);
            let pitches = i32::from(line.pitches);
            let from: Vec<Option<usize>> = (0..line.units())
                .map(|u| {
                    let pitch = u as i32 - first as i32;
                    if !(0..pitches).contains(&pitch) {
                        return Some(u); // the rest, begin and restrike units stay
                    }
                    let old = pitch - shift;
                    (0..pitches).contains(&old).then(|| first + old as usize)
                })
                .collect();
            self.weights = self.weights.with_units_renumbered(g, &from);
        }
        self.name = format!(
            "{} (moved {})",
            self.name,
            if shift > 0 { format!("up {shift}") } else { format!("down {}", -shift) }
        );
        self
    }

    /// What the new model keeps and leaves out, for the user: "" when it learns every part.
    pub fn describe_parts(&self) -> String {
        let names = |parts: &[Part]| parts.iter().map(|p| p.name()).collect::<Vec<_>>().join(" and ");
        let mut said = Vec::new();
        if !self.kept.is_empty() {
            said.push(format!("{} as {} plays it", names(&self.kept), self.name));
        }
        if !self.dropped.is_empty() {
            said.push(format!("no {}", names(&self.dropped)));
        }
        said.join("; ")
    }

    /// The network groups of the kept parts.
    fn kept_groups(&self) -> Vec<usize> {
        self.kept.iter().filter_map(|&p| group_of(&self.encoding, p)).collect()
    }
}

/// A chord's pitch-class mask moved up `k` semitones.
fn transpose_mask(mask: u16, k: u8) -> u16 {
    let (m, k) = (u32::from(mask & 0xFFF), u32::from(k % 12));
    (((m << k) | (m >> (12 - k))) & 0xFFF) as u16
}

/// The group of `part` in a network of `encoding` (the chords are group 0).
pub(crate) fn group_of(encoding: &Encoding, part: Part) -> Option<usize> {
    if !encoding.has(part) {
        return None;
    }
    Part::ALL.into_iter().filter(|&p| encoding.has(p)).position(|p| p == part)
}

/// How a start is fine-tuned, from `seed`.
pub fn fine_tune_config(seed: u64) -> TrainConfig {
    let seeded = TrainConfig::seeded(seed);
    TrainConfig {
        choruses_per_sequence: 2,
        // Over seeds 1-2 of the 12- and 16-bar user tunes (`music::user_tunes`): at 0.01 the
        // melody kept 13-29 % of the band's eighth notes where the user plays none, and the
        // form took 640-1020 epochs; at 0.03 it kept 1-3 %, and the form took 380-1160.
        learning_rate: 0.03,
        // A shorter window: the loss of a network that already plays settles in a few hundred
        // epochs, and a user is waiting.
        plateau_window: 100,
        max_epochs: 4000,
        ..seeded
    }
}

/// Fine-tunes `start` on `corpus` with `config` to the stop criterion; names it `name`. The
/// kept parts' groups are not taught (their weights stay the start's).
pub fn fine_tune(
    start: &Start,
    corpus: &Corpus,
    config: &TrainConfig,
    name: &str,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Model, TrainError> {
    let topology = &start.weights.topology;
    let recipe = Recipe {
        encoding: start.encoding,
        blocks: topology.groups.iter().map(|g| g.blocks).collect(),
        cells_per_block: topology.cells_per_block,
        config: config.clone(),
    };
    let kept = start.kept_groups();
    let from = FineTune { from: &start.weights, kept: &kept, frozen: &[] };
    let mut model = train_from(&recipe, corpus, name, Some(from), on_progress, cancel)?;
    model.metadata.started_from = start.name.clone();
    model.metadata.kept_parts = start.kept.iter().map(|p| p.name().to_string()).collect();
    Ok(model)
}

/// The user's choruses over `chart` as the chart band's takes: all of them in one take, in the
/// order played, so its windows cross from one chorus into the next as the music does, and the
/// same take moved to each of `moves` (semitones, −5 to 6). Each step's chord is the chorus's own
/// (what the band heard when it was captured); the chart gives the form's length. The built-in
/// style's choruses are not over the chart and stay out. An error, for the user, when there
/// are none of theirs or they are not of the chart's length.
pub fn takes_over_chart(
    chart: &Chart,
    corpus: &Corpus,
    encoding: &Encoding,
    moves: &[i32],
) -> Result<Vec<(Chart, Vec<Frame>)>, String> {
    if corpus.user.is_empty() {
        return Err("there are no choruses of yours to teach the chart band".to_string());
    }
    if corpus.form.bars != chart.len() {
        return Err(format!(
            "your choruses have {} bars and the chart {}: play them over the chart to teach the chart band",
            corpus.form.bars,
            chart.len()
        ));
    }
    let played = corpus.user.concat();
    let mut takes = vec![(chart.clone(), played.clone())];
    for &by in moves.iter().filter(|&&by| by != 0) {
        let frames = played.iter().map(|f| moved_frame(f, by, encoding)).collect();
        takes.push((chart.transposed(by), frames));
    }
    Ok(takes)
}

/// Keys the user's choruses over a chart are also taught in: without them the taught band
/// plays the user's key over every chart (over a chart in D, a Bb pentatonic line had 41 % of
/// its notes on the chord, against 90 % over the user's own chart).
pub const OVER_CHART_MOVES: [i32; 11] = [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6];

/// `frame` moved `by` semitones: its chord turned round the octave, its melody and bass keys
/// moved and, off the edge of their line's range, an octave back in (comping and drums stay).
fn moved_frame(frame: &Frame, by: i32, encoding: &Encoding) -> Frame {
    let mut f = *frame;
    f.chord = transpose_mask(frame.chord, by.rem_euclid(12) as u8);
    for part in [Part::Melody, Part::Bass] {
        let Some(line) = encoding.line(part) else { continue };
        let note = f.voice_mut(part);
        if let Some(key) = note.key {
            let (low, high) = (i32::from(line.low), i32::from(line.low) + i32::from(line.pitches) - 1);
            let mut moved = i32::from(key) + by;
            while moved > high && moved - 12 >= low {
                moved -= 12;
            }
            while moved < low && moved + 12 <= high {
                moved += 12;
            }
            note.key = Some(moved.clamp(0, 127) as u8);
        }
    }
    f
}

/// Fine-tunes the chart band `start` ([`Start::chart_band`]) on `corpus`, the user's choruses
/// over `chart` (moved to every key: [`OVER_CHART_MOVES`]), with `config`; names it `name`. It
/// learns their lines and stays a band that is given its chords: it plays them over any chart.
/// The kept parts' groups are not taught.
pub fn fine_tune_over_chart(
    start: &Start,
    chart: &Chart,
    corpus: &Corpus,
    config: &TrainConfig,
    name: &str,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Model, TrainError> {
    let takes =
        takes_over_chart(chart, corpus, &start.encoding, &OVER_CHART_MOVES).map_err(TrainError::InvalidSetup)?;
    let topology = &start.weights.topology;
    let recipe = Recipe {
        encoding: start.encoding,
        blocks: topology.groups.iter().map(|g| g.blocks).collect(),
        cells_per_block: topology.cells_per_block,
        // Its chords are given: the chord blocks copy them, and a window's worth shows it.
        config: TrainConfig { check_choruses: 1, ..config.clone() },
    };
    let kept = start.kept_groups();
    let from = FineTune { from: &start.weights, kept: &kept, frozen: &[] };
    let mut model = train_chart_band_from(&recipe, &takes, name, Some(from), on_progress, cancel)?;
    model.metadata.started_from = start.name.clone();
    model.metadata.kept_parts = start.kept.iter().map(|p| p.name().to_string()).collect();
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builtin::builtin;
    use crate::music::style::builtin_style;

    fn corpus_of(id: &str, choruses: usize) -> Corpus {
        let style = builtin_style(id).unwrap();
        Corpus::from_choruses((0..choruses).map(|i| style.chorus(i * 977)).collect(), style.bars)
    }

    #[test]
    fn the_nearest_band_has_the_form_and_changes_of_the_choruses() {
        for (style, want) in [
            ("bebop-blues", "bebop-blues"),
            ("jazz-blues", "jazz-blues"),
            ("minor-blues", "minor-blues"),
            ("eight-bar-blues", "eight-bar-blues"),
            ("sixteen-bar-blues", "sixteen-bar-blues"),
        ] {
            let start = Start::nearest_builtin(&corpus_of(style, 2), true).unwrap();
            assert_eq!(start.name, builtin(want).unwrap().name, "{style}");
            assert!(start.kept.is_empty() && start.dropped.is_empty(), "{style}: its corpus plays every part");
        }
        assert!(Start::nearest_builtin(&corpus_of("rhythm-changes", 2), true).is_none(), "32 bars: from scratch");
        // The paper's 12 bars with a melody and chords only: a 12-bar band, bass, comping and
        // drums kept (or dropped).
        let paper = corpus_of("paper-blues", 4);
        let start = Start::nearest_builtin(&paper, true).unwrap();
        assert_eq!(start.encoding.bars, 12);
        assert_eq!(start.kept, [Part::Bass, Part::Comp, Part::Drums]);
        assert!(start.encoding.bass.is_some() && start.encoding.drums);
        let start = Start::nearest_builtin(&paper, false).unwrap();
        assert_eq!(start.dropped, [Part::Bass, Part::Comp, Part::Drums]);
        assert!(start.encoding.bass.is_none() && !start.encoding.drums && !start.encoding.comp);
        assert_eq!(start.weights.topology.groups.len(), 2);
    }

    #[test]
    fn choruses_over_a_chart_are_taught_in_every_key_within_the_lines_ranges() {
        let tune = crate::music::user_tunes::user_tune(12).unwrap();
        let (chart, corpus) = (tune.chart(), tune.corpus(2, 1));
        let encoding = Encoding::chart_band(8);
        let takes = takes_over_chart(&chart, &corpus, &encoding, &OVER_CHART_MOVES).unwrap();
        assert_eq!(takes.len(), 12, "the key played and eleven others");
        let played = corpus.user.concat();
        for ((moved_chart, frames), by) in takes.iter().zip([0].iter().chain(&OVER_CHART_MOVES)) {
            assert_eq!(*moved_chart, chart.transposed(*by));
            for (f, was) in frames.iter().zip(&played) {
                assert_eq!(f.chord, transpose_mask(was.chord, by.rem_euclid(12) as u8));
                for (part, line) in [(Part::Melody, encoding.melody.unwrap()), (Part::Bass, encoding.bass.unwrap())] {
                    let (now, then) = (f.voice(part), was.voice(part));
                    assert_eq!(now.begin, then.begin);
                    if let (Some(k), Some(w)) = (now.key, then.key) {
                        assert_eq!((i32::from(k) - i32::from(w) - by).rem_euclid(12), 0, "{part:?} moved {by}");
                        assert!((line.low..line.low + line.pitches).contains(&k), "{part:?} key {k} in range");
                    }
                }
            }
        }
        // Choruses of another length than the chart's, or none of the user's: said, not taught.
        let why = takes_over_chart(&crate::music::chart::parse("| C7 | F7 |").unwrap(), &corpus, &encoding, &[]);
        assert!(why.unwrap_err().contains("12 bars and the chart 2"));
        let style_only = Corpus::of_style(builtin_style("bebop-blues").unwrap());
        assert!(takes_over_chart(&chart, &style_only, &encoding, &[]).is_err());
    }

    #[test]
    fn a_model_that_cannot_learn_the_choruses_is_no_start() {
        let band = builtin("bebop-blues").unwrap().model().unwrap();
        // Rhythm changes need 8 chord blocks; the 12-bar band has 4.
        assert!(Start::from_model(band, "bebop", &corpus_of("rhythm-changes", 1), true).is_none());
        // The paper's net has no bass to learn a band's bass line with.
        let paper = builtin("paper-exp2").unwrap().model().unwrap();
        assert!(Start::from_model(paper, "exp2", &corpus_of("bebop-blues", 1), true).is_none());
        // The chart band is given its chords; a retrain teaches a band to count them.
        let chart = crate::model::builtin::chart_band().unwrap();
        assert!(Start::from_model(chart, "chart", &corpus_of("bebop-blues", 1), true).is_none());
        // It is a start over a chart, and a band that counts its form is not.
        assert!(Start::chart_band(chart, "chart", &corpus_of("bebop-blues", 1), true).is_some());
        assert!(Start::chart_band(band, "bebop", &corpus_of("bebop-blues", 1), true).is_none());
    }
}
