//! Command-line flags: `--name value…` or `--name=value`, read with typed getters that say what
//! is wrong. A mistake in the flags ends with where to find the command's options; a failure
//! of the work itself does not.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

/// The flags of one command, each with the values that followed it.
pub struct Args {
    command: &'static str,
    flags: BTreeMap<String, Vec<String>>,
}

/// A usage mistake in `command`'s flags: the message and where the options are listed.
pub fn usage(command: &str, message: impl std::fmt::Display) -> String {
    format!("{message}\n(`blues-lstm {command} --help` lists its options)")
}

impl Args {
    /// Reads `--flag value value --other … --name=value`; `allowed` lists the flags `command`
    /// knows.
    pub fn parse(command: &'static str, args: &[String], allowed: &[&str]) -> Result<Self, String> {
        let mut flags: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut current: Option<String> = None;
        for arg in args {
            if let Some(flag) = arg.strip_prefix("--") {
                let (name, inline) = match flag.split_once('=') {
                    Some((name, value)) => (name, Some(value)),
                    None => (flag, None),
                };
                if !allowed.contains(&name) {
                    return Err(usage(command, format!("unknown option '--{name}'")));
                }
                let values = flags.entry(name.to_string()).or_default();
                if let Some(value) = inline {
                    values.push(value.to_string());
                }
                current = Some(name.to_string());
            } else {
                let name = current
                    .as_ref()
                    .ok_or_else(|| usage(command, format!("'{arg}' is not an option; options start with --")))?;
                flags.entry(name.clone()).or_default().push(arg.clone());
            }
        }
        Ok(Self { command, flags })
    }

    /// A usage mistake of this command (see [`usage`]).
    pub fn mistake(&self, message: impl std::fmt::Display) -> String {
        usage(self.command, message)
    }

    pub fn has(&self, name: &str) -> bool {
        self.flags.contains_key(name)
    }

    /// The single value of `--name`, if given.
    pub fn value(&self, name: &str) -> Result<Option<&str>, String> {
        match self.flags.get(name).map(Vec::as_slice) {
            None => Ok(None),
            Some([one]) => Ok(Some(one)),
            Some([]) => Err(self.mistake(format!("--{name} needs a value"))),
            Some(_) => Err(self.mistake(format!("--{name} takes one value"))),
        }
    }

    /// All values of `--name` (several files, say).
    pub fn values(&self, name: &str) -> &[String] {
        self.flags.get(name).map_or(&[], Vec::as_slice)
    }

    /// `--name` parsed and checked to lie in `range`, or `default`.
    pub fn number<T>(&self, name: &str, default: T, range: std::ops::RangeInclusive<T>) -> Result<T, String>
    where
        T: FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let Some(text) = self.value(name)? else { return Ok(default) };
        let v: T = text.parse().map_err(|_| self.mistake(format!("--{name}: '{text}' is not a number")))?;
        if !range.contains(&v) {
            return Err(self.mistake(format!("--{name}: {v} is outside {}..{}", range.start(), range.end())));
        }
        Ok(v)
    }

    pub fn path(&self, name: &str) -> Result<Option<PathBuf>, String> {
        Ok(self.value(name)?.map(PathBuf::from))
    }

    /// `--name` as a file to write: checked now, before any work, so that a long run never
    /// ends unable to save what it made (its folder exists and takes a new file; it is not a
    /// folder itself).
    pub fn output(&self, name: &str) -> Result<Option<PathBuf>, String> {
        let Some(path) = self.path(name)? else { return Ok(None) };
        check_writable(&path).map_err(|why| format!("--{name} {}: {why}", path.display()))?;
        Ok(Some(path))
    }

    /// `--name` as a folder to write files into, created if missing (checked before any work).
    pub fn output_dir(&self, name: &str) -> Result<Option<PathBuf>, String> {
        let Some(dir) = self.path(name)? else { return Ok(None) };
        std::fs::create_dir_all(&dir).map_err(|e| format!("--{name} {}: cannot create it: {e}", dir.display()))?;
        check_writable(&dir.join(".blues-lstm-probe")).map_err(|why| format!("--{name} {}: {why}", dir.display()))?;
        Ok(Some(dir))
    }
}

/// Whether a file can be written at `path`, tried with a probe file beside it (removed again).
fn check_writable(path: &std::path::Path) -> Result<(), String> {
    if path.is_dir() {
        return Err("is a folder, not a file".to_string());
    }
    let folder = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(folder) => folder.to_path_buf(),
        None => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(format!("its folder {} does not exist", folder.display()));
    }
    let probe = folder.join(format!(".blues-lstm-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| format!("cannot write in {}: {e}", folder.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}
