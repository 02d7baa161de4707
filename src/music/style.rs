//! The built-in styles: each a form and a corpus written by us as data (`styles/*.txt`, in the
//! notation of `notation.rs`), read once and expanded into frames, so that a chorus of the
//! corpus — one alternative per section of every voice, picked by the chorus's index — is
//! written out without allocating (the audio thread auditions them).
//!
//! Built on first use on any thread; afterwards read-only.

use super::drums::Hits;
use super::encoding::{Form, Frame, Note, STEPS_PER_BAR};
use super::intensity::{ranks, score_line};
use super::notation::{parse_chord, parse_style, Slot, StyleText};
use super::part::Part;
use crate::lstm::rng::mix;
use std::sync::OnceLock;

/// The files of the built-in styles, in the order the plugin lists them.
const STYLE_FILES: [(&str, &str); 7] = [
    ("bebop-blues", include_str!("styles/bebop_blues.txt")),
    ("jazz-blues", include_str!("styles/jazz_blues.txt")),
    ("minor-blues", include_str!("styles/minor_blues.txt")),
    ("eight-bar-blues", include_str!("styles/eight_bar_blues.txt")),
    ("sixteen-bar-blues", include_str!("styles/sixteen_bar_blues.txt")),
    ("rhythm-changes", include_str!("styles/rhythm_changes.txt")),
    ("paper-blues", include_str!("styles/paper_blues.txt")),
];

/// One section of one voice, expanded: the notes of each alternative, step by step (for the
/// drums, the strokes of each).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Expanded {
    voice: Part,
    first_step: usize,
    alternatives: Vec<Vec<Note>>,
    drums: Vec<Vec<Hits>>,
    /// Of a band's melody section: each line's rank in its section by how dense and high it is
    /// (`music::intensity`), in thousandths (0 the sparsest), so a chorus picks lines of one
    /// intensity.
    intensity: Vec<u16>,
}

impl Expanded {
    fn len(&self) -> usize {
        self.alternatives.len().max(self.drums.len())
    }
}

/// A style's form and corpus, ready to write choruses.
#[derive(Debug, PartialEq, Eq)]
pub struct Style {
    pub id: String,
    pub title: String,
    pub bars: usize,
    /// The chord of every step of the form.
    pub chords: Vec<u16>,
    /// The chord names of every bar, as written (1, 2 or 4 a bar).
    pub chord_names: Vec<Vec<String>>,
    sections: Vec<Expanded>,
    /// Melody lines picked near where the last one ended (`phrases: connected`).
    connected_phrases: bool,
}

impl Style {
    /// Reads and expands a style text; the error says what and where.
    pub fn from_text(text: &str) -> Result<Style, String> {
        let parsed = parse_style(text).map_err(|e| e.to_string())?;
        Ok(Self::expand(&parsed))
    }

    fn expand(parsed: &StyleText) -> Style {
        // A band (a style with a bass line) writes each chorus at an intensity of its own; the
        // paper's corpus recombines its bars freely, as the paper did.
        let band = parsed.sections.iter().any(|s| s.part == Part::Bass);
        let mut chords = Vec::with_capacity(parsed.bars * STEPS_PER_BAR);
        for bar in &parsed.chords {
            let per_chord = STEPS_PER_BAR / bar.len();
            for step in 0..STEPS_PER_BAR {
                chords.push(bar[step / per_chord].mask);
            }
        }
        let sections = parsed
            .sections
            .iter()
            .map(|s| {
                let (lines, drums) = if s.part == Part::Drums {
                    (Vec::new(), s.alternatives.iter().map(|slots| hits_of(slots)).collect())
                } else {
                    (s.alternatives.iter().map(|slots| notes_of(slots)).collect(), Vec::new())
                };
                let intensity = if s.part == Part::Melody && band {
                    let scores: Vec<f32> =
                        lines.iter().map(|l: &Vec<Note>| score_line(l.iter().copied(), STEPS_PER_BAR)).collect();
                    ranks(&scores).into_iter().map(|r| (r * 1000.0).round() as u16).collect()
                } else {
                    Vec::new()
                };
                Expanded {
                    voice: s.part,
                    first_step: s.first_bar * STEPS_PER_BAR,
                    alternatives: lines,
                    drums,
                    intensity,
                }
            })
            .collect();
        Style {
            id: parsed.id.clone(),
            title: parsed.title.clone(),
            bars: parsed.bars,
            chords,
            chord_names: parsed.chords.iter().map(|bar| bar.iter().map(|c| c.name.clone()).collect()).collect(),
            sections,
            connected_phrases: parsed.connected_phrases,
        }
    }

    /// The key it is written in (pitch class, 0 = C), as its title says ("… in Bb"); a title
    /// that names none (the paper's) is in the key of its first chord.
    pub fn key(&self) -> Option<u8> {
        match self.title.rsplit_once(" in ") {
            Some((_, after)) => parse_chord(after.split_whitespace().next()?).ok().map(|chord| chord.root),
            None => crate::music::chord_names::chord_root(*self.chords.first()?).map(|(root, _)| root),
        }
    }

    /// The form its choruses have.
    pub fn form(&self) -> Form {
        Form { steps_per_bar: STEPS_PER_BAR, bars: self.bars }
    }

    /// Whether its corpus has `voice`.
    pub fn has(&self, voice: Part) -> bool {
        self.sections.iter().any(|s| s.voice == voice)
    }

    /// How many of a section's alternatives a chorus chooses among: all of them, or, for a
    /// connected melody line after the first, the nearer two thirds.
    fn choices(&self, section: usize) -> usize {
        let s = &self.sections[section];
        let n = s.len();
        if self.follows_a_line(section) {
            (2 * n).div_ceil(3)
        } else {
            n
        }
    }

    /// Whether `section` is a melody line chosen by where the melody line before it ended.
    fn follows_a_line(&self, section: usize) -> bool {
        let voice = self.sections[section].voice;
        self.connected_phrases
            && voice == Part::Melody
            && self.sections[..section].iter().any(|s| s.voice == Part::Melody)
    }

    /// The product of every section's choices, when it fits a `usize`.
    fn exact_choruses(&self) -> Option<usize> {
        (0..self.sections.len()).try_fold(1usize, |n, i| n.checked_mul(self.choices(i)))
    }

    /// Choruses to choose from: every combination of alternatives, or, for a style with more
    /// combinations than a `usize` counts (rhythm changes has about 10^34), `usize::MAX`.
    pub fn choruses(&self) -> usize {
        self.exact_choruses().unwrap_or(usize::MAX)
    }

    /// Writes chorus `index` (0 ..< `choruses()`) into `out` (a whole chorus). Section by
    /// section, the choice is the next digit of `index` in the sections' mixed radix (the
    /// first section is the lowest digit), so every combination has its index; where there are
    /// more combinations than indices, each section's choice is a hash of the index and the
    /// section, so none of them is left out. A connected melody line chooses among its
    /// section's lines by how near they start to the last key of the line before (nearest
    /// first). A band's chorus is written at an intensity of its own (a hash of the index): each
    /// melody section picks among the half of its lines whose density suits it, so a chorus is
    /// sparse, busy or between throughout, as a soloist plays one (`music::intensity`).
    /// Allocation-free.
    pub fn write_chorus(&self, index: usize, out: &mut [Frame]) {
        for (frame, &chord) in out.iter_mut().zip(&self.chords) {
            *frame = Frame { chord, ..Frame::default() };
        }
        let exact = self.exact_choruses().is_some();
        let mut rest = index;
        let mut last_melody_key: Option<u8> = None;
        for (i, section) in self.sections.iter().enumerate() {
            let n = self.choices(i);
            let digit = if exact { rest % n } else { (mix(index as u64, i as u64) % n as u64) as usize };
            rest /= n;
            let pick = if section.intensity.is_empty() {
                match (self.follows_a_line(i), last_melody_key) {
                    (true, Some(key)) => nth_nearest(&section.alternatives, key, digit),
                    _ => digit,
                }
            } else {
                pick_at_intensity(
                    section,
                    chorus_intensity(index),
                    digit,
                    self.follows_a_line(i).then_some(last_melody_key).flatten(),
                )
            };
            if section.voice == Part::Drums {
                for (frame, &hits) in out[section.first_step..].iter_mut().zip(&section.drums[pick]) {
                    frame.drums = hits;
                }
                continue;
            }
            let notes = &section.alternatives[pick];
            if section.voice == Part::Melody {
                last_melody_key = notes.iter().rev().find_map(|n| n.key).or(last_melody_key);
            }
            for (frame, &note) in out[section.first_step..].iter_mut().zip(notes) {
                *frame.voice_mut(section.voice) = note;
            }
        }
    }

    /// Chorus `index` as a new vector.
    pub fn chorus(&self, index: usize) -> Vec<Frame> {
        let mut frames = vec![Frame::default(); self.form().steps()];
        self.write_chorus(index, &mut frames);
        frames
    }
}

/// The intensity chorus `index` of a band is written at, in thousandths: a hash of the index, so
/// the choruses spread evenly from sparse to busy.
fn chorus_intensity(index: usize) -> u16 {
    (mix(index as u64, 0x1A7E_5171) % 1001) as u16
}

/// A band's melody line for a chorus at `intensity`: among the half of the section's lines whose
/// rank by density (`Expanded::intensity`) is nearest it, the `digit`-th (modulo their number);
/// for a connected line (`after`: the last key of the line before), the `digit`-th nearest to
/// where that ended among the nearer two thirds of them. Allocation-free.
fn pick_at_intensity(section: &Expanded, intensity: u16, digit: usize, after: Option<u8>) -> usize {
    let n = section.alternatives.len();
    let fit = |j: usize| (section.intensity[j].abs_diff(intensity), j);
    let fit_rank = |j: usize| (0..n).filter(|&l| fit(l) < fit(j)).count();
    let k = n.div_ceil(2);
    let fitting = |j: usize| fit_rank(j) < k;
    match after {
        Some(key) => {
            let d = digit % (2 * k).div_ceil(3);
            let distance = |j: usize| {
                let first = section.alternatives[j].iter().find_map(|n| n.key).unwrap_or(key);
                (u32::from(first.abs_diff(key)), j)
            };
            (0..n)
                .filter(|&j| fitting(j))
                .find(|&j| (0..n).filter(|&l| fitting(l) && distance(l) < distance(j)).count() == d)
                .unwrap_or(0)
        }
        None => {
            let d = digit % k;
            (0..n).find(|&j| fit_rank(j) == d).unwrap_or(0)
        }
    }
}

/// The alternative whose first key is the `rank`-th nearest to `key` (ties to the one written
/// first). Allocation-free: a rank counts the alternatives nearer than each candidate.
fn nth_nearest(alternatives: &[Vec<Note>], key: u8, rank: usize) -> usize {
    let distance = |i: usize| {
        let first = alternatives[i].iter().find_map(|n| n.key).unwrap_or(key);
        (u32::from(first.abs_diff(key)), i)
    };
    (0..alternatives.len())
        .find(|&i| (0..alternatives.len()).filter(|&j| distance(j) < distance(i)).count() == rank)
        .unwrap_or(0)
}

/// Slots as notes: a struck key, a held one, silence (a hold after silence stays silent).
fn notes_of(slots: &[Slot]) -> Vec<Note> {
    let mut notes = Vec::with_capacity(slots.len());
    let mut sounding: Option<u8> = None;
    for &slot in slots {
        let note = match slot {
            Slot::Note(key) => Note::struck(key),
            Slot::Strike => Note::struck(0),
            Slot::Hold => sounding.map_or(Note::REST, Note::held),
            Slot::Rest | Slot::Drums(_) => Note::REST,
        };
        sounding = note.key;
        notes.push(note);
    }
    notes
}

/// A drums alternative's slots as strokes.
fn hits_of(slots: &[Slot]) -> Vec<Hits> {
    slots.iter().map(|slot| if let Slot::Drums(hits) = slot { *hits } else { Hits::NONE }).collect()
}

/// The style files compiled in: (id, text), in the order the plugin lists them.
pub fn style_files() -> &'static [(&'static str, &'static str)] {
    &STYLE_FILES
}

/// The built-in styles, read once.
pub fn builtin_styles() -> &'static [Style] {
    static STYLES: OnceLock<Vec<Style>> = OnceLock::new();
    STYLES.get_or_init(|| {
        STYLE_FILES
            .iter()
            .map(|(id, text)| {
                let style = Style::from_text(text).unwrap_or_else(|e| panic!("built-in style {id}: {e}"));
                assert_eq!(style.id, *id, "built-in style file id");
                style
            })
            .collect()
    })
}

/// The built-in style `id`, if there is one.
pub fn builtin_style(id: &str) -> Option<&'static Style> {
    builtin_styles().iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::encoding::chord_mask;
    use std::collections::HashSet;

    fn paper() -> &'static Style {
        builtin_style("paper-blues").expect("the paper's style is built in")
    }

    #[test]
    fn the_papers_corpus_is_one_chord_a_bar_and_quarter_notes() {
        let style = paper();
        assert_eq!(style.choruses(), 4096);
        assert!(style.has(Part::Melody) && !style.has(Part::Bass) && !style.has(Part::Comp));
        let form_masks = [
            chord_mask(&[48, 52, 55, 58]), // C7
            chord_mask(&[48, 51, 53, 57]), // F7
            chord_mask(&[48, 52, 55, 58]),
            chord_mask(&[48, 52, 55, 58]),
            chord_mask(&[48, 51, 53, 57]),
            chord_mask(&[48, 51, 53, 57]),
            chord_mask(&[48, 52, 55, 58]),
            chord_mask(&[49, 52, 55, 57]), // A7
            chord_mask(&[48, 50, 53, 57]), // Dm7
            chord_mask(&[50, 53, 55, 59]), // G7
            chord_mask(&[48, 52, 55, 58]),
            chord_mask(&[50, 53, 55, 59]),
        ];
        for index in [0, 1, 2047, 4095] {
            let chorus = style.chorus(index);
            for (step, frame) in chorus.iter().enumerate() {
                assert_eq!(frame.chord, form_masks[step / 8]);
                let note = frame.melody;
                assert!(note.key.is_some(), "no rests in the paper's corpus");
                assert_eq!(note.begin, step % 2 == 0, "quarter notes, struck on the beat");
                if step % 2 == 1 {
                    assert_eq!(note.key, chorus[step - 1].melody.key);
                }
            }
        }
        // Bit b of the index picks bar b's segment, as the paper's construction always did.
        let (a, b) = (style.chorus(0), style.chorus(1 << 5));
        let differs: Vec<usize> = (0..96).filter(|&s| a[s] != b[s]).map(|s| s / 8).collect();
        assert!(!differs.is_empty() && differs.iter().all(|&bar| bar == 5), "{differs:?}");
        let distinct: HashSet<Vec<Frame>> = (0..4096).map(|i| style.chorus(i)).collect();
        assert_eq!(distinct.len(), 4096);
    }

    /// The lines of each section that turn up among 5000 choruses spread over the index range.
    /// (Lines as their notes, or for the drums their strokes, written out.)
    fn lines_heard(style: &Style) -> Vec<HashSet<String>> {
        let mut seen: Vec<HashSet<String>> = vec![HashSet::new(); style.sections.len()];
        for i in 0..5000u64 {
            let c = style.chorus((mix(i, 99) % style.choruses() as u64) as usize);
            for (s, section) in style.sections.iter().enumerate() {
                let steps = &c[section.first_step..];
                let line = if section.voice == Part::Drums {
                    format!("{:?}", steps.iter().take(section.drums[0].len()).map(|f| f.drums).collect::<Vec<_>>())
                } else {
                    let len = section.alternatives[0].len();
                    format!("{:?}", steps.iter().take(len).map(|f| f.voice(section.voice)).collect::<Vec<_>>())
                };
                seen[s].insert(line);
            }
        }
        seen
    }

    #[test]
    fn every_built_in_style_reads_and_plays_nearly_every_line() {
        assert_eq!(builtin_styles().len(), STYLE_FILES.len());
        let rhythm = builtin_style("rhythm-changes").unwrap();
        assert_eq!((rhythm.bars, rhythm.choruses()), (32, usize::MAX));
        for style in builtin_styles() {
            let seen = lines_heard(style);
            for (s, section) in style.sections.iter().enumerate() {
                if section.voice != Part::Melody || !style.connected_phrases {
                    assert_eq!(seen[s].len(), section.len(), "{}: section {s}, every line", style.id);
                }
            }
            // A connected line far from where every line before it ends is never picked: few are.
            let (heard, written) = seen
                .iter()
                .zip(&style.sections)
                .fold((0, 0), |(h, w), (seen, section)| (h + seen.len(), w + section.len()));
            assert!(heard * 100 >= written * 95, "{}: only {heard} of {written} lines heard", style.id);
        }
    }

    #[test]
    fn connected_phrases_pick_up_where_the_last_one_ended() {
        let style = builtin_style("bebop-blues").unwrap();
        let unconnected = Style { connected_phrases: false, ..Style::from_text(STYLE_FILES[0].1).unwrap() };
        let mean_leap = |style: &Style| {
            let (mut sum, mut n) = (0u64, 0u64);
            for i in 0..500u64 {
                let c = style.chorus((mix(i, 7) % style.choruses() as u64) as usize);
                let mut last = None;
                for section in style.sections.iter().filter(|s| s.voice == Part::Melody) {
                    let len = section.alternatives[0].len();
                    let keys: Vec<u8> =
                        c[section.first_step..section.first_step + len].iter().filter_map(|f| f.melody.key).collect();
                    if let (Some(last), Some(&first)) = (last, keys.first()) {
                        sum += u64::from(first.abs_diff(last));
                        n += 1;
                    }
                    last = keys.last().copied().or(last);
                }
            }
            sum as f64 / n as f64
        };
        let (joined, apart) = (mean_leap(style), mean_leap(&unconnected));
        assert!(
            joined < 0.8 * apart,
            "a phrase starts {joined:.1} semitones from the last one's end, {apart:.1} if chosen apart"
        );
    }

    #[test]
    fn voices_sections_and_holds_expand_into_notes() {
        let text = "style: t\nbars: 4\nchords: C7 | F7 G7 | C7 | C7\n\
            melody 1-4:\n  c4 - - . e4 e4 - . | . . . . . . . . | . . . . . . . . | . . . . . . g4 -\n\
            comp 1-4:\n  x - . x . . . . | . . . . x - - - | . . . . . . . . | x . . . . . . .\n  . . . . . . . . | . . . . . . . . | . . . . . . . . | . . . . . . . .\n";
        let style = Style::from_text(text).unwrap();
        assert_eq!(style.choruses(), 2);
        let c = style.chorus(0);
        let melody: Vec<Note> = c[..8].iter().map(|f| f.melody).collect();
        let want = [
            Note::struck(60),
            Note::held(60),
            Note::held(60),
            Note::REST,
            Note::struck(64),
            Note::struck(64),
            Note::held(64),
            Note::REST,
        ];
        assert_eq!(melody, want);
        assert_eq!(c[12].chord, chord_mask(&[55, 59, 62, 65]), "G7 from beat 3 of bar 2");
        assert_eq!((c[0].comp, c[1].comp, c[2].comp), (Note::struck(0), Note::held(0), Note::REST));
        assert!(style.chorus(1).iter().all(|f| f.comp == Note::REST));
        assert_eq!(style.chord_names[1], vec!["F7".to_string(), "G7".to_string()]);
    }
}
