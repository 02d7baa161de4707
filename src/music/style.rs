//! The built-in styles: each a form and a corpus written by us as data (`styles/*.txt`, in the
//! notation of `notation.rs`), read once and expanded into frames, so that a chorus of the
//! corpus — one alternative per section of every voice, picked by the chorus's index — is
//! written out without allocating (the audio thread auditions them).
//!
//! Built on first use on any thread; afterwards read-only.

use super::encoding::{Form, Frame, Note, Voice, STEPS_PER_BAR};
use super::notation::{parse_style, Part, Slot, StyleText};
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

/// One section of one voice, expanded: the notes of each alternative, step by step.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Expanded {
    voice: Voice,
    first_step: usize,
    alternatives: Vec<Vec<Note>>,
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
}

impl Style {
    /// Reads and expands a style text; the error says what and where.
    pub fn from_text(text: &str) -> Result<Style, String> {
        let parsed = parse_style(text).map_err(|e| e.to_string())?;
        Ok(Self::expand(&parsed))
    }

    fn expand(parsed: &StyleText) -> Style {
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
            .map(|s| Expanded {
                voice: match s.part {
                    Part::Melody => Voice::Melody,
                    Part::Bass => Voice::Bass,
                    Part::Comp => Voice::Comp,
                },
                first_step: s.first_bar * STEPS_PER_BAR,
                alternatives: s.alternatives.iter().map(|slots| notes_of(slots)).collect(),
            })
            .collect();
        Style {
            id: parsed.id.clone(),
            title: parsed.title.clone(),
            bars: parsed.bars,
            chords,
            chord_names: parsed.chords.iter().map(|bar| bar.iter().map(|c| c.name.clone()).collect()).collect(),
            sections,
        }
    }

    /// The form its choruses have.
    pub fn form(&self) -> Form {
        Form { steps_per_bar: STEPS_PER_BAR, bars: self.bars }
    }

    /// Whether its corpus has `voice`.
    pub fn has(&self, voice: Voice) -> bool {
        self.sections.iter().any(|s| s.voice == voice)
    }

    /// The product of every section's alternatives, when it fits a `usize`.
    fn exact_choruses(&self) -> Option<usize> {
        self.sections.iter().try_fold(1usize, |n, s| n.checked_mul(s.alternatives.len()))
    }

    /// Choruses to choose from: every combination of alternatives, or, for a style with more
    /// combinations than a `usize` counts (rhythm changes has about 10^34), `usize::MAX`.
    pub fn choruses(&self) -> usize {
        self.exact_choruses().unwrap_or(usize::MAX)
    }

    /// Writes chorus `index` (0 ..< `choruses()`) into `out` (a whole chorus). Section by
    /// section, the alternative is the next digit of `index` in the sections' mixed radix (the
    /// first section is the lowest digit), so every combination has its index; where there are
    /// more combinations than indices, each section's alternative is a hash of the index and
    /// the section, so none of them is left out. Allocation-free.
    pub fn write_chorus(&self, index: usize, out: &mut [Frame]) {
        for (frame, &chord) in out.iter_mut().zip(&self.chords) {
            *frame = Frame { chord, ..Frame::default() };
        }
        let exact = self.exact_choruses().is_some();
        let mut rest = index;
        for (i, section) in self.sections.iter().enumerate() {
            let n = section.alternatives.len();
            let pick = if exact { rest % n } else { (mix(index as u64, i as u64) % n as u64) as usize };
            let notes = &section.alternatives[pick];
            rest /= n;
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

/// Slots as notes: a struck key, a held one, silence (a hold after silence stays silent).
fn notes_of(slots: &[Slot]) -> Vec<Note> {
    let mut notes = Vec::with_capacity(slots.len());
    let mut sounding: Option<u8> = None;
    for &slot in slots {
        let note = match slot {
            Slot::Note(key) => Note::struck(key),
            Slot::Strike => Note::struck(0),
            Slot::Hold => sounding.map_or(Note::REST, Note::held),
            Slot::Rest => Note::REST,
        };
        sounding = note.key;
        notes.push(note);
    }
    notes
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
        assert!(style.has(Voice::Melody) && !style.has(Voice::Bass) && !style.has(Voice::Comp));
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

    #[test]
    fn every_built_in_style_reads_and_a_huge_one_still_uses_every_line() {
        assert_eq!(builtin_styles().len(), STYLE_FILES.len());
        let rhythm = builtin_style("rhythm-changes").unwrap();
        assert_eq!((rhythm.bars, rhythm.choruses()), (32, usize::MAX));
        // Every alternative of every section turns up among a few hundred choruses.
        let mut seen: Vec<HashSet<Vec<Note>>> = vec![HashSet::new(); rhythm.sections.len()];
        for index in (0..400usize).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)) {
            let c = rhythm.chorus(index);
            for (s, section) in rhythm.sections.iter().enumerate() {
                let len = section.alternatives[0].len();
                let notes: Vec<Note> =
                    c[section.first_step..section.first_step + len].iter().map(|f| f.voice(section.voice)).collect();
                seen[s].insert(notes);
            }
        }
        for (s, section) in rhythm.sections.iter().enumerate() {
            assert_eq!(seen[s].len(), section.alternatives.len(), "section {s} of rhythm changes");
        }
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
