//! Capture: records the notes played into the plugin while the host plays, quantised to the
//! eighth-note grid and cut into 12-bar choruses aligned to the host's bars (song step n is form
//! position n mod 96). The same rule as .mid import turns notes into frames
//! ([`crate::music::quantize`]). Audio thread only: everything is allocated in `new`.
//!
//! A chorus counts only when the song played through it from its first step without a jump (the
//! caller resets on jumps), and only if something was played in it.

use crate::music::corpus::Chorus;
use crate::music::encoding::{Frame, STEPS_PER_CHORUS};
use crate::music::quantize::{nearest_step, paint, MelodyOwner, Span};
use crate::music::split::VoiceSplit;

const CHORUS: i64 = STEPS_PER_CHORUS as i64;
/// Song positions beyond this many steps either way (about 250 million years at 120 BPM) are
/// absurd host values: capture starts over there, so its step arithmetic never overflows.
const MAX_STEP_POS: f64 = 1e15;

/// One chorus being filled.
#[derive(Clone, Copy, Debug)]
struct Buffer {
    frames: Chorus,
    owners: [Option<MelodyOwner>; STEPS_PER_CHORUS],
    /// Whether any note landed in it.
    played: bool,
}

impl Default for Buffer {
    fn default() -> Self {
        Self { frames: [Frame::default(); STEPS_PER_CHORUS], owners: [None; STEPS_PER_CHORUS], played: false }
    }
}

/// The capture in progress.
#[derive(Clone, Debug)]
pub struct Capture {
    /// The chorus (song chorus number) being filled, and the one after it (notes played up to
    /// half a step early land there).
    chorus: Option<i64>,
    current: Box<Buffer>,
    next: Box<Buffer>,
    /// Per (channel, key): the step a held note started at, and whether it is a chord note.
    held: Box<[Option<(i64, bool)>; 16 * 128]>,
    /// The first song step of this continuous run: earlier choruses are incomplete.
    run_start: Option<i64>,
    /// Whether anything changed since the last reset: resetting rewrites about 40 KB, which
    /// the engine asks for on every block while capture is off or the transport stopped.
    touched: bool,
}

impl Default for Capture {
    fn default() -> Self {
        Self {
            chorus: None,
            current: Box::default(),
            next: Box::default(),
            held: Box::new([None; 16 * 128]),
            run_start: None,
            touched: false,
        }
    }
}

impl Capture {
    /// An idle capture with every buffer allocated: the only allocation it makes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Discards what is partly captured (transport stop, seek, loop, capture switched off).
    pub fn reset(&mut self) {
        if !self.touched {
            return;
        }
        self.touched = false;
        self.chorus = None;
        *self.current = Buffer::default();
        *self.next = Buffer::default();
        self.held.fill(None);
        self.run_start = None;
    }

    /// Whether a song position can be captured: a number, and not absurdly far (NaN would also
    /// keep `advance` looping).
    fn sane(step_pos: f64) -> bool {
        step_pos.abs() < MAX_STEP_POS
    }

    /// The chorus a step belongs to.
    fn chorus_of(step: i64) -> i64 {
        step.div_euclid(CHORUS)
    }

    fn start_run(&mut self, step: i64) {
        if self.run_start.is_none() {
            self.run_start = Some(step);
            self.chorus = Some(Self::chorus_of(step));
        }
    }

    /// Paints a finished note into the chorus buffers it overlaps.
    fn paint(&mut self, span: Span) {
        let Some(chorus) = self.chorus else { return };
        let first = chorus.saturating_mul(CHORUS);
        for (buffer, first) in [(&mut *self.current, first), (&mut *self.next, first.saturating_add(CHORUS))] {
            if span.start < first.saturating_add(CHORUS) && span.end > first {
                paint(span, first, &mut buffer.frames, &mut buffer.owners);
                buffer.played = true;
            }
        }
    }

    /// A note played at song position `step_pos` (steps, fractional: beats × 2).
    pub fn note(&mut self, step_pos: f64, channel: u8, key: u8, on: bool, split: VoiceSplit) {
        if !Self::sane(step_pos) {
            self.reset();
            return;
        }
        self.touched = true;
        let step = nearest_step(step_pos);
        self.start_run(step);
        let slot = &mut self.held[usize::from(channel & 15) * 128 + usize::from(key & 127)];
        if let Some((start, chord)) = slot.take() {
            // A NoteOff ends the note; a NoteOn on a held key ends the old one there too.
            self.paint(Span { start, end: step.max(start + 1), key, chord });
        }
        if on {
            self.held[usize::from(channel & 15) * 128 + usize::from(key & 127)] =
                Some((step, split.is_chord(channel, key)));
        }
    }

    /// The song has reached `step_pos`: each chorus that is complete (its end plus half a step
    /// has passed) goes to `done`, once, if the run covered it whole and something was played.
    pub fn advance(&mut self, step_pos: f64, done: &mut impl FnMut(&Chorus)) {
        if !Self::sane(step_pos) {
            self.reset();
            return;
        }
        self.touched = true;
        // A leap of several choruses past the one being filled is a jump, not play: start over.
        if self.chorus.is_some_and(|c| step_pos > (c as f64 + 5.0) * CHORUS as f64) {
            self.reset();
        }
        self.start_run(nearest_step(step_pos));
        while let Some(chorus) = self.chorus {
            let end = chorus.saturating_add(1).saturating_mul(CHORUS);
            if step_pos < end as f64 + 0.5 {
                break;
            }
            // Held notes sound to the end of this chorus and carry on into the next; they keep
            // their onset, so the latest-onset rule still holds across the boundary.
            for (slot, held) in self.held.iter().enumerate() {
                if let Some((start, chord)) = *held {
                    let span = Span { start, end, key: (slot % 128) as u8, chord };
                    paint(span, chorus * CHORUS, &mut self.current.frames, &mut self.current.owners);
                    self.current.played = true;
                }
            }
            let whole = self.run_start.is_some_and(|s| s <= chorus.saturating_mul(CHORUS));
            if whole && self.current.played {
                done(&self.current.frames);
            }
            std::mem::swap(&mut self.current, &mut self.next);
            *self.next = Buffer::default();
            self.chorus = Some(chorus.saturating_add(1));
            if end == i64::MAX {
                break; // the end of time: nothing more can complete
            }
        }
    }
}

/// What the audio thread shares about capturing: the switch, the rule, and the finished
/// choruses waiting for the editor (or a state save) to add them to the user's corpus. Lock-free
/// and preallocated.
#[derive(Debug)]
pub struct CaptureShared {
    /// Whether capture is on; written by the editor (or a state load).
    enabled: std::sync::atomic::AtomicBool,
    /// 0 = by range; 1 + channel = chords on that channel.
    split: std::sync::atomic::AtomicU8,
    /// Finished choruses: pushed by the audio thread, taken by the editor or a state save.
    done: crossbeam::queue::ArrayQueue<Chorus>,
    /// Choruses lost because nobody collected them in time.
    dropped: std::sync::atomic::AtomicU32,
}

/// Finished choruses kept until collected (about 25 minutes of music at 120 BPM).
pub const CAPTURE_QUEUE: usize = 64;

impl Default for CaptureShared {
    fn default() -> Self {
        Self {
            enabled: Default::default(),
            split: Default::default(),
            done: crossbeam::queue::ArrayQueue::new(CAPTURE_QUEUE),
            dropped: Default::default(),
        }
    }
}

impl CaptureShared {
    pub fn enabled(&self) -> bool {
        self.enabled.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn split(&self) -> VoiceSplit {
        match self.split.load(std::sync::atomic::Ordering::Relaxed) {
            0 => VoiceSplit::ByRange,
            n => VoiceSplit::ByChannel { chord_channel: (n - 1).min(15) },
        }
    }

    pub fn set_split(&self, split: VoiceSplit) {
        let code = match split {
            VoiceSplit::ByRange => 0,
            VoiceSplit::ByChannel { chord_channel } => chord_channel.min(15) + 1,
        };
        self.split.store(code, std::sync::atomic::Ordering::Relaxed);
    }

    /// Audio thread: a finished chorus.
    pub fn push(&self, chorus: &Chorus) {
        if self.done.push(*chorus).is_err() {
            self.dropped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Any other thread: the finished choruses so far.
    pub fn take_all(&self) -> Vec<Chorus> {
        std::iter::from_fn(|| self.done.pop()).collect()
    }

    pub fn dropped(&self) -> u32 {
        self.dropped.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::corpus::builtin_chorus;

    /// Plays `chorus` into the capture starting at song chorus `number`, notes nudged by `late`
    /// steps, the way a musician on a keyboard would (chords held through their bar).
    fn play(capture: &mut Capture, chorus: &Chorus, number: i64, late: f64, out: &mut Vec<Chorus>) {
        let base = (number * CHORUS) as f64;
        for (step, frame) in chorus.iter().enumerate() {
            let at = base + step as f64 + late;
            capture.advance(at, &mut |c| out.push(*c));
            if step % 8 == 0 {
                if step > 0 {
                    for key in chorus[step - 1].chord_notes() {
                        capture.note(at, 0, key, false, VoiceSplit::ByRange);
                    }
                }
                for key in frame.chord_notes() {
                    capture.note(at, 0, key, true, VoiceSplit::ByRange);
                }
            }
            if step % 2 == 0 {
                if step > 0 {
                    capture.note(at, 0, chorus[step - 1].melody_note().unwrap(), false, VoiceSplit::ByRange);
                }
                capture.note(at, 0, frame.melody_note().unwrap(), true, VoiceSplit::ByRange);
            }
        }
        for key in chorus[95].chord_notes() {
            capture.note(base + 96.0 + late, 0, key, false, VoiceSplit::ByRange);
        }
        capture.note(base + 96.0 + late, 0, chorus[95].melody_note().unwrap(), false, VoiceSplit::ByRange);
    }

    #[test]
    fn a_chorus_played_a_little_early_or_late_comes_out_exact() {
        for late in [0.0, 0.3, -0.3, 0.49] {
            let mut capture = Capture::default();
            let mut out = Vec::new();
            capture.advance(-0.2, &mut |c| out.push(*c)); // play pressed just before bar 1
            play(&mut capture, &builtin_chorus(99), 0, late, &mut out);
            play(&mut capture, &builtin_chorus(3000), 1, late, &mut out);
            capture.advance(2.0 * 96.0 + 1.0, &mut |c| out.push(*c));
            assert_eq!(out, vec![builtin_chorus(99), builtin_chorus(3000)], "{late} steps late");
        }
    }

    #[test]
    fn a_note_held_across_the_chorus_boundary_sounds_in_both() {
        let mut capture = Capture::default();
        let mut out = Vec::new();
        capture.advance(0.0, &mut |c| out.push(*c));
        capture.note(90.0, 0, 48, true, VoiceSplit::ByRange);
        capture.advance(150.0, &mut |c| out.push(*c));
        capture.note(100.0, 0, 48, false, VoiceSplit::ByRange);
        capture.advance(300.0, &mut |c| out.push(*c));
        assert_eq!(out.len(), 2);
        assert!(out[0][..90].iter().all(|f| f.chord == 0) && out[0][90..].iter().all(|f| f.chord == 1));
        assert!(out[1][..4].iter().all(|f| f.chord == 1) && out[1][4..].iter().all(|f| f.chord == 0));
    }

    #[test]
    fn a_partial_chorus_or_an_empty_one_is_not_kept_and_reset_discards() {
        let mut capture = Capture::default();
        let mut out = Vec::new();
        capture.advance(50.0, &mut |c| out.push(*c)); // started in the middle of chorus 1
        capture.note(60.0, 0, 64, true, VoiceSplit::ByRange);
        capture.note(61.0, 0, 64, false, VoiceSplit::ByRange);
        capture.advance(200.0, &mut |c| out.push(*c)); // chorus 2 passes with nothing played
        assert!(out.is_empty());
        capture.note(200.0, 0, 64, true, VoiceSplit::ByRange);
        capture.reset();
        capture.advance(400.0, &mut |c| out.push(*c));
        assert!(out.is_empty(), "reset discards the held note and the chorus");
    }

    #[test]
    /// Regression: held notes carried into the next chorus lost their onsets, so the older note
    /// won the melody there.
    fn the_latest_onset_still_wins_across_the_chorus_boundary() {
        let mut capture = Capture::default();
        let mut out = Vec::new();
        capture.advance(0.0, &mut |c| out.push(*c));
        capture.note(90.0, 0, 64, true, VoiceSplit::ByRange);
        capture.note(94.0, 0, 62, true, VoiceSplit::ByRange);
        capture.advance(97.0, &mut |c| out.push(*c));
        capture.note(100.0, 0, 64, false, VoiceSplit::ByRange);
        capture.note(100.0, 0, 62, false, VoiceSplit::ByRange);
        capture.advance(200.0, &mut |c| out.push(*c));
        assert_eq!(out[0][95].melody, Some(2));
        assert_eq!(out[1][0].melody, Some(2));
    }

    #[test]
    /// Regression: a leap to an absurd position looped once per chorus in between (forever).
    fn an_absurd_leap_starts_over_instead_of_looping() {
        let mut capture = Capture::default();
        let mut out = Vec::new();
        capture.advance(0.0, &mut |c| out.push(*c));
        capture.note(1.0, 0, 64, true, VoiceSplit::ByRange);
        capture.advance(1e300, &mut |c| out.push(*c));
        capture.advance(1e15, &mut |c| out.push(*c));
        assert!(out.is_empty());
    }

    /// Regression: a NaN position kept `advance` looping (NaN is never before a chorus end), and a
    /// note at an absurd position overflowed the step arithmetic.
    #[test]
    fn nan_and_absurd_positions_start_over() {
        for absurd in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300, 1e16] {
            let mut capture = Capture::new();
            let mut out = Vec::new();
            capture.advance(-96.0, &mut |c| out.push(*c));
            capture.note(-90.0, 0, 64, true, VoiceSplit::ByRange);
            capture.note(absurd, 0, 64, true, VoiceSplit::ByRange);
            capture.note(absurd, 0, 64, false, VoiceSplit::ByRange);
            capture.advance(absurd, &mut |c| out.push(*c));
            capture.note(-80.0, 0, 64, false, VoiceSplit::ByRange);
            capture.advance(200.0, &mut |c| out.push(*c));
            assert!(out.is_empty(), "{absurd}: the run was broken, nothing is kept");
        }
    }

    #[test]
    fn capture_allocates_nothing_once_made() {
        let mut capture = Capture::default();
        let mut count = 0;
        // Test builds install nice-plug's allocation guard: any allocation in here aborts.
        nice_assert_no_alloc::assert_no_alloc(|| {
            for step in 0..1000 {
                capture.note(step as f64, 0, 40 + (step % 40) as u8, step % 2 == 0, VoiceSplit::ByRange);
                capture.advance(step as f64 + 0.5, &mut |_| count += 1);
            }
        });
        assert!(count > 5);
    }
}
