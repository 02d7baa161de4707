//! The free run: a network fed its own output, step after step, by the generation rule
//! ([`Readout`]). One loop for everything that plays a network: the trainer's check of the
//! form, the baselines `eval` compares, and the plugin's improviser (which may overwrite the
//! input with what the musician plays before each step).
//!
//! The check (the paper's test of a trained net): start on the first frame of a training
//! chorus, free-run, and count the whole choruses in which every step's chord is one the
//! training set has at that position of the form.
//!
//! `FreeRun::step` allocates nothing (audio thread, through the improviser); the rest runs on
//! the trainer thread or the CLI.

use super::readout::{chord_mask_from_outputs, Readout};
use super::rng::Rng;
use super::training_set::TrainingSet;

/// A network the free run can drive: one frame in, the predicted next frame out (as many
/// units). The LSTM, and the baselines `eval` trains to compare with it.
pub trait Stepper {
    /// Back to the state before the first step.
    fn reset(&mut self);
    fn step(&mut self, x: &[f32], y: &mut [f32]);
}

/// The input and output of the step being played; allocated once. The input is a frame
/// followed by the context units, which are given (the caller writes them), never drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct FreeRun {
    x: Vec<f32>,
    y: Vec<f32>,
}

impl FreeRun {
    /// A free run of frames of `n_units` units followed by `n_context` context units (any
    /// thread; allocates).
    pub fn new(n_units: usize, n_context: usize) -> Self {
        Self { x: vec![0.0; n_units + n_context], y: vec![0.0; n_units] }
    }

    /// The frame the next step reads: after a step, the frame it chose.
    pub fn input(&self) -> &[f32] {
        &self.x
    }

    /// The next step's input, to overwrite with what a musician plays or a primer says.
    pub fn input_mut(&mut self) -> &mut [f32] {
        &mut self.x
    }

    /// The outputs of the last step.
    pub fn output(&self) -> &[f32] {
        &self.y
    }

    /// The next step's context units, to write before it.
    pub fn context_mut(&mut self) -> &mut [f32] {
        let n = self.y.len();
        &mut self.x[n..]
    }

    /// One step: `net` reads the input, and `readout` turns its outputs into the next input
    /// (returned). Real-time safe.
    pub fn step(&mut self, net: &mut impl Stepper, readout: &Readout, temperatures: &[f32], rng: &mut Rng) -> &[f32] {
        net.step(&self.x, &mut self.y);
        readout.next_input(&self.y, &mut self.x, temperatures, rng);
        &self.x
    }

    /// Feeds `frame` through the net without choosing anything (priming): the state moves on,
    /// the input becomes `frame`'s successor only when the caller writes it.
    pub fn feed(&mut self, net: &mut impl Stepper, frame: &[f32]) {
        net.step(frame, &mut self.y);
    }
}

/// For each step of the form, the chord masks the training set plays there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedChords {
    /// Indexed by step within the chorus; each list sorted and without repeats.
    pub per_step: Vec<Vec<u16>>,
    /// The chord units: the first `chord_units` of a frame.
    pub chord_units: usize,
}

impl AllowedChords {
    /// Reads the choruses of `set` (its survey); the first `chord_units` units of a frame are
    /// its chord.
    pub fn from_set(set: &dyn TrainingSet, chord_units: usize) -> Self {
        let (steps, n) = (set.steps_per_chorus(), set.n_units());
        let mut per_step = vec![Vec::new(); steps];
        let mut units = vec![0.0; steps * n];
        for i in set.survey() {
            set.write_chorus(i, &mut units);
            for (s, frame) in units.chunks_exact(n).enumerate() {
                let mask = chord_mask_from_outputs(&frame[..chord_units]);
                if let Err(at) = per_step[s].binary_search(&mask) {
                    per_step[s].insert(at, mask);
                }
            }
        }
        Self { per_step, chord_units }
    }

    /// Whether `mask` is allowed at step `step` of the form.
    pub fn allows(&self, step: usize, mask: u16) -> bool {
        self.per_step[step % self.per_step.len()].binary_search(&mask).is_ok()
    }
}

/// Free-runs `net` from the first frame of `chorus` (a training chorus, steps × units) by
/// `readout` at T = 1 and returns the number of whole choruses played with every chord allowed
/// before the first wrong one, at most `choruses`. The context units beyond the readout's are
/// given at every step by the chorus's own.
pub fn form_check(
    net: &mut impl Stepper,
    readout: &Readout,
    allowed: &AllowedChords,
    chorus: &[f32],
    choruses: u32,
    rng: &mut Rng,
) -> u32 {
    let steps = allowed.per_step.len();
    let n_in = chorus.len() / steps;
    let n_out = readout.n_units();
    let mut run = FreeRun::new(n_out, n_in - n_out);
    run.input_mut().copy_from_slice(&chorus[..n_in]);
    net.reset();
    let (mut done, mut n) = (0, 0usize);
    while done < choruses {
        let row = n % steps * n_in;
        run.context_mut().copy_from_slice(&chorus[row + n_out..row + n_in]);
        let x = run.step(net, readout, &[], rng);
        n += 1;
        if !allowed.allows(n, chord_mask_from_outputs(&x[..allowed.chord_units])) {
            break;
        }
        if n % steps == steps - 1 {
            done += 1;
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::readout::{GroupRule, Rule};

    /// Two choruses of 4 steps that disagree on the chord at step 2 only.
    struct TwoForms;

    impl TrainingSet for TwoForms {
        fn len(&self) -> usize {
            2
        }
        fn steps_per_chorus(&self) -> usize {
            4
        }
        fn n_units(&self) -> usize {
            3
        }
        fn write_chorus(&self, index: usize, out: &mut [f32]) {
            out.fill(0.0);
            for (s, frame) in out.chunks_exact_mut(3).enumerate() {
                frame[if s == 2 { index } else { 2 }] = 1.0;
            }
        }
        fn describe(&self) -> String {
            "two forms".into()
        }
    }

    #[test]
    fn allowed_chords_collect_every_chorus() {
        let allowed = AllowedChords::from_set(&TwoForms, 3);
        assert_eq!(allowed.per_step, vec![vec![4], vec![4], vec![1, 2], vec![4]]);
        assert!(allowed.allows(6, 2) && allowed.allows(2, 1) && !allowed.allows(2, 4));
        assert!(allowed.allows(4, 4), "positions wrap around the form");
    }

    /// A "network" that plays a fixed cycle of chords, one step late or on time.
    struct Cycle {
        t: usize,
        late: bool,
    }

    impl Stepper for Cycle {
        fn reset(&mut self) {
            self.t = 0;
        }
        fn step(&mut self, _x: &[f32], y: &mut [f32]) {
            self.t += 1;
            let pos = if self.late { self.t + 3 } else { self.t } % 4;
            y.fill(0.0);
            y[if pos == 2 { 0 } else { 2 }] = 1.0;
        }
    }

    #[test]
    fn the_check_counts_whole_choruses_until_the_first_wrong_chord() {
        let allowed = AllowedChords::from_set(&TwoForms, 3);
        let readout = Readout { groups: vec![GroupRule { offset: 0, units: 3, rule: Rule::Threshold }] };
        let start = [[0.0, 0.0, 1.0]; 4].concat();
        let mut rng = Rng::new(1);
        assert_eq!(form_check(&mut Cycle { t: 0, late: false }, &readout, &allowed, &start, 50, &mut rng), 50);
        assert_eq!(form_check(&mut Cycle { t: 0, late: true }, &readout, &allowed, &start, 50, &mut rng), 0);
    }
}
