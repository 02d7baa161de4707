//! The drum kit as the network and the corpus see it: one lane per kit piece, since a drummer
//! strikes several pieces at once (ride and pedal hi-hat on 2 and 4, a kick under a snare
//! "bomb"), and on each lane at each eighth note nothing or a strike at one of three levels —
//! the encoding carries no velocity, so the level is what a drummer's touch is learned as.
//! How a piece sounds (its MIDI key) is the kit map's business, at playback.

/// Kit pieces, in lane order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Piece {
    /// The ride cymbal: the time.
    Ride,
    /// The hi-hat closed by the foot: 2 and 4.
    HatFoot,
    Snare,
    /// The bass drum: feathered on the beat, or dropped as a "bomb".
    Kick,
    /// The crash: the top of the form.
    Crash,
    /// High tom and floor tom: fills.
    HighTom,
    FloorTom,
}

/// Lanes in a kit.
pub const PIECES: usize = 7;

impl Piece {
    pub const ALL: [Piece; PIECES] =
        [Piece::Ride, Piece::HatFoot, Piece::Snare, Piece::Kick, Piece::Crash, Piece::HighTom, Piece::FloorTom];

    /// Its name in the corpus notation.
    pub fn name(self) -> &'static str {
        match self {
            Piece::Ride => "ride",
            Piece::HatFoot => "hat",
            Piece::Snare => "snare",
            Piece::Kick => "kick",
            Piece::Crash => "crash",
            Piece::HighTom => "tom",
            Piece::FloorTom => "floor",
        }
    }

    pub fn from_name(name: &str) -> Option<Piece> {
        Piece::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Its lane.
    pub fn lane(self) -> usize {
        self as usize
    }
}

/// How hard a piece is struck: what a lane holds at a step (0 is silence).
pub type Level = u8;
pub const SILENT: Level = 0;
/// A ghost note: felt more than heard (snare chatter, a feathered kick).
pub const GHOST: Level = 1;
pub const NORMAL: Level = 2;
/// An accent: a bomb, a crash, a fill's last stroke.
pub const ACCENT: Level = 3;
/// Levels a lane can hold, silence included.
pub const LEVELS: usize = 4;

/// What the drummer strikes at one eighth note: a level per lane.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Hits(pub [Level; PIECES]);

impl Hits {
    pub const NONE: Hits = Hits([SILENT; PIECES]);

    pub fn level(&self, piece: Piece) -> Level {
        self.0[piece.lane()]
    }

    pub fn set(&mut self, piece: Piece, level: Level) {
        self.0[piece.lane()] = level.min(ACCENT);
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&l| l == SILENT)
    }

    /// The pieces struck, with their levels.
    pub fn struck(&self) -> impl Iterator<Item = (Piece, Level)> + '_ {
        Piece::ALL.into_iter().map(|p| (p, self.level(p))).filter(|&(_, l)| l != SILENT)
    }
}

/// Which MIDI key each kit piece sounds on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KitMap {
    /// General MIDI's percussion keys (channel 10 of any GM instrument or drum plug-in).
    #[default]
    GeneralMidi,
}

impl KitMap {
    pub fn key(self, piece: Piece) -> u8 {
        match (self, piece) {
            (KitMap::GeneralMidi, Piece::Ride) => 51,
            (KitMap::GeneralMidi, Piece::HatFoot) => 44,
            (KitMap::GeneralMidi, Piece::Snare) => 38,
            (KitMap::GeneralMidi, Piece::Kick) => 36,
            (KitMap::GeneralMidi, Piece::Crash) => 49,
            (KitMap::GeneralMidi, Piece::HighTom) => 48,
            (KitMap::GeneralMidi, Piece::FloorTom) => 43,
        }
    }

    /// The piece a key plays, if any (capture and import read a drum track by it).
    pub fn piece(self, key: u8) -> Option<Piece> {
        Piece::ALL.into_iter().find(|&p| self.key(p) == key)
    }
}

/// The piece a General MIDI percussion key is read as, when a user's drum track is captured
/// or imported: every ride, hi-hat, snare, kick, cymbal and tom key of the GM kit folds onto
/// the seven lanes (the bell is the ride, an open or closed hat the hat, a rim the snare).
pub fn gm_piece(key: u8) -> Option<Piece> {
    Some(match key {
        51 | 53 | 59 => Piece::Ride,
        42 | 44 | 46 => Piece::HatFoot,
        37..=40 => Piece::Snare,
        35 | 36 => Piece::Kick,
        49 | 52 | 55 | 57 => Piece::Crash,
        47 | 48 | 50 => Piece::HighTom,
        41 | 43 | 45 => Piece::FloorTom,
        _ => return None,
    })
}

/// The level a strike of MIDI velocity `velocity` (0–1) is heard as.
pub fn level_of_velocity(velocity: f32) -> Level {
    match velocity {
        v if v < 0.4 => GHOST,
        v if v < 0.8 => NORMAL,
        _ => ACCENT,
    }
}

/// Whether a bar's hits (its 8 steps) are a fill: three or more strikes at normal level or
/// louder on the snare and the toms (time-keeping and ghosted chatter stay below that).
pub fn is_fill(bar: &[Hits]) -> bool {
    let drums = [Piece::Snare, Piece::HighTom, Piece::FloorTom];
    bar.iter().flat_map(|h| drums.map(|p| h.level(p))).filter(|&l| l >= NORMAL).count() >= 3
}

/// Whether bar `bar` (0-based) of a form of `bars` bars leads into a new section, where a
/// drummer fills: the form's last bar, and in a 32-bar AABA the last bar of each 8-bar section.
pub fn leads_into_section(bar: usize, bars: usize) -> bool {
    bar + 1 == bars || (bars == 32 && (bar + 1).is_multiple_of(8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_their_lanes_and_their_names() {
        for (lane, piece) in Piece::ALL.into_iter().enumerate() {
            assert_eq!(piece.lane(), lane);
            assert_eq!(Piece::from_name(piece.name()), Some(piece));
        }
        let mut hits = Hits::NONE;
        hits.set(Piece::Kick, 9);
        hits.set(Piece::Ride, NORMAL);
        assert_eq!(hits.struck().collect::<Vec<_>>(), [(Piece::Ride, NORMAL), (Piece::Kick, ACCENT)]);
    }

    #[test]
    fn the_gm_kit_reads_onto_the_lanes_and_plays_back_on_its_own_keys() {
        for piece in Piece::ALL {
            assert_eq!(gm_piece(KitMap::GeneralMidi.key(piece)), Some(piece));
        }
        assert_eq!((gm_piece(42), gm_piece(53), gm_piece(60)), (Some(Piece::HatFoot), Some(Piece::Ride), None));
        assert_eq!([0.2, 0.6, 0.95].map(level_of_velocity), [GHOST, NORMAL, ACCENT]);
    }

    #[test]
    fn a_fill_is_three_real_strokes_on_the_drums_and_lands_before_a_section() {
        let stroke = |piece, level| {
            let mut h = Hits::NONE;
            h.set(piece, level);
            h
        };
        let mut bar = [Hits::NONE; 8];
        bar[1] = stroke(Piece::Snare, GHOST);
        bar[3] = stroke(Piece::Snare, GHOST);
        bar[5] = stroke(Piece::Snare, GHOST);
        assert!(!is_fill(&bar), "chatter is not a fill");
        bar[4] = stroke(Piece::Snare, NORMAL);
        bar[6] = stroke(Piece::HighTom, NORMAL);
        assert!(!is_fill(&bar));
        bar[7] = stroke(Piece::FloorTom, ACCENT);
        assert!(is_fill(&bar));
        assert!(leads_into_section(11, 12) && !leads_into_section(7, 12));
        assert!([7, 15, 23, 31].iter().all(|&b| leads_into_section(b, 32)) && !leads_into_section(11, 32));
    }
}
