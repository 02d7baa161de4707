//! The paper's test of a trained net: start it on the first frame of a training chorus, then
//! feed back its own outputs (chords thresholded at 0.5, melody drawn at T = 1) and count the
//! whole choruses in which every step's chord is one the training set has at that position of
//! the form. Trainer thread (stop criterion) and the CLI (eval).

use super::model_file::Model;
use super::network::Network;
use super::rng::Rng;
use super::sampling::{chord_mask_from_outputs, sample_melody};
use super::train::TrainingSet;

/// For each step of the form, the chord masks the training set plays there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedChords {
    /// Indexed by step within the chorus; each list sorted and without repeats.
    pub per_step: Vec<Vec<u16>>,
}

impl AllowedChords {
    /// Reads every chorus of `set` (as `n_in` units, the first `n_chord` of them chords).
    pub fn from_set(set: &dyn TrainingSet, n_in: usize, n_chord: usize) -> Self {
        let steps = set.steps_per_chorus();
        let mut per_step = vec![Vec::new(); steps];
        let mut units = vec![0.0; steps * n_in];
        for i in 0..set.len() {
            set.write_chorus(i, n_in, &mut units);
            for (s, frame) in units.chunks_exact(n_in).enumerate() {
                let mask = chord_mask_from_outputs(&frame[..n_chord]);
                if let Err(at) = per_step[s].binary_search(&mask) {
                    per_step[s].insert(at, mask);
                }
            }
        }
        Self { per_step }
    }

    /// Whether `mask` is allowed at step `step` of the form.
    pub fn allows(&self, step: usize, mask: u16) -> bool {
        self.per_step[step % self.per_step.len()].binary_search(&mask).is_ok()
    }
}

/// A network the free run can drive: one frame in, the predicted next frame out (as many units,
/// chords first). The LSTM, and the baselines `eval` trains to compare with it.
pub trait FreeRunning {
    /// Units of the chord part of a frame.
    fn n_chord(&self) -> usize;
    /// Back to the state before the first step.
    fn reset(&mut self);
    fn step(&mut self, x: &[f32], y: &mut [f32]);
}

impl FreeRunning for Network {
    fn n_chord(&self) -> usize {
        self.topology().n_chord
    }
    fn reset(&mut self) {
        Network::reset(self);
    }
    fn step(&mut self, x: &[f32], y: &mut [f32]) {
        Network::step(self, x, y);
    }
}

/// Free-runs `net` from `start` (one frame) and returns the number of whole choruses played
/// with every chord allowed before the first wrong one, at most `choruses`. The starting
/// frame counts as step 0 of the first chorus.
pub fn free_run(
    net: &mut impl FreeRunning,
    allowed: &AllowedChords,
    start: &[f32],
    choruses: u32,
    rng: &mut Rng,
) -> u32 {
    let n_chord = net.n_chord();
    let steps = allowed.per_step.len();
    let mut x = start.to_vec();
    let mut y = vec![0.0; start.len()];
    net.reset();
    let mut done = 0;
    let mut n = 0usize;
    while done < choruses {
        net.step(&x, &mut y);
        n += 1;
        let chord = chord_mask_from_outputs(&y[..n_chord]);
        if !allowed.allows(n, chord) {
            break;
        }
        let melody = sample_melody(&y[n_chord..], 1.0, rng);
        for (i, u) in x[..n_chord].iter_mut().enumerate() {
            *u = f32::from(u8::from(chord & (1 << i) != 0));
        }
        for (i, u) in x[n_chord..].iter_mut().enumerate() {
            *u = f32::from(u8::from(melody == Some(i as u8)));
        }
        if n % steps == steps - 1 {
            done += 1;
        }
    }
    done
}

/// The number of whole choruses the free-running `model` plays with every step's chord
/// allowed by `set` (see module docs), stopping at `choruses`. The starting chorus and the
/// melody draws come from `seed`.
pub fn free_run_chord_check(model: &Model, set: &dyn TrainingSet, choruses: u32, seed: u64) -> u32 {
    let t = model.topology;
    if set.is_empty() || set.steps_per_chorus() == 0 {
        return 0;
    }
    let allowed = AllowedChords::from_set(set, t.n_in(), t.n_chord);
    let mut rng = Rng::new(seed);
    let mut units = vec![0.0; set.steps_per_chorus() * t.n_in()];
    set.write_chorus(rng.below(set.len()), t.n_in(), &mut units);
    free_run(&mut Network::new(model), &allowed, &units[..t.n_in()], choruses, &mut rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two choruses of 4 steps that disagree on the chord at step 2 only.
    struct TwoForms;

    impl TrainingSet for TwoForms {
        fn len(&self) -> usize {
            2
        }
        fn steps_per_chorus(&self) -> usize {
            4
        }
        fn write_chorus(&self, index: usize, n_in: usize, out: &mut [f32]) {
            out.fill(0.0);
            for (s, frame) in out.chunks_exact_mut(n_in).enumerate() {
                frame[if s == 2 { index } else { 2 }] = 1.0;
            }
        }
        fn describe(&self) -> String {
            "two forms".into()
        }
    }

    #[test]
    fn allowed_chords_collect_every_chorus() {
        let allowed = AllowedChords::from_set(&TwoForms, 3, 3);
        assert_eq!(allowed.per_step, vec![vec![4], vec![4], vec![1, 2], vec![4]]);
        assert!(allowed.allows(6, 2) && allowed.allows(2, 1) && !allowed.allows(2, 4));
        assert!(allowed.allows(4, 4), "positions wrap around the form");
    }
}
