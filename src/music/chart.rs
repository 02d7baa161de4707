//! A chord chart: the changes of a tune as a player writes them ("| C7 | F7 | C7 | % |"), bar by
//! bar, a chord per beat at most. The band follows a chart instead of the form it learned: the
//! chords are given, the lines, the bass, the comping and the drums are improvised over them.
//! Plain data, any thread; parsing allocates (editor, CLI, project load), reading does not.
//! Chord symbols are read in `symbol`, chart text is read and written in `text`, the chart a
//! player's choruses were played over is read back from their chords in `heard`.

mod heard;
mod symbol;
mod text;

pub use symbol::parse_chord;
pub use text::{parse, ChartError};

/// The chord qualities a chart can name, each by its pitch classes above the root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quality {
    Major,
    Maj7,
    Six,
    SixNine,
    Minor,
    Min7,
    Min6,
    Min9,
    MinMaj7,
    Dom7,
    Dom9,
    Dom13,
    Dom7Flat9,
    Dom7Sharp9,
    Dom7Sharp11,
    Dom7Flat13,
    Alt,
    Sus4,
    Dom7Sus4,
    HalfDim,
    Dim,
    Dim7,
    Aug,
}

impl Quality {
    pub const ALL: [Quality; 23] = [
        Quality::Major,
        Quality::Maj7,
        Quality::Six,
        Quality::SixNine,
        Quality::Minor,
        Quality::Min7,
        Quality::Min6,
        Quality::Min9,
        Quality::MinMaj7,
        Quality::Dom7,
        Quality::Dom9,
        Quality::Dom13,
        Quality::Dom7Flat9,
        Quality::Dom7Sharp9,
        Quality::Dom7Sharp11,
        Quality::Dom7Flat13,
        Quality::Alt,
        Quality::Sus4,
        Quality::Dom7Sus4,
        Quality::HalfDim,
        Quality::Dim,
        Quality::Dim7,
        Quality::Aug,
    ];

    /// The notes a pianist voices, as semitones above the root (root first). These are what
    /// the band hears as the chord: the piano's pitch classes.
    pub fn intervals(self) -> &'static [u8] {
        match self {
            Quality::Major => &[0, 4, 7],
            Quality::Maj7 => &[0, 4, 7, 11],
            Quality::Six => &[0, 4, 7, 9],
            Quality::SixNine => &[0, 4, 7, 9, 2],
            Quality::Minor => &[0, 3, 7],
            Quality::Min7 => &[0, 3, 7, 10],
            Quality::Min6 => &[0, 3, 7, 9],
            Quality::Min9 => &[0, 3, 7, 10, 2],
            Quality::MinMaj7 => &[0, 3, 7, 11],
            Quality::Dom7 => &[0, 4, 7, 10],
            Quality::Dom9 => &[0, 4, 7, 10, 2],
            Quality::Dom13 => &[0, 4, 7, 10, 2, 9],
            Quality::Dom7Flat9 => &[0, 4, 7, 10, 1],
            Quality::Dom7Sharp9 => &[0, 4, 7, 10, 3],
            Quality::Dom7Sharp11 => &[0, 4, 7, 10, 6],
            Quality::Dom7Flat13 => &[0, 4, 7, 10, 8],
            Quality::Alt => &[0, 4, 10, 1, 3, 8],
            Quality::Sus4 => &[0, 5, 7],
            Quality::Dom7Sus4 => &[0, 5, 7, 10],
            Quality::HalfDim => &[0, 3, 6, 10],
            Quality::Dim => &[0, 3, 6],
            Quality::Dim7 => &[0, 3, 6, 9],
            Quality::Aug => &[0, 4, 8],
        }
    }

    /// The chord tones proper (root, third or fourth, fifth, seventh or sixth), without the
    /// tensions: what a line lands on at a strong beat.
    pub fn chord_tones(self) -> &'static [u8] {
        match self {
            Quality::SixNine => &[0, 4, 7, 9],
            Quality::Min9 => &[0, 3, 7, 10],
            Quality::Dom9 | Quality::Dom13 | Quality::Dom7Flat9 | Quality::Dom7Sharp9 => &[0, 4, 7, 10],
            Quality::Dom7Sharp11 | Quality::Dom7Flat13 => &[0, 4, 7, 10],
            Quality::Alt => &[0, 4, 10],
            q => q.intervals(),
        }
    }

    /// Whether it is a dominant (it takes b9, #9, #11 and b13 as well as 9 and 13).
    pub fn is_dominant(self) -> bool {
        matches!(
            self,
            Quality::Dom7
                | Quality::Dom9
                | Quality::Dom13
                | Quality::Dom7Flat9
                | Quality::Dom7Sharp9
                | Quality::Dom7Sharp11
                | Quality::Dom7Flat13
                | Quality::Alt
                | Quality::Dom7Sus4
        )
    }

    /// The pitch classes (above the root) a melody may use over the chord: its tones and its
    /// usual tensions (9, 11, 13; on dominants also b9, #9, #11, b13), as a mask relative to
    /// the root.
    pub fn allowed(self) -> u16 {
        let tones = self.intervals().iter().fold(0u16, |m, i| m | 1 << i);
        let tensions: &[u8] = if self.is_dominant() {
            &[1, 2, 3, 6, 8, 9]
        } else {
            match self {
                Quality::Minor | Quality::Min7 | Quality::Min6 | Quality::Min9 | Quality::MinMaj7 => &[2, 5, 9],
                Quality::HalfDim => &[2, 5, 8],
                Quality::Dim | Quality::Dim7 => &[2, 5, 8, 11],
                Quality::Aug => &[2, 6],
                _ => &[2, 6, 9],
            }
        };
        tensions.iter().fold(tones, |m, i| m | 1 << i)
    }

    /// The symbol players write after the root ("" for a major triad).
    pub fn symbol(self) -> &'static str {
        match self {
            Quality::Major => "",
            Quality::Maj7 => "maj7",
            Quality::Six => "6",
            Quality::SixNine => "69",
            Quality::Minor => "m",
            Quality::Min7 => "m7",
            Quality::Min6 => "m6",
            Quality::Min9 => "m9",
            Quality::MinMaj7 => "mMaj7",
            Quality::Dom7 => "7",
            Quality::Dom9 => "9",
            Quality::Dom13 => "13",
            Quality::Dom7Flat9 => "7b9",
            Quality::Dom7Sharp9 => "7#9",
            Quality::Dom7Sharp11 => "7#11",
            Quality::Dom7Flat13 => "7b13",
            Quality::Alt => "7alt",
            Quality::Sus4 => "sus4",
            Quality::Dom7Sus4 => "7sus4",
            Quality::HalfDim => "m7b5",
            Quality::Dim => "dim",
            Quality::Dim7 => "dim7",
            Quality::Aug => "aug",
        }
    }
}

/// Root names, flats for the black keys as most jazz charts spell them.
pub const ROOT_NAMES: [&str; 12] = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"];

/// One chord of a chart: its root, its quality, and the bass note when it is written over one
/// ("C7/E"); the bass line lands on that note at the change, the chord stays the chord.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChartChord {
    /// Pitch class of the root, 0 = C.
    pub root: u8,
    pub quality: Quality,
    /// Pitch class of a written bass note.
    pub bass: Option<u8>,
}

impl ChartChord {
    pub fn new(root: u8, quality: Quality) -> Self {
        Self { root: root % 12, quality, bass: None }
    }

    /// Its pitch classes as a mask (bit 0 = C): the chord the piano plays and the band hears.
    pub fn mask(&self) -> u16 {
        self.quality.intervals().iter().fold(0u16, |m, i| m | 1 << ((self.root + i) % 12))
    }

    /// The pitch classes a melody may use over it (tones and usual tensions), bit 0 = C.
    pub fn allowed(&self) -> u16 {
        rotate(self.quality.allowed(), self.root)
    }

    /// Its chord tones proper, bit 0 = C.
    pub fn chord_tones(&self) -> u16 {
        self.quality.chord_tones().iter().fold(0u16, |m, i| m | 1 << ((self.root + i) % 12))
    }

    /// The pitch class the bass lands on at the change: the written bass, else the root.
    pub fn bass_note(&self) -> u8 {
        self.bass.unwrap_or(self.root)
    }

    /// The same chord `semitones` higher (any sign).
    pub fn transposed(&self, semitones: i32) -> Self {
        let t = |pc: u8| (i32::from(pc) + semitones).rem_euclid(12) as u8;
        Self { root: t(self.root), quality: self.quality, bass: self.bass.map(t) }
    }

    /// Its symbol as a chart writes it, e.g. "Bb7", "Ebm7b5", "C7/E".
    pub fn name(&self) -> String {
        let mut s = format!("{}{}", ROOT_NAMES[usize::from(self.root)], self.quality.symbol());
        if let Some(b) = self.bass {
            s.push('/');
            s.push_str(ROOT_NAMES[usize::from(b)]);
        }
        s
    }
}

/// A 12-bit mask rotated up by `by` semitones.
fn rotate(mask: u16, by: u8) -> u16 {
    let by = u32::from(by % 12);
    let m = u32::from(mask & 0xFFF);
    (((m << by) | (m >> (12 - by))) & 0xFFF) as u16
}

/// Beats in a bar of a chart (4/4 only; a waltz is not played yet).
pub const BEATS_PER_BAR: usize = 4;

/// The changes of a tune: a chord on every beat of every bar (a bar of one chord holds it on
/// all four), repeats already played out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    pub bars: Vec<[ChartChord; BEATS_PER_BAR]>,
}

impl Chart {
    /// Bars in one chorus.
    pub fn len(&self) -> usize {
        self.bars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }

    /// The chord sounding at eighth-note step `step` of a chorus (8 steps a bar; wraps).
    pub fn chord_at_step(&self, step: usize) -> ChartChord {
        let s = step % (self.bars.len() * 8);
        self.bars[s / 8][(s % 8) / 2]
    }

    /// The same chart `semitones` higher.
    pub fn transposed(&self, semitones: i32) -> Chart {
        Chart { bars: self.bars.iter().map(|b| b.map(|c| c.transposed(semitones))).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_names_mean_the_notes() {
        let f7 = ChartChord::new(5, Quality::Dom7);
        assert_eq!(f7.mask(), 1 << 5 | 1 << 9 | 1 | 1 << 3, "F A C Eb");
        assert_eq!(f7.name(), "F7");
        let c_over_e = ChartChord { bass: Some(4), ..ChartChord::new(0, Quality::Dom7) };
        assert_eq!(c_over_e.name(), "C7/E");
        assert_eq!(c_over_e.bass_note(), 4);
        assert_eq!(ChartChord::new(10, Quality::HalfDim).transposed(3).name(), "Dbm7b5");
        // Over G7 a melody may use Ab (b9) but over Gmaj7 it may not.
        assert_ne!(ChartChord::new(7, Quality::Dom7).allowed() & 1 << 8, 0);
        assert_eq!(ChartChord::new(7, Quality::Maj7).allowed() & 1 << 8, 0);
        for q in Quality::ALL {
            let c = ChartChord::new(2, q);
            assert_eq!(c.allowed() & c.mask(), c.mask(), "{q:?}: its own notes are allowed");
            assert_eq!(c.chord_tones() & !c.mask(), 0, "{q:?}: chord tones are notes of the chord");
        }
    }
}
