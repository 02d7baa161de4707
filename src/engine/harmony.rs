//! Where the band's chords come from: the form it learned (the paper's model predicts them), a
//! chart the user typed or imported, or the chords played into the plugin on the chord input
//! channel (a DAW's chord track, or a keyboard). In the last two the chords are given: the
//! chart band improvises its lines, bass, comping and drums over them.
//!
//! Audio thread: `ChartSteps` is a fixed-size value (no allocation to read or replace it), and
//! the chords played in are a bit set.

use super::handoff::Handoff;
use crate::music::chart::{Chart, ChartChord, BEATS_PER_BAR};
use crate::music::encoding::{Form, MAX_BARS, STEPS_PER_BAR};
use std::sync::Arc;

/// The Harmony setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HarmonySource {
    /// The model's own form: today's behaviour.
    #[default]
    Learned,
    /// The user's chart.
    Chart,
    /// The chords played in on the chord input channel.
    ChordInput,
}

/// Bars counted while following played chords: phrases of 8 (where a drummer marks a section).
pub const CHORD_INPUT_BARS: usize = 8;

/// A chart as the audio thread reads it: a chord per beat, up to the longest form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartSteps {
    chords: [ChartChord; MAX_BARS * BEATS_PER_BAR],
    bars: usize,
}

impl ChartSteps {
    /// `chart` as fixed-size steps (any thread). A chart longer than [`MAX_BARS`] is cut there
    /// (the parser refuses one); an empty one is no chart.
    pub fn new(chart: &Chart) -> Self {
        let fallback = ChartChord::new(0, crate::music::chart::Quality::Major);
        let mut chords = [fallback; MAX_BARS * BEATS_PER_BAR];
        let bars = chart.len().min(MAX_BARS);
        for (bar, beats) in chart.bars.iter().take(bars).enumerate() {
            chords[bar * BEATS_PER_BAR..(bar + 1) * BEATS_PER_BAR].copy_from_slice(beats);
        }
        Self { chords, bars }
    }

    /// Whether there is no chart (nothing typed yet).
    pub fn is_empty(&self) -> bool {
        self.bars == 0
    }

    /// The form it is played in: its bars of eighth notes.
    pub fn form(&self) -> Form {
        Form { steps_per_bar: STEPS_PER_BAR, bars: self.bars.max(1) }
    }

    /// The chord at song step `step` (the chart repeats as choruses).
    pub fn chord_at(&self, step: i64) -> ChartChord {
        let beat = self.form().position(step) / (STEPS_PER_BAR / BEATS_PER_BAR);
        self.chords[beat]
    }
}

/// The chords played in on the chord input channel: the chord sounding from the eighth note it
/// arrived on until the next one, whether or not its keys are still held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlayedChords {
    /// Keys held now.
    held: u128,
    /// The keys of the chord being gathered (struck since every key was last released).
    gathering: u128,
    /// The chord in force, as keys; 0 before the first.
    current: u128,
}

impl PlayedChords {
    pub fn note_on(&mut self, key: u8) {
        let bit = 1u128 << key.min(127);
        if self.held == 0 {
            // A new chord begins when a key is struck with none held.
            self.gathering = 0;
        }
        self.held |= bit;
        self.gathering |= bit;
    }

    pub fn note_off(&mut self, key: u8) {
        self.held &= !(1u128 << key.min(127));
    }

    /// At a step: the chord gathered so far takes over (a chord of at least two keys; a single
    /// key is a bass note or a slip, and keeps the chord in force).
    pub fn step(&mut self) {
        if self.gathering.count_ones() >= 2 {
            self.current = self.gathering;
        }
    }

    /// The chord in force, if any has been played.
    pub fn chord(&self) -> Option<(u16, u8)> {
        if self.current == 0 {
            return None;
        }
        let lowest = self.current.trailing_zeros() as u8;
        let mut mask = 0u16;
        for key in 0..128u8 {
            if self.current & (1 << key) != 0 {
                mask |= 1 << (key % 12);
            }
        }
        Some((mask, lowest % 12))
    }

    /// Forgets everything (a jump, a stop).
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

/// A chord given for one step: its pitch classes, and the bass note it is written over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GivenChord {
    pub mask: u16,
    /// Pitch class the bass lands on at a change.
    pub bass: u8,
}

impl From<ChartChord> for GivenChord {
    fn from(c: ChartChord) -> Self {
        Self { mask: c.mask(), bass: c.bass_note() }
    }
}

/// The chords given for a step and the one before it, and the form they are counted in (a
/// chart's bars).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Given {
    pub form: Form,
    pub before: GivenChord,
    pub now: GivenChord,
}

/// The engine's harmony from outside: the chart in force (a new one staged takes over at a bar
/// line) and the chords played in.
#[derive(Debug)]
pub struct Harmony {
    chart: Box<ChartSteps>,
    charts: Arc<Handoff<ChartSteps>>,
    played: PlayedChords,
    /// The chord the last step was given, while following played chords.
    last_given: Option<GivenChord>,
}

impl Default for Harmony {
    fn default() -> Self {
        Self {
            chart: Box::new(ChartSteps::new(&Chart { bars: Vec::new() })),
            charts: Arc::default(),
            played: PlayedChords::default(),
            last_given: None,
        }
    }
}

impl Harmony {
    /// Where a new chart is staged.
    pub fn charts(&self) -> Arc<Handoff<ChartSteps>> {
        self.charts.clone()
    }

    /// Whether there is harmony to follow from `source`: a chart, when it is the chart (the
    /// chords played in are followed from the first one played).
    pub fn can_follow(&self, source: HarmonySource) -> bool {
        match source {
            HarmonySource::Learned => false,
            HarmonySource::Chart => !self.chart.is_empty(),
            HarmonySource::ChordInput => true,
        }
    }

    /// Takes a staged chart at once (before playing from the start: a render, an activation).
    pub fn adopt_chart(&mut self) -> bool {
        self.take_chart()
    }

    /// The form the song is counted in when following `source` (`learned` otherwise).
    pub fn form(&self, source: HarmonySource, following: bool, learned: Form) -> Form {
        match (following, source) {
            (true, HarmonySource::Chart) => self.chart.form(),
            (true, HarmonySource::ChordInput) => Form { steps_per_bar: STEPS_PER_BAR, bars: CHORD_INPUT_BARS },
            _ => learned,
        }
    }

    /// Takes a newly staged chart, if any (audio thread, at a bar line).
    pub fn take_chart(&mut self) -> bool {
        self.charts.take(&mut self.chart)
    }

    /// A chord key played in on the chord input channel.
    pub fn played(&mut self, key: u8, on: bool) {
        if on {
            self.played.note_on(key);
        } else {
            self.played.note_off(key);
        }
    }

    /// The transport stopped: the chords played in are forgotten.
    pub fn stopped(&mut self) {
        self.played.clear();
        self.last_given = None;
    }

    /// The chords given for step `index` and the step before under `source`: the chart's, or
    /// the chords played in (none until the first is played).
    pub fn given(&mut self, index: i64, source: HarmonySource, form: Form) -> Option<Given> {
        let (before, now) = match source {
            HarmonySource::Learned => return None,
            HarmonySource::Chart => (self.chart.chord_at(index - 1).into(), self.chart.chord_at(index).into()),
            HarmonySource::ChordInput => {
                self.played.step();
                let (mask, bass) = self.played.chord()?;
                let now = GivenChord { mask, bass };
                (self.last_given.replace(now).unwrap_or(now), now)
            }
        };
        Some(Given { form, before, now })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::chart::Quality;

    #[test]
    fn a_chart_repeats_as_choruses_with_a_chord_per_beat() {
        let c7 = ChartChord::new(0, Quality::Dom7);
        let f7 = ChartChord::new(5, Quality::Dom7);
        let chart = Chart { bars: vec![[c7; 4], [f7, f7, c7, c7]] };
        let steps = ChartSteps::new(&chart);
        assert_eq!(steps.form().bars, 2);
        assert_eq!(steps.chord_at(0), c7);
        assert_eq!(steps.chord_at(8), f7);
        assert_eq!(steps.chord_at(11), f7);
        assert_eq!(steps.chord_at(12), c7, "the second half of bar 2");
        assert_eq!(steps.chord_at(16), c7, "chorus 2");
        assert_eq!(steps.chord_at(-8), f7, "a count-in is the chart's last bar");
    }

    #[test]
    fn played_chords_hold_until_the_next_and_a_single_key_is_not_a_chord() {
        let mut p = PlayedChords::default();
        p.step();
        assert_eq!(p.chord(), None);
        for key in [48, 52, 55, 58] {
            p.note_on(key);
        }
        p.step();
        assert_eq!(p.chord(), Some((1 | 1 << 4 | 1 << 7 | 1 << 10, 0)), "C7 over C");
        for key in [48, 52, 55, 58] {
            p.note_off(key);
        }
        p.step();
        assert_eq!(p.chord().unwrap().0, 1 | 1 << 4 | 1 << 7 | 1 << 10, "released, it still holds");
        p.note_on(41);
        p.step();
        assert_eq!(p.chord().unwrap().1, 0, "one key is not a new chord");
        p.note_on(45);
        p.note_on(48);
        p.step();
        assert_eq!(p.chord(), Some((1 << 5 | 1 << 9 | 1, 5)), "F over F: the keys struck since all were up");
    }
}
