//! `blues-lstm`: the command-line tool, for people without a DAW and for building the embedded
//! models. `render` plays choruses into a Standard MIDI File through the same engine the plugin
//! runs; `train` trains a model the paper's way.

mod args;
mod render;
mod train;

use std::process::ExitCode;

const USAGE: &str = "\
blues-lstm: improvise 12-bar bebop blues with an LSTM (Eck & Schmidhuber 2002)

USAGE:
    blues-lstm render [options] --out FILE.mid
    blues-lstm train  [options] --out FILE.json

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
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("render") => render::run(&args[1..]),
        Some("train") => train::run(&args[1..]),
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
