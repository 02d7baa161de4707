//! Notes on the eighth-note grid, turned into frames: the one rule shared by .mid import and live
//! capture. A chord step holds every chord note sounding in it, by pitch class, and the comping
//! rhythm follows the chord notes (sounding while any sounds, struck where one starts). A line
//! step (melody, bass) holds one note — the one with the latest onset among those sounding
//! (ties: the highest) — struck at its onset, held after. Keys are kept as played; the encoding
//! folds them into its ranges. Swung playing is heard straight ([`unswing`]). Allocation-free,
//! so the audio thread can use it.

use super::drums::{gm_piece, Level};
use super::encoding::{Frame, Note};
use super::part::Part;

/// A note quantised to steps `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: i64,
    pub end: i64,
    pub key: u8,
    pub voice: Part,
    /// How hard it was struck, for the drums (a drummer's touch is its level).
    pub level: Level,
}

/// The step nearest to a fractional step position (halves round up).
pub fn nearest_step(step_pos: f64) -> i64 {
    (step_pos + 0.5).floor() as i64
}

/// A position in steps (eighth notes) as it would be played straight, from one played with
/// the off-beat eighth delayed to `swing` of the beat (0.5 straight … 0.75): inside each beat,
/// [0, swing) stretches onto the first eighth, [swing, 1) onto the second, so a swung off-beat
/// is heard on the off-beat, not on the next beat.
pub fn unswing(step_pos: f64, swing: f64) -> f64 {
    let swing = if swing.is_finite() { swing.clamp(0.5, 0.8) } else { 0.5 };
    if swing == 0.5 || !step_pos.is_finite() {
        return step_pos;
    }
    let beats = step_pos / 2.0;
    let beat = beats.floor();
    let f = beats - beat;
    let straight = if f < swing { 0.5 * f / swing } else { 0.5 + 0.5 * (f - swing) / (1.0 - swing) };
    (beat + straight) * 2.0
}

/// For each line step, the onset and key of the note it holds (for the latest-onset rule).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Owner {
    onset: i64,
    key: u8,
}

/// Who holds each step of the melody and of the bass.
pub type Owners = [Option<Owner>; 2];

/// Writes `span` into `frames`, whose first frame is step `first_step`. `owners` keeps, per
/// frame, which notes hold the lines (same length as `frames`, `[None; 2]` = free).
pub fn paint(span: Span, first_step: i64, frames: &mut [Frame], owners: &mut [Owners]) {
    let from = (span.start - first_step).max(0);
    let to = (span.end - first_step).min(frames.len() as i64);
    for i in from..to {
        let (frame, owner) = (&mut frames[i as usize], &mut owners[i as usize]);
        let begins = first_step + i == span.start;
        let line = match span.voice {
            Part::Chords | Part::Comp => {
                frame.chord |= 1 << (span.key % 12);
                frame.comp = Note { key: Some(0), begin: frame.comp.begin || begins };
                continue;
            }
            // A drum is its stroke: it sounds at its onset only, at the loudest level struck.
            Part::Drums => {
                if let (true, Some(piece)) = (begins, gm_piece(span.key)) {
                    frame.drums.set(piece, frame.drums.level(piece).max(span.level));
                }
                continue;
            }
            Part::Melody => 0,
            Part::Bass => 1,
        };
        let mine = Owner { onset: span.start, key: span.key };
        if owner[line].is_none_or(|o| (mine.onset, mine.key) > (o.onset, o.key)) {
            owner[line] = Some(mine);
            let note = Note { key: Some(span.key), begin: begins };
            if line == 0 {
                frame.melody = note;
            } else {
                frame.bass = note;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: i64, end: i64, key: u8, voice: Part) -> Span {
        Span { start, end, key, voice, level: crate::music::drums::NORMAL }
    }

    #[test]
    fn the_latest_melody_onset_wins_and_chords_merge() {
        let mut frames = [Frame::default(); 8];
        let mut owners = [[None; 2]; 8];
        paint(span(0, 8, 64, Part::Melody), 0, &mut frames, &mut owners);
        paint(span(2, 4, 60, Part::Melody), 0, &mut frames, &mut owners);
        paint(span(0, 8, 48, Part::Chords), 0, &mut frames, &mut owners);
        paint(span(4, 8, 43, Part::Chords), 0, &mut frames, &mut owners);
        paint(span(1, 3, 36, Part::Bass), 0, &mut frames, &mut owners);
        let melody: Vec<Note> = frames.iter().map(|f| f.melody).collect();
        let (e, c) = (Note::held(64), Note::held(60));
        assert_eq!(melody, [Note::struck(64), e, Note::struck(60), c, e, e, e, e]);
        assert_eq!(frames[0].chord, 1);
        assert_eq!(frames[5].chord, 1 | 1 << 7);
        assert_eq!(
            frames.iter().map(|f| f.comp.begin).collect::<Vec<_>>(),
            [true, false, false, false, true, false, false, false]
        );
        assert_eq!((frames[1].bass, frames[2].bass, frames[3].bass), (Note::struck(36), Note::held(36), Note::REST));
    }

    #[test]
    fn spans_are_clipped_to_the_frames() {
        let mut frames = [Frame::default(); 4];
        let mut owners = [[None; 2]; 4];
        paint(span(90, 100, 50, Part::Chords), 96, &mut frames, &mut owners);
        assert_eq!(frames.iter().filter(|f| f.chord != 0).count(), 4);
        assert!(frames.iter().all(|f| !f.comp.begin), "struck before these frames");
        assert_eq!(nearest_step(2.49), 2);
        assert_eq!(nearest_step(2.5), 3);
        assert_eq!(nearest_step(-0.4), 0);
    }

    #[test]
    fn a_swung_off_beat_is_heard_on_the_off_beat() {
        // At 62 % swing the off-beat eighth of beat 3 is played at beat 3.62 (step 7.24).
        let played = 2.0 * 3.62;
        assert_eq!(nearest_step(played), 7, "straight, it would round to the off-beat anyway");
        let late = 2.0 * 3.75; // a swung off-beat played at 75 %
        assert_eq!(nearest_step(late), 8, "heard straight it lands on the next beat");
        assert_eq!(nearest_step(unswing(late, 0.75)), 7, "unswung it is the off-beat");
        assert_eq!(nearest_step(unswing(2.0 * 3.02, 0.66)), 6, "a downbeat stays a downbeat");
        assert!((unswing(7.0 * 2.0 + 1.0, 0.5) - 15.0).abs() < 1e-12, "straight is straight");
        for x in [0.0, 3.3, 10.9, -4.2] {
            let round = unswing(x, 0.6);
            assert!(round.is_finite() && (round - x).abs() < 1.0);
        }
    }
}
