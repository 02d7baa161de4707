//! How the band plays what the network chooses: the player's feel. Swing (fixed, or following
//! the tempo: [`super::swing`]) and humanize place the steps (the clock's [`Groove`]); dynamics, humanize and gate shape each note; the voicing
//! and the comping amount shape the chords; the bass octave places the bass. Pure functions of
//! the frame, the step and the seed, so the same seed plays the same take. Audio thread.
//!
//! The dynamics rule (the README states it too): from each voice's velocity, a note is played
//! louder or softer by at most `dynamics` × its accents:
//! - melody: +10 % struck on an off-beat eighth (bebop leans on the upbeat), +8 % for the first
//!   note of a phrase (after a rest), −8 % for a downbeat inside a running eighth-note line (the
//!   ghosted note), and ±1.2 % per semitone above or below the line's recent notes (the phrase's
//!   contour), at most ±15 %;
//! - bass: +12 % on beat 1, +4 % on beat 3, −15 % for an off-beat pickup;
//! - chords: +8 % for a stab off the beat, +4 % struck on a bar line.
//!
//! Humanize then moves every velocity by up to ±12 % and every step by up to ±8 ms (at most a
//! tenth of an eighth note), seeded by the seed and the step.

use super::clock::Groove;
use super::intensity::Intensity;
use super::settings::Settings;
use super::swing::SwingMode;
use super::voices::Touch;
use super::voicing::{Voicer, Voicing};
use crate::lstm::rng::mix;
use crate::music::encoding::{Form, Frame};
use crate::music::part::{Part, PerPart};

/// The player's feel, from the parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Feel {
    /// Where the off-beat eighth falls: 0.5 straight … 0.75 (at 120 BPM when it follows the
    /// tempo).
    pub swing: f32,
    /// Whether `swing` is played at every tempo or is the swing at 120 BPM of a curve.
    pub swing_mode: SwingMode,
    /// How much the accents of the dynamics rule move velocities (0 flat … 1 full).
    pub dynamics: f32,
    /// How much timing and velocity vary, seeded (0 machine-exact … 1).
    pub humanize: f32,
    /// Share of its last eighth a melody note sounds before it ends (1 legato).
    pub gate: f32,
    pub voicing: Voicing,
    /// How much of the learned comping rhythm is played (0: pads struck at every bar and
    /// change; 1: the comping as learned).
    pub comp: f32,
    /// The bass moved by whole octaves.
    pub bass_octave: i8,
}

impl Default for Feel {
    fn default() -> Self {
        Self {
            swing: 0.58,
            swing_mode: SwingMode::FollowsTempo,
            dynamics: 0.6,
            humanize: 0.0,
            gate: 0.9,
            voicing: Voicing::VoiceLed,
            comp: 1.0,
            bass_octave: 0,
        }
    }
}

impl Feel {
    /// Machine-straight, flat and legato: what the plugin played before it had a feel.
    pub const PLAIN: Feel = Feel {
        swing: 0.5,
        swing_mode: SwingMode::Fixed,
        dynamics: 0.0,
        humanize: 0.0,
        gate: 1.0,
        voicing: Voicing::AsLearned,
        comp: 1.0,
        bass_octave: 0,
    };

    /// The share of the beat where the off-beat eighth falls at `tempo_bpm`: the Swing as set,
    /// or carried to the tempo by the curve of [`super::swing`].
    pub fn swing_at(&self, tempo_bpm: f64) -> f64 {
        self.swing_mode.swing(f64::from(self.swing), tempo_bpm)
    }

    /// Where steps sound at `tempo_bpm` (the jitter is at most 8 ms).
    pub fn groove(&self, seed: u64, tempo_bpm: f64) -> Groove {
        // 8 ms in beats.
        let ms8 = 0.008 * tempo_bpm / 60.0;
        let jitter = if ms8.is_finite() { f64::from(self.humanize.clamp(0.0, 1.0)) * ms8.max(0.0) } else { 0.0 };
        Groove { swing: self.swing_at(tempo_bpm), jitter_beats: jitter.min(Groove::MAX_JITTER_BEATS), seed }
    }

    /// A velocity (0–1) moved by `accent` (a share, from the dynamics rule) and the humanize
    /// variation of (`seed`, `step`, `voice`).
    pub fn velocity(&self, base: f32, accent: f32, seed: u64, step: i64, voice: u64) -> f32 {
        let accented = base * (1.0 + self.dynamics.clamp(0.0, 1.0) * accent);
        let u = (mix(seed ^ voice.wrapping_mul(0xD1B5_4A32_D192_ED03), step as u64) >> 40) as f32 / (1u64 << 24) as f32;
        let varied = accented * (1.0 + self.humanize.clamp(0.0, 1.0) * 0.12 * (2.0 * u - 1.0));
        varied.clamp(1.0 / 127.0, 1.0)
    }

    /// Whether the learned comping plays step `step` (else the pads do), by the comping amount.
    pub fn comping_at(&self, seed: u64, step: i64) -> bool {
        let u = (mix(seed ^ 0xC0_4E_11, step as u64) >> 40) as f32 / (1u64 << 24) as f32;
        u < self.comp
    }
}

/// Accents of the melody (module docs): what the line has played so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct MelodyContour {
    /// Recent struck keys' mean (exponential, over about 8 notes), once there is one.
    mean: Option<f32>,
    /// Whether the step before was silent, and whether it struck a note off the beat.
    after_rest: bool,
    after_off_beat: bool,
}

impl MelodyContour {
    /// The accent of a melody note struck (or not) at `step_in_bar`, and the contour moved on.
    pub fn accent(&mut self, key: Option<u8>, struck: bool, step_in_bar: usize) -> f32 {
        let off_beat = step_in_bar % 2 == 1;
        let mut accent = 0.0;
        if let (Some(k), true) = (key, struck) {
            let k = f32::from(k);
            if off_beat {
                accent += 0.10;
            }
            if self.after_rest {
                accent += 0.08;
            } else if !off_beat && self.after_off_beat {
                accent -= 0.08;
            }
            if let Some(mean) = self.mean {
                accent += (0.012 * (k - mean)).clamp(-0.15, 0.15);
            }
            self.mean = Some(self.mean.map_or(k, |m| m + (k - m) / 8.0));
        }
        self.after_rest = key.is_none();
        self.after_off_beat = struck && off_beat;
        accent
    }
}

/// The accent of a bass note struck at `step_in_bar`.
pub fn bass_accent(step_in_bar: usize) -> f32 {
    match step_in_bar {
        0 => 0.12,
        4 => 0.04,
        s if s % 2 == 1 => -0.15,
        _ => 0.0,
    }
}

/// The accent of a chord struck at `step_in_bar`.
pub fn chord_accent(step_in_bar: usize) -> f32 {
    match step_in_bar {
        0 => 0.04,
        s if s % 2 == 1 => 0.08,
        _ => 0.0,
    }
}

/// How step `index` of `form` is played by the feel: accents and humanize, louder or softer by
/// the intensity, the voicing, the bass octave.
pub fn touch(
    contour: &mut MelodyContour,
    voicer: &mut Voicer,
    index: i64,
    form: Form,
    frame: &Frame,
    settings: &Settings,
    chord_low: u8,
) -> Touch {
    let (feel, voices, seed) = (&settings.feel, &settings.voices, settings.seed);
    let in_bar = form.step_in_bar(index);
    let loudness = Intensity::loudness(settings.intensity.at(index, form));
    let melody_accent = contour.accent(frame.melody.key, frame.melody.begin, in_bar);
    let velocity = PerPart::from_fn(|part| {
        // The accent by the dynamics rule, and each part's own humanize stream.
        let (accent, stream) = match part {
            Part::Chords | Part::Comp => (chord_accent(in_bar), 1),
            Part::Melody => (melody_accent, 2),
            Part::Bass => (bass_accent(in_bar), 3),
            // The drummer's accents are learned: the level of each strike.
            Part::Drums => (0.0, 4),
        };
        feel.velocity(voices.parts[part].velocity * loudness, accent, seed, index, stream)
    });
    Touch {
        chord_keys: voicer.voice(frame.chord, chord_low, feel.voicing),
        velocity,
        bass_shift: feel.bass_octave.clamp(-2, 2) * 12,
        comping: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_leans_on_its_upbeats_and_its_peaks() {
        let mut contour = MelodyContour::default();
        // A rest, then C D E F G (eighths from beat 1), then a high C on the beat.
        assert_eq!(contour.accent(None, false, 7), 0.0);
        let first = contour.accent(Some(60), true, 0);
        let upbeat = contour.accent(Some(62), true, 1);
        let ghost = contour.accent(Some(64), true, 2);
        assert!((first - 0.08).abs() < 1e-6, "the phrase's first note: {first}");
        assert!(upbeat > 0.1, "an upbeat: {upbeat}");
        assert!(ghost < 0.0, "a downbeat inside the line: {ghost}");
        contour.accent(Some(65), true, 3);
        let peak = contour.accent(Some(72), true, 4);
        assert!(peak > 0.0, "high above the line's notes: {peak}");
    }

    #[test]
    fn velocities_vary_within_their_bounds_and_by_the_seed_only() {
        let feel = Feel { humanize: 1.0, dynamics: 1.0, ..Feel::default() };
        let vs: Vec<f32> = (0..500).map(|s| feel.velocity(0.7, 0.1, 3, s, 1)).collect();
        assert!(vs.iter().all(|&v| (0.7 * 1.1 * 0.88 - 1e-6..=0.7 * 1.1 * 1.12 + 1e-6).contains(&v)));
        assert!(vs.iter().any(|&v| v > 0.7 * 1.1 * 1.05) && vs.iter().any(|&v| v < 0.7 * 1.1 * 0.95));
        assert_eq!(vs, (0..500).map(|s| feel.velocity(0.7, 0.1, 3, s, 1)).collect::<Vec<_>>());
        let plain = Feel::PLAIN;
        assert_eq!(plain.velocity(0.7, 0.3, 3, 10, 1), 0.7, "no dynamics, no humanize: the velocity as set");
        assert_eq!(Feel::default().velocity(1.0, 0.5, 1, 1, 1), 1.0, "never above the top");
    }

    #[test]
    fn the_comping_amount_is_the_share_of_learned_steps() {
        let count = |comp: f32| (0..10_000).filter(|&s| Feel { comp, ..Feel::default() }.comping_at(5, s)).count();
        assert_eq!(count(0.0), 0);
        assert_eq!(count(1.0), 10_000);
        assert!((count(0.5) as i64 - 5_000).abs() < 300);
    }
}
