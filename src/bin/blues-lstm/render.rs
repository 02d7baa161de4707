//! `blues-lstm render`: choruses through the plugin's own engine into a Standard MIDI File.

use super::args::Args;
use blues_lstm::engine::audition::Audition;
use blues_lstm::engine::composer::Composer;
use blues_lstm::engine::improviser::Improviser;
use blues_lstm::engine::render::{render, RenderSpec};
use blues_lstm::engine::{Engine, Mode, Settings};
use blues_lstm::lstm::model_file::Model;
use blues_lstm::models;
use blues_lstm::music::corpus::Corpus;
use blues_lstm::music::encoding::STEPS_PER_CHORUS;
use blues_lstm::music::midi_file::write_smf;
use blues_lstm::music::piano_roll_png::piano_roll_png;

const FLAGS: &[&str] = &["choruses", "tempo", "seed", "model", "temperature", "mode", "key", "out", "png"];

pub fn run(args: &[String]) -> Result<(), String> {
    let a = Args::parse(args, FLAGS)?;
    let out = a.path("out")?.ok_or("render needs --out FILE.mid")?;
    let choruses: u32 = a.number("choruses", 1, 1..=10_000)?;
    let tempo: f64 = a.number("tempo", 120.0, 20.0..=999.0)?;
    let mode = match a.value("mode")?.unwrap_or("improvise") {
        "improvise" => Mode::Improvise,
        "audition" => Mode::Audition,
        other => return Err(format!("--mode: '{other}' is neither improvise nor audition")),
    };
    let mut settings = Settings {
        mode,
        seed: a.number("seed", 1, 0..=u64::MAX)?,
        temperature: a.number("temperature", 1.0, 0.0..=2.0)?,
        ..Settings::default()
    };
    settings.voices.transpose = a.number("key", 0, -12..=12)?;

    let (improviser, model_name) = match a.path("model")? {
        Some(path) => {
            let model = Model::load(&path).map_err(|e| e.to_string())?;
            let name = model.metadata.name.clone();
            (
                Some(
                    Improviser::new(&model, models::primer_of(&model))
                        .map_err(|e| format!("{}: {e}", path.display()))?,
                ),
                name,
            )
        }
        None => {
            let improviser = models::builtin_improviser();
            let name = models::builtin_model().map_or("none".to_string(), |m| format!("built-in {}", m.metadata.name));
            (improviser, name)
        }
    };
    if mode == Mode::Improvise && improviser.is_none() {
        return Err(
            "no model to improvise with: the embedded model is missing; pass --model FILE.json or --mode audition"
                .to_string(),
        );
    }
    let composer = Box::new(Composer::new(Audition::new(Corpus::builtin()), improviser));
    let mut engine = Engine::new(composer, Default::default());
    let spec = RenderSpec { choruses, tempo_bpm: tempo, ..RenderSpec::default() };
    let notes = render(&mut engine, &settings, &spec);

    let names = |channel: u8| match channel {
        0 => "Blues LSTM chords".to_string(),
        1 => "Blues LSTM melody".to_string(),
        c => format!("Blues LSTM channel {}", c + 1),
    };
    std::fs::write(&out, write_smf(&notes, tempo, &names))
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    if let Some(png) = a.path("png")? {
        let picture = piano_roll_png(&notes, choruses as usize * STEPS_PER_CHORUS, settings.voices.chord_channel);
        std::fs::write(&png, picture).map_err(|e| format!("cannot write {}: {e}", png.display()))?;
        println!("drew {}", png.display());
    }
    let onsets = notes.iter().filter(|n| n.on).count();
    let what = if mode == Mode::Improvise {
        format!("model: {model_name}, temperature {}", settings.temperature)
    } else {
        "auditioning the corpus".to_string()
    };
    println!(
        "wrote {} ({choruses} choruses, {onsets} notes, {tempo} BPM, seed {}; {what})",
        out.display(),
        settings.seed
    );
    Ok(())
}
