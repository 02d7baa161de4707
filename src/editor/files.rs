//! File choosing for the editor: the desktop's file dialog runs on a thread of its own (it blocks),
//! and what it picks comes back through a channel the editor polls each frame. When no dialog can
//! be shown (no desktop portal), the editor's path field does the same job.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};

/// What a file was chosen for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    ImportMidi,
    ImportModel,
    ExportModel,
}

/// Dialogs in flight and their answers.
pub struct Files {
    sender: Sender<(Purpose, Vec<PathBuf>)>,
    receiver: Receiver<(Purpose, Vec<PathBuf>)>,
    /// Whether a dialog is open (one at a time).
    pub open: bool,
}

impl Default for Files {
    fn default() -> Self {
        let (sender, receiver) = channel();
        Self { sender, receiver, open: false }
    }
}

impl Files {
    /// Opens the dialog for `purpose` on its own thread.
    pub fn ask(&mut self, purpose: Purpose) {
        if self.open {
            return;
        }
        self.open = true;
        let sender = self.sender.clone();
        let spawned = std::thread::Builder::new().name("blues-lstm file dialog".to_string()).spawn(move || {
            let dialog = rfd::FileDialog::new();
            let picked: Vec<PathBuf> = match purpose {
                Purpose::ImportMidi => dialog
                    .add_filter("MIDI files", &["mid", "midi"])
                    .set_title("Import 12-bar choruses")
                    .pick_files()
                    .unwrap_or_default(),
                Purpose::ImportModel => dialog
                    .add_filter("Blues LSTM model", &["json"])
                    .set_title("Import a model")
                    .pick_file()
                    .into_iter()
                    .collect(),
                Purpose::ExportModel => dialog
                    .add_filter("Blues LSTM model", &["json"])
                    .set_file_name("blues-lstm-model.json")
                    .set_title("Export the model")
                    .save_file()
                    .into_iter()
                    .collect(),
            };
            let _ = sender.send((purpose, picked));
        });
        if spawned.is_err() {
            self.open = false;
        }
    }

    /// The answer of a finished dialog, if any.
    pub fn poll(&mut self) -> Option<(Purpose, Vec<PathBuf>)> {
        let answer = self.receiver.try_recv().ok()?;
        self.open = false;
        Some(answer)
    }
}
