//! Which model a command plays: `--model builtin:ID` (the default: the first built-in) or
//! `--model FILE.json`, with the corpus it is measured against and auditions (its style's; for a
//! file, the built-in style its metadata says it learned, or `--style ID`; a model of the user's
//! own choruses does not carry them, and the command says so).

use super::args::Args;
use blues_lstm::lstm::training_set::corpus_hash;
use blues_lstm::model::builtin::{builtin, default_builtin, BUILTINS};
use blues_lstm::model::Model;
use blues_lstm::music::corpus::Corpus;
use blues_lstm::music::style::{builtin_style, builtin_styles, Style};
use blues_lstm::music::training_set::EncodedCorpus;

/// A model to play and its corpus.
pub struct Chosen {
    pub model: Model,
    pub corpus: Corpus,
    /// For people: "built-in Paper Exp 2" or the file's name.
    pub name: String,
}

/// The names `--model builtin:ID` takes, for error messages and `blues-lstm models`.
pub fn builtin_ids() -> String {
    BUILTINS.iter().map(|b| b.id).collect::<Vec<_>>().join(", ")
}

/// The ids `--style` takes, for error messages.
pub fn style_ids() -> String {
    builtin_styles().iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
}

/// The model and corpus the flags ask for.
pub fn chosen(a: &Args) -> Result<Chosen, String> {
    let spec = a.value("model")?.unwrap_or("");
    if spec.is_empty() || spec.starts_with("builtin:") {
        let id = spec.strip_prefix("builtin:").unwrap_or(default_builtin().id);
        let b = builtin(id).ok_or_else(|| {
            a.mistake(format!("--model builtin:{id}: no such built-in model (there are: {})", builtin_ids()))
        })?;
        if let Some(other) = a.value("style")? {
            return Err(a.mistake(match builtin_style(other) {
                None => format!("--style {other}: no such style ({})", style_ids()),
                Some(_) => format!(
                    "--style {other}: a built-in model plays its own style's corpus; --style names the corpus of a model file"
                ),
            }));
        }
        let model = b.model().ok_or_else(|| format!("the built-in model {id} is missing from this build"))?.clone();
        return Ok(Chosen { model, corpus: b.corpus(), name: format!("built-in {}", b.name) });
    }
    let path = std::path::PathBuf::from(spec);
    let model = Model::load(&path).map_err(|e| e.to_string())?;
    let form = model.encoding.form();
    let style = match a.value("style")? {
        Some(id) => builtin_style(id).ok_or_else(|| a.mistake(format!("--style {id}: no such style ({})", style_ids())))?,
        None => learned_style(&model).ok_or_else(|| {
            format!(
                "{}: it was trained on \"{}\", which the file does not carry; name a built-in style's corpus to measure and audition it against with --style ID ({})",
                path.display(),
                model.metadata.corpus,
                style_ids()
            )
        })?,
    };
    if style.form() != form {
        return Err(format!("--style {}: its form has {} bars, the model's {}", style.id, style.bars, form.bars));
    }
    Ok(Chosen { name: model.metadata.name.clone(), model, corpus: Corpus::of_style(style) })
}

/// The chart band `--model FILE.json` names, if the file holds one (a user's, taught their lines
/// over their chart: `train --corpus … --chart`): it plays over a chart, and has no form or
/// corpus of its own to measure or audition.
pub fn taught_chart_band(a: &Args) -> Result<Option<Model>, String> {
    match a.value("model")? {
        Some(spec) if !spec.is_empty() && !spec.starts_with("builtin:") => {
            let model = Model::load(std::path::Path::new(spec)).map_err(|e| e.to_string())?;
            Ok(model.encoding.context.given_chord.then_some(model))
        }
        _ => Ok(None),
    }
}

/// The default built-in band and its corpus.
pub fn default_band() -> Result<Chosen, String> {
    let b = default_builtin();
    let model = b.model().ok_or_else(|| format!("the built-in model {} is missing from this build", b.id))?.clone();
    Ok(Chosen { model, corpus: b.corpus(), name: format!("built-in {}", b.name) })
}

/// The built-in style a model file was trained on, as its metadata says: the fingerprint of
/// its training data is that style's corpus's, or the corpus it describes is that style's (with
/// or without the user's choruses), of the model's form.
fn learned_style(model: &Model) -> Option<&'static Style> {
    let same_form = || builtin_styles().iter().filter(|s| s.form() == model.encoding.form());
    let fingerprint = |s: &'static Style| {
        let corpus = Corpus::of_style(s);
        corpus_hash(&EncodedCorpus::new(&corpus, model.encoding))
    };
    same_form().find(|s| fingerprint(s) == model.metadata.corpus_hash).or_else(|| {
        same_form()
            .filter(|s| model.metadata.corpus.starts_with(&format!("{} (", s.title)))
            .max_by_key(|s| s.title.len())
    })
}

/// `blues-lstm models`: the built-in models and their styles.
pub fn list() -> Result<(), String> {
    for b in &BUILTINS {
        let style = b.style();
        let trained = b.model().map_or("missing".to_string(), |m| {
            format!("{} epochs, {:.1} s", m.metadata.epochs, m.metadata.train_seconds)
        });
        println!("builtin:{:<22} {:<28} {} ({} bars; {trained})", b.id, b.name, style.title, style.bars);
    }
    Ok(())
}
