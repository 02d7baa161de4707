//! The embedded models, compiled into the plugin: the paper's Experiment 2 (chords and melody,
//! the default) and Experiment 1 (chords only). Both are trained by `blues-lstm train` and
//! committed under `models/`; tests check they still play the form. Any non-audio thread.

use crate::engine::improviser::Improviser;
use crate::lstm::model_file::Model;
use crate::music::corpus::{builtin_chorus, Chorus};
use crate::music::encoding::{Frame, N_CHORD, STEPS_PER_CHORUS};
use std::sync::OnceLock;

/// The default model: Exp 2, 4 chord + 4 melody blocks of 2 cells.
pub const EXP2_JSON: &str = include_str!("../models/exp2.json");
/// The chords-only model: Exp 1, 4 blocks of 2 cells.
pub const EXP1_JSON: &str = include_str!("../models/exp1.json");

/// The plugin's encoding, as model files record it.
pub use crate::music::training_set::encoding;

/// The embedded Exp 2 model, parsed once. `None` only if the build embedded a broken file (a
/// test guards against that); the plugin then auditions the corpus instead of failing.
pub fn builtin_model() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL.get_or_init(|| Model::from_json(EXP2_JSON).ok()).as_ref()
}

/// The embedded Exp 1 model, parsed once.
pub fn builtin_chords_model() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL.get_or_init(|| Model::from_json(EXP1_JSON).ok()).as_ref()
}

/// A real-time improviser for the embedded Exp 2 model.
pub fn builtin_improviser() -> Option<Improviser> {
    builtin_model().and_then(|model| Improviser::new(model, primer_of(model)).ok())
}

/// The chorus that primes a model after a jump: the training chorus the model file keeps,
/// decoded into frames, or the first built-in chorus for a model that keeps none.
pub fn primer_of(model: &Model) -> Chorus {
    let n_in = model.topology.n_in();
    if n_in == 0 || model.primer.len() != n_in * STEPS_PER_CHORUS {
        return builtin_chorus(0);
    }
    let mut chorus = [Frame::default(); STEPS_PER_CHORUS];
    for (frame, step) in chorus.iter_mut().zip(model.primer.chunks_exact(n_in)) {
        frame.chord = (0..N_CHORD.min(n_in)).filter(|&i| step[i] > 0.5).fold(0, |m, i| m | 1 << i);
        frame.melody = (N_CHORD..n_in).find(|&i| step[i] > 0.5).map(|i| (i - N_CHORD) as u8);
    }
    chorus
}
