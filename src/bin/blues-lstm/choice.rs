//! Which model a command plays: `--model builtin:ID` (the default: the first built-in) or
//! `--model FILE.json`, with the corpus it is measured against and auditions (its style's; for a
//! file, `--style ID` or the built-in style of its form).

use super::args::Args;
use blues_lstm::model::builtin::{builtin, default_builtin, BUILTINS};
use blues_lstm::model::Model;
use blues_lstm::music::corpus::Corpus;
use blues_lstm::music::style::{builtin_style, builtin_styles};

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

/// The model and corpus the flags ask for.
pub fn chosen(a: &Args) -> Result<Chosen, String> {
    let spec = a.value("model")?.unwrap_or("");
    if spec.is_empty() || spec.starts_with("builtin:") {
        let id = spec.strip_prefix("builtin:").unwrap_or(default_builtin().id);
        let b = builtin(id)
            .ok_or_else(|| format!("--model builtin:{id}: no such built-in model (there are: {})", builtin_ids()))?;
        let model = b.model().ok_or_else(|| format!("the built-in model {id} is missing from this build"))?.clone();
        return Ok(Chosen { model, corpus: b.corpus(), name: format!("built-in {}", b.name) });
    }
    let path = std::path::PathBuf::from(spec);
    let model = Model::load(&path).map_err(|e| e.to_string())?;
    let form = model.encoding.form();
    let style = match a.value("style")? {
        Some(id) => builtin_style(id).ok_or_else(|| format!("--style {id}: no such style"))?,
        None => {
            let default = default_builtin().style();
            let same_form = builtin_styles().iter().find(|s| s.form() == form);
            if default.form() == form {
                default
            } else {
                same_form.ok_or_else(|| {
                    format!("{}: no built-in style has its form of {} bars; pass --style ID", path.display(), form.bars)
                })?
            }
        }
    };
    if style.form() != form {
        return Err(format!("--style {}: its form has {} bars, the model's {}", style.id, style.bars, form.bars));
    }
    Ok(Chosen { name: model.metadata.name.clone(), model, corpus: Corpus::of_style(style) })
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
