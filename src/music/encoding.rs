//! The paper's local encoding: one unit per note, one frame per eighth note.
//!
//! A frame holds a chord (several of 12 chromatic units, MIDI 48–59) and at most one melody note
//! (one of 13 units, MIDI 60–72). The network reads and writes frames as 25 floats, 1.0 on and
//! 0.0 off, chord units first. Read-only data: any thread.

/// Eighth-note steps in a 4/4 bar: the network is stepped once per eighth note.
pub const STEPS_PER_BAR: usize = 8;
/// Bars in the blues form.
pub const BARS_PER_CHORUS: usize = 12;
/// Steps in one chorus (one pass through the 12-bar form).
pub const STEPS_PER_CHORUS: usize = STEPS_PER_BAR * BARS_PER_CHORUS;
/// Lowest chord note (C3); chord unit `i` is MIDI `CHORD_LOW + i`.
pub const CHORD_LOW: u8 = 48;
/// Chord units: one chromatic octave.
pub const N_CHORD: usize = 12;
/// Lowest melody note (C4); melody unit `i` is MIDI `MELODY_LOW + i`.
pub const MELODY_LOW: u8 = 60;
/// Melody units: C4 to C5.
pub const N_MELODY: usize = 13;
/// Units per frame: chords then melody.
pub const N_UNITS: usize = N_CHORD + N_MELODY;

/// One eighth-note slice of music.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Bit `i` set: chord unit `i` (MIDI `CHORD_LOW + i`) is on.
    pub chord: u16,
    /// The melody unit that is on (MIDI `MELODY_LOW + unit`), if any.
    pub melody: Option<u8>,
}

impl Frame {
    /// Writes the frame as network units. `out` holds the chord units, followed by the melody
    /// units when it is long enough for them (a chords-only network reads `N_CHORD` units).
    pub fn write_units(&self, out: &mut [f32]) {
        debug_assert!(out.len() == N_CHORD || out.len() == N_UNITS);
        for (i, unit) in out.iter_mut().enumerate() {
            *unit = if i < N_CHORD {
                f32::from(u8::from(self.chord & (1 << i) != 0))
            } else {
                f32::from(u8::from(self.melody == Some((i - N_CHORD) as u8)))
            };
        }
    }

    /// MIDI notes of the chord, lowest first.
    pub fn chord_notes(&self) -> impl Iterator<Item = u8> + '_ {
        (0..N_CHORD as u8).filter(|i| self.chord & (1 << i) != 0).map(|i| CHORD_LOW + i)
    }

    /// MIDI note of the melody, if any.
    pub fn melody_note(&self) -> Option<u8> {
        self.melody.map(|unit| MELODY_LOW + unit)
    }
}

/// The chord unit of a MIDI note, folded into the chord octave by pitch class.
pub fn fold_to_chord_unit(note: u8) -> usize {
    usize::from(note) % 12 // CHORD_LOW (48) is a C, so the pitch class is the unit.
}

/// The melody unit of a MIDI note, folded by octaves into MIDI 60–72.
pub fn fold_to_melody_unit(note: u8) -> u8 {
    let mut n = i32::from(note);
    while n < i32::from(MELODY_LOW) {
        n += 12;
    }
    while n > i32::from(MELODY_LOW) + N_MELODY as i32 - 1 {
        n -= 12;
    }
    (n - i32::from(MELODY_LOW)) as u8
}

/// A chord mask from MIDI notes, each folded into the chord octave.
pub fn chord_mask(notes: &[u8]) -> u16 {
    notes.iter().fold(0, |mask, &n| mask | 1 << fold_to_chord_unit(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_trip_the_frame() {
        let frame = Frame { chord: chord_mask(&[48, 52, 55, 58]), melody: Some(7) };
        let mut units = [0.0; N_UNITS];
        frame.write_units(&mut units);
        let on: Vec<usize> = (0..N_UNITS).filter(|&i| units[i] == 1.0).collect();
        assert_eq!(on, vec![0, 4, 7, 10, N_CHORD + 7]);
        assert_eq!(frame.chord_notes().collect::<Vec<_>>(), vec![48, 52, 55, 58]);
        assert_eq!(frame.melody_note(), Some(67));
        let mut chords_only = [9.0; N_CHORD];
        frame.write_units(&mut chords_only);
        assert_eq!(chords_only.iter().sum::<f32>(), 4.0);
    }

    #[test]
    fn folding_keeps_pitch_class_and_range() {
        assert_eq!(fold_to_melody_unit(60), 0);
        assert_eq!(fold_to_melody_unit(72), 12);
        assert_eq!(fold_to_melody_unit(73), 1); // C#5 → C#4
        assert_eq!(fold_to_melody_unit(36), 0); // C2 → C4
        assert_eq!(fold_to_melody_unit(0), 0);
        assert_eq!(fold_to_melody_unit(127), 7); // G9 → G4
        assert_eq!(fold_to_chord_unit(64), 4);
        assert_eq!(fold_to_chord_unit(0), 0);
    }
}
