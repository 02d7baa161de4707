//! The paper's generation rule, turned from outputs into the next step's input: chord units
//! are on where the output exceeds 0.5; a line (melody, bass, comping) is one choice drawn
//! from its outputs normalised to sum 1, sharpened or flattened by a temperature — rest is one
//! more choice where the encoding has it — and, where the encoding marks note beginnings
//! (Todd's method), a begin unit: on for a new choice, off for a rest, and, when the same key
//! is chosen again, drawn from the chance that it is struck again *given* that key (below).
//!
//! Two rules keep a free-running line from stuttering (`blues-lstm eval --phrasing`: the
//! melody's repeated keys and wide leaps, beside its corpus's):
//! - A key struck again is the network's own estimate, not a difference of two. Beside its
//!   begin unit, the band's lines have a restrike unit (`music::encoding`), on only where the
//!   key held is struck again, so its output is the chance of that, small beside the key's own
//!   output (the chance the key sounds, held or struck); given the key, a restrike is their
//!   ratio, drawn as it stands (the key is drawn at the line's temperature; how it is played
//!   once chosen is not). Models written before it have only the begin unit, whose output is
//!   the chance that *some* note begins, most of it the other keys' (a new key always begins):
//!   the restrike chance is what is left once their share is taken away, P(begin | same key) =
//!   (P(begin) − P(another key)) / P(same key), taken only where over one half. That
//!   difference of two large, nearly equal outputs made the minor blues strike a held key
//!   again in 5.3 % of its note pairs at T = 0.7 against its corpus's 2.3 %
//!   (`tests/band_phrasing.rs`).
//! - In a line of keys with a begin unit ([`Rule::Choice`]'s `trim`), a key whose output is
//!   under [`TAIL_SHARE`] of the likeliest choice's is never drawn, whatever the temperature:
//!   such a wrong note leaps, and throws the network off what it learned so that it stutters for
//!   bars after. The rest is never trimmed (a rest is phrasing, not a wrong note).
//!
//! Shared by the trainer's free-run check, the baselines and the plugin's improviser.
//! Allocation-free and lock-free: the audio thread calls these every step.

use super::rng::Rng;

/// Temperatures at or below this play the most likely choice (argmax).
pub const ARGMAX_TEMPERATURE: f32 = 0.01;

/// In a trimmed line, keys whose output is under this share of the likeliest choice's are never
/// drawn. At 0.05 the minor blues at T = 1 still leapt a tritone or more a point more often
/// than its corpus; at 0.1 every built-in band is within a point (see the module docs).
pub const TAIL_SHARE: f32 = 0.1;

/// The most choices a trimmed line may have: a rest and every MIDI key.
const MAX_TRIMMED: usize = 1 + 128;

/// How a group's outputs become its next input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Several units on: those whose output exceeds 0.5 (the chords).
    Threshold,
    /// One unit of the group's choices on. With `begin`, the group's last unit is not a
    /// choice but the begin unit (on where a note begins); with `restrike` too, the begin unit
    /// is the last but one and the last is on only where the key held is struck again
    /// (`music::encoding`); `rest`, if any, is the choice that sounds nothing.
    /// With `trim`, keys (choices but the rest) under [`TAIL_SHARE`] of the likeliest are not
    /// drawn.
    Choice { begin: bool, restrike: bool, rest: Option<usize>, trim: bool },
}

/// The rule of one group of units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupRule {
    /// The group's first unit and its number of units.
    pub offset: usize,
    pub units: usize,
    pub rule: Rule,
}

/// The generation rule of a whole frame: one rule per group, groups in unit order, the chords
/// (thresholded) first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readout {
    pub groups: Vec<GroupRule>,
}

impl GroupRule {
    /// The units among which one is chosen (all but the begin and restrike units).
    pub fn choices(&self) -> usize {
        match self.rule {
            Rule::Choice { begin: true, restrike, .. } => self.units - 1 - usize::from(restrike),
            _ => self.units,
        }
    }
}

impl Readout {
    /// Units in a frame.
    pub fn n_units(&self) -> usize {
        self.groups.iter().map(|g| g.units).sum()
    }

    /// The next step's input from this step's outputs `y`, written over `x`, which holds this
    /// step's input on entry (a begin unit depends on whether the choice changed). Each drawn
    /// group takes its temperature from `temperatures` (by group index; missing ones play at
    /// T = 1) and exactly one or, with a begin unit, two draws from `rng`, whatever is drawn,
    /// so the random stream stays in step.
    pub fn next_input(&self, y: &[f32], x: &mut [f32], temperatures: &[f32], rng: &mut Rng) {
        for (gi, g) in self.groups.iter().enumerate() {
            let (ys, xs) = (&y[g.offset..g.offset + g.units], &mut x[g.offset..g.offset + g.units]);
            match g.rule {
                Rule::Threshold => {
                    for (u, &v) in xs.iter_mut().zip(ys) {
                        *u = f32::from(u8::from(v > 0.5));
                    }
                }
                Rule::Choice { begin, restrike, rest, trim } => {
                    let temperature = temperatures.get(gi).copied().unwrap_or(1.0);
                    let n = g.choices();
                    let before = xs[..n].iter().position(|&u| u > 0.5);
                    let choice = if trim && n <= MAX_TRIMMED {
                        let mut kept = [0.0f32; MAX_TRIMMED];
                        trim_tail(&ys[..n], rest, &mut kept[..n]);
                        sample_choice(&kept[..n], temperature, rng)
                    } else {
                        sample_choice(&ys[..n], temperature, rng)
                    }
                    .map(usize::from);
                    for (i, u) in xs[..n].iter_mut().enumerate() {
                        *u = f32::from(u8::from(choice == Some(i)));
                    }
                    if begin && restrike {
                        // The restrike unit's output is the chance the held key is struck again;
                        // given that key, that chance over the key's own (one draw, so the stream
                        // stays in step). A note begins on a new key or a restrike.
                        let again = match before {
                            Some(b) if Some(b) != rest => restrike_given_same(ys[b], ys[n + 1]),
                            _ => 0.0,
                        };
                        // Drawn at its chance; at temperature 0, the likelier of the two, as
                        // every other choice is there (so the seed does not matter).
                        let again_at = if temperature <= ARGMAX_TEMPERATURE { 0.0 } else { 1.0 };
                        let again = draw_bit(again, again_at, rng);
                        let sounds = choice.is_some() && choice != rest;
                        let restruck = sounds && choice == before && again;
                        xs[n] = f32::from(u8::from(sounds && (choice != before || restruck)));
                        xs[n + 1] = f32::from(u8::from(restruck));
                    } else if begin {
                        let again = match before {
                            Some(b) if Some(b) != rest => begin_given_same(&ys[..n], ys[n], b, rest),
                            _ => ys[n],
                        };
                        // Struck again only where that is likelier than holding, at any temperature (one draw
                        // still, so the draws after it stay where they were).
                        let again = draw_bit(again, 0.0, rng);
                        let strikes = match choice {
                            None => false,
                            Some(c) if Some(c) == rest => false,
                            Some(c) if Some(c) != before => true,
                            Some(_) => again,
                        };
                        xs[n] = f32::from(u8::from(strikes));
                    }
                }
            }
        }
    }
}

/// An output as a weight: NaN, ±∞ and negatives weigh nothing.
fn clean(v: f32) -> f32 {
    if v > 0.0 && v < f32::INFINITY {
        v
    } else {
        0.0
    }
}

/// `y` into `kept` with every key (every choice but `rest`) under [`TAIL_SHARE`] of the
/// likeliest key set to 0. The likeliest key, not choice: where a rest is far likelier than
/// any one key (the chart band spreads its keys over every chord in every key), trimming
/// against the rest silenced the melody (298 notes in 320 bars).
pub fn trim_tail(y: &[f32], rest: Option<usize>, kept: &mut [f32]) {
    let keys = y.iter().enumerate().filter(|&(i, _)| Some(i) != rest);
    let floor = TAIL_SHARE * keys.map(|(_, &v)| clean(v)).fold(0.0, f32::max);
    for (i, (k, &v)) in kept.iter_mut().zip(y).enumerate() {
        *k = if Some(i) == rest || clean(v) >= floor { v } else { 0.0 };
    }
}

/// The chance that key `same`, sounding and chosen again, is struck again: the begin output
/// `p_begin` is the chance that any note begins, and a different key always begins, so
/// P(begin | same) = (P(begin) − P(another key)) / P(same), within 0..1, the keys' shares
/// taken from the outputs `y` normalised to sum 1 (the rest is no key). `p_begin` itself when
/// the outputs weigh nothing.
fn begin_given_same(y: &[f32], p_begin: f32, same: usize, rest: Option<usize>) -> f32 {
    let total: f32 = y.iter().copied().map(clean).sum();
    let p_same = clean(y[same]);
    if !(total > 0.0 && p_same > 0.0 && total.is_finite()) {
        return p_begin;
    }
    let p_rest = rest.map_or(0.0, |r| clean(y[r]));
    let p_other = (total - p_same - p_rest).max(0.0) / total;
    let p = (p_begin - p_other) / (p_same / total);
    if p.is_nan() {
        0.0
    } else {
        p.clamp(0.0, 1.0)
    }
}

/// The chance that a held key, chosen again, is struck again, from the key's output `p_same`
/// (it sounds next step) and the restrike unit's `p_again` (it is struck again): their ratio,
/// within 0..1; 0 where the outputs are not numbers or the key weighs nothing.
fn restrike_given_same(p_same: f32, p_again: f32) -> f32 {
    let (p_same, p_again) = (clean(p_same), clean(p_again));
    if p_same > 0.0 {
        (p_again / p_same).min(1.0)
    } else {
        0.0
    }
}

/// The chord the outputs ask for: bit `i` set where `y_chord[i] > 0.5` (first 16 units).
pub fn chord_mask_from_outputs(y_chord: &[f32]) -> u16 {
    y_chord.iter().take(16).enumerate().fold(0, |mask, (i, &y)| mask | (u16::from(y > 0.5) << i))
}

/// A yes/no drawn from a logistic output `p`: p^(1/T) against (1 − p)^(1/T), so T = 1 draws
/// with probability p and T → 0 thresholds at one half. One draw from `rng` always.
pub fn draw_bit(p: f32, temperature: f32, rng: &mut Rng) -> bool {
    let u = rng.next_f32();
    let p = if p.is_finite() { p.clamp(0.0, 1.0) } else { 0.0 };
    if temperature.is_nan() || temperature <= ARGMAX_TEMPERATURE || temperature.is_infinite() {
        return p > 0.5;
    }
    let inv_t = 1.0 / temperature;
    let (yes, no) = (p.powf(inv_t), (1.0 - p).powf(inv_t));
    u * (yes + no) < yes
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

/// Draws one choice with probability p_i ∝ y_i^(1/T), normalised over the units.
///
/// T = 1 is the paper's rule; T ≤ [`ARGMAX_TEMPERATURE`] plays the most likely unit. Outputs
/// that are NaN, infinite or negative count as 0; if nothing is left to draw from, the most
/// likely unit is played, and if there is not even that, a uniformly random one. `None` only
/// for an empty slice.
pub fn sample_choice(y: &[f32], temperature: f32, rng: &mut Rng) -> Option<u8> {
    if y.is_empty() {
        return None;
    }
    // One draw per call whatever the path, so the random stream stays in step.
    let u = rng.next_f32();
    let fallback = || argmax(y).unwrap_or(((u * y.len() as f32) as usize).min(y.len() - 1)) as u8;
    if temperature.is_nan() || temperature <= ARGMAX_TEMPERATURE || temperature.is_infinite() {
        return Some(fallback());
    }
    let inv_t = 1.0 / temperature;
    // Weights relative to the largest output when sharpening or flattening, so a small
    // temperature cannot underflow every weight; at T = 1 the outputs themselves.
    let scale = if inv_t == 1.0 {
        1.0
    } else {
        match argmax(y) {
            Some(top) => 1.0 / y[top],
            None => return Some(fallback()),
        }
    };
    if inv_t == 1.0 { draw(y, clean, u) } else { draw(y, |v| (clean(v) * scale).powf(inv_t), u) }
        .or_else(|| Some(fallback()))
}

/// Units per block of the draw: the paper's 13 melody units fit one.
const BLOCK: usize = 16;

/// The unit drawn by `u` in [0, 1) from the weights of `y` (`weight` gives each one, finite
/// and ≥ 0), or `None` if they sum to nothing: the number of running totals at or below
/// `u · total`, branch-free. Blocks of 16 with fixed indices stay in registers, and their
/// running totals are four short chains side by side: a chain of 13 adds, twice, was what a
/// draw mostly waited for.
#[inline(always)]
fn draw(y: &[f32], weight: impl Fn(f32) -> f32, u: f32) -> Option<u8> {
    let mut chunks = y.chunks(BLOCK);
    let first = running_totals(weights_of(chunks.next()?, &weight));
    // The total, added up block by block exactly as `before` is below.
    let mut total = first[BLOCK - 1];
    for chunk in chunks {
        total += running_totals(weights_of(chunk, &weight))[BLOCK - 1];
    }
    if !(total.is_finite() && total > 0.0) {
        return None;
    }
    // Strictly below the total: then the first running total past the target belongs to a
    // unit of weight above 0 (a unit of weight 0 repeats the total before it, exactly), and
    // never to the zero padding past the last unit.
    let target = (u * total).min(f32::from_bits(total.to_bits() - 1));
    let mut index = at_or_below(&first, 0.0, target);
    // Past the first block only when the target is (the paper's 13 units never are).
    if index == BLOCK {
        let mut before = first[BLOCK - 1];
        for chunk in y.chunks(BLOCK).skip(1) {
            let totals = running_totals(weights_of(chunk, &weight));
            index += at_or_below(&totals, before, target);
            before += totals[BLOCK - 1];
        }
    }
    Some(index as u8)
}

/// The weights of up to 16 outputs, zero-padded.
#[inline(always)]
fn weights_of(chunk: &[f32], weight: impl Fn(f32) -> f32) -> [f32; BLOCK] {
    let mut w = [0.0; BLOCK];
    for (w, &v) in w.iter_mut().zip(chunk) {
        *w = weight(v);
    }
    w
}

/// Inclusive running totals: four quarters of four side by side, then each quarter carried
/// by the totals of those before it.
#[inline(always)]
fn running_totals(w: [f32; BLOCK]) -> [f32; BLOCK] {
    let mut t = w;
    for q in (0..BLOCK).step_by(4) {
        for i in q + 1..q + 4 {
            t[i] = t[i - 1] + w[i];
        }
    }
    let carry1 = t[3];
    let carry2 = carry1 + t[7];
    let carry3 = carry2 + t[11];
    for (q, carry) in [(4, carry1), (8, carry2), (12, carry3)] {
        for v in &mut t[q..q + 4] {
            *v += carry;
        }
    }
    t
}

/// How many running totals, each after `before`, are at or below `target`.
#[inline(always)]
fn at_or_below(totals: &[f32; BLOCK], before: f32, target: f32) -> usize {
    totals.iter().map(|&t| usize::from(before + t <= target)).sum()
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
            counts[usize::from(sample_choice(&y, 1.0, &mut rng).unwrap())] += 1;
        }
        assert_eq!(counts[1], 0, "a zero output is never drawn");
        for (i, p) in [(0, 0.1), (2, 0.3), (3, 0.6)] {
            let f = f64::from(counts[i]) / f64::from(n);
            assert!((f - p).abs() < 0.02, "unit {i}: {f} vs {p}");
        }
    }

    #[test]
    fn ranges_of_several_blocks_draw_from_every_unit_in_proportion() {
        // 40 units, three blocks: weight i+1 on the odd units, 0 on the even ones.
        let y: Vec<f32> = (0..40).map(|i| if i % 2 == 1 { (i + 1) as f32 / 40.0 } else { 0.0 }).collect();
        let total: f32 = y.iter().sum();
        let mut rng = Rng::new(5);
        let mut counts = [0u32; 40];
        let n = 200_000;
        for _ in 0..n {
            counts[usize::from(sample_choice(&y, 1.0, &mut rng).unwrap())] += 1;
        }
        for (i, (&c, &w)) in counts.iter().zip(&y).enumerate() {
            let (f, p) = (f64::from(c) / f64::from(n), f64::from(w / total));
            assert!((f - p).abs() < 0.004, "unit {i}: drawn {f}, weight {p}");
        }
        // The top of the range is reachable and nothing past it is drawn.
        let mut top_only = [0.0f32; 40];
        top_only[39] = 0.2;
        assert_eq!(sample_choice(&top_only, 1.0, &mut rng), Some(39));
    }

    #[test]
    fn a_unit_of_weight_zero_is_never_drawn_even_at_the_edges() {
        // Random ranges of 1-40 units, half of them 0, the rest spread over 40 orders of
        // magnitude, drawn at u = 0, at the largest u below 1 and in between.
        let mut rng = Rng::new(11);
        let largest_u = 1.0 - 1.0 / (1u32 << 24) as f32;
        for _ in 0..20_000 {
            let n = 1 + rng.below(40);
            let y: Vec<f32> =
                (0..n).map(|_| if rng.below(2) == 0 { 0.0 } else { 10f32.powf(rng.uniform(-30.0, 10.0)) }).collect();
            for u in [0.0, largest_u, rng.next_f32()] {
                match draw(&y, |v| v, u) {
                    Some(i) => assert!(y[usize::from(i)] > 0.0, "drew unit {i} of weight 0 from {y:?} at u = {u}"),
                    None => assert!(y.iter().all(|&w| w == 0.0), "nothing drawn from {y:?}"),
                }
            }
        }
        // The largest u with units of weight 0 at the top, in one block and across two: the
        // draw stops at the last unit that weighs something.
        for y in [&[0.25, 0.75, 0.0, 0.0][..], &[1.0, 0.0], &[0.5, 0.0, 0.5, 0.0, 0.0]] {
            assert_eq!(u8::try_from(y.iter().rposition(|&w| w > 0.0).unwrap()).ok(), draw(y, |v| v, largest_u));
        }
        let mut seventeen = [0.0f32; 20];
        seventeen[..2].copy_from_slice(&[1.5, 0.5]);
        assert_eq!(draw(&seventeen, |v| v, largest_u), Some(1));
    }

    #[test]
    fn temperature_sharpens_and_zero_is_argmax() {
        let y = [0.2, 0.3, 0.25];
        let mut rng = Rng::new(1);
        for t in [0.0, 0.005, -1.0, f32::NAN] {
            assert_eq!(sample_choice(&y, t, &mut rng), Some(1));
        }
        let count_top = |t: f32, rng: &mut Rng| (0..5000).filter(|_| sample_choice(&y, t, rng) == Some(1)).count();
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
        assert_eq!(sample_choice(&[], 1.0, &mut rng), None);
        let nan_and_good = [f32::NAN, 0.0, 0.7, f32::INFINITY, -3.0];
        for _ in 0..100 {
            assert_eq!(sample_choice(&nan_and_good, 1.0, &mut rng), Some(2));
        }
        for _ in 0..100 {
            let n = sample_choice(&[0.0; 13], 1.0, &mut rng).unwrap();
            assert!(n < 13);
            let n = sample_choice(&[f32::NAN; 13], 1.0, &mut rng).unwrap();
            assert!(n < 13);
        }
        assert_eq!(sample_choice(&[0.0, 0.0, 0.4], 1.0, &mut rng), Some(2));
    }

    /// A chord group of 3 units, a line of rest + 3 pitches + begin.
    fn readout() -> Readout {
        readout_trimmed(false)
    }

    fn readout_trimmed(trim: bool) -> Readout {
        let rule = Rule::Choice { begin: true, restrike: false, rest: Some(0), trim };
        Readout {
            groups: vec![
                GroupRule { offset: 0, units: 3, rule: Rule::Threshold },
                GroupRule { offset: 3, units: 5, rule },
            ],
        }
    }

    /// Steps from a line holding pitch 1 (unit 4) on outputs `y`, `x` reset each time: how
    /// often pitch 1 is drawn again, and how often it is then struck again.
    fn held_then(r: &Readout, y: &[f32; 8], t: f32, steps: usize) -> (usize, usize) {
        let mut rng = Rng::new(17);
        let (mut same, mut again) = (0, 0);
        for _ in 0..steps {
            let mut x = [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
            r.next_input(y, &mut x, &[1.0, t], &mut rng);
            if x[4] == 1.0 {
                same += 1;
                again += usize::from(x[7] == 1.0);
            }
        }
        (same, again)
    }

    #[test]
    fn a_held_key_is_struck_again_only_by_the_begin_the_other_keys_leave() {
        let r = readout();
        // Half the chance on the held key, half on another; a note begins half the time:
        // the begin is all the other key's (a new key always begins), so the held key holds.
        // Drawn as it stood, the begin struck the held key again at a quarter of these steps.
        let y = [0.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.0, 0.5];
        for t in [0.7, 1.0, 1.5] {
            let (same, again) = held_then(&r, &y, t, 4000);
            assert!(same > 1000, "the held key is still drawn: {same}");
            assert_eq!(again, 0, "T = {t}: struck again {again} times of {same}");
        }
        // 0.6 on the held key, 0.4 on another, a beginning at 0.55: 0.15 of it is the held
        // key's, a quarter of its 0.6, under a half: it holds, at any temperature.
        let y = [0.0, 0.0, 0.0, 0.0, 0.6, 0.4, 0.0, 0.55];
        for t in [0.7, 1.0, 1.5] {
            let (same, again) = held_then(&r, &y, t, 4000);
            assert!(same > 1000 && again == 0, "T = {t}: struck again {again} times of {same}");
        }
        // A beginning at 0.85: 0.45 of it is the held key's, three quarters of its 0.6: struck
        // again every time it is drawn.
        let y = [0.0, 0.0, 0.0, 0.0, 0.6, 0.4, 0.0, 0.85];
        let (same, again) = held_then(&r, &y, 1.0, 4000);
        assert!(same > 1000 && again == same, "struck again {again} times of {same}");
        // A rest takes nothing from the beginning: only the held key is left to begin (0.2 of
        // 0.5 is under a half, 0.3 over it).
        let (same, again) = held_then(&r, &[0.0, 0.0, 0.0, 0.5, 0.5, 0.0, 0.0, 0.2], 1.0, 4000);
        assert!(same > 1000 && again == 0, "struck again {again} times of {same}");
        let (same, again) = held_then(&r, &[0.0, 0.0, 0.0, 0.5, 0.5, 0.0, 0.0, 0.3], 1.0, 4000);
        assert!(same > 1000 && again == same, "struck again {again} times of {same}");
    }

    #[test]
    fn begin_given_the_same_key_stays_a_chance() {
        assert_eq!(begin_given_same(&[0.0, 0.2, 0.8], 0.1, 1, Some(0)), 0.0, "less than the other keys take");
        assert_eq!(begin_given_same(&[0.0, 0.2, 0.0], 0.9, 1, Some(0)), 0.9);
        assert_eq!(begin_given_same(&[0.0, 0.1, 0.0], 1.0, 1, Some(0)), 1.0);
        assert_eq!(begin_given_same(&[0.0, 0.0, 0.0], 0.3, 1, Some(0)), 0.3, "nothing to condition on");
        assert_eq!(begin_given_same(&[f32::NAN, 0.5, 0.5], f32::NAN, 1, Some(0)), 0.0);
        assert_eq!(begin_given_same(&[0.5, 0.5], 0.75, 0, None), 0.5, "a line without a rest");
    }

    #[test]
    fn a_trimmed_line_never_draws_an_unlikely_key_but_may_rest() {
        // Pitch 1 is likeliest; pitch 2 under a tenth of it; the rest as unlikely, but kept.
        let y = [0.0, 0.0, 0.0, 0.08, 1.0, 0.09, 0.5, 0.0];
        let count = |r: &Readout, t: f32| {
            let mut rng = Rng::new(23);
            let mut drawn = [0usize; 4];
            for _ in 0..20_000 {
                let mut x = [0.0; 8];
                r.next_input(&y, &mut x, &[1.0, t], &mut rng);
                drawn[x[3..7].iter().position(|&u| u == 1.0).unwrap()] += 1;
            }
            drawn
        };
        for t in [0.7, 1.0, 2.0] {
            let trimmed = count(&readout_trimmed(true), t);
            assert_eq!(trimmed[2], 0, "T = {t}: {trimmed:?}");
            assert!(trimmed[0] > 0 && trimmed[1] > 0 && trimmed[3] > 0, "T = {t}: {trimmed:?}");
            assert!(count(&readout(), t)[2] > 100, "untrimmed, T = {t}, it is drawn");
        }
        // Just at a tenth it is kept; argmax is untouched.
        let mut at = y;
        at[5] = 0.1;
        let mut rng = Rng::new(2);
        let kept = (0..5000)
            .filter(|_| {
                let mut x = [0.0; 8];
                readout_trimmed(true).next_input(&at, &mut x, &[1.0, 1.0], &mut rng);
                x[5] == 1.0
            })
            .count();
        assert!(kept > 100, "{kept}");
        let mut x = [0.0; 8];
        readout_trimmed(true).next_input(&y, &mut x, &[1.0, 0.0], &mut rng);
        assert_eq!(x[4], 1.0);
        // Two draws a step, trimmed or not.
        let (mut a, mut b) = (Rng::new(1), Rng::new(1));
        readout_trimmed(true).next_input(&y, &mut [0.0; 8], &[], &mut a);
        b.next_f32();
        b.next_f32();
        assert_eq!(a, b);
    }

    #[test]
    fn a_frame_is_thresholded_chords_and_one_drawn_choice_with_its_begin() {
        let r = readout();
        let mut rng = Rng::new(4);
        let mut x = [0.0; 8];
        // The line certainly changes to pitch 2: it begins.
        let y = [0.9, 0.2, 0.7, 0.0, 0.0, 1.0, 0.0, 0.0];
        r.next_input(&y, &mut x, &[1.0, 1.0], &mut rng);
        assert_eq!(x, [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0]);
        // The same pitch again: held when the begin output is 0, struck again when it is 1.
        r.next_input(&y, &mut x, &[1.0, 1.0], &mut rng);
        assert_eq!(x[7], 0.0, "held");
        let mut strike = y;
        strike[7] = 1.0;
        r.next_input(&strike, &mut x, &[1.0, 1.0], &mut rng);
        assert_eq!(x[7], 1.0, "struck again");
        // A rest never begins, whatever the begin output says.
        let rest = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        r.next_input(&rest, &mut x, &[1.0, 1.0], &mut rng);
        assert_eq!(x, [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn a_held_key_is_struck_again_where_likelier_than_held_at_any_temperature_and_the_stream_stays_in_step() {
        let r = readout();
        let count = |begin: f32, t: f32| {
            let y = [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, begin];
            let mut rng = Rng::new(9);
            let mut x = [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
            (0..10_000)
                .filter(|_| {
                    r.next_input(&y, &mut x, &[1.0, t], &mut rng);
                    x[7] == 1.0
                })
                .count()
        };
        for t in [0.0, 0.5, 1.0, 2.0] {
            assert_eq!(count(0.3, t), 0, "T = {t}: a repeat at 0.3 is not the network's choice");
            assert_eq!(count(0.7, t), 10_000, "T = {t}: a repeat at 0.7 is");
        }
        // Two draws per step for a line with a begin unit, whatever is drawn.
        let (mut a, mut b) = (Rng::new(1), Rng::new(1));
        let mut x = [0.0; 8];
        r.next_input(&[0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0], &mut x, &[], &mut a);
        b.next_f32();
        b.next_f32();
        assert_eq!(a, b);
    }

    #[test]
    fn draw_bit_handles_garbage() {
        let mut rng = Rng::new(3);
        for p in [f32::NAN, -1.0, 2.0, f32::INFINITY] {
            let _ = draw_bit(p, 1.0, &mut rng);
        }
        assert!(!draw_bit(f32::NAN, 0.0, &mut rng));
        assert!(draw_bit(2.0, 0.0, &mut rng));
    }

    #[test]
    fn a_restrike_unit_strikes_the_held_key_again_at_its_share_of_the_key() {
        // Chords 0..3; the line: rest 3, keys 4..7, begin 7, restrike 8.
        let rule = Rule::Choice { begin: true, restrike: true, rest: Some(0), trim: false };
        let r = Readout {
            groups: vec![
                GroupRule { offset: 0, units: 3, rule: Rule::Threshold },
                GroupRule { offset: 3, units: 6, rule },
            ],
        };
        let held_then = |y: &[f32; 9], t: f32, steps: usize| {
            let mut rng = Rng::new(17);
            let (mut same, mut again) = (0, 0);
            for _ in 0..steps {
                let mut x = [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0];
                r.next_input(y, &mut x, &[1.0, t], &mut rng);
                if x[4] == 1.0 {
                    same += 1;
                    assert_eq!(x[7], x[8], "a restrike begins a note, a held key does not");
                    again += usize::from(x[8] == 1.0);
                }
            }
            (same, again)
        };
        // The held key at 0.5, its restrike at 0.05: struck again a tenth of the times it is
        // drawn, at any temperature (the key is drawn at the temperature, the restrike is not),
        // whatever the begin unit's output (most of it the other key's).
        let y = [0.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.0, 0.9, 0.05];
        for t in [0.7, 1.0, 1.5] {
            let (same, again) = held_then(&y, t, 8000);
            let share = again as f64 / same as f64;
            assert!(same > 2000 && (0.08..0.12).contains(&share), "T = {t}: struck again {again} times of {same}");
        }
        // A restrike as likely as the key: struck again every time it is drawn.
        let (same, again) = held_then(&[0.0, 0.0, 0.0, 0.0, 0.4, 0.5, 0.0, 0.0, 0.6], 1.0, 2000);
        assert_eq!(again, same);
        // At temperature 0 the key is the likeliest and so is holding it: never struck again
        // (whatever the draw), and struck again every time where that is likelier.
        assert_eq!(held_then(&y, 0.0, 500), (500, 0));
        assert_eq!(held_then(&[0.0, 0.0, 0.0, 0.0, 0.5, 0.4, 0.0, 0.9, 0.3], 0.0, 500), (500, 500));
        // A new key begins and is no restrike, a rest neither, however likely a restrike; two
        // draws a step, whatever is drawn.
        for (y, begins) in
            [([0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0], 1.0), ([0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0], 0.0)]
        {
            let (mut rng, mut twice) = (Rng::new(3), Rng::new(3));
            let mut x = [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0];
            r.next_input(&y, &mut x, &[1.0, 1.0], &mut rng);
            assert_eq!((x[4], x[7], x[8]), (0.0, begins, 0.0), "{y:?}");
            twice.next_f32();
            twice.next_f32();
            assert_eq!(rng, twice);
        }
        assert_eq!(restrike_given_same(0.0, 0.3), 0.0, "a key that weighs nothing");
        assert_eq!(restrike_given_same(f32::NAN, 0.3), 0.0);
        assert_eq!(restrike_given_same(0.5, f32::NAN), 0.0);
        assert_eq!(restrike_given_same(0.2, 0.9), 1.0, "at most certain");
    }
}
