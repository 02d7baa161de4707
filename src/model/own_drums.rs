//! The drummer learns from its own playing: once a band is trained, its drum group alone is
//! trained on, hearing in runs the kit it drew itself (`lstm::own_lines`), while every other
//! group stays exactly as it was (the melody, bass and comping are not taught; the chords run,
//! since the drums hear them, and learn nothing). Nothing else hears the drums, and each lane
//! takes one draw whatever it draws, so every other part of the band plays note for note as
//! before. Trainer thread or CLI.
//!
//! Why: taught only its corpus, the default band's drummer crashed on bar 1 in a third of its
//! choruses against the corpus's three in four. Fed the corpus's drums, it gave the crash the
//! corpus's 0.78; fed its own fill in bar 12 (its lanes drawn each on its own, at the
//! drummer's low temperature, make a bar the corpus never played), 0.43.

use super::fine_tune::group_of;
use super::Model;
use crate::engine::improviser::RHYTHM_TEMPERATURE;
use crate::lstm::own_lines::OwnLines;
use crate::lstm::trainer::{Progress, TrainConfig, TrainError};
use crate::lstm::FineTune;
use crate::music::corpus::Corpus;
use crate::music::drums::PIECES;
use crate::music::encoding::Encoding;
use crate::music::part::Part;
use crate::music::training_set::EncodedCorpus;
use std::sync::atomic::AtomicBool;

/// How the drummer hears itself: half of its steps, in runs of a bar on average, at the
/// temperature it plays at; taught the corpus's next frame even after its own (the corpus starts
/// each section's pattern whatever the bar before it played). `None` without a drummer.
pub fn own_kit(encoding: &Encoding) -> Option<OwnLines> {
    let group = encoding.readout_parts().position(|p| p == Part::Drums)?;
    Some(OwnLines {
        group,
        span: PIECES,
        share: 0.5,
        run_steps: 8.0,
        given: None,
        teach_heard: true,
        temperature: RHYTHM_TEMPERATURE,
    })
}

/// How the drum pass trains, from `seed`: the band's own settings, a gentler rate (its weights
/// already play), and the loss's plateau over a shorter window.
pub fn drum_pass_config(band: &TrainConfig, encoding: &Encoding, seed: u64) -> TrainConfig {
    TrainConfig {
        seed,
        learning_rate: 0.01,
        plateau_window: 100,
        max_epochs: 3000,
        own_lines: own_kit(encoding),
        ..band.clone()
    }
}

/// `model`'s drummer trained on, hearing itself, on `corpus` with `config` (the other groups
/// as they were). An error for a model without a drummer.
pub fn drummer_hears_itself(
    model: &Model,
    corpus: &Corpus,
    config: &TrainConfig,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &AtomicBool,
) -> Result<Model, TrainError> {
    let encoding = model.encoding;
    if !encoding.has(Part::Drums) {
        return Err(TrainError::InvalidSetup("the model has no drummer".to_string()));
    }
    let kept: Vec<usize> =
        [Part::Melody, Part::Bass, Part::Comp].into_iter().filter_map(|p| group_of(&encoding, p)).collect();
    let set = EncodedCorpus::new(corpus, encoding);
    let from = FineTune { from: &model.weights, kept: &kept, frozen: &[0] };
    let (weights, trained) = crate::lstm::train_lstm(
        &model.weights.topology,
        &set,
        &encoding.readout(),
        config,
        Some(from),
        on_progress,
        cancel,
    )?;
    let mut out = model.clone();
    out.weights = weights;
    out.metadata.epochs += trained.epochs;
    out.metadata.train_seconds += trained.seconds;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builtin::builtin;

    #[test]
    fn the_drummer_learns_alone_and_every_other_part_keeps_its_weights() {
        let band = builtin("eight-bar-blues").unwrap();
        let model = band.model().unwrap();
        // A short pass: a loose plateau after a few dozen updates.
        let config = TrainConfig {
            plateau_window: 10,
            plateau_tolerance: 1.0,
            check_every: 10,
            ..band.drum_pass(&band.recipe(band.seed).config, band.seed).expect("a band's drummer learns")
        };
        let heard = config.own_lines.unwrap();
        assert_eq!((heard.span, heard.teach_heard, heard.temperature), (PIECES, true, RHYTHM_TEMPERATURE));
        let passed =
            drummer_hears_itself(model, &band.corpus(), &config, &mut |_| {}, &AtomicBool::new(false)).unwrap();
        assert!(passed.metadata.epochs > model.metadata.epochs);
        for (name, tensor) in &model.weights.tensors {
            let after = &passed.weights.tensors[name];
            if name.starts_with("drums") {
                assert_ne!(after, tensor, "{name}: the drummer learns");
            } else {
                assert_eq!(after, tensor, "{name}: every other part stays as it was");
            }
        }
        let no_drums = builtin("paper-exp2").unwrap();
        assert!(no_drums.drum_pass(&config, 1).is_none());
        let err = drummer_hears_itself(
            no_drums.model().unwrap(),
            &no_drums.corpus(),
            &config,
            &mut |_| {},
            &AtomicBool::new(false),
        );
        assert!(matches!(err, Err(TrainError::InvalidSetup(_))));
    }
}
