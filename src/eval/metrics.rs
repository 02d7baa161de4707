//! The measures of a generated frame sequence: does it keep the form, does the melody fit,
//! is it new, does it repeat itself, and does it have structure at the length of a chorus.
//! Pure functions over frames; CLI thread (`blues-lstm eval`) and tests.
//!
//! Definitions (the README's table uses them):
//! - *chord right*: the frame's chord mask equals the form's chord at its step (per step, and at
//!   the first step of each bar). A chorus *holds the form* when every one of its steps is right;
//!   the *first break* is the first chorus (1-based) with a wrong step.
//! - *in scale*: melody notes whose pitch class is one the corpus's melody uses (for the paper's
//!   corpus: C major pentatonic), out of all melody notes.
//! - *chord tones on beats*: on even steps (quarter-note beats) with a melody note, the share
//!   whose pitch class is a pitch class of the chord sounding at that step.
//! - *novel bar melodies*: a bar melody is the 8 melody notes of a bar (rests and held notes
//!   included); the share of generated bars whose melody is not any bar melody of the corpus
//!   (at any bar).
//! - *4-bar windows in the corpus*: the share of the generated stream's 4-bar melody windows
//!   (every bar start, across chorus boundaries) that are 4 consecutive bar melodies of a
//!   corpus chorus (wrapping from the last bar to bar 1 of the same chorus).
//! - *repeated bars*: from the second chorus on, the share of bars whose melody equals the
//!   same bar of the chorus before.
//! - *MI*: mutual information (bits) between the frame at t and the frame at t + lag, over every
//!   pair in the stream, a frame being one symbol (chord mask and the notes of the lines); plug-in
//!   entropies with the Miller–Madow correction ((m − 1)/2n nats for m occupied bins). Reported
//!   at the lag of one chorus (96 steps for 12 bars) and as the mean over the lags below it; a
//!   generator with chorus-long structure has MI there well above that mean. The same again for the melody note alone, as
//!   the chords (given to the random walk) carry most of the frames' structure.
//!   NOTE: where a frame by itself says where in the chorus it is (every frame distinct), a
//!   periodic stream has full MI at every lag, not just at 96; the corpus is far from that.

use crate::lstm::training_set::{sample_indices, SURVEY_CHORUSES};
use crate::music::corpus::Corpus;
use crate::music::encoding::{Frame, Note, STEPS_PER_BAR};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The melody of one bar: the melody note of each of its 8 steps.
pub type BarMelody = [Note; STEPS_PER_BAR];

/// Bars per melody window of the corpus-overlap measure.
pub const WINDOW_BARS: usize = 4;

/// The melody of `WINDOW_BARS` consecutive bars.
type Window = [Note; WINDOW_BARS * STEPS_PER_BAR];

/// What generated music is measured against: the form and the training corpus's melodies.
#[derive(Clone, Debug)]
pub struct Reference {
    /// The chord mask each step of the form sounds (the one the corpus plays most there).
    pub form: Vec<u16>,
    /// Bit `pc` set: pitch class `pc` is one the corpus's melody uses.
    pub scale: u16,
    /// Every bar melody of the corpus, whatever its bar.
    bars: HashSet<BarMelody>,
    /// Every 4-bar melody window of the corpus (within a chorus, wrapping around the form).
    windows: HashSet<Window>,
}

impl Reference {
    /// The form, scale and melodies of `corpus` (read whole, or a fixed sample of a corpus too
    /// large to read).
    pub fn new(corpus: &Corpus) -> Self {
        let mut bars = HashSet::new();
        let mut windows = HashSet::new();
        let steps = corpus.form.steps();
        let n_bars = corpus.form.bars;
        let mut chords: Vec<HashMap<u16, usize>> = vec![HashMap::new(); steps];
        let mut scale = 0u16;
        let mut chorus = vec![Frame::default(); steps];
        for index in sample_indices(corpus.len(), SURVEY_CHORUSES) {
            corpus.write_chorus(index, &mut chorus);
            for (s, f) in chorus.iter().enumerate() {
                *chords[s].entry(f.chord).or_default() += 1;
                if let Some(key) = f.melody.key {
                    scale |= 1 << (key % 12);
                }
            }
            let melodies = bar_melodies(&chorus);
            for (b, melody) in melodies.iter().enumerate() {
                bars.insert(*melody);
                let bars_of_window = (0..WINDOW_BARS).map(|w| &melodies[(b + w) % n_bars]);
                windows.insert(window_of(bars_of_window));
            }
        }
        // The most common chord at each step (the smaller mask on a tie, for determinism).
        let form = chords
            .iter()
            .map(|counts| counts.iter().max_by_key(|&(mask, n)| (*n, std::cmp::Reverse(*mask))).map_or(0, |(m, _)| *m))
            .collect();
        Self { form, scale, bars, windows }
    }

    /// Steps of a chorus of the form.
    pub fn steps_per_chorus(&self) -> usize {
        self.form.len()
    }

    /// Bars of the form.
    pub fn bars_per_chorus(&self) -> usize {
        self.form.len() / STEPS_PER_BAR
    }
}

/// The measures of one generated stream (see the module docs for each definition). Melody
/// measures are `None` when the stream has no melody at all (a chords-only model).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Whole choruses measured (the stream is `choruses × 96` frames).
    pub choruses: usize,
    pub chord_accuracy: f64,
    pub bar_start_chord_accuracy: f64,
    /// Choruses with every step's chord right.
    pub form_held_choruses: usize,
    /// First chorus (1-based) with a wrong chord; `None` if the form never breaks.
    pub first_break_chorus: Option<usize>,
    /// Steps with a melody note, out of all steps.
    pub melody_steps: f64,
    pub in_scale: Option<f64>,
    pub chord_tones_on_beats: Option<f64>,
    pub novel_bars: Option<f64>,
    pub windows_in_corpus: Option<f64>,
    pub repeated_bars: Option<f64>,
    /// Distinct bar melodies played.
    pub distinct_bars: Option<usize>,
    /// The lag of one chorus, in steps (96 for 12 bars).
    pub chorus_lag: usize,
    /// Mutual information (bits) between frames one chorus apart, and its mean over the lags
    /// below that.
    pub mi_lag_chorus: f64,
    pub mi_mean_shorter_lags: f64,
    /// The same between melody notes alone (chords left out).
    pub melody_mi_lag_chorus: f64,
    pub melody_mi_mean_shorter_lags: f64,
}

/// The bar melodies of a stream of frames (whole bars only).
pub fn bar_melodies(frames: &[Frame]) -> Vec<BarMelody> {
    frames.chunks_exact(STEPS_PER_BAR).map(|bar| std::array::from_fn(|s| bar[s].melody)).collect()
}

fn window_of<'a>(bars: impl Iterator<Item = &'a BarMelody>) -> Window {
    let mut window = [Note::REST; WINDOW_BARS * STEPS_PER_BAR];
    for (chunk, bar) in window.chunks_exact_mut(STEPS_PER_BAR).zip(bars) {
        chunk.copy_from_slice(bar);
    }
    window
}

/// `part / whole`, or `None` when there is nothing to count.
fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Measures `frames` (whole choruses from bar 1; a trailing partial chorus is ignored).
pub fn evaluate(frames: &[Frame], reference: &Reference) -> Report {
    let steps = reference.steps_per_chorus();
    let choruses = frames.len() / steps;
    let frames = &frames[..choruses * steps];
    let right = |step: usize| frames[step].chord == reference.form[step % steps];
    let n = frames.len();
    let chord_right = (0..n).filter(|&s| right(s)).count();
    let bar_starts_right = (0..n).step_by(STEPS_PER_BAR).filter(|&s| right(s)).count();
    let broken: Vec<bool> = (0..choruses).map(|c| (c * steps..(c + 1) * steps).any(|s| !right(s))).collect();

    let notes: Vec<(usize, u8)> =
        frames.iter().enumerate().filter_map(|(s, f)| f.melody.key.map(|k| (s, k % 12))).collect();
    let in_scale = notes.iter().filter(|(_, pc)| reference.scale & (1 << pc) != 0).count();
    let on_beats: Vec<&(usize, u8)> = notes.iter().filter(|(s, _)| s % 2 == 0).collect();
    let chord_tones = on_beats.iter().filter(|&&&(s, pc)| chord_has_pitch_class(frames[s].chord, pc)).count();

    let bars = bar_melodies(frames);
    let has_melody = !notes.is_empty();
    let novel = bars.iter().filter(|b| !reference.bars.contains(*b)).count();
    let n_windows = bars.len().saturating_sub(WINDOW_BARS - 1);
    let known_windows =
        (0..n_windows).filter(|&b| reference.windows.contains(&window_of(bars[b..b + WINDOW_BARS].iter()))).count();
    let n_bars = reference.bars_per_chorus();
    let repeated = (n_bars..bars.len()).filter(|&b| bars[b] == bars[b - n_bars]).count();
    let distinct: HashSet<&BarMelody> = bars.iter().collect();
    let melody = |x: Option<f64>| x.filter(|_| has_melody);

    let (mi_lag_chorus, mi_mean_shorter_lags) = long_and_short_mi(frames, symbol, steps);
    let (melody_mi_lag_chorus, melody_mi_mean_shorter_lags) = long_and_short_mi(frames, melody_symbol, steps);
    Report {
        choruses,
        chord_accuracy: share(chord_right, n).unwrap_or(0.0),
        bar_start_chord_accuracy: share(bar_starts_right, n / STEPS_PER_BAR).unwrap_or(0.0),
        form_held_choruses: broken.iter().filter(|&&b| !b).count(),
        first_break_chorus: broken.iter().position(|&b| b).map(|c| c + 1),
        melody_steps: share(notes.len(), n).unwrap_or(0.0),
        in_scale: share(in_scale, notes.len()),
        chord_tones_on_beats: share(chord_tones, on_beats.len()),
        novel_bars: melody(share(novel, bars.len())),
        windows_in_corpus: melody(share(known_windows, n_windows)),
        repeated_bars: melody(share(repeated, bars.len().saturating_sub(n_bars))),
        distinct_bars: has_melody.then_some(distinct.len()),
        chorus_lag: steps,
        mi_lag_chorus,
        mi_mean_shorter_lags,
        melody_mi_lag_chorus,
        melody_mi_mean_shorter_lags,
    }
}

/// Whether chord mask `chord` (bit `pc` = pitch class `pc`) sounds pitch class `pc`.
fn chord_has_pitch_class(chord: u16, pc: u8) -> bool {
    chord & (1 << pc) != 0
}

/// A note as 7 bits: key + 1, 0 for silence. (What sounds, not whether it begins: in the
/// paper's encoding a note's beginning says only where the beat is.)
fn note_bits(note: Note) -> u64 {
    u64::from(note.key.map_or(0, |k| k.min(126) + 1))
}

/// A frame as one symbol: the chord's 12 bits, then what the melody, bass and comping sound.
fn symbol(frame: &Frame) -> u64 {
    u64::from(frame.chord & 0xFFF)
        | note_bits(frame.melody) << 12
        | note_bits(frame.bass) << 20
        | note_bits(frame.comp) << 28
}

/// The melody of a frame as one symbol.
fn melody_symbol(frame: &Frame) -> u64 {
    note_bits(frame.melody)
}

/// Mutual information (bits, Miller–Madow corrected) between `frames[t]` and
/// `frames[t + lag]` over every such pair; 0 when there are no pairs.
pub fn mutual_information(frames: &[Frame], lag: usize) -> f64 {
    symbols_mi(&frames.iter().map(symbol).collect::<Vec<_>>(), lag)
}

/// MI at `long` and its mean over lags 1 to `long` − 1, of the symbols `of` gives.
fn long_and_short_mi(frames: &[Frame], of: fn(&Frame) -> u64, long: usize) -> (f64, f64) {
    let symbols: Vec<u64> = frames.iter().map(of).collect();
    let short = (1..long).map(|lag| symbols_mi(&symbols, lag)).sum::<f64>() / (long - 1).max(1) as f64;
    (symbols_mi(&symbols, long), short)
}

/// [`mutual_information`] of a sequence of symbols.
fn symbols_mi(symbols: &[u64], lag: usize) -> f64 {
    if lag == 0 || symbols.len() <= lag {
        return 0.0;
    }
    // Dense symbol ids in sorted order, so every count (and the sums over them) is the same on
    // every run.
    let mut alphabet = symbols.to_vec();
    alphabet.sort_unstable();
    alphabet.dedup();
    let ids: Vec<usize> = symbols.iter().map(|s| alphabet.binary_search(s).unwrap_or(0)).collect();
    let n = ids.len() - lag;
    let (xs, ys) = (&ids[..n], &ids[lag..]);
    let k = alphabet.len();
    let mut px = vec![0usize; k];
    let mut py = vec![0usize; k];
    for (&x, &y) in xs.iter().zip(ys) {
        px[x] += 1;
        py[y] += 1;
    }
    let mut joint: Vec<usize> = xs.iter().zip(ys).map(|(&x, &y)| x * k + y).collect();
    joint.sort_unstable();
    let mut pxy = Vec::new();
    for chunk in joint.chunk_by(|a, b| a == b) {
        pxy.push(chunk.len());
    }
    let h_x = entropy_mm(&px, n);
    let h_y = entropy_mm(&py, n);
    let h_xy = entropy_mm(&pxy, n);
    (h_x + h_y - h_xy) / std::f64::consts::LN_2
}

/// Miller–Madow entropy (nats) of `counts` over `n` samples: plug-in plus (m − 1)/2n.
fn entropy_mm(counts: &[usize], n: usize) -> f64 {
    let n_f = n as f64;
    let mut h = 0.0;
    let mut occupied = 0;
    for &c in counts.iter().filter(|&&c| c > 0) {
        let p = c as f64 / n_f;
        h -= p * p.ln();
        occupied += 1;
    }
    h + (occupied as f64 - 1.0) / (2.0 * n_f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::rng::Rng;
    use crate::music::style::{builtin_style, Style};

    fn paper() -> &'static Style {
        builtin_style("paper-blues").unwrap()
    }

    fn builtin_chorus(i: usize) -> Vec<Frame> {
        paper().chorus(i)
    }

    fn reference() -> Reference {
        Reference::new(&Corpus::of_style(paper()))
    }

    fn form() -> Vec<u16> {
        reference().form
    }

    /// A quarter note of `key` at step `s`: struck on the beat, held off it.
    fn quarter(s: usize, key: u8) -> Note {
        Note { key: Some(key), begin: s.is_multiple_of(2) }
    }

    fn corpus_stream(choruses: usize, seed: u64) -> Vec<Frame> {
        let mut rng = Rng::new(seed);
        (0..choruses).flat_map(|_| builtin_chorus(rng.below(4096))).collect()
    }

    #[test]
    fn the_corpus_itself_is_perfect_and_not_novel() {
        let reference = reference();
        let r = evaluate(&corpus_stream(40, 1), &reference);
        assert_eq!(r.choruses, 40);
        assert_eq!((r.chord_accuracy, r.bar_start_chord_accuracy), (1.0, 1.0));
        assert_eq!((r.form_held_choruses, r.first_break_chorus), (40, None));
        assert_eq!((r.melody_steps, r.in_scale), (1.0, Some(1.0)));
        assert_eq!(r.novel_bars, Some(0.0));
        assert_eq!(r.windows_in_corpus, Some(1.0));
        // 24 segments written, but bar 12 reuses a segment of bar 10.
        assert_eq!(r.distinct_bars, Some(23));
        // Two segments per bar, chosen at random: about half the bars repeat.
        let repeated = r.repeated_bars.unwrap();
        assert!((0.35..0.65).contains(&repeated), "{repeated}");
        let tones = r.chord_tones_on_beats.unwrap();
        assert!(tones > 0.5 && tones < 1.0, "{tones}");
        // The form repeats every chorus: the frame 96 steps on is far more predictable.
        assert_eq!(r.chorus_lag, 96);
        assert!(r.mi_lag_chorus > 1.5 * r.mi_mean_shorter_lags, "{} vs {}", r.mi_lag_chorus, r.mi_mean_shorter_lags);
    }

    #[test]
    fn one_corpus_chorus_is_right_everywhere() {
        let r = evaluate(&builtin_chorus(1234), &reference());
        assert_eq!((r.choruses, r.chord_accuracy, r.bar_start_chord_accuracy), (1, 1.0, 1.0));
        assert_eq!((r.form_held_choruses, r.first_break_chorus), (1, None));
        assert_eq!((r.in_scale, r.novel_bars, r.windows_in_corpus), (Some(1.0), Some(0.0), Some(1.0)));
        assert_eq!(r.repeated_bars, None, "no chorus before the first");
    }

    #[test]
    fn chords_one_bar_late_break_the_form_in_the_first_chorus() {
        let right = corpus_stream(3, 4);
        let late: Vec<Frame> = (0..right.len())
            .map(|s| Frame { chord: right[(s + right.len() - STEPS_PER_BAR) % right.len()].chord, ..right[s] })
            .collect();
        let r = evaluate(&late, &reference());
        // C7 F7 C7 C7 F7 F7 C7 A7 Dm7 G7 C7 G7 one bar late: only bars 4 (C7) and 6 (F7) agree.
        assert_eq!((r.chord_accuracy, r.bar_start_chord_accuracy), (2.0 / 12.0, 2.0 / 12.0));
        assert_eq!((r.form_held_choruses, r.first_break_chorus), (0, Some(1)));
        assert_eq!(r.in_scale, Some(1.0), "the melody is untouched");
    }

    #[test]
    fn in_scale_and_chord_tones_count_notes() {
        // C, C#, D, E on the eighth notes of every bar: C and D fall on the beats.
        let form = form();
        let frames: Vec<Frame> = (0..2 * 96)
            .map(|s| Frame { chord: form[s % 96], melody: Note::struck([60, 61, 62, 64][s % 4]), ..Frame::default() })
            .collect();
        let r = evaluate(&frames, &reference());
        assert_eq!(r.in_scale, Some(0.75), "C# is not pentatonic");
        // Beats with a chord tone, per bar: C7 2 (C), F7 2 (C), A7 0, Dm7 4 (C, D), G7 2 (D);
        // five C7, three F7, one A7, one Dm7 and two G7 bars: 24 of 48.
        assert_eq!(r.chord_tones_on_beats, Some(0.5));
        assert_eq!(r.repeated_bars, Some(1.0));
    }

    #[test]
    fn a_periodic_stream_has_its_structure_at_lag_96() {
        // Two melody notes at random over the form: a frame alone does not say where in the
        // chorus it is (with every frame distinct, any lag would be as informative).
        let mut rng = Rng::new(9);
        let form = form();
        let chorus: Vec<Frame> = (0..96)
            .map(|s| Frame { chord: form[s], melody: Note::struck(60 + rng.below(2) as u8), ..Frame::default() })
            .collect();
        let periodic: Vec<Frame> = chorus.iter().cycle().take(20 * 96).copied().collect();
        let r = evaluate(&periodic, &reference());
        assert!(r.mi_lag_chorus > 2.0 * r.mi_mean_shorter_lags, "{} vs {}", r.mi_lag_chorus, r.mi_mean_shorter_lags);
        // A fresh random melody every chorus over the same chords: less at lag 96, still the form.
        let fresh: Vec<Frame> =
            (0..20 * 96).map(|s| Frame { melody: Note::struck(60 + rng.below(2) as u8), ..periodic[s] }).collect();
        let f = evaluate(&fresh, &reference());
        assert!(f.mi_lag_chorus < r.mi_lag_chorus && f.mi_lag_chorus > f.mi_mean_shorter_lags, "{f:?}");
    }

    #[test]
    fn a_constant_melody_repeats_and_is_novel() {
        let form = form();
        let frames: Vec<Frame> =
            (0..5 * 96).map(|s| Frame { chord: form[s % 96], melody: quarter(s, 61), ..Frame::default() }).collect();
        let r = evaluate(&frames, &reference());
        assert_eq!(r.repeated_bars, Some(1.0));
        assert_eq!(r.novel_bars, Some(1.0));
        assert_eq!(r.windows_in_corpus, Some(0.0));
        assert_eq!(r.distinct_bars, Some(1));
        assert_eq!(r.in_scale, Some(0.0), "C#4 is not pentatonic");
        assert_eq!(r.chord_tones_on_beats, Some(1.0 / 12.0), "C# is a chord tone of A7 (bar 8) only");
    }

    #[test]
    fn form_breaks_are_found_and_chords_only_has_no_melody_measures() {
        let mut frames: Vec<Frame> = corpus_stream(6, 2).iter().map(|f| Frame { melody: Note::REST, ..*f }).collect();
        frames[3 * 96 + 9].chord = 0; // chorus 4, bar 2, second step
        frames[5 * 96 + 16].chord = 1; // chorus 6, bar 3, first step
        frames.push(Frame::default()); // a partial chorus is ignored
        let r = evaluate(&frames, &reference());
        assert_eq!(r.choruses, 6);
        assert_eq!(r.first_break_chorus, Some(4));
        assert_eq!(r.form_held_choruses, 4);
        assert_eq!(r.chord_accuracy, 1.0 - 2.0 / 576.0);
        assert_eq!(r.bar_start_chord_accuracy, 1.0 - 1.0 / 72.0);
        assert_eq!(r.melody_steps, 0.0);
        assert_eq!((r.in_scale, r.novel_bars, r.repeated_bars, r.distinct_bars), (None, None, None, None));
    }

    #[test]
    fn mutual_information_sees_the_chorus_period_and_not_noise() {
        let mut rng = Rng::new(5);
        let random = |rng: &mut Rng| Frame {
            chord: 1 << rng.below(2),
            melody: Note::struck(60 + rng.below(2) as u8),
            ..Frame::default()
        };
        let noise: Vec<Frame> = (0..20_000).map(|_| random(&mut rng)).collect();
        for lag in [1, 7, 96] {
            let mi = mutual_information(&noise, lag);
            assert!(mi.abs() < 0.01, "lag {lag}: {mi}");
        }
        // One random chorus, repeated: everything at lag 96 is known (2 bits), little elsewhere.
        let chorus: Vec<Frame> = (0..96).map(|_| random(&mut rng)).collect();
        let repeated: Vec<Frame> = chorus.iter().cycle().take(50 * 96).copied().collect();
        let mi96 = mutual_information(&repeated, 96);
        assert!((mi96 - 2.0).abs() < 0.1, "{mi96}");
        assert!(mutual_information(&repeated, 5) < 0.5);
        assert_eq!(mutual_information(&repeated[..10], 96), 0.0);
        // Identical symbols: no information either way.
        assert!(mutual_information(&[Frame::default(); 300], 3).abs() < 1e-12);
    }
}
