//! A compact, readable text form of a chorus, for saving a user's choruses in a DAW project:
//! 96 space-separated steps, each `CCC.M` — the chord mask as three hex digits (bit 0 = C3) and
//! the melody unit as one hex digit (0 = C4 … c = C5) or `-` for none. Any non-audio thread.

use super::corpus::Chorus;
use super::encoding::{Frame, N_MELODY, STEPS_PER_CHORUS};

/// Writes a chorus as text.
pub fn chorus_to_text(chorus: &Chorus) -> String {
    let steps: Vec<String> = chorus
        .iter()
        .map(|f| format!("{:03x}.{}", f.chord & 0xFFF, f.melody.map_or("-".to_string(), |m| format!("{m:x}"))))
        .collect();
    steps.join(" ")
}

/// Reads a chorus back; the error says which step is wrong and why.
pub fn chorus_from_text(text: &str) -> Result<Chorus, String> {
    let steps: Vec<&str> = text.split_whitespace().collect();
    if steps.len() != STEPS_PER_CHORUS {
        return Err(format!("a chorus has {STEPS_PER_CHORUS} steps, this one has {}", steps.len()));
    }
    let mut chorus = [Frame::default(); STEPS_PER_CHORUS];
    for (i, step) in steps.iter().enumerate() {
        let bad = |why: &str| format!("step {}: '{step}': {why}", i + 1);
        let (chord, melody) = step.split_once('.').ok_or_else(|| bad("expected CCC.M"))?;
        let chord = u16::from_str_radix(chord, 16).map_err(|_| bad("the chord is not hex"))?;
        if chord > 0xFFF {
            return Err(bad("the chord has notes outside the octave"));
        }
        let melody = match melody {
            "-" => None,
            m => match u8::from_str_radix(m, 16) {
                Ok(unit) if usize::from(unit) < N_MELODY => Some(unit),
                _ => return Err(bad("the melody is not a unit 0-c")),
            },
        };
        chorus[i] = Frame { chord, melody };
    }
    Ok(chorus)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::corpus::builtin_chorus;

    #[test]
    fn choruses_round_trip() {
        let mut chorus = builtin_chorus(1234);
        chorus[5].melody = None;
        chorus[6].chord = 0;
        let text = chorus_to_text(&chorus);
        assert!(text.starts_with("491.0 491.0 "), "{}", &text[..20]);
        assert_eq!(chorus_from_text(&text), Ok(chorus));
    }

    #[test]
    fn bad_text_says_where() {
        let good = chorus_to_text(&builtin_chorus(0));
        assert!(chorus_from_text("").unwrap_err().contains("has 0"));
        let bad = good.replacen("491.0", "491.z", 1);
        assert_eq!(chorus_from_text(&bad).unwrap_err(), "step 1: '491.z': the melody is not a unit 0-c");
        let bad = good.replacen("491.0", "1491.0", 1);
        assert!(chorus_from_text(&bad).unwrap_err().contains("outside the octave"));
        assert!(chorus_from_text(&good.replacen("491.0", "491", 1)).unwrap_err().contains("expected CCC.M"));
    }
}
