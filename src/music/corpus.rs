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

    /// A user's choruses only, of a form of `bars` bars (each chorus `bars × 8` frames).
    pub fn from_choruses(user: Vec<Chorus>, bars: usize) -> Self {
        let form = Form { steps_per_bar: STEPS_PER_BAR, bars };
        debug_assert!(user.iter().all(|c| c.len() == form.steps()));
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
