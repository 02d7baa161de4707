//! Voices: turn the frame chosen for each step into MIDI notes, and guarantee every NoteOn gets
//! its NoteOff. Audio thread only; allocation-free.
//!
//! Note lengths come from the frame: a line (melody, bass) strikes where its note begins and
//! holds it while the key stays, until a rest or the next note. The chord is struck where the
//! comping strikes and sounds while it sounds (a model with a comping group); without one, as
//! pads: struck at every bar and whenever the chord changes, held. A voice that should sound
//! but does not (after a jump, a swap, a change of channel or key) is struck at once.

use super::io::{NoteSink, OutNote};
use super::voicing::Keys;
use crate::music::encoding::{Frame, Note, CHORD_UNITS};

/// How the voices sound, from the plugin's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VoiceSettings {
    pub chords_on: bool,
    pub melody_on: bool,
    pub bass_on: bool,
    /// MIDI channels, 0–15.
    pub chord_channel: u8,
    pub melody_channel: u8,
    pub bass_channel: u8,
    /// Velocities, 0–1.
    pub chord_velocity: f32,
    pub melody_velocity: f32,
    pub bass_velocity: f32,
    /// Transposition applied on output, in semitones.
    pub transpose: i8,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        Self {
            chords_on: true,
            melody_on: true,
            bass_on: true,
            chord_channel: 0,
            melody_channel: 1,
            bass_channel: 2,
            chord_velocity: 80.0 / 127.0,
            melody_velocity: 100.0 / 127.0,
            bass_velocity: 96.0 / 127.0,
            transpose: 0,
        }
    }
}

/// How one step is played: each voice's velocity (0–1), the chord's keys (voiced), and the
/// bass moved by whole octaves (in semitones).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Touch {
    pub chord_keys: Keys,
    pub chord_velocity: f32,
    pub melody_velocity: f32,
    pub bass_velocity: f32,
    pub bass_shift: i8,
    /// The chord is struck by the frame's comping (else as pads, at every bar and change).
    pub comping: bool,
}

impl Touch {
    /// The velocities as set, the chord as learned from `chord_low` (a C) up, the bass where
    /// it was learned, the chord struck by the comping where `comping`.
    pub fn plain(frame: &Frame, settings: &VoiceSettings, chord_low: u8, comping: bool) -> Self {
        Self {
            comping,
            chord_keys: Keys::as_learned(frame.chord, chord_low),
            chord_velocity: settings.chord_velocity,
            melody_velocity: settings.melody_velocity,
            bass_velocity: settings.bass_velocity,
            bass_shift: 0,
        }
    }
}

/// A sounding note, remembered exactly as it was sent so its NoteOff matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sounding {
    channel: u8,
    key: u8,
}

/// The notes of one voice that are sounding now, and what they were asked to be.
#[derive(Clone, Copy, Debug)]
struct Voice {
    notes: [Sounding; CHORD_UNITS],
    len: usize,
    /// What it sounds (chord mask, or key + 1), 0 when silent, with the channel and
    /// transposition it was played at: a change of any of them re-strikes.
    playing: (u16, u8, i8),
}

impl Default for Voice {
    fn default() -> Self {
        Self { notes: [Sounding { channel: 0, key: 0 }; CHORD_UNITS], len: 0, playing: (0, 0, 0) }
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

    /// Plays one step of a voice that should sound `want` (0: silence), struck anew when
    /// `strike` or when it does not already sound exactly that.
    fn play(
        &mut self,
        timing: u32,
        want: (u16, u8, i8),
        strike: bool,
        keys: impl Iterator<Item = u8>,
        velocity: f32,
        sink: &mut impl NoteSink,
    ) {
        if want.0 == 0 {
            if self.len > 0 || self.playing.0 != 0 {
                self.release(timing, sink);
            }
            return;
        }
        if strike || want != self.playing {
            self.release(timing, sink);
            self.strike(timing, want, keys, velocity, sink);
        }
    }

    /// Releases the voice if it sounds on another channel or transposition than asked, or at all
    /// when switched off.
    fn release_changed(&mut self, timing: u32, on: bool, channel: u8, transpose: i8, sink: &mut impl NoteSink) {
        let (_, played_channel, played_transpose) = self.playing;
        if self.len > 0 && (!on || played_channel != channel || played_transpose != transpose) {
            self.release(timing, sink);
        }
    }
}

/// The chord, melody and bass voices.
#[derive(Clone, Debug, Default)]
pub struct Voices {
    chord: Voice,
    melody: Voice,
    bass: Voice,
}

impl Voices {
    /// Plays the frame chosen for the step `step_in_bar` of its bar (0 = the downbeat), at
    /// sample `timing`, as `touch` says (velocities, the chord's keys, the bass's octave, and
    /// whether the chord is struck by the comping or as pads).
    /// Each voice's NoteOffs go out before its NoteOns, all at `timing` (the output door keeps
    /// shared keys well formed).
    pub fn play_step(
        &mut self,
        timing: u32,
        step_in_bar: usize,
        frame: Frame,
        settings: &VoiceSettings,
        touch: &Touch,
        sink: &mut impl NoteSink,
    ) {
        let t = settings.transpose;
        let sounding = |on: bool, value: u16| if on { value } else { 0 };
        let (chord_mask, chord_strike) = if touch.comping {
            let mask = if frame.comp.key.is_some() { frame.chord } else { 0 };
            (mask, frame.comp.begin)
        } else {
            (frame.chord, step_in_bar == 0)
        };
        let chord = (sounding(settings.chords_on, chord_mask), settings.chord_channel, t);
        let line = |on: bool, note: Note, shift: i8| {
            let key = note.key.map(|k| k.saturating_add_signed(shift).min(127));
            (sounding(on, key.map_or(0, |k| u16::from(k) + 1)), key.unwrap_or(0), note.begin)
        };
        let (melody_value, melody_key, melody_begin) = line(settings.melody_on, frame.melody, 0);
        let (bass_value, bass_key, bass_begin) = line(settings.bass_on, frame.bass, touch.bass_shift);
        let chord_keys = touch.chord_keys.as_slice().iter().copied();
        self.chord.play(timing, chord, chord_strike, chord_keys, touch.chord_velocity, sink);
        self.bass.play(
            timing,
            (bass_value, settings.bass_channel, t),
            bass_begin,
            std::iter::once(bass_key),
            touch.bass_velocity,
            sink,
        );
        self.melody.play(
            timing,
            (melody_value, settings.melody_channel, t),
            melody_begin,
            std::iter::once(melody_key),
            touch.melody_velocity,
            sink,
        );
    }

    /// The melody's gate: ends its note at `timing` unless the step coming (`next`) holds it on.
    pub fn end_melody_unless_held(
        &mut self,
        timing: u32,
        next: Note,
        settings: &VoiceSettings,
        sink: &mut impl NoteSink,
    ) {
        let holds = settings.melody_on
            && !next.begin
            && next.key.is_some_and(|k| {
                self.melody.playing == (u16::from(k) + 1, settings.melody_channel, settings.transpose)
            });
        if self.melody.len > 0 && !holds {
            self.melody.release(timing, sink);
        }
    }

    /// Releases whatever sounds, at sample `timing`.
    pub fn release_all(&mut self, timing: u32, sink: &mut impl NoteSink) {
        self.chord.release(timing, sink);
        self.melody.release(timing, sink);
        self.bass.release(timing, sink);
    }

    /// Releases a voice whose settings changed (toggle, channel, key) without waiting for the
    /// next step, so nothing hangs on the old channel or key.
    pub fn release_changed(&mut self, timing: u32, settings: &VoiceSettings, sink: &mut impl NoteSink) {
        let t = settings.transpose;
        self.chord.release_changed(timing, settings.chords_on, settings.chord_channel, t, sink);
        self.melody.release_changed(timing, settings.melody_on, settings.melody_channel, t, sink);
        self.bass.release_changed(timing, settings.bass_on, settings.bass_channel, t, sink);
    }

    /// Number of notes sounding now.
    pub fn sounding(&self) -> usize {
        self.chord.len + self.melody.len + self.bass.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::Recorder;
    use crate::music::style::builtin_style;

    #[test]
    fn a_paper_chorus_gives_one_chord_per_bar_and_quarter_notes() {
        let mut voices = Voices::default();
        let mut out = Recorder::default();
        let settings = VoiceSettings::default();
        for (pos, frame) in builtin_style("paper-blues").unwrap().chorus(0).iter().enumerate() {
            voices.play_step(
                pos as u32 * 100,
                pos % 8,
                *frame,
                &settings,
                &Touch::plain(frame, &settings, 48, false),
                &mut out,
            );
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
    fn the_comping_strikes_the_chord_and_lines_hold_and_rest() {
        let mut voices = Voices::default();
        let mut out = Recorder::default();
        let settings = VoiceSettings::default();
        let c7 = 1 | 1 << 4 | 1 << 7 | 1 << 10;
        let steps = [
            Frame {
                chord: c7,
                comp: Note::struck(0),
                melody: Note::struck(67),
                bass: Note::struck(36),
                ..Frame::default()
            },
            Frame { chord: c7, comp: Note::held(0), melody: Note::held(67), bass: Note::held(36), ..Frame::default() },
            Frame { chord: c7, comp: Note::REST, melody: Note::REST, bass: Note::struck(40), ..Frame::default() },
            Frame {
                chord: c7,
                comp: Note::struck(0),
                melody: Note::struck(67),
                bass: Note::held(40),
                ..Frame::default()
            },
        ];
        for (i, f) in steps.iter().enumerate() {
            voices.play_step(i as u32 * 10, i + 1, *f, &settings, &Touch::plain(f, &settings, 48, true), &mut out);
        }
        let ons =
            |channel: u8| out.0.iter().filter(|n| n.on && n.channel == channel).map(|n| n.timing).collect::<Vec<_>>();
        assert_eq!(ons(0), vec![0, 0, 0, 0, 30, 30, 30, 30], "struck twice, silent between");
        assert_eq!(ons(1), vec![0, 30], "held, rested, struck again");
        assert_eq!(ons(2), vec![0, 20], "the bass walks");
        assert!(
            out.0.iter().any(|n| !n.on && n.channel == 0 && n.timing == 20),
            "the comping's rest releases the chord"
        );
    }

    #[test]
    fn transposition_and_channel_changes_never_leave_a_note_hanging() {
        let mut voices = Voices::default();
        let mut out = Recorder::default();
        let mut settings = VoiceSettings::default();
        let frame = builtin_style("paper-blues").unwrap().chorus(0)[0];
        voices.play_step(0, 0, frame, &settings, &Touch::plain(&frame, &settings, 48, false), &mut out);
        settings.transpose = 5;
        settings.chord_channel = 9;
        voices.release_changed(10, &settings, &mut out);
        let held = Frame { melody: Note::held(frame.melody.key.unwrap()), ..frame };
        voices.play_step(20, 1, held, &settings, &Touch::plain(&held, &settings, 48, false), &mut out);
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
        assert!(
            out.0.iter().any(|n| n.on && n.channel == 1 && n.timing == 20),
            "the held melody is struck again in its new key"
        );
    }
}
