//! The soloist: bebop-ish phrases of one to four bars with rests between them. A phrase is a
//! chain of beat-long cells — two eighths, a quarter, a dotted quarter, an eighth pushed over
//! the beat, an arpeggio up (or down) from a chord tone — over a guide line that puts chord
//! tones on beats 1 and 3 and scale tones on 2 and 4, moving by steps and small skips and
//! turning round at the edges of G3–C6 (keys 55–84). Off-beats pass between the beats: a scale
//! tone, the chromatic note between two notes a whole step apart, the half step below a chord
//! tone enclosed from a scale step above. A phrase ends on a chord tone, held for one to eight
//! eighths. Notes outside the chord's `allowed()` set fall on off-beats only.

use super::{chance, has, keys_in, line_scale, pick, Changes, Feel};
use crate::lstm::rng::Rng;
use crate::music::encoding::Note;

const LOW: i32 = 55;
const HIGH: i32 = 84;

/// A beat's worth (or two) of rhythm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    Eighths,
    Quarter,
    /// Held over the next beat, then an eighth into the beat after.
    DottedQuarter,
    /// An eighth, then an off-beat held over the next beat.
    Push,
    /// Four chord tones in eighths.
    Arpeggio,
}

struct Soloist<'a> {
    changes: &'a Changes<'a>,
    rng: &'a mut Rng,
    feel: Feel,
    line: Vec<Note>,
    /// The last key struck.
    last: i32,
    /// Where the line is heading: 1 up, -1 down.
    dir: i32,
    /// An enclosure under way: the half step below its target (the coming off-beat) and the
    /// target (the beat after).
    enclosure: Option<(i32, i32)>,
}

/// The melody of the whole performance, a note per step.
pub(super) fn solo(changes: &Changes, feel: Feel, rng: &mut Rng) -> Vec<Note> {
    let steps = changes.steps;
    let mut t = 1 + rng.below(6);
    let mut soloist = Soloist { changes, rng, feel, line: vec![Note::REST; steps], last: 67, dir: 1, enclosure: None };
    while t + 2 < steps {
        let bars = pick(soloist.rng, &[(1, 4), (2, 4), (3, 2), (4, 1)]);
        let len = (bars * 8 - soloist.rng.below(5)).max(4);
        t = soloist.phrase(t, (t + len).min(steps));
        let rests = [(2, 2), (3, 3), (4, 4), (5, 3), (6, 4), (7, 2), (8, 4), (10, 3), (12, 2), (16, 1)];
        t += pick(soloist.rng, &rests);
    }
    soloist.line
}

impl Soloist<'_> {
    /// Plays a phrase from `start` whose last note falls on the last beat before `end` (or
    /// on `end`'s own beat); returns the step after its last note.
    fn phrase(&mut self, start: usize, end: usize) -> usize {
        let steps = self.line.len();
        let final_at = |t: usize| end <= t + 2;
        let from = if chance(self.rng, 0.6) { self.last } else { LOW + 6 + self.rng.below(18) as i32 };
        let mut t = start;
        let mut cur;
        if t % 2 == 1 {
            cur = self.target(t + 1, from, final_at(t + 1));
            let pickup = self.pickup(t, cur);
            self.strike(t, pickup, 1);
            t += 1;
        } else {
            cur = self.target(t, from, final_at(t));
            if cur == self.last {
                cur = self.target(t, cur, final_at(t));
            }
        }
        loop {
            if final_at(t) || t + 2 >= steps {
                return self.end_phrase(t, cur);
            }
            if let Some((below, target)) = self.enclosure.take() {
                self.strike(t, cur, 1);
                self.strike(t + 1, below, 1);
                cur = target;
                t += 2;
                continue;
            }
            let chord = self.changes.chord(t);
            let room = t + 4 < end;
            let steady = (t + 1..t + 4).all(|s| self.changes.chord(s) == chord);
            let ballad = self.feel == Feel::Ballad;
            let w = |medium: u32, slow: u32, ok: bool| u32::from(ok) * if ballad { slow } else { medium };
            let cell = pick(
                self.rng,
                &[
                    (Cell::Eighths, w(60, 40, true)),
                    (Cell::Quarter, w(16, 24, true)),
                    (Cell::DottedQuarter, w(5, 12, room && has(self.changes.chord(t + 2).allowed(), cur))),
                    (Cell::Push, w(6, 10, room)),
                    (Cell::Arpeggio, w(12, 6, room && steady && has(chord.chord_tones(), cur))),
                ],
            );
            match cell {
                Cell::Eighths => {
                    let next = self.next_beat(t, cur, end);
                    self.toward(t, cur, next, 2);
                    cur = next;
                    t += 2;
                }
                Cell::Quarter => {
                    self.strike(t, cur, 2);
                    cur = self.target(t + 2, cur, final_at(t + 2));
                    t += 2;
                }
                Cell::DottedQuarter => {
                    let next = self.target(t + 4, cur, final_at(t + 4));
                    self.toward(t, cur, next, 4);
                    cur = next;
                    t += 4;
                }
                Cell::Push => {
                    let (over, after) = (self.changes.chord(t + 2), self.changes.chord(t + 1));
                    let held: Vec<(i32, u32)> = keys_in(over.chord_tones() & after.allowed(), cur - 4, cur + 4)
                        .filter(|&k| k != cur && (LOW..=HIGH).contains(&k))
                        .map(|k| (k, 1))
                        .collect();
                    self.strike(t, cur, 1);
                    if held.is_empty() {
                        // Nothing to push: an eighth and a quarter-note rest.
                        cur = self.target(t + 2, cur, final_at(t + 2));
                        t += 2;
                        continue;
                    }
                    let x = pick(self.rng, &held);
                    self.strike(t + 1, x, 3);
                    cur = self.target(t + 4, x, final_at(t + 4));
                    t += 4;
                }
                Cell::Arpeggio => {
                    let tones = chord.chord_tones();
                    let mut run: Vec<i32> = keys_in(tones, cur + 1, HIGH).take(3).collect();
                    let mut turn = -1;
                    if run.len() < 3 || (cur > 72 && chance(self.rng, 0.5)) {
                        run = keys_in(tones, LOW, cur - 1).rev().take(3).collect();
                        turn = 1;
                    }
                    if run.len() < 3 {
                        self.strike(t, cur, 2);
                        cur = self.target(t + 2, cur, final_at(t + 2));
                        t += 2;
                        continue;
                    }
                    self.strike(t, cur, 1);
                    for (i, &k) in run.iter().enumerate() {
                        self.strike(t + 1 + i, k, 1);
                    }
                    // Up an arpeggio, down the scale (or the other way round).
                    self.dir = turn;
                    cur = self.target(t + 4, run[2], final_at(t + 4));
                    t += 4;
                }
            }
        }
    }

    /// The phrase's last note, `cur` at `t` (a chord tone): held one to eight eighths, but not
    /// into a chord it does not belong to. Returns the step after it.
    fn end_phrase(&mut self, t: usize, cur: i32) -> usize {
        let lengths: &[(usize, u32)] = match self.feel {
            Feel::Medium => &[(1, 3), (2, 4), (3, 4), (4, 5), (5, 2), (6, 3), (8, 1)],
            Feel::Ballad => &[(2, 3), (3, 3), (4, 4), (6, 3), (8, 2)],
        };
        let mut len = pick(self.rng, lengths).min(self.line.len() - t);
        if let Some(s) =
            (t + 1..t + len).find(|&s| self.changes.starts(s) && !has(self.changes.chord(s).allowed(), cur))
        {
            len = s - t;
        }
        self.strike(t, cur, len);
        t + len
    }

    /// The note for the beat after the one at `t` (from `cur`), in two eighths: now and then
    /// the scale step above an enclosure whose target is the strong beat after.
    fn next_beat(&mut self, t: usize, cur: i32, end: usize) -> i32 {
        let final_at = |t: usize| end <= t + 2;
        if t.is_multiple_of(4) && !final_at(t + 2) && t + 4 < self.line.len() && chance(self.rng, 0.22) {
            let target = self.target_from(cur, self.changes.chord(t + 4).chord_tones());
            let scale = line_scale(self.changes.chord(t + 2));
            let above = (target + 1..=target + 2).find(|&k| has(scale, k));
            if let Some(above) = above.filter(|&k| k != cur && (k - cur).abs() <= 5 && k <= HIGH && target > LOW) {
                self.enclosure = Some((target - 1, target));
                return above;
            }
        }
        self.target(t + 2, cur, final_at(t + 2))
    }

    /// The note on the beat at `step`, from `from`: a chord tone on beats 1 and 3 (now and
    /// then a tension) and at a phrase's end, a scale or chord tone on 2 and 4.
    fn target(&mut self, step: usize, from: i32, last: bool) -> i32 {
        let chord = self.changes.chord(step);
        let pool = if last || (step.is_multiple_of(4) && !chance(self.rng, 0.08)) || chance(self.rng, 0.35) {
            chord.chord_tones()
        } else {
            line_scale(chord)
        };
        self.target_from(from, pool)
    }

    /// A key of `pool` a step or a small skip from `from`, in the line's direction (turning at
    /// the edges of the range, and now and then for no reason).
    fn target_from(&mut self, from: i32, pool: u16) -> i32 {
        if from >= HIGH - 5 {
            self.dir = -1;
        } else if from <= LOW + 5 {
            self.dir = 1;
        } else if chance(self.rng, 0.15) {
            self.dir = -self.dir;
        }
        const WEIGHT: [u32; 6] = [0, 2, 3, 5, 4, 2];
        for dir in [self.dir, -self.dir] {
            let choices: Vec<(i32, u32)> = keys_in(pool, LOW, HIGH)
                .filter(|&k| (1..=5).contains(&((k - from) * dir)))
                .map(|k| (k, WEIGHT[((k - from) * dir) as usize]))
                .collect();
            if !choices.is_empty() {
                self.dir = dir;
                return pick(self.rng, &choices);
            }
        }
        keys_in(pool, LOW, HIGH).filter(|&k| k != from).min_by_key(|&k| (k - from).abs()).unwrap_or(from)
    }

    /// The off-beat at `step` between `a` and `b`: a scale tone between them, the chromatic
    /// note between two a whole step apart (some of the time), a turn round `b` when they are
    /// a half step apart; None where nothing fits (`a` is then held as a quarter).
    fn fill(&mut self, a: i32, b: i32, step: usize) -> Option<i32> {
        let scale = line_scale(self.changes.chord(step));
        let s = (b - a).signum();
        let fits = |k: i32| (LOW..=HIGH).contains(&k) && k != a && k != b;
        let choices: Vec<(i32, u32)> = match (b - a).abs() {
            0 | 1 => [b + s, b + 2 * s, a - s, a - 2 * s]
                .into_iter()
                .filter(|&k| fits(k) && has(scale, k) && (k - a).abs() <= 3)
                .map(|k| (k, 1))
                .collect(),
            2 if !has(scale, a + s) => return (fits(a + s) && chance(self.rng, 0.45)).then_some(a + s),
            _ => (a.min(b) + 1..a.max(b)).filter(|&k| fits(k) && has(scale, k)).map(|k| (k, 1)).collect(),
        };
        (!choices.is_empty()).then(|| pick(self.rng, &choices))
    }

    /// A pickup into a phrase's first beat `target`, on the off-beat `t`: a scale tone next to it.
    fn pickup(&mut self, t: usize, target: i32) -> i32 {
        let scale = line_scale(self.changes.chord(t));
        let choices: Vec<(i32, u32)> = keys_in(scale, target - 3, target + 3)
            .filter(|&k| k != target && k != self.last && (LOW..=HIGH).contains(&k))
            .map(|k| (k, 1))
            .collect();
        if choices.is_empty() {
            return if target > LOW { target - 1 } else { target + 1 };
        }
        pick(self.rng, &choices)
    }

    /// Strikes `key` at `t`, held `len` eighths (to the end at most).
    /// `cur` struck at `t` for `len` eighths, its last eighth a passing note into `next`
    /// when one fits (else `cur` held through).
    fn toward(&mut self, t: usize, cur: i32, next: i32, len: usize) {
        match self.fill(cur, next, t + len - 1) {
            Some(x) => {
                self.strike(t, cur, len - 1);
                self.strike(t + len - 1, x, 1);
            }
            None => self.strike(t, cur, len),
        }
    }

    fn strike(&mut self, t: usize, key: i32, len: usize) {
        debug_assert!((LOW..=HIGH).contains(&key), "melody key {key} out of range");
        let end = (t + len).min(self.line.len());
        self.line[t] = Note::struck(key as u8);
        for note in &mut self.line[t + 1..end] {
            *note = Note::held(key as u8);
        }
        self.last = key;
    }
}
