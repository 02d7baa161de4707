//! How a chord's pitch classes become keys on the piano: as the network learned them (each pitch
//! class once, from the chord octave up), as shells (root, 3rd and 7th, the root below), or
//! spread and voice-led (four notes in the middle of the keyboard, each chord placed to move as
//! little as it can from the one before, as a pianist's hands do). Audio thread; allocation-free.

use crate::music::chord_names::chord_root;

/// A way of voicing chords, chosen by the player.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Voicing {
    #[default]
    AsLearned,
    Shell,
    VoiceLed,
}

/// Most notes a voicing has.
pub const MAX_NOTES: usize = 12;

/// The keys of a voiced chord.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Keys {
    keys: [u8; MAX_NOTES],
    len: usize,
}

impl Keys {
    pub fn as_slice(&self) -> &[u8] {
        &self.keys[..self.len]
    }

    /// Each pitch class of `mask` once, from `chord_low` (a C) up: the chord as the network
    /// learned it.
    pub fn as_learned(mask: u16, chord_low: u8) -> Self {
        let mut k = Keys::default();
        for pc in (0..12u8).filter(|pc| mask & (1 << pc) != 0) {
            k.push(chord_low.saturating_add(pc));
        }
        k
    }

    fn push(&mut self, key: u8) {
        if self.len < MAX_NOTES && !self.as_slice().contains(&key) {
            self.keys[self.len] = key;
            self.len += 1;
        }
    }

    fn sorted(mut self) -> Self {
        self.keys[..self.len].sort_unstable();
        self
    }
}

/// The range the voice-led chords stay in: E3 to A5.
const LED_LOW: u8 = 52;
const LED_HIGH: u8 = 81;
/// The widest voice-led chord: an octave and a fifth.
const LED_SPAN: u8 = 19;

/// Voices chords one after another (the voice-led ones remember the last).
#[derive(Clone, Copy, Debug, Default)]
pub struct Voicer {
    last: Keys,
}

impl Voicer {
    /// The keys of the chord `mask` (pitch classes), voiced `how`; `chord_low` is the C the
    /// learned voicing starts from.
    pub fn voice(&mut self, mask: u16, chord_low: u8, how: Voicing) -> Keys {
        let mask = mask & 0xFFF;
        let keys = match (how, chord_root(mask)) {
            (_, _) if mask == 0 => Keys::default(),
            (Voicing::AsLearned, _) | (_, None) => Keys::as_learned(mask, chord_low),
            (Voicing::Shell, Some((root, _))) => shell(mask, root, chord_low),
            (Voicing::VoiceLed, Some(_)) => self.led(mask),
        };
        self.last = keys;
        keys
    }

    /// The four (or three) pitch classes placed in the middle of the keyboard, moving least
    /// from the last chord: each pitch class tried in each octave that fits.
    fn led(&self, mask: u16) -> Keys {
        let pcs: Vec4 = Vec4::of(mask);
        let last = self.last.sorted();
        let last_mean = if last.len > 0 {
            last.as_slice().iter().map(|&k| f32::from(k)).sum::<f32>() / last.len as f32
        } else {
            64.0
        };
        let mut best: Option<(f32, Keys)> = None;
        // Each pitch class has at most three octaves in range: 3^4 = 81 candidates.
        let choices = 3usize.pow(pcs.len as u32);
        for code in 0..choices {
            let mut k = Keys::default();
            let mut rest = code;
            let mut ok = true;
            for &pc in &pcs.pcs[..pcs.len] {
                let octave = (rest % 3) as u8;
                rest /= 3;
                let key = (LED_LOW / 12 + octave) * 12 + pc + if pc < LED_LOW % 12 { 12 } else { 0 };
                if key > LED_HIGH {
                    ok = false;
                    break;
                }
                k.push(key);
            }
            let k = k.sorted();
            if !ok || k.len != pcs.len || k.keys[k.len - 1] - k.keys[0] > LED_SPAN {
                continue;
            }
            let cost = if last.len == k.len {
                k.as_slice().iter().zip(last.as_slice()).map(|(&a, &b)| f32::from(a.abs_diff(b))).sum()
            } else {
                let mean = k.as_slice().iter().map(|&x| f32::from(x)).sum::<f32>() / k.len as f32;
                (mean - last_mean).abs() * k.len as f32
            };
            if best.is_none_or(|(c, _)| cost < c) {
                best = Some((cost, k));
            }
        }
        best.map_or(Keys::default(), |(_, k)| k)
    }
}

/// Pitch classes of a mask, at most four (a fifth left out first when there are more).
struct Vec4 {
    pcs: [u8; 4],
    len: usize,
}

impl Vec4 {
    fn of(mask: u16) -> Self {
        let mut v = Self { pcs: [0; 4], len: 0 };
        for pc in (0..12u8).filter(|pc| mask & (1 << pc) != 0) {
            if v.len < 4 {
                v.pcs[v.len] = pc;
                v.len += 1;
            }
        }
        v
    }
}

/// Root in the chord octave, then the 3rd and the 7th (or the 6th, or the 5th of a triad) just
/// above it.
fn shell(mask: u16, root: u8, chord_low: u8) -> Keys {
    let has = |interval: u8| mask & (1 << ((root + interval) % 12)) != 0;
    let third = [4, 3].into_iter().find(|&i| has(i));
    let seventh = [10, 11, 9, 6].into_iter().find(|&i| has(i) && i != 6 || (i == 6 && !has(7)));
    let root_key = chord_low + root;
    let mut k = Keys::default();
    k.push(root_key);
    for interval in [third, seventh.or(Some(7))].into_iter().flatten() {
        k.push(root_key + interval);
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::notation::parse_chord;

    fn mask(name: &str) -> u16 {
        parse_chord(name).unwrap().mask
    }

    #[test]
    fn learned_and_shell_voicings_keep_the_chords_notes() {
        let mut v = Voicer::default();
        assert_eq!(v.voice(mask("C7"), 48, Voicing::AsLearned).as_slice(), &[48, 52, 55, 58]);
        assert_eq!(v.voice(mask("C7"), 48, Voicing::Shell).as_slice(), &[48, 52, 58], "C E Bb");
        assert_eq!(v.voice(mask("F7"), 48, Voicing::Shell).as_slice(), &[53, 57, 63], "F A Eb");
        assert_eq!(v.voice(mask("Dm7"), 48, Voicing::Shell).as_slice(), &[50, 53, 60], "D F C");
        assert_eq!(v.voice(0, 48, Voicing::Shell).as_slice(), &[] as &[u8]);
    }

    #[test]
    fn voice_led_chords_move_by_small_steps_and_keep_their_pitch_classes() {
        let mut v = Voicer::default();
        let changes = ["C7", "F7", "C7", "Gm7", "C7", "F7", "Bdim7", "C7", "A7", "Dm7", "G7", "C7"];
        let mut last: Option<Keys> = None;
        for name in changes {
            let keys = v.voice(mask(name), 48, Voicing::VoiceLed);
            let pcs = keys.as_slice().iter().fold(0u16, |m, k| m | 1 << (k % 12));
            assert_eq!(pcs, mask(name), "{name}: {:?}", keys.as_slice());
            assert!(keys.as_slice().iter().all(|k| (LED_LOW..=LED_HIGH).contains(k)));
            if let Some(last) = last {
                let moved: u8 =
                    keys.sorted().as_slice().iter().zip(last.sorted().as_slice()).map(|(a, b)| a.abs_diff(*b)).sum();
                assert!(
                    moved <= 8,
                    "{name}: moved {moved} semitones from {:?} to {:?}",
                    last.as_slice(),
                    keys.as_slice()
                );
            }
            last = Some(keys);
        }
    }

    #[test]
    fn voicing_allocates_nothing() {
        let mut v = Voicer::default();
        nice_assert_no_alloc::assert_no_alloc(|| {
            for m in 0..4096u16 {
                for how in [Voicing::AsLearned, Voicing::Shell, Voicing::VoiceLed] {
                    let _ = v.voice(m, 48, how);
                }
            }
        });
    }
}
