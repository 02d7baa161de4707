//! What the editor shows of the music: the step being played, the frames of the last choruses
//! (what the editor draws, and the take it exports: the player's turns as the plugin heard
//! them), whose turn it is when trading, and the form they are counted in. Written by the audio thread with relaxed atomic
//! stores (no allocation, no lock), read by the editor at its own pace; a frame torn between two
//! steps is detected by its step stamp and skipped for one repaint.

use crate::music::drums::PIECES;
use crate::music::encoding::{Frame, Note, CHORD_UNITS, MAX_STEPS_PER_CHORUS, STEPS_PER_BAR};
use crate::music::part::Part;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering};

/// Steps of history kept: eight of the longest choruses (42 twelve-bar ones).
pub const HISTORY_STEPS: usize = 8 * MAX_STEPS_PER_CHORUS;

/// One step of the history: the step index (`EMPTY` while being written or never) and the
/// frame, packed.
#[derive(Debug)]
struct Slot {
    step: AtomicI64,
    frame: AtomicU64,
}

const EMPTY: i64 = i64::MIN;

impl Default for Slot {
    fn default() -> Self {
        Self { step: AtomicI64::new(EMPTY), frame: AtomicU64::new(0) }
    }
}

/// Shared between the audio thread (writer) and the editor (reader).
#[derive(Debug)]
pub struct Display {
    /// Song step index of the last step played; `i64::MIN` before the first.
    step: AtomicI64,
    /// Whether the host transport is running.
    playing: AtomicBool,
    /// Bars of the form the steps are counted in.
    bars: AtomicUsize,
    /// Slot `step mod HISTORY_STEPS` holds that step's frame.
    history: Box<[Slot]>,
    /// Steps recorded since the plugin was created (tests use it to catch doubled steps).
    recorded: AtomicU64,
    /// Trading: whose turn it is and the bars left in it (`set_turn`); 0 when not trading.
    turn: AtomicU32,
    /// The tempo (BPM) and the swing (share of the beat) last played at, as f64 bits: a take
    /// exported keeps them.
    tempo: AtomicU64,
    swing: AtomicU64,
    /// The intensity the last step was played at (f32 bits): Build moves it.
    intensity: AtomicU32,
}

impl Default for Display {
    fn default() -> Self {
        Self {
            step: AtomicI64::new(i64::MIN),
            playing: AtomicBool::new(false),
            bars: AtomicUsize::new(12),
            history: (0..HISTORY_STEPS).map(|_| Slot::default()).collect(),
            recorded: AtomicU64::new(0),
            turn: AtomicU32::new(0),
            tempo: AtomicU64::new(120f64.to_bits()),
            swing: AtomicU64::new(0.5f64.to_bits()),
            intensity: AtomicU32::new(0.5f32.to_bits()),
        }
    }
}

/// A line note in 8 bits: key + 1 in the low 7 (0 = silence), begin in the top bit.
fn pack_note(n: Note) -> u64 {
    u64::from(n.key.map_or(0, |k| k.min(126) + 1)) | u64::from(n.begin) << 7
}

fn unpack_note(bits: u64) -> Note {
    let key = (bits & 0x7F) as u8;
    Note { key: key.checked_sub(1), begin: bits & 0x80 != 0 }
}

/// Where each part's bits start in a packed frame: the chord mask (12 bits), each line part
/// (8 bits), the drums (2 bits a lane); the top bit says the melody is the player's.
const LINE_BITS: u32 = 8;
const DRUMS_AT: u32 = CHORD_UNITS as u32 + LINE_BITS * Part::LINES.len() as u32;
const PLAYERS: u64 = 1 << 63;
const _: () = assert!(DRUMS_AT + 2 * PIECES as u32 <= 63, "a frame's parts fit below the player's bit");

fn line_at(i: usize) -> u32 {
    CHORD_UNITS as u32 + LINE_BITS * i as u32
}

fn pack(frame: Frame) -> u64 {
    let lines = Part::LINES.iter().enumerate().map(|(i, &p)| pack_note(frame.voice(p)) << line_at(i));
    let drums = frame.drums.0.iter().enumerate().map(|(lane, &l)| u64::from(l.min(3)) << (DRUMS_AT + 2 * lane as u32));
    u64::from(frame.chord & 0xFFF) | lines.chain(drums).fold(0, |word, bits| word | bits)
}

fn unpack(word: u64) -> Frame {
    let mut frame = Frame { chord: (word & 0xFFF) as u16, ..Frame::default() };
    for (i, &part) in Part::LINES.iter().enumerate() {
        *frame.voice_mut(part) = unpack_note(word >> line_at(i) & 0xFF);
    }
    for (lane, level) in frame.drums.0.iter_mut().enumerate() {
        *level = (word >> (DRUMS_AT + 2 * lane as u32) & 3) as u8;
    }
    frame
}

impl Display {
    fn slot(&self, step: i64) -> &Slot {
        &self.history[step.rem_euclid(HISTORY_STEPS as i64) as usize]
    }

    /// Audio thread: a step was played.
    pub fn record(&self, step: i64, frame: Frame) {
        self.write(step, pack(frame));
        self.step.store(step, Ordering::Relaxed);
        self.recorded.fetch_add(1, Ordering::Relaxed);
    }

    /// Audio thread: what was heard at `step` once it is known (the player's melody in their
    /// turn, when `players`).
    pub fn amend(&self, step: i64, frame: Frame, players: bool) {
        self.write(step, pack(frame) | if players { PLAYERS } else { 0 });
    }

    fn write(&self, step: i64, word: u64) {
        let slot = self.slot(step);
        // Empty the stamp first: a reader between the two stores sees no frame, not a wrong one.
        slot.step.store(EMPTY, Ordering::Relaxed);
        slot.frame.store(word, Ordering::Relaxed);
        slot.step.store(step, Ordering::Release);
    }

    /// Audio thread: whose turn it is, with the bars left in it, when trading.
    pub fn set_turn(&self, turn: Option<(bool, u8)>) {
        let word = turn.map_or(0, |(players, left)| 1 << 16 | u32::from(players) << 8 | u32::from(left));
        self.turn.store(word, Ordering::Relaxed);
    }

    /// Audio thread: the tempo and swing this block plays at.
    pub fn set_time(&self, tempo_bpm: f64, swing: f64) {
        self.tempo.store(tempo_bpm.to_bits(), Ordering::Relaxed);
        self.swing.store(swing.to_bits(), Ordering::Relaxed);
    }

    /// Editor: the tempo (BPM) and swing last played at.
    pub fn time(&self) -> (f64, f64) {
        (f64::from_bits(self.tempo.load(Ordering::Relaxed)), f64::from_bits(self.swing.load(Ordering::Relaxed)))
    }

    /// Audio thread: the intensity this step plays at.
    pub fn set_intensity(&self, level: f32) {
        self.intensity.store(level.to_bits(), Ordering::Relaxed);
    }

    /// Editor: the intensity last played at.
    pub fn intensity(&self) -> f32 {
        f32::from_bits(self.intensity.load(Ordering::Relaxed))
    }

    /// Editor: whether it is the player's turn, and the bars left in it, when trading.
    pub fn turn(&self) -> Option<(bool, u8)> {
        let word = self.turn.load(Ordering::Relaxed);
        (word & 1 << 16 != 0).then_some((word & 1 << 8 != 0, word as u8))
    }

    /// Audio thread: the form the song is counted in.
    pub fn set_bars(&self, bars: usize) {
        self.bars.store(bars, Ordering::Relaxed);
    }

    /// Editor: bars of the form.
    pub fn bars(&self) -> usize {
        self.bars.load(Ordering::Relaxed).max(1)
    }

    /// Editor: steps of a chorus.
    pub fn steps_per_chorus(&self) -> usize {
        self.bars() * STEPS_PER_BAR
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
        self.heard_at(step).map(|(frame, _)| frame)
    }

    /// Editor: the frame heard at `step` and whether its melody is the player's.
    pub fn heard_at(&self, step: i64) -> Option<(Frame, bool)> {
        let slot = self.slot(step);
        if step == EMPTY || slot.step.load(Ordering::Acquire) != step {
            return None;
        }
        let word = slot.frame.load(Ordering::Relaxed);
        (slot.step.load(Ordering::Acquire) == step).then_some((unpack(word), word & PLAYERS != 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_of(step: i64) -> Frame {
        Frame {
            chord: (step as u16).wrapping_mul(7) & 0xFFF,
            melody: Note { key: (step % 3 != 0).then_some((55 + step.rem_euclid(30)) as u8), begin: step % 2 == 0 },
            bass: Note { key: (step % 5 != 0).then_some((28 + step.rem_euclid(21)) as u8), begin: step % 4 == 0 },
            comp: Note { key: (step % 7 != 0).then_some(0), begin: step % 3 == 0 && step % 7 != 0 },
            drums: crate::music::drums::Hits(std::array::from_fn(|lane| ((step + lane as i64) % 4) as u8)),
        }
    }

    #[test]
    fn frames_come_back_for_the_history_only() {
        let d = Display::default();
        assert_eq!(d.step(), None);
        let end = HISTORY_STEPS as i64 + 2000;
        for step in -5..end {
            d.record(step, frame_of(step));
        }
        assert_eq!(d.step(), Some(end - 1));
        for step in end - HISTORY_STEPS as i64..end {
            assert_eq!(d.frame_at(step), Some(frame_of(step)), "step {step}");
        }
        assert_eq!(d.frame_at(end - HISTORY_STEPS as i64 - 1), None, "overwritten");
        assert_eq!(d.frame_at(-3), None);
        d.record(-1, frame_of(1));
        assert_eq!(d.frame_at(-1), Some(frame_of(1)), "a count-in step too");
        // What the player played is written over the step once heard, and known as theirs.
        let heard = Frame { melody: Note::struck(77), ..frame_of(1) };
        let recorded = d.recorded();
        d.amend(-1, heard, true);
        assert_eq!(d.heard_at(-1), Some((heard, true)));
        assert_eq!(d.recorded(), recorded, "amending plays no step");
        assert_eq!(d.heard_at(end - 1), Some((frame_of(end - 1), false)));
        assert_eq!(d.turn(), None);
        d.set_turn(Some((true, 3)));
        assert_eq!(d.turn(), Some((true, 3)));
        d.set_turn(Some((false, 1)));
        assert_eq!(d.turn(), Some((false, 1)));
    }

    #[test]
    fn negative_and_large_steps_pack_and_unpack() {
        let frame = frame_of(11);
        assert_eq!(unpack(pack(frame)), frame);
        let d = Display::default();
        d.record(-7, frame);
        assert_eq!(d.frame_at(-7), Some(frame));
        d.record(123_456_789, frame);
        assert_eq!(d.frame_at(123_456_789), Some(frame));
    }
}
