//! The walking bass: a quarter note struck on every beat and held through its off-beat eighth.
//! First the anchors — the root (or the written bass) where a chord starts, a chord tone on
//! beats 1 and 3 — then the beats between: a chromatic or scale approach into the next chord,
//! a passing or neighbour tone inside one. Now and then an eighth-note skip; in a ballad, bars
//! in two (half notes). Always within E1–C3 (keys 28–48), the band encoding's bass range.

use super::{chance, has, keys_in, line_scale, nearest, pick, Changes, Feel};
use crate::lstm::rng::Rng;
use crate::music::chart::ChartChord;
use crate::music::encoding::Note;

const LOW: i32 = 28;
const HIGH: i32 = 48;

/// The bass line of the whole performance, a note per step.
pub(super) fn walk(changes: &Changes, feel: Feel, rng: &mut Rng) -> Vec<Note> {
    let beats = changes.steps / 2;
    // A pitch per beat (None: held from the beat before); beat `beats` is the top after the end,
    // a target only.
    let mut beat: Vec<Option<i32>> = vec![None; beats + 1];
    let is_anchor = |b: usize| b.is_multiple_of(2) || changes.starts(2 * b);
    let mut dir = 1;
    let mut prev: Option<i32> = None;
    for b in (0..=beats).filter(|&b| is_anchor(b)) {
        let chord = changes.chord(2 * b);
        let p = match prev {
            None => nearest(chord.bass_note(), 33 + rng.below(8) as i32, LOW, HIGH),
            Some(a) if changes.starts(2 * b) => change_note(chord, a, rng),
            Some(a) => chord_tone(chord, a, dir, b % 4 == 0, rng),
        };
        dir = if p >= 44 {
            -1
        } else if p <= 32 {
            1
        } else if chance(rng, 0.25) {
            -dir
        } else {
            dir
        };
        beat[b] = Some(p);
        prev = Some(p);
    }
    // Bars in two: a ballad's bars whose chords change on 1 or 3 only, now and then.
    let mut two_feel = vec![false; beats / 4];
    if feel == Feel::Ballad {
        for (bar, two) in two_feel.iter_mut().enumerate() {
            *two = !changes.starts(8 * bar + 2) && !changes.starts(8 * bar + 6) && chance(rng, 0.5);
        }
    }
    let mut skips: Vec<Option<i32>> = vec![None; beats];
    for b in (0..beats).filter(|&b| !is_anchor(b) && !two_feel[b / 4]) {
        let (a, target) = (beat[b - 1].expect("anchor"), beat[b + 1].expect("anchor"));
        let chord = changes.chord(2 * b);
        let x =
            if changes.starts(2 * b + 2) { approach(chord, a, target, rng) } else { passing(chord, a, target, rng) };
        beat[b] = Some(x);
        if feel == Feel::Medium && chance(rng, 0.05) {
            // The skip: the off-beat eighth struck again, or stepping chromatically on.
            let step = (target - x).signum();
            skips[b] = Some(if (target - x).abs() >= 2 { x + step } else { x });
        }
    }
    let mut line = vec![Note::REST; changes.steps];
    let mut sounding = beat[0].expect("the first beat is an anchor");
    for b in 0..beats {
        let s = 2 * b;
        match beat[b] {
            Some(p) => {
                sounding = p;
                line[s] = Note::struck(p as u8);
            }
            None => line[s] = Note::held(sounding as u8),
        }
        line[s + 1] = match skips[b] {
            Some(p) => {
                sounding = p;
                Note::struck(p as u8)
            }
            None => Note::held(sounding as u8),
        };
    }
    line
}

/// Where a chord starts: its bass note (now and then its third or fifth), in the octave nearest
/// `a`, or the other way round (a fifth down instead of a fourth up).
fn change_note(chord: ChartChord, a: i32, rng: &mut Rng) -> i32 {
    let pc = if chord.bass.is_none() && chance(rng, 0.04) {
        // The third (or what stands for it) or the fifth.
        let tones = chord.quality.chord_tones();
        (chord.root + tones[1 + rng.below(2.min(tones.len() - 1))]) % 12
    } else {
        chord.bass_note()
    };
    let near = nearest(pc, a, LOW, HIGH);
    if chance(rng, 0.3) {
        let other =
            keys_in(1 << pc, LOW, HIGH).filter(|&k| k != near && (k - a).abs() <= 9).min_by_key(|k| (k - a).abs());
        if let Some(other) = other {
            return other;
        }
    }
    near
}

/// A chord tone for beat 1 or 3 inside a chord: a step or a skip from `a`, mostly in `dir`;
/// on beat 1 the root is favoured.
fn chord_tone(chord: ChartChord, a: i32, dir: i32, downbeat: bool, rng: &mut Rng) -> i32 {
    let tones = chord.chord_tones() | 1 << chord.bass_note();
    let weigh = |k: i32| {
        let d = k - a;
        let by_size = [0, 1, 2, 4, 4, 3, 1, 2][d.unsigned_abs() as usize];
        let root = if downbeat && k.rem_euclid(12) == i32::from(chord.bass_note()) { 3 } else { 1 };
        by_size * root * if d.signum() == dir { 2 } else { 1 }
    };
    let choices: Vec<(i32, u32)> =
        keys_in(tones, LOW, HIGH).filter(|&k| k != a && (k - a).abs() <= 7).map(|k| (k, weigh(k))).collect();
    if choices.is_empty() {
        return keys_in(tones, LOW, HIGH).filter(|&k| k != a).min_by_key(|&k| (k - a).abs()).unwrap_or(a);
    }
    pick(rng, &choices)
}

/// The beat before a change: into `target` by a half step (mostly from the side the line comes
/// from), a scale step of the chord sounding, the target's fifth, or a chord tone next to it.
fn approach(chord: ChartChord, a: i32, target: i32, rng: &mut Rng) -> i32 {
    let from = if a > target { 1 } else { -1 };
    let scale = line_scale(chord);
    let scale_step = (1..=2).map(|d| target + from * d).find(|&k| has(scale, k));
    let tone = (1..=4).map(|d| target + from * d).find(|&k| has(chord.chord_tones(), k));
    let fifth = if (target + 7 - a).abs() < (target - 5 - a).abs() { target + 7 } else { target - 5 };
    let mut choices = vec![(target + from, 40), (target - from, 18), (fifth, 10)];
    choices.extend(scale_step.map(|k| (k, 22)));
    choices.extend(tone.map(|k| (k, 10)));
    choices.retain(|&(k, _)| (LOW..=HIGH).contains(&k) && k != a && k != target && (k - a).abs() <= 7);
    if choices.is_empty() {
        // Hemmed in at the edge of the range: the half step that is in it.
        let inside = |k: i32| (LOW..=HIGH).contains(&k);
        let halves = [target + from, target - from];
        let other = halves.into_iter().find(|&k| inside(k) && k != a);
        return other.or(halves.into_iter().find(|&k| inside(k))).expect("a key in range has a half step in range");
    }
    pick(rng, &choices)
}

/// A beat between two notes of one chord: a scale tone between them, the chromatic note when
/// they are a whole step apart with none between, else a neighbour of `a`.
fn passing(chord: ChartChord, a: i32, b: i32, rng: &mut Rng) -> i32 {
    let scale = line_scale(chord);
    let (lo, hi) = (a.min(b), a.max(b));
    if hi - lo >= 2 {
        let between: Vec<(i32, u32)> = (lo + 1..hi).filter(|&k| has(scale, k)).map(|k| (k, 1)).collect();
        return if between.is_empty() { (lo + hi) / 2 } else { pick(rng, &between) };
    }
    let neighbours: Vec<(i32, u32)> = [a + 1, a + 2, a - 1, a - 2]
        .into_iter()
        .filter(|&k| (LOW..=HIGH).contains(&k) && k != a && k != b && has(scale, k))
        .map(|k| (k, 1))
        .collect();
    if neighbours.is_empty() {
        return if a + 3 <= HIGH { a + 3 } else { a - 3 };
    }
    pick(rng, &neighbours)
}
