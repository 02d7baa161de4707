//! A set of choruses to train on or audition: a built-in style's corpus, a user's own
//! choruses, or both — all of one form. Read-only once built: any thread, including the
//! audio thread, which writes choruses into buffers of its own ([`Corpus::write_chorus`]).

use super::encoding::{Form, Frame, STEPS_PER_BAR};
use super::part::Part;
use super::style::Style;

/// One chorus: one frame per step of the form.
pub type Chorus = Vec<Frame>;

/// The choruses of a corpus: a style's first, then the user's.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// The built-in style whose choruses are part of the set, if any.
    pub style: Option<&'static Style>,
    /// The user's own choruses, in the order they were captured or imported; each
    /// `form.steps()` frames long.
    pub user: Vec<Chorus>,
    /// The form of every chorus.
    pub form: Form,
}

/// The harmony goes on while the pianist lays out. Where no chord sounds in a chorus (a
/// comping rest, a chord left out), the step takes the form's chord there: the chord most of
/// the choruses sound at that step (the first of equals), or, where none sounds one, the form's
/// chord of the step before (at the start, the first after). So the chords of comped choruses
/// are their shared form, and the rests are the comping's; chords that are played stay as played.
pub fn hold_form(choruses: &mut [Chorus]) {
    let Some(steps) = choruses.first().map(Vec::len) else { return };
    let mut form: Vec<u16> = (0..steps)
        .map(|s| {
            let mut votes: Vec<(u16, usize)> = Vec::new();
            for chord in choruses.iter().map(|c| c[s].chord).filter(|&c| c != 0) {
                match votes.iter_mut().find(|(c, _)| *c == chord) {
                    Some((_, n)) => *n += 1,
                    None => votes.push((chord, 1)),
                }
            }
            // The most votes; the first of equals (max_by_key keeps the last, so reversed).
            votes.iter().rev().max_by_key(|(_, n)| *n).map_or(0, |(c, _)| *c)
        })
        .collect();
    let Some(first) = form.iter().copied().find(|&c| c != 0) else { return };
    let mut before = first;
    for chord in form.iter_mut() {
        if *chord == 0 {
            *chord = before;
        }
        before = *chord;
    }
    for chorus in choruses.iter_mut() {
        for (frame, &chord) in chorus.iter_mut().zip(&form) {
            if frame.chord == 0 {
                frame.chord = chord;
            }
        }
    }
}

impl PartialEq for Corpus {
    fn eq(&self, other: &Self) -> bool {
        self.style.map(|s| &s.id) == other.style.map(|s| &s.id) && self.user == other.user && self.form == other.form
    }
}

/// What a user is told when their choruses lack `part`: the new model plays none, or, where it
/// keeps the part of the model it started from, that model's (`kept_from`, its name).
pub fn missing_part_warning(part: Part, kept_from: Option<&str>) -> String {
    let lacking = match part {
        Part::Melody => {
            "Your choruses have no melody (notes from C4 up, or on neither the chords' nor the bass channel)"
        }
        Part::Bass => "Your choruses have no bass line (notes below C3, or on the bass channel)",
        Part::Comp => "Your choruses have no comping rhythm",
        Part::Drums => "Your choruses have no drums (notes on channel 10)",
        Part::Chords => "Your choruses have no chords",
    };
    let then = match (kept_from, part) {
        (Some(start), _) => format!("the new model plays the {} of {start}.", part.name()),
        (None, Part::Comp) => "the new model holds its chords as pads.".to_string(),
        (None, Part::Drums) => "the new model plays none.".to_string(),
        (None, _) => "the new model will play none.".to_string(),
    };
    format!("{lacking}: {then}")
}

impl Corpus {
    /// A style's own corpus.
    pub fn of_style(style: &'static Style) -> Self {
        Self { style: Some(style), user: Vec::new(), form: style.form() }
    }

    /// A user's choruses only, of a form of `bars` bars (each chorus `bars × 8` frames), their
    /// harmony held through the comping's rests ([`hold_form`]).
    pub fn from_choruses(mut user: Vec<Chorus>, bars: usize) -> Self {
        let form = Form { steps_per_bar: STEPS_PER_BAR, bars };
        debug_assert!(user.iter().all(|c| c.len() == form.steps()));
        hold_form(&mut user);
        Self { style: None, user, form }
    }

    /// Whether the style's choruses can join the user's: only a style of the same form.
    pub fn can_include(&self, style: &Style) -> bool {
        style.form() == self.form
    }

    /// Number of choruses.
    pub fn len(&self) -> usize {
        self.style.map_or(0, |s| s.choruses()).saturating_add(self.user.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes chorus `index` (the style's first) into `out`, a whole chorus. Allocation-free.
    /// Panics past `len()`, like slice indexing.
    pub fn write_chorus(&self, index: usize, out: &mut [Frame]) {
        let builtin = self.style.map_or(0, |s| s.choruses());
        match self.style {
            Some(style) if index < builtin => style.write_chorus(index, out),
            _ => out.copy_from_slice(&self.user[index - builtin]),
        }
    }

    /// Chorus `index` as a new vector.
    pub fn chorus(&self, index: usize) -> Chorus {
        let mut frames = vec![Frame::default(); self.form.steps()];
        self.write_chorus(index, &mut frames);
        frames
    }

    /// Whether any chorus plays `voice`.
    pub fn plays(&self, voice: Part) -> bool {
        let mut frames = vec![Frame::default(); self.form.steps()];
        (0..self.len()).any(|i| {
            self.write_chorus(i, &mut frames);
            frames.iter().any(|f| f.voice(voice).key.is_some())
        })
    }

    /// Whether any chorus strikes a drum.
    pub fn plays_drums(&self) -> bool {
        let mut frames = vec![Frame::default(); self.form.steps()];
        (0..self.len()).any(|i| {
            self.write_chorus(i, &mut frames);
            frames.iter().any(|f| !f.drums.is_empty())
        })
    }

    /// Whether a band can learn its form from this corpus, checked before any training: a
    /// band learns the form from the chords, so the user's choruses without a single chord are
    /// refused (`Err`: the likely cause and what to do). `Ok` holds a warning for each part no
    /// chorus plays: the new model will not play it either.
    pub fn check_learnable(&self) -> Result<Vec<String>, String> {
        if self.is_empty() {
            return Err("There are no choruses to learn.".to_string());
        }
        let frames = || self.user.iter().flatten();
        if !self.user.is_empty() && frames().all(|f| f.chord == 0) {
            return Err(if frames().any(|f| f.bass.key.is_some()) {
                "No chords were found in your choruses, only a bass line: when parts are told apart by range, \
                 notes below C3 (MIDI 48) are the bass, so chords voiced there are read as one. A band learns \
                 its form from the chords and cannot learn it without them. Tell the parts apart by channel \
                 (in the editor: Parts by channel; on the command line: `blues-lstm train --corpus FILE.mid \
                 --split channel:N`, N the chords' channel), or voice the chords from C3 up."
            } else {
                "No chords were found in your choruses: a band learns its form from the chords and cannot \
                 learn it without them. Play or import chords from C3 to B3 (MIDI 48-59), or on the chords' \
                 channel when parts are told apart by channel (on the command line: `blues-lstm train \
                 --corpus FILE.mid --split channel:N`, N the chords' channel)."
            }
            .to_string());
        }
        Ok(self.missing_parts().into_iter().map(|part| missing_part_warning(part, None)).collect())
    }

    /// The parts no chorus plays (the chords aside: `check_learnable` refuses a corpus without).
    pub fn missing_parts(&self) -> Vec<Part> {
        let plays = |part: Part| if part == Part::Drums { self.plays_drums() } else { self.plays(part) };
        [Part::Melody, Part::Bass, Part::Comp, Part::Drums].into_iter().filter(|&p| !plays(p)).collect()
    }
    /// For people: what the set is, e.g. "the paper's 12-bar blues (4096 choruses) + 2 of yours".
    pub fn describe(&self) -> String {
        let plural = |n: usize| if n == 1 { "chorus" } else { "choruses" };
        let user = self.user.len();
        match (self.style, user) {
            (Some(s), 0) => format!("{} ({})", s.title, chorus_count(s.choruses())),
            (Some(s), n) => format!("{} ({}) + {n} user {}", s.title, chorus_count(s.choruses()), plural(n)),
            (None, n) => format!("{n} user {} of {} bars", plural(n), self.form.bars),
        }
    }
}

/// A style's count of choruses as a person reads it: exact up to a million, then its order of
/// magnitude (the bands' corpora recombine sections into 10^16 choruses and more, and a count
/// past a `usize` is only known to be that large).
pub fn chorus_count(n: usize) -> String {
    match n {
        1 => "1 chorus".to_string(),
        0..=999_999 => format!("{n} choruses"),
        usize::MAX => format!("more than 10^{} choruses", usize::MAX.ilog10()),
        _ => format!("about 10^{} choruses", n.ilog10()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::encoding::Note;
    use crate::music::style::builtin_style;

    #[test]
    fn the_form_is_held_through_the_comping_rests() {
        let (c7, f7, g7) = (0b0100_1001_0001, 0b0010_0010_1001, 0b1000_1010_0100);
        let with =
            |chords: [u16; 8]| chords.iter().map(|&chord| Frame { chord, ..Frame::default() }).collect::<Chorus>();
        // Three comped choruses of a 1-bar form C7 C7 C7 C7 F7 F7 F7 F7, each resting somewhere;
        // the third plays G7 once where the others play F7.
        let mut choruses =
            vec![with([0, c7, 0, 0, 0, f7, 0, 0]), with([c7, 0, 0, 0, f7, 0, 0, 0]), with([0, 0, c7, 0, 0, g7, f7, 0])];
        hold_form(&mut choruses);
        let chords = |c: &Chorus| c.iter().map(|f| f.chord).collect::<Vec<_>>();
        assert_eq!(chords(&choruses[0]), [c7, c7, c7, c7, f7, f7, f7, f7]);
        assert_eq!(chords(&choruses[1]), [c7, c7, c7, c7, f7, f7, f7, f7]);
        assert_eq!(chords(&choruses[2]), [c7, c7, c7, c7, f7, g7, f7, f7], "a chord played stays as played");
        let mut silent = vec![with([0; 8])];
        hold_form(&mut silent);
        assert!(silent[0].iter().all(|f| f.chord == 0), "no chord anywhere: nothing to hold");
        assert_eq!(Corpus::from_choruses(vec![with([0, c7, 0, 0, f7, 0, 0, 0])], 1).user[0][0].chord, c7);
    }

    #[test]
    fn user_choruses_follow_the_styles() {
        let style = builtin_style("paper-blues").unwrap();
        let mut mixed = Corpus::of_style(style);
        let own = vec![Frame { chord: 1, ..Frame::default() }; 96];
        mixed.user.push(own.clone());
        assert_eq!(mixed.len(), 4097);
        assert_eq!(mixed.chorus(4096), own);
        assert_eq!(mixed.chorus(3), style.chorus(3));
        assert_eq!(Corpus::from_choruses(vec![own.clone()], 12).chorus(0), own);
        assert!(mixed.can_include(style));
        assert!(!Corpus::from_choruses(vec![], 16).can_include(style));
    }

    #[test]
    fn a_corpus_without_chords_is_refused_by_its_likely_cause_and_empty_parts_warn() {
        let style = builtin_style("paper-blues").unwrap();
        let frame = |chord, melody, bass| Frame { chord, melody, bass, ..Frame::default() };
        // Chords voiced below C3, read by range: a "bass line" of chord tones and a melody.
        let low_chords = vec![frame(0, Note::struck(67), Note::struck(40)); 96];
        let why = Corpus::from_choruses(vec![low_chords.clone()], 12).check_learnable().unwrap_err();
        assert!(why.contains("No chords") && why.contains("below C3") && why.contains("--split channel:N"), "{why}");
        // The built-in choruses beside them do not hide that the user's have no chords.
        let mut with_style = Corpus::from_choruses(vec![low_chords], 12);
        with_style.style = Some(style);
        assert!(with_style.check_learnable().is_err());
        let melody_only = vec![frame(0, Note::struck(67), Note::REST); 96];
        let why = Corpus::from_choruses(vec![melody_only], 12).check_learnable().unwrap_err();
        assert!(why.contains("No chords") && !why.contains("below C3"), "{why}");
        assert!(why.contains("C3 to B3") && why.contains("--split channel:N"), "{why}");
        assert!(Corpus::from_choruses(vec![], 12).check_learnable().is_err(), "nothing to learn");

        // The paper's choruses have chords and a melody, but no bass and no comping.
        let warnings = Corpus::from_choruses(vec![style.chorus(0)], 12).check_learnable().unwrap();
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].contains("no bass line") && warnings[1].contains("no comping"), "{warnings:?}");
        assert!(warnings[2].contains("no drums"), "{warnings:?}");
        let chords_only = vec![frame(0b1001_0001, Note::REST, Note::REST); 96];
        let warnings = Corpus::from_choruses(vec![chords_only], 12).check_learnable().unwrap();
        assert!(warnings[0].contains("no melody"), "{warnings:?}");
        let band = builtin_style("bebop-blues").unwrap();
        assert_eq!(Corpus::of_style(band).check_learnable(), Ok(vec![]), "a band's corpus plays every part, drums too");
    }

    #[test]
    fn descriptions() {
        let style = builtin_style("paper-blues").unwrap();
        let own = style.chorus(0);
        assert_eq!(Corpus::of_style(style).describe(), format!("{} (4096 choruses)", style.title));
        assert_eq!(Corpus::from_choruses(vec![own.clone(); 2], 12).describe(), "2 user choruses of 12 bars");
        let mut both = Corpus::of_style(style);
        both.user.push(own);
        assert!(both.describe().ends_with("+ 1 user chorus"));
        // The bands' corpora recombine sections past any count a person reads digit by digit.
        let bebop = builtin_style("bebop-blues").unwrap();
        assert!(bebop.choruses() > 1_000_000 && bebop.choruses() < usize::MAX);
        let about = format!("{} (about 10^{} choruses)", bebop.title, bebop.choruses().ilog10());
        assert_eq!(Corpus::of_style(bebop).describe(), about);
        let rhythm = builtin_style("rhythm-changes").unwrap();
        assert_eq!(Corpus::of_style(rhythm).describe(), format!("{} (more than 10^19 choruses)", rhythm.title));
        assert_eq!(chorus_count(1), "1 chorus");
    }
}
