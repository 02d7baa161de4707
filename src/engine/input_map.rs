//! Who plays a note that comes in live: one map for steering and trading, the same in every
//! mode and register. A player's note is the melody, whatever its key (a tenor's call below
//! middle C is a call, not a chord), unless it arrives on the bass input channel the user set.
//!
//! Notes played in never reach the chord blocks: in a learned form the chords are the model's,
//! so nothing a player does — any key, channel or rhythm, a stuck note, a note storm — can
//! knock the band off its form. Capture and import of multi-part files keep their own rule
//! (`music::split`): there the parts must be told apart, and the editor states how.

/// The live input's parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LivePart {
    Melody,
    Bass,
}

/// How live notes are told apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InputMap {
    /// Notes on this channel (0–15) are the bass line's.
    pub bass_channel: Option<u8>,
}

impl InputMap {
    /// The part a note on `channel` steers; `None` for a bass note when the model plays no bass
    /// (a bass player's line is not the soloist's).
    pub fn part(&self, channel: u8, plays_bass: bool) -> Option<LivePart> {
        match self.bass_channel {
            Some(bass) if bass == channel => plays_bass.then_some(LivePart::Bass),
            _ => Some(LivePart::Melody),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_note_is_melody_unless_it_comes_on_the_bass_channel() {
        let none = InputMap::default();
        for channel in 0..16 {
            assert_eq!(none.part(channel, true), Some(LivePart::Melody));
        }
        let bass_on_3 = InputMap { bass_channel: Some(2) };
        assert_eq!(bass_on_3.part(2, true), Some(LivePart::Bass));
        assert_eq!(bass_on_3.part(2, false), None, "no bass in the model: the bass player is not heard");
        assert_eq!(bass_on_3.part(0, true), Some(LivePart::Melody));
    }
}
