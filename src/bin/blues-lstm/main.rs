//! `blues-lstm`: the command-line tool, for people without a DAW and for building the embedded
//! models. `render` plays choruses into a Standard MIDI File through the same engine the plugin
//! runs; `train` trains a model the paper's way; `eval` measures a model, and baselines beside it.

mod args;
mod eval;
mod render;
mod train;

use std::process::ExitCode;

const USAGE: &str = "\
blues-lstm: improvise 12-bar bebop blues with an LSTM (Eck & Schmidhuber 2002)

USAGE:
    blues-lstm render [options] --out FILE.mid
    blues-lstm train  [options] --out FILE.json
    blues-lstm eval   [options]

render: plays choruses through the plugin's engine into a Standard MIDI File
    --choruses N        choruses of 12 bars (default 1)
    --tempo BPM         20..999 (default 120)
    --seed S            the same seed renders the same music (default 1)
    --model FILE.json   the model to play (default: the embedded Exp 2 model)
    --temperature T     melody temperature 0..2: 0 likeliest note, 1 the paper (default 1)
    --mode M            improvise (default) or audition (play the training choruses)
    --key K             transpose by K semitones, -12..12 (default 0)
    --out FILE.mid      chords on channel 1, melody on channel 2
    --png FILE.png      also draw it as a piano roll

train: trains a model by BPTT until its free-running chords hold the form for 100 choruses
    --experiment 1|2    1: chords only (4 blocks); 2: chords and melody (8 blocks) (default 2)
    --seed S            weights and data order come from the seed (default 1)
    --corpus A.mid …    learn your own 12-bar choruses (default: the built-in corpus)
    --split range|channel:N   chords are notes below C4 (range, default) or on channel N
    --with-builtin      learn the built-in corpus along with --corpus
    --name TEXT         the model's name
    --out FILE.json     the model file to write

eval: free-runs a model from bar 1 and measures it against the built-in form and corpus
      (chord accuracy, form breaks, scale, chord tones, novelty, repetition, long-range MI)
    --model FILE.json   the model to measure (default: the embedded Exp 2 model)
    --choruses N        choruses each generator plays (default 200)
    --seed S            seeds every generator and the baselines' training (default 1)
    --temperature T     melody temperature of the networks, 0..2 (default 1)
    --compare           also train and measure the baselines on the built-in corpus: a vanilla
                        tanh RNN of about the same weight count (same BPTT), a third-order
                        Markov chain over frames, a pentatonic random walk over the form
    --rnn-epochs N      the vanilla RNN's cap on epochs (default 10000, the LSTM trainer's)
    --json | --markdown print JSON for machines, or a Markdown table (default: plain text)
    --png-dir DIR       draw each generator's piano roll into DIR/KEY.png (lstm, rnn, markov,
                        random-walk, corpus)
    --png-from C        first chorus drawn, 1-based (default 1)
    --png-choruses N    choruses drawn (default 2)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("render") => render::run(&args[1..]),
        Some("train") => train::run(&args[1..]),
        Some("eval") => eval::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command '{other}'")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("blues-lstm: {message}\n(run `blues-lstm --help` for usage)");
            ExitCode::FAILURE
        }
    }
}
