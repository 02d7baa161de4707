//! The composer: decides the frame each step plays — the LSTM improviser, or the training
//! choruses themselves (audition). It is swapped whole (through the hand-off) when the model or
//! the user's corpus changes. Audio thread for `frame`; built on any other thread.

use super::audition::Audition;
use super::improviser::Improviser;
use super::steering::SteerInput;
use super::Mode;
use crate::music::encoding::Frame;

#[derive(Debug)]
pub struct Composer {
    /// Plays the training choruses; also the fallback when no model is loaded.
    pub audition: Audition,
    /// The network, when a model is loaded.
    pub improviser: Option<Improviser>,
}

impl Composer {
    pub fn new(audition: Audition, improviser: Option<Improviser>) -> Self {
        Self { audition, improviser }
    }

    /// The frame for song step `step`.
    pub fn frame(&mut self, mode: Mode, step: i64, seed: u64, steer: SteerInput, temperature: f32) -> Frame {
        match (mode, &mut self.improviser) {
            (Mode::Improvise, Some(improviser)) => improviser.frame(step, seed, steer, temperature),
            _ => self.audition.frame(step, seed),
        }
    }

    /// The song jumped: the network must re-prime at the next step.
    pub fn unlock(&mut self) {
        if let Some(improviser) = &mut self.improviser {
            improviser.unlock();
        }
    }
}
