//! One MusicXML chord symbol (`<harmony>`: root, kind, degrees, bass) as a chart chord: the
//! kind the chart has, or the nearest chord a band plays for it.

use roxmltree::Node;

use super::{child, child_text, children};
use crate::music::chart::{ChartChord, Quality};

/// A `<degree>`: a chord tone added to, altered in or taken from the chord its kind names.
struct Degree {
    value: u32,
    /// Semitones; for an added degree relative to a dominant chord (so add 7 is the minor 7th).
    alter: i32,
    subtract: bool,
}

/// A `<harmony>` as a chart chord; an error says what the band cannot play, for the caller to
/// put the measure in front of.
pub(super) fn harmony_chord(harmony: Node) -> Result<ChartChord, String> {
    let Some(root) = child(harmony, "root") else {
        return Err(if child(harmony, "function").is_some() || child(harmony, "numeral").is_some() {
            "a chord written as a function or numeral, not a root: write it as a chord symbol".into()
        } else {
            "a chord symbol without a root".into()
        });
    };
    let root = note(child_text(root, "root-step"), child_text(root, "root-alter"))?;
    let kind = child(harmony, "kind").ok_or("a chord symbol without a kind")?;
    let degrees: Vec<Degree> = children(harmony, "degree")
        .filter_map(|degree| {
            Some(Degree {
                value: child_text(degree, "degree-value")?.parse().ok()?,
                alter: child_text(degree, "degree-alter").and_then(|t| t.parse::<f64>().ok()).unwrap_or(0.0).round()
                    as i32,
                subtract: child_text(degree, "degree-type") == Some("subtract"),
            })
        })
        .collect();
    let quality = quality_of_kind(kind.text().unwrap_or("").trim(), kind.attribute("text").unwrap_or(""), &degrees)?;
    let bass = match child(harmony, "bass") {
        Some(bass) => Some(note(child_text(bass, "bass-step"), child_text(bass, "bass-alter"))?),
        None => None,
    };
    Ok(ChartChord { bass, ..ChartChord::new(root, quality) })
}

/// A step (A–G) and an alter in semitones (may be written "-1.0") as a pitch class.
fn note(step: Option<&str>, alter: Option<&str>) -> Result<u8, String> {
    let natural: i32 = match step {
        Some("C") => 0,
        Some("D") => 2,
        Some("E") => 4,
        Some("F") => 5,
        Some("G") => 7,
        Some("A") => 9,
        Some("B") => 11,
        other => return Err(format!("the note step \"{}\" is not A to G", other.unwrap_or(""))),
    };
    let alter = alter.and_then(|t| t.parse::<f64>().ok()).filter(|a| a.is_finite()).unwrap_or(0.0);
    Ok((natural + alter.round() as i32).rem_euclid(12) as u8)
}

/// The chart quality for a MusicXML chord kind and its degrees: the named chord where the
/// chart has it, else the nearest one a band plays for it (a major ninth is a major seventh
/// whose ninth is a tension anyway; an eleventh chord is voiced as a 7sus4).
fn quality_of_kind(kind: &str, shown_as: &str, degrees: &[Degree]) -> Result<Quality, String> {
    use Quality::*;
    let named = match kind {
        "major" => Major,
        "minor" => Minor,
        "augmented" => Aug,
        "diminished" => Dim,
        "dominant" => Dom7,
        "major-seventh" => Maj7,
        "minor-seventh" => Min7,
        "diminished-seventh" => Dim7,
        // C7#5: players voice it as C7b13.
        "augmented-seventh" => Dom7Flat13,
        "half-diminished" => HalfDim,
        "major-minor" => MinMaj7,
        "major-sixth" => Six,
        "minor-sixth" => Min6,
        "dominant-ninth" => Dom9,
        "major-ninth" | "major-11th" | "major-13th" => Maj7,
        "minor-ninth" | "minor-11th" | "minor-13th" => Min9,
        "dominant-11th" => Dom7Sus4,
        "dominant-13th" => Dom13,
        // Both leave the third out; the chart has only the sus4 for that.
        "suspended-fourth" | "suspended-second" => Sus4,
        "none" => return Err("N.C. (no chord) is not played yet: write the chord the band should hold".into()),
        "" => return Err("a chord symbol with an empty kind".into()),
        other => return Err(format!("the chord kind \"{other}\" is not one the band plays")),
    };
    let added = |value: u32| degrees.iter().any(|d| !d.subtract && d.value == value);
    let with = |value: u32, alter: i32| degrees.iter().any(|d| !d.subtract && d.value == value && d.alter == alter);
    Ok(match named {
        Dom7 | Dom9 | Dom13 => {
            if shown_as.to_ascii_lowercase().contains("alt") {
                return Ok(Alt);
            }
            // b5 is #11 and #5 is b13 to a jazz player.
            let altered = [
                (with(9, -1), Dom7Flat9),
                (with(9, 1), Dom7Sharp9),
                (with(11, 1) || with(5, -1), Dom7Sharp11),
                (with(13, -1) || with(5, 1), Dom7Flat13),
            ];
            let mut found = altered.iter().filter(|(present, _)| *present).map(|&(_, quality)| quality);
            match (found.next(), found.next()) {
                (Some(_), Some(_)) => Alt,
                (Some(one), None) => one,
                _ if named == Dom7 && with(13, 0) => Dom13,
                _ if named == Dom7 && with(9, 0) => Dom9,
                _ => named,
            }
        }
        Sus4 if added(7) => Dom7Sus4,
        Six if with(9, 0) => SixNine,
        Min7 if with(9, 0) => Min9,
        Min7 if with(5, -1) => HalfDim,
        _ => named,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The lead sheets' own fixtures: a `<harmony>` as exporters write it, and its degrees.
    use super::super::tests::{degree, harmony_with as harmony};

    fn chord_of(xml: &str) -> Result<ChartChord, String> {
        harmony_chord(roxmltree::Document::parse(xml).unwrap().root_element())
    }

    #[test]
    fn kinds_map_to_the_chart_quality_players_mean() {
        use Quality::*;
        let kinds = [
            ("major", Major),
            ("minor", Minor),
            ("augmented", Aug),
            ("diminished", Dim),
            ("dominant", Dom7),
            ("major-seventh", Maj7),
            ("minor-seventh", Min7),
            ("diminished-seventh", Dim7),
            ("augmented-seventh", Dom7Flat13),
            ("half-diminished", HalfDim),
            ("major-minor", MinMaj7),
            ("major-sixth", Six),
            ("minor-sixth", Min6),
            ("dominant-ninth", Dom9),
            ("major-ninth", Maj7),
            ("minor-ninth", Min9),
            ("dominant-11th", Dom7Sus4),
            ("dominant-13th", Dom13),
            ("suspended-fourth", Sus4),
            ("suspended-second", Sus4),
        ];
        for (kind, quality) in kinds {
            assert_eq!(chord_of(&harmony("D", 0, kind, "")), Ok(ChartChord::new(2, quality)), "{kind}");
        }
    }

    #[test]
    fn kinds_with_no_chord_to_play_are_refused_naming_them() {
        assert!(chord_of(&harmony("C", 0, "none", "")).unwrap_err().contains("N.C."));
        assert!(chord_of(&harmony("C", 0, "other", "")).unwrap_err().contains("\"other\""));
        assert!(chord_of(&harmony("D", -1, "Neapolitan", "")).unwrap_err().contains("\"Neapolitan\""));
        assert!(chord_of(&harmony("H", 0, "major", "")).unwrap_err().contains("\"H\""));
        let numeral = "<harmony><numeral><numeral-root>5</numeral-root></numeral><kind>dominant</kind></harmony>";
        assert!(chord_of(numeral).unwrap_err().contains("numeral"));
    }

    #[test]
    fn degrees_alter_a_dominant_into_the_quality_that_fits() {
        use Quality::*;
        let cases = [
            ("dominant", degree(9, -1, "add"), Dom7Flat9),
            ("dominant", degree(9, 1, "add"), Dom7Sharp9),
            ("dominant", degree(11, 1, "add"), Dom7Sharp11),
            ("dominant", degree(5, -1, "alter"), Dom7Sharp11),
            ("dominant", degree(13, -1, "add"), Dom7Flat13),
            ("dominant", degree(5, 1, "alter"), Dom7Flat13),
            ("dominant-ninth", degree(9, -1, "alter"), Dom7Flat9),
            ("dominant-13th", degree(11, 1, "add"), Dom7Sharp11),
            ("dominant", degree(9, -1, "add") + &degree(9, 1, "add"), Alt),
            ("dominant", degree(9, -1, "add") + &degree(13, -1, "add"), Alt),
            ("dominant", degree(9, 0, "add"), Dom9),
            ("dominant", degree(13, 0, "add"), Dom13),
            ("dominant", degree(5, 0, "subtract"), Dom7),
            ("suspended-fourth", degree(7, 0, "add"), Dom7Sus4),
            ("major-sixth", degree(9, 0, "add"), SixNine),
            ("minor-seventh", degree(9, 0, "add"), Min9),
            ("minor-seventh", degree(5, -1, "alter"), HalfDim),
            ("major-seventh", degree(9, 0, "add"), Maj7),
        ];
        for (kind, degrees, quality) in cases {
            assert_eq!(chord_of(&harmony("G", 0, kind, &degrees)).map(|c| c.quality), Ok(quality), "{kind} {degrees}");
        }
        // "7alt" shown as the kind's text, with no degrees written.
        let alt = "<harmony><root><root-step>G</root-step></root><kind text=\"7alt\">dominant</kind></harmony>";
        assert_eq!(chord_of(alt).map(|c| c.quality), Ok(Alt));
    }

    #[test]
    fn roots_and_basses_take_their_alterations() {
        let bb7_over_d = harmony("B", -1, "dominant", "<bass><bass-step>D</bass-step></bass>");
        assert_eq!(chord_of(&bb7_over_d).map(|c| c.name()), Ok("Bb7/D".to_owned()));
        let over_a_flat = "<bass><bass-step>A</bass-step><bass-alter>-1.0</bass-alter></bass>";
        assert_eq!(
            chord_of(&harmony("F", 1, "minor-seventh", over_a_flat)).map(|c| c.name()),
            Ok("Gbm7/Ab".to_owned())
        );
        assert_eq!(chord_of(&harmony("C", -1, "major", "")).map(|c| c.root), Ok(11), "C flat is B");
    }
}
