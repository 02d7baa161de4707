//! `blues-lstm render`: choruses through the plugin's own engine into a Standard MIDI File.

use super::args::Args;
use super::choice::chosen;
use blues_lstm::engine::audition::Audition;
use blues_lstm::engine::composer::Composer;
use blues_lstm::engine::improviser::Improviser;
use blues_lstm::engine::{Engine, Mode, Settings};
use blues_lstm::music::midi_file::write_smf;
use blues_lstm::music::piano_roll_png::{piano_roll_png, Roll};
use blues_lstm::render::{render, RenderSpec};

const FLAGS: &[&str] = &["choruses", "tempo", "seed", "model", "style", "temperature", "mode", "key", "out", "png"];

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

    let chosen = chosen(&a)?;
    let model_name = chosen.name.clone();
    let improviser = Improviser::new(&chosen.model, chosen.model.primer_or(&chosen.corpus))?;
    let form = chosen.model.encoding.form();
    let composer = Box::new(Composer::new(Audition::new(chosen.corpus), Some(improviser)));
    let mut engine = Engine::new(composer, Default::default());
    let spec = RenderSpec { choruses, tempo_bpm: tempo, ..RenderSpec::default() };
    let notes = render(&mut engine, &settings, &spec);

    let v = settings.voices;
    let names = |channel: u8| match channel {
        c if c == v.chord_channel => "Blues LSTM chords".to_string(),
        c if c == v.melody_channel => "Blues LSTM melody".to_string(),
        c if c == v.bass_channel => "Blues LSTM bass".to_string(),
        c => format!("Blues LSTM channel {}", c + 1),
    };
    std::fs::write(&out, write_smf(&notes, tempo, &names))
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    if let Some(png) = a.path("png")? {
        let roll = Roll {
            steps: choruses as usize * form.steps(),
            bars_per_chorus: form.bars,
            chord_channel: v.chord_channel,
            bass_channel: Some(v.bass_channel),
        };
        let picture = piano_roll_png(&notes, &roll);
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
