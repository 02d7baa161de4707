//! The band's parts, and a container with one value per part, so that what is done to a part —
//! encode, draw, play, release, feel, draw on screen — is one loop over the parts rather than
//! a field and a line of code per voice.

use std::ops::{Index, IndexMut};

/// A part of the band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// The harmony: the chord blocks' pitch classes, voiced by the piano.
    Chords,
    Melody,
    Bass,
    /// The rhythm the piano strikes the chords in (sounds through the chords' voice).
    Comp,
    Drums,
}

/// Parts in a band.
pub const PARTS: usize = 5;

impl Part {
    /// Every part, in the order of the network's units.
    pub const ALL: [Part; PARTS] = [Part::Chords, Part::Melody, Part::Bass, Part::Comp, Part::Drums];
    /// The parts that are a line of one note at a time (with a rest and a note-begin unit).
    pub const LINES: [Part; 3] = [Part::Melody, Part::Bass, Part::Comp];
    /// The parts that sound on a MIDI channel of their own.
    pub const SOUNDING: [Part; 4] = [Part::Chords, Part::Melody, Part::Bass, Part::Drums];

    /// Its name: the network group's, the corpus notation's, the saved formats'.
    pub fn name(self) -> &'static str {
        match self {
            Part::Chords => "chord",
            Part::Melody => "melody",
            Part::Bass => "bass",
            Part::Comp => "comp",
            Part::Drums => "drums",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One `T` per part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PerPart<T>(pub [T; PARTS]);

impl<T: Copy> PerPart<T> {
    /// The same value for every part.
    pub const fn splat(value: T) -> Self {
        Self([value; PARTS])
    }
}

impl<T> PerPart<T> {
    /// A value per part from `f`.
    pub fn from_fn(mut f: impl FnMut(Part) -> T) -> Self {
        Self(Part::ALL.map(&mut f))
    }

    /// The parts with their values.
    pub fn iter(&self) -> impl Iterator<Item = (Part, &T)> {
        Part::ALL.into_iter().zip(self.0.iter())
    }
}

impl<T> Index<Part> for PerPart<T> {
    type Output = T;
    fn index(&self, part: Part) -> &T {
        &self.0[part.index()]
    }
}

impl<T> IndexMut<Part> for PerPart<T> {
    fn index_mut(&mut self, part: Part) -> &mut T {
        &mut self.0[part.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_indexes_its_own_value() {
        let mut names = PerPart::from_fn(Part::name);
        assert_eq!(names[Part::Drums], "drums");
        names[Part::Bass] = "walking";
        assert_eq!(names.iter().map(|(_, n)| *n).collect::<Vec<_>>(), ["chord", "melody", "walking", "comp", "drums"]);
        for (i, part) in Part::ALL.into_iter().enumerate() {
            assert_eq!(part.index(), i);
        }
    }
}
