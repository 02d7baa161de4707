//! The engine's side of the host's MIDI: the note events it reads and sends, as plain values.
//! The plugin shell, the offline renderer and the tests each implement [`MidiIo`].

/// A note event the engine sends out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutNote {
    /// Sample offset inside the block.
    pub timing: u32,
    /// MIDI channel, 0–15.
    pub channel: u8,
    pub key: u8,
    /// 0–1.
    pub velocity: f32,
    /// NoteOn (`true`) or NoteOff.
    pub on: bool,
}

/// A note event coming in from the host (same fields as [`OutNote`]).
pub type InNote = OutNote;

/// Where notes come from and go to during one block.
pub trait NoteSink {
    fn send(&mut self, note: OutNote);
}

/// The host side of one block: incoming notes (in time order) and outgoing notes.
pub trait MidiIo: NoteSink {
    fn next_incoming(&mut self) -> Option<InNote>;
}
