//! The real-time engine, host-agnostic: transport → clock → composer → voices → notes out.
//! The plugin shell feeds it plain values and a [`MidiIo`]; the command-line renderer and the
//! tests drive it the same way. Audio thread only: nothing here allocates, locks, logs or waits.

pub mod audition;
pub mod capture;
pub mod clock;
pub mod composer;
pub mod display;
pub mod handoff;
pub mod improviser;
pub mod output;
pub mod steering;
pub mod thru;
pub mod voices;

use crate::music::encoding::Frame;
use capture::{Capture, CaptureShared};
use clock::{BlockTransport, Clock, Motion};
use composer::Composer;
use display::Display;
use handoff::Handoff;
use output::{Output, Owners};
use std::sync::Arc;
use steering::Steering;
use thru::Thru;
use voices::{VoiceSettings, Voices};

/// A note event the engine sends out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutNote {
    /// Sample offset inside the block.
    pub timing: u32,
    /// MIDI channel, 0–15.
    pub channel: u8,
    pub key: u8,
    /// 0–1.
    pub velocity: f32,
    /// NoteOn (`true`) or NoteOff.
    pub on: bool,
}

/// A note event coming in from the host (same fields as [`OutNote`]).
pub type InNote = OutNote;

/// Where notes come from and go to during one block.
pub trait NoteSink {
    fn send(&mut self, note: OutNote);
}

/// The host side of one block: incoming notes (in time order) and outgoing notes.
pub trait MidiIo: NoteSink {
    fn next_incoming(&mut self) -> Option<InNote>;
}

/// What the composer plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The LSTM improvises (falls back to audition when no model is loaded).
    Improvise,
    /// Play the training choruses themselves.
    Audition,
}

/// Everything the engine reads from the plugin's parameters, as plain values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    pub mode: Mode,
    pub voices: VoiceSettings,
    /// Pass incoming notes through to the output.
    pub thru: bool,
    /// The host's bypass: nothing is played (every sounding note released), what comes in
    /// passes through, and the form keeps counting so the music resumes in its bar.
    pub bypass: bool,
    /// Seed of the composer's random choices.
    pub seed: u64,
    /// Melody temperature: 0 plays the likeliest note, 1 samples as the paper did.
    pub temperature: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            mode: Mode::Improvise,
            voices: VoiceSettings::default(),
            thru: true,
            bypass: false,
            seed: 1,
            temperature: 1.0,
        }
    }
}

/// Where the engine is in the form, for displays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// Song step index of the last step played.
    pub step: i64,
    /// The frame it played.
    pub frame: Frame,
}

/// The whole real-time engine.
#[derive(Debug)]
pub struct Engine {
    clock: Clock,
    /// Decides what each step plays; replaced whole through a [`Handoff`].
    composer: Box<Composer>,
    voices: Voices,
    steering: Steering,
    /// Notes played in and passed through, so they are always released.
    thru: Thru,
    /// Who sounds each (channel, key) at the output.
    owners: Owners,
    /// An incoming note read ahead of its time, waiting for its turn.
    pending_in: Option<InNote>,
    /// A new composer arrived: the next step releases everything the old one played.
    swapped: bool,
    /// Sounding notes must be released at the start of the next block (after `reset`, where no
    /// events can be sent).
    release_pending: bool,
    /// Last step played, for displays and tests.
    position: Option<Position>,
    /// The mode and seed of the last step: a change re-primes the network.
    last_play: Option<(Mode, u64)>,
    /// What the editor shows; written here with relaxed atomics.
    display: Arc<Display>,
    /// Recording the notes played in, when the user asks for it.
    capture: Capture,
    capture_shared: Arc<CaptureShared>,
}

impl Engine {
    pub fn new(composer: Box<Composer>, display: Arc<Display>) -> Self {
        Self::with_capture(composer, display, Arc::default())
    }

    /// An engine whose captured choruses go to `capture_shared`.
    pub fn with_capture(composer: Box<Composer>, display: Arc<Display>, capture_shared: Arc<CaptureShared>) -> Self {
        display.set_bars(composer.form().bars);
        Self {
            clock: Clock::default(),
            composer,
            voices: Voices::default(),
            steering: Steering::default(),
            thru: Thru::default(),
            owners: Owners::default(),
            pending_in: None,
            swapped: false,
            release_pending: false,
            position: None,
            last_play: None,
            display,
            capture: Capture::default(),
            capture_shared,
        }
    }

    /// Takes a newly staged composer, if any (audio thread, at a block start: the swap sounds at
    /// the next step). The old one goes back through the hand-off to be dropped elsewhere.
    pub fn adopt(&mut self, handoff: &Handoff<Composer>) {
        if handoff.take(&mut self.composer) {
            self.composer.unlock();
            self.swapped = true;
            self.display.set_bars(self.composer.form().bars);
        }
    }

    /// Forget the transport and the held notes. Notes still sounding are released at the start of
    /// the next block (the host gives no way to send them now).
    pub fn reset(&mut self) {
        self.clock.reset();
        self.steering.clear();
        self.pending_in = None;
        self.composer.unlock();
        self.release_pending = self.voices.sounding() + self.thru.sounding() > 0;
    }

    /// The form the song is counted in (the composer's).
    pub fn form(&self) -> crate::music::encoding::Form {
        self.composer.form()
    }

    /// The last step played.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// Number of notes the engine is sounding now.
    pub fn sounding(&self) -> usize {
        self.voices.sounding()
    }

    /// Processes one block: reads the incoming notes, plays the steps that start inside it.
    /// Events leave in non-decreasing time order, at offsets inside the block.
    pub fn process_block(&mut self, transport: &BlockTransport, settings: &Settings, io: &mut impl MidiIo) {
        let last_sample = transport.samples.saturating_sub(1);
        let mut out = Output::new(io, &mut self.owners, last_sample);
        let mut plan = self.clock.plan(transport);
        self.display.set_playing(plan.motion != Motion::Stopped);

        if self.release_pending {
            // After a reset the host may never send the NoteOffs of notes it passed us.
            self.thru.release_all(0, &mut out);
        }
        if self.release_pending || plan.motion != Motion::Continuous || settings.bypass {
            self.voices.release_all(0, &mut out);
            self.release_pending = false;
        }
        match plan.motion {
            Motion::Stopped => self.steering.clear(),
            Motion::Jumped => self.composer.unlock(),
            Motion::Continuous => {}
        }
        let form = self.composer.form();
        let capturing = self.capture_shared.enabled() && plan.motion != Motion::Stopped && !settings.bypass;
        self.capture.set_form(form);
        if !capturing || plan.motion == Motion::Jumped {
            // A chorus counts only when played through from its first step.
            self.capture.reset();
        }
        let split = self.capture_shared.split();
        let (plays_bass, comping, chord_low) =
            (self.composer.plays_bass(), self.composer.comping(settings.mode), self.composer.chord_low());
        self.voices.release_changed(0, &settings.voices, &mut out);

        loop {
            let step = plan.next_step();
            let until = step.map_or(u32::MAX, |s| s.offset);
            while let Some(note) = self.pending_in.take().or_else(|| out.io.next_incoming()) {
                if note.timing > until {
                    self.pending_in = Some(note);
                    break;
                }
                if note.on {
                    self.steering.note_on(split.voice(note.channel, note.key, plays_bass), note.key);
                } else {
                    self.steering.note_off(note.key);
                }
                if capturing {
                    let step_pos = plan.beats_at(note.timing) * clock::STEPS_PER_BEAT;
                    self.capture.note(step_pos, 0.5, note.channel, note.key, note.on, split);
                }
                self.thru.pass(note, settings.thru || settings.bypass, &mut out);
            }
            // The last pass (no step left) has drained every incoming note of the block.
            let Some(step) = step else { break };

            let steer = self.steering.take_input();
            if self.last_play != Some((settings.mode, settings.seed)) {
                // A new seed or mode: fresh choices from where the song is.
                self.composer.unlock();
                self.last_play = Some((settings.mode, settings.seed));
            }
            if self.swapped {
                // Notes of the old model end where the new one starts.
                self.voices.release_all(step.offset, &mut out);
                self.swapped = false;
            }
            let frame = self.composer.frame(settings.mode, step.index, settings.seed, steer, settings.temperature);
            if !settings.bypass {
                let in_bar = form.step_in_bar(step.index);
                self.voices.play_step(step.offset, in_bar, frame, &settings.voices, chord_low, comping, &mut out);
            }
            self.position = Some(Position { step: step.index, frame });
            self.display.record(step.index, frame);
        }
        if capturing {
            let shared = &self.capture_shared;
            let end = plan.beats_at(transport.samples) * clock::STEPS_PER_BEAT;
            self.capture.advance(end, &mut |chorus: &[Frame]| shared.push(chorus));
        }
    }
}

/// What the engine's unit tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{InNote, MidiIo, NoteSink, OutNote};

    /// Keeps every note sent to it; has no incoming notes.
    #[derive(Default)]
    pub struct Recorder(pub Vec<OutNote>);

    impl NoteSink for Recorder {
        fn send(&mut self, note: OutNote) {
            self.0.push(note);
        }
    }

    impl MidiIo for Recorder {
        fn next_incoming(&mut self) -> Option<InNote> {
            None
        }
    }
}
