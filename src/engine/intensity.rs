//! How intense the solo is, as the player sets it: the Intensity control (0 the sparsest
//! playing the band learned, 1 its busiest: `music::intensity`) and Build, which
//! carries it over a few choruses up to full and back down, as a soloist builds to a climax and
//! hands on. The network hears the level (a model trained with the intensity unit); the feel
//! plays louder or softer with it. Audio thread: plain arithmetic.

use crate::music::encoding::Form;

/// Build: off, or a rise and fall over this many choruses, again and again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Build {
    #[default]
    Off,
    Over(u8),
}

/// The choruses Build may take, as the control offers them.
pub const BUILD_CHORUSES: [u8; 3] = [2, 4, 8];

/// Share of a Build's choruses spent rising: the climax comes three quarters of the way in,
/// and the last quarter comes down to where it started.
const RISE: f64 = 0.75;

/// How much louder the band plays at full intensity than at the middle (and softer at none):
/// about 2 dB either way, so the feel's own accents still tell.
const LOUDNESS: f32 = 0.3;

/// The Intensity control and Build.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Intensity {
    /// 0–1; 0.5 plays the corpus's middle.
    pub level: f32,
    pub build: Build,
}

impl Default for Intensity {
    fn default() -> Self {
        Self { level: 0.5, build: Build::Off }
    }
}

impl Intensity {
    /// The level at song step `step` of `form`: the control's, or on Build's curve from it up to
    /// 1 and back, the curve starting over at every chorus that is a multiple of its length
    /// (counted from the song's start, so a take plays the same curve from the same bar).
    pub fn at(&self, step: i64, form: Form) -> f32 {
        let level = if self.level.is_finite() { self.level.clamp(0.0, 1.0) } else { 0.5 };
        let n = match self.build {
            Build::Over(n) if n > 0 => i64::from(n),
            _ => return level,
        };
        let steps = form.steps() as i64;
        let at = form.chorus(step).rem_euclid(n) * steps + form.position(step) as i64;
        let through = (at as f64 + 0.5) / (n * steps) as f64;
        let lift = if through < RISE { through / RISE } else { (1.0 - through) / (1.0 - RISE) };
        level + (1.0 - level) * lift as f32
    }

    /// The factor on every velocity at `level`: 1 at the middle.
    pub fn loudness(level: f32) -> f32 {
        1.0 + LOUDNESS * (level.clamp(0.0, 1.0) - 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: Form = Form { steps_per_bar: 8, bars: 12 };

    #[test]
    fn without_build_the_level_is_the_controls() {
        let i = Intensity { level: 0.3, build: Build::Off };
        assert!((0..400).all(|s| i.at(s, FORM) == 0.3));
        assert_eq!(
            Intensity { level: f32::NAN, build: Build::Off }.at(0, FORM),
            0.5,
            "a broken value plays the middle"
        );
        assert_eq!(Intensity { level: 7.0, build: Build::Off }.at(0, FORM), 1.0);
    }

    #[test]
    fn build_rises_to_full_and_comes_back_down() {
        let i = Intensity { level: 0.2, build: Build::Over(4) };
        let chorus = |c: i64| -> Vec<f32> { (c * 96..c * 96 + 96).map(|s| i.at(s, FORM)).collect() };
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        let means: Vec<f32> = (0..4).map(|c| mean(&chorus(c))).collect();
        assert!(means[0] < means[1] && means[1] < means[2], "it builds: {means:?}");
        assert!(means[3] < means[2], "and comes down: {means:?}");
        let all: Vec<f32> = (0..4).flat_map(chorus).collect();
        assert!(all[0] < 0.21 && *all.last().unwrap() < 0.21, "from where it is, back to it");
        assert!(all.iter().cloned().fold(0.0, f32::max) > 0.99, "to full");
        assert!(all.windows(2).all(|w| (w[1] - w[0]).abs() < 0.02), "no jumps inside the curve");
        assert_eq!(chorus(4), chorus(0), "then again");
        assert_eq!(i.at(-1, FORM), i.at(4 * 96 - 1, FORM), "a count-in is the end of a curve");
    }

    #[test]
    fn loudness_is_even_about_the_middle() {
        assert_eq!(Intensity::loudness(0.5), 1.0);
        assert!(Intensity::loudness(1.0) > 1.1 && Intensity::loudness(0.0) < 0.9);
        assert!((Intensity::loudness(1.0) - 1.0 + Intensity::loudness(0.0) - 1.0).abs() < 1e-6);
    }
}
