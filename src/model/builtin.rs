//! The models compiled into the plugin, one per built-in style, each trained by `blues-lstm
//! train --builtin ID` on its style's corpus and committed under `models/`; tests check they
//! still play their form. The `style` parameter chooses among them. Any non-audio thread.

use super::{Model, Recipe};
use crate::lstm::trainer::TrainConfig;
use crate::music::corpus::Corpus;
use crate::music::encoding::Encoding;
use crate::music::style::{builtin_style, Style};
use std::sync::OnceLock;

/// A built-in model: what it is called, which style's corpus it learned, and how it is made.
#[derive(Debug)]
pub struct Builtin {
    /// Stable: saved in projects, typed in the CLI (`--model builtin:ID`).
    pub id: &'static str,
    /// For people, in the editor and the CLI's list.
    pub name: &'static str,
    /// The style whose corpus it learned (and auditions).
    pub style: &'static str,
    /// The model file, compiled in.
    json: &'static str,
    /// The blocks of each group (chords first), and the encoding it speaks.
    blocks: &'static [usize],
    encoding: Encoding,
}

/// The built-in models, the default first.
pub static BUILTINS: [Builtin; 2] = [
    Builtin {
        id: "paper-exp2",
        name: "Paper Exp 2",
        style: "paper-blues",
        json: include_str!("../../models/exp2.json"),
        blocks: &[4, 4],
        encoding: Encoding::paper(),
    },
    Builtin {
        id: "paper-exp1",
        name: "Paper Exp 1 (chords only)",
        style: "paper-blues",
        json: include_str!("../../models/exp1.json"),
        blocks: &[4],
        encoding: Encoding::paper_chords_only(),
    },
];

/// The built-in model `id`.
pub fn builtin(id: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.id == id)
}

/// The default model: the first.
pub fn default_builtin() -> &'static Builtin {
    &BUILTINS[0]
}

impl Builtin {
    /// Its model, parsed once. `None` only if the build embedded a broken file (a test guards
    /// against that); the plugin then auditions the corpus instead of failing.
    pub fn model(&'static self) -> Option<&'static Model> {
        static MODELS: [OnceLock<Option<Model>>; BUILTINS.len()] = [const { OnceLock::new() }; BUILTINS.len()];
        let index = BUILTINS.iter().position(|b| std::ptr::eq(b, self))?;
        MODELS[index].get_or_init(|| Model::from_json(self.json).ok()).as_ref()
    }

    /// The style it learned.
    pub fn style(&self) -> &'static Style {
        builtin_style(self.style).unwrap_or_else(|| panic!("built-in model {} names no style {}", self.id, self.style))
    }

    /// The corpus it learned.
    pub fn corpus(&self) -> Corpus {
        Corpus::of_style(self.style())
    }

    /// How `blues-lstm train --builtin ID` makes it, from `seed`.
    pub fn recipe(&self, seed: u64) -> Recipe {
        Recipe {
            encoding: self.encoding,
            blocks: self.blocks.to_vec(),
            cells_per_block: 2,
            config: TrainConfig::seeded(seed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads_with_its_recipes_encoding_and_style() {
        for b in &BUILTINS {
            let model = b.model().unwrap_or_else(|| panic!("{} does not load", b.id));
            let recipe = b.recipe(1);
            assert_eq!(model.encoding, recipe.encoding, "{}", b.id);
            assert_eq!(
                model.weights.topology,
                recipe.encoding.topology(&recipe.blocks, recipe.cells_per_block),
                "{}",
                b.id
            );
            assert_eq!(b.style().form(), model.encoding.form(), "{}", b.id);
            assert_eq!(model.primer.len(), model.encoding.steps_per_chorus(), "{} keeps its primer", b.id);
        }
        assert_eq!(default_builtin().id, BUILTINS[0].id);
        assert!(builtin("paper-exp1").is_some() && builtin("nope").is_none());
    }
}
