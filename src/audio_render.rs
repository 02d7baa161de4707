//! Hearing a take without a DAW: its MIDI events played through a General MIDI SoundFont with
//! the pure-Rust `rustysynth` synthesizer, into a 44.1 kHz 16-bit stereo WAV file. The events
//! are the very list `blues-lstm render` writes to its .mid ([`TimedNote`]s in beats at one
//! tempo); each becomes a note on or off at its sample. Any non-audio thread (it allocates and
//! reads files); nothing musical is decided here.

use crate::engine::voices::VoiceSettings;
use crate::music::midi_file::TimedNote;
use crate::music::part::Part;
use rustysynth::{SoundFont, Synthesizer, SynthesizerSettings};
use std::path::Path;
use std::sync::Arc;

/// The SoundFont used when none is named: FluidR3 GM, from Debian's `fluid-soundfont-gm`.
pub const DEFAULT_SOUNDFONT: &str = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
/// The Debian package that installs [`DEFAULT_SOUNDFONT`].
pub const SOUNDFONT_PACKAGE: &str = "fluid-soundfont-gm";
/// The WAV's sample rate (CD quality).
pub const SAMPLE_RATE: u32 = 44_100;
/// Rendered after the song's end so the last notes' release and the reverb die away, seconds.
pub const TAIL_SECONDS: f64 = 1.0;
/// The synthesizer's block, in samples: events take effect at the next block boundary, so this
/// is how late (at most) a note can sound, 0.18 ms at 44.1 kHz. The smallest rustysynth allows.
const SYNTH_BLOCK: usize = 8;

/// The General MIDI program (0–127) each MIDI channel plays (channel 10, the drums, is the
/// synthesizer's percussion channel whatever its program).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instruments(pub [u8; 16]);

impl Default for Instruments {
    /// Acoustic grand piano everywhere.
    fn default() -> Self {
        Self([0; 16])
    }
}

impl Instruments {
    /// General MIDI's acoustic grand piano.
    pub const PIANO: u8 = 0;
    /// General MIDI's tenor sax.
    pub const TENOR_SAX: u8 = 66;
    /// General MIDI's acoustic bass.
    pub const ACOUSTIC_BASS: u8 = 32;

    /// The band's parts on their channels: the piano's chords, a tenor sax's lines, an acoustic
    /// bass (the drums are the percussion channel's kit); every other channel a piano.
    pub fn band(voices: &VoiceSettings) -> Self {
        let mut programs = Self::default();
        for (part, program) in
            [(Part::Chords, Self::PIANO), (Part::Melody, Self::TENOR_SAX), (Part::Bass, Self::ACOUSTIC_BASS)]
        {
            programs.0[usize::from(voices.channel(part).min(15))] = program;
        }
        programs
    }
}

/// Reads a SoundFont. A missing default SoundFont says which package installs it.
pub fn load_soundfont(path: &Path) -> Result<Arc<SoundFont>, String> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => std::io::BufReader::new(file),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "no SoundFont at {}: install Debian's {SOUNDFONT_PACKAGE} package (`sudo apt-get install {SOUNDFONT_PACKAGE}`) for {DEFAULT_SOUNDFONT}, or name another General MIDI .sf2 with --soundfont",
                path.display()
            ))
        }
        Err(e) => return Err(format!("cannot read the SoundFont {}: {e}", path.display())),
    };
    SoundFont::new(&mut file)
        .map(Arc::new)
        .map_err(|e| format!("{} is not a SoundFont rustysynth can read: {e}", path.display()))
}

/// A stereo recording at [`SAMPLE_RATE`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stereo {
    pub left: Vec<f32>,
    pub right: Vec<f32>,
}

impl Stereo {
    pub fn len(&self) -> usize {
        self.left.len()
    }

    pub fn is_empty(&self) -> bool {
        self.left.is_empty()
    }
}

/// The sample (at [`SAMPLE_RATE`]) of song position `beats` at `tempo_bpm`.
pub fn sample_at(beats: f64, tempo_bpm: f64) -> u64 {
    (beats.max(0.0) * 60.0 / tempo_bpm * f64::from(SAMPLE_RATE)).round() as u64
}

/// Plays `notes` (in time order, beats at `tempo_bpm`, as [`crate::render`] collects them)
/// through `font` until `end_beats`, then [`TAIL_SECONDS`] more; each channel plays its program
/// from `instruments`. Notes still held at the end are released there.
pub fn synthesize(
    notes: &[TimedNote],
    tempo_bpm: f64,
    end_beats: f64,
    font: &Arc<SoundFont>,
    instruments: &Instruments,
) -> Result<Stereo, String> {
    let mut settings = SynthesizerSettings::new(SAMPLE_RATE as i32);
    settings.block_size = SYNTH_BLOCK;
    // A band's chords, melody, bass and drums with their release tails overlap.
    settings.maximum_polyphony = 256;
    let mut synth = Synthesizer::new(font, &settings).map_err(|e| format!("the synthesizer: {e}"))?;
    for (channel, &program) in instruments.0.iter().enumerate() {
        // Program change: 0xC0.
        synth.process_midi_message(channel as i32, 0xC0, i32::from(program.min(127)), 0);
    }
    let end = sample_at(end_beats, tempo_bpm);
    let total = end + (TAIL_SECONDS * f64::from(SAMPLE_RATE)).round() as u64;
    let mut out = Stereo { left: vec![0.0; total as usize], right: vec![0.0; total as usize] };
    let mut done = 0usize;
    let mut render_to = |synth: &mut Synthesizer, sample: u64, done: &mut usize| {
        let to = (sample.min(total) as usize).max(*done);
        synth.render(&mut out.left[*done..to], &mut out.right[*done..to]);
        *done = to;
    };
    for note in notes {
        render_to(&mut synth, sample_at(note.beats, tempo_bpm).min(end), &mut done);
        let (channel, key) = (i32::from(note.channel.min(15)), i32::from(note.key.min(127)));
        if note.on {
            synth.note_on(channel, key, i32::from(note.velocity.clamp(1, 127)));
        } else {
            synth.note_off(channel, key);
        }
    }
    render_to(&mut synth, end, &mut done);
    synth.note_off_all(false);
    render_to(&mut synth, total, &mut done);
    // Loud passages of the whole band may pass full scale: brought down together, never clipped.
    let peak = out.left.iter().chain(&out.right).fold(0.0f32, |m, x| m.max(x.abs()));
    if peak > 0.99 {
        let gain = 0.99 / peak;
        out.left.iter_mut().chain(out.right.iter_mut()).for_each(|x| *x *= gain);
    }
    Ok(out)
}

/// A 16-bit PCM stereo WAV file of `audio` at [`SAMPLE_RATE`] (RIFF header written here).
pub fn wav_bytes(audio: &Stereo) -> Vec<u8> {
    let frames = audio.len() as u32;
    let (channels, bits) = (2u16, 16u16);
    let block_align = channels * bits / 8;
    let data_len = frames * u32::from(block_align);
    let mut bytes = Vec::with_capacity(44 + data_len as usize);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVE");
    bytes.extend_from_slice(b"fmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&channels.to_le_bytes());
    bytes.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    bytes.extend_from_slice(&(SAMPLE_RATE * u32::from(block_align)).to_le_bytes());
    bytes.extend_from_slice(&block_align.to_le_bytes());
    bytes.extend_from_slice(&bits.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    let pcm = |x: f32| ((x.clamp(-1.0, 1.0) * 32767.0).round() as i16).to_le_bytes();
    for (l, r) in audio.left.iter().zip(&audio.right) {
        bytes.extend_from_slice(&pcm(*l));
        bytes.extend_from_slice(&pcm(*r));
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wav_header_says_what_follows() {
        let audio = Stereo { left: vec![0.0, 1.0, -1.0], right: vec![0.5, 0.0, 2.0] };
        let wav = wav_bytes(&audio);
        assert_eq!(wav.len(), 44 + 3 * 4);
        assert_eq!(&wav[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(wav[4..8].try_into().unwrap()), wav.len() as u32 - 8);
        assert_eq!(&wav[8..16], b"WAVEfmt ");
        assert_eq!(u16::from_le_bytes([wav[22], wav[23]]), 2, "stereo");
        assert_eq!(u32::from_le_bytes(wav[24..28].try_into().unwrap()), 44_100);
        assert_eq!(u16::from_le_bytes([wav[34], wav[35]]), 16, "16-bit");
        assert_eq!(&wav[36..40], b"data");
        assert_eq!(u32::from_le_bytes(wav[40..44].try_into().unwrap()), 12);
        let samples: Vec<i16> = wav[44..].chunks(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
        assert_eq!(samples, [0, 16384, 32767, 0, -32767, 32767], "interleaved, clipped at full scale");
    }

    #[test]
    fn a_missing_soundfont_names_the_package() {
        let err = load_soundfont(Path::new("/nonexistent/FluidR3_GM.sf2")).unwrap_err();
        assert!(err.contains(SOUNDFONT_PACKAGE) && err.contains("/nonexistent/FluidR3_GM.sf2"), "{err}");
    }

    #[test]
    fn beats_become_samples_at_the_tempo() {
        assert_eq!(sample_at(0.0, 120.0), 0);
        assert_eq!(sample_at(2.0, 120.0), 44_100);
        assert_eq!(sample_at(1.0, 60.0), 44_100);
        assert_eq!(sample_at(-1.0, 60.0), 0);
    }
}
