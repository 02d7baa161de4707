//! Swing that follows the tempo: where the off-beat eighth falls, as a share of the beat, from
//! the Swing knob and the tempo. Pure functions; the audio thread calls them once per block.
//!
//! The curve, after Friberg & Sundström, "Swing ratios and ensemble timing in jazz performance:
//! evidence for a common rhythmic pattern", *Music Perception* 19(3), 2002, 333–349. Measuring
//! drummers' ride cymbals on classic recordings, they found the long–short ratio falling steadily
//! with tempo, from about 3.5:1 at slow tempos to 1:1 (straight) at fast ones, and the short note
//! lasting about **100 ms** whatever the tempo from medium to fast: the off-beat stroke falls a
//! fixed time before the next beat. Soloists swing less than the cymbal.
//!
//! So the drummer's off-beat falls at `d(T) = 1 − 0.1 s × T / 60 s` of the beat at `T` BPM
//! (0.8 at 120, 2:1 triplets at 200, straight at 300). The band swings a fixed share `k` of the
//! drummer's swing, the Swing knob giving `k` at 120 BPM:
//!
//! ```text
//! k    = (knob − 0.5) / (d(120) − 0.5) = (knob − 0.5) / 0.3
//! s(T) = clamp(0.5 + k × max(0, d(T) − 0.5), 0.5, 0.75)
//!      = clamp(0.5 + k × max(0, 0.5 − T / 600), 0.5, 0.75)
//! ```
//!
//! In durations: the short eighth lasts `(1 − k) × E + k × 100 ms`, `E = 30 / T` s being the
//! straight eighth — a blend of the straight eighth and the drummer's 100 ms short note — and
//! the eighths are straight once `E` is 100 ms or less (300 BPM and faster). `s(120)` is the knob;
//! `s` falls with the tempo, linearly, is continuous, stays within the Swing parameter's 50–75 %
//! and reaches straight at 300 BPM. At knob 58 %: 60.7 % at 60 BPM, 54.4 % at 200, 50 % at 300;
//! at knob 66 %: 71.3 %, 58.9 %, 50 %.

/// How the Swing knob is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwingMode {
    /// The off-beat at the knob's share of the beat, at every tempo (what the plugin did before).
    Fixed,
    /// The knob is the swing at 120 BPM; other tempos swing more (slower) or less (faster), by
    /// [`swing_at`].
    FollowsTempo,
}

/// The tempo at which the knob is the swing played.
pub const REFERENCE_TEMPO_BPM: f64 = 120.0;
/// The drummer's short note from medium to fast tempos (Friberg & Sundström 2002), seconds.
pub const SHORT_NOTE_SECONDS: f64 = 0.1;
/// Straight eighths.
pub const STRAIGHT: f64 = 0.5;
/// The most swing played, the Swing parameter's top: the off-beat at three quarters of the beat.
pub const MAX_SWING: f64 = 0.75;

impl SwingMode {
    /// The share of the beat where the off-beat eighth falls, for the knob (a share, 0.5–0.75)
    /// at `tempo_bpm`.
    pub fn swing(self, knob: f64, tempo_bpm: f64) -> f64 {
        match self {
            SwingMode::Fixed => clamp_swing(knob),
            SwingMode::FollowsTempo => swing_at(knob, tempo_bpm),
        }
    }
}

/// Where the drummer's off-beat falls at `tempo_bpm` when its short note lasts 100 ms (beyond
/// 0.5 it is straight or later than the beat allows; [`swing_at`] bounds it).
fn drummer(tempo_bpm: f64) -> f64 {
    1.0 - SHORT_NOTE_SECONDS * tempo_bpm / 60.0
}

/// The swing played at `tempo_bpm` when the knob (a share, 0.5–0.75) sets it at 120 BPM (module
/// docs: the formula and its source). Out-of-range or non-finite inputs are bounded: the knob to
/// 0.5–0.75, a tempo that is not a positive number read as 120 BPM.
pub fn swing_at(knob: f64, tempo_bpm: f64) -> f64 {
    let knob = clamp_swing(knob);
    let tempo = if tempo_bpm.is_finite() && tempo_bpm > 0.0 { tempo_bpm } else { REFERENCE_TEMPO_BPM };
    let share = (knob - STRAIGHT) / (drummer(REFERENCE_TEMPO_BPM) - STRAIGHT);
    clamp_swing(STRAIGHT + share * (drummer(tempo) - STRAIGHT).max(0.0))
}

/// A swing within 0.5–0.75 (0.5 for a value that is not a number).
pub fn clamp_swing(swing: f64) -> f64 {
    if swing.is_finite() {
        swing.clamp(STRAIGHT, MAX_SWING)
    } else {
        STRAIGHT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOBS: [f64; 6] = [0.5, 0.55, 0.58, 0.62, 0.66, 0.75];

    #[test]
    fn at_120_bpm_it_is_the_knob() {
        for knob in KNOBS {
            assert!((swing_at(knob, 120.0) - knob).abs() < 1e-12, "knob {knob}");
        }
    }

    #[test]
    fn it_falls_with_the_tempo_without_jumps_and_stays_in_range() {
        for knob in KNOBS {
            let mut last = swing_at(knob, 20.0);
            for tenth in 201..=9990 {
                let tempo = f64::from(tenth) / 10.0;
                let s = swing_at(knob, tempo);
                assert!((STRAIGHT..=MAX_SWING).contains(&s), "knob {knob} at {tempo} BPM: {s}");
                assert!(s <= last, "knob {knob}: more swing at {tempo} BPM than just slower");
                // Continuous: a tenth of a BPM moves it by at most k × 0.1 / 600 (k ≤ 5/6).
                assert!(
                    last - s <= 0.1 / 600.0 * 5.0 / 6.0 + 1e-12,
                    "knob {knob}: a jump at {tempo} BPM ({last} → {s})"
                );
                last = s;
            }
        }
    }

    #[test]
    fn slow_swings_more_fast_swings_less_and_very_fast_is_straight() {
        for knob in [0.55, 0.58, 0.62, 0.66] {
            assert!(swing_at(knob, 60.0) > knob, "knob {knob}: more at 60 BPM");
            assert!(swing_at(knob, 200.0) < knob, "knob {knob}: less at 200 BPM");
            assert!(swing_at(knob, 280.0) < 0.53, "knob {knob}: nearly straight at 280 BPM");
            for tempo in [300.0, 320.0, 400.0, 999.0] {
                assert_eq!(swing_at(knob, tempo), STRAIGHT, "knob {knob} at {tempo} BPM");
            }
        }
        assert_eq!(swing_at(0.75, 60.0), MAX_SWING, "never past the parameter's top");
        assert_eq!(swing_at(0.5, 40.0), STRAIGHT, "a straight knob is straight at every tempo");
    }

    #[test]
    fn the_values_the_readme_states() {
        let pct = |knob: f64, tempo: f64| (swing_at(knob, tempo) * 1000.0).round() / 10.0;
        assert_eq!([pct(0.58, 60.0), pct(0.58, 120.0), pct(0.58, 200.0), pct(0.58, 300.0)], [60.7, 58.0, 54.4, 50.0]);
        assert_eq!([pct(0.66, 60.0), pct(0.66, 120.0), pct(0.66, 200.0), pct(0.66, 300.0)], [71.3, 66.0, 58.9, 50.0]);
    }

    #[test]
    fn the_short_eighth_blends_the_straight_eighth_and_the_drummers_100_ms() {
        for knob in KNOBS {
            let k = (knob - 0.5) / 0.3;
            for tempo in [80.0, 120.0, 150.0, 200.0, 250.0] {
                let beat = 60.0 / tempo;
                let short = (1.0 - swing_at(knob, tempo)) * beat;
                let want = (1.0 - k) * beat / 2.0 + k * SHORT_NOTE_SECONDS;
                if 1.0 - want / beat <= MAX_SWING {
                    assert!((short - want).abs() < 1e-12, "knob {knob} at {tempo} BPM: {short} s, want {want} s");
                }
            }
        }
    }

    #[test]
    fn fixed_is_the_knob_at_every_tempo_and_nonsense_is_bounded() {
        assert_eq!(SwingMode::Fixed.swing(0.62, 300.0), 0.62);
        assert_eq!(SwingMode::Fixed.swing(0.9, 60.0), MAX_SWING);
        assert_eq!(SwingMode::FollowsTempo.swing(0.62, 120.0), swing_at(0.62, 120.0));
        assert_eq!(swing_at(f64::NAN, 120.0), STRAIGHT);
        assert_eq!(swing_at(0.62, f64::NAN), swing_at(0.62, 120.0));
        assert_eq!(swing_at(0.62, -3.0), swing_at(0.62, 120.0));
    }
}
