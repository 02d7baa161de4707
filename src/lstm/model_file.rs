//! The trained model and its file: JSON with a format name, a semver version, the topology,
//! the encoding it was trained on, named weight tensors with shapes, and metadata.
//!
//! Loading validates in a fixed order and stops at the first problem with one
//! [`ModelFileError`] that names the file and the field: parse → required keys → format name →
//! version → topology → encoding and metadata → each tensor (present, shape, length, finite)
//! → no unknown tensors. Runs on the loader/trainer thread or the CLI, never the audio thread.
//!
//! Version rule: major must be [`FORMAT_MAJOR`]; a minor newer than [`FORMAT_MINOR`] is
//! refused (it may carry meaning this code would ignore); any patch loads. A future format
//! change adds an `upgrade_vX_to_vY` step in `from_json`.

use super::topology::{TensorSpec, Topology};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The `format` field of every model file.
pub const FORMAT_NAME: &str = "blues-lstm-model";
/// The format version this code writes.
pub const FORMAT_VERSION: &str = "1.0.0";
/// Major version this code reads.
pub const FORMAT_MAJOR: u64 = 1;
/// Newest minor version this code reads.
pub const FORMAT_MINOR: u64 = 0;

/// How the network's units map to notes and time (from `music::encoding` when trained here).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encoding {
    /// MIDI note of chord unit 0.
    pub chord_low: u8,
    /// MIDI note of melody unit 0.
    pub melody_low: u8,
    /// Network steps per bar (8: eighth notes in 4/4).
    pub steps_per_bar: u32,
    /// Bars in the form (12).
    pub bars_per_chorus: u32,
}

/// Where a model came from and how training went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// A name for people, e.g. "builtin-exp2".
    pub name: String,
    /// What it was trained on, e.g. "built-in 12-bar blues (4096 choruses)".
    pub corpus: String,
    /// FNV-1a 64 (hex) over the training frames: tells whether two models saw the same data.
    pub corpus_hash: String,
    /// The training seed: the same seed, corpus and config give the same weights.
    pub seed: u64,
    /// Epochs trained (one epoch = one minibatch update).
    pub epochs: u32,
    /// Mean cross-entropy per step (summed over units) over the last epochs.
    pub final_loss: f32,
    /// Wall-clock training time.
    pub train_seconds: f32,
    /// Choruses the free-running network played with every chord right at the stop check.
    pub chord_check_choruses: u32,
}

/// One weight matrix, row-major: `values[r * shape[1] + c]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tensor {
    /// `[rows, cols]`; see [`TensorSpec`] for what rows and columns mean.
    pub shape: Vec<usize>,
    /// Row-major values, `rows × cols` of them.
    pub values: Vec<f32>,
}

/// A trained network: everything needed to rebuild it, and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub topology: Topology,
    pub encoding: Encoding,
    /// Named tensors, exactly those of `topology.tensors()`.
    pub weights: BTreeMap<String, Tensor>,
    pub metadata: Metadata,
    /// A training chorus as units (`steps × n_in`, 0/1), played in to prime the network up to a
    /// form position — the paper seeded its runs with training notes. Empty when the file has
    /// none (optional key `primer`: one string of 0/1 characters per step).
    pub primer: Vec<f32>,
}

/// What kind of problem a model file has (the message says exactly what).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelFileErrorKind {
    Io,
    Parse,
    MissingKey,
    Format,
    Version,
    Topology,
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
    /// A model of `topology` with every weight 0 (tests and tools fill them in).
    pub fn zeros(topology: Topology, encoding: Encoding, metadata: Metadata) -> Self {
        let weights = topology
            .tensors()
            .iter()
            .map(|s| (s.name.to_string(), Tensor { shape: vec![s.rows, s.cols], values: vec![0.0; s.len()] }))
            .collect();
        Self { topology, encoding, weights, metadata, primer: Vec::new() }
    }

    /// The values of the tensor `spec`. Panics if it is missing or of the wrong size: a model
    /// that came through `from_json` or the trainer always has it.
    pub fn values(&self, spec: &TensorSpec) -> &[f32] {
        match self.weights.get(spec.name) {
            Some(t) if t.values.len() == spec.len() => &t.values,
            _ => panic!("model has no valid tensor {}", spec.name),
        }
    }

    /// Mutable values of the tensor `spec` (same contract as [`Model::values`]).
    pub fn values_mut(&mut self, spec: &TensorSpec) -> &mut [f32] {
        match self.weights.get_mut(spec.name) {
            Some(t) if t.values.len() == spec.len() => &mut t.values,
            _ => panic!("model has no valid tensor {}", spec.name),
        }
    }

    /// The model as a model file (pretty JSON).
    pub fn to_json(&self) -> String {
        let out = FileOut {
            format: FORMAT_NAME,
            version: FORMAT_VERSION,
            topology: &self.topology,
            encoding: &self.encoding,
            metadata: &self.metadata,
            weights: &self.weights,
            primer: primer_text(&self.primer, self.topology.n_in()),
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
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| ModelFileError::new(K::Parse, "", format!("not valid JSON: {e}")))?;
        let Some(obj) = doc.as_object() else {
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
        check_version(&obj["version"])?;
        let topology: Topology = field(obj, "topology", K::Topology)?;
        topology.validate().map_err(|m| ModelFileError::new(K::Topology, "topology", m))?;
        let encoding: Encoding = field(obj, "encoding", K::Field)?;
        let metadata: Metadata = field(obj, "metadata", K::Field)?;
        let weights = read_weights(&obj["weights"], &topology)?;
        let primer = match obj.get("primer") {
            None => Vec::new(),
            Some(value) => read_primer(value, &topology, &encoding)?,
        };
        Ok(Model { topology, encoding, weights, metadata, primer })
    }
}

/// The primer's steps as strings of 0/1 characters, one per input unit.
fn primer_text(primer: &[f32], n_in: usize) -> Vec<String> {
    if n_in == 0 {
        return Vec::new();
    }
    primer.chunks(n_in).map(|step| step.iter().map(|&u| if u > 0.5 { '1' } else { '0' }).collect()).collect()
}

/// Reads the optional primer: one string per step of the chorus, `n_in` characters of 0 or 1.
fn read_primer(value: &Value, topology: &Topology, encoding: &Encoding) -> Result<Vec<f32>, ModelFileError> {
    let bad = |message: String| ModelFileError::new(ModelFileErrorKind::Field, "primer", message);
    let steps = (encoding.steps_per_bar as usize).saturating_mul(encoding.bars_per_chorus as usize);
    let Some(rows) = value.as_array() else { return Err(bad("expected a list of strings".to_string())) };
    if rows.len() != steps {
        return Err(bad(format!("expected {steps} steps, found {}", rows.len())));
    }
    let mut units = Vec::with_capacity(steps * topology.n_in());
    for (i, row) in rows.iter().enumerate() {
        let text = row.as_str().unwrap_or_default();
        if text.len() != topology.n_in() || !text.bytes().all(|b| b == b'0' || b == b'1') {
            return Err(bad(format!("step {}: expected {} characters of 0 or 1, found {row}", i + 1, topology.n_in())));
        }
        units.extend(text.bytes().map(|b| f32::from(b == b'1')));
    }
    Ok(units)
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

fn check_version(v: &Value) -> Result<(), ModelFileError> {
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
    if major != FORMAT_MAJOR {
        return Err(ModelFileError::new(
            K::Version,
            "version",
            format!("{text} is not readable: this build reads {FORMAT_MAJOR}.x.y files"),
        ));
    }
    if minor > FORMAT_MINOR {
        return Err(ModelFileError::new(
            K::Version,
            "version",
            format!("{text} is newer than this build reads (up to {FORMAT_MAJOR}.{FORMAT_MINOR}.x): update the plugin"),
        ));
    }
    Ok(())
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
        let Some(t) = obj.get(spec.name) else {
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
        weights.insert(spec.name.to_string(), Tensor { shape, values: out });
    }
    if let Some(extra) = obj.keys().find(|k| !specs.iter().any(|s| s.name == k.as_str())) {
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
    use ModelFileErrorKind as K;

    fn encoding() -> Encoding {
        Encoding { chord_low: 48, melody_low: 60, steps_per_bar: 8, bars_per_chorus: 12 }
    }

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
        }
    }

    fn random_model(topology: Topology) -> Model {
        let mut model = Model::zeros(topology, encoding(), metadata());
        let mut rng = Rng::new(1);
        for t in model.weights.values_mut() {
            for v in &mut t.values {
                *v = rng.uniform(-3.0, 3.0) * 1e-3f32.powi(rng.below(3) as i32);
            }
        }
        model
    }

    /// The JSON of a valid model, edited by `edit`, then loaded.
    fn load_edited(edit: impl FnOnce(&mut Map<String, Value>)) -> Result<Model, ModelFileError> {
        let mut doc: Value = serde_json::from_str(&random_model(Topology::exp2()).to_json()).unwrap();
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
        for t in [Topology::exp1(), Topology::exp2()] {
            let model = random_model(t);
            let back = Model::from_json(&model.to_json()).unwrap();
            assert_eq!(back, model);
        }
        let dir = std::env::temp_dir().join(format!("blues_lstm_rt_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.json");
        let model = random_model(Topology::exp2());
        model.save(&path).unwrap();
        assert_eq!(Model::load(&path).unwrap(), model);
        std::fs::remove_dir_all(&dir).unwrap();
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
            expect(K::MissingKey, key, load_edited(|o| drop(o.remove(key))));
        }
    }

    #[test]
    fn wrong_format_is_refused() {
        expect(K::Format, "format", load_edited(|o| drop(o.insert("format".into(), "nam".into()))));
    }

    #[test]
    fn versions_follow_semver() {
        let with = |v: &str| {
            let v = v.to_string();
            load_edited(move |o| drop(o.insert("version".into(), v.into())))
        };
        assert!(with("1.0.7").is_ok(), "a newer patch loads");
        expect(K::Version, "version", with("2.0.0"));
        expect(K::Version, "version", with("0.9.0"));
        let m = expect(K::Version, "version", with("1.1.0"));
        assert!(m.contains("newer"), "{m}");
        expect(K::Version, "version", with("1.0"));
        expect(K::Version, "version", load_edited(|o| drop(o.insert("version".into(), 1.into()))));
    }

    #[test]
    fn invalid_topology_is_refused() {
        expect(K::Topology, "topology", load_edited(|o| o["topology"]["cells_per_block"] = 0.into()));
        expect(
            K::Topology,
            "topology",
            load_edited(|o| drop(o["topology"].as_object_mut().unwrap().remove("n_chord"))),
        );
    }

    #[test]
    fn bad_encoding_or_metadata_is_refused() {
        expect(K::Field, "encoding", load_edited(|o| o["encoding"]["chord_low"] = 300.into()));
        expect(K::Field, "metadata", load_edited(|o| drop(o["metadata"].as_object_mut().unwrap().remove("seed"))));
    }

    #[test]
    fn tensor_problems_name_the_tensor() {
        let m = expect(
            K::Tensor,
            "weights.melody_gates",
            load_edited(|o| {
                let t = o["weights"]["melody_gates"].as_object_mut().unwrap();
                t.insert("shape".into(), serde_json::json!([20, 30]));
                t["values"].as_array_mut().unwrap().pop();
            }),
        );
        assert_eq!(m, "weights.melody_gates: expected 600 values, found 599");
        expect(
            K::Tensor,
            "weights.chord_out",
            load_edited(|o| drop(o["weights"].as_object_mut().unwrap().remove("chord_out"))),
        );
        expect(
            K::Tensor,
            "weights.chord_out",
            load_edited(|o| o["weights"]["chord_out"]["shape"] = serde_json::json!([21, 12])),
        );
        expect(
            K::Tensor,
            "weights.chord_gates",
            load_edited(|o| o["weights"]["chord_gates"]["values"][3] = "x".into()),
        );
        // 1e39 parses as f64 but overflows f32.
        let text = random_model(Topology::exp1()).to_json();
        let pos = text.find("\"values\": [").unwrap() + "\"values\": [".len();
        let bad = format!("{}1e39,{}", &text[..pos], &text[text[pos..].find(',').unwrap() + pos + 1..]);
        let e = Model::from_json(&bad).unwrap_err();
        assert_eq!(e.kind, K::Tensor, "{e}");
    }

    #[test]
    fn unknown_tensors_are_refused() {
        expect(
            K::UnknownTensor,
            "weights.peepholes",
            load_edited(|o| {
                o["weights"]["peepholes"] = serde_json::json!({"shape": [1, 1], "values": [0.0]});
            }),
        );
        // An Exp 2 tensor in an Exp 1 file is unknown there.
        let mut doc: Value = serde_json::from_str(&random_model(Topology::exp1()).to_json()).unwrap();
        let exp2: Value = serde_json::from_str(&random_model(Topology::exp2()).to_json()).unwrap();
        doc["weights"]["melody_out"] = exp2["weights"]["melody_out"].clone();
        let e = Model::from_json(&doc.to_string()).unwrap_err();
        assert_eq!((e.kind, e.field.as_str()), (K::UnknownTensor, "weights.melody_out"));
    }
}
