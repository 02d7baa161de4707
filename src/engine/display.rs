//! What the editor shows of the music: the step being played and the frames of the last two
//! choruses. Written by the audio thread with relaxed atomic stores (no allocation, no lock),
//! read by the editor at its own pace; a frame torn between two steps only shows for one repaint.

use crate::music::encoding::{Frame, STEPS_PER_CHORUS};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

/// Steps of history kept: two choruses.
pub const HISTORY_STEPS: usize = 2 * STEPS_PER_CHORUS;

/// Shared between the audio thread (writer) and the editor (reader).
#[derive(Debug)]
pub struct Display {
    /// Song step index of the last step played; `i64::MIN` before the first.
    step: AtomicI64,
    /// Whether the host transport is running.
    playing: AtomicBool,
    /// Slot `step mod HISTORY_STEPS` holds that step's frame, packed with its step index.
    history: [AtomicU64; HISTORY_STEPS],
    /// Steps recorded since the plugin was created (tests use it to catch doubled steps).
    recorded: AtomicU64,
}

impl Default for Display {
    fn default() -> Self {
        Self {
            step: AtomicI64::new(i64::MIN),
            playing: AtomicBool::new(false),
            history: std::array::from_fn(|_| AtomicU64::new(0)),
            recorded: AtomicU64::new(0),
        }
    }
}

/// Packs a step and its frame: step + 1 in the top 40 bits (0 = empty slot), chord mask, melody.
fn pack(step: i64, frame: Frame) -> u64 {
    let step_bits = (step.wrapping_add(1) as u64) & ((1 << 40) - 1);
    let melody = frame.melody.map_or(0, |m| u64::from(m) + 1);
    step_bits << 24 | u64::from(frame.chord) << 8 | melody
}

fn unpack(word: u64) -> Option<(i64, Frame)> {
    let step_bits = word >> 24;
    if step_bits == 0 {
        return None;
    }
    // Sign-extend the 40-bit step.
    let step = ((step_bits << 24) as i64 >> 24) - 1;
    let melody = (word & 0xFF) as u8;
    let frame = Frame { chord: (word >> 8 & 0xFFFF) as u16, melody: melody.checked_sub(1) };
    Some((step, frame))
}

impl Display {
    /// Audio thread: a step was played.
    pub fn record(&self, step: i64, frame: Frame) {
        self.history[step.rem_euclid(HISTORY_STEPS as i64) as usize].store(pack(step, frame), Ordering::Relaxed);
        self.step.store(step, Ordering::Relaxed);
        self.recorded.fetch_add(1, Ordering::Relaxed);
    }

    /// How many steps have been played in all.
    pub fn recorded(&self) -> u64 {
        self.recorded.load(Ordering::Relaxed)
    }

    /// Audio thread: the transport state of this block.
    pub fn set_playing(&self, playing: bool) {
        self.playing.store(playing, Ordering::Relaxed);
    }

    /// Editor: the last step played, if any.
    pub fn step(&self) -> Option<i64> {
        Some(self.step.load(Ordering::Relaxed)).filter(|&s| s != i64::MIN)
    }

    pub fn playing(&self) -> bool {
        self.playing.load(Ordering::Relaxed)
    }

    /// Editor: the frame played at `step`, if it is still in the history.
    pub fn frame_at(&self, step: i64) -> Option<Frame> {
        let word = self.history[step.rem_euclid(HISTORY_STEPS as i64) as usize].load(Ordering::Relaxed);
        unpack(word).filter(|(s, _)| *s == step).map(|(_, f)| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_come_back_for_the_last_two_choruses_only() {
        let d = Display::default();
        assert_eq!(d.step(), None);
        for step in -5..400i64 {
            d.record(
                step,
                Frame {
                    chord: (step as u16).wrapping_mul(7) & 0xFFF,
                    melody: (step % 3 != 0).then_some((step.rem_euclid(13)) as u8),
                },
            );
        }
        assert_eq!(d.step(), Some(399));
        for step in 208..400i64 {
            let f = d.frame_at(step).unwrap();
            assert_eq!(f.chord, (step as u16).wrapping_mul(7) & 0xFFF);
            assert_eq!(f.melody, (step % 3 != 0).then_some((step.rem_euclid(13)) as u8));
        }
        assert_eq!(d.frame_at(207), None, "overwritten by step 399");
        assert_eq!(d.frame_at(-3), None);
    }

    #[test]
    fn negative_steps_pack_and_unpack() {
        let frame = Frame { chord: 0xABC, melody: Some(12) };
        assert_eq!(unpack(pack(-7, frame)), Some((-7, frame)));
        assert_eq!(unpack(pack(123_456_789, frame)), Some((123_456_789, frame)));
    }
}
