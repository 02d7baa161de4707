//! How the notes of a multi-part take (captured while played into the plugin, or in a user's
//! .mid file) are told apart into bass, chords and melody: one rule for capture and import.
//! Steering and trading do not use it: live, every note is the melody unless it comes on the
//! bass input channel (`engine::input_map`), so a player can never change the form's chords.
//! Any thread.

use super::part::Part;
use serde::{Deserialize, Serialize};

/// General MIDI's drum channel, 10 (0-based 9): what arrives there is the drums, whatever the rule.
pub const GM_DRUM_CHANNEL: u8 = 9;

/// Lowest key of the chord range and of the melody range when voices are told apart by range.
pub const CHORD_RANGE_LOW: u8 = 48;
pub const MELODY_RANGE_LOW: u8 = 60;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoiceSplit {
    /// Notes from C4 (MIDI 60) up are melody, C3–B3 chords, below C3 the bass (where the model
    /// plays one; otherwise chords too).
    #[default]
    ByRange,
    /// Notes on this channel (0–15) are chords, all others melody; with a bass channel, notes
    /// on it are the bass.
    ByChannel {
        chord_channel: u8,
        #[serde(default)]
        bass_channel: Option<u8>,
    },
}

impl VoiceSplit {
    /// The part of a note on `channel`; `bass` says whether there is a bass to steer or learn.
    /// Channel 10 is the drums (General MIDI's convention) unless the rule names it for chords
    /// or bass.
    pub fn voice(&self, channel: u8, key: u8, bass: bool) -> Part {
        match *self {
            VoiceSplit::ByChannel { bass_channel: Some(b), .. } if channel == b && bass => Part::Bass,
            VoiceSplit::ByChannel { chord_channel, .. } if channel == chord_channel => Part::Chords,
            _ if channel == GM_DRUM_CHANNEL => Part::Drums,
            VoiceSplit::ByRange if key >= MELODY_RANGE_LOW => Part::Melody,
            VoiceSplit::ByRange if key < CHORD_RANGE_LOW && bass => Part::Bass,
            VoiceSplit::ByRange => Part::Chords,
            VoiceSplit::ByChannel { .. } => Part::Melody,
        }
    }

    /// The rule in words, for the editor.
    pub fn describe(&self) -> String {
        match self {
            VoiceSplit::ByRange => {
                "notes from C4 (MIDI 60) up are melody, C3–B3 chords, below C3 the bass; channel 10 the drums"
                    .to_string()
            }
            VoiceSplit::ByChannel { chord_channel, bass_channel: None } => {
                format!(
                    "notes on channel {} are chords, channel 10 the drums, other channels melody",
                    chord_channel + 1
                )
            }
            VoiceSplit::ByChannel { chord_channel, bass_channel: Some(b) } => {
                format!(
                    "notes on channel {} are chords, channel {} the bass, channel 10 the drums, other channels melody",
                    chord_channel + 1,
                    b + 1
                )
            }
        }
    }

    /// The rule packed in a number, for an atomic the audio thread reads: 0 by range, else
    /// 1 + chord channel + 16 × (1 + bass channel, or 0 without one).
    pub fn to_byte(self) -> u16 {
        match self {
            VoiceSplit::ByRange => 0,
            VoiceSplit::ByChannel { chord_channel, bass_channel } => {
                1 + u16::from(chord_channel.min(15)) + 16 * bass_channel.map_or(0, |b| u16::from(b.min(15)) + 1)
            }
        }
    }

    pub fn from_byte(byte: u16) -> Self {
        match byte {
            0 => VoiceSplit::ByRange,
            n => {
                let (chord, bass) = ((n - 1) % 16, (n - 1) / 16);
                VoiceSplit::ByChannel {
                    chord_channel: chord as u8,
                    bass_channel: bass.checked_sub(1).map(|b| b.min(15) as u8),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_channels_tell_the_parts_apart() {
        let r = VoiceSplit::ByRange;
        assert_eq!(r.voice(0, 60, true), Part::Melody);
        assert_eq!(r.voice(0, 52, true), Part::Chords);
        assert_eq!(r.voice(0, 40, true), Part::Bass);
        assert_eq!(r.voice(0, 40, false), Part::Chords, "no bass in the model: low notes are chords");
        let c = VoiceSplit::ByChannel { chord_channel: 1, bass_channel: Some(2) };
        assert_eq!(c.voice(1, 80, true), Part::Chords);
        assert_eq!(c.voice(2, 80, true), Part::Bass);
        assert_eq!(c.voice(2, 80, false), Part::Melody);
        assert_eq!(c.voice(5, 30, true), Part::Melody);
        assert_eq!(r.voice(9, 36, true), Part::Drums, "channel 10 is General MIDI's drums");
        assert_eq!(c.voice(9, 38, true), Part::Drums);
        let chords_on_10 = VoiceSplit::ByChannel { chord_channel: 9, bass_channel: None };
        assert_eq!(chords_on_10.voice(9, 60, true), Part::Chords, "unless the user names channel 10");
    }

    #[test]
    fn the_rule_survives_its_number() {
        for split in [
            VoiceSplit::ByRange,
            VoiceSplit::ByChannel { chord_channel: 0, bass_channel: None },
            VoiceSplit::ByChannel { chord_channel: 15, bass_channel: Some(0) },
            VoiceSplit::ByChannel { chord_channel: 3, bass_channel: Some(15) },
        ] {
            assert_eq!(VoiceSplit::from_byte(split.to_byte()), split, "{split:?}");
        }
    }
}
