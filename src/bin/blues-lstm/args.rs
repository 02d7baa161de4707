//! Command-line flags: `--name value…` pairs, read with typed getters that say what is wrong.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

/// The flags of one command, each with the values that followed it.
pub struct Args {
    flags: BTreeMap<String, Vec<String>>,
}

impl Args {
    /// Reads `--flag value value --other …`; `allowed` lists the flags the command knows.
    pub fn parse(args: &[String], allowed: &[&str]) -> Result<Self, String> {
        let mut flags: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut current: Option<String> = None;
        for arg in args {
            if let Some(name) = arg.strip_prefix("--") {
                if !allowed.contains(&name) {
                    return Err(format!(
                        "unknown option '--{name}' (this command takes: {})",
                        allowed.iter().map(|a| format!("--{a}")).collect::<Vec<_>>().join(" ")
                    ));
                }
                flags.entry(name.to_string()).or_default();
                current = Some(name.to_string());
            } else {
                let name =
                    current.as_ref().ok_or_else(|| format!("'{arg}' is not an option; options start with --"))?;
                flags.entry(name.clone()).or_default().push(arg.clone());
            }
        }
        Ok(Self { flags })
    }

    pub fn has(&self, name: &str) -> bool {
        self.flags.contains_key(name)
    }

    /// The single value of `--name`, if given.
    pub fn value(&self, name: &str) -> Result<Option<&str>, String> {
        match self.flags.get(name).map(Vec::as_slice) {
            None => Ok(None),
            Some([one]) => Ok(Some(one)),
            Some([]) => Err(format!("--{name} needs a value")),
            Some(_) => Err(format!("--{name} takes one value")),
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
        let v: T = text.parse().map_err(|_| format!("--{name}: '{text}' is not a number"))?;
        if !range.contains(&v) {
            return Err(format!("--{name}: {v} is outside {}..{}", range.start(), range.end()));
        }
        Ok(v)
    }

    pub fn path(&self, name: &str) -> Result<Option<PathBuf>, String> {
        Ok(self.value(name)?.map(PathBuf::from))
    }
}
