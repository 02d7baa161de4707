//! A compact, readable text form of a chorus, for saving a user's choruses in a DAW project.
//! Any non-audio thread.
//!
//! Version 3 (written where a chorus has drums): as version 2, and a step with drums adds
//! `.DDDDDDD`, the level of each kit lane (0 silent … 3 accent) in the order of
//! `music::drums::Piece::ALL`.
//!
//! Version 2 (written for choruses without drums): space-separated steps, each `CCC.M.B.P` —
//! the chord's pitch classes as three hex digits (bit 0 = C), the melody and the bass as `-`
//! (silence) or the MIDI key in two hex digits followed by `*` where the note is struck, and
//! the comping as `-` (off), `h` (held) or `s` (struck).
//!
//! Version 1 (read, from projects saved before the encoding grew): 96 steps `CCC.M`, the melody
//! as one hex digit of C4 … C5 (`0` … `c`) or `-`; a note began where its key changed or on a
//! beat, as the plugin played it then.

use super::corpus::Chorus;
use super::drums::{Hits, ACCENT, PIECES};
use super::encoding::{Frame, Note};

/// The version a chorus is written in: 3 where it has drums, else 2 (which older versions of
/// the plugin read).
pub fn text_version(chorus: &[Frame]) -> u32 {
    if chorus.iter().any(|f| !f.drums.is_empty()) {
        3
    } else {
        2
    }
}

/// Writes a chorus as text (version [`text_version`]).
pub fn chorus_to_text(chorus: &[Frame]) -> String {
    let line = |n: Note| match n.key {
        None => "-".to_string(),
        Some(k) => format!("{k:02x}{}", if n.begin { "*" } else { "" }),
    };
    let comp = |n: Note| match (n.key, n.begin) {
        (None, _) => '-',
        (Some(_), false) => 'h',
        (Some(_), true) => 's',
    };
    let steps: Vec<String> = chorus
        .iter()
        .map(|f| {
            let step = format!("{:03x}.{}.{}.{}", f.chord & 0xFFF, line(f.melody), line(f.bass), comp(f.comp));
            if f.drums.is_empty() {
                step
            } else {
                let levels: String = f.drums.0.iter().map(|&l| char::from(b'0' + l.min(ACCENT))).collect();
                format!("{step}.{levels}")
            }
        })
        .collect();
    steps.join(" ")
}

/// Reads a chorus of `steps` steps written by `version` 1, 2 or 3; the error says which step is
/// wrong and why.
pub fn chorus_from_text(text: &str, version: u32, steps: usize) -> Result<Chorus, String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if tokens.len() != steps {
        return Err(format!("a chorus here has {steps} steps, this one has {}", tokens.len()));
    }
    let mut chorus = Vec::with_capacity(steps);
    let mut previous = Frame::default();
    for (i, token) in tokens.iter().enumerate() {
        let bad = |why: &str| format!("step {}: '{token}': {why}", i + 1);
        let parts: Vec<&str> = token.split('.').collect();
        let chord = u16::from_str_radix(parts[0], 16).map_err(|_| bad("the chord is not hex"))?;
        if chord > 0xFFF {
            return Err(bad("the chord has more than 12 pitch classes"));
        }
        let frame = match (version, parts.len()) {
            (1, 2) => {
                let melody = match parts[1] {
                    "-" => Note::REST,
                    m => match u8::from_str_radix(m, 16) {
                        Ok(unit) if unit <= 12 => {
                            let key = 60 + unit;
                            Note { key: Some(key), begin: previous.melody.key != Some(key) || i % 2 == 0 }
                        }
                        _ => return Err(bad("the melody is not a unit 0-c")),
                    },
                };
                Frame { chord, melody, ..Frame::default() }
            }
            (2, 4) | (3, 4 | 5) => {
                let line = |p: &str, what: &str| -> Result<Note, String> {
                    if p == "-" {
                        return Ok(Note::REST);
                    }
                    let (digits, begin) = match p.strip_suffix('*') {
                        Some(d) => (d, true),
                        None => (p, false),
                    };
                    match u8::from_str_radix(digits, 16) {
                        Ok(key) if key < 128 && digits.len() == 2 => Ok(Note { key: Some(key), begin }),
                        _ => Err(bad(&format!("the {what} is not a key in two hex digits"))),
                    }
                };
                let comp = match parts[3] {
                    "-" => Note::REST,
                    "h" => Note::held(0),
                    "s" => Note::struck(0),
                    _ => return Err(bad("the comping is -, h or s")),
                };
                let mut drums = Hits::NONE;
                if let Some(levels) = parts.get(4) {
                    let digits: Vec<u8> = levels.bytes().map(|b| b.wrapping_sub(b'0')).collect();
                    if digits.len() != PIECES || digits.iter().any(|&d| d > ACCENT) {
                        return Err(bad(&format!("the drums are {PIECES} levels 0-3")));
                    }
                    drums.0.copy_from_slice(&digits);
                }
                Frame { chord, melody: line(parts[1], "melody")?, bass: line(parts[2], "bass")?, comp, drums }
            }
            (1, _) => return Err(bad("expected CCC.M")),
            (2, _) => return Err(bad("expected CCC.M.B.P")),
            (3, _) => return Err(bad("expected CCC.M.B.P or CCC.M.B.P.DDDDDDD")),
            (v, _) => return Err(format!("chorus text version {v} is not one this build reads (1 to 3)")),
        };
        chorus.push(frame);
        previous = frame;
    }
    Ok(chorus)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::style::builtin_style;

    #[test]
    fn choruses_round_trip() {
        let mut chorus = builtin_style("paper-blues").unwrap().chorus(1234);
        chorus[5].melody = Note::REST;
        chorus[6].chord = 0;
        chorus[7].bass = Note::struck(33);
        chorus[8].bass = Note::held(33);
        chorus[9].comp = Note::struck(0);
        chorus[10].comp = Note::held(0);
        let text = chorus_to_text(&chorus);
        assert!(text.starts_with("491.3c*.-.- 491.3c.-.- "), "{}", &text[..30]);
        assert_eq!(text_version(&chorus), 2, "no drums: the version older plugins read");
        assert_eq!(chorus_from_text(&text, 2, 96), Ok(chorus.clone()));
        chorus[0].drums = Hits([2, 0, 1, 3, 3, 0, 0]);
        let text = chorus_to_text(&chorus);
        assert!(text.starts_with("491.3c*.-.-.2013300 491.3c.-.- "), "{}", &text[..40]);
        assert_eq!(text_version(&chorus), 3);
        assert_eq!(chorus_from_text(&text, 3, 96), Ok(chorus));
        assert!(chorus_from_text(&text, 2, 96).unwrap_err().contains("step 1"), "version 2 has no drums");
        let bad = text.replacen(".2013300", ".2019300", 1);
        assert!(chorus_from_text(&bad, 3, 96).unwrap_err().contains("drums"));
    }

    #[test]
    fn version_1_text_reads_as_the_plugin_played_it() {
        // Two quarter notes on C4 and E4, then a rest, in the first bar.
        let mut steps = vec!["491.0", "491.0", "491.4", "491.4", "491.-", "491.4", "491.4", "491.4"];
        steps.extend(std::iter::repeat_n("491.-", 88));
        let chorus = chorus_from_text(&steps.join(" "), 1, 96).unwrap();
        let melody: Vec<Note> = chorus[..8].iter().map(|f| f.melody).collect();
        let (c, e) = (60, 64);
        assert_eq!(
            melody,
            [
                Note::struck(c),
                Note::held(c),
                Note::struck(e),
                Note::held(e),
                Note::REST,
                Note::struck(e),
                Note::struck(e),
                Note::held(e)
            ]
        );
        assert_eq!(chorus[0].chord, 0x491);
    }

    #[test]
    fn bad_text_says_where() {
        let good = chorus_to_text(&builtin_style("paper-blues").unwrap().chorus(0));
        assert!(chorus_from_text("", 2, 96).unwrap_err().contains("has 0"));
        let bad = good.replacen("491.3c*", "491.3z*", 1);
        assert_eq!(
            chorus_from_text(&bad, 2, 96).unwrap_err(),
            "step 1: '491.3z*.-.-': the melody is not a key in two hex digits"
        );
        let bad = good.replacen("491.3c*", "1491.3c*", 1);
        assert!(chorus_from_text(&bad, 2, 96).unwrap_err().contains("more than 12"));
        assert!(chorus_from_text(&good.replacen("491.3c*.-.-", "491", 1), 2, 96)
            .unwrap_err()
            .contains("expected CCC.M.B.P"));
        assert!(chorus_from_text(&good.replacen(".-.- ", ".-.q ", 1), 2, 96).unwrap_err().contains("comping"));
        assert!(chorus_from_text(&good, 4, 96).unwrap_err().contains("version 4"));
        assert!(chorus_from_text(&good, 2, 128).unwrap_err().contains("has 128 steps"));
    }
}
