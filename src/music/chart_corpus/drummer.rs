//! The drummer: swing time on the ride (the beats, and the skip notes on the & of 2 and of 4,
//! 2 and 4 leaned on in some bars), the hi-hat pedal on 2 and 4, the bass drum feathered in some
//! choruses, sparse snare and kick comping (ghosted chatter, now and then a bomb), a short fill
//! in the chart's last bar before the top, and a crash with the kick on bar 1 of every chorus
//! after the first (and after a fill into a section of a 32-bar tune).

use super::{chance, pick, Changes, Feel};
use crate::lstm::rng::Rng;
use crate::music::drums::{leads_into_section, Hits, Level, Piece, ACCENT, GHOST, NORMAL, SILENT};
use crate::music::encoding::STEPS_PER_BAR;

/// Fill rhythms, by the step they start on: a stroke where `x`, none where `.`; the last
/// stroke is accented.
const FILLS: [(usize, &str, u32); 7] =
    [(4, "xxxx", 5), (4, "x.xx", 4), (4, "xx.x", 3), (4, ".xxx", 3), (2, "x.xxxx", 2), (2, "xx.xxx", 2), (5, "xxx", 3)];

/// The drums of the whole performance, hits per step.
pub(super) fn play(changes: &Changes, feel: Feel, rng: &mut Rng) -> Vec<Hits> {
    let mut out = vec![Hits::NONE; changes.steps];
    let mut feather = false;
    let mut crash_next = false;
    for (bar, hits) in out.chunks_exact_mut(STEPS_PER_BAR).enumerate() {
        let chart_bar = bar % changes.bars();
        if chart_bar == 0 {
            feather = chance(rng, 0.5);
        }
        let lean = if chance(rng, 0.5) { ACCENT } else { NORMAL };
        for s in [0, 4] {
            hits[s].set(Piece::Ride, NORMAL);
        }
        for s in [2, 6] {
            hits[s].set(Piece::Ride, lean);
            hits[s].set(Piece::HatFoot, NORMAL);
        }
        for s in [3, 7] {
            if !chance(rng, 0.1) {
                hits[s].set(Piece::Ride, if chance(rng, 0.2) { GHOST } else { NORMAL });
            }
        }
        if feather {
            for s in [0, 2, 4, 6] {
                hits[s].set(Piece::Kick, GHOST);
            }
        }
        for s in [1, 3, 5, 7] {
            if chance(rng, 0.08) {
                hits[s].set(Piece::Snare, GHOST);
            }
        }
        if chance(rng, 0.05) {
            hits[pick(rng, &[(3, 1), (7, 1)])].set(Piece::Snare, NORMAL);
        }
        if feel == Feel::Medium && chance(rng, 0.06) {
            let s = pick(rng, &[(3, 1), (5, 1), (7, 2)]);
            hits[s].set(Piece::Kick, ACCENT);
            if chance(rng, 0.4) {
                hits[s].set(Piece::Snare, NORMAL);
            }
        }
        if (chart_bar == 0 && bar > 0) || crash_next {
            hits[0].set(Piece::Crash, if crash_next && chart_bar != 0 { NORMAL } else { ACCENT });
            hits[0].set(Piece::Kick, ACCENT);
        }
        crash_next = false;
        if chart_bar + 1 == changes.bars() {
            fill(hits, FILLS[..6].iter().map(|&(start, rhythm, w)| ((start, rhythm), w)).collect(), rng);
        } else if leads_into_section(chart_bar, changes.bars()) && chance(rng, 0.5) {
            let (start, rhythm, _) = FILLS[6];
            fill(hits, vec![((start, rhythm), 1)], rng);
            crash_next = true;
        }
    }
    out
}

/// Plays one of `rhythms` over the end of a bar: the time stops, strokes move from the snare
/// to the toms (or stay on the snare), the last one accented with the kick.
fn fill(hits: &mut [Hits], rhythms: Vec<((usize, &str), u32)>, rng: &mut Rng) {
    let (start, rhythm) = pick(rng, &rhythms);
    let snare_only = chance(rng, 0.3);
    let keep_hat = chance(rng, 0.5);
    let strokes: Vec<usize> = rhythm.char_indices().filter(|&(_, c)| c == 'x').map(|(i, _)| start + i).collect();
    for (s, h) in hits.iter_mut().enumerate().skip(start) {
        for piece in [Piece::Ride, Piece::Snare, Piece::Kick] {
            h.set(piece, SILENT);
        }
        if !(keep_hat && s == 6) {
            h.set(Piece::HatFoot, SILENT);
        }
    }
    for (i, &s) in strokes.iter().enumerate() {
        let last = i + 1 == strokes.len();
        let piece = match (snare_only, 3 * i / strokes.len()) {
            (true, _) | (false, 0) => Piece::Snare,
            (false, 1) => Piece::HighTom,
            _ => Piece::FloorTom,
        };
        let level: Level = if last { ACCENT } else { NORMAL };
        hits[s].set(piece, level);
        if last {
            hits[s].set(Piece::Kick, ACCENT);
        }
    }
}
