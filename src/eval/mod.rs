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
//!
//! [`phrasing`] listens as a musician would (rests, note lengths, off-beat notes, the walking
//! bass, the comping rhythm), the model's run beside the corpus's.

pub mod answers;
pub mod intensity;
pub mod markov;
pub mod memory;
pub mod metrics;
pub mod over_chart;
pub mod phrasing;
pub mod picture;
pub mod random_walk;
pub mod rnn;
pub mod table;

pub use metrics::{evaluate, Reference, Report};
pub use table::Row;

use crate::engine::improviser::Improviser;
use crate::engine::intensity::Intensity;
use crate::engine::steering::SteerInput;
use crate::lstm::rng::{mix, Rng};
use crate::lstm::trainer::TrainConfig;
use crate::model::Model;
use crate::music::corpus::{chorus_count, Corpus};
use crate::music::encoding::{ContextLayout, Encoding, Form, Frame};
use crate::music::training_set::EncodedCorpus;
use markov::Markov;
use rnn::{train_rnn, RnnShape};

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

/// The model's free run: `choruses` choruses from bar 1 through the plugin's improviser,
/// primed by its own primer (or chorus 0 of `corpus`).
pub fn lstm_frames(
    model: &Model,
    corpus: &Corpus,
    choruses: usize,
    seed: u64,
    temperature: f32,
) -> Result<Vec<Frame>, String> {
    lstm_frames_at(model, corpus, choruses, seed, temperature, Intensity::default().level)
}

/// The same at intensity `level` (`engine::intensity`; a model without the unit ignores it).
pub fn lstm_frames_at(
    model: &Model,
    corpus: &Corpus,
    choruses: usize,
    seed: u64,
    temperature: f32,
    level: f32,
) -> Result<Vec<Frame>, String> {
    let mut improviser = Improviser::new(model, model.primer_or(corpus))?;
    improviser.set_intensity(level);
    let steps = (choruses * model.encoding.steps_per_chorus()) as i64;
    Ok((0..steps).map(|step| improviser.frame(step, seed, SteerInput::default(), temperature)).collect())
}

/// `choruses` corpus choruses, each picked at random (seeded) from the whole corpus.
pub fn corpus_frames(corpus: &Corpus, choruses: usize, seed: u64) -> Vec<Frame> {
    let mut rng = Rng::new(seed);
    (0..choruses).flat_map(|_| corpus.chorus(rng.below(corpus.len()))).collect()
}

/// The free run of `model`, with where it came from.
pub fn play_model(
    model: &Model,
    corpus: &Corpus,
    choruses: usize,
    seed: u64,
    temperature: f32,
) -> Result<Played, String> {
    let m = &model.metadata;
    Ok(Played {
        key: "lstm",
        name: if m.name.is_empty() { "LSTM".to_string() } else { m.name.clone() },
        detail: format!(
            "LSTM, {} weights; {} epochs, {:.1} s, loss {:.3}",
            model.weights.topology.n_params(),
            m.epochs,
            m.train_seconds,
            m.final_loss
        ),
        frames: lstm_frames(model, corpus, choruses, seed, temperature)?,
    })
}

/// What `eval --compare` runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareConfig {
    /// Choruses each generator plays.
    pub choruses: usize,
    /// Seeds every generator and the RNN's training.
    pub seed: u64,
    /// Temperature of the two networks' draws.
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

/// Trains the baselines on `corpus` (the model's) and plays them beside `model`, in the order
/// LSTM, vanilla RNN, Markov chain, random walk, corpus. `log` hears about the slow parts.
pub fn compare(
    model: &Model,
    corpus: &Corpus,
    config: &CompareConfig,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<Played>, String> {
    let encoding = model.encoding;
    // The baselines read the frames alone: the context (where the step falls in the bar) goes
    // to the LSTM's lines, never to its chords, so the form is compared on equal terms.
    let baseline = Encoding { context: ContextLayout::NONE, ..encoding };
    if encoding.melody.is_none() {
        return Err("--compare needs a model that plays a melody (Exp 2 or a band)".to_string());
    }
    if corpus.form != encoding.form() || corpus.is_empty() {
        return Err("--compare needs the choruses of the model's form".to_string());
    }
    let (n, seed) = (config.choruses, config.seed);
    let mut played = vec![play_model(model, corpus, n, seed, config.temperature)?];

    let shape = RnnShape::matching(baseline.n_units(), model.weights.topology.n_params());
    let train_config = TrainConfig { max_epochs: config.rnn_epochs, ..TrainConfig::seeded(seed) };
    log(&format!(
        "training the vanilla RNN ({} weights, {} tanh units) for at most {} epochs",
        shape.n_params(),
        shape.hidden,
        config.rnn_epochs
    ));
    let started = std::time::Instant::now();
    let mut last_log = 0.0;
    let mut on_progress = |p: &crate::lstm::trainer::Progress| {
        let t = started.elapsed().as_secs_f32();
        if t - last_log >= 10.0 {
            log(&format!("  epoch {:6}  loss {:.4}  {t:.0} s", p.epoch, p.loss));
            last_log = t;
        }
    };
    let set = EncodedCorpus::new(corpus, baseline);
    let (mut rnn, trained) = train_rnn(&set, &baseline.readout(), shape, &train_config, &mut on_progress)
        .map_err(|e| format!("the vanilla RNN: {e}"))?;
    let start = corpus.chorus(Rng::new(mix(seed, 1)).below(corpus.len()))[0];
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
        frames: rnn.generate(start, &baseline, n, config.temperature, &mut Rng::new(mix(seed, 2))),
    });

    let chain = Markov::train(corpus, markov::ORDER, &encoding);
    played.push(Played {
        key: "markov",
        name: "Markov-3".to_string(),
        detail: format!("frames, order {} with back-off; {} contexts", markov::ORDER, chain.contexts()),
        frames: chain.generate(corpus, n, mix(seed, 3)),
    });
    let form: Vec<u16> = Reference::new(corpus).form;
    played.push(Played {
        key: "random-walk",
        name: "random walk".to_string(),
        detail: "pentatonic, ±1 degree per quarter note; chords given".to_string(),
        frames: random_walk::random_walk(&form, n, mix(seed, 4)),
    });
    played.push(Played {
        key: "corpus",
        name: "corpus".to_string(),
        detail: format!("{} of the corpus, picked at random", chorus_count(corpus.len())),
        frames: corpus_frames(corpus, n, mix(seed, 5)),
    });
    Ok(played)
}

/// The form of a run: the model's.
pub fn form_of(model: &Model) -> Form {
    model.encoding.form()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::weights::Weights;
    use crate::model::Metadata;
    use crate::music::encoding::Encoding;
    use crate::music::style::builtin_style;

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
            started_from: String::new(),
            kept_parts: Vec::new(),
        }
    }

    fn untrained(encoding: Encoding, blocks: &[usize]) -> Model {
        Model {
            weights: Weights::zeros(encoding.topology(blocks, 2)),
            encoding,
            metadata: metadata(),
            primer: Vec::new(),
        }
    }

    #[test]
    fn lstm_frames_are_a_reproducible_free_run_from_bar_one() {
        // Untrained weights are enough to check the plumbing: 0 weights, outputs all 0.5.
        let corpus = Corpus::of_style(builtin_style("paper-blues").unwrap());
        let model = untrained(Encoding::paper(), &[4, 4]);
        let a = lstm_frames(&model, &corpus, 2, 7, 1.0).unwrap();
        assert_eq!(a.len(), 2 * 96);
        assert_eq!(a[0], corpus.chorus(0)[0]);
        assert_eq!(a, lstm_frames(&model, &corpus, 2, 7, 1.0).unwrap());
        let chords_only = untrained(Encoding::paper_chords_only(), &[4]);
        let r = play_model(&chords_only, &corpus, 1, 1, 1.0).unwrap().row(&Reference::new(&corpus));
        assert_eq!(r.report.in_scale, None);
        let err = compare(
            &chords_only,
            &corpus,
            &CompareConfig { choruses: 1, seed: 1, temperature: 1.0, rnn_epochs: 1 },
            &mut |_| {},
        );
        assert!(err.unwrap_err().contains("melody"));
    }
}
