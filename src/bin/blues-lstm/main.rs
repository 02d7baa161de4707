//! `blues-lstm`: the command-line tool. Renders blues choruses to a Standard MIDI File through
//! the same engine the plugin runs.

use blues_lstm::engine::audition::Audition;
use blues_lstm::engine::render::{render, RenderSpec};
use blues_lstm::engine::{Engine, Mode, Settings};
use blues_lstm::music::corpus::Corpus;
use blues_lstm::music::encoding::STEPS_PER_CHORUS;
use blues_lstm::music::midi_file::write_smf;
use blues_lstm::music::piano_roll_png::piano_roll_png;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
blues-lstm: improvise 12-bar bebop blues (Eck & Schmidhuber 2002)

USAGE:
    blues-lstm render [--choruses N] [--tempo BPM] [--seed S] [--mode audition] --out FILE.mid

render options:
    --choruses N   choruses of 12 bars to play (default 1)
    --tempo BPM    tempo written into the file and used by the clock (default 120)
    --seed S       seed of the random choices; the same seed renders the same music (default 1)
    --mode M       audition: play the training choruses (default)
    --key K        transpose by K semitones, -12..12 (default 0)
    --out FILE     the Standard MIDI File to write: chords on channel 1, melody on channel 2
    --png FILE     also draw what was rendered as a piano roll (chords blue, melody orange)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("render") => Options::parse(&args[1..]).and_then(|o| run_render(&o)),
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

/// Options of `render`.
struct Options {
    choruses: u32,
    tempo: f64,
    seed: u64,
    mode: Mode,
    key: i8,
    out: Option<PathBuf>,
    png: Option<PathBuf>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut o = Options {
            choruses: 1,
            tempo: 120.0,
            seed: 1,
            mode: Mode::Audition,
            key: 0,
            out: None,
            png: None,
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--choruses" => o.choruses = parse_in(value()?, flag, 1..=10_000)?,
                "--tempo" => {
                    let v: f64 = value()?
                        .parse()
                        .map_err(|_| format!("{flag}: not a number"))?;
                    if !(20.0..=999.0).contains(&v) {
                        return Err(format!("{flag}: {v} is outside 20..999 BPM"));
                    }
                    o.tempo = v;
                }
                "--seed" => {
                    o.seed = value()?
                        .parse()
                        .map_err(|_| format!("{flag}: not a whole number"))?
                }
                "--key" => o.key = parse_in(value()?, flag, -12..=12)?,
                "--mode" => {
                    o.mode = match value()?.as_str() {
                        "audition" => Mode::Audition,
                        other => return Err(format!("--mode: unknown mode '{other}' (audition)")),
                    }
                }
                "--out" => o.out = Some(PathBuf::from(value()?)),
                "--png" => o.png = Some(PathBuf::from(value()?)),
                other => return Err(format!("unknown option '{other}'")),
            }
        }
        Ok(o)
    }
}

fn parse_in<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    text: &str,
    flag: &str,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, String> {
    let v: T = text
        .parse()
        .map_err(|_| format!("{flag}: '{text}' is not a whole number"))?;
    if !range.contains(&v) {
        return Err(format!(
            "{flag}: {v} is outside {}..{}",
            range.start(),
            range.end()
        ));
    }
    Ok(v)
}

fn run_render(o: &Options) -> Result<(), String> {
    let out = o.out.as_ref().ok_or("render needs --out FILE.mid")?;
    let mut settings = Settings {
        mode: o.mode,
        seed: o.seed,
        ..Settings::default()
    };
    settings.voices.transpose = o.key;
    let mut engine = Engine::new(Audition::new(Corpus::builtin()), Default::default());
    let spec = RenderSpec {
        choruses: o.choruses,
        tempo_bpm: o.tempo,
        ..RenderSpec::default()
    };
    let notes = render(&mut engine, &settings, &spec);
    let names = |channel: u8| match channel {
        0 => "Blues LSTM chords".to_string(),
        1 => "Blues LSTM melody".to_string(),
        c => format!("Blues LSTM channel {}", c + 1),
    };
    let bytes = write_smf(&notes, o.tempo, &names);
    std::fs::write(out, bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    if let Some(png) = &o.png {
        let picture = piano_roll_png(
            &notes,
            o.choruses as usize * STEPS_PER_CHORUS,
            settings.voices.chord_channel,
        );
        std::fs::write(png, picture).map_err(|e| format!("cannot write {}: {e}", png.display()))?;
        println!("drew {}", png.display());
    }
    let onsets = notes.iter().filter(|n| n.on).count();
    println!(
        "wrote {} ({} choruses, {} notes, {} BPM, seed {})",
        out.display(),
        o.choruses,
        onsets,
        o.tempo,
        o.seed
    );
    Ok(())
}
