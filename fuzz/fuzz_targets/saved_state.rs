//! Saved project state from anywhere (a damaged file, another version): restoring the corpus and
//! the model must never panic, and saving again must give text that restores to the same.
#![no_main]

use blues_lstm::engine::handoff::Handoff;
use blues_lstm::project::Project;
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let project = Project::new(Arc::new(Handoff::default()), Arc::default());
    let (corpus, model) = text.split_once('\u{1}').unwrap_or((&text, ""));
    project.load_corpus_json(corpus);
    project.load_model_json(model);
    let (corpus_again, model_again) = (project.corpus_json(), project.model_json());
    let again = Project::new(Arc::new(Handoff::default()), Arc::default());
    again.load_corpus_json(&corpus_again);
    again.load_model_json(&model_again);
    assert_eq!(again.corpus_json(), corpus_again, "save → load → save changed the corpus");
    assert_eq!(again.model_json(), model_again, "save → load → save changed the model");
});
