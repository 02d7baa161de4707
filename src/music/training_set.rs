//! The corpus as the trainer sees it: `lstm::train::TrainingSet` for [`Corpus`], and the
//! encoding a model trained on it records. Trainer thread or CLI.

use super::corpus::Corpus;
use super::encoding::{BARS_PER_CHORUS, CHORD_LOW, MELODY_LOW, STEPS_PER_BAR, STEPS_PER_CHORUS};
use crate::lstm::model_file::Encoding;
use crate::lstm::train::TrainingSet;

/// The encoding of `music::encoding`, for the model file.
pub fn encoding() -> Encoding {
    Encoding {
        chord_low: CHORD_LOW,
        melody_low: MELODY_LOW,
        steps_per_bar: STEPS_PER_BAR as u32,
        bars_per_chorus: BARS_PER_CHORUS as u32,
    }
}

impl TrainingSet for Corpus {
    fn len(&self) -> usize {
        Corpus::len(self)
    }

    fn steps_per_chorus(&self) -> usize {
        STEPS_PER_CHORUS
    }

    fn write_chorus(&self, index: usize, n_in: usize, out: &mut [f32]) {
        for (frame, units) in self.chorus(index).iter().zip(out.chunks_exact_mut(n_in)) {
            frame.write_units(units);
        }
    }

    fn describe(&self) -> String {
        let plural = |n: usize| if n == 1 { "chorus" } else { "choruses" };
        let user = self.user.len();
        match (self.include_builtin, user) {
            (true, 0) => format!("built-in 12-bar blues ({} {})", Corpus::len(self), plural(Corpus::len(self))),
            (true, n) => format!("built-in 12-bar blues ({} choruses) + {n} user {}", Corpus::len(self) - n, plural(n)),
            (false, n) => format!("{n} user {}", plural(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::model_file::Model;
    use crate::lstm::topology::Topology;
    use crate::lstm::train::{free_run_chord_check, train, TrainConfig};
    use crate::music::corpus::builtin_chorus;
    use crate::music::encoding::{N_CHORD, N_UNITS};
    use std::sync::atomic::AtomicBool;

    #[test]
    fn choruses_are_written_as_units() {
        let corpus = Corpus::builtin();
        let mut units = vec![0.0; STEPS_PER_CHORUS * N_UNITS];
        corpus.write_chorus(5, N_UNITS, &mut units);
        let chorus = builtin_chorus(5);
        let mut one = [0.0; N_UNITS];
        for (s, frame) in chorus.iter().enumerate() {
            frame.write_units(&mut one);
            assert_eq!(&units[s * N_UNITS..(s + 1) * N_UNITS], &one);
        }
        let mut chords = vec![0.0; STEPS_PER_CHORUS * N_CHORD];
        corpus.write_chorus(5, N_CHORD, &mut chords);
        assert_eq!(chords[..N_CHORD], units[..N_CHORD]);
    }

    #[test]
    fn descriptions() {
        let own = Corpus::builtin().chorus(0);
        assert_eq!(Corpus::builtin().describe(), "built-in 12-bar blues (4096 choruses)");
        assert_eq!(Corpus::from_choruses(vec![own; 2]).describe(), "2 user choruses");
        assert_eq!(Corpus::from_choruses(vec![own]).describe(), "1 user chorus");
        let mut both = Corpus::builtin();
        both.user.push(own);
        assert_eq!(both.describe(), "built-in 12-bar blues (4096 choruses) + 1 user chorus");
    }

    /// Trains the paper's nets on the built-in corpus to the stop criterion, then checks the
    /// result with an independent free run. Release builds only (seconds there, minutes in
    /// debug).
    #[test]
    #[cfg_attr(debug_assertions, ignore)]
    fn the_papers_nets_learn_the_form() {
        for topology in [Topology::exp1(), Topology::exp2()] {
            let config = TrainConfig::for_topology(topology, 1);
            let model = train(topology, encoding(), &Corpus::builtin(), &config, &mut |_| {}, &AtomicBool::new(false))
                .unwrap_or_else(|e| panic!("{topology:?}: {e}"));
            assert_eq!(free_run_chord_check(&model, &Corpus::builtin(), 100, 77), 100);
            let back = Model::from_json(&model.to_json()).unwrap();
            assert_eq!(back, model);
        }
    }
}
