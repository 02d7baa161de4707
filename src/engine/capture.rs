//! Capture: records the notes played into the plugin while the host plays, quantised to the
//! eighth-note grid (swung playing heard straight) and cut into choruses of the form aligned to
//! the host's bars (song step n is form position n mod the form's steps). The same rule as .mid
//! import turns notes into frames ([`crate::music::quantize`]), bass, chords and melody told
//! apart by the same [`VoiceSplit`]. Audio thread only: everything is allocated in `new`.
//!
//! A chorus counts only when the song played through it from its first step without a jump (the
//! caller resets on jumps), and only if something was played in it.

use super::io::InNote;
use crate::music::drums::{level_of_velocity, Level};
use crate::music::encoding::{Form, Frame, MAX_STEPS_PER_CHORUS, STEPS_PER_BAR};
use crate::music::part::Part;
use crate::music::quantize::{nearest_step, paint, unswing, Owners, Span};
use crate::music::split::VoiceSplit;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, Ordering};

/// Song positions beyond this many steps either way (about 250 million years at 120 BPM) are
/// absurd host values: capture starts over there, so its step arithmetic never overflows.
const MAX_STEP_POS: f64 = 1e15;

/// A finished chorus as the audio thread hands it over: fixed size, so handing it over
/// allocates nothing; `steps` frames of it are the chorus.
#[derive(Clone, Copy, Debug)]
pub struct CapturedChorus {
    pub frames: [Frame; MAX_STEPS_PER_CHORUS],
    pub steps: u16,
}

impl CapturedChorus {
    /// The chorus's frames.
    pub fn chorus(&self) -> &[Frame] {
        &self.frames[..usize::from(self.steps)]
    }
}

/// One chorus being filled.
#[derive(Clone, Copy, Debug)]
struct Buffer {
    frames: [Frame; MAX_STEPS_PER_CHORUS],
    owners: [Owners; MAX_STEPS_PER_CHORUS],
    /// Whether any note landed in it.
    played: bool,
}

impl Default for Buffer {
    fn default() -> Self {
        Self {
            frames: [Frame::default(); MAX_STEPS_PER_CHORUS],
            owners: [[None; 2]; MAX_STEPS_PER_CHORUS],
            played: false,
        }
    }
}

/// The capture in progress.
#[derive(Clone, Debug)]
pub struct Capture {
    /// Steps in a chorus of the form being captured.
    steps: i64,
    /// The chorus (song chorus number) being filled, and the one after it (notes played up to
    /// half a step early land there).
    chorus: Option<i64>,
    current: Box<Buffer>,
    next: Box<Buffer>,
    /// Per (channel, key): the step a held note started at, its part and its drum level.
    held: Box<[Option<(i64, Part, Level)>; 16 * 128]>,
    /// The first song step of this continuous run: earlier choruses are incomplete.
    run_start: Option<i64>,
    /// Whether anything changed since the last reset: resetting rewrites about 100 KB, which
    /// the engine asks for on every block while capture is off or the transport stopped.
    touched: bool,
}

impl Default for Capture {
    fn default() -> Self {
        Self {
            steps: (12 * STEPS_PER_BAR) as i64,
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

    /// Captures choruses of `form` from now on (a new form starts over). Real-time safe.
    pub fn set_form(&mut self, form: Form) {
        let steps = form.steps().min(MAX_STEPS_PER_CHORUS) as i64;
        if steps != self.steps {
            self.touched = true;
            self.reset();
            self.steps = steps;
        }
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
    fn chorus_of(&self, step: i64) -> i64 {
        step.div_euclid(self.steps)
    }

    fn start_run(&mut self, step: i64) {
        if self.run_start.is_none() {
            self.run_start = Some(step);
            self.chorus = Some(self.chorus_of(step));
        }
    }

    /// Paints a finished note into the chorus buffers it overlaps.
    fn paint(&mut self, span: Span) {
        let Some(chorus) = self.chorus else { return };
        let (steps, n) = (self.steps, self.steps as usize);
        let first = chorus.saturating_mul(steps);
        for (buffer, first) in [(&mut *self.current, first), (&mut *self.next, first.saturating_add(steps))] {
            if span.start < first.saturating_add(steps) && span.end > first {
                paint(span, first, &mut buffer.frames[..n], &mut buffer.owners[..n]);
                buffer.played = true;
            }
        }
    }

    /// A note played at song position `step_pos` (steps, fractional: beats × 2), by a player
    /// swinging at `swing` (0.5 straight).
    pub fn note(&mut self, step_pos: f64, swing: f64, played: InNote, split: VoiceSplit) {
        let (channel, key, on, velocity) = (played.channel, played.key, played.on, played.velocity);
        if !Self::sane(step_pos) {
            self.reset();
            return;
        }
        self.touched = true;
        let step = nearest_step(unswing(step_pos, swing));
        self.start_run(step);
        let slot = &mut self.held[usize::from(channel & 15) * 128 + usize::from(key & 127)];
        if let Some((start, voice, level)) = slot.take() {
            // A NoteOff ends the note; a NoteOn on a held key ends the old one there too.
            self.paint(Span { start, end: step.max(start + 1), key, voice, level });
        }
        if on {
            self.held[usize::from(channel & 15) * 128 + usize::from(key & 127)] =
                Some((step, split.voice(channel, key, true), level_of_velocity(velocity)));
        }
    }

    /// The song has reached `step_pos`: each chorus that is complete (its end plus half a step
    /// has passed) goes to `done`, once, if the run covered it whole and something was played.
    pub fn advance(&mut self, step_pos: f64, done: &mut impl FnMut(&[Frame])) {
        if !Self::sane(step_pos) {
            self.reset();
            return;
        }
        self.touched = true;
        let (steps, n) = (self.steps, self.steps as usize);
        // A leap of several choruses past the one being filled is a jump, not play: start over.
        if self.chorus.is_some_and(|c| step_pos > (c as f64 + 5.0) * steps as f64) {
            self.reset();
        }
        self.start_run(nearest_step(step_pos));
        while let Some(chorus) = self.chorus {
            let end = chorus.saturating_add(1).saturating_mul(steps);
            if step_pos < end as f64 + 0.5 {
                break;
            }
            // Held notes sound to the end of this chorus and carry on into the next; they keep
            // their onset, so the latest-onset rule still holds across the boundary.
            for (slot, held) in self.held.iter().enumerate() {
                if let Some((start, voice, level)) = *held {
                    let span = Span { start, end, key: (slot % 128) as u8, voice, level };
                    paint(span, chorus * steps, &mut self.current.frames[..n], &mut self.current.owners[..n]);
                    self.current.played = true;
                }
            }
            let whole = self.run_start.is_some_and(|s| s <= chorus.saturating_mul(steps));
            if whole && self.current.played {
                done(&self.current.frames[..n]);
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

/// What the audio thread shares about capturing: the switch, the rule, the player's swing, and
/// the finished choruses waiting for the editor (or a state save) to add them to the user's
/// corpus. Lock-free and preallocated.
#[derive(Debug)]
pub struct CaptureShared {
    /// Whether capture is on; written by the editor (or a state load).
    enabled: AtomicBool,
    /// The split rule (`VoiceSplit::to_byte`).
    split: AtomicU16,
    /// Finished choruses: pushed by the audio thread, taken by the editor or a state save.
    done: crossbeam::queue::ArrayQueue<CapturedChorus>,
    /// Choruses lost because nobody collected them in time.
    dropped: AtomicU32,
}

/// Finished choruses kept until collected (about 25 minutes of 12-bar choruses at 120 BPM).
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
        self.enabled.load(Ordering::Relaxed)
    }

    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::Relaxed);
    }

    pub fn split(&self) -> VoiceSplit {
        VoiceSplit::from_byte(self.split.load(Ordering::Relaxed))
    }

    pub fn set_split(&self, split: VoiceSplit) {
        self.split.store(split.to_byte(), Ordering::Relaxed);
    }

    /// Audio thread: a finished chorus.
    pub fn push(&self, chorus: &[Frame]) {
        let mut captured =
            CapturedChorus { frames: [Frame::default(); MAX_STEPS_PER_CHORUS], steps: chorus.len() as u16 };
        captured.frames[..chorus.len()].copy_from_slice(chorus);
        if self.done.push(captured).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Any other thread: the finished choruses so far.
    pub fn take_all(&self) -> Vec<Vec<Frame>> {
        std::iter::from_fn(|| self.done.pop()).map(|c| c.chorus().to_vec()).collect()
    }

    pub fn dropped(&self) -> u32 {
        self.dropped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A note played in on `channel`, as the host sends it.
    fn played(channel: u8, key: u8, on: bool) -> InNote {
        InNote { timing: 0, channel, key, velocity: 0.7, on }
    }
    use crate::music::encoding::Note;
    use crate::music::style::builtin_style;

    const CHORUS: i64 = 96;
    const BY_RANGE: VoiceSplit = VoiceSplit::ByRange;

    fn paper(index: usize) -> Vec<Frame> {
        builtin_style("paper-blues").unwrap().chorus(index)
    }

    /// What capture makes of a paper chorus played with its chords struck at every bar.
    fn as_captured(chorus: &[Frame]) -> Vec<Frame> {
        chorus.iter().enumerate().map(|(s, f)| Frame { comp: Note { key: Some(0), begin: s % 8 == 0 }, ..*f }).collect()
    }

    fn chord_keys(f: &Frame) -> impl Iterator<Item = u8> + '_ {
        (0..12u8).filter(move |pc| f.chord & (1 << pc) != 0).map(|pc| 48 + pc)
    }

    /// Plays `chorus` into the capture starting at song chorus `number`, notes nudged by `late`
    /// steps, the way a musician on a keyboard would (chords held through their bar).
    fn play(capture: &mut Capture, chorus: &[Frame], number: i64, late: f64, out: &mut Vec<Vec<Frame>>) {
        let base = (number * CHORUS) as f64;
        let melody = |f: &Frame| f.melody.key.unwrap();
        for (step, frame) in chorus.iter().enumerate() {
            let at = base + step as f64 + late;
            capture.advance(at, &mut |c| out.push(c.to_vec()));
            if step % 8 == 0 {
                if step > 0 {
                    for key in chord_keys(&chorus[step - 1]) {
                        capture.note(at, 0.5, played(0, key, false), BY_RANGE);
                    }
                }
                for key in chord_keys(frame) {
                    capture.note(at, 0.5, played(0, key, true), BY_RANGE);
                }
            }
            if step % 2 == 0 {
                if step > 0 {
                    capture.note(at, 0.5, played(0, melody(&chorus[step - 1]), false), BY_RANGE);
                }
                capture.note(at, 0.5, played(0, melody(frame), true), BY_RANGE);
            }
        }
        for key in chord_keys(&chorus[95]) {
            capture.note(base + 96.0 + late, 0.5, played(0, key, false), BY_RANGE);
        }
        capture.note(base + 96.0 + late, 0.5, played(0, melody(&chorus[95]), false), BY_RANGE);
    }

    #[test]
    fn a_chorus_played_a_little_early_or_late_comes_out_exact() {
        for late in [0.0, 0.3, -0.3, 0.49] {
            let mut capture = Capture::default();
            let mut out = Vec::new();
            capture.advance(-0.2, &mut |c| out.push(c.to_vec())); // play pressed just before bar 1
            play(&mut capture, &paper(99), 0, late, &mut out);
            play(&mut capture, &paper(3000), 1, late, &mut out);
            capture.advance(2.0 * 96.0 + 1.0, &mut |c| out.push(c.to_vec()));
            assert_eq!(out, vec![as_captured(&paper(99)), as_captured(&paper(3000))], "{late} steps late");
        }
    }

    #[test]
    fn a_drum_track_on_channel_10_is_captured_as_the_drums_at_its_levels() {
        use crate::music::drums::{Piece, ACCENT, GHOST, NORMAL};
        let mut capture = Capture::default();
        capture.set_form(Form { steps_per_bar: 8, bars: 4 });
        let mut out = Vec::new();
        capture.advance(0.0, &mut |c| out.push(c.to_vec()));
        let drum = |key, velocity, on| InNote { timing: 0, channel: 9, key, velocity, on };
        for step in 0..32 {
            let at = step as f64 + if step % 2 == 1 { 0.16 } else { 0.0 }; // swung at 58 %
            if step % 2 == 0 {
                capture.note(at, 0.58, drum(51, 0.7, true), BY_RANGE); // ride
            }
            if step % 8 == 3 {
                capture.note(at, 0.58, drum(38, 0.25, true), BY_RANGE); // ghosted snare
            }
            capture.note(at + 0.5, 0.58, drum(51, 0.0, false), BY_RANGE);
            capture.note(at + 0.5, 0.58, drum(38, 0.0, false), BY_RANGE);
        }
        capture.note(31.0, 0.58, drum(49, 1.0, true), BY_RANGE); // a crash with a key no lane has…
        capture.note(31.0, 0.58, drum(81, 1.0, true), BY_RANGE); // …and a triangle, left out
        capture.note(31.5, 0.58, drum(49, 1.0, false), BY_RANGE);
        capture.note(31.5, 0.58, drum(81, 1.0, false), BY_RANGE);
        capture.advance(33.0, &mut |c| out.push(c.to_vec()));
        assert_eq!(out.len(), 1);
        let chorus = &out[0];
        assert!(chorus.iter().all(|f| f.chord == 0 && f.melody.key.is_none()), "drums are not chords or melody");
        for (step, f) in chorus.iter().enumerate() {
            assert_eq!(f.drums.level(Piece::Ride), if step % 2 == 0 { NORMAL } else { 0 }, "step {step}");
            assert_eq!(f.drums.level(Piece::Snare), if step % 8 == 3 { GHOST } else { 0 }, "step {step}");
        }
        assert_eq!(chorus[31].drums.level(Piece::Crash), ACCENT);
    }

    #[test]
    fn a_swung_off_beat_lands_on_the_off_beat_and_forms_of_other_lengths_are_cut() {
        let mut capture = Capture::default();
        capture.set_form(Form { steps_per_bar: 8, bars: 8 });
        let mut out = Vec::new();
        capture.advance(0.0, &mut |c| out.push(c.to_vec()));
        // An eighth-note line swung at 66 %: every off-beat 0.32 steps late, the bass below C3.
        for step in 0..64 {
            let at = step as f64 + if step % 2 == 1 { 0.32 } else { 0.0 };
            capture.note(at, 0.66, played(0, 60 + (step % 5) as u8, true), BY_RANGE);
            capture.note(at + 0.9, 0.66, played(0, 60 + (step % 5) as u8, false), BY_RANGE);
            if step % 2 == 0 {
                capture.note(at, 0.66, played(0, 36, true), BY_RANGE);
                capture.note(at + 1.8, 0.66, played(0, 36, false), BY_RANGE);
            }
        }
        capture.advance(65.0, &mut |c| out.push(c.to_vec()));
        assert_eq!(out.len(), 1, "one chorus of 8 bars");
        assert_eq!(out[0].len(), 64);
        for (step, f) in out[0].iter().enumerate() {
            assert_eq!(f.melody, Note::struck(60 + (step % 5) as u8), "step {step}");
            assert_eq!(f.bass.key, Some(36), "step {step}");
            assert_eq!(f.bass.begin, step % 2 == 0);
        }
    }

    #[test]
    fn a_note_held_across_the_chorus_boundary_sounds_in_both() {
        let mut capture = Capture::default();
        let mut out = Vec::new();
        capture.advance(0.0, &mut |c| out.push(c.to_vec()));
        capture.note(90.0, 0.5, played(0, 48, true), BY_RANGE);
        capture.advance(150.0, &mut |c| out.push(c.to_vec()));
        capture.note(100.0, 0.5, played(0, 48, false), BY_RANGE);
        capture.advance(300.0, &mut |c| out.push(c.to_vec()));
        assert_eq!(out.len(), 2);
        assert!(out[0][..90].iter().all(|f| f.chord == 0) && out[0][90..].iter().all(|f| f.chord == 1));
        assert!(out[1][..4].iter().all(|f| f.chord == 1) && out[1][4..].iter().all(|f| f.chord == 0));
    }

    #[test]
    fn a_partial_chorus_or_an_empty_one_is_not_kept_and_reset_discards() {
        let mut capture = Capture::default();
        let mut out = Vec::new();
        capture.advance(50.0, &mut |c| out.push(c.to_vec())); // started in the middle of chorus 1
        capture.note(60.0, 0.5, played(0, 64, true), BY_RANGE);
        capture.note(61.0, 0.5, played(0, 64, false), BY_RANGE);
        capture.advance(200.0, &mut |c| out.push(c.to_vec())); // chorus 2 passes with nothing played
        assert!(out.is_empty());
        capture.note(200.0, 0.5, played(0, 64, true), BY_RANGE);
        capture.reset();
        capture.advance(400.0, &mut |c| out.push(c.to_vec()));
        assert!(out.is_empty(), "reset discards the held note and the chorus");
    }

    #[test]
    /// Regression: held notes carried into the next chorus lost their onsets, so the older note
    /// won the melody there.
    fn the_latest_onset_still_wins_across_the_chorus_boundary() {
        let mut capture = Capture::default();
        let mut out = Vec::new();
        capture.advance(0.0, &mut |c| out.push(c.to_vec()));
        capture.note(90.0, 0.5, played(0, 64, true), BY_RANGE);
        capture.note(94.0, 0.5, played(0, 62, true), BY_RANGE);
        capture.advance(97.0, &mut |c| out.push(c.to_vec()));
        capture.note(100.0, 0.5, played(0, 64, false), BY_RANGE);
        capture.note(100.0, 0.5, played(0, 62, false), BY_RANGE);
        capture.advance(200.0, &mut |c| out.push(c.to_vec()));
        assert_eq!(out[0][95].melody.key, Some(62));
        assert_eq!(out[1][0].melody.key, Some(62));
    }

    #[test]
    /// Regression: a leap to an absurd position looped once per chorus in between (forever).
    fn an_absurd_leap_starts_over_instead_of_looping() {
        let mut capture = Capture::default();
        let mut out = Vec::new();
        capture.advance(0.0, &mut |c| out.push(c.to_vec()));
        capture.note(1.0, 0.5, played(0, 64, true), BY_RANGE);
        capture.advance(1e300, &mut |c| out.push(c.to_vec()));
        capture.advance(1e15, &mut |c| out.push(c.to_vec()));
        assert!(out.is_empty());
    }

    /// Regression: a NaN position kept `advance` looping (NaN is never before a chorus end), and a
    /// note at an absurd position overflowed the step arithmetic.
    #[test]
    fn nan_and_absurd_positions_start_over() {
        for absurd in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300, 1e16] {
            let mut capture = Capture::new();
            let mut out = Vec::new();
            capture.advance(-96.0, &mut |c| out.push(c.to_vec()));
            capture.note(-90.0, 0.5, played(0, 64, true), BY_RANGE);
            capture.note(absurd, 0.5, played(0, 64, true), BY_RANGE);
            capture.note(absurd, 0.5, played(0, 64, false), BY_RANGE);
            capture.advance(absurd, &mut |c| out.push(c.to_vec()));
            capture.note(-80.0, 0.5, played(0, 64, false), BY_RANGE);
            capture.advance(200.0, &mut |c| out.push(c.to_vec()));
            assert!(out.is_empty(), "{absurd}: the run was broken, nothing is kept");
        }
    }

    #[test]
    fn capture_and_its_hand_over_allocate_nothing_once_made() {
        let mut capture = Capture::default();
        let shared = CaptureShared::default();
        let mut count = 0;
        // Test builds install nice-plug's allocation guard: any allocation in here aborts.
        nice_assert_no_alloc::assert_no_alloc(|| {
            for step in 0..1000 {
                capture.note(step as f64, 0.6, played(0, 30 + (step % 50) as u8, step % 2 == 0), BY_RANGE);
                capture.advance(step as f64 + 0.5, &mut |c| {
                    shared.push(c);
                    count += 1;
                });
            }
        });
        assert!(count > 5);
        assert_eq!(shared.take_all().len(), count);
    }
}
