//! The plugin's parameters, and the fields saved with the DAW project (the user's corpus and the
//! model). Ids are short and stable: once released an id is never renamed, so projects and
//! presets keep working (a test pins the list). Read by the audio thread each block and translated
//! into the engine's plain [`Settings`]; written by the host and the editor.

use crate::engine::voices::VoiceSettings;
use crate::engine::{Mode, Settings};
use crate::project::{CorpusField, ModelField, Project};
use nice_plug::prelude::*;
use std::sync::Arc;

/// What the plugin plays.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChoice {
    /// The LSTM improvises over the form it learned.
    #[id = "impro"]
    #[name = "Improvise (LSTM)"]
    Improvise,
    /// Play the training choruses themselves, a different one each chorus.
    #[id = "audit"]
    #[name = "Audition corpus"]
    Audition,
}

#[derive(Params)]
pub struct BluesParams {
    #[id = "mode"]
    pub mode: EnumParam<ModeChoice>,
    /// Melody temperature: 0 always plays the likeliest note, 1 samples as the paper did, higher
    /// is wilder. Chords are always thresholded, as in the paper.
    #[id = "temp"]
    pub temperature: FloatParam,
    /// Transposition of everything played, in semitones.
    #[id = "key"]
    pub key: IntParam,
    /// Seed of the composer's random choices: the same seed plays the same music.
    #[id = "seed"]
    pub seed: IntParam,
    /// A rising edge draws fresh random choices and re-primes the network where the song is (for
    /// hosts and controllers; the editor's Reseed button sets a new Seed instead, which is saved).
    #[id = "reseed"]
    pub reseed: BoolParam,
    /// A rising edge starts a retrain on the project's corpus in the background (for hosts and
    /// controllers; the editor has its own button).
    #[id = "retrn"]
    pub retrain: BoolParam,
    #[id = "chon"]
    pub chords_on: BoolParam,
    #[id = "mlon"]
    pub melody_on: BoolParam,
    /// 1–16, as DAWs number channels.
    #[id = "chch"]
    pub chord_channel: IntParam,
    #[id = "mlch"]
    pub melody_channel: IntParam,
    #[id = "chvel"]
    pub chord_velocity: IntParam,
    #[id = "mlvel"]
    pub melody_velocity: IntParam,
    /// The bass voice (models with a bass line).
    #[id = "bass"]
    pub bass_on: BoolParam,
    #[id = "bassch"]
    pub bass_channel: IntParam,
    #[id = "bsvel"]
    pub bass_velocity: IntParam,
    /// Pass the notes played into the plugin through to its output.
    #[id = "thru"]
    pub thru: BoolParam,
    /// The host's bypass button: silent, input passed through, the form still counting.
    #[id = "bypass"]
    pub bypass: BoolParam,

    /// The user's own 12-bar choruses, saved with the project.
    #[persist = "corpus"]
    pub corpus: CorpusField,
    /// The model being played, saved with the project (empty for the built-in one).
    #[persist = "model"]
    pub model: ModelField,
}

/// Range of the key (transpose) parameter, shared with the editor.
pub fn key_range() -> IntRange {
    IntRange::Linear { min: -12, max: 12 }
}

/// Range of the channel parameters, shared with the editor.
pub fn channel_range() -> IntRange {
    IntRange::Linear { min: 1, max: 16 }
}

/// Range of the velocity parameters, shared with the editor.
pub fn velocity_range() -> IntRange {
    IntRange::Linear { min: 1, max: 127 }
}

/// Range of the temperature parameter, shared with the editor.
pub fn temperature_range() -> FloatRange {
    FloatRange::Linear { min: 0.0, max: 2.0 }
}

/// Range of the seed parameter, shared with the editor.
pub fn seed_range() -> IntRange {
    IntRange::Linear { min: 0, max: 9_999 }
}

impl BluesParams {
    pub fn new(project: Arc<Project>) -> Self {
        Self {
            mode: EnumParam::new("Mode", ModeChoice::Improvise),
            temperature: FloatParam::new("Temperature", 1.0, temperature_range())
                .with_step_size(0.01)
                .with_value_to_string(formatters::v2s_f32_rounded(2)),
            reseed: BoolParam::new("Reseed", false),
            retrain: BoolParam::new("Retrain", false),
            key: IntParam::new("Key", 0, key_range()).with_unit(" st"),
            seed: IntParam::new("Seed", 1, seed_range()),
            chords_on: BoolParam::new("Chords", true),
            melody_on: BoolParam::new("Melody", true),
            chord_channel: IntParam::new("Chord channel", 1, channel_range()),
            melody_channel: IntParam::new("Melody channel", 2, channel_range()),
            chord_velocity: IntParam::new("Chord velocity", 80, velocity_range()),
            melody_velocity: IntParam::new("Melody velocity", 100, velocity_range()),
            bass_on: BoolParam::new("Bass", true),
            bass_channel: IntParam::new("Bass channel", 3, channel_range()),
            bass_velocity: IntParam::new("Bass velocity", 96, velocity_range()),
            thru: BoolParam::new("MIDI thru", true),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
            corpus: CorpusField(project.clone()),
            model: ModelField(project),
        }
    }

    /// The engine's view of the parameters, read once per block.
    pub fn settings(&self) -> Settings {
        Settings {
            mode: match self.mode.value() {
                ModeChoice::Improvise => Mode::Improvise,
                ModeChoice::Audition => Mode::Audition,
            },
            voices: VoiceSettings {
                chords_on: self.chords_on.value(),
                melody_on: self.melody_on.value(),
                bass_on: self.bass_on.value(),
                bass_channel: (self.bass_channel.value().clamp(1, 16) - 1) as u8,
                bass_velocity: self.bass_velocity.value().clamp(1, 127) as f32 / 127.0,
                chord_channel: (self.chord_channel.value().clamp(1, 16) - 1) as u8,
                melody_channel: (self.melody_channel.value().clamp(1, 16) - 1) as u8,
                chord_velocity: self.chord_velocity.value().clamp(1, 127) as f32 / 127.0,
                melody_velocity: self.melody_velocity.value().clamp(1, 127) as f32 / 127.0,
                transpose: self.key.value().clamp(-12, 12) as i8,
            },
            thru: self.thru.value(),
            bypass: self.bypass.value(),
            seed: self.seed.value().max(0) as u64,
            temperature: self.temperature.value().clamp(0.0, 2.0),
        }
    }
}
