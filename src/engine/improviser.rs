//! The improviser: the paper's LSTM in the composer's seat. Each step it feeds the network the
//! frame played at the step before (or what the musician plays instead) and turns its outputs
//! into the next frame by the paper's rule (chords thresholded at 0.5, each line drawn at the
//! temperature) — the free run of `lstm::free_run`, one step at a time. Audio thread only:
//! `frame` allocates nothing; `new` (any other thread) allocates everything up front.
//!
//! Phase-lock: when the engine unlocks it (after a jump, a new seed, a mode change or a model
//! swap) the network is reset and primed with a training chorus up to the host's form position,
//! so its internal count of the form matches the bar the host is in. The random draws are then
//! seeded by (seed, song step), so playing from the same bar with the same seed plays the same
//! music.

use super::harmony::Given;
use super::steering::SteerInput;
use crate::lstm::free_run::FreeRun;
use crate::lstm::network::Network;
use crate::lstm::readout::Readout;
use crate::lstm::rng::{mix, Rng};
use crate::model::Model;
use crate::music::drums::PIECES;
use crate::music::encoding::{Encoding, Form, Frame, StepContext};
use crate::music::part::Part;

/// The hottest the bass and the comping draw: at 1 the bass leaves the root on beat 1 in a
/// third of the bars (65 % roots against the corpus's 84 %, `blues-lstm eval --phrasing`); at
/// 0.5 it walks as the corpus does.
pub const RHYTHM_TEMPERATURE: f32 = 0.5;

/// Readout groups of the largest encoding: the chords, three lines, a drum lane per piece.
const MAX_READOUT_GROUPS: usize = 1 + Part::LINES.len() + PIECES;

/// The key nearest `key` of pitch class `class` within `low..=high`.
fn nearest_with_class(key: u8, class: u8, low: u8, high: u8) -> u8 {
    (low..=high).filter(|k| k % 12 == class % 12).min_by_key(|&k| (i32::from(k) - i32::from(key)).abs()).unwrap_or(key)
}

/// The network and everything it needs to play in real time.
pub struct Improviser {
    network: Network,
    encoding: Encoding,
    readout: Readout,
    /// The step being played: its input and outputs, owned so a step allocates nothing.
    run: FreeRun,
    /// A training chorus that primes the network up to the form position after a jump, and
    /// its frames as input rows (steps × inputs: each frame, then the next step's context).
    primer: Vec<Frame>,
    primer_units: Vec<f32>,
    /// The frame played at the last step: the next step's input.
    last: Frame,
    /// The network's input at the last step, against which a restrike is told from a new note.
    heard: Frame,
    /// Whether the network's state follows the song (false: re-prime at the next frame).
    locked: bool,
    rng: Rng,
    /// How intense the solo is (0–1), for a model that hears it.
    intensity: f32,
    /// Whether the steps to come are the player's turn (trading), for a network that hears it.
    their_turn: bool,
}

impl std::fmt::Debug for Improviser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Improviser")
            .field("encoding", &self.encoding)
            .field("locked", &self.locked)
            .finish_non_exhaustive()
    }
}

impl Improviser {
    /// Builds the real-time network from a validated model and the chorus it primes with.
    /// Fails when the primer is not a chorus of the model's form.
    pub fn new(model: &Model, mut primer: Vec<Frame>) -> Result<Self, String> {
        let encoding = model.encoding;
        // Voices the model does not play are silent in its primer too.
        for frame in &mut primer {
            for part in Part::ALL.into_iter().filter(|&p| !encoding.has(p)) {
                frame.silence(part);
            }
        }
        encoding.validate()?;
        encoding.check_topology(&model.weights.topology)?;
        if primer.len() != encoding.steps_per_chorus() {
            return Err(format!("its primer has {} steps, its form {}", primer.len(), encoding.steps_per_chorus()));
        }
        let (n, n_in) = (encoding.n_units(), encoding.n_inputs());
        let mut primer_units = vec![0.0; primer.len() * n_in];
        let mut previous = Frame::default();
        for (step, (frame, units)) in primer.iter().zip(primer_units.chunks_exact_mut(n_in)).enumerate() {
            encoding.encode(frame, &previous, &mut units[..n]);
            previous = *frame;
            encoding.encode_context(&StepContext::at(encoding.form(), step as i64 + 1), units);
        }
        Ok(Self {
            network: Network::new(&model.weights),
            encoding,
            readout: encoding.readout(),
            run: FreeRun::new(n, n_in - n),
            last: primer[0],
            heard: Frame::default(),
            primer,
            primer_units,
            locked: false,
            rng: Rng::new(0),
            intensity: 0.5,
            their_turn: false,
        })
    }

    /// The encoding it plays.
    pub fn encoding(&self) -> &Encoding {
        &self.encoding
    }

    /// The form it plays.
    pub fn form(&self) -> Form {
        self.encoding.form()
    }

    /// How intense the solo is from the next step on (0–1: the Intensity control, or Build's
    /// curve); a model trained without it does not hear it.
    pub fn set_intensity(&mut self, level: f32) {
        self.intensity = if level.is_finite() { level.clamp(0.0, 1.0) } else { 0.5 };
    }

    /// Whether the player has the turn from the next step on (trading): the network hears
    /// the call it is to answer.
    pub fn set_their_turn(&mut self, theirs: bool) {
        self.their_turn = theirs;
    }

    /// Forget the phase: the next frame re-primes the network.
    pub fn unlock(&mut self) {
        self.locked = false;
    }

    /// The frame for song step `step` (the engine unlocks it whenever `step` does not follow
    /// the last one). `temperature` draws the melody; the bass and comping draw at no more
    /// than [`RHYTHM_TEMPERATURE`], so the rhythm section stays steady when the soloist runs wild.
    pub fn frame(&mut self, step: i64, seed: u64, steer: SteerInput, temperature: f32) -> Frame {
        let form = self.form();
        if !self.locked {
            self.locked = true;
            self.prime(step, seed);
            if form.position(step) == 0 {
                // The form starts here: play the primer's first frame, as the paper seeded its runs.
                self.last = self.primer[0];
                self.heard = Frame::default();
                return self.last;
            }
        }
        let context =
            StepContext { intensity: self.intensity, their_turn: self.their_turn, ..StepContext::at(form, step) };
        self.step_network(steer, temperature, context)
    }

    /// The frame for song step `step` over chords given from outside (a chart, or chords played
    /// in): the network hears the chord at each step as it plays, and its own chord guess is
    /// replaced by the given one. Needs a model that hears a given chord (the chart band).
    /// After a jump it starts afresh from silence over the given chord: there is no form of
    /// its own to find the place in.
    pub fn frame_over(&mut self, step: i64, seed: u64, steer: SteerInput, temperature: f32, given: &Given) -> Frame {
        if !self.locked {
            self.locked = true;
            self.network.reset();
            self.rng = Rng::new(mix(seed, step as u64));
            self.last = Frame::default();
            self.heard = Frame::default();
        }
        self.last.chord = given.before.mask;
        let context = StepContext {
            step_in_bar: given.form.step_in_bar(step),
            bar: given.form.bar(step),
            bars: given.form.bars,
            chord: given.now.mask,
            intensity: self.intensity,
            their_turn: self.their_turn,
        };
        let mut frame = self.step_network(steer, temperature, context);
        frame.chord = given.now.mask;
        if given.now != given.before && frame.bass.begin {
            // A chord written over a bass note: the bass lands on it at the change.
            if let (Some(key), Some(line)) = (frame.bass.key, self.encoding.bass) {
                frame.bass.key = Some(nearest_with_class(key, given.now.bass, line.low, line.high()));
            }
        }
        self.last = frame;
        frame
    }

    /// One step of the network from the last frame (steered by what is played in) with
    /// `context` given: the next frame.
    fn step_network(&mut self, steer: SteerInput, temperature: f32, context: StepContext) -> Frame {
        let mut input = self.last;
        steer.apply(&mut input, self.encoding.bass.is_some());
        let n = self.encoding.n_units();
        self.encoding.encode(&input, &self.heard, &mut self.run.input_mut()[..n]);
        self.heard = input;
        self.encoding.encode_context(&context, self.run.input_mut());
        let steady = temperature.min(RHYTHM_TEMPERATURE);
        // By readout group (chords thresholded, a temperature for every other group).
        let mut temperatures = [1.0f32; MAX_READOUT_GROUPS];
        for (t, part) in temperatures.iter_mut().zip(self.encoding.readout_parts()) {
            *t = if part == Part::Melody { temperature } else { steady };
        }
        let units = self.run.step(&mut self.network, &self.readout, &temperatures, &mut self.rng);
        // A note begins against what was played before (not what was played in).
        self.last = self.encoding.decode(units, &self.last, context.step_in_bar);
        self.last
    }

    /// Resets the network and feeds it the primer up to the frame before `step`'s form position.
    fn prime(&mut self, step: i64, seed: u64) {
        self.network.reset();
        self.rng = Rng::new(mix(seed, step as u64));
        let pos = self.form().position(step);
        let n_in = self.encoding.n_inputs();
        for units in self.primer_units.chunks_exact(n_in).take(pos.saturating_sub(1)) {
            self.run.feed(&mut self.network, units);
        }
        self.last = self.primer[pos.saturating_sub(1)];
        self.heard = if pos >= 2 { self.primer[pos - 2] } else { Frame::default() };
    }
}
