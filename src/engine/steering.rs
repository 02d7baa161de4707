//! Steering: the notes a musician plays into the plugin become the network's input for the next
//! step (the paper seeded its network the same way), and the network carries on from there.
//! Audio thread only; allocation-free.
//!
//! The caller tells each note's part by the live input map (`input_map`): melody or bass, never
//! the chords, which in a learned form are the model's. A line's input is the latest note of
//! that part struck since the last step (a note beginning), or, failing that, the latest one
//! still held (a note held on). A key outside the line's range is folded into it by octaves
//! when it is encoded, so a call in any register is heard.

use super::input_map::LivePart;
use crate::music::encoding::{Frame, Note};

/// What the musician asks the next step to take as input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SteerInput {
    /// Notes to use instead of the network's own melody and bass, where played.
    pub melody: Option<Note>,
    pub bass: Option<Note>,
}

impl SteerInput {
    /// Writes what was played over `frame`; the bass only where the model plays one.
    pub fn apply(&self, frame: &mut Frame, bass: bool) {
        if let Some(melody) = self.melody {
            frame.melody = melody;
        }
        if let (Some(note), true) = (self.bass, bass) {
            frame.bass = note;
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One line part's notes: the latest struck since the last step, the latest struck at all.
#[derive(Clone, Copy, Debug, Default)]
struct Line {
    latest_struck: Option<u8>,
    latest: Option<u8>,
}

/// The notes held and struck since the last step.
#[derive(Clone, Copy, Debug, Default)]
pub struct Steering {
    /// Bit `k` set: MIDI key `k` is held.
    held: u128,
    melody: Line,
    bass: Line,
}

impl Steering {
    pub fn note_on(&mut self, part: LivePart, key: u8) {
        let key = key.min(127);
        self.held |= 1u128 << key;
        let line = Line { latest_struck: Some(key), latest: Some(key) };
        match part {
            LivePart::Melody => self.melody = line,
            LivePart::Bass => self.bass = line,
        }
    }

    pub fn note_off(&mut self, key: u8) {
        self.held &= !(1u128 << key.min(127));
    }

    /// Forget the melody played (a traded turn is over: what the player holds no longer steers).
    pub fn forget_melody(&mut self) {
        self.melody = Line::default();
    }

    /// Forget every note (transport stop, reset).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// The input for the step that starts now; clears what was struck since the last one.
    pub fn take_input(&mut self) -> SteerInput {
        let held = self.held;
        let line = |l: &mut Line| -> Option<Note> {
            match l.latest_struck.take() {
                Some(key) => Some(Note::struck(key)),
                None => l.latest.filter(|&k| held & (1 << k) != 0).map(Note::held),
            }
        };
        SteerInput { melody: line(&mut self.melody), bass: line(&mut self.bass) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stab_between_steps_still_steers_once() {
        let mut s = Steering::default();
        s.note_on(LivePart::Melody, 74);
        s.note_off(74);
        assert_eq!(s.take_input(), SteerInput { melody: Some(Note::struck(74)), ..SteerInput::default() });
        assert_eq!(s.take_input(), SteerInput::default());
    }

    #[test]
    fn a_chord_played_in_is_a_line_not_the_harmony() {
        let mut s = Steering::default();
        for k in [36, 40, 43, 46] {
            s.note_on(LivePart::Melody, k); // C7 two octaves down: the last note struck is the line's
        }
        assert_eq!(s.take_input(), SteerInput { melody: Some(Note::struck(46)), bass: None });
        s.clear();
        assert_eq!(s.take_input(), SteerInput::default());
    }

    #[test]
    fn the_latest_note_of_a_line_wins_struck_then_held() {
        let mut s = Steering::default();
        s.note_on(LivePart::Melody, 60);
        s.note_on(LivePart::Melody, 67);
        s.note_on(LivePart::Bass, 36);
        let first = s.take_input();
        assert_eq!((first.melody, first.bass), (Some(Note::struck(67)), Some(Note::struck(36))));
        let second = s.take_input();
        assert_eq!((second.melody, second.bass), (Some(Note::held(67)), Some(Note::held(36))), "held on");
        s.note_off(67);
        assert_eq!(s.take_input().melody, None, "60 is held but 67 was the latest and is released");
    }

    #[test]
    fn the_bass_steers_only_a_model_with_a_bass() {
        let input = SteerInput { bass: Some(Note::struck(40)), melody: Some(Note::held(70)) };
        let mut frame = Frame::default();
        input.apply(&mut frame, false);
        assert_eq!((frame.bass, frame.melody), (Note::REST, Note::held(70)));
        input.apply(&mut frame, true);
        assert_eq!(frame.bass, Note::struck(40));
    }
}
