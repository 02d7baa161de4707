//! Chord symbols as jazz charts spell them ("Bb7", "Ebm7b5", "FΔ", "C-7", "C7/E"): one
//! spelling after another, mapped to the chart's `Quality`. Any thread; it allocates.

use super::{ChartChord, Quality};

/// Reads one chord symbol: a root A–G with an optional `b`/`#` (or `♭`/`♯`), a quality as
/// players write it (`maj7`, `M7`, `Δ`, `-7`, `ø`, `7alt`, …) and an optional `/bass`.
pub fn parse_chord(symbol: &str) -> Result<ChartChord, String> {
    chord_or_why(symbol.trim()).map_err(|why| format!("chord \"{}\": {why}", symbol.trim()))
}

/// `parse_chord` without the symbol in the message, for callers that name it themselves.
pub(super) fn chord_or_why(symbol: &str) -> Result<ChartChord, String> {
    let (root, rest) = split_note(symbol).ok_or("a chord starts with its root, a note name A to G (with b or #)")?;
    let (suffix, bass) = match rest.rfind('/') {
        // "6/9" is a quality, not a bass: a bass is a note name.
        Some(slash) if rest[slash + 1..].starts_with(|c: char| c.is_ascii_alphabetic()) => {
            let written = &rest[slash + 1..];
            match split_note(written) {
                Some((bass, "")) => (&rest[..slash], Some(bass)),
                _ => return Err(format!("the bass \"/{written}\" is not a note name")),
            }
        }
        _ => (rest, None),
    };
    let quality = canonical_suffix(suffix)
        .and_then(|canonical| quality_of(&canonical))
        .ok_or_else(|| format!("\"{suffix}\" is not a chord quality the band knows"))?;
    Ok(ChartChord { bass, ..ChartChord::new(root, quality) })
}

/// A note name at the start of `s` (a letter and at most one accidental) as a pitch class,
/// and what follows it. Roots may be lower case; no suffix starts with `b`, so "Bb7" is B flat.
fn split_note(s: &str) -> Option<(u8, &str)> {
    let mut chars = s.chars();
    let natural: i32 = match chars.next()?.to_ascii_uppercase() {
        'C' => 0,
        'D' => 2,
        'E' => 4,
        'F' => 5,
        'G' => 7,
        'A' => 9,
        'B' => 11,
        _ => return None,
    };
    let after_letter = chars.as_str();
    let (alter, rest) = match chars.next() {
        Some('b' | '♭') => (-1, chars.as_str()),
        Some('#' | '♯') => (1, chars.as_str()),
        _ => (0, after_letter),
    };
    Some(((natural + alter).rem_euclid(12) as u8, rest))
}

/// Words whose case does not matter ("Maj7", "MIN7", "Dim"), longest first, with the spelling
/// `quality_of` knows them by.
const WORDS: [(&str, &str); 8] = [
    ("maj", "maj"),
    ("min", "m"),
    ("dim", "dim"),
    ("aug", "aug"),
    ("sus", "sus"),
    ("alt", "alt"),
    ("ma", "maj"),
    ("mi", "m"),
];

/// One spelling per quality word: words lower-cased, signs (`-`, `Δ`, `ø`, `°`, `+`) spelt
/// out, parentheses dropped ("m(maj7)" → "mmaj7"). Only a lone `M` against `m` keeps its case,
/// because there players mean it. `None` for a character no chord symbol uses.
fn canonical_suffix(suffix: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = suffix;
    while let Some(c) = rest.chars().next() {
        let word =
            WORDS.iter().find(|(word, _)| rest.get(..word.len()).is_some_and(|head| head.eq_ignore_ascii_case(word)));
        if let Some((word, canonical)) = word {
            out.push_str(canonical);
            rest = &rest[word.len()..];
            continue;
        }
        rest = &rest[c.len_utf8()..];
        let next_is_digit = rest.starts_with(|n: char| n.is_ascii_digit());
        match c {
            // "7-9" and "m7-5" are Japanese-style flats; elsewhere "-" is minor ("-7", "-Δ").
            '-' if out.ends_with(|p: char| p.is_ascii_digit()) && next_is_digit => out.push('b'),
            'm' | '-' => out.push('m'),
            'M' => out.push_str("maj"),
            // Δ and ø are seventh chords already: "Δ7" and "ø7" say it twice.
            'Δ' | 'ø' | 'Ø' => {
                out.push_str(if c == 'Δ' { "maj7" } else { "m7b5" });
                rest = rest.strip_prefix('7').unwrap_or(rest);
            }
            'o' | 'O' | '°' | 'º' => out.push_str("dim"),
            // "+5", "7+5", "7+9" alter a degree; a lone "+" (or "+7") is augmented.
            '+' if next_is_digit && !rest.starts_with('7') => out.push('#'),
            '+' => out.push_str("aug"),
            'b' | '♭' => out.push('b'),
            '#' | '♯' => out.push('#'),
            '0'..='9' | '/' => out.push(c),
            '(' | ')' => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The quality a canonical suffix names. A few spellings beyond the symbols `Quality::symbol`
/// writes map to the chord players treat them as: 7#5 and 7b13 are one chord to a jazz pianist,
/// and so are 7b5 and 7#11.
fn quality_of(canonical: &str) -> Option<Quality> {
    Some(match canonical {
        "" | "maj" => Quality::Major,
        "maj7" => Quality::Maj7,
        "6" | "maj6" => Quality::Six,
        "69" | "6/9" => Quality::SixNine,
        "m" => Quality::Minor,
        "m7" => Quality::Min7,
        "m6" => Quality::Min6,
        "m9" => Quality::Min9,
        "mmaj7" => Quality::MinMaj7,
        "7" => Quality::Dom7,
        "9" => Quality::Dom9,
        "13" => Quality::Dom13,
        "7b9" => Quality::Dom7Flat9,
        "7#9" => Quality::Dom7Sharp9,
        "7#11" | "7b5" => Quality::Dom7Sharp11,
        "7b13" | "7#5" | "7aug" | "aug7" => Quality::Dom7Flat13,
        "7alt" | "alt" => Quality::Alt,
        "sus4" | "sus" => Quality::Sus4,
        "7sus4" | "7sus" | "9sus4" | "9sus" => Quality::Dom7Sus4,
        "m7b5" => Quality::HalfDim,
        "dim" => Quality::Dim,
        "dim7" => Quality::Dim7,
        // "+5" reads as "#5"; "C#5" itself is C sharp, so only the sign spells it.
        "aug" | "#5" => Quality::Aug,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chord(root: u8, quality: Quality) -> ChartChord {
        ChartChord::new(root, quality)
    }

    #[test]
    fn every_spelling_names_its_quality() {
        use Quality::*;
        let spellings: &[(&str, Quality)] = &[
            ("C", Major),
            ("Cmaj", Major),
            ("CM", Major),
            ("Cmaj7", Maj7),
            ("CM7", Maj7),
            ("CΔ", Maj7),
            ("CΔ7", Maj7),
            ("Cma7", Maj7),
            ("CMaj7", Maj7),
            ("CMA7", Maj7),
            ("C6", Six),
            ("C69", SixNine),
            ("C6/9", SixNine),
            ("Cm", Minor),
            ("C-", Minor),
            ("Cmin", Minor),
            ("Cmi", Minor),
            ("Cm7", Min7),
            ("C-7", Min7),
            ("Cmin7", Min7),
            ("Cmi7", Min7),
            ("CMIN7", Min7),
            ("Cm6", Min6),
            ("C-6", Min6),
            ("Cm9", Min9),
            ("C-9", Min9),
            ("CmMaj7", MinMaj7),
            ("Cm(maj7)", MinMaj7),
            ("C-Δ", MinMaj7),
            ("CmM7", MinMaj7),
            ("C-maj7", MinMaj7),
            ("C7", Dom7),
            ("C9", Dom9),
            ("C13", Dom13),
            ("C7b9", Dom7Flat9),
            ("C7(b9)", Dom7Flat9),
            ("C7♭9", Dom7Flat9),
            ("C7-9", Dom7Flat9),
            ("C7#9", Dom7Sharp9),
            ("C7♯9", Dom7Sharp9),
            ("C7+9", Dom7Sharp9),
            ("C7#11", Dom7Sharp11),
            ("C7b5", Dom7Sharp11),
            ("C7b13", Dom7Flat13),
            ("C7#5", Dom7Flat13),
            ("C7+5", Dom7Flat13),
            ("C7+", Dom7Flat13),
            ("C+7", Dom7Flat13),
            ("Caug7", Dom7Flat13),
            ("C7alt", Alt),
            ("Calt", Alt),
            ("C7ALT", Alt),
            ("C7sus4", Dom7Sus4),
            ("C7sus", Dom7Sus4),
            ("C9sus4", Dom7Sus4),
            ("C9sus", Dom7Sus4),
            ("Csus4", Sus4),
            ("Csus", Sus4),
            ("Cm7b5", HalfDim),
            ("Cm7-5", HalfDim),
            ("Cø", HalfDim),
            ("Cø7", HalfDim),
            ("C-7b5", HalfDim),
            ("Cmin7b5", HalfDim),
            ("Cdim", Dim),
            ("Co", Dim),
            ("C°", Dim),
            ("Cdim7", Dim7),
            ("Co7", Dim7),
            ("C°7", Dim7),
            ("Caug", Aug),
            ("C+", Aug),
            ("C+5", Aug),
            ("Db+5", Aug),
        ];
        for &(symbol, quality) in spellings {
            let root = if symbol.starts_with("Db") { 1 } else { 0 };
            assert_eq!(parse_chord(symbol), Ok(chord(root, quality)), "{symbol}");
        }
        // Every quality is reachable by some spelling.
        for q in Quality::ALL {
            assert!(spellings.iter().any(|&(_, s)| s == q), "{q:?} has no spelling tested");
        }
    }

    #[test]
    fn roots_take_flats_and_sharps_ascii_or_unicode() {
        let roots = [("C", 0), ("C#", 1), ("Db", 1), ("D♭", 1), ("C♯", 1), ("Eb", 3), ("E", 4), ("Fb", 4)];
        let more = [("E#", 5), ("F#", 6), ("Gb", 6), ("G", 7), ("Ab", 8), ("A", 9), ("Bb", 10), ("B", 11), ("Cb", 11)];
        for (name, pc) in roots.into_iter().chain(more) {
            assert_eq!(parse_chord(&format!("{name}7")), Ok(chord(pc, Quality::Dom7)), "{name}7");
        }
        assert_eq!(parse_chord("Bbm7"), Ok(chord(10, Quality::Min7)), "b after B is a flat");
        assert_eq!(parse_chord("bbm7"), Ok(chord(10, Quality::Min7)), "a lower-case root is still a root");
        assert_eq!(parse_chord("  F7  "), Ok(chord(5, Quality::Dom7)), "spaces around are nothing");
    }

    #[test]
    fn case_matters_only_between_m_and_capital_m() {
        assert_eq!(parse_chord("CM7").unwrap().quality, Quality::Maj7);
        assert_eq!(parse_chord("Cm7").unwrap().quality, Quality::Min7);
        assert_eq!(parse_chord("CMAJ7").unwrap().quality, Quality::Maj7);
        assert_eq!(parse_chord("Cmaj7").unwrap().quality, Quality::Maj7);
        assert_eq!(parse_chord("CDIM7").unwrap().quality, Quality::Dim7);
        assert_eq!(parse_chord("CSus4").unwrap().quality, Quality::Sus4);
    }

    #[test]
    fn a_slash_and_a_note_is_the_bass_a_slash_and_nine_is_not() {
        let c_over_e = ChartChord { bass: Some(4), ..chord(0, Quality::Dom7) };
        assert_eq!(parse_chord("C7/E"), Ok(c_over_e));
        assert_eq!(parse_chord("Ebmaj7/Bb"), Ok(ChartChord { bass: Some(10), ..chord(3, Quality::Maj7) }));
        assert_eq!(parse_chord("F/A"), Ok(ChartChord { bass: Some(9), ..chord(5, Quality::Major) }));
        assert_eq!(parse_chord("C6/9/G"), Ok(ChartChord { bass: Some(7), ..chord(0, Quality::SixNine) }));
        assert_eq!(parse_chord("C6/9"), Ok(chord(0, Quality::SixNine)));
    }

    #[test]
    fn unknown_symbols_are_refused_naming_the_symbol_and_what_was_not_understood() {
        let cases = [
            ("Cadd9", "\"add9\""),
            ("Cmaj7#11", "\"maj7#11\""),
            ("C7b9#9", "\"7b9#9\""),
            ("H7", "root"),
            ("7", "root"),
            ("", "root"),
            ("C7/X", "\"/X\""),
            ("C7/Ebb", "\"/Ebb\""),
            ("Cx", "\"x\""),
            // C sharp, then a "5" no quality is: "+5" spells the augmented fifth.
            ("C#5", "\"5\""),
        ];
        for (symbol, what) in cases {
            let err = parse_chord(symbol).expect_err(symbol);
            assert!(err.contains(&format!("\"{symbol}\"")), "{err} names {symbol}");
            assert!(err.contains(what), "{err} says {what}");
        }
    }

    #[test]
    fn every_chord_name_reads_back_as_the_same_chord() {
        for root in 0..12 {
            for quality in Quality::ALL {
                for bass in [None, Some((root + 4) % 12), Some((root + 10) % 12)] {
                    let c = ChartChord { bass, ..chord(root, quality) };
                    assert_eq!(parse_chord(&c.name()), Ok(c), "{}", c.name());
                }
            }
        }
    }
}
