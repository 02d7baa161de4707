//! Where the memory runs out (the paper's open question, issue 15): for each built-in band's
//! form — 8, 12, 16 and 32 bars, 64 to 256 eighth-note steps a chorus — the first free-running
//! chorus whose chords leave the form, for the band's LSTM and for a vanilla tanh RNN of about
//! its weight count trained on the same corpus by the same BPTT. CLI thread.

use super::rnn::{train_rnn, RnnShape};
use super::{lstm_frames, Reference};
use crate::lstm::rng::{mix, Rng};
use crate::lstm::trainer::TrainConfig;
use crate::model::builtin::BUILTINS;
use crate::music::encoding::{ContextLayout, Encoding, Frame};
use crate::music::training_set::EncodedCorpus;

/// One form's row.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FormMemory {
    pub style: String,
    pub bars: usize,
    /// Steps a chorus: how far back the network must remember to know where it is.
    pub steps: usize,
    pub lstm_weights: usize,
    pub lstm_epochs: u32,
    /// First chorus (1-based) with a wrong chord, of `choruses`; `None`: the form held.
    pub lstm_first_break: Option<usize>,
    pub rnn_weights: usize,
    pub rnn_first_break: Option<usize>,
    pub rnn_epochs: u32,
    pub rnn_seconds: f32,
}

/// The first chorus of `frames` (1-based) with a chord off `form`.
fn first_break(frames: &[Frame], form: &[u16]) -> Option<usize> {
    frames.iter().enumerate().find(|(s, f)| f.chord != form[s % form.len()]).map(|(s, _)| s / form.len() + 1)
}

/// Measures every built-in band over `choruses` free-running choruses at `temperature`, each
/// RNN trained for at most `rnn_epochs` epochs — by default as many as that form's LSTM
/// trained for, the same budget. `log` hears about each form as it goes.
pub fn memory_by_form(
    choruses: usize,
    seed: u64,
    temperature: f32,
    rnn_epochs: Option<u32>,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<FormMemory>, String> {
    let mut rows = Vec::new();
    for builtin in BUILTINS.iter().filter(|b| b.style != "paper-blues") {
        let model = builtin.model().ok_or_else(|| format!("{} does not load", builtin.id))?;
        let corpus = builtin.corpus();
        let form = Reference::new(&corpus).form;
        let lstm = lstm_frames(model, &corpus, choruses, seed, temperature)?;
        let encoding = model.encoding;
        // The baselines read the frames alone: the context (where the step falls in the bar) goes
        // to the LSTM's lines, never to its chords, so the form is compared on equal terms.
        let baseline = Encoding { context: ContextLayout::NONE, ..encoding };
        let shape = RnnShape::matching(baseline.n_units(), model.weights.topology.n_params());
        let rnn_epochs = rnn_epochs.unwrap_or(model.metadata.epochs.max(1));
        log(&format!(
            "{}: training the vanilla RNN ({} weights) for at most {rnn_epochs} epochs",
            builtin.id,
            shape.n_params()
        ));
        let config = TrainConfig { max_epochs: rnn_epochs, ..TrainConfig::seeded(seed) };
        let set = EncodedCorpus::new(&corpus, baseline);
        let (mut rnn, trained) = train_rnn(&set, &baseline.readout(), shape, &config, &mut |_| {})
            .map_err(|e| format!("{}: the vanilla RNN: {e}", builtin.id))?;
        let start = corpus.chorus(Rng::new(mix(seed, 1)).below(corpus.len()))[0];
        let rnn_frames = rnn.generate(start, &baseline, choruses, temperature, &mut Rng::new(mix(seed, 2)));
        let row = FormMemory {
            style: builtin.name.to_string(),
            bars: encoding.bars,
            steps: encoding.steps_per_chorus(),
            lstm_weights: model.weights.topology.n_params(),
            lstm_epochs: model.metadata.epochs,
            lstm_first_break: first_break(&lstm, &form),
            rnn_weights: shape.n_params(),
            rnn_first_break: first_break(&rnn_frames, &form),
            rnn_epochs: trained.epochs,
            rnn_seconds: trained.seconds,
        };
        log(&format!("  LSTM first break {:?}, RNN first break {:?}", row.lstm_first_break, row.rnn_first_break));
        rows.push(row);
    }
    Ok(rows)
}

/// The rows as a Markdown table.
pub fn memory_table(rows: &[FormMemory], choruses: usize) -> String {
    let cell = |b: Option<usize>| b.map_or(format!("held all {choruses}"), |c| format!("chorus {c}"));
    let mut s = String::from(
        "| Form | Bars | Steps a chorus | LSTM (weights, epochs) | first break, LSTM | vanilla RNN (weights, epochs) | first break, RNN |\n| --- | ---: | ---: | ---: | --- | ---: | --- |\n",
    );
    for r in rows {
        s += &format!(
            "| {} | {} | {} | {} ({} epochs) | {} | {} ({} epochs, {:.0} s) | {} |\n",
            r.style,
            r.bars,
            r.steps,
            r.lstm_weights,
            r.lstm_epochs,
            cell(r.lstm_first_break),
            r.rnn_weights,
            r.rnn_epochs,
            r.rnn_seconds,
            cell(r.rnn_first_break)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_break_is_the_chorus_of_the_first_wrong_chord() {
        let form = [1u16, 2, 3, 4];
        let frame = |chord| Frame { chord, ..Frame::default() };
        let right: Vec<Frame> = (0..12).map(|s| frame(form[s % 4])).collect();
        assert_eq!(first_break(&right, &form), None);
        let mut wrong = right.clone();
        wrong[9] = frame(7);
        assert_eq!(first_break(&wrong, &form), Some(3));
        let table = memory_table(
            &[FormMemory {
                style: "X".into(),
                bars: 8,
                steps: 64,
                lstm_weights: 10,
                lstm_epochs: 4,
                lstm_first_break: None,
                rnn_weights: 11,
                rnn_first_break: Some(2),
                rnn_epochs: 5,
                rnn_seconds: 1.0,
            }],
            100,
        );
        assert!(
            table.contains("| X | 8 | 64 | 10 (4 epochs) | held all 100 | 11 (5 epochs, 1 s) | chorus 2 |"),
            "{table}"
        );
    }
}
