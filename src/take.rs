//! A take: the last choruses the plugin played and heard — the player's turns as the plugin
//! heard them — as a Standard MIDI File to drag into the DAW. Read from the audio thread's
//! [`Display`] history. Any non-audio thread (it allocates).

use crate::engine::display::{Display, HISTORY_STEPS};
use crate::engine::voices::VoiceSettings;
use crate::music::encoding::{Form, Frame, Note, STEPS_PER_BAR};
use crate::music::midi_file::{write_smf, TimedNote};
use crate::music::part::Part;
use crate::render::frames_to_notes;

/// The channel the player's notes go to in a take (channel 4, after chords, melody and bass).
pub const PLAYER_CHANNEL: u8 = 3;

/// What was heard over a stretch of the song.
#[derive(Clone, Debug, PartialEq)]
pub struct Take {
    pub form: Form,
    /// The plugin's frames, from the first bar of a chorus (silent melody in the player's turns).
    pub frames: Vec<Frame>,
    /// The player's melody, step by step (rests outside their turns).
    pub player: Vec<Note>,
    /// Song step of the first frame.
    pub first_step: i64,
    pub tempo_bpm: f64,
    /// Where the off-beat eighths were played, as a share of the beat.
    pub swing: f64,
}

impl Take {
    /// The last `choruses` choruses up to the step last played (the current one as far as it
    /// has gone), from the history still kept; `None` before anything was played.
    pub fn from_display(display: &Display, choruses: usize) -> Option<Take> {
        let last = display.step()?;
        let bars = display.bars();
        let form = Form { steps_per_bar: STEPS_PER_BAR, bars };
        let steps = form.steps() as i64;
        let wanted = choruses.max(1) as i64 * steps;
        let start_of_chorus = last - last.rem_euclid(steps);
        let mut first = (start_of_chorus - (choruses.max(1) as i64 - 1) * steps).max(last - HISTORY_STEPS as i64 + 1);
        // Only what is still kept, from a bar line.
        while first <= last && display.heard_at(first).is_none() {
            first += 1;
        }
        first += (STEPS_PER_BAR as i64 - first.rem_euclid(STEPS_PER_BAR as i64)) % STEPS_PER_BAR as i64;
        if first > last || last - first + 1 > wanted {
            return None;
        }
        let (mut frames, mut player) = (Vec::new(), Vec::new());
        for step in first..=last {
            let (frame, players) = display.heard_at(step).unwrap_or_default();
            let (mine, theirs) = if players { (Note::REST, frame.melody) } else { (frame.melody, Note::REST) };
            frames.push(Frame { melody: mine, ..frame });
            player.push(theirs);
        }
        let (tempo_bpm, swing) = display.time();
        Some(Take { form, frames, player, first_step: first, tempo_bpm, swing })
    }

    /// Its notes, from beat 0, swung as played: the band on the plugin's channels (chords
    /// struck by the comping where the model comps, else as pads), the player on
    /// [`PLAYER_CHANNEL`].
    pub fn notes(&self, voices: &VoiceSettings) -> Vec<TimedNote> {
        let comping = self.frames.iter().any(|f| f.comp.key.is_some());
        // The frames start on a bar line, so their steps' parity is the song's.
        let form = self.form;
        let mut notes = frames_to_notes(&self.frames, form, comping, voices);
        let heard: Vec<Frame> = self.player.iter().map(|&melody| Frame { melody, ..Frame::default() }).collect();
        let mut player_voices = *voices;
        for part in Part::SOUNDING {
            player_voices.parts[part].on = part == Part::Melody;
        }
        player_voices.parts[Part::Melody].channel = PLAYER_CHANNEL;
        notes.extend(frames_to_notes(&heard, form, false, &player_voices));
        for note in &mut notes {
            let beat = note.beats.floor();
            if note.beats - beat > 0.25 {
                note.beats = beat + self.swing;
            }
        }
        notes.sort_by(|a, b| a.beats.total_cmp(&b.beats).then(a.on.cmp(&b.on)));
        notes
    }

    /// The take as a Standard MIDI File.
    pub fn smf(&self, voices: &VoiceSettings) -> Vec<u8> {
        let names = |channel: u8| match voices.track_name(channel) {
            Some(name) => name,
            None if channel == PLAYER_CHANNEL => "Player (as heard)".to_string(),
            None => format!("Channel {}", channel + 1),
        };
        write_smf(&self.notes(voices), self.tempo_bpm, &names)
    }
}
