//! Voices: turn the frame chosen for each step into MIDI notes, and guarantee every NoteOn gets
//! its NoteOff. Audio thread only; allocation-free.
//!
//! Note lengths (the paper's encoding has no note end): a chord sounds until the chord changes
//! and is struck again at every bar start; a melody note sounds until the pitch changes and is
//! struck again on every beat (a repeated pitch on an off-beat ties). So the corpus's quarter
//! notes come out as quarter notes and the network's off-beat changes as eighth notes.

use super::{NoteSink, OutNote};
use crate::music::encoding::{Frame, CHORD_LOW, MELODY_LOW, N_CHORD, STEPS_PER_BAR};

/// How the voices sound, from the plugin's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VoiceSettings {
    pub chords_on: bool,
    pub melody_on: bool,
    /// MIDI channel of the chords, 0–15.
    pub chord_channel: u8,
    /// MIDI channel of the melody, 0–15.
    pub melody_channel: u8,
    /// Velocity of chord notes, 0–1.
    pub chord_velocity: f32,
    /// Velocity of melody notes, 0–1.
    pub melody_velocity: f32,
    /// Transposition applied on output, in semitones.
    pub transpose: i8,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        Self {
            chords_on: true,
            melody_on: true,
            chord_channel: 0,
            melody_channel: 1,
            chord_velocity: 80.0 / 127.0,
            melody_velocity: 100.0 / 127.0,
            transpose: 0,
        }
    }
}

/// A sounding note, remembered exactly as it was sent so its NoteOff matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sounding {
    channel: u8,
    key: u8,
}

/// The notes of one voice (the chord, or the melody) that are sounding now.
#[derive(Clone, Copy, Debug)]
struct Voice {
    notes: [Sounding; N_CHORD],
    len: usize,
    /// What the voice was asked to play (chord mask, or melody unit + 1), 0 when silent; with the
    /// channel and transposition it was played at, so a settings change re-strikes.
    playing: (u16, u8, i8),
}

impl Default for Voice {
    fn default() -> Self {
        Self { notes: [Sounding { channel: 0, key: 0 }; N_CHORD], len: 0, playing: (0, 0, 0) }
    }
}

impl Voice {
    fn release(&mut self, timing: u32, sink: &mut impl NoteSink) {
        for note in &self.notes[..self.len] {
            sink.send(OutNote { timing, channel: note.channel, key: note.key, velocity: 0.0, on: false });
        }
        self.len = 0;
        self.playing = (0, 0, 0);
    }

    /// Strikes `keys` (untransposed) unless they are out of MIDI range after transposition.
    fn strike(
        &mut self,
        timing: u32,
        what: (u16, u8, i8),
        keys: impl Iterator<Item = u8>,
        velocity: f32,
        sink: &mut impl NoteSink,
    ) {
        let (_, channel, transpose) = what;
        for key in keys {
            let Ok(key) = u8::try_from(i16::from(key) + i16::from(transpose)) else {
                continue;
            };
            if key > 127 || self.len == self.notes.len() {
                continue;
            }
            sink.send(OutNote { timing, channel, key, velocity, on: true });
            self.notes[self.len] = Sounding { channel, key };
            self.len += 1;
        }
        self.playing = what;
    }
}

/// The chord voice and the melody voice.
#[derive(Clone, Debug, Default)]
pub struct Voices {
    chord: Voice,
    melody: Voice,
}

impl Voices {
    /// Plays the frame chosen for the step at `form_pos` (0–95), at sample `timing`.
    /// NoteOffs go out before NoteOns, all at `timing`.
    pub fn play_step(
        &mut self,
        timing: u32,
        form_pos: usize,
        frame: Frame,
        settings: &VoiceSettings,
        sink: &mut impl NoteSink,
    ) {
        let chord = if settings.chords_on { frame.chord } else { 0 };
        let chord_want = (chord, settings.chord_channel, settings.transpose);
        let chord_restrike = chord != 0 && (chord_want != self.chord.playing || form_pos % STEPS_PER_BAR == 0);
        let chord_change = chord_restrike || (chord == 0 && self.chord.len > 0);

        let melody = if settings.melody_on { frame.melody.map_or(0, |unit| u16::from(unit) + 1) } else { 0 };
        let melody_want = (melody, settings.melody_channel, settings.transpose);
        let melody_restrike = melody != 0 && (melody_want != self.melody.playing || form_pos % 2 == 0);
        let melody_change = melody_restrike || (melody == 0 && self.melody.len > 0);

        if chord_change {
            self.chord.release(timing, sink);
        }
        if melody_change {
            self.melody.release(timing, sink);
        }
        if chord_restrike {
            self.chord.strike(timing, chord_want, frame.chord_notes(), settings.chord_velocity, sink);
        }
        if melody_restrike {
            let key = MELODY_LOW + (melody - 1) as u8;
            self.melody.strike(timing, melody_want, std::iter::once(key), settings.melody_velocity, sink);
        }
        debug_assert!(frame.chord_notes().all(|k| k >= CHORD_LOW));
    }

    /// Releases whatever sounds, at sample `timing`.
    pub fn release_all(&mut self, timing: u32, sink: &mut impl NoteSink) {
        self.chord.release(timing, sink);
        self.melody.release(timing, sink);
    }

    /// Releases a voice whose settings changed (toggle, channel, key) without waiting for the
    /// next step, so nothing hangs on the old channel or key.
    pub fn release_changed(&mut self, timing: u32, settings: &VoiceSettings, sink: &mut impl NoteSink) {
        let (_, channel, transpose) = self.chord.playing;
        if self.chord.len > 0
            && (!settings.chords_on || channel != settings.chord_channel || transpose != settings.transpose)
        {
            self.chord.release(timing, sink);
        }
        let (_, channel, transpose) = self.melody.playing;
        if self.melody.len > 0
            && (!settings.melody_on || channel != settings.melody_channel || transpose != settings.transpose)
        {
            self.melody.release(timing, sink);
        }
    }

    /// Number of notes sounding now.
    pub fn sounding(&self) -> usize {
        self.chord.len + self.melody.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::Recorder;
    use crate::music::corpus::builtin_chorus;

    #[test]
    fn a_chorus_gives_one_chord_per_bar_and_quarter_notes() {
        let mut voices = Voices::default();
        let mut out = Recorder::default();
        let settings = VoiceSettings::default();
        for (pos, frame) in builtin_chorus(0).iter().enumerate() {
            voices.play_step(pos as u32 * 100, pos, *frame, &settings, &mut out);
        }
        voices.release_all(9_600, &mut out);
        let chord_ons = out.0.iter().filter(|n| n.on && n.channel == 0).count();
        let melody_ons: Vec<u32> = out.0.iter().filter(|n| n.on && n.channel == 1).map(|n| n.timing).collect();
        assert_eq!(chord_ons, 12 * 4);
        assert_eq!(melody_ons, (0..48).map(|q| q * 200).collect::<Vec<_>>());
        let ons = out.0.iter().filter(|n| n.on).count();
        assert_eq!(ons, out.0.iter().filter(|n| !n.on).count(), "every NoteOn gets a NoteOff");
        assert_eq!(voices.sounding(), 0);
    }

    #[test]
    fn transposition_and_channel_changes_never_leave_a_note_hanging() {
        let mut voices = Voices::default();
        let mut out = Recorder::default();
        let mut settings = VoiceSettings::default();
        let frame = builtin_chorus(0)[0];
        voices.play_step(0, 0, frame, &settings, &mut out);
        settings.transpose = 5;
        settings.chord_channel = 9;
        voices.release_changed(10, &settings, &mut out);
        voices.play_step(20, 1, frame, &settings, &mut out);
        voices.release_all(30, &mut out);
        let mut held = std::collections::HashSet::new();
        for n in &out.0 {
            if n.on {
                assert!(held.insert((n.channel, n.key)));
            } else {
                assert!(held.remove(&(n.channel, n.key)), "NoteOff without NoteOn: {n:?}");
            }
        }
        assert!(held.is_empty());
        assert!(out.0.iter().any(|n| n.on && n.channel == 9 && n.key == 53), "C3 + 5 on channel 10");
    }

    #[test]
    fn a_repeated_pitch_ties_off_the_beat_and_restrikes_on_it() {
        let mut voices = Voices::default();
        let mut out = Recorder::default();
        let settings = VoiceSettings { chords_on: false, ..Default::default() };
        let frame = Frame { chord: 0, melody: Some(4) };
        for pos in 0..4 {
            voices.play_step(pos as u32, pos, frame, &settings, &mut out);
        }
        let ons: Vec<u32> = out.0.iter().filter(|n| n.on).map(|n| n.timing).collect();
        assert_eq!(ons, vec![0, 2]);
    }
}
