//! Notes on the eighth-note grid, turned into frames: the one rule shared by .mid import and live
//! capture. A chord step holds every chord note sounding in it, folded into the chord octave; a
//! melody step holds one note, folded into C4–C5: the one with the latest onset among those
//! sounding (ties: the highest). Allocation-free, so the audio thread can use it.

use super::encoding::{fold_to_chord_unit, fold_to_melody_unit, Frame};

/// A note quantised to steps `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: i64,
    pub end: i64,
    pub key: u8,
    pub chord: bool,
}

/// The step nearest to a fractional step position (halves round up).
pub fn nearest_step(step_pos: f64) -> i64 {
    (step_pos + 0.5).floor() as i64
}

/// For each melody step, the onset and key of the note it holds (for the latest-onset rule).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MelodyOwner {
    onset: i64,
    key: u8,
}

/// Writes `span` into `frames`, whose first frame is step `first_step`. `owners` keeps, per
/// frame, which melody note holds it (same length as `frames`, `None` = free).
pub fn paint(span: Span, first_step: i64, frames: &mut [Frame], owners: &mut [Option<MelodyOwner>]) {
    let from = (span.start - first_step).max(0);
    let to = (span.end - first_step).min(frames.len() as i64);
    for i in from..to {
        let (frame, owner) = (&mut frames[i as usize], &mut owners[i as usize]);
        if span.chord {
            frame.chord |= 1 << fold_to_chord_unit(span.key);
        } else {
            let mine = MelodyOwner { onset: span.start, key: span.key };
            if owner.is_none_or(|o| (mine.onset, mine.key) > (o.onset, o.key)) {
                *owner = Some(mine);
                frame.melody = Some(fold_to_melody_unit(span.key));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_melody_onset_wins_and_chords_merge() {
        let mut frames = [Frame::default(); 8];
        let mut owners = [None; 8];
        paint(Span { start: 0, end: 8, key: 64, chord: false }, 0, &mut frames, &mut owners);
        paint(Span { start: 2, end: 4, key: 60, chord: false }, 0, &mut frames, &mut owners);
        paint(Span { start: 0, end: 8, key: 48, chord: true }, 0, &mut frames, &mut owners);
        paint(Span { start: 4, end: 8, key: 43, chord: true }, 0, &mut frames, &mut owners);
        let melody: Vec<Option<u8>> = frames.iter().map(|f| f.melody).collect();
        assert_eq!(melody, [Some(4), Some(4), Some(0), Some(0), Some(4), Some(4), Some(4), Some(4)]);
        assert_eq!(frames[0].chord, 1);
        assert_eq!(frames[5].chord, 1 | 1 << 7);
    }

    #[test]
    fn spans_are_clipped_to_the_frames() {
        let mut frames = [Frame::default(); 4];
        let mut owners = [None; 4];
        paint(Span { start: 90, end: 100, key: 50, chord: true }, 96, &mut frames, &mut owners);
        assert_eq!(frames.iter().filter(|f| f.chord != 0).count(), 4);
        assert_eq!(nearest_step(2.49), 2);
        assert_eq!(nearest_step(2.5), 3);
        assert_eq!(nearest_step(-0.4), 0);
    }
}
