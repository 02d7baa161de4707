//! A user's .mid file → 12-bar choruses to learn. All tracks and channels are merged, chords and
//! melody told apart by a [`VoiceSplit`], notes quantised to the eighth-note grid (onset and
//! release to the nearest step, at least one step long); overlapping notes of the same key end
//! oldest first. The file must be in 4/4 and a whole number of 12-bar choruses long; a damaged
//! or truncated file is refused rather than read in part. Any non-audio thread. Never panics on
//! any bytes.

use super::corpus::Chorus;
use super::encoding::{Frame, STEPS_PER_BAR, STEPS_PER_CHORUS};
use super::quantize::{nearest_step, paint, Span};
use super::split::VoiceSplit;
use midly::{MetaMessage, MidiMessage, Smf, Timing, TrackEventKind};
use std::fmt;
use std::path::Path;

/// Longest file imported, in choruses (about 50 minutes at 120 BPM).
pub const MAX_CHORUSES: usize = 1000;
/// Steps in 12 bars.
const BARS_PER_CHORUS: i64 = (STEPS_PER_CHORUS / STEPS_PER_BAR) as i64;

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
pub fn choruses_from_file(path: &Path, split: VoiceSplit) -> Result<Vec<Chorus>, ImportError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| ImportError { file: Some(name.clone()), reason: format!("cannot read it ({e})") })?;
    choruses_from_smf(&bytes, split).map_err(|e| ImportError { file: Some(name), reason: e.reason })
}

/// Reads the choruses of a Standard MIDI File's bytes.
pub fn choruses_from_smf(bytes: &[u8], split: VoiceSplit) -> Result<Vec<Chorus>, ImportError> {
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
    let ticks_per_step = ticks_per_beat / 2.0;
    let mut spans = Vec::new();
    // The earliest signature other than 4/4 in any track: (tick, numerator, denominator power).
    let mut not_four_four: Option<(u64, u8, u8)> = None;
    for track in &smf.tracks {
        // Per (channel, key): the steps the sounding notes started at, oldest first.
        let mut sounding = vec![Vec::<i64>::new(); 16 * 128];
        let mut tick: u64 = 0;
        for event in track {
            tick += u64::from(event.delta.as_int());
            let step_pos = tick as f64 / ticks_per_step;
            match event.kind {
                TrackEventKind::Meta(MetaMessage::TimeSignature(numerator, denominator_power, ..)) => {
                    if (numerator, denominator_power) != (4, 2) && not_four_four.is_none_or(|(t, ..)| tick < t) {
                        not_four_four = Some((tick, numerator, denominator_power));
                    }
                }
                TrackEventKind::Midi { channel, message } => {
                    let channel = channel.as_int();
                    let (key, on) = match message {
                        MidiMessage::NoteOn { key, vel } => (key.as_int(), vel.as_int() > 0),
                        MidiMessage::NoteOff { key, .. } => (key.as_int(), false),
                        _ => continue,
                    };
                    let slot = &mut sounding[usize::from(channel) * 128 + usize::from(key)];
                    let step = nearest_step(step_pos);
                    if on {
                        slot.push(step);
                    } else if !slot.is_empty() {
                        // Overlapping notes of one key (loose playing, edited clips) end oldest first.
                        let start = slot.remove(0);
                        spans.push(Span { start, end: step.max(start + 1), key, chord: split.is_chord(channel, key) });
                    }
                }
                _ => {}
            }
        }
        // Notes never released end with the last bar (set below).
        for (slot, starts) in sounding.iter().enumerate() {
            let (channel, key) = ((slot / 128) as u8, (slot % 128) as u8);
            for &start in starts {
                spans.push(Span { start, end: i64::MAX, key, chord: split.is_chord(channel, key) });
            }
        }
    }
    if let Some((tick, numerator, denominator_power)) = not_four_four {
        let bar = (tick as f64 / (ticks_per_beat * 4.0)).floor() as u64 + 1;
        let denominator = 1u64.checked_shl(u32::from(denominator_power)).unwrap_or(0);
        return fail(format!("{numerator}/{denominator} time at bar {bar}: only 4/4 files can be imported"));
    }
    if spans.is_empty() {
        return fail("it has no notes");
    }
    let last_end = spans.iter().map(|s| if s.end == i64::MAX { s.start + 1 } else { s.end }).max().unwrap_or(0);
    let bars = (last_end + STEPS_PER_BAR as i64 - 1) / STEPS_PER_BAR as i64;
    if bars % BARS_PER_CHORUS != 0 {
        return fail(format!("it has {bars} bars; it needs a whole number of 12-bar choruses (12, 24, 36, …)"));
    }
    let choruses = (bars / BARS_PER_CHORUS) as usize;
    if choruses > MAX_CHORUSES {
        return fail(format!("it has {choruses} choruses; at most {MAX_CHORUSES} can be imported from one file"));
    }
    let total = choruses * STEPS_PER_CHORUS;
    let mut frames = vec![Frame::default(); total];
    let mut owners = vec![None; total];
    for mut span in spans {
        span.end = span.end.min(total as i64);
        paint(span, 0, &mut frames, &mut owners);
    }
    Ok(frames
        .chunks_exact(STEPS_PER_CHORUS)
        .map(|chunk| {
            let mut chorus = [Frame::default(); STEPS_PER_CHORUS];
            chorus.copy_from_slice(chunk);
            chorus
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::corpus::builtin_chorus;
    use crate::music::midi_file::{write_smf, TimedNote};
    use midly::num::{u15, u28, u4, u7};
    use midly::{Format, Header, TrackEvent};

    /// A chorus as notes on channels 1 (chords) and 2 (melody), nudged by `jitter` beats.
    fn chorus_notes(chorus: &Chorus, start_beats: f64, jitter: f64) -> Vec<TimedNote> {
        let mut notes = Vec::new();
        for (step, frame) in chorus.iter().enumerate() {
            let beats = start_beats + step as f64 / 2.0;
            let next = chorus.get(step + 1);
            for key in frame.chord_notes() {
                let starts = step % 8 == 0 || chorus[step - 1].chord_notes().all(|k| k != key);
                let ends = next.is_none_or(|n| n.chord_notes().all(|k| k != key)) || (step + 1) % 8 == 0;
                if starts {
                    notes.push(TimedNote { beats: beats + jitter, channel: 0, key, velocity: 80, on: true });
                }
                if ends {
                    notes.push(TimedNote { beats: beats + 0.5 - jitter, channel: 0, key, velocity: 0, on: false });
                }
            }
            if let Some(key) = frame.melody_note() {
                if step % 2 == 0 {
                    notes.push(TimedNote { beats: beats - jitter, channel: 1, key, velocity: 100, on: true });
                    notes.push(TimedNote { beats: beats + 1.0 - jitter, channel: 1, key, velocity: 0, on: false });
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

    #[test]
    fn a_builtin_chorus_written_out_comes_back_exactly_even_played_loosely() {
        for jitter in [0.0, 0.1, -0.1] {
            let chorus = builtin_chorus(1234);
            let bytes = write_smf(&chorus_notes(&chorus, 0.0, jitter), 120.0, &|c| format!("{c}"));
            assert_eq!(choruses_from_smf(&bytes, VoiceSplit::ByRange).unwrap(), vec![chorus], "jitter {jitter}");
        }
    }

    #[test]
    fn two_choruses_on_several_tracks_and_channels_merge_by_channel_too() {
        let (a, b) = (builtin_chorus(1), builtin_chorus(4000));
        let mut notes = chorus_notes(&a, 0.0, 0.0);
        notes.extend(chorus_notes(&b, 48.0, 0.0));
        // Write chords and melody to tracks of their own (write_smf makes one per channel).
        let bytes = write_smf(&notes, 100.0, &|c| format!("{c}"));
        assert_eq!(Smf::parse(&bytes).unwrap().tracks.len(), 3);
        assert_eq!(choruses_from_smf(&bytes, VoiceSplit::ByRange).unwrap(), vec![a, b]);
        assert_eq!(choruses_from_smf(&bytes, VoiceSplit::ByChannel { chord_channel: 0 }).unwrap(), vec![a, b]);
    }

    #[test]
    fn files_that_cannot_be_learned_say_why() {
        let too_short = write_smf(&chorus_notes(&builtin_chorus(0), 0.0, 0.0)[..10], 120.0, &|c| format!("{c}"));
        assert!(choruses_from_smf(&too_short, VoiceSplit::ByRange).unwrap_err().reason.contains("1 bars"));
        let mut thirteen = chorus_notes(&builtin_chorus(0), 0.0, 0.0);
        thirteen.push(TimedNote { beats: 49.0, channel: 1, key: 60, velocity: 90, on: true });
        thirteen.push(TimedNote { beats: 50.0, channel: 1, key: 60, velocity: 0, on: false });
        let err =
            choruses_from_smf(&write_smf(&thirteen, 120.0, &|c| format!("{c}")), VoiceSplit::ByRange).unwrap_err();
        assert!(err.reason.contains("13 bars"), "{err}");

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
        assert!(choruses_from_smf(&waltz, VoiceSplit::ByRange).unwrap_err().reason.contains("3/4 time at bar 2"));
        let smpte = smf_with(vec![note(0, 60, true), note(100, 60, false)], Timing::Timecode(midly::Fps::Fps25, 40));
        assert!(choruses_from_smf(&smpte, VoiceSplit::ByRange).unwrap_err().reason.contains("SMPTE"));
        let empty = smf_with(vec![], Timing::Metrical(u15::new(480)));
        assert!(choruses_from_smf(&empty, VoiceSplit::ByRange).unwrap_err().reason.contains("no notes"));
        assert!(choruses_from_smf(b"MThd garbage", VoiceSplit::ByRange).unwrap_err().reason.contains("not a readable"));
        // A file cut short anywhere is refused, never read in part.
        let whole = write_smf(&chorus_notes(&builtin_chorus(0), 0.0, 0.0), 120.0, &|c| format!("{c}"));
        for cut in [0, 10, 30, whole.len() / 2] {
            assert!(choruses_from_smf(&whole[..cut], VoiceSplit::ByRange).is_err(), "cut at {cut}");
        }
        let missing = choruses_from_file(Path::new("/nonexistent/blues.mid"), VoiceSplit::ByRange).unwrap_err();
        assert!(missing.to_string().starts_with("/nonexistent/blues.mid: cannot read it"), "{missing}");
    }

    #[test]
    fn a_note_never_released_lasts_to_the_end_and_overlaps_end_oldest_first() {
        let mut track = vec![note(0, 50, true)];
        track.push(note(480 * 24, 67, true)); // beat 24: melody
        track.push(note(240, 67, true)); // retrigger half a beat later
        track.push(note(480 * 24 - 240 - 1, 67, false)); // just before the end of bar 12
        let bytes = smf_with(track, Timing::Metrical(u15::new(480)));
        let choruses = choruses_from_smf(&bytes, VoiceSplit::ByRange).unwrap();
        assert_eq!(choruses.len(), 1);
        assert!(choruses[0].iter().all(|f| f.chord == 1 << 2), "D3 held the whole chorus");
        assert_eq!(choruses[0][47].melody, None);
        assert_eq!(choruses[0][48].melody, Some(7));
        assert_eq!(choruses[0][95].melody, Some(7));
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
        let err = choruses_from_smf(&smf_with(track.clone(), Timing::Metrical(u15::new(480))), VoiceSplit::ByRange);
        assert!(err.unwrap_err().reason.contains("13 bars"));
        let chorus =
            choruses_from_smf(&smf_with(track[..6].to_vec(), Timing::Metrical(u15::new(480))), VoiceSplit::ByRange);
        assert!(chorus.unwrap_err().reason.contains("3 bars"), "the last note ends in bar 3");
        let mut padded = track[..6].to_vec();
        padded.push(note(22_800 - 4700, 48, true)); // step 95
        padded.push(note(240, 48, false));
        let chorus =
            choruses_from_smf(&smf_with(padded, Timing::Metrical(u15::new(480))), VoiceSplit::ByRange).unwrap();
        let melody: Vec<Option<u8>> = chorus[0][..22].iter().map(|f| f.melody).collect();
        let (g, e, d) = (Some(7), Some(4), Some(2));
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
        let err = choruses_from_smf(&bytes, VoiceSplit::ByRange).unwrap_err();
        assert_eq!(err.reason, "3/4 time at bar 5: only 4/4 files can be imported");
    }
}
