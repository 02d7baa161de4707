//! The text in which the built-in styles are written: a form of chords and, for each voice,
//! sections of bars with alternative lines a chorus picks from — the paper's construction
//! (bar-long or phrase-long segments recombined at random), as data a musician can read.
//!
//! ```text
//! # A comment runs to the end of the line (a '#' at the start or after a space; F#7 is a chord).
//! style: bebop-blues            the id (lowercase, digits, '-')
//! title: Bebop blues in C       for people
//! bars: 12
//! chords: C7 | F7 | C7 | Gm7 C7 | F7 | F7 | C7 | A7 | Dm7 | G7 | C7 A7 | Dm7 G7
//!
//! melody 1-2:                   a section: a voice, its first and last bar (1-based)
//!   . . e4 g4 bb4 d5 - c5 | a4 f4 - . . . . .     one alternative per line
//!   c5 - a4 g4 . . . . | . . . . . . . .
//! melody 3-4:
//!   ...
//! bass 1:                       a section of one bar
//!   c2 - e2 - g2 - bb2 -
//! comp 1-2:
//!   . x - . . . x - | . . . x - . . .
//! drums 1-4:                    an alternative is a block of rows, one per kit piece
//!   ride:  x . x x x . x x | ...
//!   hat:   . . x . . . x . | ...
//!   kick:  g . g . g . g . | ...
//!   --                          the next alternative
//!   ride:  ...
//! ```
//!
//! - **Chords**: one entry per bar, separated by `|`; a bar holds 1, 2 or 4 chords (two change at
//!   beat 3, four on each beat). A chord is a root (`C`, `C#`, `Db`, … `B`) and a quality: `7`,
//!   `m7`, `maj7`, `6`, `m6`, `m7b5`, `dim7`, `mMaj7`, `7b9` (four pitch classes: the 3rd,
//!   7th and ♭9 over the root, the 5th left out), or a triad (``, `m`, `dim`, `aug`).
//! - **Voices**: `melody` and `bass` are lines of notes; `comp` is the rhythm the chords are
//!   struck in. Each voice present must cover every bar exactly once with its sections, in
//!   order; a voice may be left out (the paper's corpus has no bass and no comping).
//! - **Tokens**: one per eighth note, 8 per bar; `|` may stand between bars and must then fall
//!   on a bar line. Lines: a note name with its octave (`c4` is MIDI 60, `bb3` 58, `f#5` 78)
//!   strikes a note; `-` holds the note before it (a longer note); `.` rests. Comping: `x`
//!   strikes the bar's chord, `-` holds what sounds, `.` is silence. A section's first token
//!   may not be `-`: alternatives are recombined, so nothing ties across a section's start.
//! - **Drums**: a `drums` section's alternatives are blocks of rows, `piece: tokens`, one row per
//!   kit piece played (`ride`, `hat` — the pedal hi-hat —, `snare`, `kick`, `crash`, `tom`,
//!   `floor`; a piece not written is silent), separated by a line `--`. A token is an eighth:
//!   `.` silent, `g` a ghost note, `x` a stroke, `X` an accent.
//! - Every alternative of a section has 8 tokens per bar of the section, and a section has at
//!   least one alternative. Errors name the line and what is wrong.

use super::drums::{Hits, Piece, ACCENT, GHOST, NORMAL, SILENT};
use super::part::Part;
use std::fmt;

/// One eighth note of a line or of the comping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Strike a note (MIDI key); for the comping, `Strike`.
    Note(u8),
    /// Strike the chord (comping only).
    Strike,
    /// Keep sounding what sounds.
    Hold,
    /// Silence.
    Rest,
    /// What the drums strike at this eighth (drum sections only).
    Drums(Hits),
}

/// A chord of the form: the name as written, its root and its pitch classes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChordSymbol {
    pub name: String,
    /// Pitch class of the root, 0 = C.
    pub root: u8,
    /// Bit `pc` set for each pitch class of the chord.
    pub mask: u16,
}

/// Bars of one voice and the alternative lines a chorus picks one of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub part: Part,
    /// First bar (0-based) and number of bars.
    pub first_bar: usize,
    pub bars: usize,
    /// Each alternative: 8 slots per bar.
    pub alternatives: Vec<Vec<Slot>>,
}

/// A style as written: its form and its sections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StyleText {
    pub id: String,
    pub title: String,
    pub bars: usize,
    /// Per bar, its 1, 2 or 4 chords.
    pub chords: Vec<Vec<ChordSymbol>>,
    /// Every voice's sections, in the order written.
    pub sections: Vec<Section>,
    /// `phrases: connected`: each melody line is chosen among the two thirds of its section's lines
    /// that start nearest where the line before it ended, as a soloist's next phrase picks up
    /// in the register the last one left (else every section is chosen on its own).
    pub connected_phrases: bool,
}

/// Eighth notes in a bar of 4/4: the notation's grid.
pub const SLOTS_PER_BAR: usize = 8;

/// Why a style text was refused: the line (1-based; 0 for the whole text) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotationError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for NotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for NotationError {}

/// Chord qualities by their intervals above the root.
const QUALITIES: [(&str, &[u8]); 13] = [
    ("7", &[0, 4, 7, 10]),
    ("m7", &[0, 3, 7, 10]),
    ("maj7", &[0, 4, 7, 11]),
    ("6", &[0, 4, 7, 9]),
    ("m6", &[0, 3, 7, 9]),
    ("m7b5", &[0, 3, 6, 10]),
    ("dim7", &[0, 3, 6, 9]),
    ("mMaj7", &[0, 3, 7, 11]),
    ("7b9", &[1, 4, 10, 0]),
    ("", &[0, 4, 7]),
    ("m", &[0, 3, 7]),
    ("dim", &[0, 3, 6]),
    ("aug", &[0, 4, 8]),
];

/// The pitch class of a note letter with its accidental (`C`, `c#`, `Bb`), and what follows.
fn pitch_class(text: &str) -> Option<(u8, &str)> {
    let mut chars = text.chars();
    let base = match chars.next()?.to_ascii_lowercase() {
        'c' => 0,
        'd' => 2,
        'e' => 4,
        'f' => 5,
        'g' => 7,
        'a' => 9,
        'b' => 11,
        _ => return None,
    };
    let rest = &text[1..];
    if let Some(r) = rest.strip_prefix('#') {
        Some(((base + 1) % 12, r))
    } else if let Some(r) = rest.strip_prefix('b') {
        // A 'b' right after the letter is a flat ("Bb", "eb5"); no chord quality starts with one.
        Some(((base + 11) % 12, r))
    } else {
        Some((base, rest))
    }
}

/// A chord symbol such as `Dm7`, `F#dim7`, `Bbmaj7`, `Em7b5`.
pub fn parse_chord(text: &str) -> Result<ChordSymbol, String> {
    let (root, quality) = pitch_class(text).ok_or_else(|| format!("'{text}' is not a chord (no root)"))?;
    let intervals = QUALITIES
        .iter()
        .find(|(q, _)| *q == quality)
        .map(|(_, i)| *i)
        .ok_or_else(|| format!("'{text}': unknown chord quality '{quality}'"))?;
    let mask = intervals.iter().fold(0u16, |m, i| m | 1 << ((root + i) % 12));
    Ok(ChordSymbol { name: text.to_string(), root, mask })
}

/// A note name with its octave: `c4` = 60, `bb3` = 58, `f#5` = 78.
pub fn parse_note(text: &str) -> Option<u8> {
    let (pc, octave) = pitch_class(text)?;
    let octave: i32 = octave.parse().ok()?;
    let key = (octave + 1) * 12 + i32::from(pc);
    // Cb and B# cross the octave boundary: "cb4" is B3.
    let key = match (text.as_bytes()[0].to_ascii_lowercase(), &text[1..2]) {
        (b'c', "b") => key - 12,
        (b'b', "#") => key + 12,
        _ => key,
    };
    u8::try_from(key).ok().filter(|&k| k < 128)
}

/// Parses a style text (module docs).
pub fn parse_style(text: &str) -> Result<StyleText, NotationError> {
    let err = |line: usize, message: String| NotationError { line, message };
    let (mut id, mut title, mut bars, mut chords) = (None, None, None, None);
    let mut sections: Vec<Section> = Vec::new();
    let mut connected_phrases = false;
    // The rows of the drums alternative being read.
    let mut drum_rows: Vec<(Piece, Vec<u8>)> = Vec::new();
    // The section whose alternatives are being read, and where its header was.
    let mut open: Option<(Section, usize)> = None;
    let close = |open: &mut Option<(Section, usize)>, sections: &mut Vec<Section>| -> Result<(), NotationError> {
        if let Some((section, line)) = open.take() {
            if section.alternatives.is_empty() {
                return Err(err(line, "the section has no lines".to_string()));
            }
            sections.push(section);
        }
        Ok(())
    };
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        // Inside a drums section: a kit piece's row, or `--` between alternatives.
        if let Some((section, _)) = open.as_mut().filter(|(s, _)| s.part == Part::Drums) {
            if line == "--" {
                finish_drums(&mut drum_rows, section).map_err(|m| err(line_no, m))?;
                continue;
            }
            if let Some((piece, row)) = line.split_once(':').and_then(|(k, v)| Some((Piece::from_name(k.trim())?, v))) {
                if drum_rows.iter().any(|(p, _)| *p == piece) {
                    return Err(err(
                        line_no,
                        format!("{} twice in one alternative (separate them with --)", piece.name()),
                    ));
                }
                drum_rows.push((piece, parse_drum_row(row, section.bars).map_err(|m| err(line_no, m))?));
                continue;
            }
            if let Some((key, row)) = line.split_once(':').filter(|(k, v)| !k.contains(' ') && !v.trim().is_empty()) {
                if row.split_whitespace().all(|t| matches!(t, "." | "g" | "x" | "X" | "|")) {
                    return Err(err(line_no, format!("'{key}' is not a kit piece; {PIECE_NAMES}")));
                }
            }
        }
        // Headers have a colon; lines of notes never do.
        match line.split_once(':').map(|(k, v)| (k.trim(), v.trim())) {
            Some(("style", v)) => id = Some(v.to_string()),
            Some(("title", v)) => title = Some(v.to_string()),
            Some(("phrases", "connected")) => connected_phrases = true,
            Some(("phrases", v)) => return Err(err(line_no, format!("phrases: '{v}' is not 'connected'"))),
            Some(("bars", v)) => {
                bars = Some(v.parse::<usize>().map_err(|_| err(line_no, format!("bars: '{v}' is not a number")))?)
            }
            Some(("chords", v)) => {
                let parsed: Result<Vec<Vec<ChordSymbol>>, String> = v
                    .split('|')
                    .map(|bar| {
                        let bar: Vec<ChordSymbol> =
                            bar.split_whitespace().map(parse_chord).collect::<Result<_, _>>()?;
                        match bar.len() {
                            1 | 2 | 4 => Ok(bar),
                            n => Err(format!("a bar holds 1, 2 or 4 chords, this one {n}")),
                        }
                    })
                    .collect();
                chords = Some(parsed.map_err(|m| err(line_no, m))?);
            }
            Some((key, "")) => {
                if let Some((section, _)) = open.as_mut() {
                    finish_drums(&mut drum_rows, section).map_err(|m| err(line_no, m))?;
                }
                close(&mut open, &mut sections)?;
                let (part, range) =
                    key.split_once(' ').ok_or_else(|| err(line_no, format!("'{key}': expected a voice and bars")))?;
                let part = match part {
                    "melody" => Part::Melody,
                    "bass" => Part::Bass,
                    "comp" => Part::Comp,
                    "drums" => Part::Drums,
                    other => {
                        return Err(err(line_no, format!("unknown voice '{other}' (melody, bass, comp or drums)")))
                    }
                };
                let (first, last) = range.split_once('-').unwrap_or((range, range));
                let number = |s: &str| s.trim().parse::<usize>().ok().filter(|&b| b >= 1);
                let (Some(first), Some(last)) = (number(first), number(last)) else {
                    return Err(err(line_no, format!("'{range}': bars are numbers from 1, like 3 or 3-4")));
                };
                if last < first {
                    return Err(err(line_no, format!("bars {first}-{last} run backwards")));
                }
                open = Some((
                    Section { part, first_bar: first - 1, bars: last - first + 1, alternatives: Vec::new() },
                    line_no,
                ));
            }
            Some((key, _)) => return Err(err(line_no, format!("unknown field '{key}'"))),
            None => {
                let Some((section, _)) = open.as_mut() else {
                    return Err(err(line_no, "a line of notes outside a section".to_string()));
                };
                if section.part == Part::Drums {
                    return Err(err(line_no, format!("a drums row starts with its piece; {PIECE_NAMES}")));
                }
                let slots = parse_line(line, section.part, section.bars).map_err(|m| err(line_no, m))?;
                section.alternatives.push(slots);
            }
        }
    }
    if let Some((section, _)) = open.as_mut() {
        let last = text.lines().count();
        finish_drums(&mut drum_rows, section).map_err(|m| err(last, m))?;
    }
    close(&mut open, &mut sections)?;
    let id = id.ok_or_else(|| err(0, "no 'style:' line".to_string()))?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(err(0, format!("style id '{id}': lowercase letters, digits and '-'")));
    }
    let bars = bars.ok_or_else(|| err(0, "no 'bars:' line".to_string()))?;
    let chords = chords.ok_or_else(|| err(0, "no 'chords:' line".to_string()))?;
    if chords.len() != bars {
        return Err(err(0, format!("{} bars of chords for a form of {bars} bars", chords.len())));
    }
    for part in [Part::Melody, Part::Bass, Part::Comp, Part::Drums] {
        let mut next = 0;
        for s in sections.iter().filter(|s| s.part == part) {
            if s.first_bar != next {
                return Err(err(
                    0,
                    format!("{part:?}: a section starts at bar {}, expected bar {}", s.first_bar + 1, next + 1),
                ));
            }
            next += s.bars;
        }
        if next != 0 && next != bars {
            return Err(err(0, format!("{part:?}: the sections cover {next} bars of {bars}")));
        }
    }
    Ok(StyleText { id, title: title.unwrap_or_default(), bars, chords, sections, connected_phrases })
}

/// The line without its comment: a `#` at the start or after a space (a sharp, as in `F#7`
/// or `c#4`, follows a letter).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    match (0..bytes.len()).find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace())) {
        Some(i) => &line[..i],
        None => line,
    }
}

/// A line's tokens, one per eighth note, its bar lines checked and left out: a `|` may stand
/// only where a bar ends.
fn eighths(line: &str) -> Result<Vec<&str>, String> {
    let mut tokens = Vec::new();
    for token in line.split_whitespace() {
        if token == "|" {
            if tokens.is_empty() || tokens.len() % SLOTS_PER_BAR != 0 {
                return Err(format!("'|' after {} eighth notes is not on a bar line", tokens.len()));
            }
            continue;
        }
        tokens.push(token);
    }
    Ok(tokens)
}

/// The kit pieces a drums row may name, for messages.
const PIECE_NAMES: &str = "the pieces are ride, hat, snare, kick, crash, tom and floor";

/// One kit piece's row of a drums alternative: a level per eighth.
fn parse_drum_row(row: &str, bars: usize) -> Result<Vec<u8>, String> {
    let mut levels = Vec::new();
    for token in eighths(row)? {
        levels.push(match token {
            "." => SILENT,
            "g" => GHOST,
            "x" => NORMAL,
            "X" => ACCENT,
            other => return Err(format!("'{other}': a drum stroke is . (silent), g (ghost), x or X (accent)")),
        });
    }
    if levels.len() != bars * SLOTS_PER_BAR {
        return Err(format!("{} eighth notes, a section of {bars} bar(s) has {}", levels.len(), bars * SLOTS_PER_BAR));
    }
    Ok(levels)
}

/// Ends the drums alternative whose rows were read (if any) and adds it to `section`.
fn finish_drums(rows: &mut Vec<(Piece, Vec<u8>)>, section: &mut Section) -> Result<(), String> {
    if section.part != Part::Drums {
        return Ok(());
    }
    if rows.is_empty() {
        return Err("an empty drums alternative (a '--' with no rows before it)".to_string());
    }
    let mut slots = vec![Slot::Drums(Hits::NONE); section.bars * SLOTS_PER_BAR];
    for (piece, levels) in rows.drain(..) {
        for (slot, level) in slots.iter_mut().zip(levels) {
            if let Slot::Drums(hits) = slot {
                hits.set(piece, level);
            }
        }
    }
    section.alternatives.push(slots);
    Ok(())
}

/// One alternative: its tokens, checked against the section's bars.
fn parse_line(line: &str, part: Part, bars: usize) -> Result<Vec<Slot>, String> {
    let mut slots = Vec::new();
    for token in eighths(line)? {
        let slot = match (token, part) {
            ("-", _) => Slot::Hold,
            (".", _) => Slot::Rest,
            ("x", Part::Comp) => Slot::Strike,
            (_, Part::Comp) => return Err(format!("'{token}': comping is x (strike), - (hold) or . (silence)")),
            (note, _) => {
                Slot::Note(parse_note(note).ok_or_else(|| format!("'{note}' is not a note like c4, bb3 or f#5"))?)
            }
        };
        slots.push(slot);
    }
    if slots.len() != bars * SLOTS_PER_BAR {
        return Err(format!("{} eighth notes, a section of {bars} bar(s) has {}", slots.len(), bars * SLOTS_PER_BAR));
    }
    if slots[0] == Slot::Hold {
        return Err("a section's line cannot start with '-' (nothing ties across a section's start)".to_string());
    }
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_and_chords_read_as_musicians_write_them() {
        assert_eq!(parse_note("c4"), Some(60));
        assert_eq!(parse_note("bb3"), Some(58));
        assert_eq!(parse_note("f#5"), Some(78));
        assert_eq!(parse_note("e1"), Some(28));
        assert_eq!(parse_note("cb4"), Some(59));
        assert_eq!(parse_note("eb5"), Some(75));
        assert_eq!(parse_note("bb5"), Some(82));
        assert_eq!(parse_note("x4"), None);
        assert_eq!(parse_note("c"), None);
        let mask = |pcs: &[u8]| pcs.iter().fold(0u16, |m, p| m | 1 << p);
        assert_eq!(parse_chord("C7").unwrap().mask, mask(&[0, 4, 7, 10]));
        assert_eq!(parse_chord("F7").unwrap().mask, mask(&[0, 3, 5, 9]));
        assert_eq!(
            parse_chord("Bbmaj7").unwrap(),
            ChordSymbol { name: "Bbmaj7".into(), root: 10, mask: mask(&[10, 2, 5, 9]) }
        );
        assert_eq!(parse_chord("Em7b5").unwrap().mask, mask(&[4, 7, 10, 2]));
        assert_eq!(parse_chord("F#dim7").unwrap().root, 6);
        assert_eq!(parse_chord("Cm").unwrap().mask, mask(&[0, 3, 7]));
        assert!(parse_chord("H7").is_err());
        assert!(parse_chord("C7sus").is_err());
    }

    const SMALL: &str = "
        style: small
        title: A small form
        bars: 2
        chords: C7 | Dm7 G7   # two chords in bar 2
        melody 1-2:
          c4 - e4 - g4 - . . | d4 - . . b3 - f#3 -  # a sharp is not a comment
          . . e4 g4 bb4 - a4 - | f4 d4 - . . . . .
        comp 1:
          x - . . x - . .
        comp 2:
          . x - . . x - .
    ";

    #[test]
    fn a_style_reads_its_form_and_sections() {
        let s = parse_style(SMALL).unwrap();
        assert_eq!((s.id.as_str(), s.title.as_str(), s.bars), ("small", "A small form", 2));
        assert_eq!(s.chords[1].iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Dm7", "G7"]);
        assert_eq!(s.sections.len(), 3);
        let melody = &s.sections[0];
        assert_eq!((melody.part, melody.first_bar, melody.bars, melody.alternatives.len()), (Part::Melody, 0, 2, 2));
        assert_eq!(&melody.alternatives[0][..3], &[Slot::Note(60), Slot::Hold, Slot::Note(64)]);
        assert_eq!(melody.alternatives[0][14], Slot::Note(54));
        assert_eq!(s.sections[2].alternatives[0][1], Slot::Strike);
    }

    #[test]
    fn mistakes_name_their_line() {
        let bad = |from: &str, to: &str| parse_style(&SMALL.replace(from, to)).unwrap_err();
        assert_eq!(bad("c4 - e4 - g4", "c4 - e4 - q4").line, 7);
        assert!(bad("b3 - f#3 -", "b3 - f#3").message.contains("15 eighth notes"));
        assert!(bad("c4 - e4 - g4 - . . |", "c4 - e4 - g4 - . |").message.contains("not on a bar line"));
        assert!(bad(". . e4 g4", "- . e4 g4").message.contains("cannot start with '-'"));
        assert!(bad("x - . . x", "x - . . y").message.contains("comping"));
        assert!(bad("comp 2:", "comp 3:").message.contains("starts at bar 3"));
        assert!(bad("chords: C7 | Dm7 G7", "chords: C7 | Dm7 G7 | C7").message.contains("3 bars of chords"));
        assert!(bad("chords: C7 | Dm7 G7", "chords: C7 | Dm7 G7 C7").message.contains("1, 2 or 4 chords"));
        assert!(bad("melody 1-2:", "tuba 1-2:").message.contains("unknown voice"));
        assert!(bad("style: small", "style: Small!").message.contains("style id"));
    }

    const DRUMS: &str = "
        drums 1-2:
          ride:  X . x x x . x x | x . x x x . x x
          hat:   . . x . . . x . | . . x . . . x .
          kick:  g . g . g . g . | g . g . g . g X
          --
          ride:  x . x x x . x x | x . x . x . . .
          snare: . . . g . . . . | . . . . x x X .
          crash: X . . . . . . . | . . . . . . . .
    ";

    #[test]
    fn drums_read_as_rows_of_kit_pieces_with_levels() {
        let s = parse_style(&format!("{SMALL}{DRUMS}")).unwrap();
        let drums = s.sections.iter().find(|s| s.part == Part::Drums).expect("a drums section");
        assert_eq!((drums.first_bar, drums.bars, drums.alternatives.len()), (0, 2, 2));
        let Slot::Drums(first) = drums.alternatives[0][0] else { panic!("drums are strokes") };
        assert_eq!(first.struck().collect::<Vec<_>>(), [(Piece::Ride, ACCENT), (Piece::Kick, GHOST)]);
        let Slot::Drums(fill) = drums.alternatives[1][14] else { panic!() };
        assert_eq!((fill.level(Piece::Snare), fill.level(Piece::Ride)), (ACCENT, SILENT));
        let Slot::Drums(top) = drums.alternatives[1][0] else { panic!() };
        assert_eq!(top.level(Piece::Crash), ACCENT);
    }

    #[test]
    fn drum_mistakes_name_their_line() {
        let bad = |from: &str, to: &str| parse_style(&format!("{SMALL}{}", DRUMS.replace(from, to))).unwrap_err();
        assert!(bad("hat:   . . x", "cowbell:   . . x").message.contains("'cowbell' is not a kit piece"));
        assert!(bad("hat:   . . x", ". . x").message.contains("starts with its piece"));
        assert!(bad("hat:   . . x . . . x . | . . x", "hat:   . . x . . . x . | . . y")
            .message
            .contains("drum stroke"));
        assert!(bad("kick:  g . g . g . g . |", "kick:  g . g . g . g |").message.contains("bar line"));
        let twice = bad("          --\n", "");
        assert!(twice.message.contains("ride twice"), "{twice}");
        assert_eq!(twice.line, 18, "the second ride row");
        assert!(bad("          --\n", "          --\n          --\n").message.contains("empty drums alternative"));
    }
}
