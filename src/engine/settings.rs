//! Everything the engine reads from the plugin's parameters, as plain values (the shell and the
//! command line fill it; the engine never sees a parameter).

use super::feel::Feel;
use super::harmony::HarmonySource;
use super::input_map::InputMap;
use super::intensity::Intensity;
use super::trade::Trade;
use super::voices::VoiceSettings;

/// What the composer plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The LSTM improvises (falls back to audition when no model is loaded).
    Improvise,
    /// Play the training choruses themselves.
    Audition,
}

/// The melody's default temperature: the band's lines keep their chord tones on the strong
/// beats as the corpus does (at 1, as the paper sampled, 66 % against the corpus's 79 %).
pub const DEFAULT_TEMPERATURE: f32 = 0.7;

/// Everything the engine reads from the plugin's parameters, as plain values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    pub mode: Mode,
    pub voices: VoiceSettings,
    /// Pass incoming notes through to the output.
    pub thru: bool,
    /// The host's bypass: nothing is played (every sounding note released), what comes in
    /// passes through, and the form keeps counting so the music resumes in its bar.
    pub bypass: bool,
    /// Seed of the composer's random choices.
    pub seed: u64,
    /// Melody temperature: 0 plays the likeliest note, 1 samples as the paper did.
    pub temperature: f32,
    /// How the band plays what the network chooses.
    pub feel: Feel,
    /// How intense the solo is, and whether it builds.
    pub intensity: Intensity,
    /// Turns with the player, if trading.
    pub trade: Trade,
    /// Which part the notes played in live steer.
    pub input: InputMap,
    /// Where the chords come from: the learned form, the chart, or the chords played in.
    pub harmony: HarmonySource,
    /// The channel (0–15) whose notes are the chords, with `HarmonySource::ChordInput`.
    pub chord_channel: u8,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            mode: Mode::Improvise,
            voices: VoiceSettings::default(),
            thru: true,
            bypass: false,
            seed: 1,
            temperature: DEFAULT_TEMPERATURE,
            feel: Feel::default(),
            intensity: Intensity::default(),
            trade: Trade::OFF,
            input: InputMap::default(),
            harmony: HarmonySource::Learned,
            chord_channel: 15,
        }
    }
}
