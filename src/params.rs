//! The plugin's parameters. Ids are short and stable: once released an id is never renamed, so
//! projects and presets keep working (a test pins the list). Read by the audio thread each block
//! and translated into the engine's plain [`Settings`]; written by the host and the editor.

use crate::engine::voices::VoiceSettings;
use crate::engine::{Mode, Settings};
use nice_plug::prelude::*;

/// What the plugin plays.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChoice {
    /// Play the training choruses themselves, a different one each chorus.
    #[id = "audit"]
    #[name = "Audition corpus"]
    Audition,
}

#[derive(Params)]
pub struct BluesParams {
    #[id = "mode"]
    pub mode: EnumParam<ModeChoice>,
    /// Transposition of everything played, in semitones.
    #[id = "key"]
    pub key: IntParam,
    /// Seed of the composer's random choices: the same seed plays the same music.
    #[id = "seed"]
    pub seed: IntParam,
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
    /// Pass the notes played into the plugin through to its output.
    #[id = "thru"]
    pub thru: BoolParam,
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

/// Range of the seed parameter, shared with the editor.
pub fn seed_range() -> IntRange {
    IntRange::Linear { min: 0, max: 9_999 }
}

impl Default for BluesParams {
    fn default() -> Self {
        Self {
            mode: EnumParam::new("Mode", ModeChoice::Audition),
            key: IntParam::new("Key", 0, key_range()).with_unit(" st"),
            seed: IntParam::new("Seed", 1, seed_range()),
            chords_on: BoolParam::new("Chords", true),
            melody_on: BoolParam::new("Melody", true),
            chord_channel: IntParam::new("Chord channel", 1, channel_range()),
            melody_channel: IntParam::new("Melody channel", 2, channel_range()),
            chord_velocity: IntParam::new("Chord velocity", 80, velocity_range()),
            melody_velocity: IntParam::new("Melody velocity", 100, velocity_range()),
            thru: BoolParam::new("MIDI thru", true),
        }
    }
}

impl BluesParams {
    /// The engine's view of the parameters, read once per block.
    pub fn settings(&self) -> Settings {
        Settings {
            mode: match self.mode.value() {
                ModeChoice::Audition => Mode::Audition,
            },
            voices: VoiceSettings {
                chords_on: self.chords_on.value(),
                melody_on: self.melody_on.value(),
                chord_channel: (self.chord_channel.value().clamp(1, 16) - 1) as u8,
                melody_channel: (self.melody_channel.value().clamp(1, 16) - 1) as u8,
                chord_velocity: self.chord_velocity.value().clamp(1, 127) as f32 / 127.0,
                melody_velocity: self.melody_velocity.value().clamp(1, 127) as f32 / 127.0,
                transpose: self.key.value().clamp(-12, 12) as i8,
            },
            thru: self.thru.value(),
            seed: self.seed.value().max(0) as u64,
        }
    }
}
