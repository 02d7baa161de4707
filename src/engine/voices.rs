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
use crate::music::drums::{KitMap, Level, ACCENT, GHOST, NORMAL};
use crate::music::encoding::{Frame, Note, CHORD_UNITS};
use crate::music::part::{Part, PerPart};

/// How one part sounds, from the plugin's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PartOutput {
    pub on: bool,
    /// MIDI channel, 0–15.
    pub channel: u8,
    /// Velocity before the feel, 0–1.
    pub velocity: f32,
}

/// How the voices sound, from the plugin's parameters: each sounding part's switch, channel
/// and velocity (the comping sounds through the chords'), the transposition, the kit map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VoiceSettings {
    pub parts: PerPart<PartOutput>,
    /// Transposition applied on output, in semitones (never to the drums).
    pub transpose: i8,
    /// The MIDI key each kit piece sounds on.
    pub kit: KitMap,
}

impl VoiceSettings {
    pub fn on(&self, part: Part) -> bool {
        self.parts[part].on
    }

    pub fn channel(&self, part: Part) -> u8 {
        self.parts[part].channel
    }

    /// Which sounding part plays on `channel`, the first of them if several share it.
    pub fn part_on(&self, channel: u8) -> Option<Part> {
        Part::SOUNDING.into_iter().find(|&p| self.channel(p) == channel)
    }

    /// The name of the track of `channel` in a written take, if a part plays on it.
    pub fn track_name(&self, channel: u8) -> Option<String> {
        let name = match self.part_on(channel)? {
            Part::Chords | Part::Comp => "chords",
            part => part.name(),
        };
        Some(format!("Blues LSTM {name}"))
    }
}

impl Default for VoiceSettings {
    fn default() -> Self {
        let output = |on, channel, velocity: f32| PartOutput { on, channel, velocity: velocity / 127.0 };
        Self {
            parts: PerPart::from_fn(|part| match part {
                Part::Chords => output(true, 0, 80.0),
                Part::Melody => output(true, 1, 100.0),
                Part::Bass => output(true, 2, 96.0),
                // The comping is the chords' rhythm: it has no output of its own.
                Part::Comp => output(false, 0, 80.0),
                // General MIDI's drum channel, 10.
                Part::Drums => output(true, 9, 90.0),
            }),
            transpose: 0,
            kit: KitMap::GeneralMidi,
        }
    }
}

/// How one step is played: each part's velocity (0–1), the chord's keys (voiced), and the
/// bass moved by whole octaves (in semitones).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Touch {
    pub chord_keys: Keys,
    pub velocity: PerPart<f32>,
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
            velocity: PerPart::from_fn(|p| settings.parts[p].velocity),
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

    /// Strikes the drums' `hits` on `channel`, each piece at its level's share of `velocity`:
    /// what the last step struck ends first (a drum is struck, not held).
    fn strike_drums(
        &mut self,
        timing: u32,
        channel: u8,
        hits: impl Iterator<Item = (u8, Level)>,
        velocity: f32,
        sink: &mut impl NoteSink,
    ) {
        self.release(timing, sink);
        for (key, level) in hits {
            if key > 127 || self.len == self.notes.len() || self.notes[..self.len].iter().any(|n| n.key == key) {
                continue;
            }
            let velocity = (velocity * level_share(level)).clamp(1.0 / 127.0, 1.0);
            sink.send(OutNote { timing, channel, key, velocity, on: true });
            self.notes[self.len] = Sounding { channel, key };
            self.len += 1;
        }
        self.playing = (u16::from(self.len > 0), channel, 0);
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

/// How loud a drum strike of `level` is, as a share of the drums' velocity: a ghost note is
/// felt more than heard, an accent (a bomb, a crash) stands out.
fn level_share(level: Level) -> f32 {
    match level {
        GHOST => 0.45,
        NORMAL => 0.85,
        ACCENT => 1.15,
        _ => 0.0,
    }
}

/// A voice per sounding part.
#[derive(Clone, Debug, Default)]
pub struct Voices {
    voices: PerPart<Voice>,
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
        for part in Part::SOUNDING {
            let (on, channel, velocity) = (settings.on(part), settings.channel(part), touch.velocity[part]);
            let voice = &mut self.voices[part];
            let line = |note: Note, shift: i8| {
                let key = note.key.map(|k| k.saturating_add_signed(shift).min(127));
                let value = if on { key.map_or(0, |k| u16::from(k) + 1) } else { 0 };
                ((value, channel, t), key.unwrap_or(0), note.begin)
            };
            match part {
                Part::Chords => {
                    let (mask, strike) = if touch.comping {
                        (if frame.comp.key.is_some() { frame.chord } else { 0 }, frame.comp.begin)
                    } else {
                        (frame.chord, step_in_bar == 0)
                    };
                    let want = (if on { mask } else { 0 }, channel, t);
                    voice.play(timing, want, strike, touch.chord_keys.as_slice().iter().copied(), velocity, sink);
                }
                Part::Drums if on && !frame.drums.is_empty() => {
                    let hits = frame.drums.struck().map(|(piece, level)| (settings.kit.key(piece), level));
                    voice.strike_drums(timing, channel, hits, velocity, sink);
                }
                Part::Drums => voice.play(timing, (0, channel, 0), false, std::iter::empty(), velocity, sink),
                Part::Bass | Part::Melody | Part::Comp => {
                    let shift = if part == Part::Bass { touch.bass_shift } else { 0 };
                    let (want, key, begin) = line(frame.voice(part), shift);
                    voice.play(timing, want, begin, std::iter::once(key), velocity, sink);
                }
            }
        }
    }

    /// The melody's gate: ends its note at `timing` unless the step coming (`next`) holds it on.
    pub fn end_melody_unless_held(
        &mut self,
        timing: u32,
        next: Note,
        settings: &VoiceSettings,
        sink: &mut impl NoteSink,
    ) {
        let melody = &mut self.voices[Part::Melody];
        let holds = settings.on(Part::Melody)
            && !next.begin
            && next.key.is_some_and(|k| {
                melody.playing == (u16::from(k) + 1, settings.channel(Part::Melody), settings.transpose)
            });
        if melody.len > 0 && !holds {
            melody.release(timing, sink);
        }
    }

    /// Releases whatever sounds, at sample `timing`.
    pub fn release_all(&mut self, timing: u32, sink: &mut impl NoteSink) {
        for part in Part::SOUNDING {
            self.voices[part].release(timing, sink);
        }
    }

    /// Releases a voice whose settings changed (toggle, channel, key) without waiting for the
    /// next step, so nothing hangs on the old channel or key.
    pub fn release_changed(&mut self, timing: u32, settings: &VoiceSettings, sink: &mut impl NoteSink) {
        for part in Part::SOUNDING {
            let transpose = if part == Part::Drums { 0 } else { settings.transpose };
            self.voices[part].release_changed(timing, settings.on(part), settings.channel(part), transpose, sink);
        }
    }

    /// Number of notes sounding now.
    pub fn sounding(&self) -> usize {
        Part::SOUNDING.into_iter().map(|p| self.voices[p].len).sum()
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
        settings.parts[Part::Chords].channel = 9;
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
