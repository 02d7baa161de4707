//! The model file: JSON with a format name, a semver version, the topology, the encoding,
//! named weight tensors with shapes, metadata and an optional primer.
//!
//! Loading validates in a fixed order and stops at the first problem with one
//! [`ModelFileError`] that names the file and the field: parse → required keys → format name →
//! version (and the upgrade of an older major) → topology → encoding (one the plugin can play,
//! matching the topology's groups) → metadata → each tensor (present, shape, length, finite)
//! → no unknown tensors → primer. Runs on the loader/trainer thread or the CLI, never the audio
//! thread.
//!
//! Versions: this code writes [`FORMAT_VERSION`]. A file of major [`FORMAT_MAJOR`] loads if its
//! minor is not newer than [`FORMAT_MINOR`] (a newer minor may carry meaning this code would
//! ignore); any patch loads. Major 1 (the paper's two groups, before the encoding became the
//! model's) is upgraded by [`upgrade_v1_to_v2`]; other majors are refused.

use super::{Metadata, Model};
use crate::lstm::topology::Topology;
use crate::lstm::weights::{Tensor, Weights};
use crate::music::encoding::{Encoding, Frame, LineLayout};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The `format` field of every model file.
pub const FORMAT_NAME: &str = "blues-lstm-model";
/// The format version this code writes.
pub const FORMAT_VERSION: &str = "2.0.0";
/// Major version this code reads (older majors are upgraded).
pub const FORMAT_MAJOR: u64 = 2;
/// Newest minor version this code reads.
pub const FORMAT_MINOR: u64 = 0;

/// What kind of problem a model file has (the message says exactly what).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelFileErrorKind {
    Io,
    Parse,
    MissingKey,
    Format,
    Version,
    Topology,
    Encoding,
    Field,
    Tensor,
    UnknownTensor,
}

/// Why a model file (or JSON text) was refused. Display: "file: field: message".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelFileError {
    pub kind: ModelFileErrorKind,
    /// The file, when the model came from one.
    pub file: Option<PathBuf>,
    /// The JSON field at fault, e.g. "weights.melody_gates" ("" for the whole document).
    pub field: String,
    pub message: String,
}

impl ModelFileError {
    fn new(kind: ModelFileErrorKind, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { kind, file: None, field: field.into(), message: message.into() }
    }
}

impl fmt::Display for ModelFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ModelFileError {}

/// The file as written: field order is the order people read it in.
#[derive(Serialize)]
struct FileOut<'a> {
    format: &'static str,
    version: &'static str,
    topology: &'a Topology,
    encoding: &'a Encoding,
    metadata: &'a Metadata,
    weights: &'a BTreeMap<String, Tensor>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    primer: Vec<String>,
}

const REQUIRED_KEYS: [&str; 6] = ["format", "version", "topology", "encoding", "weights", "metadata"];

impl Model {
    /// The model as a model file (pretty JSON).
    pub fn to_json(&self) -> String {
        let out = FileOut {
            format: FORMAT_NAME,
            version: FORMAT_VERSION,
            topology: &self.weights.topology,
            encoding: &self.encoding,
            metadata: &self.metadata,
            weights: &self.weights.tensors,
            primer: primer_text(&self.primer, &self.encoding),
        };
        // Serialising plain structs of numbers and strings cannot fail.
        serde_json::to_string_pretty(&out).unwrap_or_default()
    }

    /// Writes the model file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.to_json())
    }

    /// Reads and validates a model file; errors name the file.
    pub fn load(path: &Path) -> Result<Model, ModelFileError> {
        let with_file = |mut e: ModelFileError| {
            e.file = Some(path.to_path_buf());
            e
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| with_file(ModelFileError::new(ModelFileErrorKind::Io, "", e.to_string())))?;
        Self::from_json(&text).map_err(with_file)
    }

    /// Parses and validates model-file JSON.
    pub fn from_json(text: &str) -> Result<Model, ModelFileError> {
        use ModelFileErrorKind as K;
        let mut doc: Value = serde_json::from_str(text)
            .map_err(|e| ModelFileError::new(K::Parse, "", format!("not valid JSON: {e}")))?;
        let Some(obj) = doc.as_object_mut() else {
            return Err(ModelFileError::new(K::Parse, "", "not a JSON object"));
        };
        for key in REQUIRED_KEYS {
            if !obj.contains_key(key) {
                return Err(ModelFileError::new(K::MissingKey, key, "missing"));
            }
        }
        match obj["format"].as_str() {
            Some(FORMAT_NAME) => {}
            other => {
                return Err(ModelFileError::new(
                    K::Format,
                    "format",
                    format!("expected \"{FORMAT_NAME}\", found {}", describe(other, &obj["format"])),
                ))
            }
        }
        if check_version(&obj["version"])? == 1 {
            upgrade_v1_to_v2(obj)?;
        }
        let topology: Topology = field(obj, "topology", K::Topology)?;
        topology.validate().map_err(|m| ModelFileError::new(K::Topology, "topology", m))?;
        let encoding: Encoding = field(obj, "encoding", K::Encoding)?;
        encoding.validate().map_err(|m| ModelFileError::new(K::Encoding, "encoding", m))?;
        encoding
            .check_topology(&topology)
            .map_err(|m| ModelFileError::new(K::Encoding, "encoding", format!("does not fit the network: {m}")))?;
        let metadata: Metadata = field(obj, "metadata", K::Field)?;
        let tensors = read_weights(&obj["weights"], &topology)?;
        let primer = match obj.get("primer") {
            None => Vec::new(),
            Some(value) => read_primer(value, &encoding)?,
        };
        Ok(Model { weights: Weights { topology, tensors }, encoding, metadata, primer })
    }
}

/// A version 1 file (the paper's two groups, the encoding as two keys and the form's length)
/// rewritten as version 2, in place: the topology as groups, the encoding as layouts.
pub fn upgrade_v1_to_v2(doc: &mut Map<String, Value>) -> Result<(), ModelFileError> {
    use ModelFileErrorKind as K;
    let size = |v: &Value, key: &str, kind| {
        v.get(key).and_then(Value::as_u64).ok_or_else(|| {
            let at = if kind == K::Topology { "topology" } else { "encoding" };
            ModelFileError::new(kind, at, format!("missing field `{key}` (a version 1 file)"))
        })
    };
    let t = &doc["topology"];
    let (n_chord, n_melody) = (size(t, "n_chord", K::Topology)?, size(t, "n_melody", K::Topology)?);
    let (chord_blocks, melody_blocks) = (size(t, "chord_blocks", K::Topology)?, size(t, "melody_blocks", K::Topology)?);
    let cells_per_block = size(t, "cells_per_block", K::Topology)?;
    let mut groups = vec![json!({"name": "chord", "units": n_chord, "blocks": chord_blocks, "sees": []})];
    if n_melody > 0 || melody_blocks > 0 {
        groups.push(json!({"name": "melody", "units": n_melody, "blocks": melody_blocks, "sees": [0]}));
    }
    let e = &doc["encoding"];
    let melody_low = size(e, "melody_low", K::Encoding)?;
    let encoding = json!({
        "steps_per_bar": size(e, "steps_per_bar", K::Encoding)?,
        "bars": size(e, "bars_per_chorus", K::Encoding)?,
        "chord_low": size(e, "chord_low", K::Encoding)?,
        "melody": if n_melody > 0 {
            serde_json::to_value(LineLayout { low: melody_low.min(127) as u8, pitches: n_melody.min(128) as u8, rest: false, begin: false, restrike: false })
                .unwrap_or(Value::Null)
        } else {
            Value::Null
        },
    });
    doc.insert("topology".into(), json!({"groups": groups, "cells_per_block": cells_per_block}));
    doc.insert("encoding".into(), encoding);
    Ok(())
}

/// The primer's steps as strings of 0/1 characters, one per input unit.
fn primer_text(primer: &[Frame], encoding: &Encoding) -> Vec<String> {
    let mut units = vec![0.0; encoding.n_units()];
    let mut previous = Frame::default();
    primer
        .iter()
        .map(|frame| {
            encoding.encode(frame, &previous, &mut units);
            previous = *frame;
            units.iter().map(|&u| if u > 0.5 { '1' } else { '0' }).collect()
        })
        .collect()
}

/// Reads the optional primer: one string per step of the chorus, `n_units` characters of 0 or 1.
fn read_primer(value: &Value, encoding: &Encoding) -> Result<Vec<Frame>, ModelFileError> {
    let bad = |message: String| ModelFileError::new(ModelFileErrorKind::Field, "primer", message);
    let (steps, n) = (encoding.steps_per_chorus(), encoding.n_units());
    let Some(rows) = value.as_array() else { return Err(bad("expected a list of strings".to_string())) };
    if rows.len() != steps {
        return Err(bad(format!("expected {steps} steps, found {}", rows.len())));
    }
    let mut frames = Vec::with_capacity(steps);
    let mut previous = Frame::default();
    for (i, row) in rows.iter().enumerate() {
        let text = row.as_str().unwrap_or_default();
        if text.len() != n || !text.bytes().all(|b| b == b'0' || b == b'1') {
            return Err(bad(format!("step {}: expected {n} characters of 0 or 1, found {row}", i + 1)));
        }
        let units: Vec<f32> = text.bytes().map(|b| f32::from(b == b'1')).collect();
        previous = encoding.decode(&units, &previous, i % encoding.steps_per_bar);
        frames.push(previous);
    }
    Ok(frames)
}

/// A short description of what was found instead of a string.
fn describe(s: Option<&str>, v: &Value) -> String {
    match s {
        Some(s) => format!("\"{s}\""),
        None => v.to_string(),
    }
}

/// A whole sub-object through serde; the message names the bad or missing inner field.
fn field<T: serde::de::DeserializeOwned>(
    obj: &Map<String, Value>,
    key: &str,
    kind: ModelFileErrorKind,
) -> Result<T, ModelFileError> {
    serde_json::from_value(obj[key].clone()).map_err(|e| ModelFileError::new(kind, key, e.to_string()))
}

/// The major version of a readable file (module docs).
fn check_version(v: &Value) -> Result<u64, ModelFileError> {
    use ModelFileErrorKind as K;
    let text = v.as_str().unwrap_or_default();
    let parts: Vec<Option<u64>> = text.split('.').map(|p| p.parse().ok()).collect();
    let [Some(major), Some(minor), Some(_patch)] = parts[..] else {
        return Err(ModelFileError::new(
            K::Version,
            "version",
            format!("expected a version like \"{FORMAT_VERSION}\", found {v}"),
        ));
    };
    match major {
        1 if minor == 0 => Ok(1),
        1 => Err(ModelFileError::new(
            K::Version,
            "version",
            format!("{text} is not a version 1 this build knows (1.0.x)"),
        )),
        // NOTE: FORMAT_MINOR is 0 today; the comparison is for the next minor.
        #[allow(clippy::absurd_extreme_comparisons)]
        FORMAT_MAJOR if minor <= FORMAT_MINOR => Ok(major),
        FORMAT_MAJOR => Err(ModelFileError::new(
            K::Version,
            "version",
            format!("{text} is newer than this build reads (up to {FORMAT_MAJOR}.{FORMAT_MINOR}.x): update the plugin"),
        )),
        _ => Err(ModelFileError::new(
            K::Version,
            "version",
            format!("{text} is not readable: this build reads {FORMAT_MAJOR}.x.y files (and upgrades 1.0.x)"),
        )),
    }
}

fn read_weights(v: &Value, topology: &Topology) -> Result<BTreeMap<String, Tensor>, ModelFileError> {
    use ModelFileErrorKind as K;
    let Some(obj) = v.as_object() else {
        return Err(ModelFileError::new(K::Field, "weights", "must be an object of named tensors"));
    };
    let specs = topology.tensors();
    let mut weights = BTreeMap::new();
    for spec in &specs {
        let name = format!("weights.{}", spec.name);
        let err = |m: String| ModelFileError::new(K::Tensor, name.clone(), m);
        let Some(t) = obj.get(&spec.name) else {
            return Err(err("missing (the topology needs it)".into()));
        };
        let shape: Vec<usize> = t
            .get("shape")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().map(|d| d.as_u64().map(|d| d as usize)).collect())
            .ok_or_else(|| err("shape must be an array of sizes".into()))?;
        let values = t
            .get("values")
            .and_then(Value::as_array)
            .ok_or_else(|| err("values must be an array of numbers".into()))?;
        let expected = [spec.rows, spec.cols];
        if shape != expected {
            return Err(err(format!("shape is {shape:?}, the topology needs {expected:?}")));
        }
        if values.len() != spec.len() {
            return Err(err(format!("expected {} values, found {}", spec.len(), values.len())));
        }
        let mut out = Vec::with_capacity(values.len());
        for (i, x) in values.iter().enumerate() {
            match x.as_f64().map(|x| x as f32) {
                Some(x) if x.is_finite() => out.push(x),
                _ => return Err(err(format!("value {i} is not a finite number: {x}"))),
            }
        }
        weights.insert(spec.name.clone(), Tensor { shape, values: out });
    }
    if let Some(extra) = obj.keys().find(|k| !specs.iter().any(|s| &s.name == *k)) {
        return Err(ModelFileError::new(
            K::UnknownTensor,
            format!("weights.{extra}"),
            "unknown tensor for this topology",
        ));
    }
    Ok(weights)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::rng::Rng;
    use crate::music::encoding::Note;
    use ModelFileErrorKind as K;

    fn metadata() -> Metadata {
        Metadata {
            name: "test".into(),
            corpus: "none".into(),
            corpus_hash: "0".into(),
            seed: 5,
            epochs: 0,
            final_loss: 0.25,
            train_seconds: 0.0,
            chord_check_choruses: 0,
            started_from: String::new(),
            kept_parts: Vec::new(),
        }
    }

    fn random_model(encoding: Encoding, blocks: &[usize]) -> Model {
        let mut weights = Weights::zeros(encoding.topology(blocks, 2));
        let mut rng = Rng::new(1);
        for t in weights.tensors.values_mut() {
            for v in &mut t.values {
                *v = rng.uniform(-3.0, 3.0) * 1e-3f32.powi(rng.below(3) as i32);
            }
        }
        let primer = (0..encoding.steps_per_chorus())
            .map(|s| Frame {
                chord: 0b1001_0001_0001,
                melody: if encoding.melody.is_some() {
                    Note { key: Some(60 + (s % 12) as u8), begin: s % 2 == 0 }
                } else {
                    Note::REST
                },
                ..Frame::default()
            })
            .collect::<Vec<_>>();
        let mut primer = primer;
        encoding.normalize_begins(&mut primer);
        Model { weights, encoding, metadata: metadata(), primer }
    }

    fn exp2() -> Model {
        random_model(Encoding::paper(), &[4, 4])
    }

    fn band() -> Model {
        random_model(Encoding::band(16), &[4, 4, 3, 2, 3])
    }

    /// The JSON of a valid model, edited by `edit`, then loaded.
    fn load_edited(model: &Model, edit: impl FnOnce(&mut Map<String, Value>)) -> Result<Model, ModelFileError> {
        let mut doc: Value = serde_json::from_str(&model.to_json()).unwrap();
        edit(doc.as_object_mut().unwrap());
        Model::from_json(&doc.to_string())
    }

    fn expect(kind: ModelFileErrorKind, field: &str, r: Result<Model, ModelFileError>) -> String {
        let e = r.expect_err("must be refused");
        assert_eq!((e.kind, e.field.as_str()), (kind, field), "{e}");
        e.to_string()
    }

    #[test]
    fn round_trip_is_exact() {
        for model in [exp2(), band(), random_model(Encoding::paper_chords_only(), &[4])] {
            let back = Model::from_json(&model.to_json()).unwrap();
            assert_eq!(back, model);
        }
        let dir = std::env::temp_dir().join(format!("blues_lstm_rt_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.json");
        let model = band();
        model.save(&path).unwrap();
        assert_eq!(Model::load(&path).unwrap(), model);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The embedded models as they were committed before the encoding became the model's
    /// (format 1.0.0): they load unchanged, as the paper's encoding and topology.
    #[test]
    fn version_1_files_are_upgraded() {
        for (text, n_groups) in [
            (include_str!("../../tests/fixtures/exp2-v1.json"), 2),
            (include_str!("../../tests/fixtures/exp1-v1.json"), 1),
        ] {
            let model = Model::from_json(text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(model.weights.topology.groups.len(), n_groups);
            let want = if n_groups == 2 { Encoding::paper() } else { Encoding::paper_chords_only() };
            assert_eq!(model.encoding, want);
            assert_eq!(model.primer.len(), 96);
            let again = Model::from_json(&model.to_json()).unwrap();
            assert_eq!(again, model, "written back as version 2, it reads the same");
        }
    }

    #[test]
    fn unreadable_and_unparsable_files_name_the_file() {
        let e = Model::load(Path::new("/nonexistent/x.json")).unwrap_err();
        assert_eq!(e.kind, K::Io);
        assert!(e.to_string().starts_with("/nonexistent/x.json: "), "{e}");
        assert_eq!(Model::from_json("{").unwrap_err().kind, K::Parse);
        assert_eq!(Model::from_json("[1]").unwrap_err().kind, K::Parse);
    }

    #[test]
    fn missing_keys_are_named() {
        for key in REQUIRED_KEYS {
            expect(K::MissingKey, key, load_edited(&exp2(), |o| drop(o.remove(key))));
        }
    }

    #[test]
    fn wrong_format_is_refused() {
        expect(K::Format, "format", load_edited(&exp2(), |o| drop(o.insert("format".into(), "nam".into()))));
    }

    #[test]
    fn versions_follow_semver() {
        let with = |v: &str| {
            let v = v.to_string();
            load_edited(&exp2(), move |o| drop(o.insert("version".into(), v.into())))
        };
        assert!(with("2.0.7").is_ok(), "a newer patch loads");
        expect(K::Version, "version", with("3.0.0"));
        expect(K::Version, "version", with("0.9.0"));
        let m = expect(K::Version, "version", with("2.1.0"));
        assert!(m.contains("newer"), "{m}");
        expect(K::Version, "version", with("2.0"));
        expect(K::Version, "version", load_edited(&exp2(), |o| drop(o.insert("version".into(), 1.into()))));
        // A version 2 body labelled 1.0.0 is read as version 1, and its topology is wrong there.
        expect(K::Topology, "topology", with("1.0.0"));
    }

    #[test]
    fn invalid_topology_is_refused() {
        expect(K::Topology, "topology", load_edited(&exp2(), |o| o["topology"]["cells_per_block"] = 0.into()));
        expect(
            K::Topology,
            "topology",
            load_edited(&exp2(), |o| drop(o["topology"].as_object_mut().unwrap().remove("groups"))),
        );
    }

    #[test]
    fn an_encoding_the_plugin_cannot_play_is_named() {
        let m = expect(K::Encoding, "encoding", load_edited(&exp2(), |o| o["encoding"]["steps_per_bar"] = 12.into()));
        assert!(m.contains("steps_per_bar is 12"), "{m}");
        let m = expect(K::Encoding, "encoding", load_edited(&exp2(), |o| o["encoding"]["bars"] = 100.into()));
        assert!(m.contains("bars is 100"), "{m}");
        let m =
            expect(K::Encoding, "encoding", load_edited(&exp2(), |o| o["encoding"]["melody"]["pitches"] = 24.into()));
        assert!(m.contains("does not fit the network"), "{m}");
        expect(K::Encoding, "encoding", load_edited(&exp2(), |o| o["encoding"]["chord_low"] = 300.into()));
    }

    #[test]
    fn bad_metadata_or_primer_is_refused() {
        expect(
            K::Field,
            "metadata",
            load_edited(&exp2(), |o| drop(o["metadata"].as_object_mut().unwrap().remove("seed"))),
        );
        let m = expect(K::Field, "primer", load_edited(&band(), |o| drop(o["primer"].as_array_mut().unwrap().pop())));
        assert!(m.contains("expected 128 steps"), "{m}");
        expect(K::Field, "primer", load_edited(&band(), |o| o["primer"][3] = "0101".into()));
    }

    #[test]
    fn tensor_problems_name_the_tensor() {
        let m = expect(
            K::Tensor,
            "weights.melody_gates",
            load_edited(&exp2(), |o| {
                let t = o["weights"]["melody_gates"].as_object_mut().unwrap();
                t["values"].as_array_mut().unwrap().pop();
            }),
        );
        assert_eq!(m, "weights.melody_gates: expected 600 values, found 599");
        expect(
            K::Tensor,
            "weights.bass_out",
            load_edited(&band(), |o| drop(o["weights"].as_object_mut().unwrap().remove("bass_out"))),
        );
        expect(
            K::Tensor,
            "weights.chord_out",
            load_edited(&exp2(), |o| o["weights"]["chord_out"]["shape"] = json!([21, 12])),
        );
        expect(
            K::Tensor,
            "weights.chord_gates",
            load_edited(&exp2(), |o| o["weights"]["chord_gates"]["values"][3] = "x".into()),
        );
        // 1e39 parses as f64 but overflows f32.
        let text = exp2().to_json();
        let pos = text.find("\"values\": [").unwrap() + "\"values\": [".len();
        let bad = format!("{}1e39,{}", &text[..pos], &text[text[pos..].find(',').unwrap() + pos + 1..]);
        assert_eq!(Model::from_json(&bad).unwrap_err().kind, K::Tensor);
    }

    #[test]
    fn unknown_tensors_are_refused() {
        expect(
            K::UnknownTensor,
            "weights.peepholes",
            load_edited(&exp2(), |o| o["weights"]["peepholes"] = json!({"shape": [1, 1], "values": [0.0]})),
        );
    }
}
