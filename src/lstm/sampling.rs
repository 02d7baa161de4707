//! The paper's generation rule, shared by the trainer's free-run check and the plugin's
//! composer: chord units are on where the output exceeds 0.5; one melody note is drawn from
//! the melody outputs normalised to sum 1, sharpened or flattened by a temperature.
//!
//! Allocation-free and lock-free: the audio thread calls these every step.

use super::rng::Rng;

/// Temperatures at or below this play the most likely note (argmax).
pub const ARGMAX_TEMPERATURE: f32 = 0.01;

/// The chord the outputs ask for: bit `i` set where `y_chord[i] > 0.5` (first 16 units).
pub fn chord_mask_from_outputs(y_chord: &[f32]) -> u16 {
    y_chord.iter().take(16).enumerate().fold(0, |mask, (i, &y)| mask | (u16::from(y > 0.5) << i))
}

/// The index of the largest finite, positive output; `None` if there is none.
fn argmax(y: &[f32]) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, &v) in y.iter().enumerate() {
        if v.is_finite() && v > 0.0 && best.is_none_or(|(_, b)| v > b) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

/// Draws one melody unit with probability p_i ∝ y_i^(1/T), normalised over the units.
///
/// T = 1 is the paper's rule; T ≤ [`ARGMAX_TEMPERATURE`] plays the most likely unit. Outputs
/// that are NaN, infinite or negative count as 0; if nothing is left to draw from, the most
/// likely unit is played, and if there is not even that, a uniformly random one. `None` only
/// for an empty slice.
pub fn sample_melody(y_melody: &[f32], temperature: f32, rng: &mut Rng) -> Option<u8> {
    if y_melody.is_empty() {
        return None;
    }
    // One draw per call whatever the path, so the random stream stays in step.
    let u = rng.next_f32();
    let fallback = || argmax(y_melody).unwrap_or(((u * y_melody.len() as f32) as usize).min(y_melody.len() - 1)) as u8;
    if temperature.is_nan() || temperature <= ARGMAX_TEMPERATURE || temperature.is_infinite() {
        return Some(fallback());
    }
    let inv_t = 1.0 / temperature;
    // Weights relative to the largest output when sharpening or flattening, so a small
    // temperature cannot underflow every weight; at T = 1 the outputs themselves.
    let scale = if inv_t == 1.0 {
        1.0
    } else {
        match argmax(y_melody) {
            Some(top) => 1.0 / y_melody[top],
            None => return Some(fallback()),
        }
    };
    // NaN, ±∞ and negatives weigh nothing.
    let clean = |v: f32| if v > 0.0 && v < f32::INFINITY { v } else { 0.0 };
    if inv_t == 1.0 {
        draw(y_melody.iter().map(|&v| clean(v)), u)
    } else {
        draw(y_melody.iter().map(|&v| (clean(v) * scale).powf(inv_t)), u)
    }
    .or_else(|| Some(fallback()))
}

/// The unit drawn by `u` in [0, 1) from `weights` (finite, ≥ 0), or `None` if they sum to
/// nothing. Two passes over a cheap iterator rather than a buffer of weights (the paper's
/// T = 1 costs a compare per unit).
#[inline(always)]
fn draw(weights: impl Iterator<Item = f32> + Clone, u: f32) -> Option<u8> {
    let total: f32 = weights.clone().sum();
    if !(total.is_finite() && total > 0.0) {
        return None;
    }
    // The first unit whose running total passes the target: branch-free, as the count of
    // running totals at or below it (a unit of weight 0 never starts a new total).
    let target = u * total;
    let (mut acc, mut index, mut last) = (0.0, 0usize, 0usize);
    for (i, w) in weights.enumerate() {
        acc += w;
        index += usize::from(acc <= target);
        last = if w > 0.0 { i } else { last };
    }
    // Rounding can leave the target at the very top: the last drawable unit is a fair answer.
    Some(index.min(last) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chord_mask_thresholds_at_one_half() {
        let y = [0.9, 0.1, 0.51, 0.5, 0.0, 1.0, f32::NAN];
        assert_eq!(chord_mask_from_outputs(&y), 0b10_0101);
        assert_eq!(chord_mask_from_outputs(&[]), 0);
        assert_eq!(chord_mask_from_outputs(&[1.0; 20]), 0xFFFF);
    }

    #[test]
    fn sampling_follows_the_outputs() {
        let y = [0.1, 0.0, 0.3, 0.6];
        let mut rng = Rng::new(3);
        let mut counts = [0u32; 4];
        let n = 20_000;
        for _ in 0..n {
            counts[usize::from(sample_melody(&y, 1.0, &mut rng).unwrap())] += 1;
        }
        assert_eq!(counts[1], 0, "a zero output is never drawn");
        for (i, p) in [(0, 0.1), (2, 0.3), (3, 0.6)] {
            let f = f64::from(counts[i]) / f64::from(n);
            assert!((f - p).abs() < 0.02, "unit {i}: {f} vs {p}");
        }
    }

    #[test]
    fn temperature_sharpens_and_zero_is_argmax() {
        let y = [0.2, 0.3, 0.25];
        let mut rng = Rng::new(1);
        for t in [0.0, 0.005, -1.0, f32::NAN] {
            assert_eq!(sample_melody(&y, t, &mut rng), Some(1));
        }
        let count_top = |t: f32, rng: &mut Rng| (0..5000).filter(|_| sample_melody(&y, t, rng) == Some(1)).count();
        let cold = count_top(0.2, &mut rng);
        let paper = count_top(1.0, &mut rng);
        let hot = count_top(5.0, &mut rng);
        assert!(cold > paper && paper > hot, "{cold} {paper} {hot}");
        // A tiny temperature must not underflow every weight into a uniform draw.
        assert_eq!(count_top(0.02, &mut rng), 5000);
    }

    #[test]
    fn garbage_outputs_never_give_garbage_notes() {
        let mut rng = Rng::new(9);
        assert_eq!(sample_melody(&[], 1.0, &mut rng), None);
        let nan_and_good = [f32::NAN, 0.0, 0.7, f32::INFINITY, -3.0];
        for _ in 0..100 {
            assert_eq!(sample_melody(&nan_and_good, 1.0, &mut rng), Some(2));
        }
        for _ in 0..100 {
            let n = sample_melody(&[0.0; 13], 1.0, &mut rng).unwrap();
            assert!(n < 13);
            let n = sample_melody(&[f32::NAN; 13], 1.0, &mut rng).unwrap();
            assert!(n < 13);
        }
        assert_eq!(sample_melody(&[0.0, 0.0, 0.4], 1.0, &mut rng), Some(2));
    }
}
