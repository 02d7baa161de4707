//! The composer: decides the frame each step plays — the LSTM improviser, or the training
//! choruses themselves (audition). It is swapped whole (through the hand-off) when the model or
//! the user's corpus changes. Audio thread for `frame`; built on any other thread.

use super::audition::Audition;
use super::harmony::Given;
use super::improviser::Improviser;
use super::settings::Mode;
use super::steering::SteerInput;
use crate::music::encoding::{Encoding, Form, Frame};

#[derive(Debug)]
pub struct Composer {
    /// Plays the training choruses; also the fallback when no model is loaded.
    pub audition: Audition,
    /// The network, when a model is loaded.
    pub improviser: Option<Improviser>,
    /// The chart band: plays over chords given from outside (a chart, chords played in).
    pub chart_band: Option<Improviser>,
}

impl Composer {
    pub fn new(audition: Audition, improviser: Option<Improviser>) -> Self {
        Self { audition, improviser, chart_band: None }
    }

    /// The same composer with a chart band to follow given chords.
    pub fn with_chart_band(self, chart_band: Option<Improviser>) -> Self {
        Self { chart_band, ..self }
    }

    /// Whether it can play over given chords in `mode` (the chart band is loaded; audition
    /// plays the corpus as it was written).
    pub fn follows_given_chords(&self, mode: Mode) -> bool {
        mode == Mode::Improvise && self.chart_band.is_some()
    }

    /// The frame for song step `step` over the chords `given`, by the chart band (the learned
    /// band's frame when there is none).
    pub fn frame_over(
        &mut self,
        mode: Mode,
        step: i64,
        seed: u64,
        steer: SteerInput,
        temperature: f32,
        given: &Given,
    ) -> Frame {
        match (mode, &mut self.chart_band) {
            (Mode::Improvise, Some(band)) => band.frame_over(step, seed, steer, temperature, given),
            _ => self.frame(mode, step, seed, steer, temperature),
        }
    }

    /// The form the song is counted in: the model's (the corpus's when there is none).
    pub fn form(&self) -> Form {
        self.improviser.as_ref().map_or(self.audition.form(), Improviser::form)
    }

    /// The encoding of the model, if one is loaded.
    pub fn encoding(&self) -> Option<&Encoding> {
        self.improviser.as_ref().map(Improviser::encoding)
    }

    /// Whether it plays a bass: the model has one (the chart band, when following chords).
    pub fn plays_bass(&self, following: bool) -> bool {
        let band = if following { self.chart_band.as_ref() } else { self.improviser.as_ref() };
        band.is_some_and(|b| b.encoding().bass.is_some())
    }

    /// Whether the chords of `mode` are struck by a comping rhythm (else as pads).
    pub fn comping(&self, mode: Mode, following: bool) -> bool {
        let band = if following { &self.chart_band } else { &self.improviser };
        match (mode, band) {
            (Mode::Improvise, Some(improviser)) => improviser.encoding().comp,
            _ => self.audition.comping(),
        }
    }

    /// The lowest note of the chord voicing as learned (a C).
    pub fn chord_low(&self) -> u8 {
        self.encoding().map_or(48, |e| e.chord_low)
    }

    /// The frame for song step `step`.
    pub fn frame(&mut self, mode: Mode, step: i64, seed: u64, steer: SteerInput, temperature: f32) -> Frame {
        match (mode, &mut self.improviser) {
            (Mode::Improvise, Some(improviser)) => improviser.frame(step, seed, steer, temperature),
            _ => self.audition.frame(step, seed),
        }
    }

    /// How intense the solo is from the next step on (`engine::intensity`).
    pub fn set_intensity(&mut self, level: f32) {
        for improviser in self.improviser.iter_mut().chain(&mut self.chart_band) {
            improviser.set_intensity(level);
        }
    }

    /// Whether the player has the turn from the next step on (`engine::trade`).
    pub fn set_their_turn(&mut self, theirs: bool) {
        for improviser in self.improviser.iter_mut().chain(&mut self.chart_band) {
            improviser.set_their_turn(theirs);
        }
    }

    /// The song jumped (or the seed or the mode changed): the network must re-prime at the
    /// next step.
    pub fn unlock(&mut self) {
        for improviser in self.improviser.iter_mut().chain(&mut self.chart_band) {
            improviser.unlock();
        }
    }
}
