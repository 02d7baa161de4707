//! File choosing for the editor. The desktop's file dialog runs as a child *process* (zenity,
//! or kdialog on KDE), polled each frame from the GUI thread: no thread of the plugin's waits on
//! it, and a dialog still open when the editor closes (or the host destroys the plugin) is
//! killed, so nothing runs this library's code after the instance is gone. When neither program
//! is installed, the editor's path field does the same job.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// What a file was chosen for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    ImportMidi,
    ImportModel,
    ExportModel,
    ExportTake,
    ImportChart,
}

/// The dialog in flight, if any.
#[derive(Default)]
pub struct Files {
    dialog: Option<(Purpose, Child)>,
    /// Whether a dialog is open (one at a time).
    pub open: bool,
    /// Why no dialog could be shown, for the editor to say.
    pub problem: Option<String>,
}

/// The dialog programs tried, in order, with the arguments for `purpose`.
fn commands(purpose: Purpose) -> [Command; 2] {
    let mut zenity = Command::new("zenity");
    zenity.args(["--file-selection", "--separator=\n"]);
    let mut kdialog = Command::new("kdialog");
    match purpose {
        Purpose::ImportMidi => {
            zenity.args(["--multiple", "--title=Import choruses (.mid)", "--file-filter=MIDI files | *.mid *.midi"]);
            kdialog.args(["--getopenfilename", ".", "MIDI files (*.mid *.midi)", "--multiple", "--separate-output"]);
        }
        Purpose::ImportModel => {
            zenity.args(["--title=Import a model", "--file-filter=Blues LSTM model | *.json"]);
            kdialog.args(["--getopenfilename", ".", "Blues LSTM model (*.json)"]);
        }
        Purpose::ExportModel => {
            zenity.args([
                "--save",
                "--confirm-overwrite",
                "--title=Export the model",
                "--filename=blues-lstm-model.json",
            ]);
            kdialog.args(["--getsavefilename", "blues-lstm-model.json", "Blues LSTM model (*.json)"]);
        }
        Purpose::ImportChart => {
            zenity.args([
                "--title=Load a chart",
                "--file-filter=Charts and lead sheets | *.txt *.chart *.musicxml *.xml *.mxl",
                "--file-filter=All files | *",
            ]);
            kdialog.args(["--getopenfilename", ".", "Charts and lead sheets (*.txt *.chart *.musicxml *.xml *.mxl)"]);
        }
        Purpose::ExportTake => {
            zenity.args(["--save", "--confirm-overwrite", "--title=Export the take", "--filename=blues-lstm-take.mid"]);
            kdialog.args(["--getsavefilename", "blues-lstm-take.mid", "MIDI files (*.mid)"]);
        }
    }
    [zenity, kdialog]
}

impl Files {
    /// Opens the dialog for `purpose`, unless one is open already.
    pub fn ask(&mut self, purpose: Purpose) {
        if self.open {
            return;
        }
        self.problem = None;
        for mut command in commands(purpose) {
            let spawned = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn();
            if let Ok(child) = spawned {
                self.dialog = Some((purpose, child));
                self.open = true;
                return;
            }
        }
        self.problem = Some("No file dialog program (zenity or kdialog) is installed: type the path instead.".into());
    }

    /// The answer of a finished dialog, if any (no paths when it was cancelled).
    pub fn poll(&mut self) -> Option<(Purpose, Vec<PathBuf>)> {
        let (purpose, child) = self.dialog.as_mut()?;
        let purpose = *purpose;
        if let Ok(None) = child.try_wait() {
            return None; // still open
        }
        let mut text = String::new();
        if let Some(mut out) = child.stdout.take() {
            let _ = out.read_to_string(&mut text);
        }
        self.dialog = None;
        self.open = false;
        Some((purpose, parse_paths(&text)))
    }
}

/// The paths a dialog printed, one per line.
fn parse_paths(text: &str) -> Vec<PathBuf> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(PathBuf::from).collect()
}

impl Drop for Files {
    fn drop(&mut self) {
        if let Some((_, mut child)) = self.dialog.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_one_per_line() {
        assert_eq!(
            parse_paths("/a/b.mid\n/c d/e.mid\n\n"),
            vec![PathBuf::from("/a/b.mid"), PathBuf::from("/c d/e.mid")]
        );
        assert!(parse_paths("").is_empty());
    }

    #[test]
    fn a_dialog_left_open_is_killed_with_the_editor() {
        // A stand-in for a dialog that waits for the user: `sleep` as the child.
        let child = Command::new("sleep").arg("30").stdout(Stdio::piped()).spawn().expect("sleep runs");
        let pid = child.id();
        let mut files = Files { dialog: Some((Purpose::ImportMidi, child)), open: true, problem: None };
        assert!(files.poll().is_none(), "still open");
        drop(files);
        let alive = std::path::Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z");
        assert!(!alive, "the dialog process outlived the editor");
    }
}
