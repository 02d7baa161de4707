//! The single door every note goes out through. It keeps the stream an instrument receives well
//! formed whatever shares a channel: the chords, the melody and the notes passed through may
//! sound the same key on the same channel (a user can route them so). Each (channel, key) counts
//! its owners: a second owner re-strikes the note cleanly (NoteOff, NoteOn), and the NoteOff goes
//! out when the last owner lets go — never a double NoteOn, never a NoteOff for a silent note.
//! It also keeps events in non-decreasing time order inside the block. Audio thread only.

use super::io::{MidiIo, NoteSink, OutNote};

/// Owners of each (channel, key) sounding at the output.
#[derive(Clone, Debug)]
pub struct Owners {
    count: [[u8; 128]; 16],
}

impl Default for Owners {
    fn default() -> Self {
        Self { count: [[0; 128]; 16] }
    }
}

/// One block's view of the output: the host's sink, the owners, and the time order.
pub struct Output<'a, T: MidiIo> {
    pub io: &'a mut T,
    owners: &'a mut Owners,
    last: u32,
    limit: u32,
}

impl<'a, T: MidiIo> Output<'a, T> {
    /// Events go out at offsets `0..=last_sample`.
    pub fn new(io: &'a mut T, owners: &'a mut Owners, last_sample: u32) -> Self {
        Self { io, owners, last: 0, limit: last_sample }
    }

    fn emit(&mut self, mut note: OutNote) {
        note.timing = note.timing.clamp(self.last, self.limit.max(self.last));
        self.last = note.timing;
        self.io.send(note);
    }
}

impl<T: MidiIo> NoteSink for Output<'_, T> {
    fn send(&mut self, note: OutNote) {
        let (channel, key) = (usize::from(note.channel & 15), usize::from(note.key & 127));
        let owners = self.owners.count[channel][key];
        if note.on {
            if owners > 0 {
                self.emit(OutNote { on: false, velocity: 0.0, ..note });
            }
            self.owners.count[channel][key] = owners.saturating_add(1);
            self.emit(note);
        } else if owners > 0 {
            self.owners.count[channel][key] = owners - 1;
            if owners == 1 {
                self.emit(note);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::Recorder;

    fn n(timing: u32, on: bool) -> OutNote {
        OutNote { timing, channel: 15, key: 50, velocity: 0.5, on }
    }

    #[test]
    fn two_owners_of_one_key_give_one_well_formed_note_stream() {
        let (mut host, mut owners) = (Recorder::default(), Owners::default());
        let mut out = Output::new(&mut host, &mut owners, 1000);
        out.send(n(10, true)); // the chord voice
        out.send(n(20, true)); // a note played through on the same channel and key
        out.send(n(30, false)); // the played note ends: the chord still holds the key
        out.send(n(40, false)); // the chord ends
        out.send(n(50, false)); // a stray NoteOff: nothing sounds, nothing goes out
        let seen: Vec<(u32, bool)> = host.0.iter().map(|e| (e.timing, e.on)).collect();
        assert_eq!(seen, vec![(10, true), (20, false), (20, true), (40, false)]);
    }

    #[test]
    fn events_never_go_back_in_time_or_past_the_block() {
        let (mut host, mut owners) = (Recorder::default(), Owners::default());
        let mut out = Output::new(&mut host, &mut owners, 99);
        out.send(OutNote { key: 1, ..n(50, true) });
        out.send(OutNote { key: 2, ..n(10, true) });
        out.send(OutNote { key: 3, ..n(500, true) });
        let timings: Vec<u32> = host.0.iter().map(|e| e.timing).collect();
        assert_eq!(timings, vec![50, 50, 99]);
    }
}
