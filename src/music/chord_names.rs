//! Names of chords for people: the editor labels each bar of the form with the chord the network
//! plays there, which for a user's own progression is not known in advance. Any thread.

/// Chord qualities by their intervals above the root, most specific first.
const QUALITIES: [(&str, &[u8]); 12] = [
    ("7", &[0, 4, 7, 10]),
    ("maj7", &[0, 4, 7, 11]),
    ("m7", &[0, 3, 7, 10]),
    ("m7b5", &[0, 3, 6, 10]),
    ("dim7", &[0, 3, 6, 9]),
    ("mMaj7", &[0, 3, 7, 11]),
    ("6", &[0, 4, 7, 9]),
    ("m6", &[0, 3, 7, 9]),
    ("", &[0, 4, 7]),
    ("m", &[0, 3, 7]),
    ("dim", &[0, 3, 6]),
    ("aug", &[0, 4, 8]),
];

const ROOTS: [&str; 12] = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"];

/// The root (pitch class) and quality of the chord whose pitch classes are the set bits of
/// `mask`, if a known quality fits. Allocation-free (the audio thread voices chords by it).
pub fn chord_root(mask: u16) -> Option<(u8, &'static str)> {
    let mask = mask & 0xFFF;
    for (suffix, intervals) in QUALITIES {
        for root in 0..12u8 {
            let wanted = intervals.iter().fold(0u16, |m, i| m | 1 << ((root + i) % 12));
            if wanted == mask {
                return Some((root, suffix));
            }
        }
    }
    None
}

/// The name of the chord whose pitch classes are the set bits of `mask` (bit 0 = C), e.g. "F7";
/// "–" for silence; the notes themselves ("C+E") when no known quality fits.
pub fn chord_name(mask: u16) -> String {
    let mask = mask & 0xFFF;
    if mask == 0 {
        return "–".to_string();
    }
    if let Some((root, suffix)) = chord_root(mask) {
        return format!("{}{suffix}", ROOTS[usize::from(root)]);
    }
    (0..12).filter(|i| mask & (1 << i) != 0).map(|i| ROOTS[i]).collect::<Vec<_>>().join("+")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::encoding::chord_mask;
    use crate::music::notation::parse_chord;
    use crate::music::style::builtin_styles;

    /// Every chord of every built-in form gets a name that means its notes (a diminished
    /// seventh may be named from another of its four roots).
    #[test]
    fn the_builtin_forms_are_named_by_their_notes() {
        for style in builtin_styles() {
            for (bar, names) in style.chord_names.iter().enumerate() {
                let mask = style.chords[bar * 8];
                let name = chord_name(mask);
                assert_eq!(
                    parse_chord(&name).map(|c| c.mask),
                    Ok(mask),
                    "{} bar {}: {} named {name}",
                    style.id,
                    bar + 1,
                    names[0]
                );
            }
        }
        assert_eq!(chord_name(parse_chord("Bb7").unwrap().mask), "Bb7");
        assert_eq!(chord_name(parse_chord("Em7b5").unwrap().mask), "Em7b5");
    }

    #[test]
    fn triads_silence_and_clusters() {
        assert_eq!(chord_name(chord_mask(&[55, 59, 50])), "G");
        assert_eq!(chord_name(chord_mask(&[57, 48, 52])), "Am");
        assert_eq!(chord_name(0), "–");
        assert_eq!(chord_name(0b11), "C+Db");
    }
}
