//! The chart a player's choruses were played over, read back from the chords they sound: a
//! user who brings choruses of a long tune without writing its chart still gets the chart band
//! taught over their changes. Any non-audio thread; it allocates.

use super::{Chart, ChartChord, Quality, BEATS_PER_BAR};
use crate::music::encoding::{Frame, STEPS_PER_BAR};

/// Steps in a beat.
const STEPS_PER_BEAT: usize = STEPS_PER_BAR / BEATS_PER_BAR;

/// Steps in a half-bar: a chart read back names a chord at most every two beats, as players
/// write charts (a chord per beat would name the comping's passing voicings).
const STEPS_PER_HALF_BAR: usize = STEPS_PER_BAR / 2;

impl Chart {
    /// The chart `choruses` (each one form long) were played over: in every half-bar, the
    /// chord named most often on its beats over all the choruses, each beat's pitch classes
    /// (the comping's voicing with the bass note under it) named as [`ChartChord::heard`] names
    /// them. A voicing's passing tension, a walking bass between roots, a chorus played
    /// differently are outvoted. Where no beat names a chord, the chord before holds. `Err`
    /// when nothing in the choruses makes a chord.
    pub fn heard_in(choruses: &[Vec<Frame>]) -> Result<Chart, String> {
        let steps = choruses.first().map_or(0, Vec::len);
        if steps == 0 || !steps.is_multiple_of(STEPS_PER_BAR) || choruses.iter().any(|c| c.len() != steps) {
            return Err("there are no whole choruses to read a chart from".to_string());
        }
        let mut chords: Vec<ChartChord> = Vec::with_capacity(steps / STEPS_PER_HALF_BAR);
        let mut unheard = 0;
        for half in 0..steps / STEPS_PER_HALF_BAR {
            let beats = (half * STEPS_PER_HALF_BAR..(half + 1) * STEPS_PER_HALF_BAR).step_by(STEPS_PER_BEAT);
            let sounded: Vec<&Frame> =
                choruses.iter().flat_map(|c| beats.clone().map(move |s| &c[s])).filter(|f| f.chord != 0).collect();
            let before = chords.last().copied();
            // The chord before holds while the comping voices it (its voicings use its notes
            // alone): a walking bass or a rootless voicing is not a new chord.
            let holds = before
                .is_some_and(|b| 2 * sounded.iter().filter(|f| f.chord & !b.mask() == 0).count() >= sounded.len());
            let mut votes: Vec<(ChartChord, usize)> = Vec::new();
            for frame in sounded.iter().filter(|_| !holds) {
                let bass = frame.bass.key.map(|k| k % 12);
                if let Some(chord) = ChartChord::heard(frame.chord | bass.map_or(0, |b| 1 << b), bass) {
                    match votes.iter_mut().find(|(c, _)| *c == chord) {
                        Some((_, n)) => *n += 1,
                        None => votes.push((chord, 1)),
                    }
                }
            }
            // The most votes; the first of equals (max_by_key keeps the last, so reversed).
            let winner = votes.iter().rev().max_by_key(|(_, n)| *n).map(|&(c, _)| c);
            match (winner, before) {
                // The same notes named from another root (Bb6 after Gm7) are the same chord.
                (Some(w), Some(b)) if w.mask() == b.mask() => chords.push(b),
                (Some(w), _) => chords.push(w),
                (None, Some(b)) => chords.push(b),
                (None, None) => unheard += 1,
            }
        }
        // Half-bars before the first chord heard take the first (a pickup, a tacet start).
        let first = *chords.first().ok_or("no chord a chart can name sounds in the choruses")?;
        let chords: Vec<ChartChord> = std::iter::repeat_n(first, unheard).chain(chords).collect();
        Ok(Chart { bars: chords.chunks_exact(2).map(|h| [h[0], h[0], h[1], h[1]]).collect() })
    }
}

/// The qualities as often as jazz charts write them, most first: of two readings of the same
/// notes with no bass to tell them apart, the commoner is written (Gm7, not Bb6).
const BY_COMMONNESS: [Quality; 23] = [
    Quality::Dom7,
    Quality::Min7,
    Quality::Maj7,
    Quality::HalfDim,
    Quality::Dim7,
    Quality::Major,
    Quality::Minor,
    Quality::Six,
    Quality::Min6,
    Quality::Dom9,
    Quality::Dom7Flat9,
    Quality::Dom13,
    Quality::Min9,
    Quality::SixNine,
    Quality::Dom7Sus4,
    Quality::Dom7Sharp9,
    Quality::Dom7Flat13,
    Quality::Dom7Sharp11,
    Quality::Alt,
    Quality::MinMaj7,
    Quality::Sus4,
    Quality::Dim,
    Quality::Aug,
];

impl ChartChord {
    /// The chord a chart writes for the pitch classes `mask` (bit 0 = C), over the bass pitch
    /// class `bass` if one is heard: the quality whose notes are exactly those, rooted on the
    /// bass where two readings fit (C6 or Am7); else the one sharing the most notes and adding
    /// or missing the fewest (a shell voicing, a triad with a tension), if it shares three (or
    /// both notes of a two-note shell), adds one note at most and misses two at most.
    pub fn heard(mask: u16, bass: Option<u8>) -> Option<ChartChord> {
        let mask = mask & 0xFFF;
        let notes = mask.count_ones() as i32;
        let mut best: Option<(i32, ChartChord)> = None;
        for quality in BY_COMMONNESS {
            for root in 0..12u8 {
                let chord = ChartChord::new(root, quality);
                let written = chord.mask();
                let shared = (written & mask).count_ones() as i32;
                let missing = (written & !mask).count_ones() as i32;
                let extra = (mask & !written).count_ones() as i32;
                let wrong = missing + extra;
                if shared < 3.min(notes)
                    || extra > 1
                    || missing > 2
                    || mask & (1 << root) == 0 && notes > 2 && wrong > 0
                {
                    continue;
                }
                // Exact notes first; on the heard bass next; then the fewest wrong.
                let score = 100 * i32::from(wrong == 0) + 10 * i32::from(bass == Some(root)) - 2 * wrong + shared;
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, chord));
                }
            }
        }
        best.map(|(_, c)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::chart::parse;
    use crate::music::chart_corpus::perform;

    #[test]
    fn a_chart_performed_is_heard_back_as_written() {
        let chart = parse(
            "| Fmaj7 | Abdim7 | Gm7 | C7 | Am7 D7 | Gm7 C7 | Fmaj7 D7 | Gm7 C7 |
             | Bbmaj7 | Bbm6 | Am7b5 | D7b9 | G7 | % | Gm7 | C7 |",
        )
        .unwrap();
        let steps = chart.len() * STEPS_PER_BAR;
        let frames = perform(&chart, 3, 7);
        let choruses: Vec<Vec<Frame>> = frames.chunks_exact(steps).map(<[_]>::to_vec).collect();
        let heard = Chart::heard_in(&choruses).unwrap();
        for (bar, (h, w)) in heard.bars.iter().zip(&chart.bars).enumerate() {
            for beat in 0..BEATS_PER_BAR {
                assert_eq!(h[beat].mask(), w[beat].mask(), "bar {} beat {}: the same notes", bar + 1, beat + 1);
            }
        }
        assert_eq!(heard.bars[0][0].name(), "Fmaj7");
        assert_eq!(heard.bars[9][0].name(), "Bbm6", "on the bass the band played, not Gm7b5");
    }

    #[test]
    fn voicings_are_named_by_the_chord_they_voice() {
        let mask = |pcs: &[u8]| pcs.iter().fold(0u16, |m, p| m | 1 << p);
        let name = |pcs: &[u8], bass: Option<u8>| ChartChord::heard(mask(pcs), bass).map(|c| c.name());
        assert_eq!(name(&[0, 4, 7, 10], None), Some("C7".into()));
        assert_eq!(name(&[0, 4, 7, 9], Some(9)), Some("Am7".into()), "C6 notes over an A bass");
        assert_eq!(name(&[0, 4, 7, 9], Some(0)), Some("C6".into()));
        assert_eq!(name(&[0, 4, 7, 9], None), Some("Am7".into()), "with no bass, the commoner reading");
        assert_eq!(name(&[0, 4, 10], None), Some("C7".into()), "a shell without its fifth");
        assert_eq!(name(&[4, 10], Some(0)), Some("C7".into()), "the guide tones over the root");
        assert_eq!(name(&[0, 1, 2, 3, 4, 5], None), None, "a cluster is no chord");
    }

    #[test]
    fn silence_holds_the_chord_before_and_nothing_heard_is_an_error() {
        let chart = parse("| C7 | F7 |").unwrap();
        let mut frames = perform(&chart, 1, 1);
        for f in &mut frames[8..] {
            f.chord = 0;
        }
        let heard = Chart::heard_in(&[frames.clone()]).unwrap();
        assert_eq!(heard.bars[1][3].name(), "C7", "nothing sounds in bar 2: C7 holds");
        for f in &mut frames {
            f.chord = 0;
        }
        assert!(Chart::heard_in(&[frames]).is_err());
        assert!(Chart::heard_in(&[]).is_err());
    }
}
