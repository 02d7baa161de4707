//! Standard MIDI Files: writing what was played (renders, test output) with midly.
//! Any non-audio thread.

use midly::num::{u15, u24, u28, u4, u7};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

/// Ticks per quarter note in the files we write.
pub const TICKS_PER_BEAT: u16 = 480;

/// A note event placed in musical time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimedNote {
    /// Song position in quarter-note beats.
    pub beats: f64,
    /// MIDI channel, 0–15.
    pub channel: u8,
    pub key: u8,
    /// 1–127 for NoteOn (ignored for NoteOff).
    pub velocity: u8,
    pub on: bool,
}

/// Writes notes as a format-1 Standard MIDI File: a tempo track, then one track per channel used.
/// Notes must be in time order; within one tick a NoteOff goes before a NoteOn.
pub fn write_smf(notes: &[TimedNote], tempo_bpm: f64, track_names: &dyn Fn(u8) -> String) -> Vec<u8> {
    let micros_per_beat = (60_000_000.0 / tempo_bpm.clamp(1.0, 10_000.0)).round() as u32;
    let mut tracks: Vec<Vec<TrackEvent<'static>>> = vec![vec![
        meta(0, MetaMessage::Tempo(u24::new(micros_per_beat))),
        meta(0, MetaMessage::TimeSignature(4, 2, 24, 8)),
        meta(0, MetaMessage::EndOfTrack),
    ]];
    let mut names = Vec::new();
    let mut channels: Vec<u8> = notes.iter().map(|n| n.channel.min(15)).collect();
    channels.sort_unstable();
    channels.dedup();
    for channel in channels {
        names.push(track_names(channel).into_bytes());
        let mut track = Vec::new();
        let mut last_tick = 0u64;
        for note in notes.iter().filter(|n| n.channel.min(15) == channel) {
            let tick = (note.beats.max(0.0) * f64::from(TICKS_PER_BEAT)).round() as u64;
            let delta = tick.saturating_sub(last_tick).min(0x0FFF_FFFF) as u32;
            last_tick = last_tick.max(tick);
            let (key, vel) = (u7::new(note.key.min(127)), u7::new(note.velocity.clamp(1, 127)));
            let message =
                if note.on { MidiMessage::NoteOn { key, vel } } else { MidiMessage::NoteOff { key, vel: u7::new(0) } };
            track.push(TrackEvent {
                delta: u28::new(delta),
                kind: TrackEventKind::Midi { channel: u4::new(channel), message },
            });
        }
        track.push(meta(0, MetaMessage::EndOfTrack));
        tracks.push(track);
    }
    // Track names borrow from `names`, which outlives the file we write here.
    let mut named: Vec<Vec<TrackEvent<'_>>> = Vec::with_capacity(tracks.len());
    for (i, track) in tracks.into_iter().enumerate() {
        let mut events = Vec::with_capacity(track.len() + 1);
        if i > 0 {
            events.push(meta(0, MetaMessage::TrackName(&names[i - 1])));
        }
        events.extend(track);
        named.push(events);
    }
    let smf = Smf { header: Header::new(Format::Parallel, Timing::Metrical(u15::new(TICKS_PER_BEAT))), tracks: named };
    let mut bytes = Vec::new();
    smf.write_std(&mut bytes).expect("writing to a Vec cannot fail");
    bytes
}

fn meta(delta: u32, message: MetaMessage<'_>) -> TrackEvent<'_> {
    TrackEvent { delta: u28::new(delta), kind: TrackEventKind::Meta(message) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_notes_read_back_at_their_ticks() {
        let notes = [
            TimedNote { beats: 0.0, channel: 0, key: 48, velocity: 80, on: true },
            TimedNote { beats: 0.5, channel: 1, key: 60, velocity: 100, on: true },
            TimedNote { beats: 1.0, channel: 1, key: 60, velocity: 0, on: false },
            TimedNote { beats: 4.0, channel: 0, key: 48, velocity: 0, on: false },
        ];
        let bytes = write_smf(&notes, 140.0, &|c| format!("ch{c}"));
        let smf = Smf::parse(&bytes).unwrap();
        assert_eq!(smf.tracks.len(), 3);
        let ticks: Vec<u32> = smf.tracks[2]
            .iter()
            .scan(0, |t, e| {
                *t += e.delta.as_int();
                Some((*t, e.kind))
            })
            .filter(|(_, k)| matches!(k, TrackEventKind::Midi { .. }))
            .map(|(t, _)| t)
            .collect();
        assert_eq!(ticks, vec![240, 480]);
    }
}
