//! How intense a chorus is, as the network learns the Intensity control. A soloist plays a
//! chorus at one intensity: sparse and low, busy and high, or between. So a built-in style's
//! chorus is written at an intensity of its own (`music::style` picks each melody section's line
//! from those whose density suits it), and every chorus — the style's or a user's — is scored by
//! how dense and high its melody is and given the rank of that score among the corpus's
//! choruses: 0 the sparsest, lowest chorus the corpus has, 1 its busiest and highest, 0.5 its
//! middle. The trainer gives that rank as the intensity unit of every step of the chorus; at
//! play time the Intensity control (and Build) give it, and the network plays to match.
//!
//! One level a chorus, not one per phrase: a level that changes with each phrase tells the
//! network how many notes the phrase it is in still strikes, and it learned to strike them
//! whatever it held, restriking held keys (8 % of note pairs in the bebop band against 0.7 % in
//! its corpus). Trainer thread and CLI: allocates.

use super::corpus::Corpus;
use super::encoding::{Frame, Note};
use crate::lstm::training_set::sample_indices;

/// Choruses of a corpus surveyed for its scale (all of a user's; a sample of a style's).
const SURVEY: usize = 2000;

/// How dense and high a melody line is over `steps` steps: notes struck per bar, plus one for
/// every octave its struck notes average above middle C (below: minus). Silence scores 0.
pub fn score_line(line: impl Iterator<Item = Note>, steps_per_bar: usize) -> f32 {
    let (mut steps, mut struck, mut keys) = (0usize, 0usize, 0.0f32);
    for note in line {
        steps += 1;
        if let (true, Some(key)) = (note.begin, note.key) {
            struck += 1;
            keys += f32::from(key);
        }
    }
    if struck == 0 {
        return 0.0;
    }
    let bars = steps as f32 / steps_per_bar as f32;
    let height = keys / struck as f32 - 60.0;
    (struck as f32 / bars + height / 12.0).max(0.0)
}

/// The score of the melody of `frames`.
pub fn score(frames: &[Frame], steps_per_bar: usize) -> f32 {
    score_line(frames.iter().map(|f| f.melody), steps_per_bar)
}

/// Where each of `scores` ranks among them, 0 to 1 (ties share the middle of their run).
pub fn ranks(scores: &[f32]) -> Vec<f32> {
    let mut sorted = scores.to_vec();
    sorted.sort_by(f32::total_cmp);
    let scale = IntensityScale { sorted };
    scores.iter().map(|&s| scale.level(s)).collect()
}

/// The corpus's chorus scores, sorted: where a score ranks among them is its intensity.
#[derive(Clone, Debug, PartialEq)]
pub struct IntensityScale {
    sorted: Vec<f32>,
}

impl IntensityScale {
    /// The scale of `corpus`: the scores of a sample of its choruses (all of a user's).
    pub fn of(corpus: &Corpus) -> Self {
        let builtin = corpus.style.map_or(0, |s| s.choruses());
        let mut indices = sample_indices(builtin, SURVEY);
        indices.extend(builtin..corpus.len());
        let per_bar = corpus.form.steps_per_bar;
        let mut sorted: Vec<f32> = indices.into_iter().map(|i| score(&corpus.chorus(i), per_bar)).collect();
        sorted.sort_by(f32::total_cmp);
        Self { sorted }
    }

    /// Where `score` ranks, 0 to 1 (ties share the middle of their run; an empty scale: 0.5).
    pub fn level(&self, score: f32) -> f32 {
        if self.sorted.is_empty() {
            return 0.5;
        }
        let below = self.sorted.partition_point(|&s| s < score);
        let up_to = self.sorted.partition_point(|&s| s <= score);
        (below + up_to) as f32 / (2 * self.sorted.len()) as f32
    }

    /// The intensity of `chorus`.
    pub fn level_of(&self, chorus: &[Frame], steps_per_bar: usize) -> f32 {
        self.level(score(chorus, steps_per_bar))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(keys: &[Option<u8>]) -> Vec<Frame> {
        keys.iter().map(|&k| Frame { melody: k.map_or(Note::REST, Note::struck), ..Frame::default() }).collect()
    }

    #[test]
    fn busier_and_higher_scores_higher() {
        let sparse = line(&[Some(60), None, None, None, None, None, None, None]);
        let busy = line(&[Some(60); 8]);
        let busy_high = line(&[Some(72); 8]);
        assert_eq!(score(&line(&[None; 8]), 8), 0.0);
        assert_eq!(score(&sparse, 8), 1.0);
        assert_eq!(score(&busy, 8), 8.0);
        assert_eq!(score(&busy_high, 8), 9.0, "an octave up counts as one more note a bar");
    }

    #[test]
    fn a_level_is_a_rank_in_the_corpus() {
        let scale = IntensityScale { sorted: vec![1.0, 2.0, 2.0, 3.0] };
        assert_eq!(scale.level(0.0), 0.0);
        assert_eq!(scale.level(2.0), 0.5, "ties share the middle of their run");
        assert_eq!(scale.level(9.0), 1.0);
        assert_eq!(IntensityScale { sorted: vec![] }.level(3.0), 0.5);
        assert_eq!(ranks(&[3.0, 1.0, 2.0]), [5.0 / 6.0, 1.0 / 6.0, 0.5]);
    }

    #[test]
    fn a_style_plays_its_choruses_from_sparse_to_busy() {
        let style = crate::music::style::builtin_style("bebop-blues").unwrap();
        let corpus = Corpus::of_style(style);
        let scale = IntensityScale::of(&corpus);
        let per_bar = corpus.form.steps_per_bar;
        let scores: Vec<f32> = (0..400).map(|i| score(&corpus.chorus(i * 7919), per_bar)).collect();
        let (mut low, mut high) = (Vec::new(), Vec::new());
        for (i, &s) in scores.iter().enumerate() {
            let level = scale.level(s);
            let notes = corpus.chorus(i * 7919).iter().filter(|f| f.melody.begin).count() as f32 / 12.0;
            if level < 0.2 {
                low.push(notes);
            } else if level > 0.8 {
                high.push(notes);
            }
        }
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        assert!(low.len() > 40 && high.len() > 40, "both ends are written: {} low, {} high", low.len(), high.len());
        assert!(mean(&high) > mean(&low) + 1.5, "notes a bar: {} low, {} high", mean(&low), mean(&high));
    }
}
