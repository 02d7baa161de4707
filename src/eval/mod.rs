//! Evaluation: how well generated choruses keep the form, fit the harmony, differ from the
//! corpus and carry structure across a whole chorus, for the LSTM and for the baselines the
//! paper argues against. Plain Rust (no plugin framework): the CLI thread of
//! `blues-lstm eval`, and tests.
//!
//! Every generator is measured the same way ([`metrics`]), on a free-running stream of whole
//! choruses from bar 1, against the built-in form and the built-in corpus:
//! - the LSTM: the plugin's own [`Improviser`], starting on the model's first primer frame, then
//!   fed its own output (chords thresholded at 0.5, melody drawn at temperature T, no steering);
//! - (a) a vanilla tanh RNN of about the paper's Exp 2 weight count ([`rnn`]), trained on the
//!   built-in corpus by the LSTM trainer's BPTT settings, stop rule and cap on epochs, and
//!   played by the same rule;
//! - (b) a third-order Markov chain over whole frames with back-off ([`markov`]);
//! - (c) a random walk on the pentatonic scale over the form's chords ([`random_walk`]);
//! - and, for reference, corpus choruses themselves in a seeded order.

pub mod markov;
pub mod metrics;
pub mod picture;
pub mod random_walk;
pub mod rnn;
pub mod table;

pub use metrics::{evaluate, Reference, Report};
pub use table::Row;

use crate::engine::audition::mix;
use crate::engine::improviser::Improviser;
use crate::engine::steering::SteerInput;
use crate::lstm::model_file::Model;
use crate::lstm::rng::Rng;
use crate::lstm::topology::Topology;
use crate::lstm::train::TrainConfig;
use crate::models::primer_of;
use crate::music::corpus::{builtin_form_masks, Corpus};
use crate::music::encoding::{Frame, N_UNITS, STEPS_PER_CHORUS};
use markov::Markov;
use rnn::{first_frame, train_rnn, RnnShape};

/// A generator's free run, before it is measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Played {
    /// For file names and machines: "lstm", "rnn", "markov", "random-walk", "corpus".
    pub key: &'static str,
    /// Column heading, e.g. "Paper Exp 2" or "Markov-3".
    pub name: String,
    /// What it is and how it was trained, in a few words.
    pub detail: String,
    /// Whole choruses from bar 1.
    pub frames: Vec<Frame>,
}

impl Played {
    /// The measures of the run.
    pub fn row(&self, reference: &Reference) -> Row {
        let report = evaluate(&self.frames, reference);
        Row { key: self.key.to_string(), name: self.name.clone(), detail: self.detail.clone(), report }
    }
}

/// The model's free run: `choruses` choruses from bar 1 through the plugin's improviser.
pub fn lstm_frames(model: &Model, choruses: usize, seed: u64, temperature: f32) -> Result<Vec<Frame>, String> {
    let mut improviser = Improviser::new(model, primer_of(model))?;
    let steps = (choruses * STEPS_PER_CHORUS) as i64;
    Ok((0..steps).map(|step| improviser.frame(step, seed, SteerInput::default(), temperature)).collect())
}

/// `choruses` corpus choruses, each picked at random (seeded) from the whole corpus.
pub fn corpus_frames(corpus: &Corpus, choruses: usize, seed: u64) -> Vec<Frame> {
    let mut rng = Rng::new(seed);
    (0..choruses).flat_map(|_| corpus.chorus(rng.below(corpus.len()))).collect()
}

/// The free run of `model`, with where it came from.
pub fn play_model(model: &Model, choruses: usize, seed: u64, temperature: f32) -> Result<Played, String> {
    let m = &model.metadata;
    Ok(Played {
        key: "lstm",
        name: if m.name.is_empty() { "LSTM".to_string() } else { m.name.clone() },
        detail: format!(
            "LSTM, {} weights; {} epochs, {:.1} s, loss {:.3}",
            model.topology.n_params(),
            m.epochs,
            m.train_seconds,
            m.final_loss
        ),
        frames: lstm_frames(model, choruses, seed, temperature)?,
    })
}

/// What `eval --compare` runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareConfig {
    /// Choruses each generator plays.
    pub choruses: usize,
    /// Seeds every generator and the RNN's training.
    pub seed: u64,
    /// Melody temperature of the two networks (the tables draw whole frames at T = 1).
    pub temperature: f32,
    /// The vanilla RNN's cap on training epochs (it stops earlier if it meets the LSTM's stop
    /// rule).
    pub rnn_epochs: u32,
}

impl CompareConfig {
    /// The LSTM trainer's own cap on epochs.
    pub fn default_rnn_epochs() -> u32 {
        TrainConfig::default().max_epochs
    }
}

/// Trains the baselines on the built-in corpus and plays them beside `model`, in the order
/// LSTM, vanilla RNN, Markov chain, random walk, corpus. `log` hears about the slow parts.
pub fn compare(model: &Model, config: &CompareConfig, log: &mut dyn FnMut(&str)) -> Result<Vec<Played>, String> {
    if model.topology.n_in() != N_UNITS {
        return Err("--compare needs a model that plays chords and melody (Exp 2)".to_string());
    }
    let corpus = Corpus::builtin();
    let (n, seed) = (config.choruses, config.seed);
    let mut played = vec![play_model(model, n, seed, config.temperature)?];

    let shape = RnnShape::matching(N_UNITS, Topology::exp2().n_params());
    let train_config =
        TrainConfig { max_epochs: config.rnn_epochs, ..TrainConfig::for_topology(Topology::exp2(), seed) };
    log(&format!(
        "training the vanilla RNN ({} weights, {} tanh units) for at most {} epochs",
        shape.n_params(),
        shape.hidden,
        config.rnn_epochs
    ));
    let started = std::time::Instant::now();
    let mut last_log = 0.0;
    let mut on_epoch = |epoch: u32, loss: f32| {
        let t = started.elapsed().as_secs_f32();
        if t - last_log >= 10.0 {
            log(&format!("  epoch {epoch:6}  loss {loss:.4}  {t:.0} s"));
            last_log = t;
        }
    };
    let trained = train_rnn(&corpus, shape, &train_config, &mut on_epoch);
    let start = first_frame(&corpus, Rng::new(mix(seed, 1)).below(corpus.len()));
    let mut rnn = trained.rnn;
    let stop = if trained.converged {
        "met the LSTM's stop rule".to_string()
    } else {
        format!("never met the LSTM's stop rule (best check {}/{})", trained.best_check, train_config.check_choruses)
    };
    played.push(Played {
        key: "rnn",
        name: "vanilla RNN".to_string(),
        detail: format!(
            "tanh RNN, {} weights ({} units); same BPTT, {} epochs, {:.1} s, loss {:.3}; {stop}",
            shape.n_params(),
            shape.hidden,
            trained.epochs,
            trained.seconds,
            trained.final_loss
        ),
        frames: rnn.generate(start, n, config.temperature, &mut Rng::new(mix(seed, 2))),
    });

    let chain = Markov::train(&corpus, markov::ORDER);
    played.push(Played {
        key: "markov",
        name: "Markov-3".to_string(),
        detail: format!("frames, order {} with back-off; {} contexts", markov::ORDER, chain.contexts()),
        frames: chain.generate(&corpus, n, mix(seed, 3)),
    });
    played.push(Played {
        key: "random-walk",
        name: "random walk".to_string(),
        detail: "pentatonic, ±1 degree per quarter note; chords given".to_string(),
        frames: random_walk::random_walk(&builtin_form_masks(), n, mix(seed, 4)),
    });
    played.push(Played {
        key: "corpus",
        name: "corpus".to_string(),
        detail: format!("{} built-in choruses, picked at random", corpus.len()),
        frames: corpus_frames(&corpus, n, mix(seed, 5)),
    });
    Ok(played)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::model_file::Metadata;

    fn metadata() -> Metadata {
        Metadata {
            name: String::new(),
            corpus: String::new(),
            corpus_hash: String::new(),
            seed: 0,
            epochs: 0,
            final_loss: 0.0,
            train_seconds: 0.0,
            chord_check_choruses: 0,
        }
    }

    #[test]
    fn lstm_frames_are_a_reproducible_free_run_from_bar_one() {
        // Untrained weights are enough to check the plumbing: 0 weights, outputs all 0.5.
        let model = Model::zeros(Topology::exp2(), crate::models::encoding(), metadata());
        let a = lstm_frames(&model, 2, 7, 1.0).unwrap();
        assert_eq!(a.len(), 2 * STEPS_PER_CHORUS);
        assert_eq!(a[0], primer_of(&model)[0]);
        assert_eq!(a, lstm_frames(&model, 2, 7, 1.0).unwrap());
        let chords_only = Model::zeros(Topology::exp1(), crate::models::encoding(), metadata());
        let r = play_model(&chords_only, 1, 1, 1.0).unwrap().row(&Reference::builtin());
        assert_eq!(r.report.in_scale, None);
        let err = compare(
            &chords_only,
            &CompareConfig { choruses: 1, seed: 1, temperature: 1.0, rnn_epochs: 1 },
            &mut |_| {},
        );
        assert!(err.unwrap_err().contains("Exp 2"));
    }
}
