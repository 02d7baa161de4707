//! `blues-lstm`: the command-line tool, for people without a DAW and for building the embedded
//! models. `render` plays choruses into a Standard MIDI File through the same engine the plugin
//! runs; `train` trains a model the paper's way; `eval` measures a model, and baselines beside it.

mod args;
mod chart_arg;
mod choice;
mod eval;
mod render;
mod train;

use std::process::ExitCode;

const OVERVIEW: &str = "\
blues-lstm: improvise bebop blues with an LSTM (Eck & Schmidhuber 2002)

Options are `--name value` or `--name=value`; `blues-lstm COMMAND --help` shows one command's.

USAGE:
    blues-lstm render [options] --out FILE.mid   (or --wav FILE.wav, or both)
    blues-lstm train  [options] --out FILE.json
    blues-lstm eval   [options]
    blues-lstm models   lists the built-in models

";

const RENDER: &str = "\
render: plays choruses through the plugin's engine into a Standard MIDI File (and/or a WAV)
    --choruses N        choruses of the model's form (default 1)
    --tempo BPM         20..999 (default 120)
    --seed S            the same seed renders the same music (default 1)
    --model M           builtin:ID (see `blues-lstm models`; default the first) or FILE.json
    --style ID          the corpus a model file auditions (default: the built-in style of its form)
    --temperature T     melody temperature 0..2: 0 likeliest note, 1 the paper (default 0.7)
    --mode M            improvise (default) or audition (play the training choruses)
    --key K             transpose by K semitones, -12..12 (default 0)
    --out FILE.mid      chords on channel 1, melody on channel 2, bass on channel 3
    --png FILE.png      also draw it as a piano roll (at most the first 32 choruses)
    --chart C           play over a chart instead of the learned form: a chart text file, a
                        MusicXML lead sheet (.musicxml .xml .mxl), or the chart itself
                        (\"| C7 | F7 | C7 | % |\"); the chart band improvises over it, in its key
    --wav FILE.wav      hear it: the same notes through a General MIDI SoundFont (piano chords,
                        tenor sax melody, acoustic bass, drums on channel 10), 44.1 kHz 16-bit
                        stereo, one second of release after the end
    --soundfont F.sf2   the SoundFont for --wav (default /usr/share/sounds/sf2/FluidR3_GM.sf2,
                        Debian's fluid-soundfont-gm package)
  the player's feel (the plugin's parameters, its defaults):
    --swing S           where off-beat eighths fall, as a share of the beat: auto (default) follows
                        the tempo from 58 % at 120 BPM (more when slower, less when faster, straight
                        from 300 BPM; Friberg & Sundström 2002); auto:P the same from P % at 120;
                        P alone plays P % at every tempo; P is 50 (straight)..75
    --dynamics P        accents of the dynamics rule, 0..100 % (default 60)
    --humanize P        seeded timing (up to 8 ms) and velocity variation, 0..100 % (default 0)
    --gate P            share of its last eighth a melody note sounds, 20..100 % (default 90)
    --voicing V         led (voice-led, default), shell (root 3rd 7th) or learned
    --comp P            bars comped as learned, 0..100 % (default 100; the rest hold pads)
    --bass-octave N     move the bass by N octaves, -2..2 (default 0)
    --no-drums          leave the drums out (a model or corpus with drums plays them on channel 10)
    --drum-channel N    the drums' MIDI channel, 1..16 (default 10)
  the solo:
    --intensity P       0 the sparsest lines the band learned .. 100 its busiest, louder
                        with it (default 50)
    --build N           rise to full intensity over N choruses (2, 4 or 8) and come back down,
                        again and again (default 0, off)
  playing in (a take of you and the plugin, your notes passed through):
    --notes-in FILE.mid your notes, from bar 1: they steer the plugin, or are its call when trading
    --trade N           trade N bars a turn: 2, 4, 8 or 12 (default 0, no trading)
    --trade-first W     who starts: player (default) or plugin
    --trade-fill        the plugin plays a turn you leave silent (else it waits)
    --bass-in N         your notes on channel N steer the bass (all others are the melody)

";

const TRAIN: &str = "\
train: trains a model by BPTT until its free-running chords hold the form for 100 choruses
    --builtin ID        a built-in model by its recipe, on its style's corpus
    --experiment 1|2    the paper's: builtin:paper-exp1 (chords only) or paper-exp2
    --seed S            weights and data order come from the seed (default 1; with --builtin,
                        the seed its embedded model was trained from)
    --style ID          a band model (chords, melody, bass, comping) of a built-in style's corpus
    --blocks C,M,B,P    its cell blocks per group: chords, melody, bass, comping (default by form)
    --max-epochs N      give up after N epochs (default 10000)
    --forget-bias B     the forget gates' initial bias (default 1: remember from the start)
    --batch N           sequences per update, 1..1024 (default 8: one lock-step chunk of 8)
    --threads N         threads that share each update's chunks of 8 sequences (default: every
                        core; a batch of 8 is one chunk, one thread); any N gives the same weights
    --corpus A.mid …    learn your own choruses instead: fine-tunes the built-in band nearest
                        their form (moved to their key), keeping the parts they do not play
    --from M            fine-tune builtin:ID or FILE.json instead
    --from-scratch      learn them from random weights
    --drop-missing      leave out the parts your choruses do not play
    --chart CHART       your choruses were played over this chart (a file, or the chart as text):
                        they teach the chart band (or --from FILE.json, one taught before) your
                        lines, in all 12 keys; play it with render --model FILE.json --chart …
    --form-bars N       bars per chorus of the files, 4..64 (default: a file is one chorus)
    --split range|channel:N[,bass:M]   which notes are chords (C3-B3 by range, default, with the
                        bass below and melody above) or which channels are chords and bass
    --swing P           the files are played swung at P % (50 straight, default)
    --with-builtin      learn the built-in corpus along with --corpus
    --name TEXT         the model's name
    --out FILE.json     the model file to write
    --chart-band        the chart band (plays over any chart), on performances we wrote over
                        the progressions of src/music/styles/progressions.txt in all 12 keys

";

const EVAL: &str = "\
eval: free-runs a model from bar 1 and measures it against its form and corpus
      (chord accuracy, form breaks, scale, chord tones, novelty, repetition, long-range MI)
    --model M           builtin:ID or FILE.json (default: the first built-in model)
    --style ID          the corpus a model file is measured against
    --choruses N        choruses each generator plays (default 200)
    --seed S            seeds every generator and the baselines' training (default 1)
    --temperature T     melody temperature of the networks, 0..2 (default 0.7)
    --compare           also train and measure the baselines on the model's corpus: a vanilla
                        tanh RNN of about the same weight count (same BPTT), a third-order
                        Markov chain over frames, a pentatonic random walk over the form
    --rnn-epochs N      the vanilla RNN's cap on epochs (default 10000, the LSTM trainer's)
    --json | --markdown print JSON for machines, or a Markdown table (default: plain text)
    --phrasing          then phrasing and rhythm-section measures (rests, note lengths, off-beat
                        notes, walking bass, comping) beside as many corpus choruses; not --json
    --forms             every built-in band's form (8, 12, 16, 32 bars): the first chorus where the
                        chords leave the form, its LSTM against a vanilla RNN trained like it
                        (for as many epochs as the LSTM trained, unless --rnn-epochs says)
    --png-dir DIR       draw each generator's piano roll into DIR/KEY.png (lstm, rnn, markov,
                        random-walk, corpus)
    --png-from C        first chorus drawn (and played), 1-based (default 1)
    --png-choruses N    choruses drawn (and played) (default 2)
    --wav-dir DIR       play the same choruses of each generator into DIR/KEY.wav through a
                        General MIDI SoundFont, straight eighths at 120 BPM
    --soundfont F.sf2   the SoundFont for --wav-dir (default: Debian's fluid-soundfont-gm)
    --chart C           the chart band over chart C (repeat for several; a file or the chart's
                        text): chords as given, the bass at the changes, the melody against the
                        chord, chord tones on 1 and 3; then every built-in band over its own
                        changes by the same measures
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let wants_help = args.iter().skip(1).any(|a| a == "--help" || a == "-h");
    let result = match (args.first().map(String::as_str), wants_help) {
        (Some("render"), true) => help(RENDER),
        (Some("train"), true) => help(TRAIN),
        (Some("eval"), true) => help(EVAL),
        (Some("models"), true) => help("models: lists the built-in models, their styles and how they were trained\n"),
        (Some("render"), false) => render::run(&args[1..]),
        (Some("train"), false) => train::run(&args[1..]),
        (Some("eval"), false) => eval::run(&args[1..]),
        (Some("models"), false) => choice::list(),
        (Some("-h" | "--help" | "help") | None, _) => {
            print!("{OVERVIEW}\n{RENDER}\n{TRAIN}\n{EVAL}");
            return ExitCode::SUCCESS;
        }
        (Some(other), _) => Err(format!(
            "unknown command '{other}' (the commands: render, train, eval, models; `blues-lstm --help` shows them all)"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("blues-lstm: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Prints one command's options.
fn help(text: &str) -> Result<(), String> {
    print!("{text}");
    Ok(())
}
