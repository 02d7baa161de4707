//! Steering: the notes a musician plays into the plugin become the network's input for the next
//! step (the paper seeded its network the same way), and the network carries on from there.
//! Audio thread only; allocation-free.
//!
//! Rule: notes below MIDI 60 are chord notes (folded into the chord octave by pitch class),
//! notes from 60 up are melody notes (folded by octaves into 60–72). A chord input is every chord
//! note held at the step or struck since the last one; a melody input is the latest melody note
//! struck since the last step, or, failing that, the latest one still held.

use crate::music::encoding::{fold_to_chord_unit, fold_to_melody_unit, MELODY_LOW};

/// What the musician asks the next step to take as input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SteerInput {
    /// Chord mask to use instead of the network's own chord, if any chord note is played.
    pub chord: Option<u16>,
    /// Melody unit to use instead of the network's own melody note, if one is played.
    pub melody: Option<u8>,
}

/// The notes held and struck since the last step.
#[derive(Clone, Copy, Debug, Default)]
pub struct Steering {
    /// Bit `k` set: MIDI key `k` is held.
    held: u128,
    /// Bit `k` set: MIDI key `k` was struck since the last step.
    struck: u128,
    /// Latest melody key struck since the last step.
    latest_struck_melody: Option<u8>,
    /// Latest melody key struck at all (it steers while it is held).
    latest_melody: Option<u8>,
}

impl Steering {
    pub fn note_on(&mut self, key: u8) {
        let key = key.min(127);
        self.held |= 1 << key;
        self.struck |= 1 << key;
        if key >= MELODY_LOW {
            self.latest_struck_melody = Some(key);
            self.latest_melody = Some(key);
        }
    }

    pub fn note_off(&mut self, key: u8) {
        self.held &= !(1 << key.min(127));
    }

    /// Forget every note (transport stop, reset).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// The input for the step that starts now; clears what was struck since the last one.
    pub fn take_input(&mut self) -> SteerInput {
        let chord_keys = (self.held | self.struck) & ((1u128 << MELODY_LOW) - 1);
        let chord = (chord_keys != 0).then(|| {
            (0..MELODY_LOW)
                .filter(|&k| chord_keys & (1 << k) != 0)
                .fold(0u16, |mask, k| mask | 1 << fold_to_chord_unit(k))
        });
        let held_melody = self.latest_melody.filter(|&k| self.held & (1 << k) != 0);
        let melody = self.latest_struck_melody.or(held_melody).map(fold_to_melody_unit);
        self.struck = 0;
        self.latest_struck_melody = None;
        SteerInput { chord, melody }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stab_between_steps_still_steers_once() {
        let mut s = Steering::default();
        s.note_on(74); // D5 → D4
        s.note_off(74);
        assert_eq!(s.take_input(), SteerInput { chord: None, melody: Some(2) });
        assert_eq!(s.take_input(), SteerInput::default());
    }

    #[test]
    fn held_chord_notes_fold_into_the_chord_octave_and_keep_steering() {
        let mut s = Steering::default();
        for k in [36, 40, 43, 46] {
            s.note_on(k); // C7 two octaves down
        }
        let want = Some(1 | 1 << 4 | 1 << 7 | 1 << 10);
        assert_eq!(s.take_input().chord, want);
        assert_eq!(s.take_input().chord, want);
        s.clear();
        assert_eq!(s.take_input(), SteerInput::default());
    }

    #[test]
    fn the_latest_melody_note_wins() {
        let mut s = Steering::default();
        s.note_on(60);
        s.note_on(67);
        assert_eq!(s.take_input().melody, Some(7));
        s.note_off(67);
        assert_eq!(s.take_input().melody, None, "60 is held but 67 was the latest and is released");
    }
}
