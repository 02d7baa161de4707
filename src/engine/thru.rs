//! MIDI thru: the notes played into the plugin pass through to its output. The notes passed on
//! are remembered, so a NoteOff still passes after thru is switched off, and a reset releases
//! them, so an instrument downstream never hangs. Audio thread only; allocation-free.

use super::io::{InNote, NoteSink};

/// Which (channel, key) pairs were passed on and not yet released.
#[derive(Clone, Copy, Debug, Default)]
pub struct Thru {
    sounding: [u128; 16],
}

impl Thru {
    /// Passes `note` on when thru is on, and any NoteOff of a note passed on earlier.
    pub fn pass(&mut self, note: InNote, thru_on: bool, sink: &mut impl NoteSink) {
        let (channel, bit) = (usize::from(note.channel & 15), 1u128 << (note.key & 127));
        let was_passed = self.sounding[channel] & bit != 0;
        if note.on && thru_on {
            self.sounding[channel] |= bit;
            sink.send(note);
        } else if !note.on && (thru_on || was_passed) {
            self.sounding[channel] &= !bit;
            sink.send(note);
        }
    }

    /// Releases every note passed on, at `timing` (after a reset, when the host may never send
    /// their NoteOffs).
    pub fn release_all(&mut self, timing: u32, sink: &mut impl NoteSink) {
        for (channel, keys) in self.sounding.iter_mut().enumerate() {
            while *keys != 0 {
                let key = keys.trailing_zeros() as u8;
                *keys &= !(1u128 << key);
                sink.send(InNote { timing, channel: channel as u8, key, velocity: 0.0, on: false });
            }
        }
    }

    /// Releases the notes passed on that `which` (channel, key) picks, at `timing`.
    pub fn release_where(&mut self, timing: u32, which: impl Fn(u8, u8) -> bool, sink: &mut impl NoteSink) {
        for (channel, keys) in self.sounding.iter_mut().enumerate() {
            let mut left = *keys;
            while left != 0 {
                let key = left.trailing_zeros() as u8;
                left &= !(1u128 << key);
                if which(channel as u8, key) {
                    *keys &= !(1u128 << key);
                    sink.send(InNote { timing, channel: channel as u8, key, velocity: 0.0, on: false });
                }
            }
        }
    }

    pub fn sounding(&self) -> usize {
        self.sounding.iter().map(|k| k.count_ones() as usize).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::Recorder;

    fn note(key: u8, on: bool) -> InNote {
        InNote { timing: 0, channel: 3, key, velocity: 0.5, on }
    }

    #[test]
    fn a_note_passed_on_is_released_even_after_thru_is_switched_off() {
        let (mut thru, mut out) = (Thru::default(), Recorder::default());
        thru.pass(note(60, true), true, &mut out);
        thru.pass(note(62, true), false, &mut out); // thru off: not passed
        thru.pass(note(60, false), false, &mut out);
        thru.pass(note(62, false), false, &mut out);
        let passed: Vec<(u8, bool)> = out.0.iter().map(|n| (n.key, n.on)).collect();
        assert_eq!(passed, vec![(60, true), (60, false)]);
        assert_eq!(thru.sounding(), 0);
    }

    #[test]
    fn reset_releases_what_is_held() {
        let (mut thru, mut out) = (Thru::default(), Recorder::default());
        thru.pass(note(0, true), true, &mut out);
        thru.pass(note(127, true), true, &mut out);
        thru.release_all(9, &mut out);
        assert_eq!(out.0.iter().filter(|n| !n.on && n.timing == 9).count(), 2);
        assert_eq!(thru.sounding(), 0);
    }
}
