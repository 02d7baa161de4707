//! The chart band's corpus: a model that is GIVEN its chords (a user's chart) learns from this
//! to improvise over any changes in any key. The progressions are chart text we wrote
//! (`styles/progressions.txt`); a combo written as rules performs them at medium swing — a
//! walking bass (`walking`), a comping piano (`comping`), a bebop soloist (`soloist`) and a
//! drummer (`drummer`), each with a vocabulary per chord quality — as frames on the eighth-note
//! grid (swing is applied at playback). Every progression is played in all twelve keys.
//! Deterministic from its seed; built on the trainer's or the command line's thread (it allocates).

mod comping;
mod drummer;
mod soloist;
mod walking;

use super::chart::{Chart, ChartChord, Quality};
use super::encoding::{Frame, STEPS_PER_BAR};
use crate::lstm::rng::{mix, Rng};

/// The progressions, as chart text: a line `## name` starts each.
const PROGRESSIONS: &str = include_str!("styles/progressions.txt");

/// One performance of a chart: what a chart-band model trains on.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartTake {
    /// The progression's name and the key it is played in (its first chord), e.g. "Jazz blues in G (Bb7)".
    pub name: String,
    /// The chart as played (transposed).
    pub chart: Chart,
    /// A few choruses of it, 8 frames a bar, from bar 1.
    pub frames: Vec<Frame>,
}

/// How a chart is played.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feel {
    /// Medium swing: walking quarter notes, eighth-note lines.
    Medium,
    /// A ballad: the bass in two now and then, longer chords and notes.
    Ballad,
}

/// A progression of the corpus, read.
#[derive(Clone, Debug, PartialEq)]
pub struct Progression {
    pub name: String,
    pub feel: Feel,
    pub chart: Chart,
}

/// `choruses` choruses of `chart` (one bar or more) at medium swing: 8 frames a bar, each
/// frame's chord the chart's at its step (`ChartChord::mask`), the band improvising over it.
pub fn perform(chart: &Chart, choruses: usize, seed: u64) -> Vec<Frame> {
    perform_in(chart, choruses, seed, Feel::Medium)
}

/// [`perform`] in a given feel.
pub fn perform_in(chart: &Chart, choruses: usize, seed: u64, feel: Feel) -> Vec<Frame> {
    let changes = Changes { chart, steps: chart.len() * STEPS_PER_BAR * choruses };
    // Each player draws from a generator of its own, so a change to one leaves the others be.
    let bass = walking::walk(&changes, feel, &mut Rng::new(mix(seed, 1)));
    let comp = comping::comp(&changes, feel, &mut Rng::new(mix(seed, 2)));
    let melody = soloist::solo(&changes, feel, &mut Rng::new(mix(seed, 3)));
    let drums = drummer::play(&changes, feel, &mut Rng::new(mix(seed, 4)));
    (0..changes.steps)
        .map(|s| Frame {
            chord: changes.chord(s).mask(),
            melody: melody[s],
            bass: bass[s],
            comp: comp[s],
            drums: drums[s],
        })
        .collect()
}

/// Choruses a take plays: about 24 bars, at least two choruses.
fn choruses_for(bars: usize) -> usize {
    (24 / bars.max(1)).clamp(2, 6)
}

/// The corpus: every progression in all twelve keys, a few choruses each.
pub fn chart_band_corpus(seed: u64) -> Vec<ChartTake> {
    let progressions = progressions().expect("the built-in progressions read (a test checks it)");
    let mut takes = Vec::with_capacity(progressions.len() * 12);
    for (i, p) in progressions.iter().enumerate() {
        for key in 0..12 {
            let chart = p.chart.transposed(key);
            let frames = perform_in(&chart, choruses_for(chart.len()), mix(seed, (i * 12) as u64 + key as u64), p.feel);
            let name = format!("{} ({})", p.name, chart.bars[0][0].name());
            takes.push(ChartTake { name, chart, frames });
        }
    }
    takes
}

/// The built-in progressions, in the order written. A name starting with "Ballad" is a ballad.
pub fn progressions() -> Result<Vec<Progression>, String> {
    let mut blocks: Vec<(&str, String)> = Vec::new();
    for line in PROGRESSIONS.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            blocks.push((name.trim(), String::new()));
        } else if let Some((_, text)) = blocks.last_mut() {
            text.push_str(line);
            text.push('\n');
        } else if !line.trim().is_empty() && !line.starts_with('#') {
            return Err(format!("\"{line}\" comes before the first progression's \"## name\""));
        }
    }
    blocks
        .into_iter()
        .map(|(name, text)| {
            let chart = crate::music::chart::parse(&text).map_err(|e| format!("{name}: {e}"))?;
            let feel = if name.starts_with("Ballad") { Feel::Ballad } else { Feel::Medium };
            Ok(Progression { name: name.to_string(), feel, chart })
        })
        .collect()
}

/// The chart as the players read it through the whole performance (every chorus).
struct Changes<'a> {
    chart: &'a Chart,
    /// Steps in the performance: choruses × bars × 8.
    steps: usize,
}

impl Changes<'_> {
    /// The chord at `step` (past the end: the top of the chart again).
    fn chord(&self, step: usize) -> ChartChord {
        self.chart.chord_at_step(step)
    }

    /// Whether a chord starts at `step`: the first step, and wherever the chord differs from the step before.
    fn starts(&self, step: usize) -> bool {
        step == 0 || self.chord(step) != self.chord(step - 1)
    }

    /// Bars in one chorus.
    fn bars(&self) -> usize {
        self.chart.len()
    }
}

/// Whether the pitch class of `key` is in `mask` (bit 0 = C).
fn has(mask: u16, key: i32) -> bool {
    mask >> key.rem_euclid(12) & 1 == 1
}

/// The keys in `low..=high` whose pitch class is in `mask`.
fn keys_in(mask: u16, low: i32, high: i32) -> impl DoubleEndedIterator<Item = i32> {
    (low..=high).filter(move |&k| has(mask, k))
}

/// The key of pitch class `pc` nearest `near` in `low..=high` (the lower of two as near).
fn nearest(pc: u8, near: i32, low: i32, high: i32) -> i32 {
    keys_in(1 << pc, low, high).min_by_key(|&k| ((k - near).abs(), k)).expect("a range of an octave or more")
}

/// The scale a line runs on over `chord` (bit 0 = C): its chord tones and the tensions a
/// player reaches for by step — inside `allowed()` always. Dominants leave out some of their
/// many tensions so that a run sounds like one scale: mixolydian without its 4th, lydian
/// dominant on 7#11, half-whole on 7b9 and 7#9, altered on alt.
fn line_scale(chord: ChartChord) -> u16 {
    let relative: &[u8] = match chord.quality {
        Quality::Dom7 | Quality::Dom9 | Quality::Dom13 => &[0, 2, 4, 7, 9, 10],
        Quality::Dom7Sharp11 => &[0, 2, 4, 6, 7, 9, 10],
        Quality::Dom7Flat9 | Quality::Dom7Sharp9 => &[0, 1, 3, 4, 6, 7, 9, 10],
        Quality::Dom7Flat13 => &[0, 2, 4, 7, 8, 10],
        Quality::Alt => &[0, 1, 3, 4, 6, 8, 10],
        Quality::Dom7Sus4 => &[0, 2, 5, 7, 9, 10],
        _ => return chord.allowed(),
    };
    relative.iter().fold(0u16, |m, i| m | 1 << ((chord.root + i) % 12))
}

/// One of `choices` (not empty) drawn by weight (the first when all weigh nothing).
fn pick<T: Copy>(rng: &mut Rng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|c| c.1).sum();
    let mut at = rng.below(total as usize) as u32;
    for &(choice, weight) in choices {
        if at < weight {
            return choice;
        }
        at -= weight;
    }
    choices[0].0
}

/// True with probability `p`.
fn chance(rng: &mut Rng, p: f32) -> bool {
    rng.next_f32() < p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::drums::{is_fill, Piece};
    use crate::music::encoding::Note;
    use std::sync::OnceLock;

    /// The corpus the facts are checked on (built once: it takes a moment in a debug build).
    fn corpus() -> &'static [ChartTake] {
        static CORPUS: OnceLock<Vec<ChartTake>> = OnceLock::new();
        CORPUS.get_or_init(|| chart_band_corpus(7))
    }

    /// The notes of a line: (first step, length in steps, key).
    fn notes(line: impl Iterator<Item = Note>) -> Vec<(usize, usize, i32)> {
        let mut out: Vec<(usize, usize, i32)> = Vec::new();
        for (s, n) in line.enumerate() {
            match (n.key, out.last_mut()) {
                (Some(k), _) if n.begin => out.push((s, 1, i32::from(k))),
                (Some(_), Some(last)) if last.0 + last.1 == s => last.1 += 1,
                _ => {}
            }
        }
        out
    }

    /// A share, and its numerator and denominator.
    #[derive(Clone, Copy, Debug, Default)]
    struct Share(usize, usize);

    impl Share {
        fn count(&mut self, yes: bool) {
            self.0 += usize::from(yes);
            self.1 += 1;
        }
        fn rate(self) -> f64 {
            self.0 as f64 / self.1.max(1) as f64
        }
    }

    /// What the tests check, measured over the whole corpus.
    #[derive(Debug, Default)]
    struct Figures {
        bass_root_at_changes: Share,
        bass_chord_tone_on_one: Share,
        bass_in_range: Share,
        melody_allowed: Share,
        melody_outside_on_a_beat: usize,
        melody_strong_chord_tones: Share,
        melody_phrase_end_chord_tones: Share,
        /// Notes 1, 2, 3 or more, and 4 or more eighths long.
        melody_lengths: [Share; 4],
        melody_repeated: Share,
        melody_wide_leaps: Share,
        melody_silent: Share,
        melody_pitches: usize,
        melody_in_range: Share,
        comp_laid_out_halves: Share,
        comp_most_strikes_in_a_bar: usize,
        comp_lengths: usize,
        /// Comping strikes by their step in the bar.
        comp_strikes_by_step: [usize; 8],
        fills_before_the_top: Share,
        crashes_at_the_top: Share,
    }

    fn figures() -> &'static Figures {
        static FIGURES: OnceLock<Figures> = OnceLock::new();
        FIGURES.get_or_init(|| {
            let mut f = Figures::default();
            let mut pitches = std::collections::BTreeSet::new();
            let mut comp_lengths = std::collections::BTreeSet::new();
            for take in corpus() {
                let (frames, chart) = (&take.frames, &take.chart);
                let chord = |s: usize| chart.chord_at_step(s);
                let starts = |s: usize| s == 0 || chord(s) != chord(s - 1);
                for (s, frame) in frames.iter().enumerate() {
                    if let Some(k) = frame.bass.key {
                        f.bass_in_range.count((28..=48).contains(&k));
                    }
                    if starts(s) {
                        let root = frame.bass.begin && frame.bass.key.is_some_and(|k| k % 12 == chord(s).bass_note());
                        f.bass_root_at_changes.count(root);
                    }
                    if s % 8 == 0 {
                        let c = chord(s);
                        let tone =
                            frame.bass.key.is_some_and(|k| has(c.chord_tones(), k.into()) || k % 12 == c.bass_note());
                        f.bass_chord_tone_on_one.count(frame.bass.begin && tone);
                    }
                    f.melody_silent.count(frame.melody.key.is_none());
                }
                let melody = notes(frames.iter().map(|f| f.melody));
                for (i, &(s, len, key)) in melody.iter().enumerate() {
                    pitches.insert(key);
                    f.melody_in_range.count((55..=84).contains(&key));
                    let allowed = has(chord(s).allowed(), key);
                    f.melody_allowed.count(allowed);
                    f.melody_outside_on_a_beat += usize::from(!allowed && s % 2 == 0);
                    if s % 4 == 0 {
                        f.melody_strong_chord_tones.count(has(chord(s).chord_tones(), key));
                    }
                    for (n, at_least) in [1, 2, 3, 4].into_iter().enumerate() {
                        f.melody_lengths[n].count(if n < 2 { len == at_least } else { len >= at_least });
                    }
                    let next = melody.get(i + 1);
                    if next.is_none_or(|&(t, _, _)| t > s + len) {
                        f.melody_phrase_end_chord_tones.count(has(chord(s).chord_tones(), key));
                    }
                    if let Some(&(t, _, k)) = next {
                        f.melody_repeated.count(k == key && t - s <= 2);
                        if t == s + len {
                            let arpeggio = has(chord(s).chord_tones(), key) && has(chord(t).chord_tones(), k);
                            f.melody_wide_leaps.count((k - key).abs() >= 6 && !arpeggio);
                        }
                    }
                }
                for half in frames.chunks(4) {
                    f.comp_laid_out_halves.count(half.iter().all(|f| f.comp.key.is_none()));
                }
                for bar in frames.chunks(8) {
                    for (s, _) in bar.iter().enumerate().filter(|(_, f)| f.comp.begin) {
                        f.comp_strikes_by_step[s] += 1;
                    }
                    let strikes = bar.iter().filter(|f| f.comp.begin).count();
                    f.comp_most_strikes_in_a_bar = f.comp_most_strikes_in_a_bar.max(strikes);
                }
                comp_lengths.extend(notes(frames.iter().map(|f| f.comp)).into_iter().map(|n| n.1));
                let chorus = chart.len() * 8;
                for (c, frames) in frames.chunks(chorus).enumerate() {
                    let bars: Vec<Vec<_>> = frames.chunks(8).map(|b| b.iter().map(|f| f.drums).collect()).collect();
                    f.fills_before_the_top.count(is_fill(bars.last().expect("a bar")));
                    if c > 0 {
                        f.crashes_at_the_top.count(bars[0][0].level(Piece::Crash) > 0);
                    }
                }
            }
            f.melody_pitches = pitches.len();
            f.comp_lengths = comp_lengths.len();
            f
        })
    }

    #[test]
    fn every_progression_reads_and_every_quality_is_played() {
        let progressions = progressions().unwrap();
        assert!(progressions.len() >= 40, "{} progressions", progressions.len());
        for p in &progressions {
            assert!((4..=32).contains(&p.chart.len()), "{}: {} bars", p.name, p.chart.len());
        }
        for q in Quality::ALL {
            assert!(progressions.iter().any(|p| p.chart.bars.iter().flatten().any(|c| c.quality == q)), "no {q:?}");
        }
        assert!(progressions.iter().any(|p| p.feel == Feel::Ballad));
    }

    #[test]
    fn the_temporary_reader_reads_the_chart_syntax() {
        let chart = crate::music::chart::parse(
            "# a comment\n| Cmaj7/E | % |\n| Dm7 G7 | Bm7b5 E7b9 Am6 |\n| Ebdim7 Bb7#11 F7alt Gsus4 |",
        )
        .unwrap();
        let c = |root, q| ChartChord::new(root, q);
        let c_over_e = ChartChord { bass: Some(4), ..c(0, Quality::Maj7) };
        assert_eq!(chart.bars[0], [c_over_e; 4]);
        assert_eq!(chart.bars[1], chart.bars[0]);
        assert_eq!(chart.bars[2], [c(2, Quality::Min7), c(2, Quality::Min7), c(7, Quality::Dom7), c(7, Quality::Dom7)]);
        assert_eq!(
            chart.bars[3],
            [c(11, Quality::HalfDim), c(11, Quality::HalfDim), c(4, Quality::Dom7Flat9), c(9, Quality::Min6)]
        );
        assert_eq!(
            chart.bars[4],
            [c(3, Quality::Dim7), c(10, Quality::Dom7Sharp11), c(5, Quality::Alt), c(7, Quality::Sus4)]
        );
        assert!(crate::music::chart::parse("| C7 | Hm7 |").is_err());
        assert!(crate::music::chart::parse("| C7 | Cfoo |").is_err());
        assert!(crate::music::chart::parse("| % |").is_err());
        assert!(crate::music::chart::parse("| C D E F G |").is_err());
    }

    #[test]
    fn takes_follow_their_chart_in_every_key() {
        let takes = corpus();
        assert_eq!(takes.len(), progressions().unwrap().len() * 12);
        for take in takes {
            assert_eq!(take.frames.len(), take.chart.len() * 8 * choruses_for(take.chart.len()), "{}", take.name);
            for (s, frame) in take.frames.iter().enumerate() {
                assert_eq!(frame.chord, take.chart.chord_at_step(s).mask(), "{} step {s}", take.name);
            }
        }
        for q in [Quality::Dom7, Quality::Min7, Quality::Maj7] {
            let mut roots = [false; 12];
            for c in takes.iter().flat_map(|t| t.chart.bars.iter().flatten()).filter(|c| c.quality == q) {
                roots[usize::from(c.root)] = true;
            }
            assert!(roots.iter().all(|&r| r), "{q:?} in every key: {roots:?}");
        }
        let again = chart_band_corpus(7);
        assert!(again[..24] == takes[..24], "the same seed plays the same");
        assert!(chart_band_corpus(8)[..24].iter().zip(&takes[..24]).all(|(a, b)| a.frames != b.frames));
    }

    #[test]
    fn the_bass_walks_from_the_roots_in_range() {
        let f = figures();
        assert_eq!(f.bass_in_range.rate(), 1.0, "every bass note in E1-C3");
        assert!(f.bass_root_at_changes.rate() >= 0.90, "{:?}", f.bass_root_at_changes);
        assert!(f.bass_chord_tone_on_one.rate() >= 0.95, "{:?}", f.bass_chord_tone_on_one);
    }

    #[test]
    fn the_melody_plays_the_changes() {
        let f = figures();
        assert_eq!(f.melody_in_range.rate(), 1.0);
        assert!(f.melody_allowed.rate() >= 0.95, "{:?}", f.melody_allowed);
        assert_eq!(f.melody_outside_on_a_beat, 0, "notes outside the chord pass on off-beats only");
        assert!(f.melody_strong_chord_tones.rate() >= 0.80, "{:?}", f.melody_strong_chord_tones);
        assert!(f.melody_phrase_end_chord_tones.rate() >= 0.95, "{:?}", f.melody_phrase_end_chord_tones);
    }

    #[test]
    fn the_melody_phrases_and_breathes() {
        let f = figures();
        let [one, two, three, four] = f.melody_lengths.map(Share::rate);
        assert!(one >= 0.05 && two >= 0.05 && three >= 0.05 && four >= 0.03, "{:?}", f.melody_lengths);
        assert!(f.melody_repeated.rate() < 0.015, "{:?}", f.melody_repeated);
        assert!(f.melody_wide_leaps.rate() < 0.01, "{:?}", f.melody_wide_leaps);
        assert!(f.melody_pitches > 14, "{} pitches", f.melody_pitches);
        assert!((0.25..=0.40).contains(&f.melody_silent.rate()), "{:?}", f.melody_silent);
    }

    #[test]
    fn the_piano_comps_and_lays_out_and_the_drummer_marks_the_top() {
        let f = figures();
        assert!((0.05..=0.15).contains(&f.comp_laid_out_halves.rate()), "{:?}", f.comp_laid_out_halves);
        assert!(f.comp_most_strikes_in_a_bar <= 5, "never on every eighth: {}", f.comp_most_strikes_in_a_bar);
        assert!(f.comp_lengths >= 3, "{} lengths", f.comp_lengths);
        assert_eq!(f.fills_before_the_top.rate(), 1.0, "{:?}", f.fills_before_the_top);
        assert_eq!(f.crashes_at_the_top.rate(), 1.0, "{:?}", f.crashes_at_the_top);
    }

    /// `cargo test --lib chart_corpus::tests::summary -- --nocapture` prints the figures.
    #[test]
    fn summary() {
        let f = figures();
        let progressions = progressions().unwrap();
        let lengths: Vec<String> = progressions.iter().map(|p| p.chart.len().to_string()).collect();
        let frames: usize = corpus().iter().map(|t| t.frames.len()).sum();
        println!("{} progressions, bars: {}", progressions.len(), lengths.join(" "));
        println!("{} takes, {frames} frames", corpus().len());
        let row = |name: &str, s: Share, want: &str| {
            println!("{name:<44} {:>7.2}%  ({:>6} / {:>6})  want {want}", 100.0 * s.rate(), s.0, s.1)
        };
        row("bass: root (or written bass) at a change", f.bass_root_at_changes, ">= 90%");
        row("bass: chord tone on beat 1", f.bass_chord_tone_on_one, ">= 95%");
        row("bass: notes in 28..=48", f.bass_in_range, "100%");
        row("melody: notes in allowed()", f.melody_allowed, ">= 95%");
        row("melody: chord tones on beats 1 and 3", f.melody_strong_chord_tones, ">= 80%");
        row("melody: phrase ends on a chord tone", f.melody_phrase_end_chord_tones, ">= 95%");
        for (n, name) in ["1 eighth", "2 eighths", "3+ eighths", "4+ eighths"].into_iter().enumerate() {
            row(&format!("melody: notes {name}"), f.melody_lengths[n], if n < 3 { ">= 5%" } else { ">= 3%" });
        }
        row("melody: same key again within a beat", f.melody_repeated, "< 1.5%");
        row("melody: leaps of a tritone+ (not arpeggio)", f.melody_wide_leaps, "< 1%");
        row("melody: silent steps", f.melody_silent, "25-40%");
        row("comp: half-bars laid out", f.comp_laid_out_halves, "5-15%");
        row("drums: fill in the chart's last bar", f.fills_before_the_top, "100%");
        row("drums: crash at the top after chorus 1", f.crashes_at_the_top, "100%");
        println!(
            "melody: {} distinct pitches (want > 14); outside notes on a beat: {}",
            f.melody_pitches, f.melody_outside_on_a_beat
        );
        println!("comp: at most {} strikes a bar; {} lengths", f.comp_most_strikes_in_a_bar, f.comp_lengths);
        println!("comp: strikes by step of the bar (1 & 2 & 3 & 4 &): {:?}", f.comp_strikes_by_step);
    }

    /// Writes one take to /tmp/chartband.mid (swung, at 160 bpm) and prints its melody and bass
    /// bar by bar, for a human to hear and look at: `cargo test --lib chart_corpus::tests::render
    /// -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn render_a_take() {
        use crate::music::drums::KitMap;
        use crate::music::midi_file::{write_smf, TimedNote};
        let take = corpus().iter().find(|t| t.name.starts_with("Jazz blues in G")).expect("the jazz blues");
        let swing = |step: usize| (step / 2) as f64 + if step % 2 == 1 { 2.0 / 3.0 } else { 0.0 };
        let mut notes = Vec::new();
        let mut line = |channel: u8, velocity: u8, keys: Vec<(usize, usize, i32)>| {
            for (s, len, key) in keys {
                let key = key as u8;
                notes.push(TimedNote { beats: swing(s), channel, key, velocity, on: true });
                notes.push(TimedNote { beats: swing(s + len) - 0.05, channel, key, velocity: 0, on: false });
            }
        };
        line(1, 96, notes_of(take, |f| f.melody));
        line(2, 90, notes_of(take, |f| f.bass));
        let chords: Vec<(usize, usize, i32)> = notes_of(take, |f| f.comp)
            .into_iter()
            .flat_map(|(s, len, _)| {
                let mask = take.frames[s].chord;
                (52..64).filter(move |k| mask >> (k % 12) & 1 == 1).map(move |k| (s, len, k))
            })
            .collect();
        line(0, 70, chords);
        for (s, f) in take.frames.iter().enumerate() {
            for (piece, level) in f.drums.struck() {
                let (key, velocity) = (KitMap::GeneralMidi.key(piece), 30 + 30 * level);
                notes.push(TimedNote { beats: swing(s), channel: 9, key, velocity, on: true });
                notes.push(TimedNote { beats: swing(s) + 0.1, channel: 9, key, velocity: 0, on: false });
            }
        }
        notes.sort_by(|a, b| a.beats.total_cmp(&b.beats).then(a.on.cmp(&b.on)));
        let names =
            |c: u8| ["Piano", "Melody", "Bass"].get(usize::from(c)).map_or("Drums".to_string(), |n| n.to_string());
        std::fs::write("/tmp/chartband.mid", write_smf(&notes, 160.0, &names)).unwrap();
        let name = |k: u8| format!("{}{}", crate::music::chart::ROOT_NAMES[usize::from(k % 12)], k / 12 - 1);
        for (bar, frames) in take.frames.chunks(8).enumerate() {
            let show = |note: fn(&Frame) -> Note| {
                frames
                    .iter()
                    .map(|f| match note(f) {
                        Note { key: Some(k), begin: true } => format!("{:<4}", name(k)),
                        Note { key: Some(_), begin: false } => "-   ".to_string(),
                        _ => ".   ".to_string(),
                    })
                    .collect::<String>()
            };
            let chords: Vec<String> = take.chart.bars[bar % take.chart.len()].iter().map(|c| c.name()).collect();
            println!("{:>3} {:<28} | {} | {}", bar + 1, chords.join(" "), show(|f| f.melody), show(|f| f.bass));
        }
        println!("wrote /tmp/chartband.mid: {}", take.name);
    }

    fn notes_of(take: &ChartTake, part: fn(&Frame) -> Note) -> Vec<(usize, usize, i32)> {
        notes(take.frames.iter().map(part))
    }
}
