//! Lead-sheet import: the chord symbols of a MusicXML file (`.musicxml`/`.xml`, or a compressed
//! `.mxl`) as a `Chart`, each chord on the beat its position in the bar puts it, repeats and
//! endings played out. The melody is not read: the band improvises its own lines over the
//! changes. Runs where a file is loaded (CLI, editor file dialog), never on the audio thread.
//! The chord symbols are read in `harmony`, repeats are played out in `repeats`, the zip of an
//! .mxl is opened in `mxl`.

mod harmony;
mod mxl;
mod repeats;

use std::borrow::Cow;

use roxmltree::Node;

use super::chart::{Chart, ChartChord, BEATS_PER_BAR};
use harmony::harmony_chord;
use mxl::{decode_text, root_file_of_mxl};
use repeats::playing_order;

/// The chord symbols (`<harmony>`) of the first part that has any, as a chart. Refused, with a
/// message saying why: no chord symbols, a time signature other than 4/4 (or its cut-time twin
/// 2/2), a chord kind the band does not play, more than `MAX_BARS` bars with repeats played out.
pub fn chart_from_musicxml(bytes: &[u8]) -> Result<Chart, String> {
    // A compressed .mxl is a zip, whatever its file name says.
    let xml = if bytes.starts_with(b"PK") { Cow::Owned(root_file_of_mxl(bytes)?) } else { Cow::Borrowed(bytes) };
    let text = decode_text(&xml)?;
    // MusicXML files carry a DOCTYPE; it is never fetched, only allowed.
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(&text, options)
        .map_err(|e| format!("the file is not readable as MusicXML: {e}"))?;
    let score = doc.root_element();
    match score.tag_name().name() {
        "score-partwise" => {}
        "score-timewise" => return Err("a timewise MusicXML score is not read; export it partwise".into()),
        other => return Err(format!("not a MusicXML score: the document is <{other}>")),
    }
    let part = children(score, "part")
        .find(|part| part.descendants().any(|n| n.tag_name().name() == "harmony"))
        .ok_or("no chord symbols in this file: the chords of a lead sheet are read from its chord symbols")?;
    let measures = read_measures(part)?;
    let order = playing_order(&measures)?;
    bars_as_played(&measures, &order)
}

/// One written measure of the part, as far as the chart needs it.
#[derive(Clone, Debug, Default)]
struct Measure {
    /// The chords written in it: (beat 0..4, chord), in document order.
    changes: Vec<(usize, ChartChord)>,
    /// An upbeat before the first full bar (`implicit="yes"` on the first measure): its chord
    /// carries into bar 1, the bar itself is not in the chart.
    pickup: bool,
    /// A `|:` at its start.
    repeat_start: bool,
    /// A `:|` at its end.
    repeat_end: bool,
    /// How many times the section is played in all, where written (`times`); else twice, or
    /// as many times as its volta brackets say.
    repeat_times: Option<u32>,
    /// The volta bracket it lies under: an id per bracket and the passes it is played on.
    ending: Option<(usize, Vec<u32>)>,
    /// The bracket it lies under ends with it.
    ending_closes: bool,
}

fn read_measures(part: Node) -> Result<Vec<Measure>, String> {
    let mut measures = Vec::new();
    // Divisions of a quarter note: set in <attributes>, kept until changed.
    let mut divisions: Option<f64> = None;
    let mut open_ending: Option<(usize, Vec<u32>)> = None;
    let mut brackets = 0;
    for (index, written) in children(part, "measure").enumerate() {
        let number = written.attribute("number").unwrap_or("?");
        let at_measure = |why: String| format!("measure {number}: {why}");
        let mut measure =
            Measure { pickup: index == 0 && written.attribute("implicit") == Some("yes"), ..Default::default() };
        // Where in the bar the next note starts, in divisions.
        let mut position = 0.0;
        for element in written.children().filter(Node::is_element) {
            match element.tag_name().name() {
                "attributes" => {
                    if let Some(text) = child_text(element, "divisions") {
                        divisions = Some(
                            positive_number(text)
                                .ok_or_else(|| at_measure(format!("divisions \"{text}\" is not a number above 0")))?,
                        );
                    }
                    for time in children(element, "time") {
                        check_time(time).map_err(at_measure)?;
                    }
                }
                // A chord tone sounds with the note before it; a grace note takes no time.
                "note" if child(element, "chord").is_none() => position += duration(element),
                "forward" => position += duration(element),
                "backup" => position -= duration(element),
                "harmony" => {
                    let offset = child_text(element, "offset").and_then(|t| t.parse::<f64>().ok()).unwrap_or(0.0);
                    let at = position + offset;
                    let beat = match divisions {
                        _ if at <= 0.0 => 0,
                        Some(per_quarter) => ((at / per_quarter).floor() as usize).min(BEATS_PER_BAR - 1),
                        None => {
                            return Err(at_measure(
                                "a chord placed after notes, with no <divisions> to say how long they are".into(),
                            ))
                        }
                    };
                    measure.changes.push((beat, harmony_chord(element).map_err(at_measure)?));
                }
                "barline" => {
                    if let Some(repeat) = child(element, "repeat") {
                        match repeat.attribute("direction") {
                            Some("forward") => measure.repeat_start = true,
                            Some("backward") => {
                                measure.repeat_end = true;
                                measure.repeat_times = repeat.attribute("times").and_then(|t| t.trim().parse().ok());
                            }
                            _ => {}
                        }
                    }
                    if let Some(ending) = child(element, "ending") {
                        match ending.attribute("type") {
                            Some("start") => {
                                brackets += 1;
                                let mut numbers = ending_numbers(ending.attribute("number").unwrap_or(""));
                                if numbers.is_empty() {
                                    // No number written: the bracket after another is the next time through.
                                    let before = measures.last().and_then(|m: &Measure| m.ending.as_ref());
                                    let last = before.and_then(|(_, numbers)| numbers.iter().max());
                                    numbers.push(last.map_or(1, |n| n + 1));
                                }
                                open_ending = Some((brackets, numbers));
                            }
                            Some("stop" | "discontinue") => measure.ending_closes = open_ending.is_some(),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        // A bracket opens at a measure's left bar line and closes at a right one.
        measure.ending = open_ending.clone();
        if measure.ending_closes {
            open_ending = None;
        }
        measures.push(measure);
    }
    Ok(measures)
}

/// A `<duration>` (or nothing: a grace note) in divisions.
fn duration(element: Node) -> f64 {
    child_text(element, "duration").and_then(|t| t.parse::<f64>().ok()).filter(|d| d.is_finite()).unwrap_or(0.0)
}

fn positive_number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|n| n.is_finite() && *n > 0.0)
}

/// The passes a volta bracket is played on: "1", "2", "1, 2", "1.2." and the like.
fn ending_numbers(number: &str) -> Vec<u32> {
    number.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect()
}

/// A chart is four quarter-note beats a bar: 4/4, or 2/2, which is the same bar in cut time.
fn check_time(time: Node) -> Result<(), String> {
    if child(time, "senza-misura").is_some() {
        return Err("music without a time signature is not played; charts are in 4/4".into());
    }
    match (child_text(time, "beats"), child_text(time, "beat-type")) {
        (Some("4"), Some("4")) | (Some("2"), Some("2")) => Ok(()),
        (Some("3"), Some("4")) => Err("3/4 time: waltzes are not played yet, charts are in 4/4".into()),
        (beats, beat_type) => {
            Err(format!("{}/{} time: charts are in 4/4 only", beats.unwrap_or("?"), beat_type.unwrap_or("?")))
        }
    }
}

/// The chart the measures make when played in `order`: each bar's beats take the chord last
/// written, carried over from bar to bar; beats before the first chord take the first chord.
fn bars_as_played(measures: &[Measure], order: &[usize]) -> Result<Chart, String> {
    let mut sounding: Option<ChartChord> = None;
    let mut bars: Vec<[Option<ChartChord>; BEATS_PER_BAR]> = Vec::new();
    for &index in order {
        let measure = &measures[index];
        let mut beats = [None; BEATS_PER_BAR];
        for (beat, slot) in beats.iter_mut().enumerate() {
            // Two chords on one beat: the later written wins.
            if let Some(&(_, chord)) = measure.changes.iter().rev().find(|(at, _)| *at == beat) {
                sounding = Some(chord);
            }
            *slot = sounding;
        }
        if !measure.pickup {
            bars.push(beats);
        }
    }
    let first = bars.iter().flatten().flatten().next().copied().ok_or("no chord symbols in the bars of this file")?;
    Ok(Chart { bars: bars.into_iter().map(|beats| beats.map(|beat| beat.unwrap_or(first))).collect() })
}

fn children<'a, 'input>(node: Node<'a, 'input>, name: &'static str) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(move |c| c.tag_name().name() == name)
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &'static str) -> Option<Node<'a, 'input>> {
    children(node, name).next()
}

/// The trimmed text of a child element.
fn child_text<'a>(node: Node<'a, '_>, name: &'static str) -> Option<&'a str> {
    child(node, name).and_then(|c| c.text()).map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::chart;
    use crate::music::encoding::MAX_BARS;
    use std::io::{Cursor, Write};

    /// A score as notation programs export it: declaration, DOCTYPE, part list, then the parts.
    fn score(parts: &[&str]) -> String {
        let list: String = (1..=parts.len())
            .map(|i| format!("<score-part id=\"P{i}\"><part-name>Part {i}</part-name></score-part>"))
            .collect();
        let parts: String = parts
            .iter()
            .enumerate()
            .map(|(i, measures)| format!("<part id=\"P{}\">{measures}</part>", i + 1))
            .collect();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">
<score-partwise version="4.0">
  <work><work-title>Test Tune</work-title></work>
  <part-list>{list}</part-list>
  {parts}
</score-partwise>"#
        )
    }

    /// The first measure's attributes: two divisions a quarter note, F major, `beats`/`beat_type`.
    fn attributes(beats: u32, beat_type: u32) -> String {
        format!(
            "<attributes><divisions>2</divisions><key><fifths>-1</fifths></key>\
             <time><beats>{beats}</beats><beat-type>{beat_type}</beat-type></time>\
             <clef><sign>G</sign><line>2</line></clef></attributes>"
        )
    }

    /// A note of `duration` divisions (2 = a quarter with `attributes`).
    fn note(duration: u32) -> String {
        format!(
            "<note><pitch><step>A</step><octave>4</octave></pitch><duration>{duration}</duration>\
             <voice>1</voice><type>quarter</type></note>"
        )
    }

    fn harmony(step: &str, alter: i32, kind: &str) -> String {
        harmony_with(step, alter, kind, "")
    }

    /// A chord symbol with more inside it (degrees, a bass, an offset) after its kind.
    pub(super) fn harmony_with(step: &str, alter: i32, kind: &str, more: &str) -> String {
        let alter = if alter == 0 { String::new() } else { format!("<root-alter>{alter}</root-alter>") };
        format!(
            "<harmony print-frame=\"no\"><root><root-step>{step}</root-step>{alter}</root>\
             <kind>{kind}</kind>{more}</harmony>"
        )
    }

    pub(super) fn degree(value: u32, alter: i32, kind: &str) -> String {
        format!(
            "<degree><degree-value>{value}</degree-value><degree-alter>{alter}</degree-alter>\
             <degree-type>{kind}</degree-type></degree>"
        )
    }

    fn measure(number: &str, body: &str) -> String {
        format!("<measure number=\"{number}\" width=\"200\">{body}</measure>")
    }

    /// A 4/4 part of whole-bar chords, one measure each (`None`: a bar with no chord symbol).
    fn bars_of(chords: &[Option<&str>]) -> String {
        (1..)
            .zip(chords)
            .map(|(n, chord)| {
                let first = if n == 1 { attributes(4, 4) } else { String::new() };
                let harmony = chord.map(|step| harmony(step, 0, "dominant")).unwrap_or_default();
                measure(&n.to_string(), &format!("{first}{harmony}{}", note(8)))
            })
            .collect()
    }

    fn import(xml: &str) -> Result<Chart, String> {
        chart_from_musicxml(xml.as_bytes())
    }

    fn chart_of(text: &str) -> Chart {
        chart::parse(text).unwrap()
    }

    /// An F blues as a notation program writes it: |: bars 1–10, a first ending (11–12) that
    /// goes back, a second ending (13–14) to finish; bar 4 has no chord symbol, bars 11–14 two.
    fn blues_in_f() -> String {
        let two = |a: String, b: String| format!("{a}{}{b}{}", note(4), note(4));
        let measures = [
            measure(
                "1",
                &format!(
                    "<barline location=\"left\"><bar-style>heavy-light</bar-style>\
                     <repeat direction=\"forward\"/></barline>\
                     {}{}{}",
                    attributes(4, 4),
                    harmony("F", 0, "dominant"),
                    note(8)
                ),
            ),
            measure("2", &format!("{}{}", harmony("B", -1, "dominant"), note(8))),
            measure("3", &format!("{}{}", harmony("F", 0, "dominant"), note(8))),
            measure("4", &note(8)),
            measure("5", &format!("{}{}", harmony("B", -1, "dominant"), note(8))),
            measure("6", &format!("{}{}", harmony("B", 0, "diminished-seventh"), note(8))),
            measure("7", &format!("{}{}", harmony("F", 0, "dominant"), note(8))),
            measure("8", &format!("{}{}", harmony_with("D", 0, "dominant", &degree(9, 1, "add")), note(8))),
            measure("9", &format!("{}{}", harmony("G", 0, "minor-seventh"), note(8))),
            measure("10", &format!("{}{}", harmony("C", 0, "dominant"), note(8))),
            measure(
                "11",
                &format!(
                    "<barline location=\"left\"><ending number=\"1\" type=\"start\">1.</ending></barline>{}",
                    two(harmony("F", 0, "dominant"), harmony("D", 0, "dominant"))
                ),
            ),
            measure(
                "12",
                &format!(
                    "{}<barline location=\"right\"><bar-style>light-heavy</bar-style>\
                     <ending number=\"1\" type=\"stop\"/><repeat direction=\"backward\"/></barline>",
                    two(harmony("G", 0, "minor-seventh"), harmony("C", 0, "dominant"))
                ),
            ),
            measure(
                "13",
                &format!(
                    "<barline location=\"left\"><ending number=\"2\" type=\"start\">2.</ending></barline>{}",
                    two(harmony("G", 0, "minor-seventh"), harmony("C", 0, "dominant"))
                ),
            ),
            measure(
                "14",
                &format!(
                    "{}{}<barline location=\"right\"><bar-style>light-heavy</bar-style>\
                     <ending number=\"2\" type=\"discontinue\"/></barline>",
                    harmony("F", 0, "major-sixth"),
                    note(8)
                ),
            ),
        ];
        score(&[&measures.concat()])
    }

    #[test]
    fn a_blues_with_a_repeat_and_two_endings_is_played_out() {
        let first_time = "| F7 | Bb7 | F7 | F7 | Bb7 | Bdim7 | F7 | D7#9 | Gm7 | C7 | F7 D7 | Gm7 C7 |";
        let second_time = "| F7 | Bb7 | F7 | F7 | Bb7 | Bdim7 | F7 | D7#9 | Gm7 | C7 | Gm7 C7 | F6 |";
        assert_eq!(import(&blues_in_f()), Ok(chart_of(&format!("{first_time}\n{second_time}"))));
    }

    #[test]
    fn endings_written_without_numbers_count_up() {
        let unnumbered = blues_in_f().replace("number=\"1\"", "number=\"\"").replace("number=\"2\"", "number=\"\"");
        assert!(unnumbered.contains("<ending number=\"\" type=\"start\">2.</ending>"));
        assert_eq!(import(&unnumbered), import(&blues_in_f()));
    }

    #[test]
    fn chords_sit_on_the_beat_their_notes_backups_forwards_and_offsets_put_them() {
        // Four divisions a quarter. C7 at the start; a chord tone and a grace note take no
        // time, so F7 is on beat 2; voice 2 backs up and moves forward to beat 3 (G7); an
        // offset of a quarter after beat 3 is beat 4 (A7).
        let body = format!(
            "<attributes><divisions>4</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>\
             {c7}<note><pitch><step>C</step><octave>4</octave></pitch><duration>4</duration><voice>1</voice></note>\
             <note><chord/><pitch><step>E</step><octave>4</octave></pitch><duration>4</duration><voice>1</voice></note>\
             <note><grace/><pitch><step>G</step><octave>4</octave></pitch><voice>1</voice></note>\
             {f7}<note><pitch><step>F</step><octave>4</octave></pitch><duration>12</duration><voice>1</voice></note>\
             <backup><duration>16</duration></backup>\
             <forward><duration>8</duration></forward>{g7}\
             <note><pitch><step>G</step><octave>3</octave></pitch><duration>8</duration><voice>2</voice></note>\
             <backup><duration>8</duration></backup>{a7}",
            c7 = harmony("C", 0, "dominant"),
            f7 = harmony("F", 0, "dominant"),
            g7 = harmony("G", 0, "dominant"),
            a7 = harmony_with("A", 0, "dominant", "<offset>12</offset>"),
        );
        assert_eq!(import(&score(&[&measure("1", &body)])), Ok(chart_of("| C7 F7 G7 A7 |")));
    }

    #[test]
    fn a_bar_without_a_chord_holds_the_last_one_and_the_first_chord_fills_in_before_it() {
        // The first chord comes on beat 3 of bar 1: the beats before it take it too.
        let bar1 = format!("{}{}{}{}", attributes(4, 4), note(4), harmony("E", -1, "major-seventh"), note(4));
        let xml = score(&[&format!("{}{}{}", measure("1", &bar1), measure("2", &note(8)), measure("3", &note(8)))]);
        assert_eq!(import(&xml), Ok(chart_of("| Ebmaj7 | % | % |")));
    }

    #[test]
    fn a_pickup_bar_is_left_out_but_its_chord_carries_into_bar_one() {
        let pickup = format!("{}{}{}", attributes(4, 4), harmony("C", 0, "dominant"), note(2));
        let measures = format!(
            "<measure number=\"0\" implicit=\"yes\">{pickup}</measure>{}{}",
            measure("1", &note(8)),
            measure("2", &format!("{}{}", harmony("F", 0, "dominant"), note(8)))
        );
        assert_eq!(import(&score(&[&measures])), Ok(chart_of("| C7 | F7 |")));
    }

    #[test]
    fn a_waltz_and_other_meters_are_refused_saying_so() {
        let err =
            import(&score(&[&bars_of(&[Some("C")]).replace("<beats>4</beats>", "<beats>3</beats>")])).unwrap_err();
        assert!(err.contains("waltzes are not played yet") && err.contains("measure 1"), "{err}");
        let err =
            import(&score(&[&bars_of(&[Some("C")]).replace("<beats>4</beats>", "<beats>5</beats>")])).unwrap_err();
        assert!(err.contains("5/4") && err.contains("4/4 only"), "{err}");
        // A change of meter later on is refused at its measure.
        let waltz_later = "<attributes><time><beats>3</beats><beat-type>4</beat-type></time></attributes>";
        let measures = bars_of(&[Some("C"), Some("F")]) + &measure("3", &format!("{waltz_later}{}", note(6)));
        let err = import(&score(&[&measures])).unwrap_err();
        assert!(err.contains("measure 3") && err.contains("waltz"), "{err}");
        // Cut time is the same four quarters a bar.
        let cut = bars_of(&[Some("C")])
            .replace("<beats>4</beats><beat-type>4</beat-type>", "<beats>2</beats><beat-type>2</beat-type>");
        assert_eq!(import(&score(&[&cut])), Ok(chart_of("| C7 |")));
    }

    #[test]
    fn a_file_without_chord_symbols_is_refused_saying_so() {
        let melody_only: String = (1..=4).map(|n| measure(&n.to_string(), &note(8))).collect();
        let err = import(&score(&[&melody_only])).unwrap_err();
        assert!(err.contains("no chord symbols"), "{err}");
    }

    #[test]
    fn chords_come_from_the_first_part_that_has_any() {
        let piano: String = (1..=2).map(|n| measure(&n.to_string(), &note(8))).collect();
        let xml = score(&[&piano, &bars_of(&[Some("B"), Some("E")]), &bars_of(&[Some("C"), Some("D")])]);
        assert_eq!(import(&xml), Ok(chart_of("| B7 | E7 |")));
    }

    #[test]
    fn chords_the_band_cannot_play_are_refused_naming_the_measure() {
        let no_chord = measure("2", &format!("{}{}", harmony("C", 0, "none"), note(8)));
        let err = import(&score(&[&(bars_of(&[Some("C")]) + &no_chord)])).unwrap_err();
        assert!(err.contains("measure 2") && err.contains("N.C."), "{err}");
        let neapolitan = measure("2", &format!("{}{}", harmony("D", -1, "Neapolitan"), note(8)));
        let err = import(&score(&[&(bars_of(&[Some("C")]) + &neapolitan)])).unwrap_err();
        assert!(err.contains("measure 2") && err.contains("\"Neapolitan\""), "{err}");
    }

    #[test]
    fn more_than_sixty_four_bars_with_repeats_played_out_is_refused() {
        let bars = |n: usize| vec![Some("C"); n];
        assert_eq!(import(&score(&[&bars_of(&bars(MAX_BARS))])).map(|c| c.len()), Ok(MAX_BARS));
        let err = import(&score(&[&bars_of(&bars(MAX_BARS + 1))])).unwrap_err();
        assert!(err.contains("more than 64 bars"), "{err}");
        // n bars and a :| at the end (back to the start, no |: written) are 2n played.
        let repeated = |n: usize| {
            let mut measures = bars_of(&bars(n));
            let last_end = measures.rfind("</measure>").unwrap();
            measures.insert_str(last_end, "<barline location=\"right\"><repeat direction=\"backward\"/></barline>");
            import(&score(&[&measures]))
        };
        assert_eq!(repeated(32).map(|c| c.len()), Ok(64));
        let err = repeated(33).unwrap_err();
        assert!(err.contains("more than 64 bars"), "{err}");
    }

    #[test]
    fn a_section_played_three_times_takes_the_ending_for_each_pass() {
        // |: C7 | [1, 2. F7 :| (times 3) | [3. G7 | A7 |: played C7 F7 C7 F7 C7 G7 A7.
        let measures = format!(
            "{}{}{}{}",
            measure(
                "1",
                &format!(
                    "{}<barline location=\"left\"><repeat direction=\"forward\"/></barline>{}{}",
                    attributes(4, 4),
                    harmony("C", 0, "dominant"),
                    note(8)
                )
            ),
            measure(
                "2",
                &format!(
                    "<barline location=\"left\"><ending number=\"1, 2\" type=\"start\">1.-2.</ending></barline>{}{}\
                     <barline location=\"right\"><ending number=\"1, 2\" type=\"stop\"/>\
                     <repeat direction=\"backward\" times=\"3\"/></barline>",
                    harmony("F", 0, "dominant"),
                    note(8)
                )
            ),
            measure(
                "3",
                &format!(
                    "<barline location=\"left\"><ending number=\"3\" type=\"start\">3.</ending></barline>{}{}\
                     <barline location=\"right\"><ending number=\"3\" type=\"stop\"/></barline>",
                    harmony("G", 0, "dominant"),
                    note(8)
                )
            ),
            measure("4", &format!("{}{}", harmony("A", 0, "dominant"), note(8))),
        );
        assert_eq!(import(&score(&[&measures])), Ok(chart_of("| C7 | F7 | C7 | F7 | C7 | G7 | A7 |")));
    }

    #[test]
    fn a_compressed_mxl_is_read_through_its_container() {
        // Detected by its zip magic, not its name; the container is opened in `mxl`.
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.recordare.musicxml").unwrap();
        zip.start_file("META-INF/container.xml", deflated).unwrap();
        zip.write_all(
            br#"<?xml version="1.0" encoding="UTF-8"?>
<container><rootfiles>
  <rootfile full-path="score/blues.musicxml" media-type="application/vnd.recordare.musicxml+xml"/>
</rootfiles></container>"#,
        )
        .unwrap();
        zip.start_file("score/blues.musicxml", deflated).unwrap();
        zip.write_all(blues_in_f().as_bytes()).unwrap();
        let mxl = zip.finish().unwrap().into_inner();
        assert_eq!(chart_from_musicxml(&mxl), import(&blues_in_f()));
        assert_eq!(chart_from_musicxml(&mxl).map(|c| c.len()), Ok(24));
    }

    #[test]
    fn broken_files_are_refused_saying_what_they_are_not() {
        let err = chart_from_musicxml(b"PK\x03\x04 not really a zip").unwrap_err();
        assert!(err.contains(".mxl"), "{err}");
        assert!(import("<score-partwise><part").unwrap_err().contains("not readable"));
        assert!(import("<html><body/></html>").unwrap_err().contains("<html>"));
        assert!(import("<score-timewise/>").unwrap_err().contains("partwise"));
    }

    #[test]
    fn utf16_files_with_a_byte_order_mark_are_read() {
        let xml = blues_in_f().replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
        let bytes: Vec<u8> = [0xFF, 0xFE].into_iter().chain(xml.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(chart_from_musicxml(&bytes), import(&blues_in_f()));
    }
}
