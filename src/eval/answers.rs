//! Trading: does the answer take up the call? A player answering a four picks up something of
//! the call just heard — its rhythm, the shape of its line — so the answer's first bar shares
//! more with its own call than with a call from another turn. Where the two are equal, the
//! answer did not listen. Pure functions over frames, plus the traded run that measures a
//! model; CLI thread (`blues-lstm eval --phrasing`) and tests.
//!
//! Definitions, over turns of fours from the song's bar 1 (the calls in bars 1–4, 9–12, …;
//! the answers' first bars 5, 13, …), counting turns whose call and answer bar each begin at
//! least two melody notes:
//! - *rhythm shared*: the onsets (which of the bar's eighths begin a note) of the answer's
//!   first bar against those of the call's bar that matches best, as the share of onsets in
//!   either that are in both (Jaccard);
//! - *contour shared*: the directions (up, down, the same key) of the answer bar's successive
//!   intervals against those of the best-matching call bar, interval by interval from the
//!   bar's first note, as the share of the answer's intervals that move the same way;
//! - each against *its call* and against *another call*: the call of the next turn measured
//!   (the first turn's for the last), a different call the answer never heard.

use super::phrasing::{melody_notes, Struck};
use crate::engine::improviser::Improviser;
use crate::engine::steering::SteerInput;
use crate::engine::trade::Trade;
use crate::model::Model;
use crate::music::corpus::Corpus;
use crate::music::encoding::{Form, Frame, LineLayout, Note};
use crate::music::traded::{trade, Trading};
use serde::Serialize;
use std::cmp::Ordering;

/// Bars a turn: trading fours.
pub const TURN_BARS: usize = 4;

/// How much trading answers share with their calls.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Answers {
    /// Turns measured.
    pub turns: usize,
    pub rhythm_own: f64,
    pub rhythm_other: f64,
    pub contour_own: f64,
    pub contour_other: f64,
}

/// The turns of fours, player first: trading's own rule for whose turn a step is in.
fn fours() -> Trade {
    Trade { bars: TURN_BARS as u8, player_first: true, fill: false }
}

/// A bar's notes: which of its steps begin one, and their keys in order.
#[derive(Clone, Debug, Default, PartialEq)]
struct BarLine {
    onsets: u64,
    keys: Vec<u8>,
}

impl BarLine {
    fn of(notes: &[Struck], form: Form, bar: usize) -> BarLine {
        let spb = form.steps_per_bar;
        let mut line = BarLine::default();
        for n in notes.iter().filter(|n| n.step / spb == bar) {
            line.onsets |= 1 << (n.step % spb);
            line.keys.push(n.key);
        }
        line
    }

    fn directions(&self) -> Vec<Ordering> {
        self.keys.windows(2).map(|k| k[1].cmp(&k[0])).collect()
    }

    fn rhythm_shared(&self, call: &BarLine) -> f64 {
        let either = (self.onsets | call.onsets).count_ones();
        if either == 0 {
            return 0.0;
        }
        f64::from((self.onsets & call.onsets).count_ones()) / f64::from(either)
    }

    fn contour_shared(&self, call: &BarLine) -> f64 {
        let (mine, theirs) = (self.directions(), call.directions());
        if mine.is_empty() {
            return 0.0;
        }
        mine.iter().zip(&theirs).filter(|(a, b)| a == b).count() as f64 / mine.len() as f64
    }
}

/// One turn: the call's bars and the answer's first bar.
struct Turn {
    call: Vec<BarLine>,
    answer: BarLine,
}

impl Turn {
    /// The best match of the answer against any bar of `call`.
    fn best(&self, call: &[BarLine], measure: fn(&BarLine, &BarLine) -> f64) -> f64 {
        call.iter().map(|bar| measure(&self.answer, bar)).fold(0.0, f64::max)
    }
}

/// Measures the turns of fours in `frames` (whole bars of `form` from the song's bar 1): each
/// call against the first bar after it. `None` when fewer than two turns have notes enough.
pub fn answers(frames: &[Frame], form: Form) -> Option<Answers> {
    let notes = melody_notes(frames);
    let bars = frames.len() / form.steps_per_bar.max(1);
    let trade = fours();
    let turns: Vec<Turn> = (0..bars.saturating_sub(TURN_BARS))
        .filter(|&bar| bar % TURN_BARS == 0 && trade.players_turn((bar * form.steps_per_bar) as i64, form))
        .map(|bar| Turn {
            call: (bar..bar + TURN_BARS).map(|b| BarLine::of(&notes, form, b)).collect(),
            answer: BarLine::of(&notes, form, bar + TURN_BARS),
        })
        .filter(|t| t.answer.keys.len() >= 2 && t.call.iter().map(|b| b.keys.len()).sum::<usize>() >= 2)
        .collect();
    if turns.len() < 2 {
        return None;
    }
    let n = turns.len();
    let mean = |measure: fn(&BarLine, &BarLine) -> f64, other: bool| {
        let total: f64 = (0..n).map(|i| turns[i].best(&turns[if other { (i + 1) % n } else { i }].call, measure)).sum();
        total / n as f64
    };
    Some(Answers {
        turns: n,
        rhythm_own: mean(BarLine::rhythm_shared, false),
        rhythm_other: mean(BarLine::rhythm_shared, true),
        contour_own: mean(BarLine::contour_shared, false),
        contour_other: mean(BarLine::contour_shared, true),
    })
}

/// The corpus traded with itself, as the band learns trading (`music::traded`): `choruses`
/// choruses of its lines, fours from the song's bar 1, the player first, each call another
/// stream's line at the same bars, each answer's first bar made from its call. What a band
/// that learned from it should come near.
pub fn traded_corpus(corpus: &Corpus, choruses: usize, seed: u64, melody: LineLayout) -> Vec<Frame> {
    let base = super::corpus_frames(corpus, choruses, seed);
    let calls = super::corpus_frames(corpus, choruses, seed ^ 0x7ade);
    let fours = Trading { turn_bars: TURN_BARS, player_first: true };
    trade(&base, &calls, corpus.form.steps_per_bar, fours, melody).frames
}

/// `model` traded with: fours from the song's bar 1, the player first, each call the melody of
/// a corpus chorus (seeded pick) at the same bars of the form, heard by the network as the
/// plugin hears a player (the call's note at a step is its melody input for the next). The
/// stream holds the calls and the model's answers, `choruses` choruses of it.
pub fn traded(
    model: &Model,
    corpus: &Corpus,
    choruses: usize,
    seed: u64,
    temperature: f32,
) -> Result<Vec<Frame>, String> {
    let mut improviser = Improviser::new(model, model.primer_or(corpus))?;
    let form = improviser.form();
    let calls = super::corpus_frames(corpus, choruses, seed ^ 0x7ade);
    let trade = fours();
    let listens = |step: i64| step >= 0 && trade.players_turn(step, form);
    let call_at = |step: i64| calls.get(step as usize).map_or(Note::REST, |f| f.melody);
    let steps = (choruses * form.steps()) as i64;
    Ok((0..steps)
        .map(|step| {
            let steer = SteerInput { melody: listens(step - 1).then(|| call_at(step - 1)), bass: None };
            improviser.set_their_turn(listens(step));
            let mut frame = improviser.frame(step, seed, steer, temperature);
            if listens(step) {
                frame.melody = call_at(step);
            }
            frame
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        Form { steps_per_bar: 8, bars: 12 }
    }

    /// Bars of melody from text, one char an eighth: a digit strikes key 60 + digit, '-' holds,
    /// '.' rests.
    fn bars(text: &str) -> Vec<Frame> {
        let mut frames = Vec::new();
        let mut key = None;
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            let melody = match c {
                '-' => Note { key, begin: false },
                '.' => Note::REST,
                d => {
                    key = Some(60 + d.to_digit(10).unwrap() as u8);
                    Note { key, begin: true }
                }
            };
            key = melody.key;
            frames.push(Frame { melody, ..Frame::default() });
        }
        frames
    }

    #[test]
    fn an_answer_that_echoes_its_call_shares_more_with_it_than_with_another() {
        // Two choruses, three calls (bars 1–4, 9–12, then 5–8 of the second chorus: the turns
        // run on across the chorus), each answer's first bar echoing its own call's first bar.
        let rest = "........ ........ ........ ";
        let turn = |call: &str| format!("{call} {rest}{call} {rest}");
        let text = [turn("1.3.5.3."), turn("98765432"), turn("1--5--3-")].concat();
        let frames = bars(&text);
        assert_eq!(frames.len(), 2 * 96);
        let a = answers(&frames, form()).expect("turns with notes");
        assert_eq!(a.turns, 3);
        assert_eq!((a.rhythm_own, a.contour_own), (1.0, 1.0));
        // Against the next call: onsets 4 of 8, 3 of 8, 2 of 5 shared; directions 1 of 3
        // (up up down against down …), 1 of 7, 1 of 2.
        let close = |x: f64, y: f64| (x - y).abs() < 1e-9;
        assert!(close(a.rhythm_other, (0.5 + 0.375 + 0.4) / 3.0), "{a:?}");
        assert!(close(a.contour_other, (1.0 / 3.0 + 1.0 / 7.0 + 0.5) / 3.0), "{a:?}");
    }

    #[test]
    fn turns_without_a_call_or_with_a_one_note_answer_are_not_measured() {
        let rest = "........ ........ ........ ";
        let call = "1.3.5.3. ........ ........ ........ ";
        let one_note_answer = format!("{call}1....... {rest}");
        let silent_call = format!("........ {rest}1.3.5.3. {rest}");
        let heard = format!("{call}1.3.5.3. {rest}");
        let frames = bars(&[one_note_answer.clone(), silent_call, heard.clone()].concat());
        assert_eq!(answers(&frames, form()), None, "one turn of three is measured: too few");
        let frames = bars(&[one_note_answer, heard.clone(), heard].concat());
        assert_eq!(answers(&frames, form()).map(|a| a.turns), Some(2));
    }
}
