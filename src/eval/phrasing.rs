//! Phrasing and the rhythm section: how a stream sounds to a jazz musician rather than how
//! often its chords are right — does the melody breathe, swing off the beat, land on chord
//! tones, does the bass walk to the next root, does the piano comp in varied rhythms. Pure
//! functions over frames; CLI thread (`blues-lstm eval --phrasing`) and tests.
//!
//! Definitions (the README's table uses them), over whole choruses from bar 1:
//! - a note *begins* where its line is struck, or where a key sounds that did not sound on the
//!   step before (a model may change key without striking); it lasts until the next beginning
//!   or silence. The comping is a line of one "key", the chord sounding.
//! - *off the beat*: begun on an odd eighth (the "and" of a beat).
//! - *chord tones on beats 1 and 3*: of the melody notes begun on steps 0 and 4 of a bar, the
//!   share whose pitch class is in the chord at that step.
//! - *outside*: melody notes in neither the chord at their step nor the blues scale (1 b3 4 #4
//!   5 b7) of the key, the root of the stream's first chord.
//! - *range*: 5th to 95th percentile (nearest rank) of the keys begun, in semitones.
//! - *repeated keys* (the stutter): of the pairs of consecutive melody notes, the share whose
//!   second strikes the same key again at most a beat (two eighths) after the first began;
//!   *wide leaps*: the share a tritone (6 semitones) or more apart. Pairs run across rests.
//! - *phrase*: see [`phrases`].
//! - comping *silent half-bars*: half-bars (4 eighths from steps 0 and 4) in which no chord
//!   sounds at all, of all half-bars: where the piano lays out.
//! - *distinct rhythms per chorus*: distinct onset patterns of the bars of a chorus (which of a
//!   bar's 8 steps begin a note), averaged over choruses.
//! - drums: a *fill* is a bar with three or more snare or tom strokes at normal level or
//!   louder (`music::drums::is_fill`); it *leads into a section* in the form's last bar, and in a
//!   32-bar AABA in the last bar of each 8-bar section.
//! - *trading*: the first bar after each 4-bar call against the call (`answers`); a model's
//!   row is its answers when traded with, the others' the bar after 4 bars of their own.
//! - bass *root on the downbeat*: of the bars whose step 0 begins a bass note (over a chord with
//!   a known root), the share where that note is the root; *approach*: of the chord changes
//!   with a bass note begun in the beat before, the share where the last such note is a half
//!   or whole step from the new chord's root.

use super::answers::{answers, Answers};
use crate::music::chord_names::chord_root;
use crate::music::drums::{is_fill, leads_into_section, Piece, GHOST, SILENT};
use crate::music::encoding::{Form, Frame};
use crate::music::part::Part;
use serde::Serialize;
use std::collections::HashSet;

/// Pitch classes of the blues scale above its root: 1 b3 4 #4 5 b7.
const BLUES_SCALE: [u8; 6] = [0, 3, 5, 6, 7, 10];

/// Note lengths the histogram tells apart: 1, 2, 3, 4 and 5 or more eighths.
pub const LENGTH_BINS: usize = 5;

/// The melody's phrasing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Melody {
    pub notes_per_bar: f64,
    /// Steps without a melody note, out of all steps.
    pub rest_share: f64,
    /// Mean note length, in eighths.
    pub mean_length: f64,
    /// Share of notes lasting 1, 2, 3, 4, 5+ eighths.
    pub lengths: [f64; LENGTH_BINS],
    pub off_beat: f64,
    /// `None` when no note begins on beat 1 or 3.
    pub chord_tones_on_strong_beats: Option<f64>,
    /// `None` when no chord of the stream has a known root (no key).
    pub outside: Option<f64>,
    pub range: u8,
    /// Pairs of consecutive notes whose second strikes the same key within a beat; `None`
    /// with fewer than two notes.
    pub repeated_keys: Option<f64>,
    /// Pairs of consecutive notes a tritone or more apart.
    pub wide_leaps: Option<f64>,
    /// Mean notes per phrase.
    pub phrase_notes: f64,
    pub distinct_rhythms: f64,
}

/// The bass line: does it walk, land on roots, lead into the changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bass {
    /// Quarter-note beats (steps 0, 2, 4, 6) that begin a bass note, out of all beats.
    pub beats_struck: f64,
    pub root_on_downbeat: Option<f64>,
    pub approach: Option<f64>,
    pub range: u8,
}

/// The piano's comping rhythm.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comping {
    pub strikes_per_bar: f64,
    pub distinct_rhythms: f64,
    pub off_beat: f64,
    /// Half-bars with no chord sounding, of all half-bars.
    pub silent_half_bars: f64,
}

/// The drummer: time on the ride and the hi-hat, fills where the form turns, the crash on
/// the top, a touch of ghost notes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Drums {
    /// Beats (steps 0, 2, 4, 6) with a ride stroke.
    pub ride_on_beats: f64,
    /// Beats 2 and 4 with the pedal hi-hat.
    pub hat_on_2_and_4: f64,
    pub fills_per_chorus: f64,
    /// Of the fills, the share in a bar that leads into a section (`drums::leads_into_section`).
    pub fills_into_sections: Option<f64>,
    /// Choruses whose first step has a crash.
    pub crash_on_bar_1: f64,
    /// Strikes at ghost level, of all strikes.
    pub ghost_share: f64,
}

/// The phrasing measures of one stream; a voice's are `None` when no frame sounds it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Phrasing {
    /// Whole choruses measured.
    pub choruses: usize,
    pub melody: Option<Melody>,
    pub bass: Option<Bass>,
    pub comping: Option<Comping>,
    pub drums: Option<Drums>,
    /// Trading fours: the first bar after each call against the call (`answers`); a model's
    /// traded run replaces its free run's.
    pub answers: Option<Answers>,
}

/// A note of a line: where it begins, its key, how many steps it lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Struck {
    pub step: usize,
    pub key: u8,
    pub length: usize,
}

/// The melody's notes in `frames`.
pub(crate) fn melody_notes(frames: &[Frame]) -> Vec<Struck> {
    notes(frames, Part::Melody)
}

/// The notes of `voice` in `frames` (see the module docs for where a note begins).
fn notes(frames: &[Frame], voice: Part) -> Vec<Struck> {
    let mut out: Vec<Struck> = Vec::new();
    let mut previous = None;
    for (step, frame) in frames.iter().enumerate() {
        let note = frame.voice(voice);
        match note.key {
            Some(key) if note.begin || previous != Some(key) => out.push(Struck { step, key, length: 1 }),
            Some(_) => {
                if let Some(last) = out.last_mut() {
                    last.length += 1;
                }
            }
            None => {}
        }
        previous = note.key;
    }
    out
}

/// `part / whole`, or `None` when there is nothing to count.
fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The 5th-to-95th-percentile spread of the notes' keys, in semitones (nearest rank).
fn range(notes: &[Struck]) -> u8 {
    let mut keys: Vec<u8> = notes.iter().map(|n| n.key).collect();
    keys.sort_unstable();
    if keys.is_empty() {
        return 0;
    }
    let at = |p: f64| keys[(p * (keys.len() - 1) as f64).round() as usize];
    at(0.95) - at(0.05)
}

/// Mean distinct onset patterns among the bars of a chorus.
fn distinct_rhythms(notes: &[Struck], form: Form, choruses: usize) -> f64 {
    let mut patterns = vec![vec![0u64; form.bars]; choruses];
    for n in notes {
        let (chorus, bar) = (n.step / form.steps(), form.bar(n.step as i64));
        patterns[chorus][bar] |= 1 << form.step_in_bar(n.step as i64);
    }
    let total: usize = patterns.iter().map(|bars| bars.iter().collect::<HashSet<_>>().len()).sum();
    total as f64 / choruses.max(1) as f64
}

/// Notes per phrase. A phrase ends at a silent step (a rest of an eighth or more) and at a
/// chorus's end, so a line that never breathes counts one phrase a chorus.
fn phrases(frames: &[Frame], notes: &[Struck], form: Form) -> f64 {
    let mut count = 0;
    let mut open = false;
    let mut next = notes.iter().peekable();
    for (step, frame) in frames.iter().enumerate() {
        if step % form.steps() == 0 {
            open = false;
        }
        if next.peek().is_some_and(|n| n.step == step) {
            next.next();
            count += usize::from(!open);
            open = true;
        } else if frame.melody.key.is_none() {
            open = false;
        }
    }
    share(notes.len(), count).unwrap_or(0.0)
}

/// Eighths within which a note struck again on the same key counts as a repeated key: a beat.
const REPEAT_WITHIN: usize = 2;
/// Semitones from which an interval counts as a wide leap: a tritone.
pub const WIDE_LEAP: u8 = 6;

/// Of the pairs of consecutive notes, the shares that strike the same key again within a beat
/// and that leap a tritone or more; `None` with fewer than two notes.
fn repeats_and_leaps(notes: &[Struck]) -> (Option<f64>, Option<f64>) {
    let pairs = notes.len().saturating_sub(1);
    let repeated = notes.windows(2).filter(|p| p[0].key == p[1].key && p[1].step - p[0].step <= REPEAT_WITHIN).count();
    let leaps = notes.windows(2).filter(|p| p[0].key.abs_diff(p[1].key) >= WIDE_LEAP).count();
    (share(repeated, pairs), share(leaps, pairs))
}

fn melody(frames: &[Frame], form: Form, choruses: usize) -> Option<Melody> {
    let notes = notes(frames, Part::Melody);
    if notes.is_empty() {
        return None;
    }
    let n = notes.len();
    let mut lengths = [0usize; LENGTH_BINS];
    for note in &notes {
        lengths[note.length.min(LENGTH_BINS) - 1] += 1;
    }
    let pc_in = |mask: u16, key: u8| mask & (1 << (key % 12)) != 0;
    let strong: Vec<&Struck> = notes.iter().filter(|n| form.step_in_bar(n.step as i64).is_multiple_of(4)).collect();
    let strong_tones = strong.iter().filter(|n| pc_in(frames[n.step].chord, n.key)).count();
    let key = frames.iter().find_map(|f| chord_root(f.chord)).map(|(root, _)| root);
    let blues = key.map(|k| BLUES_SCALE.iter().fold(0u16, |m, i| m | 1 << ((k + i) % 12)));
    let outside = blues.map(|b| notes.iter().filter(|n| !pc_in(frames[n.step].chord | b, n.key)).count());
    let bars = choruses * form.bars;
    let (repeated_keys, wide_leaps) = repeats_and_leaps(&notes);
    Some(Melody {
        notes_per_bar: n as f64 / bars as f64,
        rest_share: share(frames.iter().filter(|f| f.melody.key.is_none()).count(), frames.len()).unwrap_or(0.0),
        mean_length: notes.iter().map(|n| n.length).sum::<usize>() as f64 / n as f64,
        lengths: lengths.map(|c| c as f64 / n as f64),
        off_beat: notes.iter().filter(|n| n.step % 2 == 1).count() as f64 / n as f64,
        chord_tones_on_strong_beats: share(strong_tones, strong.len()),
        outside: outside.map(|o| o as f64 / n as f64),
        range: range(&notes),
        repeated_keys,
        wide_leaps,
        phrase_notes: phrases(frames, &notes, form),
        distinct_rhythms: distinct_rhythms(&notes, form, choruses),
    })
}

fn bass(frames: &[Frame], form: Form) -> Option<Bass> {
    let notes = notes(frames, Part::Bass);
    if notes.is_empty() {
        return None;
    }
    let beats = frames.len() / 2;
    let beats_struck = notes.iter().filter(|n| n.step.is_multiple_of(2)).count();
    let downbeats: Vec<(u8, u8)> = notes
        .iter()
        .filter(|n| form.step_in_bar(n.step as i64) == 0)
        .filter_map(|n| chord_root(frames[n.step].chord).map(|(root, _)| (n.key % 12, root)))
        .collect();
    let roots = downbeats.iter().filter(|(pc, root)| pc == root).count();
    // The beat before each change: the last note begun in its two eighths leads into it.
    let mut begun: Vec<Option<u8>> = vec![None; frames.len()];
    for n in &notes {
        begun[n.step] = Some(n.key);
    }
    let mut approaches = (0, 0);
    for change in (1..frames.len()).filter(|&s| frames[s].chord != frames[s - 1].chord) {
        let Some((root, _)) = chord_root(frames[change].chord) else { continue };
        let lead = begun[change - 1].or(if change >= 2 { begun[change - 2] } else { None });
        if let Some(lead) = lead {
            let up = (i32::from(root) - i32::from(lead % 12)).rem_euclid(12);
            approaches.0 += usize::from(matches!(up.min(12 - up), 1 | 2));
            approaches.1 += 1;
        }
    }
    Some(Bass {
        beats_struck: beats_struck as f64 / beats.max(1) as f64,
        root_on_downbeat: share(roots, downbeats.len()),
        approach: share(approaches.0, approaches.1),
        range: range(&notes),
    })
}

fn comping(frames: &[Frame], form: Form, choruses: usize) -> Option<Comping> {
    let strikes = notes(frames, Part::Comp);
    if strikes.is_empty() {
        return None;
    }
    let n = strikes.len();
    Some(Comping {
        strikes_per_bar: n as f64 / (choruses * form.bars) as f64,
        distinct_rhythms: distinct_rhythms(&strikes, form, choruses),
        off_beat: strikes.iter().filter(|s| s.step % 2 == 1).count() as f64 / n as f64,
        silent_half_bars: share(
            frames
                .chunks_exact(form.steps_per_bar / 2)
                .filter(|half| half.iter().all(|f| f.comp.key.is_none()))
                .count(),
            frames.len() / (form.steps_per_bar / 2),
        )
        .unwrap_or(0.0),
    })
}

fn drums(frames: &[Frame], form: Form, choruses: usize) -> Option<Drums> {
    let strikes: usize = frames.iter().map(|f| f.drums.struck().count()).sum();
    if strikes == 0 {
        return None;
    }
    let on = |piece: Piece, steps: &[usize]| {
        let at: Vec<&Frame> =
            frames.iter().enumerate().filter(|(s, _)| steps.contains(&(s % 8))).map(|(_, f)| f).collect();
        share(at.iter().filter(|f| f.drums.level(piece) != SILENT).count(), at.len()).unwrap_or(0.0)
    };
    let bars: Vec<&[Frame]> = frames.chunks_exact(form.steps_per_bar).collect();
    let fill_bars: Vec<usize> = (0..bars.len())
        .filter(|&b| is_fill(&bars[b].iter().map(|f| f.drums).collect::<Vec<_>>()))
        .map(|b| b % form.bars)
        .collect();
    let into_sections = fill_bars.iter().filter(|&&b| leads_into_section(b, form.bars)).count();
    let crashes = (0..choruses).filter(|c| frames[c * form.steps()].drums.level(Piece::Crash) != SILENT).count();
    let ghosts: usize = frames.iter().map(|f| f.drums.struck().filter(|&(_, l)| l == GHOST).count()).sum();
    Some(Drums {
        ride_on_beats: on(Piece::Ride, &[0, 2, 4, 6]),
        hat_on_2_and_4: on(Piece::HatFoot, &[2, 6]),
        fills_per_chorus: fill_bars.len() as f64 / choruses.max(1) as f64,
        fills_into_sections: share(into_sections, fill_bars.len()),
        crash_on_bar_1: crashes as f64 / choruses.max(1) as f64,
        ghost_share: ghosts as f64 / strikes as f64,
    })
}

/// Measures `frames` (whole choruses of `form` from bar 1; a trailing partial chorus is
/// ignored).
pub fn phrasing(frames: &[Frame], form: Form) -> Phrasing {
    let choruses = frames.len() / form.steps().max(1);
    let frames = &frames[..choruses * form.steps()];
    Phrasing {
        choruses,
        melody: melody(frames, form, choruses),
        bass: bass(frames, form),
        comping: comping(frames, form, choruses),
        drums: drums(frames, form, choruses),
        answers: answers(frames, form),
    }
}

fn percent(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

/// A measure's label and how to show it ("—" where the voice or the count is missing).
type Measure = (&'static str, fn(&Phrasing) -> Option<String>);

/// The measures, in the order shown.
const MEASURES: &[Measure] = &[
    ("melody: notes per bar", |p| p.melody.as_ref().map(|m| format!("{:.1}", m.notes_per_bar))),
    ("melody: steps at rest", |p| p.melody.as_ref().map(|m| percent(m.rest_share))),
    ("melody: mean note length (eighths)", |p| p.melody.as_ref().map(|m| format!("{:.2}", m.mean_length))),
    ("melody: notes of 1 eighth", |p| p.melody.as_ref().map(|m| percent(m.lengths[0]))),
    ("melody: notes of 2 eighths", |p| p.melody.as_ref().map(|m| percent(m.lengths[1]))),
    ("melody: notes of 3 eighths", |p| p.melody.as_ref().map(|m| percent(m.lengths[2]))),
    ("melody: notes of 4 eighths", |p| p.melody.as_ref().map(|m| percent(m.lengths[3]))),
    ("melody: notes of 5+ eighths", |p| p.melody.as_ref().map(|m| percent(m.lengths[4]))),
    ("melody: notes of 4+ eighths", |p| p.melody.as_ref().map(|m| percent(m.lengths[3] + m.lengths[4]))),
    ("melody: notes begun off the beat", |p| p.melody.as_ref().map(|m| percent(m.off_beat))),
    ("melody: chord tones on beats 1 and 3", |p| p.melody.as_ref()?.chord_tones_on_strong_beats.map(percent)),
    ("melody: outside chord and blues scale", |p| p.melody.as_ref()?.outside.map(percent)),
    ("melody: range (semitones, 5–95 %)", |p| p.melody.as_ref().map(|m| m.range.to_string())),
    ("melody: same key struck again within a beat", |p| p.melody.as_ref()?.repeated_keys.map(percent)),
    ("melody: leaps of a tritone or more", |p| p.melody.as_ref()?.wide_leaps.map(percent)),
    ("melody: notes per phrase", |p| p.melody.as_ref().map(|m| format!("{:.1}", m.phrase_notes))),
    ("melody: distinct bar rhythms per chorus", |p| p.melody.as_ref().map(|m| format!("{:.1}", m.distinct_rhythms))),
    ("bass: beats struck", |p| p.bass.as_ref().map(|b| percent(b.beats_struck))),
    ("bass: root on the downbeat", |p| p.bass.as_ref()?.root_on_downbeat.map(percent)),
    ("bass: steps into the next root", |p| p.bass.as_ref()?.approach.map(percent)),
    ("bass: range (semitones, 5–95 %)", |p| p.bass.as_ref().map(|b| b.range.to_string())),
    ("comping: strikes per bar", |p| p.comping.as_ref().map(|c| format!("{:.1}", c.strikes_per_bar))),
    ("comping: distinct rhythms per chorus", |p| p.comping.as_ref().map(|c| format!("{:.1}", c.distinct_rhythms))),
    ("comping: strikes off the beat", |p| p.comping.as_ref().map(|c| percent(c.off_beat))),
    ("comping: half-bars laid out (no chord)", |p| p.comping.as_ref().map(|c| percent(c.silent_half_bars))),
    ("trading: answer's first bar, rhythm shared with its call", |p| p.answers.map(|a| percent(a.rhythm_own))),
    ("trading: … with another call", |p| p.answers.map(|a| percent(a.rhythm_other))),
    ("trading: answer's first bar, contour shared with its call", |p| p.answers.map(|a| percent(a.contour_own))),
    ("trading: … with another call", |p| p.answers.map(|a| percent(a.contour_other))),
    ("drums: ride on the beat", |p| p.drums.as_ref().map(|d| percent(d.ride_on_beats))),
    ("drums: hi-hat on 2 and 4", |p| p.drums.as_ref().map(|d| percent(d.hat_on_2_and_4))),
    ("drums: fills per chorus", |p| p.drums.as_ref().map(|d| format!("{:.2}", d.fills_per_chorus))),
    ("drums: fills leading into a section", |p| p.drums.as_ref()?.fills_into_sections.map(percent)),
    ("drums: crash on bar 1", |p| p.drums.as_ref().map(|d| percent(d.crash_on_bar_1))),
    ("drums: ghost notes", |p| p.drums.as_ref().map(|d| percent(d.ghost_share))),
];

fn cells(columns: &[(&str, &Phrasing)]) -> Vec<Vec<String>> {
    MEASURES
        .iter()
        .map(|(_, f)| columns.iter().map(|(_, p)| f(p).unwrap_or_else(|| "—".to_string())).collect())
        .collect()
}

/// A GitHub-flavoured Markdown table: one row per measure, one column per stream.
pub fn phrasing_table(columns: &[(&str, &Phrasing)]) -> String {
    let line = |first: &str, rest: Vec<String>| format!("| {first} | {} |\n", rest.join(" | "));
    let mut out = line("", columns.iter().map(|(name, _)| name.replace('|', "/")).collect());
    out += &line("---", columns.iter().map(|_| "---:".to_string()).collect());
    for ((label, _), row) in MEASURES.iter().zip(cells(columns)) {
        out += &line(label, row);
    }
    out
}

/// The same as aligned plain text, values right-justified.
pub fn phrasing_plain(columns: &[(&str, &Phrasing)]) -> String {
    let cells = cells(columns);
    let width = |s: &str| s.chars().count();
    let label_width = MEASURES.iter().map(|(l, _)| width(l)).max().unwrap_or(0);
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(c, (name, _))| cells.iter().map(|row| width(&row[c])).chain([width(name)]).max().unwrap_or(0))
        .collect();
    let mut out = format!("{:label_width$}", "");
    for ((name, _), w) in columns.iter().zip(&widths) {
        out += &format!("  {name:>w$}");
    }
    out += "\n";
    for ((label, _), row) in MEASURES.iter().zip(&cells) {
        out += &format!("{label:label_width$}");
        for (cell, w) in row.iter().zip(&widths) {
            out += &format!("  {cell:>w$}");
        }
        out += "\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::corpus::Corpus;
    use crate::music::encoding::{chord_mask, Note, STEPS_PER_BAR};
    use crate::music::notation::parse_chord;
    use crate::music::style::builtin_style;

    fn form(bars: usize) -> Form {
        Form { steps_per_bar: STEPS_PER_BAR, bars }
    }

    fn chord(name: &str) -> u16 {
        parse_chord(name).unwrap().mask
    }

    /// Frames over `chord` with the given melody notes, one per step.
    fn melody_over(chord: u16, notes: &[Note]) -> Vec<Frame> {
        notes.iter().map(|&melody| Frame { chord, melody, ..Frame::default() }).collect()
    }

    /// A line from text: a key (MIDI number) struck, "-" held, "." silent.
    fn line(text: &str) -> Vec<Note> {
        let mut out: Vec<Note> = Vec::new();
        for word in text.split_whitespace() {
            out.push(match word {
                "-" => Note { begin: false, ..out.last().copied().unwrap_or(Note::REST) },
                "." => Note::REST,
                key => Note::struck(key.parse().unwrap()),
            });
        }
        out
    }

    #[test]
    fn a_bar_of_struck_eighths() {
        let p = phrasing(&melody_over(chord("C7"), &line("60 62 64 65 67 69 70 72")), form(1));
        assert_eq!((p.choruses, p.bass, p.comping), (1, None, None));
        let m = p.melody.unwrap();
        assert_eq!((m.notes_per_bar, m.rest_share, m.mean_length, m.off_beat), (8.0, 0.0, 1.0, 0.5));
        assert_eq!(m.lengths, [1.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(m.chord_tones_on_strong_beats, Some(1.0), "C and G over C7");
        assert_eq!(m.outside, Some(0.25), "D and A are in neither C7 nor the C blues scale");
        assert_eq!((m.range, m.phrase_notes, m.distinct_rhythms), (12, 8.0, 1.0));
        assert_eq!((m.repeated_keys, m.wide_leaps), (Some(0.0), Some(0.0)), "steps of a second");
    }

    #[test]
    fn repeated_keys_within_a_beat_and_wide_leaps() {
        // C C: again at once; C - E: a third; E . E: again a beat after (across a rest);
        // E - - F#: a step, later; F# C: a tritone down; C . . C: again, but after a beat and
        // a half; C G: a fifth up.
        let notes = line("60 60 - 64 . 64 - - 66 60 . . 60 67 - -");
        let m = phrasing(&melody_over(chord("C7"), &notes), form(2)).melody.unwrap();
        // Pairs: C-C, C-E, E-E, E-F#, F#-C, C-C, C-G: 7.
        assert_eq!(m.repeated_keys, Some(2.0 / 7.0), "C C and E . E, not C . . C");
        assert_eq!(m.wide_leaps, Some(2.0 / 7.0), "F# to C and C to G");
        // A held key changed without a strike is a new note; held on, it is one note.
        let held = line("60 - - - 60 - - -");
        let m = phrasing(&melody_over(chord("C7"), &held), form(1)).melody.unwrap();
        assert_eq!(m.repeated_keys, Some(0.0), "a half note, then the same key a beat later");
        let mut frames = melody_over(chord("C7"), &line("60 - 72 - . . . ."));
        frames[2].melody.begin = false;
        assert_eq!(phrasing(&frames, form(1)).melody.unwrap().wide_leaps, Some(1.0), "an octave");
        let one = phrasing(&melody_over(chord("C7"), &line("60 - - - - - - -")), form(1)).melody.unwrap();
        assert_eq!((one.repeated_keys, one.wide_leaps), (None, None), "no pair");
    }

    #[test]
    fn half_notes_rests_and_phrases() {
        let p = phrasing(&melody_over(chord("F7"), &line("65 - - - 69 - - -")), form(1));
        let m = p.melody.unwrap();
        assert_eq!((m.notes_per_bar, m.mean_length, m.off_beat), (2.0, 4.0, 0.0));
        assert_eq!(m.lengths, [0.0, 0.0, 0.0, 1.0, 0.0]);
        assert_eq!(m.chord_tones_on_strong_beats, Some(1.0));

        // Two bars: breaths after the first note and after a restrike, then a bar whose note
        // changes key without a strike (a new note all the same) and ends the chorus.
        let notes = line("60 - . . 64 64 - . 62 - - - - - - -");
        let mut frames = melody_over(chord("C7"), &notes);
        for f in &mut frames[12..] {
            f.melody = Note::held(67);
        }
        let m = phrasing(&frames, form(2)).melody.unwrap();
        assert_eq!(m.rest_share, 3.0 / 16.0);
        assert_eq!(m.notes_per_bar, 2.5, "C, E, E, D, G");
        assert_eq!(m.lengths, [0.2, 0.4, 0.0, 0.4, 0.0]);
        assert_eq!(m.off_beat, 0.2);
        assert_eq!(m.phrase_notes, 5.0 / 3.0, "(C) (E E) (D G)");
        assert_eq!(m.distinct_rhythms, 2.0);
        assert_eq!(m.chord_tones_on_strong_beats, Some(0.75), "C, E and G over C7; D is not");
        // A phrase does not run on into the next chorus.
        let twice: Vec<Frame> = frames.iter().chain(&frames).copied().collect();
        assert_eq!(phrasing(&twice, form(2)).melody.unwrap().phrase_notes, 5.0 / 3.0);
    }

    /// Chords C7 | F7 | G7 | C7 with `bass`, one key per beat.
    fn walking(bass: [u8; 16]) -> Vec<Frame> {
        let chords = ["C7", "F7", "G7", "C7"].map(chord);
        (0..32)
            .map(|s| Frame {
                chord: chords[s / 8],
                bass: Note { key: Some(bass[s / 2]), begin: s % 2 == 0 },
                ..Frame::default()
            })
            .collect()
    }

    #[test]
    fn a_walking_bass_lands_on_roots_and_steps_into_them() {
        // C E G E | F A C F# | G B D Db | C E G B
        let p = phrasing(&walking([36, 40, 43, 40, 41, 45, 48, 42, 43, 47, 50, 49, 36, 40, 43, 35]), form(4));
        assert_eq!((p.melody, p.comping), (None, None));
        let b = p.bass.unwrap();
        assert_eq!((b.beats_struck, b.root_on_downbeat, b.approach), (1.0, Some(1.0), Some(1.0)));
        assert_eq!(b.range, 49 - 36);
        // The 3rd on bar 2's downbeat, and a leap of a fourth into it and into bar 4's root.
        let b =
            phrasing(&walking([36, 40, 43, 36, 45, 45, 48, 42, 43, 47, 50, 53, 36, 40, 43, 35]), form(4)).bass.unwrap();
        assert_eq!((b.root_on_downbeat, b.approach), (Some(0.75), Some(1.0 / 3.0)));
        // Half notes: two beats of four struck.
        let mut frames = walking([36; 16]);
        for (s, f) in frames.iter_mut().enumerate() {
            f.bass.begin = s % 4 == 0;
        }
        assert_eq!(phrasing(&frames, form(4)).bass.unwrap().beats_struck, 0.5);
    }

    #[test]
    fn comping_on_the_and_of_two_and_on_four() {
        let strikes = line(". . . 0 - . 0 -");
        let frames: Vec<Frame> = strikes
            .iter()
            .map(|&comp| Frame { chord: chord_mask(&[48, 52, 55, 58]), comp, ..Frame::default() })
            .collect();
        let c = phrasing(&frames, form(1)).comping.unwrap();
        assert_eq!((c.strikes_per_bar, c.off_beat, c.distinct_rhythms), (2.0, 0.5, 1.0));
        assert_eq!(c.silent_half_bars, 0.0, "a chord sounds on the and of two");
        // Laid out for the first half of bar 1 and the second of bar 2; the chord of bar 2's
        // first half sounds on its last eighth only.
        let two = line(". . . . 0 - 0 - . . . 0 . . . .");
        let frames: Vec<Frame> =
            two.iter().map(|&comp| Frame { chord: chord_mask(&[48, 52, 55, 58]), comp, ..Frame::default() }).collect();
        assert_eq!(phrasing(&frames, form(2)).comping.unwrap().silent_half_bars, 0.5);
        // A partial chorus is ignored; a chorus with no comping has none.
        let p = phrasing(&frames[..7], form(1));
        assert_eq!((p.choruses, p.comping), (0, None));
    }

    #[test]
    fn a_drummer_keeps_time_crashes_the_top_and_fills_into_it() {
        use crate::music::drums::{Hits, ACCENT, NORMAL};
        let f = form(12);
        let mut frames = vec![Frame::default(); 2 * f.steps()];
        for (step, frame) in frames.iter_mut().enumerate() {
            let mut hits = Hits::NONE;
            if step % 2 == 0 {
                hits.set(Piece::Ride, NORMAL);
            }
            if step % 8 == 2 || step % 8 == 6 {
                hits.set(Piece::HatFoot, NORMAL);
            }
            if step % 8 == 3 {
                hits.set(Piece::Snare, GHOST);
            }
            frame.drums = hits;
        }
        frames[0].drums.set(Piece::Crash, ACCENT);
        for step in [11 * 8 + 4, 11 * 8 + 5, 11 * 8 + 6, 11 * 8 + 7, 5 * 8 + 4, 5 * 8 + 6, 5 * 8 + 7] {
            frames[step].drums.set(Piece::Snare, NORMAL);
        }
        let d = phrasing(&frames, f).drums.unwrap();
        assert_eq!((d.ride_on_beats, d.hat_on_2_and_4, d.crash_on_bar_1), (1.0, 1.0, 0.5));
        assert_eq!(d.fills_per_chorus, 1.0, "bar 6 of the first chorus and bar 12 of the first");
        assert_eq!(d.fills_into_sections, Some(0.5));
        assert!(d.ghost_share > 0.0 && d.ghost_share < 0.2);
        assert!(phrasing(&frames[..0], f).drums.is_none());
    }

    #[test]
    fn the_bebop_corpus_breathes_swings_and_walks() {
        let style = builtin_style("bebop-blues").unwrap();
        let frames = super::super::corpus_frames(&Corpus::of_style(style), 40, 3);
        let p = phrasing(&frames, style.form());
        assert_eq!(p.choruses, 40);
        let m = p.melody.unwrap();
        assert!(m.rest_share > 0.05, "{m:?}");
        assert!(m.off_beat > 0.2, "{m:?}");
        assert!(m.phrase_notes > 3.0 && m.phrase_notes < 30.0, "{m:?}");
        assert!(m.chord_tones_on_strong_beats.unwrap() > 0.6, "{m:?}");
        let b = p.bass.unwrap();
        assert!(b.beats_struck > 0.75, "{b:?}");
        assert!(b.root_on_downbeat.unwrap() > 0.7, "{b:?}");
        assert!(b.approach.unwrap() > 0.6, "the written lines lead into the changes: {b:?}");
        let c = p.comping.unwrap();
        assert!(c.off_beat > 0.2 && c.distinct_rhythms > 3.0, "{c:?}");
    }

    #[test]
    fn the_papers_corpus_never_rests_and_has_no_rhythm_section() {
        let style = builtin_style("paper-blues").unwrap();
        let frames = super::super::corpus_frames(&Corpus::of_style(style), 10, 1);
        let p = phrasing(&frames, style.form());
        assert_eq!((p.bass, p.comping), (None, None));
        let m = p.melody.unwrap();
        assert_eq!((m.notes_per_bar, m.rest_share, m.mean_length, m.off_beat), (4.0, 0.0, 2.0, 0.0));
        assert_eq!(m.phrase_notes, 48.0, "one phrase a chorus");
    }

    #[test]
    fn tables_show_every_measure_and_dashes_for_missing_voices() {
        let p = phrasing(&melody_over(chord("C7"), &line("60 62 64 65 67 69 70 72")), form(1));
        let empty = phrasing(&[Frame::default(); 8], form(1));
        let columns = [("Corpus", &p), ("A | B", &empty)];
        let md = phrasing_table(&columns);
        assert_eq!(md.lines().count(), 2 + MEASURES.len());
        assert!(md.lines().all(|l| l.matches(" | ").count() == 2), "{md}");
        assert!(md.contains("| melody: notes begun off the beat | 50.0 % | — |"), "{md}");
        assert!(md.contains("| bass: beats struck | — | — |"));
        let text = phrasing_plain(&columns);
        let widths: Vec<usize> = text.lines().map(|l| l.chars().count()).collect();
        assert_eq!(widths.len(), 1 + MEASURES.len());
        assert!(widths.iter().all(|&w| w == widths[0]), "columns line up: {widths:?}");
    }
}
