//! The improviser: the paper's LSTM in the composer's seat. Each step it feeds the network the
//! frame played at the step before (or what the musician plays instead), thresholds the chord
//! outputs at 0.5 and draws the melody note with the chosen temperature. Audio thread only:
//! `frame` allocates nothing; `new` (any other thread) allocates everything up front.
//!
//! Phase-lock: after any jump, a new seed or a model swap the network is reset and primed with a
//! training chorus up to the host's form position, so its internal count of the form matches the
//! bar the host is in. The random draws are then seeded by (seed, song step), so playing from the
//! same bar with the same seed plays the same music.

use super::audition::mix;
use super::steering::SteerInput;
use crate::lstm::model_file::Model;
use crate::lstm::network::Network;
use crate::lstm::rng::Rng;
use crate::lstm::sampling::{chord_mask_from_outputs, sample_melody};
use crate::music::corpus::Chorus;
use crate::music::encoding::{Frame, N_CHORD, N_MELODY, N_UNITS, STEPS_PER_CHORUS};

/// The network and everything it needs to play in real time.
pub struct Improviser {
    network: Network,
    /// Units the network reads and writes: 12 (chords only, Exp 1) or 25 (Exp 2).
    n_units: usize,
    /// A training chorus that primes the network up to the form position after a jump.
    primer: Chorus,
    /// Input and output buffers, owned so a step allocates nothing.
    input: [f32; N_UNITS],
    output: [f32; N_UNITS],
    /// The frame played at the last step: the next step's input.
    last: Frame,
    /// Song step of the last frame, and the seed it was played with; `None` forces a re-prime.
    last_step: Option<(i64, u64)>,
    rng: Rng,
}

impl std::fmt::Debug for Improviser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Improviser")
            .field("n_units", &self.n_units)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

impl Improviser {
    /// Builds the real-time network from a validated model. Fails when the model does not speak
    /// this plugin's encoding (12 chord units, and 13 melody units or none).
    pub fn new(model: &Model, primer: Chorus) -> Result<Self, String> {
        let t = model.topology;
        if t.n_chord != N_CHORD || (t.n_melody != N_MELODY && t.n_melody != 0) {
            return Err(format!(
                "the model reads {} chord and {} melody units; this plugin plays {N_CHORD} chord units and {N_MELODY} (or no) melody units",
                t.n_chord, t.n_melody
            ));
        }
        Ok(Self {
            network: Network::new(model),
            n_units: t.n_in(),
            primer,
            input: [0.0; N_UNITS],
            output: [0.0; N_UNITS],
            last: primer[0],
            last_step: None,
            rng: Rng::new(0),
        })
    }

    /// Whether the model plays a melody (Exp 2) or chords only (Exp 1).
    pub fn plays_melody(&self) -> bool {
        self.n_units == N_UNITS
    }

    /// Forget the phase: the next frame re-primes the network (after a jump or a swap).
    pub fn unlock(&mut self) {
        self.last_step = None;
    }

    /// The frame for song step `step`.
    pub fn frame(&mut self, step: i64, seed: u64, steer: SteerInput, temperature: f32) -> Frame {
        if self.last_step != Some((step - 1, seed)) {
            self.prime(step, seed);
            if step.rem_euclid(STEPS_PER_CHORUS as i64) == 0 {
                // The form starts here: play the primer's first frame, as the paper seeded its runs
                // (its chord only, for a chords-only model).
                self.last = self.primer[0];
                if !self.plays_melody() {
                    self.last.melody = None;
                }
                self.last_step = Some((step, seed));
                return self.last;
            }
        }
        let mut input = self.last;
        if let Some(chord) = steer.chord {
            input.chord = chord;
        }
        if let Some(melody) = steer.melody {
            input.melody = Some(melody);
        }
        input.write_units(&mut self.input[..self.n_units]);
        self.network.step(&self.input[..self.n_units], &mut self.output[..self.n_units]);
        let chord = chord_mask_from_outputs(&self.output[..N_CHORD]);
        let melody = if self.plays_melody() {
            sample_melody(&self.output[N_CHORD..N_UNITS], temperature, &mut self.rng)
        } else {
            None
        };
        self.last = Frame { chord, melody };
        self.last_step = Some((step, seed));
        self.last
    }

    /// Resets the network and feeds it the primer up to the frame before `step`'s form position.
    fn prime(&mut self, step: i64, seed: u64) {
        self.network.reset();
        self.rng = Rng::new(mix(seed, step as u64));
        let pos = step.rem_euclid(STEPS_PER_CHORUS as i64) as usize;
        for frame in &self.primer[..pos.saturating_sub(1)] {
            frame.write_units(&mut self.input[..self.n_units]);
            self.network.step(&self.input[..self.n_units], &mut self.output[..self.n_units]);
        }
        self.last = self.primer[pos.saturating_sub(1)];
    }
}
