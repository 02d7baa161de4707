//! `blues-lstm render`: choruses through the plugin's own engine into a Standard MIDI File, and
//! (`--wav`) the same events through a General MIDI SoundFont into a WAV file.

use super::args::Args;
use super::chart_arg::read_chart;
use super::choice::{chosen, default_band, taught_chart_band};
use blues_lstm::audio_render::{load_soundfont, synthesize, wav_bytes, Instruments, DEFAULT_SOUNDFONT};
use blues_lstm::engine::audition::Audition;
use blues_lstm::engine::composer::Composer;
use blues_lstm::engine::feel::Feel;
use blues_lstm::engine::harmony::{ChartSteps, HarmonySource};
use blues_lstm::engine::improviser::Improviser;
use blues_lstm::engine::intensity::{Build, Intensity, BUILD_CHORUSES};
use blues_lstm::engine::swing::SwingMode;
use blues_lstm::engine::trade::Trade;
use blues_lstm::engine::voicing::Voicing;
use blues_lstm::engine::{Engine, Mode, Settings, DEFAULT_TEMPERATURE};
use blues_lstm::model::builtin::chart_band;
use blues_lstm::music::midi_file::write_smf;
use blues_lstm::music::midi_import::notes_from_smf;
use blues_lstm::music::part::Part;
use blues_lstm::music::piano_roll_png::{piano_roll_png, Roll};
use blues_lstm::render::{render_playing_in, RenderSpec};

const FLAGS: &[&str] = &[
    "choruses",
    "tempo",
    "seed",
    "model",
    "style",
    "temperature",
    "mode",
    "key",
    "out",
    "png",
    "swing",
    "dynamics",
    "humanize",
    "gate",
    "voicing",
    "comp",
    "bass-octave",
    "notes-in",
    "trade",
    "trade-first",
    "trade-fill",
    "bass-in",
    "no-drums",
    "drum-channel",
    "chart",
    "wav",
    "soundfont",
    "intensity",
    "build",
];

/// The most choruses a picture draws: 32 twelve-bar choruses are 24,576 pixels wide already.
const MAX_PICTURE_CHORUSES: u32 = 32;

pub fn run(args: &[String]) -> Result<(), String> {
    let a = Args::parse("render", args, FLAGS)?;
    let out = a.output("out")?;
    let wav = a.output("wav")?;
    if out.is_none() && wav.is_none() {
        return Err(a.mistake("render needs --out FILE.mid, --wav FILE.wav or both"));
    }
    if a.has("soundfont") && wav.is_none() {
        return Err(a.mistake("--soundfont is for --wav: the .mid has no sound of its own"));
    }
    let png = a.output("png")?;
    let choruses: u32 = a.number("choruses", 1, 1..=10_000)?;
    let tempo: f64 = a.number("tempo", 120.0, 20.0..=999.0)?;
    let mode = match a.value("mode")?.unwrap_or("improvise") {
        "improvise" => Mode::Improvise,
        "audition" => Mode::Audition,
        other => return Err(a.mistake(format!("--mode: '{other}' is neither improvise nor audition"))),
    };
    let mut settings = Settings {
        mode,
        seed: a.number("seed", 1, 0..=u64::MAX)?,
        temperature: a.number("temperature", DEFAULT_TEMPERATURE, 0.0..=2.0)?,
        ..Settings::default()
    };
    settings.voices.transpose = a.number("key", 0, -12..=12)?;
    settings.feel = feel(&a)?;
    settings.trade = trade(&a)?;
    settings.intensity = intensity(&a)?;
    if a.has("bass-in") {
        settings.input.bass_channel = Some(a.number::<u8>("bass-in", 3, 1..=16)? - 1);
    }
    if !a.values("no-drums").is_empty() {
        return Err(a.mistake("--no-drums takes no value"));
    }
    settings.voices.parts[Part::Drums].on = !a.has("no-drums");
    settings.voices.parts[Part::Drums].channel = a.number::<u8>("drum-channel", 10, 1..=16)? - 1;
    let played_in = match a.path("notes-in")? {
        Some(path) => {
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            notes_from_smf(&bytes).map_err(|e| format!("--notes-in {}: {}", path.display(), e.reason))?
        }
        None => Vec::new(),
    };

    let chart = a.value("chart")?.map(read_chart).transpose()?;
    // Read before the music is played: a missing SoundFont is said at once.
    let soundfont = match wav {
        Some(_) => Some(load_soundfont(&a.path("soundfont")?.unwrap_or_else(|| DEFAULT_SOUNDFONT.into()))?),
        None => None,
    };

    // A chart band taught a user's lines plays over the chart; the default band where none is
    // given.
    let taught = taught_chart_band(&a)?;
    if taught.is_some() && chart.is_none() {
        return Err(a.mistake("--model: this file is a chart band, which plays over a chart: give --chart too"));
    }
    let chosen = if taught.is_some() { default_band()? } else { chosen(&a)? };
    let mut model_name = chosen.name.clone();
    let form_bars = chart.as_ref().map_or(chosen.model.encoding.form().bars, |c| c.len());
    if usize::from(settings.trade.bars) > form_bars {
        eprintln!(
            "warning: --trade {}: a turn is longer than the form ({form_bars} bars), so each turn runs on into the next chorus",
            settings.trade.bars
        );
    }
    let improviser = Improviser::new(&chosen.model, chosen.model.primer_or(&chosen.corpus))?;
    let mut composer = Composer::new(Audition::new(chosen.corpus), Some(improviser));
    if chart.is_some() {
        let band = match &taught {
            Some(band) => band,
            None => chart_band().ok_or("this build has no chart band (models/chart-band.json)")?,
        };
        composer = composer.with_chart_band(Some(Improviser::new(band, band.primer.clone())?));
        settings.harmony = HarmonySource::Chart;
        model_name = format!("{} over the chart", band.metadata.name);
    }
    let mut engine = Engine::new(Box::new(composer), Default::default());
    if let Some(chart) = &chart {
        engine.charts().stage(Box::new(ChartSteps::new(chart)));
        engine.adopt_chart();
    }
    let form = engine.form_for(&settings);
    let spec = RenderSpec { choruses, tempo_bpm: tempo, ..RenderSpec::default() };
    let notes = render_playing_in(&mut engine, &settings, &spec, &played_in);

    let v = settings.voices;
    let names = |channel: u8| match v.track_name(channel) {
        Some(name) => name,
        None if played_in.iter().any(|n| n.channel == channel) => format!("Played in (channel {})", channel + 1),
        None => format!("Blues LSTM channel {}", channel + 1),
    };
    if let Some(out) = &out {
        std::fs::write(out, write_smf(&notes, tempo, &names))
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    if let (Some(wav), Some(font)) = (&wav, &soundfont) {
        let end_beats = f64::from(choruses) * form.steps() as f64 / 2.0;
        let audio = synthesize(&notes, tempo, end_beats, font, &Instruments::band(&v))?;
        std::fs::write(wav, wav_bytes(&audio)).map_err(|e| format!("cannot write {}: {e}", wav.display()))?;
        println!("wrote {} ({:.1} s of audio)", wav.display(), audio.len() as f64 / 44_100.0);
    }
    if let Some(png) = png {
        let drawn = choruses.min(MAX_PICTURE_CHORUSES);
        if drawn < choruses {
            println!("the picture shows the first {drawn} of the {choruses} choruses (the .mid has them all)");
        }
        let last_beat = f64::from(drawn) * form.steps() as f64 / 2.0;
        let notes: Vec<_> = notes.iter().filter(|n| n.beats < last_beat).copied().collect();
        let roll = Roll {
            steps: drawn as usize * form.steps(),
            bars_per_chorus: form.bars,
            chord_channel: v.channel(Part::Chords),
            bass_channel: Some(v.channel(Part::Bass)),
            drum_channel: Some(v.channel(Part::Drums)),
        };
        let picture = piano_roll_png(&notes, &roll);
        std::fs::write(&png, picture).map_err(|e| format!("cannot write {}: {e}", png.display()))?;
        println!("drew {}", png.display());
    }
    let onsets = notes.iter().filter(|n| n.on).count();
    for part in [Part::Melody, Part::Bass, Part::Chords, Part::Drums] {
        let (channel, voice) = (v.channel(part), part.name());
        let velocities: Vec<f64> =
            notes.iter().filter(|n| n.on && n.channel == channel).map(|n| f64::from(n.velocity)).collect();
        if velocities.len() > 1 {
            let mean = velocities.iter().sum::<f64>() / velocities.len() as f64;
            let sd = (velocities.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / velocities.len() as f64).sqrt();
            let (low, high) = velocities.iter().fold((127.0f64, 0.0f64), |(l, h), &x| (l.min(x), h.max(x)));
            println!("{voice}: {} notes, velocity {low}–{high}, mean {mean:.0}, sd {sd:.1}", velocities.len());
        }
    }
    let what = if mode == Mode::Improvise {
        let i = settings.intensity;
        let build = match i.build {
            Build::Over(n) => format!(", building over {n} choruses"),
            Build::Off => String::new(),
        };
        format!("model: {model_name}, temperature {}, intensity {:.0} %{build}", settings.temperature, i.level * 100.0)
    } else {
        "auditioning the corpus".to_string()
    };
    let swing = match settings.feel.swing_mode {
        SwingMode::Fixed => format!("swing {:.0} %", settings.feel.swing * 100.0),
        SwingMode::FollowsTempo => format!(
            "swing {:.1} % (following the tempo from {:.0} % at 120 BPM)",
            settings.feel.swing_at(tempo) * 100.0,
            settings.feel.swing * 100.0
        ),
    };
    let written = out.as_ref().map_or_else(|| "played".to_string(), |out| format!("wrote {}", out.display()));
    println!("{written} ({choruses} choruses, {onsets} notes, {tempo} BPM, {swing}, seed {}; {what})", settings.seed);
    Ok(())
}

/// The player's feel from the flags, in the plugin's units (percent), its defaults where not
/// given.
fn feel(a: &Args) -> Result<Feel, String> {
    let d = Feel::default();
    let percent = |flag: &str, default: f32, range: std::ops::RangeInclusive<f32>| -> Result<f32, String> {
        Ok(a.number(flag, default * 100.0, range)? / 100.0)
    };
    let voicing = match a.value("voicing")?.unwrap_or("led") {
        "led" => Voicing::VoiceLed,
        "shell" => Voicing::Shell,
        "learned" => Voicing::AsLearned,
        other => return Err(a.mistake(format!("--voicing: '{other}' is none of led, shell, learned"))),
    };
    let (swing, swing_mode) = swing(a, d)?;
    Ok(Feel {
        swing,
        swing_mode,
        dynamics: percent("dynamics", d.dynamics, 0.0..=100.0)?,
        humanize: percent("humanize", d.humanize, 0.0..=100.0)?,
        gate: percent("gate", d.gate, 20.0..=100.0)?,
        voicing,
        comp: percent("comp", d.comp, 0.0..=100.0)?,
        bass_octave: a.number("bass-octave", 0, -2..=2)?,
    })
}

/// The swing from `--swing`: `auto` follows the tempo from the default Swing, `auto:P` from P %
/// (P at 120 BPM, `engine::swing`), a number P plays P % at every tempo; the plugin's default
/// (following the tempo) when not given.
fn swing(a: &Args, d: Feel) -> Result<(f32, SwingMode), String> {
    let Some(text) = a.value("swing")? else { return Ok((d.swing, d.swing_mode)) };
    let (knob, mode) = match text.strip_prefix("auto") {
        Some("") => return Ok((d.swing, SwingMode::FollowsTempo)),
        Some(rest) => match rest.strip_prefix(':') {
            Some(knob) => (knob, SwingMode::FollowsTempo),
            None => return Err(a.mistake(format!("--swing: '{text}' is none of auto, auto:P, P (a percentage)"))),
        },
        None => (text, SwingMode::Fixed),
    };
    let p: f32 =
        knob.parse().map_err(|_| a.mistake(format!("--swing: '{text}' is none of auto, auto:P, P (a percentage)")))?;
    if !(50.0..=75.0).contains(&p) {
        return Err(a.mistake(format!("--swing: {p} is outside 50..75")));
    }
    Ok((p / 100.0, mode))
}

/// The solo's intensity from `--intensity P` (0..100 %) and `--build N` (choruses: 2, 4 or 8;
/// 0 off).
fn intensity(a: &Args) -> Result<Intensity, String> {
    let level: f32 = a.number("intensity", Intensity::default().level * 100.0, 0.0..=100.0)?;
    let n: u8 = a.number("build", 0, 0..=8)?;
    let build = match n {
        0 => Build::Off,
        n if BUILD_CHORUSES.contains(&n) => Build::Over(n),
        n => return Err(a.mistake(format!("--build: {n} choruses; build over 2, 4 or 8 (0 for none)"))),
    };
    Ok(Intensity { level: level / 100.0, build })
}

/// Trading from the flags: `--trade 4` (bars a turn), who starts, and whether silent turns
/// are filled.
fn trade(a: &Args) -> Result<Trade, String> {
    let bars: u8 = a.number("trade", 0, 0..=12)?;
    if ![0, 2, 4, 8, 12].contains(&bars) {
        return Err(a.mistake(format!("--trade: {bars} bars a turn; trade 2, 4, 8 or 12")));
    }
    let player_first = match a.value("trade-first")?.unwrap_or("player") {
        "player" => true,
        "plugin" => false,
        other => return Err(a.mistake(format!("--trade-first: '{other}' is neither player nor plugin"))),
    };
    if !a.values("trade-fill").is_empty() {
        return Err(a.mistake("--trade-fill takes no value"));
    }
    Ok(Trade { bars, player_first, fill: a.has("trade-fill") })
}
