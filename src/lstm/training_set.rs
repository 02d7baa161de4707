//! What the trainer learns from: whole choruses, each written as network units. The network
//! knows nothing of music; `music::training_set` adapts a corpus in an encoding to this.
//! Trainer thread or CLI.

/// Choruses to train on: anything that can write chorus `i` as network units.
pub trait TrainingSet {
    /// Number of choruses.
    fn len(&self) -> usize;
    /// Steps in every chorus (96 for the 12-bar form in eighth notes).
    fn steps_per_chorus(&self) -> usize;
    /// Units per step.
    fn n_units(&self) -> usize;
    /// Writes chorus `index` as `steps × n_units` units, row-major.
    fn write_chorus(&self, index: usize, out: &mut [f32]);
    /// For people: what this set is, e.g. "built-in 12-bar blues (4096 choruses)".
    fn describe(&self) -> String;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The choruses read to learn what the set holds (the chords allowed at each step, how
    /// often each unit is on, its hash): all of them, or for a set too large to read whole (a
    /// recombined corpus has millions) a fixed sample of [`SURVEY_CHORUSES`]. A set that
    /// mixes kinds overrides this so that every kind is read.
    fn survey(&self) -> Vec<usize> {
        sample_indices(self.len(), SURVEY_CHORUSES)
    }
}

/// The most choruses a survey reads.
pub const SURVEY_CHORUSES: usize = 4096;

/// All of `0..len`, or `n` of them drawn by a fixed seed when there are more.
pub fn sample_indices(len: usize, n: usize) -> Vec<usize> {
    if len <= n {
        return (0..len).collect();
    }
    let mut rng = super::rng::Rng::new(0x5A3F_11E5);
    (0..n).map(|_| rng.below(len)).collect()
}

/// FNV-1a 64 over the bytes of every unit of every chorus, as hex: tells whether two models
/// saw the same data.
pub fn corpus_hash(set: &dyn TrainingSet) -> String {
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    let mut units = vec![0.0f32; set.steps_per_chorus() * set.n_units()];
    for i in set.survey() {
        set.write_chorus(i, &mut units);
        for u in &units {
            for b in u.to_le_bytes() {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
            }
        }
    }
    format!("{hash:016x}")
}

/// Mean of each unit over every frame of the set.
pub fn unit_means(set: &dyn TrainingSet) -> Vec<f64> {
    let (steps, n) = (set.steps_per_chorus(), set.n_units());
    let mut sum = vec![0.0; n];
    let mut units = vec![0.0; steps * n];
    let survey = set.survey();
    for &i in &survey {
        set.write_chorus(i, &mut units);
        for frame in units.chunks_exact(n) {
            for (s, &u) in sum.iter_mut().zip(frame) {
                *s += f64::from(u);
            }
        }
    }
    let frames = (survey.len() * steps) as f64;
    sum.iter().map(|s| s / frames).collect()
}

/// A small set for the trainer's tests: 8-step choruses whose 3 chord units walk
/// 1 → 2 → 4 → 2 (two steps each), with 2 melody units chosen by the chorus index.
#[cfg(test)]
pub(crate) struct TinySet {
    pub choruses: usize,
    pub melody: bool,
}

#[cfg(test)]
impl TrainingSet for TinySet {
    fn len(&self) -> usize {
        self.choruses
    }
    fn steps_per_chorus(&self) -> usize {
        8
    }
    fn n_units(&self) -> usize {
        if self.melody {
            5
        } else {
            3
        }
    }
    fn write_chorus(&self, index: usize, out: &mut [f32]) {
        out.fill(0.0);
        let n = self.n_units();
        for (s, frame) in out.chunks_exact_mut(n).enumerate() {
            frame[[0, 1, 2, 1][s / 2]] = 1.0;
            if self.melody {
                frame[3 + (index >> s) % 2] = 1.0;
            }
        }
    }
    fn describe(&self) -> String {
        format!("{} tiny choruses", self.choruses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_hash_tells_sets_apart() {
        let set = |choruses| TinySet { choruses, melody: true };
        assert_eq!(corpus_hash(&set(4)), corpus_hash(&set(4)));
        assert_ne!(corpus_hash(&set(4)), corpus_hash(&set(5)));
        assert_eq!(corpus_hash(&set(4)).len(), 16);
    }

    #[test]
    fn large_sets_are_surveyed_by_a_fixed_sample() {
        assert_eq!(sample_indices(5, 10), vec![0, 1, 2, 3, 4]);
        let big = sample_indices(1 << 40, 100);
        assert_eq!(big.len(), 100);
        assert_eq!(big, sample_indices(1 << 40, 100));
        assert!(big.iter().all(|&i| i < 1 << 40));
    }

    #[test]
    fn unit_means_count_every_frame() {
        let means = unit_means(&TinySet { choruses: 4, melody: true });
        assert_eq!(&means[..3], &[0.25, 0.5, 0.25]);
        assert!((means[3] + means[4] - 1.0).abs() < 1e-12);
    }
}
