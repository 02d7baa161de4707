//! Traded choruses: what a band learns trading from. A corpus recombines its phrases section by
//! section, so nothing in it answers anything; these choruses do. Each is a chorus of the
//! corpus traded in turns of two or four bars: in the player's turns the melody is another
//! chorus's at the same bars (the call, heard over the same chords), and the band's turn after
//! a call opens with an answer made from the call's last bar, as a player answers:
//! - it takes up the call's rhythm, note for note;
//! - a rising call is answered by its inversion, a falling line from where the call ended (and
//!   a call that fell a tritone or more by a rising one); any other by its sequence, the motif
//!   moved with the harmony (by the step between the two bars' roots, or a whole step down
//!   where the chord stays);
//! - after a busy call the answer leaves space: it waits half a bar, then restates the head of
//!   the call's last bar;
//! - its second bar sequences the first on, over the next chord.
//!
//! The answer's strong eighths land on its chord's tones; the rest of the band's turn is the
//! chorus's own line. Which turns are whose is marked step by step, for the network's turn unit.
//!
//! The band learns its own lines from these too, so their seams must sound as the corpus does:
//! the answer starts in the octave nearest where the call ended, the line after it is moved by
//! octaves to meet it, and a beat moved onto a chord tone neither strikes a neighbour's key
//! again nor leaps where the call did not. Before, the band's turns of traded choruses struck
//! keys again up to 5.5 points and leapt a tritone or more up to 5.8 points more often than
//! their corpus; now they strike keys again no more often, and leap at most 1.3 points more
//! (`tests/trading.rs` prints every style).
//! Trainer thread: allocates.

use super::chord_names::chord_root;
use super::encoding::{Frame, LineLayout, Note};
use crate::lstm::rng::mix;

/// Bars of each of the band's turns made from the call before it: the first from the call's
/// last bar, the second from the first, sequenced on (a motif stated twice, as players do).
pub const ANSWER_BARS: usize = 2;

/// A call this busy (struck notes a bar, over the whole turn) is answered with space.
pub const BUSY_NOTES_PER_BAR: f32 = 5.5;

/// Semitones from which a step is a wide leap (a tritone, as `eval::phrasing` counts them).
const WIDE: i16 = 6;

/// A traded chorus: its frames, and for each step whether it is in the player's turn.
#[derive(Clone, Debug, PartialEq)]
pub struct Traded {
    pub frames: Vec<Frame>,
    pub their_turn: Vec<bool>,
}

/// How a chorus is traded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trading {
    /// Bars a turn (2 or 4).
    pub turn_bars: usize,
    /// Whether the player has the chorus's first turn.
    pub player_first: bool,
}

impl Trading {
    /// The trading of traded chorus `pick`: fours twice as often as twos, either player first.
    pub fn pick(pick: u64, bars: usize) -> Trading {
        let h = mix(pick, 0x7ade);
        let turn_bars = if h.is_multiple_of(3) || !bars.is_multiple_of(4) { 2 } else { 4 };
        Trading { turn_bars, player_first: (h >> 8) & 1 == 0 }
    }

    /// Whether bar `bar` of the chorus is in the player's turn.
    pub fn players_bar(&self, bar: usize) -> bool {
        (bar / self.turn_bars.max(1)).is_multiple_of(2) == self.player_first
    }
}

/// `base` traded by `trading`, the calls taken from `calls` (a chorus of the same form), the
/// melody kept within `melody`'s keys.
pub fn trade(base: &[Frame], calls: &[Frame], steps_per_bar: usize, trading: Trading, melody: LineLayout) -> Traded {
    debug_assert_eq!(base.len(), calls.len());
    let bars = base.len() / steps_per_bar;
    let mut frames = base.to_vec();
    let their_turn: Vec<bool> = (0..base.len()).map(|s| trading.players_bar(s / steps_per_bar)).collect();
    let turn_bars = trading.turn_bars.max(1);
    for bar in 0..bars {
        let steps = bar * steps_per_bar..(bar + 1) * steps_per_bar;
        let into_turn = bar % turn_bars;
        if trading.players_bar(bar) {
            for s in steps {
                frames[s].melody = calls[s].melody;
            }
        } else if into_turn < ANSWER_BARS && bar > into_turn && trading.players_bar(bar - into_turn - 1) {
            // The bar before: the call's last, or the answer's first (sequenced on).
            let before = &frames[steps.start - steps_per_bar..steps.start];
            let call_turn = &frames[(bar - turn_bars) * steps_per_bar..bar * steps_per_bar];
            let busy = into_turn == 0 && struck(call_turn) as f32 / turn_bars as f32 >= BUSY_NOTES_PER_BAR;
            let motif: Vec<Note> = before.iter().map(|f| f.melody).collect();
            let chords: Vec<u16> = frames[steps.clone()].iter().map(|f| f.chord).collect();
            let answer = answer_bar(&motif, before[0].chord, &chords, busy, melody);
            for (frame, note) in frames[steps].iter_mut().zip(answer) {
                frame.melody = note;
            }
        } else if into_turn == ANSWER_BARS && bar > into_turn && trading.players_bar(bar - into_turn - 1) {
            // The rest of the band's turn is its own line, met where the answer left off.
            let end = ((bar - into_turn + turn_bars) * steps_per_bar).min(frames.len());
            let answered = frames[..steps.start].iter().rev().find_map(|f| f.melody.key);
            meet(&mut frames[steps.start..end], answered, melody);
        }
    }
    mend_seams(&mut frames);
    Traded { frames, their_turn }
}

/// Notes struck in `frames`' melody.
fn struck(frames: &[Frame]) -> usize {
    frames.iter().filter(|f| f.melody.begin && f.melody.key.is_some()).count()
}

/// The answer's bar to the call's last bar `call` (over chord `from`), over `chords` (one a
/// step): the module's rules.
fn answer_bar(call: &[Note], from: u16, chords: &[u16], busy: bool, melody: LineLayout) -> Vec<Note> {
    let onsets: Vec<(usize, u8)> =
        call.iter().enumerate().filter_map(|(s, n)| n.key.filter(|_| n.begin || s == 0).map(|k| (s, k))).collect();
    let Some(&(_, first)) = onsets.first() else { return vec![Note::REST; chords.len()] };
    let last = onsets.last().map_or(first, |&(_, k)| k);
    let step = match (chord_root(from), chord_root(chords[0])) {
        (Some((a, _)), Some((b, _))) if a != b => (i16::from(b) - i16::from(a) + 6).rem_euclid(12) - 6,
        _ => -2,
    };
    // A rising call is inverted from where it ended: the answer starts there and falls. So is
    // a call that fell a tritone or more: it rises back from where it ended, where its
    // sequence would leap back up to where it began.
    let rising = last > first;
    let inverted = rising || i16::from(first) - i16::from(last) >= WIDE;
    let moved = |key: u8| -> i16 {
        let k = i16::from(key);
        if inverted {
            i16::from(last) + step - (k - i16::from(first))
        } else {
            k + step
        }
    };
    // The whole bar by octaves into the melody's keys, so its shape survives (note by note
    // only where it spans more than the range): of those that fit, the octave that starts it
    // nearest where the call ended, so the answer does not leap in.
    let keys: Vec<i16> = onsets.iter().map(|&(_, k)| moved(k)).collect();
    let (lo, hi) = (keys.iter().min().copied().unwrap_or(0), keys.iter().max().copied().unwrap_or(0));
    let octave = [0i16, 12, -12, 24, -24]
        .into_iter()
        .filter(|o| lo + o >= i16::from(melody.low) && hi + o <= i16::from(melody.high()))
        .min_by_key(|o| (keys[0] + o - i16::from(last)).abs())
        .unwrap_or(0);
    let fit = |key: u8| melody.fold((moved(key) + octave).clamp(0, 127) as u8);
    // The call's notes, moved, at their own steps; after a busy call, its first half-bar's
    // notes from the middle of the bar on.
    let half = chords.len() / 2;
    let mut out = vec![Note::REST; chords.len()];
    let mut key = None;
    // The key struck last, the call's to begin with: a beat moved onto a chord tone never
    // lands on it again (that would strike a key again, which the corpus rarely does).
    let mut previous = Some(last);
    for (s, note) in call.iter().enumerate() {
        let at = if busy { s + half } else { s };
        if at >= out.len() {
            break;
        }
        match note.key {
            None => key = None,
            Some(k) if note.begin || key.is_none() => {
                let mut new = fit(k);
                if at % 2 == 0 {
                    let next = onsets.iter().find(|&&(t, _)| t > s).map(|&(_, k)| fit(k));
                    new = nearest_chord_tone(new, chords[at], melody, [previous, next]);
                }
                key = Some(new);
                previous = key;
                out[at] = Note::struck(new);
                continue;
            }
            Some(_) => {}
        }
        out[at] = Note { key, begin: false };
    }
    out
}

/// The tone of `chord` nearest `key` within `melody`'s keys (below on a tie) that neither
/// strikes a neighbour's key (the notes before and after it) nor leaps a tritone from one
/// where `key` did not; `key` itself when the chord is empty or has no such tone.
fn nearest_chord_tone(key: u8, chord: u16, melody: LineLayout, neighbours: [Option<u8>; 2]) -> u8 {
    if chord & 0xFFF == 0 {
        return key;
    }
    let apart = |a: i16, b: u8| (a - i16::from(b)).abs();
    let smooth = |k: i16| {
        neighbours
            .iter()
            .flatten()
            .all(|&n| apart(k, n) != 0 && (apart(k, n) < WIDE || apart(i16::from(key), n) >= WIDE))
    };
    (0..=6i16)
        .flat_map(|d| [-d, d])
        .map(|d| i16::from(key) + d)
        .filter(|&k| (0..=127).contains(&k) && melody.holds(k as u8) && smooth(k))
        .find(|&k| chord & (1 << (k % 12)) != 0)
        .map_or(key, |k| k as u8)
}

/// `line` moved by the octave (of those that keep it within `melody`'s keys) that starts it
/// nearest `from`, unmoved if none is nearer, so a seam between two lines does not leap.
fn meet(line: &mut [Frame], from: Option<u8>, melody: LineLayout) {
    let keys = || line.iter().filter_map(|f| f.melody.key).map(i16::from);
    let (Some(from), Some(start)) = (from, keys().next()) else { return };
    let (lo, hi) = (keys().min().unwrap_or(start), keys().max().unwrap_or(start));
    let octave = [0i16, 12, -12]
        .into_iter()
        .filter(|o| lo + o >= i16::from(melody.low) && hi + o <= i16::from(melody.high()))
        .min_by_key(|o| (start + o - i16::from(from)).abs())
        .unwrap_or(0);
    for frame in line.iter_mut() {
        frame.melody.key = frame.melody.key.map(|k| (i16::from(k) + octave) as u8);
    }
}

/// Where a held note follows a different key or a rest (a turn's seam), it is struck.
fn mend_seams(frames: &mut [Frame]) {
    let mut before = None;
    for frame in frames.iter_mut() {
        let note = &mut frame.melody;
        if note.key.is_some() && !note.begin && note.key != before {
            note.begin = true;
        }
        before = note.key;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::encoding::Encoding;

    const C7: u16 = 0b0100_1001_0001;
    const F7: u16 = 0b0010_0010_1001;

    fn melody() -> LineLayout {
        Encoding::band(12).melody.unwrap()
    }

    /// A bar from text, one char an eighth: a letter offset from middle C in semitones
    /// ('a' = 60), '-' holds, '.' rests.
    fn bar(text: &str) -> Vec<Note> {
        let mut key = None;
        text.chars()
            .map(|c| {
                let note = match c {
                    '-' => Note { key, begin: false },
                    '.' => Note::REST,
                    l => Note::struck(60 + (l as u8 - b'a')),
                };
                key = note.key;
                note
            })
            .collect()
    }

    fn onsets(notes: &[Note]) -> Vec<usize> {
        notes.iter().enumerate().filter(|(_, n)| n.begin).map(|(s, _)| s).collect()
    }

    fn keys(notes: &[Note]) -> Vec<u8> {
        notes.iter().filter(|n| n.begin).filter_map(|n| n.key).collect()
    }

    #[test]
    fn a_falling_call_is_answered_by_its_sequence_on_the_new_chords_tones() {
        // E D C# C - . . . over C7, answered over F7: a fourth up, beats on F7's tones.
        let call = bar("ecba-...");
        let answer = answer_bar(&call, C7, &[F7; 8], false, melody());
        assert_eq!(onsets(&answer), onsets(&call), "the call's rhythm");
        // A G F# F, the F# on a beat moved to F7's nearest tone that is neither of its
        // neighbours' keys: its seventh, Eb.
        assert_eq!(keys(&answer), [69, 67, 63, 65], "A G Eb F");
        assert_eq!(answer[4..], [Note::held(65), Note::REST, Note::REST, Note::REST], "held as the call held");
    }

    #[test]
    fn a_call_that_falls_a_fifth_is_answered_rising_from_where_it_ended() {
        // G F E D C over C7: its sequence would leap back up a fifth; the answer over F7 rises
        // from a fourth above where it ended, by the call's steps, beats on F7's tones.
        let call = bar("hfeca-..");
        let answer = answer_bar(&call, C7, &[F7; 8], false, melody());
        assert_eq!(onsets(&answer), onsets(&call), "the call's rhythm");
        assert_eq!(keys(&answer), [65, 67, 69, 70, 72], "F G A Bb C");
    }

    #[test]
    fn an_answer_neither_strikes_a_key_again_nor_leaps_where_its_call_did_not() {
        // Calls that end on a chord tone a whole step above a chord tone, lines of steps and
        // thirds: moving beats onto chord tones could land them on their neighbours' keys.
        let calls = ["cdefhfec", "e-c-e-c-", "aceheca.", "hgfedcba", "..ecaec.", "jhfeca-.", "ceghjhge"];
        for text in calls {
            let call = bar(text);
            for (from, chord) in [(C7, C7), (C7, F7), (F7, C7)] {
                let answer = answer_bar(&call, from, &[chord; 8], false, melody());
                let (call_keys, answer_keys) = (keys(&call), keys(&answer));
                let wide = |k: &[u8]| k.windows(2).any(|p| p[0].abs_diff(p[1]) >= 6);
                let again = |k: &[u8]| k.windows(2).any(|p| p[0] == p[1]);
                assert!(!again(&answer_keys), "{text}: {answer_keys:?} strikes a key again");
                assert!(wide(&call_keys) || !wide(&answer_keys), "{text}: {answer_keys:?} leaps");
            }
        }
    }

    #[test]
    fn the_line_after_an_answer_is_moved_by_octaves_to_meet_it() {
        let mut line: Vec<Frame> = [76, 74, 72].map(|k| Frame { melody: Note::struck(k), ..Frame::default() }).to_vec();
        meet(&mut line, Some(62), melody());
        assert_eq!(line.iter().map(|f| f.melody.key.unwrap()).collect::<Vec<_>>(), [64, 62, 60], "an octave down");
        let before = line.clone();
        meet(&mut line, Some(66), melody());
        assert_eq!(line, before, "already nearest");
    }

    #[test]
    fn a_rising_call_is_answered_by_a_falling_line() {
        let call = bar("aceh-...");
        let answer = answer_bar(&call, C7, &[C7; 8], false, melody());
        let keys: Vec<u8> = answer.iter().filter(|n| n.begin).filter_map(|n| n.key).collect();
        // From a step below where the call ended (G), falling by the call's own steps: F Eb
        // Db Bb, beats on C7's tones.
        assert_eq!(keys, [64, 63, 60, 58]);
        assert_eq!(onsets(&answer), onsets(&call));
    }

    #[test]
    fn a_busy_call_is_answered_after_half_a_bar() {
        let call = bar("hgfedcba");
        let answer = answer_bar(&call, C7, &[C7; 8], true, melody());
        assert!(answer[..4].iter().all(|n| *n == Note::REST), "{answer:?}");
        assert_eq!(onsets(&answer), [4, 5, 6, 7]);
    }

    #[test]
    fn traded_choruses_mark_the_turns_and_answer_each_call() {
        let line = |keys: [u8; 8]| keys.map(Note::struck);
        // 12 bars: the base plays quarter notes on C, the calls a falling run over C7/F7.
        let base: Vec<Frame> = (0..96)
            .map(|s| Frame {
                chord: if s / 8 % 4 == 3 { F7 } else { C7 },
                melody: if s % 2 == 0 { Note::struck(60) } else { Note::held(60) },
                ..Frame::default()
            })
            .collect();
        let mut calls = base.clone();
        for (s, f) in calls.iter_mut().enumerate() {
            f.melody = line([67, 65, 64, 62, 60, 62, 64, 65])[s % 8];
        }
        let fours = Trading { turn_bars: 4, player_first: true };
        let traded = trade(&base, &calls, 8, fours, melody());
        let bars_of_player: Vec<bool> = (0..12).map(|b| traded.their_turn[b * 8]).collect();
        assert_eq!(bars_of_player, [true, true, true, true, false, false, false, false, true, true, true, true]);
        assert_eq!(
            traded.frames[..32].iter().map(|f| f.melody).collect::<Vec<_>>(),
            calls[..32].iter().map(|f| f.melody).collect::<Vec<_>>()
        );
        // Bar 5 answers bar 4 (over F7) on C7; the call struck every eighth, so the answer
        // waits half a bar and restates the call bar's first four.
        let answer = &traded.frames[32..40];
        assert!(answer[..4].iter().all(|f| f.melody == Note::REST));
        assert!(answer[4..].iter().all(|f| f.melody.begin));
        // Its second bar sequences the first on; the rest of the turn is the chorus's own.
        let second = &traded.frames[40..48];
        assert!(second[..4].iter().all(|f| f.melody == Note::REST) && second[4..].iter().all(|f| f.melody.begin));
        assert_eq!(&traded.frames[48..64], &base[48..64]);
        assert_eq!(
            traded.frames.iter().map(|f| f.chord).collect::<Vec<_>>(),
            base.iter().map(|f| f.chord).collect::<Vec<_>>()
        );
        // Turns of no bars are turns of one (never a panic on the trainer thread).
        let zero = trade(&base, &calls, 8, Trading { turn_bars: 0, player_first: true }, melody());
        assert!(!zero.their_turn[8]);
        // No held note follows a different key.
        for w in traded.frames.windows(2) {
            assert!(w[1].melody.begin || w[1].melody.key.is_none() || w[1].melody.key == w[0].melody.key);
        }
    }
}
