//! A corpus as the trainer sees it: its choruses written as the units of an encoding
//! ([`crate::lstm::training_set::TrainingSet`]). Trainer thread or CLI.

use super::chart::Chart;
use super::corpus::Corpus;
use super::encoding::{Encoding, Frame, StepContext};
use super::intensity::{score, IntensityScale};
use super::traded::{trade, Trading};
use crate::lstm::rng::mix;
use crate::lstm::training_set::{sample_indices, TrainingSet, SURVEY_CHORUSES};

/// `corpus` in `encoding`'s units.
pub struct EncodedCorpus<'a> {
    pub corpus: &'a Corpus,
    pub encoding: Encoding,
    /// Where the corpus's choruses rank in intensity, for an encoding that hears it.
    intensity: Option<IntensityScale>,
    /// The corpus's choruses drawn from: all of them, or for a band that trades, at most half
    /// of what a `usize` counts, so the traded ones can follow.
    own: usize,
    /// Traded choruses after the corpus's own (`music::traded`), for an encoding that hears
    /// whose turn it is: as many as the corpus's own (`band_recipe_for` says what that bought).
    traded: usize,
}

impl<'a> EncodedCorpus<'a> {
    pub fn new(corpus: &'a Corpus, encoding: Encoding) -> Self {
        let intensity = encoding.context.intensity.then(|| IntensityScale::of(corpus));
        let trades = encoding.context.turn && encoding.melody.is_some() && corpus.len() >= 2;
        // The 16-bar and rhythm-changes corpora recombine into more choruses than a `usize`
        // counts (`Style::choruses` says `usize::MAX`): their own and as many traded ones
        // overflowed, and the traded ones were never drawn. A band's chorus past the count is
        // still any combination of its sections' lines (`Style::write_chorus`).
        let own = if trades { corpus.len().min(usize::MAX / 2) } else { corpus.len() };
        let traded = if trades { own } else { 0 };
        Self { corpus, encoding, intensity, own, traded }
    }

    /// The frames of set chorus `index`, and whether each step is in the player's turn: a
    /// chorus of the corpus (never), or a traded chorus made from two of them.
    pub fn frames(&self, index: usize) -> (Vec<Frame>, Vec<bool>) {
        let (n, steps) = (self.own, self.corpus.form.steps());
        let melody = match self.encoding.melody {
            Some(melody) if index >= n => melody,
            _ => return (self.corpus.chorus(index), vec![false; steps]),
        };
        let h = mix(index as u64, 0x7AD3);
        let base = (h % n as u64) as usize;
        let base_frames = self.corpus.chorus(base);
        // The call: of a few other choruses, the one nearest the base in intensity, so the
        // chorus keeps one intensity as the band learns it (`music::intensity`); calls from any
        // chorus weakened the default band's response to the control by a third.
        let per_bar = self.corpus.form.steps_per_bar;
        let target = score(&base_frames, per_bar);
        let call = (0..CALL_CANDIDATES)
            .map(|k| (base + 1 + (mix(h, k) % (n as u64 - 1)) as usize) % n)
            .map(|c| {
                let frames = self.corpus.chorus(c);
                ((score(&frames, per_bar) - target).abs(), frames)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, frames)| frames)
            .unwrap_or_else(|| base_frames.clone());
        let trading = Trading::pick(h >> 40, self.corpus.form.bars);
        let traded = trade(&base_frames, &call, per_bar, trading, melody);
        (traded.frames, traded.their_turn)
    }
}

impl TrainingSet for EncodedCorpus<'_> {
    fn len(&self) -> usize {
        self.own + self.traded
    }

    fn steps_per_chorus(&self) -> usize {
        self.corpus.form.steps()
    }

    /// The frame's units, then the context of the step after it (the step it predicts).
    fn n_units(&self) -> usize {
        self.encoding.n_inputs()
    }

    fn write_chorus(&self, index: usize, out: &mut [f32]) {
        let form = self.corpus.form;
        let (frames, their_turn) = self.frames(index);
        let (n, n_in) = (self.encoding.n_units(), self.encoding.n_inputs());
        // The chorus's intensity, at every step (`music::intensity`).
        let level = self.intensity.as_ref().map(|scale| scale.level_of(&frames, form.steps_per_bar));
        for (step, (frame, units)) in frames.iter().zip(out.chunks_exact_mut(n_in)).enumerate() {
            // The first step follows the chorus before, which is the form's end.
            let previous = if step == 0 { frames[frames.len() - 1] } else { frames[step - 1] };
            self.encoding.encode(frame, &previous, &mut units[..n]);
            let mut context = StepContext::at(form, step as i64 + 1);
            context.intensity = level.unwrap_or(context.intensity);
            context.their_turn = their_turn[(step + 1) % their_turn.len()];
            self.encoding.encode_context(&context, units);
        }
    }

    fn describe(&self) -> String {
        self.corpus.describe()
    }

    /// A sample of the style's choruses and every one of the user's (the traded choruses
    /// play the same chords).
    fn survey(&self) -> Vec<usize> {
        let builtin = self.corpus.style.map_or(0, |s| s.choruses());
        let mut indices = sample_indices(builtin, SURVEY_CHORUSES);
        indices.extend(builtin..self.corpus.len());
        indices
    }
}

/// Choruses a traded chorus's call is chosen among.
const CALL_CANDIDATES: u64 = 8;

/// Performances over charts (the chart band's corpus) as the trainer sees them: windows of
/// `encoding.bars` bars starting every [`WINDOW_STRIDE_BARS`] bars of every take, each step
/// followed by the context of the step after it — its place in the bar and the chart, and the
/// chord the chart gives it.
pub struct ChartWindows<'a> {
    pub takes: &'a [(Chart, Vec<Frame>)],
    pub encoding: Encoding,
    /// (take, first step) of every window.
    windows: Vec<(usize, usize)>,
}

/// Bars between the starts of two windows of a take.
pub const WINDOW_STRIDE_BARS: usize = 4;

impl<'a> ChartWindows<'a> {
    pub fn new(takes: &'a [(Chart, Vec<Frame>)], encoding: Encoding) -> Self {
        let steps = encoding.steps_per_chorus();
        let stride = WINDOW_STRIDE_BARS * encoding.steps_per_bar;
        let windows = takes
            .iter()
            .enumerate()
            .flat_map(|(t, (_, frames))| {
                (0..frames.len().saturating_sub(steps - 1)).step_by(stride).map(move |start| (t, start))
            })
            .collect();
        Self { takes, encoding, windows }
    }
}

impl TrainingSet for ChartWindows<'_> {
    fn len(&self) -> usize {
        self.windows.len()
    }

    fn steps_per_chorus(&self) -> usize {
        self.encoding.steps_per_chorus()
    }

    fn n_units(&self) -> usize {
        self.encoding.n_inputs()
    }

    fn write_chorus(&self, index: usize, out: &mut [f32]) {
        let (take, start) = self.windows[index];
        let (chart, frames) = &self.takes[take];
        let (n, n_in) = (self.encoding.n_units(), self.encoding.n_inputs());
        let per_bar = self.encoding.steps_per_bar;
        for (i, units) in out.chunks_exact_mut(n_in).take(self.steps_per_chorus()).enumerate() {
            let step = start + i;
            let previous = if step > 0 { frames[step - 1] } else { Frame::default() };
            self.encoding.encode(&frames[step], &previous, &mut units[..n]);
            let next = step + 1;
            let chord = frames.get(next).map_or_else(|| chart.chord_at_step(next).mask(), |f| f.chord);
            let context = StepContext {
                step_in_bar: next % per_bar,
                bar: (next / per_bar) % chart.len(),
                bars: chart.len(),
                chord,
                intensity: 0.5,
                their_turn: false,
            };
            self.encoding.encode_context(&context, units);
        }
    }

    fn describe(&self) -> String {
        format!("{} windows of {} bars over {} chart takes", self.windows.len(), self.encoding.bars, self.takes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::style::builtin_style;

    #[test]
    fn choruses_are_written_as_units() {
        let corpus = Corpus::of_style(builtin_style("paper-blues").unwrap());
        let set = EncodedCorpus::new(&corpus, Encoding::paper());
        let mut units = vec![0.0; 96 * 25];
        set.write_chorus(5, &mut units);
        let chorus = corpus.chorus(5);
        let mut one = [0.0; 25];
        for (s, frame) in chorus.iter().enumerate() {
            Encoding::paper().encode(frame, &Frame::default(), &mut one);
            assert_eq!(&units[s * 25..(s + 1) * 25], &one);
        }
        let chords = EncodedCorpus::new(&corpus, Encoding::paper_chords_only());
        let mut only = vec![0.0; 96 * 12];
        chords.write_chorus(5, &mut only);
        assert_eq!(only[..12], units[..12]);
        assert_eq!(set.survey().len(), 4096, "the paper's corpus is read whole");
        // The band's melody restrike unit (after its rest, 30 keys and begin unit) marks a key
        // struck again; the form's end comes before its start.
        let corpus = Corpus::of_style(builtin_style("minor-blues").unwrap());
        let enc = Encoding::band(12);
        let (set, n_in, again_unit) = (EncodedCorpus::new(&corpus, enc), enc.n_inputs(), 12 + 32);
        let mut restrikes = 0;
        for i in (0..corpus.len()).step_by(corpus.len().div_ceil(200)) {
            let chorus = corpus.chorus(i);
            let mut units = vec![0.0; chorus.len() * n_in];
            set.write_chorus(i, &mut units);
            let written = (0..chorus.len()).filter(|&s| units[s * n_in + again_unit] == 1.0).count();
            let before = |s: usize| chorus[(s + chorus.len() - 1) % chorus.len()].melody.key;
            let struck_again =
                (0..chorus.len()).filter(|&s| chorus[s].melody.begin && chorus[s].melody.key == before(s));
            assert_eq!(written, struck_again.count(), "chorus {i}");
            restrikes += written;
        }
        assert!(restrikes > 10, "the minor blues strikes keys again: {restrikes}");
    }

    #[test]
    fn a_corpus_past_what_a_usize_counts_still_trades_half_its_choruses() {
        // The 16-bar blues recombines into more choruses than a `usize` counts: its traded
        // choruses once overflowed the set and were never drawn.
        let corpus = Corpus::of_style(builtin_style("sixteen-bar-blues").unwrap());
        assert_eq!(corpus.len(), usize::MAX);
        let set = EncodedCorpus::new(&corpus, Encoding::trading_band(16));
        assert_eq!(set.len(), 2 * (usize::MAX / 2), "as many traded as its own");
        let mut rng = crate::lstm::rng::Rng::new(1);
        let traded = (0..1000).filter(|_| set.frames(rng.below(set.len())).1.iter().any(|&t| t)).count();
        assert!((400..600).contains(&traded), "{traded} of 1000 drawn choruses traded");
        // A band that does not trade draws from every chorus, as its model was trained.
        assert_eq!(EncodedCorpus::new(&corpus, Encoding::band(16)).len(), usize::MAX);
    }

    #[test]
    fn a_band_that_trades_also_learns_traded_choruses_told_whose_turn_it_is() {
        let corpus = Corpus::of_style(builtin_style("bebop-blues").unwrap());
        let enc = Encoding::trading_band(12);
        let set = EncodedCorpus::new(&corpus, enc);
        assert_eq!(set.len(), 2 * corpus.len(), "as many traded choruses as the corpus's");
        assert_eq!(EncodedCorpus::new(&corpus, Encoding::band(12)).len(), corpus.len(), "a band that does not trade");
        let n_in = enc.n_inputs();
        let mut units = vec![0.0; 96 * n_in];
        // The turn unit is the last: each step tells whether the step it predicts is the player's.
        let turn_units = |units: &[f32]| (0..96).map(|s| units[s * n_in + n_in - 1] == 1.0).collect::<Vec<_>>();
        set.write_chorus(7, &mut units);
        assert!(turn_units(&units).iter().all(|&t| !t), "the corpus's own choruses: the band's turn throughout");
        for index in [corpus.len(), corpus.len() + 12_345] {
            let (frames, theirs) = set.frames(index);
            assert!(theirs.iter().any(|&t| t) && theirs.iter().any(|&t| !t), "turns are traded");
            set.write_chorus(index, &mut units);
            let predicted: Vec<bool> = (0..96).map(|s| theirs[(s + 1) % 96]).collect();
            assert_eq!(turn_units(&units), predicted);
            let chords: Vec<u16> = frames.iter().map(|f| f.chord).collect();
            assert_eq!(chords, builtin_style("bebop-blues").unwrap().chords, "the form's chords");
        }
    }

    #[test]
    fn chart_windows_give_each_step_the_next_steps_chord_and_place() {
        use crate::music::chart::{ChartChord, Quality};
        let (c7, f7) = (ChartChord::new(0, Quality::Dom7), ChartChord::new(5, Quality::Dom7));
        let chart = Chart { bars: vec![[c7; 4], [f7; 4]] };
        // Eight bars of the two-bar chart, every frame over its chord.
        let frames: Vec<Frame> =
            (0..64).map(|s| Frame { chord: chart.chord_at_step(s).mask(), ..Frame::default() }).collect();
        let takes = vec![(chart, frames)];
        let encoding = Encoding::chart_band(4);
        let set = ChartWindows::new(&takes, encoding);
        assert_eq!(set.len(), 2, "windows from bars 1 and 5");
        let n_in = encoding.n_inputs();
        let mut units = vec![0.0; set.steps_per_chorus() * n_in];
        set.write_chorus(1, &mut units);
        let context = |step: usize| &units[step * n_in + encoding.n_units()..(step + 1) * n_in];
        // Step 7 of the window (bar 5's last eighth) tells of bar 6's downbeat: over F7, the
        // chart's last bar.
        let at = context(7);
        assert_eq!(at[0], 1.0, "the downbeat comes next");
        let chord: Vec<usize> = (0..12).filter(|&pc| at[8 + pc] == 1.0).collect();
        assert_eq!(chord, vec![0, 3, 5, 9], "F7's pitch classes");
        assert_eq!(&at[20..24], &[0.0, 1.0, 0.0, 0.0], "the chart's last bar");
    }
}
