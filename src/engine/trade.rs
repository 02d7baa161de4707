//! Trading: the player and the plugin take turns of a few bars over the running form, as jazz
//! players trade fours. Turns are counted from the host's bar 1 (song bars, not form bars), so
//! they stay in place through seeks and loops. During the player's turn the plugin's melody is
//! silent and the player's notes are the network's melody input, step by step (the paper's
//! seeding), so its state carries the call it answers. Audio thread; plain arithmetic.

use crate::music::encoding::Form;

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
