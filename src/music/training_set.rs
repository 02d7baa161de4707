//! A corpus as the trainer sees it: its choruses written as the units of an encoding
//! ([`crate::lstm::training_set::TrainingSet`]). Trainer thread or CLI.

use super::corpus::Corpus;
use super::encoding::{Encoding, Frame, StepContext};
use crate::lstm::training_set::{sample_indices, TrainingSet, SURVEY_CHORUSES};

/// `corpus` in `encoding`'s units.
pub struct EncodedCorpus<'a> {
    pub corpus: &'a Corpus,
    pub encoding: Encoding,
}

impl<'a> EncodedCorpus<'a> {
    pub fn new(corpus: &'a Corpus, encoding: Encoding) -> Self {
        Self { corpus, encoding }
    }
}

impl TrainingSet for EncodedCorpus<'_> {
    fn len(&self) -> usize {
        self.corpus.len()
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
        let mut frames = vec![Frame::default(); form.steps()];
        self.corpus.write_chorus(index, &mut frames);
        let (n, n_in) = (self.encoding.n_units(), self.encoding.n_inputs());
        for (step, (frame, units)) in frames.iter().zip(out.chunks_exact_mut(n_in)).enumerate() {
            self.encoding.encode(frame, &mut units[..n]);
            self.encoding.encode_context(&StepContext::at(form, step as i64 + 1), units);
        }
    }

    fn describe(&self) -> String {
        self.corpus.describe()
    }

    /// A sample of the style's choruses and every one of the user's.
    fn survey(&self) -> Vec<usize> {
        let builtin = self.corpus.style.map_or(0, |s| s.choruses());
        let mut indices = sample_indices(builtin, SURVEY_CHORUSES);
        indices.extend(builtin..self.corpus.len());
        indices
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
            Encoding::paper().encode(frame, &mut one);
            assert_eq!(&units[s * 25..(s + 1) * 25], &one);
        }
        let chords = EncodedCorpus::new(&corpus, Encoding::paper_chords_only());
        let mut only = vec![0.0; 96 * 12];
        chords.write_chorus(5, &mut only);
        assert_eq!(only[..12], units[..12]);
        assert_eq!(set.survey().len(), 4096, "the paper's corpus is read whole");
    }
}
