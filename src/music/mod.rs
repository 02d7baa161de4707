//! The music as the network sees it: the paper's frame encoding, the built-in 12-bar corpus
//! (data, not logic) and Standard MIDI File import/export. Plain Rust, no plugin framework:
//! used by the audio thread (read-only tables), the trainer and the command-line tool.

pub mod chord_names;
pub mod chorus_text;
pub mod corpus;
pub mod encoding;
pub mod midi_file;
pub mod midi_import;
pub mod piano_roll_png;
pub mod quantize;
pub mod split;
pub mod training_set;
