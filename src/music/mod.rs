//! The music: the encoding every model carries (frames of eighth notes ↔ network units), the
//! built-in styles (forms and corpora written as data in `styles/`, in the notation of
//! `notation`), corpora of choruses, and Standard MIDI File import/export. Plain Rust, no plugin
//! framework: used by the audio thread (read-only tables), the trainer and the command-line tool.

pub mod chart;
pub mod chart_corpus;
pub mod chord_names;
pub mod chorus_text;
pub mod corpus;
pub mod drums;
pub mod encoding;
pub mod intensity;
pub mod lead_sheet;
pub mod midi_file;
pub mod midi_import;
pub mod notation;
pub mod part;
pub mod piano_roll_png;
pub mod quantize;
pub mod split;
pub mod style;
pub mod traded;
pub mod training_set;
pub mod user_tunes;
