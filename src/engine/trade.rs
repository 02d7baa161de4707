//! Trading: the player and the plugin take turns of a few bars over the running form, as jazz
//! players trade fours. Turns are counted from the host's bar 1 (song bars, not form bars), so
//! they stay in place through seeks and loops. During the player's turn the plugin's melody is
//! silent and the player's notes are the network's melody input, step by step (the paper's
//! seeding), so its state carries the call it answers. Audio thread; plain arithmetic.

use crate::music::encoding::{Form, Note};

/// The trading settings, from the parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Trade {
    /// Bars per turn; 0 is no trading.
    pub bars: u8,
    /// Whether the player takes the first turn (from the song's bar 1).
    pub player_first: bool,
    /// A player's turn the player leaves silent is filled by the plugin (else it waits).
    pub fill: bool,
}

impl Trade {
    pub const OFF: Trade = Trade { bars: 0, player_first: true, fill: false };

    pub fn is_on(&self) -> bool {
        self.bars > 0
    }

    /// The turn song step `step` is in (0 from the song's bar 1), when trading.
    pub fn turn(&self, step: i64, form: Form) -> Option<i64> {
        self.is_on().then(|| step.div_euclid(form.steps_per_bar as i64 * i64::from(self.bars)))
    }

    /// Whether `step` is in one of the player's turns.
    pub fn players_turn(&self, step: i64, form: Form) -> bool {
        self.turn(step, form).is_some_and(|t| (t.rem_euclid(2) == 0) == self.player_first)
    }

    /// Bars left in the turn of `step`, counting its own bar (1 in a turn's last bar).
    pub fn bars_left(&self, step: i64, form: Form) -> u8 {
        if !self.is_on() {
            return 0;
        }
        let bar = step.div_euclid(form.steps_per_bar as i64);
        self.bars - bar.rem_euclid(i64::from(self.bars)) as u8
    }
}

/// What the engine remembers of the turns: whether the player played in theirs, where their
/// call ended, and the octave each answer is played in. Audio thread; plain values.
#[derive(Clone, Copy, Debug, Default)]
pub struct Trading {
    /// The last of the player's turns in which the player played a melody note.
    heard_turn: Option<i64>,
    /// The last key the player's call ended on, with its turn.
    call_end: Option<(i64, u8)>,
    /// The octave shift of a turn's answer, once its first note is struck.
    answer: Option<(i64, i8)>,
}

impl Trading {
    /// The song jumped: a turn heard or answered before it says nothing about the one now.
    pub fn jumped(&mut self) {
        self.heard_turn = None;
        self.answer = None;
    }

    /// The player struck a melody note nearest song step `step`.
    pub fn heard(&mut self, step: i64, trade: &Trade, form: Form) {
        if trade.players_turn(step, form) {
            self.heard_turn = trade.turn(step, form);
        }
    }

    /// Whether the player's melody at `step` is the network's input, and the plugin's melody
    /// silent: the player's turn, unless the player has not played in it and the plugin fills.
    pub fn listens_at(&self, step: i64, trade: &Trade, form: Form) -> bool {
        trade.players_turn(step, form) && !(trade.fill && self.heard_turn != trade.turn(step, form))
    }

    /// The player's call played `heard` at `step` (a step the plugin listened at).
    pub fn call_heard(&mut self, step: i64, heard: Note, trade: &Trade, form: Form) {
        if let (Some(key), Some(turn)) = (heard.key, trade.turn(step, form)) {
            self.call_end = Some((turn, key));
        }
    }

    /// At the plugin's step `step`, whose melody is `melody`: the first note of a turn's
    /// answer sets the octave the whole answer is played in.
    pub fn answer_begins(&mut self, step: i64, melody: Note, trade: &Trade, form: Form) {
        let Some(turn) = trade.turn(step, form).filter(|_| !self.listens_at(step, trade, form)) else { return };
        if self.answer.map(|a| a.0) != Some(turn) && melody.begin {
            let call = self.call_end.filter(|&(t, _)| t == turn - 1).map(|(_, key)| key);
            self.answer = Some((turn, answer_octave(melody.key, call)));
        }
    }

    /// The melody the plugin sounds at `step` for the network's `melody`: silent while it
    /// listens to the player, else in its turn's answer octave.
    pub fn melody_played(&self, step: i64, melody: Note, trade: &Trade, form: Form) -> Note {
        if self.listens_at(step, trade, form) {
            return Note::REST;
        }
        match self.answer {
            Some((turn, shift)) if Some(turn) == trade.turn(step, form) => {
                Note { key: melody.key.map(|k| k.saturating_add_signed(shift)), ..melody }
            }
            _ => melody,
        }
    }
}

/// The octave an answer is played in: the one that starts it nearest where the call ended
/// (as a player trading picks up the other's register), within the melody's keys; the
/// network's own where there was no call.
fn answer_octave(first: Option<u8>, call_end: Option<u8>) -> i8 {
    let (Some(first), Some(end)) = (first, call_end) else { return 0 };
    [0i8, -12, 12]
        .into_iter()
        .filter(|&shift| (48..=96).contains(&(i16::from(first) + i16::from(shift))))
        .min_by_key(|&shift| (i16::from(first) + i16::from(shift) - i16::from(end)).abs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fours_alternate_from_the_songs_first_bar_whoever_starts() {
        let form = Form { steps_per_bar: 8, bars: 12 };
        let fours = Trade { bars: 4, player_first: true, fill: false };
        let turns: Vec<bool> = (0..12).map(|bar| fours.players_turn(bar * 8, form)).collect();
        assert_eq!(turns, [true, true, true, true, false, false, false, false, true, true, true, true]);
        assert!(!fours.players_turn(4 * 8 - 1 + 1, form) && fours.players_turn(4 * 8 - 1, form));
        let plugin_first = Trade { player_first: false, ..fours };
        assert!(!plugin_first.players_turn(0, form) && plugin_first.players_turn(32, form));
        assert_eq!((0..5).map(|bar| fours.bars_left(bar * 8 + 3, form)).collect::<Vec<_>>(), [4, 3, 2, 1, 4]);
        // A count-in before bar 1 belongs to the turn before the first.
        assert!(!fours.players_turn(-1, form));
        assert!(!Trade::OFF.players_turn(0, form) && Trade::OFF.turn(0, form).is_none());
        // Turns run on across the chorus: twelve-bar trades give each a whole chorus.
        let chorus = Trade { bars: 12, ..fours };
        assert!(chorus.players_turn(95, form) && !chorus.players_turn(96, form) && chorus.players_turn(192, form));
    }
}
