//! The comping piano: the chord struck in short rhythm cells half a bar at a time — on the beat,
//! the Charleston (1 and the & of 2), the & of 2 or of 4 anticipating the chord to come, the
//! & of 1, beat 2 — held for varied lengths, with a half-bar laid out now and then. A struck
//! chord is cut where the chord changes, unless it was struck an eighth before to anticipate
//! it; a change left unplayed is mostly struck where it comes. The frame's chord stays the
//! chart's at every step: the comping only says when it sounds and when it is struck.

use super::{chance, pick, Changes, Feel};
use crate::lstm::rng::Rng;
use crate::music::encoding::Note;

/// Chance that a half-bar not held into is laid out.
const LAY_OUT: f32 = 0.11;

/// A rhythm cell of a half-bar: strikes as (offset in the half, length in eighths; a length
/// past the half holds into the next), and its weight at medium tempo and in a ballad.
type Cell = (&'static [(usize, usize)], u32, u32);

const CELLS: [Cell; 11] = [
    (&[(0, 2)], 10, 4),
    (&[(0, 3)], 6, 4),
    (&[(0, 4)], 3, 12),
    (&[(0, 1)], 4, 0),
    // The Charleston: 1 and the & of 2, the second held over.
    (&[(0, 2), (3, 3)], 8, 3),
    (&[(0, 1), (3, 1)], 3, 0),
    // Anticipating the half to come.
    (&[(3, 3)], 8, 4),
    (&[(3, 1)], 4, 2),
    (&[(1, 2)], 5, 2),
    (&[(2, 2)], 5, 3),
    (&[(1, 1), (3, 2)], 2, 0),
];

/// The comping of the whole performance, a note per step (key `Some(0)` while the chord sounds).
pub(super) fn comp(changes: &Changes, feel: Feel, rng: &mut Rng) -> Vec<Note> {
    let steps = changes.steps;
    let mut strikes: Vec<(usize, usize)> = Vec::new();
    let mut laid_out = vec![false; steps / 4];
    let mut held_to: usize = 0;
    for (half, out) in laid_out.iter_mut().enumerate() {
        let start = half * 4;
        // Steps of this half a strike before it still holds.
        let held = held_to.saturating_sub(start);
        if held == 0 && chance(rng, LAY_OUT) {
            *out = true;
            continue;
        }
        let mut cells: Vec<(usize, u32)> = CELLS
            .iter()
            .enumerate()
            .filter(|(_, (cell, _, _))| cell.iter().all(|&(offset, _)| offset >= held))
            .map(|(i, &(_, medium, ballad))| (i, if feel == Feel::Ballad { ballad } else { medium }))
            .collect();
        if held > 0 {
            // Let the anticipated chord ring.
            cells.push((CELLS.len(), 8));
        }
        let chosen = pick(rng, &cells);
        for &(offset, len) in CELLS.get(chosen).map_or(&[][..], |c| c.0) {
            strikes.push((start + offset, len));
            held_to = start + offset + len;
        }
    }
    cut_at_changes(changes, &mut strikes);
    // A change nobody struck is mostly struck where it comes, unless the piano is laying out.
    let mut added = Vec::new();
    for c in (1..steps).filter(|&c| changes.starts(c) && !laid_out[c / 4]) {
        let covered = strikes.iter().any(|&(s, len)| s == c || (s + 1 == c && len >= 2));
        let crowded = strikes.iter().any(|&(s, _)| s + 1 == c || s == c + 1);
        if !covered && !crowded && chance(rng, 0.75) {
            added.push((c, 2 + rng.below(2)));
        }
    }
    strikes.extend(added);
    strikes.sort_unstable();
    cut_at_changes(changes, &mut strikes);
    let mut line = vec![Note::REST; steps];
    for &(s, len) in &strikes {
        line[s] = Note::struck(0);
        for note in line.iter_mut().take((s + len).min(steps)).skip(s + 1) {
            *note = Note::held(0);
        }
    }
    line
}

/// Ends each strike where the next one comes and where the chord changes — except a change an
/// eighth after it, which it anticipates.
fn cut_at_changes(changes: &Changes, strikes: &mut [(usize, usize)]) {
    for i in 0..strikes.len() {
        let (s, mut len) = strikes[i];
        if let Some(&(next, _)) = strikes.get(i + 1) {
            len = len.min(next - s);
        }
        if let Some(c) = (s + 2..s + len).find(|&c| changes.starts(c)) {
            len = c - s;
        }
        strikes[i].1 = len.max(1);
    }
}
