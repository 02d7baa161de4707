//! A user's .mid file → choruses to learn. All tracks and channels are merged, bass, chords and
//! melody told apart by a [`VoiceSplit`], notes quantised to the eighth-note grid (onset and
//! release to the nearest step, at least one step long, swung playing heard straight);
//! overlapping notes of the same key end oldest first. The file must be in 4/4 and a whole
//! number of choruses of the form long (a length the user states, or one the file implies); a
//! damaged or truncated file is refused rather than read in part. Any non-audio thread. Never
//! panics on any bytes.

use super::corpus::Chorus;
use super::drums::{level_of_velocity, Level};
use super::encoding::{Frame, MAX_BARS, MIN_BARS, STEPS_PER_BAR};
use super::midi_file::TimedNote;
use super::quantize::{nearest_step, paint, unswing, Span};
use super::split::VoiceSplit;
use midly::{MetaMessage, MidiMessage, Smf, Timing, TrackEventKind};
use std::fmt;
use std::path::Path;

/// Longest file imported, in bars (about 50 minutes at 120 BPM).
pub const MAX_FILE_BARS: i64 = 12_000;

/// How the choruses of a file are read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImportRule {
    pub split: VoiceSplit,
    /// Bars per chorus; `None`: the file's length says (one chorus of all its bars).
    pub form_bars: Option<usize>,
    /// Swing of the playing (0.5 straight): off-beats played late are heard on the off-beat.
    pub swing: f64,
}

impl ImportRule {
    /// Choruses of `bars` bars, voices by `split`, played straight.
    pub fn new(split: VoiceSplit, form_bars: Option<usize>) -> Self {
        Self { split, form_bars, swing: 0.5 }
    }
}

/// Why a file cannot be learned, in words a musician understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The file, when known.
    pub file: Option<String>,
    pub reason: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{file}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for ImportError {}

fn fail<T>(reason: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError { file: None, reason: reason.into() })
}

/// Reads the choruses of a .mid file; the error names the file.
pub fn choruses_from_file(path: &Path, rule: ImportRule) -> Result<Vec<Chorus>, ImportError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| ImportError { file: Some(name.clone()), reason: format!("cannot read it ({e})") })?;
    choruses_from_smf(&bytes, rule).map_err(|e| ImportError { file: Some(name), reason: e.reason })
}

/// A Standard MIDI File's bytes, parsed, with its ticks per beat.
fn parse(bytes: &[u8]) -> Result<(Smf<'_>, f64), ImportError> {
    let smf = match Smf::parse(bytes) {
        Ok(smf) => smf,
        Err(e) => return fail(format!("not a readable MIDI file, or damaged or cut short ({e})")),
    };
    let ticks_per_beat = match smf.header.timing {
        Timing::Metrical(t) if t.as_int() > 0 => f64::from(t.as_int()),
        Timing::Metrical(_) => return fail("its time division is zero ticks per beat"),
        Timing::Timecode(..) => {
            return fail("it counts time in SMPTE frames; only files in beats (bars) can be imported")
        }
    };
    Ok((smf, ticks_per_beat))
}

/// Every note of a Standard MIDI File's bytes as played (in beats, every track merged, in time
/// order): a performance to play into the engine. A file not in 4/4 is refused, as an import is.
pub fn notes_from_smf(bytes: &[u8]) -> Result<Vec<TimedNote>, ImportError> {
    let (smf, ticks_per_beat) = parse(bytes)?;
    let mut notes = Vec::new();
    let mut not_four_four: Option<(u64, u8, u8)> = None;
    for track in &smf.tracks {
        let mut tick: u64 = 0;
        for event in track {
            tick += u64::from(event.delta.as_int());
            if let TrackEventKind::Meta(MetaMessage::TimeSignature(numerator, power, ..)) = event.kind {
                if (numerator, power) != (4, 2) && not_four_four.is_none_or(|(t, ..)| tick < t) {
                    not_four_four = Some((tick, numerator, power));
                }
            }
            if let TrackEventKind::Midi { channel, message } = event.kind {
                let (key, velocity, on) = match message {
                    MidiMessage::NoteOn { key, vel } => (key.as_int(), vel.as_int(), vel.as_int() > 0),
                    MidiMessage::NoteOff { key, .. } => (key.as_int(), 0, false),
                    _ => continue,
                };
                notes.push(TimedNote {
                    beats: tick as f64 / ticks_per_beat,
                    channel: channel.as_int(),
                    key,
                    velocity,
                    on,
                });
            }
        }
    }
    if let Some(why) = not_four_four.map(|at| time_signature_problem(at, ticks_per_beat)) {
        return fail(why);
    }
    if notes.is_empty() {
        return fail("it has no notes");
    }
    // NoteOffs first at a shared time, so a note struck again where it ends sounds anew.
    notes.sort_by(|a, b| a.beats.total_cmp(&b.beats).then(a.on.cmp(&b.on)));
    Ok(notes)
}

/// The message for the earliest time signature that is not 4/4: (tick, numerator, power of
/// two of the denominator).
fn time_signature_problem((tick, numerator, denominator_power): (u64, u8, u8), ticks_per_beat: f64) -> String {
    let bar = (tick as f64 / (ticks_per_beat * 4.0)).floor() as u64 + 1;
    let denominator = 1u64.checked_shl(u32::from(denominator_power)).unwrap_or(0);
    format!("{numerator}/{denominator} time at bar {bar}: only 4/4 files can be imported")
}

/// Reads the choruses of a Standard MIDI File's bytes.
pub fn choruses_from_smf(bytes: &[u8], rule: ImportRule) -> Result<Vec<Chorus>, ImportError> {
    let split = rule.split;
    let (smf, ticks_per_beat) = parse(bytes)?;
    let ticks_per_step = ticks_per_beat / 2.0;
    let mut spans = Vec::new();
    // The earliest signature other than 4/4 in any track: (tick, numerator, denominator power).
    let mut not_four_four: Option<(u64, u8, u8)> = None;
    for track in &smf.tracks {
        // Per (channel, key): the steps the sounding notes started at (with their drum level),
        // oldest first.
        let mut sounding = vec![Vec::<(i64, Level)>::new(); 16 * 128];
        let mut tick: u64 = 0;
        for event in track {
            tick += u64::from(event.delta.as_int());
            let step_pos = unswing(tick as f64 / ticks_per_step, rule.swing);
            match event.kind {
                TrackEventKind::Meta(MetaMessage::TimeSignature(numerator, denominator_power, ..))
                    if (numerator, denominator_power) != (4, 2) && not_four_four.is_none_or(|(t, ..)| tick < t) =>
                {
                    not_four_four = Some((tick, numerator, denominator_power));
                }
                TrackEventKind::Midi { channel, message } => {
                    let channel = channel.as_int();
                    let (key, on, velocity) = match message {
                        MidiMessage::NoteOn { key, vel } => (key.as_int(), vel.as_int() > 0, vel.as_int()),
                        MidiMessage::NoteOff { key, .. } => (key.as_int(), false, 0),
                        _ => continue,
                    };
                    let slot = &mut sounding[usize::from(channel) * 128 + usize::from(key)];
                    let step = nearest_step(step_pos);
                    if on {
                        slot.push((step, level_of_velocity(f32::from(velocity) / 127.0)));
                    } else if !slot.is_empty() {
                        // Overlapping notes of one key (loose playing, edited clips) end oldest first.
                        let (start, level) = slot.remove(0);
                        spans.push(Span {
                            start,
                            end: step.max(start + 1),
                            key,
                            voice: split.voice(channel, key, true),
                            level,
                        });
                    }
                }
                _ => {}
            }
        }
        // Notes never released end with the last bar (set below).
        for (slot, starts) in sounding.iter().enumerate() {
            let (channel, key) = ((slot / 128) as u8, (slot % 128) as u8);
            for &(start, level) in starts {
                spans.push(Span { start, end: i64::MAX, key, voice: split.voice(channel, key, true), level });
            }
        }
    }
    if let Some(why) = not_four_four.map(|at| time_signature_problem(at, ticks_per_beat)) {
        return fail(why);
    }
    if spans.is_empty() {
        return fail("it has no notes");
    }
    let last_end = spans.iter().map(|s| if s.end == i64::MAX { s.start + 1 } else { s.end }).max().unwrap_or(0);
    let bars = (last_end + STEPS_PER_BAR as i64 - 1) / STEPS_PER_BAR as i64;
    if bars > MAX_FILE_BARS {
        return fail(format!("it has {bars} bars; at most {MAX_FILE_BARS} can be imported from one file"));
    }
    let form_bars = match rule.form_bars {
        Some(form) if bars % form as i64 != 0 => {
            let whole = (1..=3).map(|n| (n * form).to_string()).collect::<Vec<_>>().join(", ");
            return fail(format!("it has {bars} bars; it needs a whole number of {form}-bar choruses ({whole}, …)"));
        }
        Some(form) => form,
        None if (MIN_BARS as i64..=MAX_BARS as i64).contains(&bars) => bars as usize,
        None => {
            return fail(format!(
                "it has {bars} bars; say how many bars a chorus has ({MIN_BARS} to {MAX_BARS}), or cut it to one chorus"
            ))
        }
    };
    let steps = form_bars * STEPS_PER_BAR;
    let total = bars as usize * STEPS_PER_BAR;
    let mut frames = vec![Frame::default(); total];
    let mut owners = vec![[None; 2]; total];
    for mut span in spans {
        span.end = span.end.min(total as i64);
        paint(span, 0, &mut frames, &mut owners);
    }
    Ok(frames.chunks_exact(steps).map(<[Frame]>::to_vec).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::encoding::Note;
    use crate::music::midi_file::{write_smf, TimedNote};
    use crate::music::style::builtin_style;
    use midly::num::{u15, u28, u4, u7};
    use midly::{Format, Header, TrackEvent};

    fn paper(index: usize) -> Chorus {
        builtin_style("paper-blues").unwrap().chorus(index)
    }

    /// A chorus with a bass line and comping, as a player might have played it.
    fn trio(index: usize) -> Chorus {
        let mut chorus = paper(index);
        for (step, frame) in chorus.iter_mut().enumerate() {
            frame.bass = if step % 2 == 0 {
                Note::struck(36 + (step / 2 % 7) as u8)
            } else {
                Note::held(36 + (step / 2 % 7) as u8)
            };
            frame.comp = if step % 8 == 0 || step % 8 == 3 { Note::struck(0) } else { Note::held(0) };
        }
        chorus
    }

    /// What import makes of a chorus whose chords are struck at every bar: the comping is the
    /// chords' own rhythm.
    fn as_imported(chorus: &Chorus) -> Chorus {
        let mut c = chorus.clone();
        for (step, f) in c.iter_mut().enumerate() {
            if f.comp.key.is_none() {
                f.comp = Note { key: Some(0), begin: step % 8 == 0 };
            }
        }
        c
    }

    /// A chorus as notes: chords on channel 1 (struck where the comping strikes, else at every
    /// bar), melody on 2, bass on 3; a line note ends where the next step does not hold it.
    /// Onsets nudged by `jitter` beats.
    fn chorus_notes(chorus: &Chorus, start_beats: f64, jitter: f64) -> Vec<TimedNote> {
        let mut notes = Vec::new();
        let chord_keys = |f: &Frame| {
            let chord = f.chord;
            (0..12u8).filter(move |pc| chord & (1 << pc) != 0).map(|pc| 48 + pc)
        };
        let strikes =
            |step: usize| chorus[step].comp.begin || (chorus[step].comp.key.is_none() && step.is_multiple_of(8));
        for (step, frame) in chorus.iter().enumerate() {
            let beats = start_beats + step as f64 / 2.0;
            if strikes(step) {
                let until = (step + 1..chorus.len()).find(|&s| strikes(s)).unwrap_or(chorus.len());
                for key in chord_keys(frame) {
                    notes.push(TimedNote { beats: beats + jitter, channel: 0, key, velocity: 80, on: true });
                    let end = start_beats + until as f64 / 2.0;
                    notes.push(TimedNote { beats: end - 0.1 - jitter, channel: 0, key, velocity: 0, on: false });
                }
            }
            for (channel, note) in [(1, frame.melody), (2, frame.bass)] {
                if let (Some(key), true) = (note.key, note.begin) {
                    let held = chorus[step + 1..]
                        .iter()
                        .take_while(|f| {
                            let n = if channel == 1 { f.melody } else { f.bass };
                            n.key == Some(key) && !n.begin
                        })
                        .count();
                    notes.push(TimedNote { beats: beats - jitter, channel, key, velocity: 100, on: true });
                    notes.push(TimedNote {
                        beats: beats + (held + 1) as f64 / 2.0 - 0.05,
                        channel,
                        key,
                        velocity: 0,
                        on: false,
                    });
                }
            }
        }
        notes.sort_by(|a, b| a.beats.total_cmp(&b.beats).then(a.on.cmp(&b.on)));
        notes
    }

    fn smf_with(track: Vec<TrackEvent<'static>>, timing: Timing) -> Vec<u8> {
        let smf = Smf { header: Header::new(Format::SingleTrack, timing), tracks: vec![track] };
        let mut bytes = Vec::new();
        smf.write_std(&mut bytes).unwrap();
        bytes
    }

    /// A NoteOn velocity 0, which the MIDI spec reads as a NoteOff.
    fn silent_on(delta: u32, key: u8) -> TrackEvent<'static> {
        let message = MidiMessage::NoteOn { key: u7::new(key), vel: u7::new(0) };
        TrackEvent { delta: u28::new(delta), kind: TrackEventKind::Midi { channel: u4::new(0), message } }
    }

    fn meta_at(delta: u32, message: MetaMessage<'static>) -> TrackEvent<'static> {
        TrackEvent { delta: u28::new(delta), kind: TrackEventKind::Meta(message) }
    }

    fn note(delta: u32, key: u8, on: bool) -> TrackEvent<'static> {
        let message = if on {
            MidiMessage::NoteOn { key: u7::new(key), vel: u7::new(90) }
        } else {
            MidiMessage::NoteOff { key: u7::new(key), vel: u7::new(0) }
        };
        TrackEvent { delta: u28::new(delta), kind: TrackEventKind::Midi { channel: u4::new(0), message } }
    }

    fn twelve() -> ImportRule {
        ImportRule::new(VoiceSplit::ByRange, Some(12))
    }

    fn write(notes: &[TimedNote]) -> Vec<u8> {
        write_smf(notes, 120.0, &|c| format!("{c}"))
    }

    #[test]
    fn a_chorus_written_out_comes_back_exactly_even_played_loosely() {
        for jitter in [0.0, 0.1, -0.1] {
            for chorus in [paper(1234), trio(77)] {
                let bytes = write(&chorus_notes(&chorus, 0.0, jitter));
                assert_eq!(choruses_from_smf(&bytes, twelve()).unwrap(), vec![as_imported(&chorus)], "jitter {jitter}");
            }
        }
    }

    #[test]
    fn swung_playing_is_heard_on_the_grid() {
        // Every off-beat eighth played at 78 % of its beat, a hard swing (up to about 70 % the
        // nearest eighth is the off-beat anyway).
        let chorus = trio(5);
        let swung: Vec<TimedNote> = chorus_notes(&chorus, 0.0, 0.0)
            .into_iter()
            .map(|mut n| {
                let (beat, f) = (n.beats.floor(), n.beats - n.beats.floor());
                if (f - 0.5).abs() < 1e-9 {
                    n.beats = beat + 0.78;
                }
                n
            })
            .collect();
        let straight = choruses_from_smf(&write(&swung), twelve()).unwrap();
        assert_ne!(straight, vec![as_imported(&chorus)], "heard straight, a swung off-beat falls late");
        let rule = ImportRule { swing: 0.78, ..twelve() };
        assert_eq!(choruses_from_smf(&write(&swung), rule).unwrap(), vec![as_imported(&chorus)]);
    }

    #[test]
    fn two_choruses_on_several_tracks_and_channels_merge_by_channel_too() {
        let (a, b) = (trio(1), trio(4000));
        let mut notes = chorus_notes(&a, 0.0, 0.0);
        notes.extend(chorus_notes(&b, 48.0, 0.0));
        // Write chords, melody and bass to tracks of their own (write_smf makes one per channel).
        let bytes = write(&notes);
        assert_eq!(Smf::parse(&bytes).unwrap().tracks.len(), 4);
        let want = vec![as_imported(&a), as_imported(&b)];
        assert_eq!(choruses_from_smf(&bytes, twelve()).unwrap(), want);
        let by_channel = VoiceSplit::ByChannel { chord_channel: 0, bass_channel: Some(2) };
        assert_eq!(choruses_from_smf(&bytes, ImportRule::new(by_channel, Some(12))).unwrap(), want);
        // Stated as one 24-bar chorus, or left to the file: 24 bars in one.
        let one = choruses_from_smf(&bytes, ImportRule::new(VoiceSplit::ByRange, None)).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].len(), 192);
        assert_eq!(choruses_from_smf(&bytes, ImportRule::new(VoiceSplit::ByRange, Some(8))).unwrap().len(), 3);
    }

    #[test]
    fn a_drum_track_on_channel_10_is_read_as_the_drums() {
        use crate::music::drums::{Piece, ACCENT, GHOST, NORMAL};
        let chorus = trio(9);
        let mut notes = chorus_notes(&chorus, 0.0, 0.0);
        let hit = |beats: f64, key: u8, velocity: u8| {
            [
                TimedNote { beats, channel: 9, key, velocity, on: true },
                TimedNote { beats: beats + 0.25, channel: 9, key, velocity: 0, on: false },
            ]
        };
        for beat in 0..48 {
            notes.extend(hit(f64::from(beat), 51, 80)); // the ride on every beat
        }
        notes.extend(hit(1.5, 38, 30)); // a ghost on the "and" of 2
        notes.extend(hit(0.0, 49, 120)); // the crash on the top
        notes.extend(hit(0.0, 36, 90)); // with the kick, less hard
        notes.sort_by(|a, b| a.beats.total_cmp(&b.beats).then(a.on.cmp(&b.on)));
        let got = choruses_from_smf(&write(&notes), twelve()).unwrap();
        assert_eq!(got.len(), 1);
        let drumless: Vec<Frame> = got[0].iter().map(|f| Frame { drums: Default::default(), ..*f }).collect();
        assert_eq!(drumless, as_imported(&chorus), "the band's parts as before: channel 10 is not chords");
        for (step, f) in got[0].iter().enumerate() {
            assert_eq!(f.drums.level(Piece::Ride), if step % 2 == 0 { NORMAL } else { 0 });
        }
        assert_eq!(got[0][3].drums.level(Piece::Snare), GHOST);
        assert_eq!((got[0][0].drums.level(Piece::Crash), got[0][0].drums.level(Piece::Kick)), (ACCENT, NORMAL));
    }

    #[test]
    fn files_that_cannot_be_learned_say_why() {
        let too_short = write(&chorus_notes(&paper(0), 0.0, 0.0)[..10]);
        assert!(choruses_from_smf(&too_short, twelve()).unwrap_err().reason.contains("1 bars"));
        let mut thirteen = chorus_notes(&paper(0), 0.0, 0.0);
        thirteen.push(TimedNote { beats: 49.0, channel: 1, key: 60, velocity: 90, on: true });
        thirteen.push(TimedNote { beats: 50.0, channel: 1, key: 60, velocity: 0, on: false });
        let err = choruses_from_smf(&write(&thirteen), twelve()).unwrap_err();
        assert_eq!(err.reason, "it has 13 bars; it needs a whole number of 12-bar choruses (12, 24, 36, …)");
        let err = choruses_from_smf(&write(&thirteen), ImportRule::new(VoiceSplit::ByRange, Some(16))).unwrap_err();
        assert!(err.reason.contains("16-bar choruses (16, 32, 48"), "{err}");
        let long = (0..70).flat_map(|bar| {
            let beats = bar as f64 * 4.0;
            [
                TimedNote { beats, channel: 1, key: 60, velocity: 90, on: true },
                TimedNote { beats: beats + 1.0, channel: 1, key: 60, velocity: 0, on: false },
            ]
        });
        let err = choruses_from_smf(&write(&long.collect::<Vec<_>>()), ImportRule::new(VoiceSplit::ByRange, None))
            .unwrap_err();
        assert!(err.reason.contains("say how many bars"), "{err}");

        let waltz = smf_with(
            vec![
                TrackEvent { delta: u28::new(0), kind: TrackEventKind::Meta(MetaMessage::TimeSignature(4, 2, 24, 8)) },
                note(0, 60, true),
                TrackEvent {
                    delta: u28::new(1920),
                    kind: TrackEventKind::Meta(MetaMessage::TimeSignature(3, 2, 24, 8)),
                },
            ],
            Timing::Metrical(u15::new(480)),
        );
        assert!(choruses_from_smf(&waltz, twelve()).unwrap_err().reason.contains("3/4 time at bar 2"));
        let smpte = smf_with(vec![note(0, 60, true), note(100, 60, false)], Timing::Timecode(midly::Fps::Fps25, 40));
        assert!(choruses_from_smf(&smpte, twelve()).unwrap_err().reason.contains("SMPTE"));
        let empty = smf_with(vec![], Timing::Metrical(u15::new(480)));
        assert!(choruses_from_smf(&empty, twelve()).unwrap_err().reason.contains("no notes"));
        assert!(choruses_from_smf(b"MThd garbage", twelve()).unwrap_err().reason.contains("not a readable"));
        // A file cut short anywhere is refused, never read in part.
        let whole = write(&chorus_notes(&paper(0), 0.0, 0.0));
        for cut in [0, 10, 30, whole.len() / 2] {
            assert!(choruses_from_smf(&whole[..cut], twelve()).is_err(), "cut at {cut}");
        }
        let missing = choruses_from_file(Path::new("/nonexistent/blues.mid"), twelve()).unwrap_err();
        assert!(missing.to_string().starts_with("/nonexistent/blues.mid: cannot read it"), "{missing}");
    }

    #[test]
    fn a_note_never_released_lasts_to_the_end_and_overlaps_end_oldest_first() {
        let mut track = vec![note(0, 50, true)];
        track.push(note(480 * 24, 67, true)); // beat 24: melody
        track.push(note(240, 67, true)); // retrigger half a beat later
        track.push(note(480 * 24 - 240 - 1, 67, false)); // just before the end of bar 12
        let bytes = smf_with(track, Timing::Metrical(u15::new(480)));
        let choruses = choruses_from_smf(&bytes, twelve()).unwrap();
        assert_eq!(choruses.len(), 1);
        assert!(choruses[0].iter().all(|f| f.chord == 1 << 2), "D3 held the whole chorus");
        assert_eq!(choruses[0][47].melody, Note::REST);
        assert_eq!(choruses[0][48].melody, Note::struck(67));
        assert_eq!(choruses[0][49].melody, Note::struck(67), "struck again");
        assert_eq!(choruses[0][95].melody, Note::held(67));
    }

    #[test]
    fn releases_round_to_the_nearest_step_and_notes_last_at_least_one() {
        // 240 ticks = one step. Melody: a grace note of 10 ticks at step 4, a NoteOn velocity 0
        // ending a note a little after step 10, a release just before step 20.
        let track = vec![
            note(4 * 240 - 20, 67, true),
            note(10, 67, false),          // 10 ticks long: one step (4)
            note(6 * 240 + 10, 64, true), // step 10 (10 ticks late)
            silent_on(2 * 240 + 100, 64), // step 12.4 → 12
            note(0, 62, true),
            note(8 * 240 - 200, 62, false), // step 19.6 → 20
            note(22_992 - 4700, 48, true),  // tick 22992 = step 95.8 → 96 (bar 13)...
            note(0, 48, false),             // ...and gone: at least one step, so the file has 13 bars
        ];
        let err = choruses_from_smf(&smf_with(track.clone(), Timing::Metrical(u15::new(480))), twelve());
        assert!(err.unwrap_err().reason.contains("13 bars"));
        let chorus = choruses_from_smf(&smf_with(track[..6].to_vec(), Timing::Metrical(u15::new(480))), twelve());
        assert!(chorus.unwrap_err().reason.contains("3 bars"), "the last note ends in bar 3");
        let mut padded = track[..6].to_vec();
        padded.push(note(22_800 - 4700, 48, true)); // step 95
        padded.push(note(240, 48, false));
        let chorus = choruses_from_smf(&smf_with(padded, Timing::Metrical(u15::new(480))), twelve()).unwrap();
        let melody: Vec<Option<u8>> = chorus[0][..22].iter().map(|f| f.melody.key).collect();
        let (g, e, d) = (Some(67), Some(64), Some(62));
        let expected =
            [None, None, None, None, g, None, None, None, None, None, e, e, d, d, d, d, d, d, d, d, None, None];
        assert_eq!(melody, expected);
        assert_eq!(chorus[0][95].chord, 1);
        assert!(chorus[0][..95].iter().all(|f| f.chord == 0));
    }

    #[test]
    fn the_earliest_time_signature_change_in_any_track_is_named() {
        let four_four = MetaMessage::TimeSignature(4, 2, 24, 8);
        let tracks = vec![
            vec![meta_at(0, four_four), meta_at(8 * 1920, MetaMessage::TimeSignature(6, 3, 24, 8))],
            vec![note(0, 60, true), meta_at(4 * 1920, MetaMessage::TimeSignature(3, 2, 24, 8)), note(0, 60, false)],
        ];
        let smf = Smf { header: Header::new(Format::Parallel, Timing::Metrical(u15::new(480))), tracks };
        let mut bytes = Vec::new();
        smf.write_std(&mut bytes).unwrap();
        let err = choruses_from_smf(&bytes, twelve()).unwrap_err();
        assert_eq!(err.reason, "3/4 time at bar 5: only 4/4 files can be imported");
    }
}
