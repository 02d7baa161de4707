//! How notes from outside (played into the plugin, or in a user's .mid file) are told apart into
//! chords and melody. Any thread.

use super::encoding::MELODY_LOW;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoiceSplit {
    /// Notes below C4 (MIDI 60) are chords, C4 and up melody.
    #[default]
    ByRange,
    /// Notes on this channel (0–15) are chords, all others melody.
    ByChannel { chord_channel: u8 },
}

impl VoiceSplit {
    pub fn is_chord(&self, channel: u8, key: u8) -> bool {
        match self {
            VoiceSplit::ByRange => key < MELODY_LOW,
            VoiceSplit::ByChannel { chord_channel } => channel == *chord_channel,
        }
    }

    /// The rule in words, for the editor.
    pub fn describe(&self) -> String {
        match self {
            VoiceSplit::ByRange => "notes below C4 (MIDI 60) are chords, C4 and up melody".to_string(),
            VoiceSplit::ByChannel { chord_channel } => {
                format!("notes on channel {} are chords, other channels melody", chord_channel + 1)
            }
        }
    }
}
