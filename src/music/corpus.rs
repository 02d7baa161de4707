//! A set of choruses to train on or audition: a built-in style's corpus, a user's own
//! choruses, or both — all of one form. Read-only once built: any thread, including the
//! audio thread, which writes choruses into buffers of its own ([`Corpus::write_chorus`]).

use super::encoding::{Form, Frame, STEPS_PER_BAR};
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

    /// For people: what the set is, e.g. "the paper's 12-bar blues (4096 choruses) + 2 of yours".
    pub fn describe(&self) -> String {
        let plural = |n: usize| if n == 1 { "chorus" } else { "choruses" };
        let user = self.user.len();
        match (self.style, user) {
            (Some(s), 0) => format!("{} ({} {})", s.title, s.choruses(), plural(s.choruses())),
            (Some(s), n) => format!("{} ({} choruses) + {n} user {}", s.title, s.choruses(), plural(n)),
            (None, n) => format!("{n} user {} of {} bars", plural(n), self.form.bars),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn descriptions() {
        let style = builtin_style("paper-blues").unwrap();
        let own = style.chorus(0);
        assert_eq!(Corpus::of_style(style).describe(), format!("{} (4096 choruses)", style.title));
        assert_eq!(Corpus::from_choruses(vec![own.clone(); 2], 12).describe(), "2 user choruses of 12 bars");
        let mut both = Corpus::of_style(style);
        both.user.push(own);
        assert!(both.describe().ends_with("+ 1 user chorus"));
    }
}
