//! The plugin's parameters, and the fields saved with the DAW project (the user's corpus and the
//! model). Ids are short and stable: once released an id is never renamed, so projects and
//! presets keep working (a test pins the list). Read by the audio thread each block and translated
//! into the engine's plain [`Settings`]; written by the host and the editor.

use crate::engine::feel::Feel;
use crate::engine::harmony::HarmonySource;
use crate::engine::input_map::InputMap;
use crate::engine::intensity::{Build, Intensity};
use crate::engine::swing::SwingMode;
use crate::engine::trade::Trade;
use crate::engine::voices::{PartOutput, VoiceSettings};
use crate::engine::voicing::Voicing;
use crate::engine::{Mode, Settings, DEFAULT_TEMPERATURE};
use crate::model::builtin::{Builtin, BUILTINS, MENU, SAVED_IDS};
use crate::music::drums::KitMap;
use crate::music::part::{Part, PerPart};
use crate::project::{ChartField, CorpusField, ModelField, Project};
use nice_plug::prelude::*;
use std::sync::Arc;

/// What the plugin plays.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChoice {
    /// The LSTM improvises over the form it learned.
    #[id = "impro"]
    #[name = "Improvise (LSTM)"]
    Improvise,
    /// Play the training choruses themselves, a different one each chorus.
    #[id = "audit"]
    #[name = "Audition corpus"]
    Audition,
}

/// How chords are voiced on the keyboard.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoicingChoice {
    /// Four notes in the middle, each chord moved as little as it can from the last.
    #[id = "led"]
    #[name = "Voice-led"]
    VoiceLed,
    /// Root, 3rd and 7th: the bebop pianist's left hand.
    #[id = "shell"]
    #[name = "Shells"]
    Shell,
    /// Each pitch class once from C3 up, as the network learned it (the paper's chords).
    #[id = "lrn"]
    #[name = "As learned"]
    AsLearned,
}

/// How the Swing knob is read (`engine::swing`).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwingModeChoice {
    /// The off-beat at the Swing share of the beat at every tempo (projects saved before there
    /// was a choice keep it: `BluesLstm::filter_state`).
    #[id = "fixed"]
    #[name = "Fixed"]
    Fixed,
    /// The Swing is the swing at 120 BPM; slower tempos swing more, faster less, straight from
    /// 300 BPM (Friberg & Sundström 2002).
    #[id = "tempo"]
    #[name = "Follows tempo"]
    FollowsTempo,
}

/// Which built-in band plays (a model loaded or retrained in the project takes its place): an
/// entry of the registry (`model::builtin::BUILTINS`), whose menu names and saved ids it shows
/// (the ids are in saved projects and never change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StyleChoice(usize);

impl Enum for StyleChoice {
    fn variants() -> &'static [&'static str] {
        &MENU
    }

    fn ids() -> Option<&'static [&'static str]> {
        Some(&SAVED_IDS)
    }

    fn to_index(self) -> usize {
        self.0
    }

    fn from_index(index: usize) -> Self {
        Self(if index < BUILTINS.len() { index } else { 0 })
    }
}

impl StyleChoice {
    /// The default band.
    pub const DEFAULT: StyleChoice = StyleChoice(0);

    /// Its place in [`BUILTINS`].
    pub fn builtin_index(self) -> usize {
        self.0
    }

    pub fn builtin(self) -> &'static Builtin {
        &BUILTINS[self.0]
    }
}

/// Bars per turn when trading with the player.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TradeChoice {
    #[id = "off"]
    #[name = "Off"]
    Off,
    #[id = "2"]
    #[name = "Twos"]
    Two,
    #[id = "4"]
    #[name = "Fours"]
    Four,
    #[id = "8"]
    #[name = "Eights"]
    Eight,
    #[id = "12"]
    #[name = "Twelves"]
    Twelve,
}

/// Build: how many choruses the solo takes to build to a climax and come back down.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildChoice {
    #[id = "off"]
    #[name = "Off"]
    Off,
    #[id = "2"]
    #[name = "Over 2 choruses"]
    Two,
    #[id = "4"]
    #[name = "Over 4 choruses"]
    Four,
    #[id = "8"]
    #[name = "Over 8 choruses"]
    Eight,
}

/// Who takes the first turn (from the song's bar 1).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TradeFirst {
    #[id = "player"]
    #[name = "You"]
    Player,
    #[id = "plugin"]
    #[name = "The plugin"]
    Plugin,
}

/// Where the band's chords come from.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum HarmonyChoice {
    /// The form the model learned (its chords are its own).
    #[id = "learned"]
    #[name = "Learned form"]
    Learned,
    /// The chart typed or imported in the editor.
    #[id = "chart"]
    #[name = "Chart"]
    Chart,
    /// The chords played into the plugin on the chord input channel (a chord track).
    #[id = "chordin"]
    #[name = "Chord input"]
    ChordInput,
}

#[derive(Params)]
pub struct BluesParams {
    #[id = "mode"]
    pub mode: EnumParam<ModeChoice>,
    /// Melody temperature: 0 always plays the likeliest note, 1 samples as the paper did, higher
    /// is wilder. Chords are always thresholded, as in the paper.
    #[id = "temp"]
    pub temperature: FloatParam,
    /// Transposition of everything played, in semitones.
    #[id = "key"]
    pub key: IntParam,
    /// Seed of the composer's random choices: the same seed plays the same music.
    #[id = "seed"]
    pub seed: IntParam,
    /// A rising edge draws fresh random choices and re-primes the network where the song is (for
    /// hosts and controllers; the editor's Reseed button sets a new Seed instead, which is saved).
    #[id = "reseed"]
    pub reseed: BoolParam,
    /// A rising edge starts a retrain on the project's corpus in the background (for hosts and
    /// controllers; the editor has its own button).
    #[id = "retrn"]
    pub retrain: BoolParam,
    #[id = "chon"]
    pub chords_on: BoolParam,
    #[id = "mlon"]
    pub melody_on: BoolParam,
    /// 1–16, as DAWs number channels.
    #[id = "chch"]
    pub chord_channel: IntParam,
    #[id = "mlch"]
    pub melody_channel: IntParam,
    #[id = "chvel"]
    pub chord_velocity: IntParam,
    #[id = "mlvel"]
    pub melody_velocity: IntParam,
    /// The bass voice (models with a bass line).
    #[id = "bass"]
    pub bass_on: BoolParam,
    #[id = "bassch"]
    pub bass_channel: IntParam,
    #[id = "bsvel"]
    pub bass_velocity: IntParam,
    /// The drummer (models with drums), General MIDI keys on channel 10 by default.
    #[id = "drums"]
    pub drums_on: BoolParam,
    #[id = "drumch"]
    pub drum_channel: IntParam,
    #[id = "drvel"]
    pub drum_velocity: IntParam,
    /// Pass the notes played into the plugin through to its output.
    #[id = "thru"]
    pub thru: BoolParam,
    /// The host's bypass button: silent, input passed through, the form still counting.
    #[id = "bypass"]
    pub bypass: BoolParam,
    /// The built-in band.
    #[id = "style"]
    pub style: EnumParam<StyleChoice>,
    /// Where the off-beat eighth falls, in % of the beat: 50 straight, 58 a medium swing, 67
    /// triplets.
    #[id = "swing"]
    pub swing: FloatParam,
    /// Whether the Swing is played at every tempo or is the swing at 120 BPM, carried to the
    /// tempo by a curve (new instances follow the tempo; older projects load as Fixed).
    #[id = "swmode"]
    pub swing_mode: EnumParam<SwingModeChoice>,
    /// How much the accents of the dynamics rule move velocities, %.
    #[id = "dyn"]
    pub dynamics: FloatParam,
    /// Seeded variation of timing (up to 8 ms) and velocity (up to 12 %), %.
    #[id = "human"]
    pub humanize: FloatParam,
    /// How much of its last eighth a melody note sounds, %: 100 legato, 50 staccato.
    #[id = "gate"]
    pub gate: FloatParam,
    #[id = "voice"]
    pub voicing: EnumParam<VoicingChoice>,
    /// How much of the learned comping rhythm is played, % of bars: 0 holds pads.
    #[id = "comp"]
    pub comp: FloatParam,
    /// The bass moved by whole octaves.
    #[id = "bassoc"]
    pub bass_octave: IntParam,
    /// How intense the solo is, %: 0 the sparsest lines the band learned, 100 its busiest
    /// (a model trained with the intensity unit; louder and softer for any).
    #[id = "intens"]
    pub intensity: FloatParam,
    /// Raises the intensity to full over 2, 4 or 8 choruses and brings it back down, again and
    /// again.
    #[id = "build"]
    pub build: EnumParam<BuildChoice>,
    /// Trading with the player: bars per turn.
    #[id = "trade"]
    pub trade: EnumParam<TradeChoice>,
    #[id = "tradefirst"]
    pub trade_first: EnumParam<TradeFirst>,
    /// A turn the player leaves silent is filled by the plugin (else it waits).
    #[id = "tradefill"]
    pub trade_fill: BoolParam,
    /// Notes played in on this channel steer the bass; every other note played in is the
    /// melody, in any register (0: off, every note is the melody).
    #[id = "inbass"]
    pub bass_input_channel: IntParam,
    /// Where the chords come from: the learned form, the chart, or the chords played in.
    #[id = "harm"]
    pub harmony: EnumParam<HarmonyChoice>,
    /// The channel whose notes are the chords with Harmony = Chord input.
    #[id = "chinch"]
    pub chord_input_channel: IntParam,

    /// The user's own 12-bar choruses, saved with the project.
    #[persist = "corpus"]
    pub corpus: CorpusField,
    /// The model being played, saved with the project (empty for the built-in one).
    #[persist = "model"]
    pub model: ModelField,
    /// The chart the band follows with Harmony = Chart, as the user wrote it.
    #[persist = "chart"]
    pub chart: ChartField,
}

/// Range of the key (transpose) parameter, shared with the editor.
pub fn key_range() -> IntRange {
    IntRange::Linear { min: -12, max: 12 }
}

/// Range of the channel parameters, shared with the editor.
pub fn channel_range() -> IntRange {
    IntRange::Linear { min: 1, max: 16 }
}

/// Range of the velocity parameters, shared with the editor.
pub fn velocity_range() -> IntRange {
    IntRange::Linear { min: 1, max: 127 }
}

/// A percentage parameter (the feel's).
fn percent(name: &str, default: f32, min: f32, max: f32) -> FloatParam {
    FloatParam::new(name, default, FloatRange::Linear { min, max })
        .with_step_size(1.0)
        .with_unit(" %")
        .with_value_to_string(formatters::v2s_f32_rounded(0))
}

/// Range of the temperature parameter, shared with the editor.
pub fn temperature_range() -> FloatRange {
    FloatRange::Linear { min: 0.0, max: 2.0 }
}

/// Range of the seed parameter, shared with the editor.
pub fn seed_range() -> IntRange {
    IntRange::Linear { min: 0, max: 9_999 }
}

impl BluesParams {
    pub fn new(project: Arc<Project>) -> Self {
        Self {
            mode: EnumParam::new("Mode", ModeChoice::Improvise),
            temperature: FloatParam::new("Temperature", DEFAULT_TEMPERATURE, temperature_range())
                .with_step_size(0.01)
                .with_value_to_string(formatters::v2s_f32_rounded(2)),
            reseed: BoolParam::new("Reseed", false),
            retrain: BoolParam::new("Retrain", false),
            key: IntParam::new("Key", 0, key_range()).with_unit(" st"),
            seed: IntParam::new("Seed", 1, seed_range()),
            chords_on: BoolParam::new("Chords", true),
            melody_on: BoolParam::new("Melody", true),
            chord_channel: IntParam::new("Chord channel", 1, channel_range()),
            melody_channel: IntParam::new("Melody channel", 2, channel_range()),
            chord_velocity: IntParam::new("Chord velocity", 80, velocity_range()),
            melody_velocity: IntParam::new("Melody velocity", 100, velocity_range()),
            bass_on: BoolParam::new("Bass", true),
            bass_channel: IntParam::new("Bass channel", 3, channel_range()),
            bass_velocity: IntParam::new("Bass velocity", 96, velocity_range()),
            drums_on: BoolParam::new("Drums", true),
            drum_channel: IntParam::new("Drum channel", 10, channel_range()),
            drum_velocity: IntParam::new("Drum velocity", 90, velocity_range()),
            thru: BoolParam::new("MIDI thru", true),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
            style: EnumParam::new("Style", StyleChoice::DEFAULT),
            swing: percent("Swing", 58.0, 50.0, 75.0),
            swing_mode: EnumParam::new("Swing mode", SwingModeChoice::FollowsTempo),
            dynamics: percent("Dynamics", 60.0, 0.0, 100.0),
            humanize: percent("Humanize", 0.0, 0.0, 100.0),
            gate: percent("Gate", 90.0, 20.0, 100.0),
            voicing: EnumParam::new("Voicing", VoicingChoice::VoiceLed),
            comp: percent("Comping", 100.0, 0.0, 100.0),
            bass_octave: IntParam::new("Bass octave", 0, IntRange::Linear { min: -2, max: 2 }),
            intensity: percent("Intensity", 50.0, 0.0, 100.0),
            build: EnumParam::new("Build", BuildChoice::Off),
            trade: EnumParam::new("Trade", TradeChoice::Off),
            trade_first: EnumParam::new("Trade: first turn", TradeFirst::Player),
            trade_fill: BoolParam::new("Trade: fill silent turns", false),
            bass_input_channel: IntParam::new("Bass input channel", 0, IntRange::Linear { min: 0, max: 16 })
                .with_value_to_string(Arc::new(|v| if v <= 0 { "Off".to_string() } else { v.to_string() }))
                .with_string_to_value(Arc::new(|s| {
                    let s = s.trim();
                    if s.eq_ignore_ascii_case("off") {
                        Some(0)
                    } else {
                        s.parse().ok()
                    }
                })),
            harmony: EnumParam::new("Harmony", HarmonyChoice::Learned),
            chord_input_channel: IntParam::new("Chord input channel", 16, channel_range()),
            corpus: CorpusField(project.clone()),
            model: ModelField(project.clone()),
            chart: ChartField(project),
        }
    }

    /// The engine's view of the parameters, read once per block.
    pub fn settings(&self) -> Settings {
        Settings {
            mode: match self.mode.value() {
                ModeChoice::Improvise => Mode::Improvise,
                ModeChoice::Audition => Mode::Audition,
            },
            voices: VoiceSettings {
                parts: PerPart::from_fn(|part| {
                    let (on, channel, velocity) = match part {
                        Part::Chords | Part::Comp => (&self.chords_on, &self.chord_channel, &self.chord_velocity),
                        Part::Melody => (&self.melody_on, &self.melody_channel, &self.melody_velocity),
                        Part::Bass => (&self.bass_on, &self.bass_channel, &self.bass_velocity),
                        Part::Drums => (&self.drums_on, &self.drum_channel, &self.drum_velocity),
                    };
                    PartOutput {
                        on: on.value() && part != Part::Comp,
                        channel: (channel.value().clamp(1, 16) - 1) as u8,
                        velocity: velocity.value().clamp(1, 127) as f32 / 127.0,
                    }
                }),
                transpose: self.key.value().clamp(-12, 12) as i8,
                kit: KitMap::GeneralMidi,
            },
            thru: self.thru.value(),
            bypass: self.bypass.value(),
            seed: self.seed.value().max(0) as u64,
            temperature: self.temperature.value().clamp(0.0, 2.0),
            feel: self.feel(),
            intensity: Intensity {
                level: {
                    let v = self.intensity.value();
                    if v.is_finite() {
                        v.clamp(0.0, 100.0) / 100.0
                    } else {
                        0.5
                    }
                },
                build: match self.build.value() {
                    BuildChoice::Off => Build::Off,
                    BuildChoice::Two => Build::Over(2),
                    BuildChoice::Four => Build::Over(4),
                    BuildChoice::Eight => Build::Over(8),
                },
            },
            trade: Trade {
                bars: match self.trade.value() {
                    TradeChoice::Off => 0,
                    TradeChoice::Two => 2,
                    TradeChoice::Four => 4,
                    TradeChoice::Eight => 8,
                    TradeChoice::Twelve => 12,
                },
                player_first: self.trade_first.value() == TradeFirst::Player,
                fill: self.trade_fill.value(),
            },
            input: InputMap {
                bass_channel: match self.bass_input_channel.value() {
                    c @ 1..=16 => Some((c - 1) as u8),
                    _ => None,
                },
            },
            harmony: match self.harmony.value() {
                HarmonyChoice::Learned => HarmonySource::Learned,
                HarmonyChoice::Chart => HarmonySource::Chart,
                HarmonyChoice::ChordInput => HarmonySource::ChordInput,
            },
            chord_channel: (self.chord_input_channel.value().clamp(1, 16) - 1) as u8,
        }
    }

    /// The feel, from percentages to shares (out-of-range host values clamped).
    pub fn feel(&self) -> Feel {
        let share = |p: &FloatParam, min: f32, max: f32| {
            let v = p.value();
            if v.is_finite() {
                v.clamp(min, max) / 100.0
            } else {
                min / 100.0
            }
        };
        Feel {
            swing: share(&self.swing, 50.0, 75.0),
            swing_mode: match self.swing_mode.value() {
                SwingModeChoice::Fixed => SwingMode::Fixed,
                SwingModeChoice::FollowsTempo => SwingMode::FollowsTempo,
            },
            dynamics: share(&self.dynamics, 0.0, 100.0),
            humanize: share(&self.humanize, 0.0, 100.0),
            gate: share(&self.gate, 20.0, 100.0),
            voicing: match self.voicing.value() {
                VoicingChoice::VoiceLed => Voicing::VoiceLed,
                VoicingChoice::Shell => Voicing::Shell,
                VoicingChoice::AsLearned => Voicing::AsLearned,
            },
            comp: share(&self.comp, 0.0, 100.0),
            bass_octave: self.bass_octave.value().clamp(-2, 2) as i8,
        }
    }
}
