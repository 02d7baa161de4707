//! Piano-roll pictures of what was played: bass, chords and melody in three colours on a grid
//! of eighth-note steps, with bar lines and bar numbers of the form (a tiny built-in digit font,
//! so no font files are needed). Used by `blues-lstm render --png` and eval. Any non-audio
//! thread.

use super::drums::{gm_piece, PIECES};
use super::encoding::STEPS_PER_BAR;
use super::midi_file::TimedNote;

const STEP_W: usize = 8;
const ROW_H: usize = 7;
const TOP: usize = 14;
const LEFT: usize = 6;

/// What to draw: how many steps, the form's length, which channel is which voice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Roll {
    pub steps: usize,
    pub bars_per_chorus: usize,
    pub chord_channel: u8,
    pub bass_channel: Option<u8>,
    /// The drums' channel: drawn in a lane of their own below the keys, a row per kit piece.
    pub drum_channel: Option<u8>,
}

const BACKGROUND: [u8; 3] = [22, 22, 26];
const GRID: [u8; 3] = [48, 48, 56];
const BAR_LINE: [u8; 3] = [90, 90, 100];
const CHORUS_LINE: [u8; 3] = [170, 170, 180];
const CHORD: [u8; 3] = [90, 150, 220];
const MELODY: [u8; 3] = [235, 120, 90];
const BASS: [u8; 3] = [110, 200, 120];
const DRUMS: [u8; 3] = [230, 200, 90];
const TEXT: [u8; 3] = [200, 200, 200];

/// 3×5 digits, one row of 3 bits per line, top to bottom.
const DIGITS: [[u8; 5]; 10] = [
    [7, 5, 5, 5, 7],
    [2, 6, 2, 2, 7],
    [7, 1, 7, 4, 7],
    [7, 1, 7, 1, 7],
    [5, 5, 7, 1, 1],
    [7, 4, 7, 1, 7],
    [7, 4, 7, 5, 7],
    [7, 1, 1, 1, 1],
    [7, 5, 7, 5, 7],
    [7, 5, 7, 1, 7],
];

struct Canvas {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Self {
        let mut rgb = Vec::with_capacity(width * height * 3);
        for _ in 0..width * height {
            rgb.extend_from_slice(&BACKGROUND);
        }
        Self { width, height, rgb }
    }

    fn fill(&mut self, x: usize, y: usize, w: usize, h: usize, colour: [u8; 3]) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                let i = (yy * self.width + xx) * 3;
                self.rgb[i..i + 3].copy_from_slice(&colour);
            }
        }
    }

    fn number(&mut self, x: usize, y: usize, n: usize) {
        for (i, ch) in n.to_string().bytes().enumerate() {
            let glyph = DIGITS[usize::from(ch - b'0')];
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..3 {
                    if bits & (4 >> col) != 0 {
                        self.fill(x + i * 4 + col, y + row, 1, 1, TEXT);
                    }
                }
            }
        }
    }
}

/// The colour of a voice: chords blue, bass green, melody orange.
pub fn voice_colour(roll: &Roll, channel: u8) -> [u8; 3] {
    if channel == roll.chord_channel {
        CHORD
    } else if Some(channel) == roll.bass_channel {
        BASS
    } else {
        MELODY
    }
}

/// Draws the notes (in beats from 0) of `roll` as an RGB PNG file's bytes; the keys shown are
/// those played, a little padded.
pub fn piano_roll_png(notes: &[TimedNote], roll: &Roll) -> Vec<u8> {
    let steps = roll.steps;
    let is_drum = |n: &TimedNote| Some(n.channel) == roll.drum_channel;
    let played = notes.iter().filter(|n| n.on && !is_drum(n)).map(|n| n.key);
    let drum_lane = if notes.iter().any(|n| n.on && is_drum(n)) { PIECES * ROW_H + 4 } else { 0 };
    let (low, high) =
        (played.clone().min().unwrap_or(48).saturating_sub(1), played.max().unwrap_or(72).saturating_add(1).min(127));
    let rows = usize::from(high - low + 1);
    let (width, height) = (LEFT * 2 + steps * STEP_W, TOP + rows * ROW_H + 4 + drum_lane);
    let lane_top = TOP + rows * ROW_H + 4;
    let mut canvas = Canvas::new(width, height);
    let row_y = |key: u8| TOP + usize::from(high - key.clamp(low, high)) * ROW_H;
    // A faint line at every C.
    for c in (low..=high).filter(|k| k % 12 == 0) {
        canvas.fill(LEFT, row_y(c) + ROW_H, steps * STEP_W, 1, GRID);
    }
    let chorus_steps = roll.bars_per_chorus.max(1) * STEPS_PER_BAR;
    for step in 0..=steps {
        let x = LEFT + step * STEP_W;
        if step % STEPS_PER_BAR == 0 {
            let colour = if step % chorus_steps == 0 { CHORUS_LINE } else { BAR_LINE };
            canvas.fill(x, TOP - 2, 1, rows * ROW_H + 2, colour);
            if step < steps {
                canvas.number(x + 3, 3, step / STEPS_PER_BAR % roll.bars_per_chorus.max(1) + 1);
            }
        }
    }
    // Notes: from each NoteOn to its NoteOff (or the end).
    for (i, on) in notes.iter().enumerate().filter(|(_, n)| n.on) {
        if is_drum(on) {
            // A stroke, one eighth wide, as bright as it is loud.
            if let Some(piece) = gm_piece(on.key) {
                let x = LEFT + (on.beats * 2.0 * STEP_W as f64) as usize;
                let shade = |c: u8| (u32::from(c) * (60 + u32::from(on.velocity.min(127))) / 187) as u8;
                canvas.fill(x + 1, lane_top + piece.lane() * ROW_H + 1, STEP_W - 2, ROW_H - 1, DRUMS.map(shade));
            }
            continue;
        }
        let end = notes[i + 1..]
            .iter()
            .find(|n| !n.on && n.channel == on.channel && n.key == on.key)
            .map_or(steps as f64 / 2.0, |off| off.beats);
        let (x0, x1) = ((on.beats * 2.0 * STEP_W as f64) as usize, (end * 2.0 * STEP_W as f64) as usize);
        let colour = voice_colour(roll, on.channel);
        canvas.fill(
            LEFT + x0 + 1,
            row_y(on.key) + 1,
            x1.saturating_sub(x0).saturating_sub(1).max(1),
            ROW_H - 1,
            colour,
        );
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("PNG header for an in-memory image");
    writer.write_image_data(&canvas.rgb).expect("PNG data for an in-memory image");
    writer.finish().expect("PNG end for an in-memory image");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_land_on_their_rows_and_steps() {
        let notes = [
            TimedNote { beats: 0.0, channel: 0, key: 48, velocity: 80, on: true },
            TimedNote { beats: 4.0, channel: 0, key: 48, velocity: 0, on: false },
            TimedNote { beats: 1.0, channel: 1, key: 72, velocity: 100, on: true },
            TimedNote { beats: 1.5, channel: 1, key: 72, velocity: 0, on: false },
        ];
        let roll = Roll { steps: 16, bars_per_chorus: 12, chord_channel: 0, bass_channel: Some(2), drum_channel: None };
        let mut notes = notes.to_vec();
        notes.push(TimedNote { beats: 2.0, channel: 2, key: 36, velocity: 90, on: true });
        notes.push(TimedNote { beats: 3.0, channel: 2, key: 36, velocity: 0, on: false });
        let (_, at) = decoded(&piano_roll_png(&notes, &roll));
        assert_eq!(at(LEFT + 4, row_y_of(48) + 4), CHORD, "C3 from step 0");
        assert_eq!(at(LEFT + 7 * STEP_W + 4, row_y_of(48) + 4), CHORD, "held through the bar");
        assert_eq!(at(LEFT + 2 * STEP_W + 4, row_y_of(72) + 4), MELODY, "C5 on step 2");
        assert_ne!(at(LEFT + 4 * STEP_W + 4, row_y_of(72) + 4), MELODY, "released after one step");
        assert_eq!(at(LEFT + 4 * STEP_W + 4, row_y_of(36) + 4), BASS, "C2 on beat 3, in the bass's colour");
    }

    #[test]
    fn drums_get_a_lane_of_their_own_below_the_keys() {
        let mut notes = vec![
            TimedNote { beats: 0.0, channel: 0, key: 60, velocity: 80, on: true },
            TimedNote { beats: 1.0, channel: 0, key: 60, velocity: 0, on: false },
        ];
        for (beats, key) in [(0.0, 51), (0.0, 36), (1.5, 38)] {
            notes.push(TimedNote { beats, channel: 9, key, velocity: 127, on: true });
            notes.push(TimedNote { beats: beats + 0.25, channel: 9, key, velocity: 0, on: false });
        }
        let roll = Roll { steps: 8, bars_per_chorus: 12, chord_channel: 0, bass_channel: None, drum_channel: Some(9) };
        let (height, at) = decoded(&piano_roll_png(&notes, &roll));
        let lane_top = TOP + 3 * ROW_H + 4; // three key rows: B3, C4, C#4
        assert_eq!(height, lane_top + PIECES * ROW_H + 4, "the keys do not stretch to the kick's key");
        let lane = |piece: crate::music::drums::Piece| lane_top + piece.lane() * ROW_H + 3;
        use crate::music::drums::Piece;
        assert_eq!(at(LEFT + 3, lane(Piece::Ride)), DRUMS, "the ride on beat 1");
        assert_eq!(at(LEFT + 3, lane(Piece::Kick)), DRUMS, "the kick with it");
        assert_eq!(at(LEFT + 3 * STEP_W + 3, lane(Piece::Snare)), DRUMS, "the snare on the and of 2");
        assert_ne!(at(LEFT + 3, lane(Piece::Snare)), DRUMS);
    }

    /// A PNG's height, and its pixel at (x, y).
    fn decoded(bytes: &[u8]) -> (usize, impl Fn(usize, usize) -> [u8; 3]) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes.to_vec())).read_info().unwrap();
        let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut rgb).unwrap();
        let width = info.width as usize;
        (info.height as usize, move |x: usize, y: usize| {
            let i = (y * width + x) * 3;
            [rgb[i], rgb[i + 1], rgb[i + 2]]
        })
    }

    /// Rows of the test's picture: C2 − 1 … C5 + 1.
    fn row_y_of(key: u8) -> usize {
        TOP + usize::from(73 - key) * ROW_H
    }
}
