//! What a musician checks in the built-in styles (`src/music/styles/*.txt`, written in the notation
//! of `music::notation`): that the lines fit the chords where the ear hears it, that they breathe
//! and swing like a player's, that the bass walks and the piano comps, and that a chorus picked
//! at random from the alternatives still sounds right. Tests only: nothing here is used at run
//! time. The styles come from the registry: every band style the plugin has (a style with a bass
//! line), its key read from its title.
//!
//! Every check is a function that returns the problems it found, each naming the style, the
//! section, the alternative and the bar and beat, so that one failing test lists all that is
//! wrong at once; `the_checks_can_fail` breaks the data on purpose to show each check bites.

use blues_lstm::music::notation::{parse_style, ChordSymbol, Section, Slot, StyleText, SLOTS_PER_BAR};
use blues_lstm::music::part::Part;
use blues_lstm::music::style::{builtin_style, style_files};
use std::collections::HashSet;
use std::path::Path;

// ---------------------------------------------------------------------------------------
// Reading a style: chords, notes, phrases, and where things are.

struct Style {
    file: String,
    key: u8,
    text: StyleText,
}

/// A band style by its registry entry: its text read, its key from its title. With `STYLE_DIR`
/// set, a file of the same name there is read instead: a draft is checked without a rebuild.
fn style((id, text): &(&'static str, &'static str)) -> Style {
    let file = format!("{}.txt", id.replace('-', "_"));
    let draft = std::env::var_os("STYLE_DIR").and_then(|dir| std::fs::read_to_string(Path::new(&dir).join(&file)).ok());
    let parsed = parse_style(draft.as_deref().unwrap_or(text)).unwrap_or_else(|e| panic!("{id}: {e}"));
    let key = builtin_style(id).and_then(|s| s.key()).unwrap_or_else(|| panic!("{id}: no key in its title"));
    Style { file, key, text: parsed }
}

/// The band styles (those with a bass line: the paper's corpus is not one).
fn band_files() -> Vec<(&'static str, &'static str)> {
    style_files().iter().copied().filter(|(id, _)| builtin_style(id).is_some_and(|s| s.has(Part::Bass))).collect()
}

fn styles() -> Vec<Style> {
    band_files().iter().map(style).collect()
}

/// Fails with every problem found (the first 60 of them).
fn report(what: &str, problems: Vec<String>) {
    if !problems.is_empty() {
        let shown: Vec<&str> = problems.iter().take(60).map(String::as_str).collect();
        panic!("{what}: {} problem(s)\n  {}", problems.len(), shown.join("\n  "));
    }
}

fn check_all(what: &str, check: fn(&Style) -> Vec<String>) {
    report(what, styles().iter().flat_map(check).collect());
}

const NAMES: [&str; 12] = ["c", "c#", "d", "eb", "e", "f", "f#", "g", "ab", "a", "bb", "b"];

fn name(key: u8) -> String {
    format!("{}{}", NAMES[usize::from(key % 12)], i32::from(key) / 12 - 1)
}

fn part_name(part: Part) -> &'static str {
    part.name()
}

/// "bebop-blues melody 3-4 alternative 2": a section's line as the file names it.
fn line_name(st: &Style, s: &Section, alt: usize) -> String {
    let bars = if s.bars == 1 {
        format!("{}", s.first_bar + 1)
    } else {
        format!("{}-{}", s.first_bar + 1, s.first_bar + s.bars)
    };
    format!("{} {} {} alternative {}", st.text.id, part_name(s.part), bars, alt + 1)
}

/// "bar 4 beat 3&": the form's bar and the beat of eighth `pos` of a section's line.
fn at(s: &Section, pos: usize) -> String {
    let slot = pos % SLOTS_PER_BAR;
    format!(
        "bar {} beat {}{}",
        s.first_bar + pos / SLOTS_PER_BAR + 1,
        slot / 2 + 1,
        if slot % 2 == 1 { "&" } else { "" }
    )
}

fn sections(st: &Style, part: Part) -> impl Iterator<Item = &Section> {
    st.text.sections.iter().filter(move |s| s.part == part)
}

/// Every line of a voice: its section and its index.
fn lines(st: &Style, part: Part) -> impl Iterator<Item = (&Section, usize, &Vec<Slot>)> {
    sections(st, part).flat_map(|s| s.alternatives.iter().enumerate().map(move |(i, alt)| (s, i, alt)))
}

/// The chord sounding at eighth `pos` of a section's line.
fn chord_at<'a>(st: &'a Style, s: &Section, pos: usize) -> &'a ChordSymbol {
    let chords = &st.text.chords[(s.first_bar + pos / SLOTS_PER_BAR) % st.text.bars];
    &chords[pos % SLOTS_PER_BAR * chords.len() / SLOTS_PER_BAR]
}

/// The next different chord after the one sounding at eighth `pos` (round the form: bar 1
/// follows the last bar) — where a dominant is going.
fn next_chord<'a>(st: &'a Style, s: &Section, pos: usize) -> &'a ChordSymbol {
    let here = chord_at(st, s, pos);
    let start = pos - pos % 2;
    (1..=st.text.bars * SLOTS_PER_BAR / 2)
        .map(|beats| chord_at(st, s, start + 2 * beats))
        .find(|c| c.name != here.name)
        .unwrap_or(here)
}

fn degree(chord: &ChordSymbol, key: u8) -> u8 {
    (key % 12 + 12 - chord.root) % 12
}

fn has(chord: &ChordSymbol, key: u8) -> bool {
    chord.mask & 1 << (key % 12) != 0
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quality {
    Dominant,
    Minor,
    HalfDiminished,
    Diminished,
    Major,
}

fn quality(chord: &ChordSymbol) -> Quality {
    let d = |i: u8| has(chord, chord.root + i);
    if d(4) && d(10) {
        Quality::Dominant
    } else if d(3) && d(6) && d(9) && !d(10) {
        Quality::Diminished
    } else if d(3) && d(6) && !d(7) {
        Quality::HalfDiminished
    } else if d(3) {
        Quality::Minor
    } else {
        Quality::Major
    }
}

/// Degrees above the root as a mask.
fn degrees(list: &[u8]) -> u16 {
    list.iter().fold(0, |m, d| m | 1 << d)
}

fn resolves_down_a_fifth(chord: &ChordSymbol, next: &ChordSymbol) -> bool {
    next.root == (chord.root + 5) % 12
}

fn resolves_down_a_half_step(chord: &ChordSymbol, next: &ChordSymbol) -> bool {
    next.root == (chord.root + 11) % 12
}

/// The tensions a player lands on, as degrees above the root: 9 and 13 on a dominant, and
/// ♭9, ♯9, ♭13 when it resolves down a fifth (the altered V7), ♯11 when it resolves down a
/// half step (the tritone substitute's Lydian sound); 9 and 11 on a minor chord; 9, 11 and
/// ♭13 on a half-diminished one (Locrian ♮2); a whole step above each tone of a diminished
/// chord; 9 on a major chord.
fn tensions(chord: &ChordSymbol, next: &ChordSymbol) -> u16 {
    match quality(chord) {
        Quality::Dominant => {
            let mut t = degrees(&[2, 9]);
            if resolves_down_a_fifth(chord, next) {
                t |= degrees(&[1, 3, 8]);
            }
            if resolves_down_a_half_step(chord, next) {
                t |= degrees(&[6]);
            }
            t
        }
        Quality::Minor => degrees(&[2, 5]),
        Quality::HalfDiminished => degrees(&[2, 5, 8]),
        Quality::Diminished => degrees(&[2, 5, 8, 11]),
        Quality::Major => degrees(&[2]),
    }
}

/// The scale a bebop player runs over the chord, with its passing tones, as degrees: the
/// Mixolydian with the major 7th passing (the bebop dominant scale) plus its tensions on a
/// dominant; Dorian with the major 3rd passing and the ♭6 and major 7th of the other minors
/// on a minor chord; Locrian ♮2; the whole-half diminished scale; the bebop major scale.
fn scale(chord: &ChordSymbol, next: &ChordSymbol) -> u16 {
    let base = match quality(chord) {
        Quality::Dominant => degrees(&[0, 2, 4, 5, 7, 9, 10, 11]),
        Quality::Minor => degrees(&[0, 2, 3, 4, 5, 7, 8, 9, 10, 11]),
        Quality::HalfDiminished => degrees(&[0, 1, 2, 3, 5, 6, 8, 10]),
        Quality::Diminished => degrees(&[0, 2, 3, 5, 6, 8, 9, 11]),
        Quality::Major => degrees(&[0, 2, 4, 5, 7, 8, 9, 11]),
    };
    base | tensions(chord, next)
}

fn in_degrees(mask: u16, chord: &ChordSymbol, key: u8) -> bool {
    mask & 1 << degree(chord, key) != 0
}

/// The blues' ♭3, ♭5 and ♭7 of the key.
fn is_blue(st: &Style, key: u8) -> bool {
    [3, 6, 10].contains(&((key % 12 + 12 - st.key) % 12))
}

/// Whether the chord is the key's I or IV, where the blues scale is the sound and a blue
/// note may stand on a strong beat.
fn is_home(st: &Style, chord: &ChordSymbol) -> bool {
    chord.root == st.key || chord.root == (st.key + 5) % 12
}

/// A note of a line: where it begins, how many eighths it lasts, its key.
#[derive(Clone, Copy, Debug)]
struct Note {
    start: usize,
    len: usize,
    key: u8,
}

/// The notes of a line (a hold after a rest holds nothing).
fn notes(line: &[Slot]) -> Vec<Note> {
    let mut notes: Vec<Note> = Vec::new();
    let mut sounding = false;
    for (pos, slot) in line.iter().enumerate() {
        match slot {
            Slot::Note(key) => {
                notes.push(Note { start: pos, len: 1, key: *key });
                sounding = true;
            }
            Slot::Hold if sounding => notes.last_mut().unwrap().len += 1,
            _ => sounding = false,
        }
    }
    notes
}

/// The note sounding at eighth `pos`.
fn sounding_at(notes: &[Note], pos: usize) -> Option<&Note> {
    notes.iter().find(|n| n.start <= pos && pos < n.start + n.len)
}

/// A phrase: a run of sounding eighths between rests (or a line's ends); start and length.
fn phrases(line: &[Slot]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    for n in notes(line) {
        run = match run {
            Some((start, len)) if start + len == n.start => Some((start, len + n.len)),
            Some(done) => {
                out.push(done);
                Some((n.start, n.len))
            }
            None => Some((n.start, n.len)),
        };
    }
    out.extend(run);
    out
}

/// Onsets as a bit mask per bar of a line.
fn bar_rhythms(line: &[Slot]) -> Vec<u8> {
    line.chunks(SLOTS_PER_BAR)
        .map(|bar| {
            bar.iter()
                .enumerate()
                .fold(0u8, |m, (i, s)| if matches!(s, Slot::Note(_) | Slot::Strike) { m | 1 << i } else { m })
        })
        .collect()
}

fn step(a: u8, b: u8) -> bool {
    (1..=2).contains(&a.abs_diff(b))
}

/// Whether the note sounding at `pos` resolves by step (a half or whole step) to a chord
/// tone struck on the next eighth or the next quarter: an approach note, or the first note
/// of an enclosure (D–B–C♯ resolves D to C♯ a quarter later).
fn resolves(st: &Style, s: &Section, notes: &[Note], pos: usize, key: u8) -> bool {
    notes
        .iter()
        .filter(|n| n.start > pos && n.start <= pos + 2)
        .any(|n| step(key, n.key) && has(chord_at(st, s, n.start), n.key))
}

/// On beats 1 and 3 without looking further: a chord tone, a tension, or a blue note over
/// the I or IV chord.
fn fits_strong(st: &Style, s: &Section, pos: usize, key: u8) -> bool {
    let (chord, next) = (chord_at(st, s, pos), next_chord(st, s, pos));
    has(chord, key) || in_degrees(tensions(chord, next), chord, key) || (is_blue(st, key) && is_home(st, chord))
}

/// On beats 2 and 4 without looking further: in the chord's bebop scale, or a blue note.
fn fits_weak(st: &Style, s: &Section, pos: usize, key: u8) -> bool {
    let (chord, next) = (chord_at(st, s, pos), next_chord(st, s, pos));
    in_degrees(scale(chord, next), chord, key) || is_blue(st, key)
}

// ---------------------------------------------------------------------------------------
// The checks.

/// It parses (see `style`), it is the file it says, it has the three voices, its lines keep
/// to the network's ranges (melody G3–C6, MIDI 55–84; bass E1–C3, 28–48), and no `-` holds
/// after a rest (it would hold nothing).
fn check_ranges(st: &Style) -> Vec<String> {
    let mut p = Vec::new();
    let id = st.file.trim_end_matches(".txt").replace('_', "-");
    if st.text.id != id {
        p.push(format!("{}: the style is '{}', the file says '{id}'", st.file, st.text.id));
    }
    for part in [Part::Melody, Part::Bass, Part::Comp] {
        if sections(st, part).next().is_none() {
            p.push(format!("{}: no {} voice", st.text.id, part_name(part)));
        }
    }
    for (part, low, high) in [(Part::Melody, 55, 84), (Part::Bass, 28, 48)] {
        for (s, a, line) in lines(st, part) {
            for n in notes(line) {
                if !(low..=high).contains(&n.key) {
                    p.push(format!(
                        "{}, {}: {} is outside {}–{}",
                        line_name(st, s, a),
                        at(s, n.start),
                        name(n.key),
                        name(low),
                        name(high)
                    ));
                }
            }
        }
    }
    for part in [Part::Melody, Part::Bass, Part::Comp] {
        for (s, a, line) in lines(st, part) {
            for pos in 1..line.len() {
                if line[pos] == Slot::Hold && line[pos - 1] == Slot::Rest {
                    p.push(format!("{}, {}: '-' after a rest holds nothing", line_name(st, s, a), at(s, pos)));
                }
            }
        }
    }
    p
}

/// Beats 1 and 3: the note sounding there (struck or held into the beat) is a chord tone of
/// the chord sounding there, or one of the stated exceptions:
/// - a tension ([`tensions`]);
/// - a blue note of the key (♭3, ♭5, ♭7) over the I or IV chord;
/// - an approach note or the start of an enclosure: it resolves by a half or whole step to a
///   chord tone struck on the next eighth or the next quarter ([`resolves`]).
fn check_strong_beats(st: &Style) -> Vec<String> {
    let mut p = Vec::new();
    for (s, a, line) in lines(st, Part::Melody) {
        let notes = notes(line);
        for pos in (0..line.len()).step_by(4) {
            let Some(n) = sounding_at(&notes, pos) else { continue };
            let chord = chord_at(st, s, pos);
            if !(fits_strong(st, s, pos, n.key) || resolves(st, s, &notes, pos, n.key)) {
                let how = if n.start == pos { "" } else { " (held)" };
                p.push(format!(
                    "{}, {}: {}{how} over {} is neither a chord tone, a tension, a blue note over I or IV, nor resolves by step to a chord tone",
                    line_name(st, s, a),
                    at(s, pos),
                    name(n.key),
                    chord.name
                ));
            }
        }
    }
    p
}

/// Beats 2 and 4, the looser rule: a note struck there is in the chord's bebop scale
/// ([`scale`]), is a blue note of the key, or moves by a half or whole step to the next note
/// within a quarter (a chromatic passing or approach note).
fn check_weak_beats(st: &Style) -> Vec<String> {
    let mut p = Vec::new();
    for (s, a, line) in lines(st, Part::Melody) {
        let notes = notes(line);
        for (i, n) in notes.iter().enumerate().filter(|(_, n)| n.start % 4 == 2) {
            let chord = chord_at(st, s, n.start);
            let moves_on = notes.get(i + 1).is_some_and(|m| m.start <= n.start + 2 && step(n.key, m.key));
            if !(fits_weak(st, s, n.start, n.key) || moves_on) {
                p.push(format!(
                    "{}, {}: {} over {} is outside its scale and goes nowhere by step",
                    line_name(st, s, a),
                    at(s, n.start),
                    name(n.key),
                    chord.name
                ));
            }
        }
    }
    p
}

/// Lines, not arpeggio drills: inside a phrase no leap is wider than an octave, and at
/// least 45 % of the moves over the style are steps (a half or whole step).
fn check_lines_move_by_step(st: &Style) -> Vec<String> {
    let mut p = Vec::new();
    let (mut moves, mut steps) = (0, 0);
    for (s, a, line) in lines(st, Part::Melody) {
        let notes = notes(line);
        for w in notes.windows(2).filter(|w| w[0].start + w[0].len == w[1].start) {
            let leap = w[0].key.abs_diff(w[1].key);
            moves += 1;
            steps += usize::from(leap <= 2 && leap > 0);
            if leap > 12 {
                p.push(format!(
                    "{}, {}: a leap of {leap} semitones ({} to {})",
                    line_name(st, s, a),
                    at(s, w[1].start),
                    name(w[0].key),
                    name(w[1].key)
                ));
            }
        }
    }
    if steps * 100 < moves * 45 {
        p.push(format!("{}: only {steps} of {moves} melodic moves are steps (at least 45 %)", st.text.id));
    }
    p
}

/// The whole range, sensibly: at least 75 % of the notes within B♭3–F5, and some (two or
/// more) reaching A5–C6 and some down at G3–A3.
fn check_melody_range_use(st: &Style) -> Vec<String> {
    let keys: Vec<u8> = lines(st, Part::Melody).flat_map(|(_, _, line)| notes(line)).map(|n| n.key).collect();
    let middle = keys.iter().filter(|k| (58..=77).contains(*k)).count();
    let (high, low) = (keys.iter().filter(|&&k| k >= 81).count(), keys.iter().filter(|&&k| k <= 57).count());
    let mut p = Vec::new();
    if middle * 100 < keys.len() * 75 {
        p.push(format!("{}: {middle} of {} melody notes within bb3–f5 (at least 75 %)", st.text.id, keys.len()));
    }
    if high < 2 || low < 2 {
        p.push(format!("{}: {high} notes at a5–c6 and {low} at g3–a3 (at least 2 each)", st.text.id));
    }
    p
}

/// Phrasing, over the whole style's melody (a phrase is a run of notes between rests, or the
/// line's ends — alternatives recombine):
/// - rests are 20–45 % of the eighths;
/// - at least a third of the phrases start off the beat (on an "and");
/// - at least a fifth cross a bar line;
/// - at least 80 % last 3–16 eighths, none more than 24;
/// - at least a quarter end on a note of a quarter or longer;
/// - some notes (one per two bars of form) last longer than a quarter;
/// - some notes are struck twice in a row (two or more).
fn check_phrasing(st: &Style) -> Vec<String> {
    let mut p = Vec::new();
    let (mut eighths, mut rests, mut phrases_n, mut off, mut crossing, mut usual, mut long_end, mut long, mut repeats) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0);
    for (s, a, line) in lines(st, Part::Melody) {
        let notes = notes(line);
        eighths += line.len();
        rests += line.len() - notes.iter().map(|n| n.len).sum::<usize>();
        for (start, len) in phrases(line) {
            phrases_n += 1;
            off += usize::from(start % 2 == 1);
            crossing += usize::from(start / SLOTS_PER_BAR != (start + len - 1) / SLOTS_PER_BAR);
            usual += usize::from((3..=16).contains(&len));
            let last = sounding_at(&notes, start + len - 1).unwrap();
            long_end += usize::from(last.len >= 2);
            if len > 24 {
                p.push(format!(
                    "{}, {}: a phrase of {len} eighths without a breath",
                    line_name(st, s, a),
                    at(s, start)
                ));
            }
        }
        long += notes.iter().filter(|n| n.len > 2).count();
        repeats += notes.windows(2).filter(|w| w[0].key == w[1].key && w[0].start + w[0].len == w[1].start).count();
    }
    let id = &st.text.id;
    if !(eighths * 20..=eighths * 45).contains(&(rests * 100)) {
        p.push(format!("{id}: rests are {rests} of {eighths} melody eighths (20–45 %)"));
    }
    if off * 3 < phrases_n {
        p.push(format!("{id}: {off} of {phrases_n} phrases start off the beat (at least a third)"));
    }
    if crossing * 5 < phrases_n {
        p.push(format!("{id}: {crossing} of {phrases_n} phrases cross a bar line (at least a fifth)"));
    }
    if usual * 10 < phrases_n * 8 {
        p.push(format!("{id}: {usual} of {phrases_n} phrases last 3–16 eighths (at least 80 %)"));
    }
    if long_end * 4 < phrases_n {
        p.push(format!("{id}: {long_end} of {phrases_n} phrases end on a quarter or longer (at least a quarter)"));
    }
    if long * 2 < st.text.bars {
        p.push(format!("{id}: {long} notes longer than a quarter (at least one per two bars: {})", st.text.bars / 2));
    }
    if repeats < 2 {
        p.push(format!("{id}: {repeats} notes struck twice in a row (at least 2)"));
    }
    p
}

/// The blues and bebop vocabulary, over the style's melody:
/// - blue notes: a ♭3 or ♭5 of the key, or a ♭7 of it, sounding over a chord it is not a
///   tone of (E♭ over C7) — at least 3;
/// - chromatic approach notes: a note outside the chord a half step from the chord tone
///   struck next, within a quarter — at least one per two bars of the form;
/// - enclosures: two notes, one above and one below a chord tone by a step, then that
///   chord tone, within a quarter — at least 2.
fn check_vocabulary(st: &Style) -> Vec<String> {
    let (mut blue, mut approach, mut enclosure) = (0, 0, 0);
    for (s, _, line) in lines(st, Part::Melody) {
        let notes = notes(line);
        for (i, n) in notes.iter().enumerate() {
            let chord = chord_at(st, s, n.start);
            blue += usize::from(is_blue(st, n.key) && !has(chord, n.key));
            if let Some(m) = notes.get(i + 1) {
                let target = chord_at(st, s, m.start);
                let near = m.start <= n.start + 2 && m.start == n.start + n.len;
                approach += usize::from(near && !has(chord, n.key) && has(target, m.key) && n.key.abs_diff(m.key) == 1);
            }
            if let (Some(b), Some(t)) = (notes.get(i + 1), notes.get(i + 2)) {
                let tight = b.start == n.start + n.len && t.start == b.start + b.len && t.start <= n.start + 4;
                let around = step(n.key, t.key)
                    && step(b.key, t.key)
                    && (i32::from(n.key) - i32::from(t.key)).signum()
                        == -(i32::from(b.key) - i32::from(t.key)).signum();
                enclosure += usize::from(tight && around && has(chord_at(st, s, t.start), t.key));
            }
        }
    }
    let id = &st.text.id;
    let mut p = Vec::new();
    if blue < 3 {
        p.push(format!("{id}: {blue} blue notes against the chord (at least 3)"));
    }
    if approach * 2 < st.text.bars {
        p.push(format!("{id}: {approach} chromatic approach notes (at least {})", st.text.bars / 2));
    }
    if enclosure < 2 {
        p.push(format!("{id}: {enclosure} enclosures (at least 2)"));
    }
    p
}

/// The styles whose melodies have been rewritten so phrases land: every band style.
const LANDING: [&str; 6] =
    ["bebop-blues", "jazz-blues", "minor-blues", "eight-bar-blues", "sixteen-bar-blues", "rhythm-changes"];

/// Phrases that land and notes that are held, in a style rewritten so: at least three note
/// lengths each on 5 % of the melody's notes or more, and notes of four eighths or longer on
/// at least 3 % (bebop lines end on long notes, breathe, and sometimes hold).
fn check_note_lengths(st: &Style) -> Vec<String> {
    if !LANDING.contains(&st.text.id.as_str()) {
        return vec![];
    }
    let mut counts = [0usize; 5];
    for (_, _, line) in lines(st, Part::Melody) {
        for n in notes(line) {
            counts[n.len.min(5) - 1] += 1;
        }
    }
    let total: usize = counts.iter().sum();
    let share = |c: usize| 100.0 * c as f64 / total.max(1) as f64;
    let shares: Vec<String> = counts.iter().map(|&c| format!("{:.1}", share(c))).collect();
    let id = &st.text.id;
    let mut p = Vec::new();
    if counts.iter().filter(|&&c| share(c) >= 5.0).count() < 3 {
        p.push(format!(
            "{id}: fewer than three note lengths on 5 % of notes (1 / 2 / 3 / 4 / 5+ eighths: {} %)",
            shares.join(" / ")
        ));
    }
    if share(counts[3] + counts[4]) < 3.0 {
        p.push(format!(
            "{id}: {:.1} % of notes last four eighths or more (at least 3 %)",
            share(counts[3] + counts[4])
        ));
    }
    p
}

/// A section's line is followed by any line of the next section: a note struck on its last
/// eighth would be a pickup to a note nobody chose. Lines end on a rest or a held note.
fn check_section_ends(st: &Style) -> Vec<String> {
    lines(st, Part::Melody)
        .filter(|(_, _, line)| matches!(line.last(), Some(Slot::Note(_))))
        .map(|(s, a, line)| {
            format!("{}, {}: a note struck on the section's last eighth", line_name(st, s, a), at(s, line.len() - 1))
        })
        .collect()
}

/// Enough to choose from, and no choice twice: every section has distinct alternatives, a
/// melody section at least 4, a bass or comping section at least 3.
fn check_alternatives(st: &Style) -> Vec<String> {
    let mut p = Vec::new();
    for s in &st.text.sections {
        let least = if s.part == Part::Melody { 4 } else { 3 };
        if s.alternatives.len() < least {
            p.push(format!(
                "{}: {} alternatives (at least {least})",
                line_name(st, s, 0).trim_end_matches(" alternative 1"),
                s.alternatives.len()
            ));
        }
        for (i, alt) in s.alternatives.iter().enumerate() {
            if let Some(j) = s.alternatives[..i].iter().position(|b| b == alt) {
                p.push(format!("{} repeats alternative {}", line_name(st, s, i), j + 1));
            }
        }
    }
    p
}

/// Rhythmic variety: the melody's distinct one-bar onset patterns over the style number at
/// least five for every three bars of the form (20 for 12 bars), so the network cannot
/// learn a few rhythms by heart.
fn check_rhythms(st: &Style) -> Vec<String> {
    let distinct: HashSet<u8> = lines(st, Part::Melody).flat_map(|(_, _, line)| bar_rhythms(line)).collect();
    let least = (st.text.bars * 5).div_ceil(3);
    if distinct.len() < least {
        vec![format!("{}: {} distinct one-bar melody rhythms (at least {least})", st.text.id, distinct.len())]
    } else {
        vec![]
    }
}

/// The walking bass, bar by bar (every bar a section of its own or not):
/// - beat 1 is struck and is a tone of the bar's first chord, the root in at least 80 % of
///   the bar-alternatives;
/// - in a two-chord bar, beat 3 is the second chord's root;
/// - otherwise beat 3 is a chord tone or a passing note (a step from the notes either side);
/// - mostly quarter notes: at least 75 % of the onsets on the beat;
/// - a few two-feel bars (half notes on 1 and 3 only) and a few eighth-note pickups (onsets
///   on 4 and 4&): at least one of each.
fn check_bass(st: &Style) -> Vec<String> {
    let mut p = Vec::new();
    let (mut bars, mut roots, mut onsets, mut on_beat, mut two_feel, mut pickups) = (0, 0, 0, 0, 0, 0);
    for (s, a, line) in lines(st, Part::Bass) {
        let notes = notes(line);
        for b in 0..s.bars {
            let first = b * SLOTS_PER_BAR;
            let chords = &st.text.chords[s.first_bar + b];
            bars += 1;
            let bar_notes: Vec<&Note> = notes.iter().filter(|n| n.start / SLOTS_PER_BAR == b).collect();
            onsets += bar_notes.len();
            on_beat += bar_notes.iter().filter(|n| n.start % 2 == 0).count();
            let rhythm: Vec<usize> = bar_notes.iter().map(|n| n.start % SLOTS_PER_BAR).collect();
            two_feel += usize::from(rhythm == [0, 4]);
            pickups += usize::from(rhythm.ends_with(&[6, 7]));
            match notes.iter().find(|n| n.start == first) {
                Some(n) if has(&chords[0], n.key) => roots += usize::from(n.key % 12 == chords[0].root),
                Some(n) => p.push(format!(
                    "{}, {}: {} is not a tone of {}",
                    line_name(st, s, a),
                    at(s, first),
                    name(n.key),
                    chords[0].name
                )),
                None => p.push(format!("{}, {}: no note on beat 1", line_name(st, s, a), at(s, first))),
            }
            let beat3 = notes.iter().position(|n| n.start == first + 4);
            let chord3 = chord_at(st, s, first + 4);
            match beat3 {
                Some(i) if chords.len() == 2 && notes[i].key % 12 != chord3.root => p.push(format!(
                    "{}, {}: {} is not the root of {}",
                    line_name(st, s, a),
                    at(s, first + 4),
                    name(notes[i].key),
                    chord3.name
                )),
                None if chords.len() == 2 => p.push(format!(
                    "{}, {}: the change to {} is not played",
                    line_name(st, s, a),
                    at(s, first + 4),
                    chord3.name
                )),
                Some(i) => {
                    let passing = i > 0
                        && i + 1 < notes.len()
                        && step(notes[i - 1].key, notes[i].key)
                        && step(notes[i].key, notes[i + 1].key);
                    if !has(chord3, notes[i].key) && !passing {
                        p.push(format!(
                            "{}, {}: {} over {} is neither a chord tone nor passing",
                            line_name(st, s, a),
                            at(s, first + 4),
                            name(notes[i].key),
                            chord3.name
                        ));
                    }
                }
                None => {}
            }
        }
    }
    let id = &st.text.id;
    if roots * 10 < bars * 8 {
        p.push(format!("{id}: the bass has the root on beat 1 in {roots} of {bars} bar-alternatives (at least 80 %)"));
    }
    if on_beat * 4 < onsets * 3 {
        p.push(format!("{id}: {on_beat} of {onsets} bass notes on the beat (at least 75 %)"));
    }
    if two_feel == 0 || pickups == 0 {
        p.push(format!(
            "{id}: {two_feel} two-feel bars and {pickups} eighth-note pickups in the bass (at least one each)"
        ));
    }
    p
}

/// The bass's last note of every bar-alternative leads into the next bar (whichever line
/// follows): a half or whole step from the next bar's root, or its fifth above (V–I). And
/// across every bar line, every line that may follow starts within a fifth of it.
fn check_bass_approaches(st: &Style) -> Vec<String> {
    let mut p = Vec::new();
    let bars = st.text.bars;
    // Per bar of the form: (section, alternative, its notes in the bar).
    let mut per_bar: Vec<Vec<(&Section, usize, Vec<Note>)>> = vec![Vec::new(); bars];
    for (s, a, line) in lines(st, Part::Bass) {
        let notes = notes(line);
        for b in 0..s.bars {
            per_bar[s.first_bar + b].push((
                s,
                a,
                notes.iter().copied().filter(|n| n.start / SLOTS_PER_BAR == b).collect(),
            ));
        }
    }
    for bar in 0..bars {
        let next_root = st.text.chords[(bar + 1) % bars][0].root;
        for (s, a, notes) in &per_bar[bar] {
            let Some(last) = notes.last() else { continue };
            let d = (last.key % 12 + 12 - next_root) % 12;
            if ![1, 2, 10, 11, 7].contains(&d) {
                p.push(format!(
                    "{}, {}: {} does not lead to the next bar's root ({})",
                    line_name(st, s, *a),
                    at(s, last.start),
                    name(last.key),
                    NAMES[usize::from(next_root)]
                ));
            }
            for (t, b, next) in &per_bar[(bar + 1) % bars] {
                // Inside one section the next bar is this very line's own.
                if std::ptr::eq(*s, *t) && a != b {
                    continue;
                }
                if let Some(first) = next.first().filter(|f| last.key.abs_diff(f.key) > 7) {
                    p.push(format!(
                        "{} ends {} and {} starts {}: a leap of {}",
                        line_name(st, s, *a),
                        name(last.key),
                        line_name(st, t, *b),
                        name(first.key),
                        last.key.abs_diff(first.key)
                    ));
                }
            }
        }
    }
    p
}

/// The piano: every bar-alternative strikes at least once (or holds a chord pushed into it),
/// but for deliberate rest bars (at most one in ten); in a two-chord bar the second chord is heard — struck on beat 3, its
/// "and" or beat 4, or pushed on beat 2 or its "and" and held into beat 3 (re-voiced).
fn check_comping(st: &Style) -> Vec<String> {
    let mut p = Vec::new();
    let (mut bars, mut silent) = (0, 0);
    for (s, a, line) in lines(st, Part::Comp) {
        for (b, bar) in line.chunks(SLOTS_PER_BAR).enumerate() {
            bars += 1;
            // A chord pushed on the last "and" and held over the bar line sounds (re-voiced).
            if !bar.contains(&Slot::Strike) && bar[0] != Slot::Hold {
                silent += 1;
            }
            if st.text.chords[s.first_bar + b].len() == 2 {
                let struck = |i: usize| bar[i] == Slot::Strike;
                let held_into_3 = (2..4).any(|i| struck(i) && bar[i + 1..=4].iter().all(|&x| x == Slot::Hold));
                if !((4..=6).any(struck) || held_into_3) {
                    p.push(format!(
                        "{}, {}: the change to {} is not struck",
                        line_name(st, s, a),
                        at(s, b * SLOTS_PER_BAR + 4),
                        st.text.chords[s.first_bar + b][1].name
                    ));
                }
            }
        }
    }
    if silent * 10 > bars {
        p.push(format!("{}: {silent} of {bars} comping bars are silent (at most one in ten)", st.text.id));
    }
    p
}

/// The pianist's vocabulary: pushes (strikes on the "and" of 2 or of 4), short stabs (one
/// eighth) and held chords (six eighths or more) — some of each.
fn check_comp_vocabulary(st: &Style) -> Vec<String> {
    let (mut pushes, mut stabs, mut held) = (0, 0, 0);
    for (_, _, line) in lines(st, Part::Comp) {
        for (pos, slot) in line.iter().enumerate() {
            if *slot != Slot::Strike {
                continue;
            }
            pushes += usize::from(pos % 4 == 3);
            let len = 1 + line[pos + 1..].iter().take_while(|&&x| x == Slot::Hold).count();
            stabs += usize::from(len == 1);
            held += usize::from(len >= 6);
        }
    }
    if pushes == 0 || stabs == 0 || held == 0 {
        vec![format!(
            "{}: comping has {pushes} pushes, {stabs} stabs and {held} held chords (some of each)",
            st.text.id
        )]
    } else {
        vec![]
    }
}

// ---------------------------------------------------------------------------------------
// The tests.

#[test]
fn every_style_parses_and_keeps_to_the_ranges() {
    check_all("ranges", check_ranges);
}

#[test]
fn melody_beats_1_and_3_are_chord_tones_or_stated_exceptions() {
    check_all("strong beats", check_strong_beats);
}

#[test]
fn melody_beats_2_and_4_fit_the_bebop_scale_or_pass_by_step() {
    check_all("weak beats", check_weak_beats);
}

#[test]
fn melody_lines_move_mostly_by_step() {
    check_all("lines", check_lines_move_by_step);
}

#[test]
fn melody_uses_the_whole_range_sensibly() {
    check_all("range use", check_melody_range_use);
}

#[test]
fn melody_phrases_breathe_start_off_the_beat_and_cross_bar_lines() {
    check_all("phrasing", check_phrasing);
}

#[test]
fn melody_speaks_blues_and_bebop() {
    check_all("vocabulary", check_vocabulary);
}

#[test]
fn melody_phrases_land_on_long_notes() {
    check_all("note lengths", check_note_lengths);
}

#[test]
fn melody_lines_meet_any_neighbour() {
    check_all("section ends", check_section_ends);
}

#[test]
fn sections_have_enough_distinct_alternatives() {
    check_all("alternatives", check_alternatives);
}

#[test]
fn melody_rhythms_vary() {
    check_all("rhythms", check_rhythms);
}

#[test]
fn bass_walks_on_the_chords() {
    check_all("bass", check_bass);
}

#[test]
fn bass_leads_into_every_next_bar() {
    check_all("bass approaches", check_bass_approaches);
}

#[test]
fn comping_strikes_every_bar_and_every_change() {
    check_all("comping", check_comping);
}

#[test]
fn comping_mixes_pushes_stabs_and_held_chords() {
    check_all("comp vocabulary", check_comp_vocabulary);
}

/// The numbers behind the facts, for whoever writes a style: `cargo test style_statistics
/// -- --nocapture`.
#[test]
fn style_statistics() {
    for st in styles() {
        let melody: Vec<&Vec<Slot>> = lines(&st, Part::Melody).map(|(_, _, l)| l).collect();
        let eighths: usize = melody.iter().map(|l| l.len()).sum();
        let sounding: usize = melody.iter().flat_map(|l| notes(l)).map(|n| n.len).sum();
        let phrases: Vec<(usize, usize)> = melody.iter().flat_map(|l| phrases(l)).collect();
        let off = phrases.iter().filter(|(s, _)| s % 2 == 1).count();
        let crossing = phrases.iter().filter(|(s, l)| s / SLOTS_PER_BAR != (s + l - 1) / SLOTS_PER_BAR).count();
        let rhythms: HashSet<u8> = melody.iter().flat_map(|l| bar_rhythms(l)).collect();
        let (mut moves, mut steps) = (0, 0);
        for l in &melody {
            for w in notes(l).windows(2).filter(|w| w[0].start + w[0].len == w[1].start) {
                moves += 1;
                steps += usize::from((1..=2).contains(&w[0].key.abs_diff(w[1].key)));
            }
        }
        let count = |part| sections(&st, part).map(|s| s.alternatives.len().to_string()).collect::<Vec<_>>().join(" ");
        println!(
            "{}: melody alternatives [{}], bass [{}], comp [{}]; rests {:.0} %; {} phrases, {} off the beat, {} across a bar line; {} distinct bar rhythms; steps {steps}/{moves}; choruses {:.2e}",
            st.text.id,
            count(Part::Melody),
            count(Part::Bass),
            count(Part::Comp),
            100.0 * (eighths - sounding) as f64 / eighths as f64,
            phrases.len(),
            off,
            crossing,
            rhythms.len(),
            st.text.sections.iter().map(|s| s.alternatives.len() as f64).product::<f64>()
        );
    }
}

/// Each check bites: the first style, broken on purpose in the way the check is about, fails
/// it (and the style as written passes it).
#[test]
fn the_checks_can_fail() {
    fn voice(st: &mut Style, part: Part) -> impl Iterator<Item = &mut Vec<Slot>> {
        st.text.sections.iter_mut().filter(move |s| s.part == part).flat_map(|s| s.alternatives.iter_mut())
    }
    fn first(st: &mut Style, part: Part) -> &mut Vec<Slot> {
        voice(st, part).next().unwrap()
    }
    /// Strikes, on the first beat `slot` (0 = beat 1, 2 = beat 2) of a melody line where one
    /// is wrong, a note that does not fit, held for a quarter so it resolves nowhere.
    fn plant(st: &mut Style, slot: usize, fits: fn(&Style, &Section, usize, u8) -> bool) {
        let found = st.text.sections.iter().enumerate().filter(|(_, s)| s.part == Part::Melody).find_map(|(i, s)| {
            (0..s.bars).find_map(|b| {
                (60..72).find(|&k| !fits(st, s, b * SLOTS_PER_BAR + slot, k)).map(|k| (i, b * SLOTS_PER_BAR + slot, k))
            })
        });
        let (i, pos, key) = found.expect("somewhere a note does not fit");
        st.text.sections[i].alternatives[0][pos..pos + 3].copy_from_slice(&[Slot::Note(key), Slot::Hold, Slot::Hold]);
    }
    fn each(st: &mut Style, part: Part, f: impl Fn(usize, &mut Slot)) {
        for line in voice(st, part) {
            line.iter_mut().enumerate().for_each(|(i, x)| f(i, x));
        }
    }
    type Break = (&'static str, fn(&Style) -> Vec<String>, fn(&mut Style));
    let breaks: [Break; 15] = [
        ("a melody note above C6", check_ranges, |st| first(st, Part::Melody)[0] = Slot::Note(90)),
        ("a wrong note held on beat 1 or 3", check_strong_beats, |st| plant(st, 0, fits_strong)),
        ("a wrong note held on beat 2 or 4", check_weak_beats, |st| plant(st, 2, fits_weak)),
        ("arpeggios in tenths", check_lines_move_by_step, |st| {
            each(st, Part::Melody, |i, x| *x = Slot::Note(if i % 2 == 0 { 60 } else { 76 }))
        }),
        ("everything in one octave", check_melody_range_use, |st| {
            each(st, Part::Melody, |_, x| {
                if let Slot::Note(k) = x {
                    *k = 60 + *k % 12;
                }
            })
        }),
        ("no rests", check_phrasing, |st| {
            each(st, Part::Melody, |i, x| {
                *x = if i == 0 {
                    Slot::Note(60)
                } else if *x == Slot::Rest {
                    Slot::Hold
                } else {
                    *x
                }
            })
        }),
        ("roots only", check_vocabulary, |st| {
            each(st, Part::Melody, |_, x| {
                if let Slot::Note(_) = x {
                    *x = Slot::Note(60);
                }
            })
        }),
        ("every note an eighth", check_note_lengths, |st| {
            each(st, Part::Melody, |_, x| {
                if *x == Slot::Hold {
                    *x = Slot::Rest;
                }
            })
        }),
        ("a pickup on a section's last eighth", check_section_ends, |st| {
            *first(st, Part::Melody).last_mut().unwrap() = Slot::Note(67)
        }),
        ("an alternative twice", check_alternatives, |st| {
            let s = st.text.sections.iter_mut().find(|s| s.part == Part::Melody).unwrap();
            let again = s.alternatives[0].clone();
            s.alternatives.push(again);
        }),
        ("one rhythm for every bar", check_rhythms, |st| {
            each(st, Part::Melody, |i, x| *x = if i % 2 == 0 { Slot::Note(60) } else { Slot::Hold })
        }),
        ("the bass starts on a ♭9", check_bass, |st| {
            let root = st.text.chords[0][0].root;
            first(st, Part::Bass)[0] = Slot::Note(36 + (root + 1) % 12);
        }),
        ("the bass leads a tritone away", check_bass_approaches, |st| {
            let root = st.text.chords[1][0].root;
            let line = first(st, Part::Bass);
            line[SLOTS_PER_BAR - 2..SLOTS_PER_BAR].copy_from_slice(&[Slot::Note(36 + (root + 6) % 12), Slot::Hold]);
        }),
        ("the piano lays out", check_comping, |st| each(st, Part::Comp, |_, x| *x = Slot::Rest)),
        ("the piano only holds whole bars", check_comp_vocabulary, |st| {
            each(st, Part::Comp, |i, x| *x = if i % SLOTS_PER_BAR == 0 { Slot::Strike } else { Slot::Hold })
        }),
    ];
    for (what, check, break_it) in breaks {
        let mut st = style(&band_files()[0]);
        assert_eq!(check(&st), Vec::<String>::new(), "{}: the style as written", st.file);
        break_it(&mut st);
        assert!(!check(&st).is_empty(), "{what}: the check did not notice");
    }
}
