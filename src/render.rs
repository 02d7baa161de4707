//! Offline rendering: drives the real-time engine with a steady transport, block by block,
//! exactly as a host would, and collects what it plays in musical time. Used by the
//! command-line tool and eval's pictures. Any non-audio thread (it allocates the result).

use crate::engine::audition::Audition;
use crate::engine::clock::{self, BlockTransport};
use crate::engine::composer::Composer;
use crate::engine::improviser::Improviser;
use crate::engine::voices::{Touch, VoiceSettings, Voices};
use crate::engine::{Engine, InNote, MidiIo, NoteSink, OutNote, Settings};
use crate::model::Model;
use crate::music::corpus::Corpus;
use crate::music::encoding::{Form, Frame};
use crate::music::midi_file::TimedNote;

/// How to render.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderSpec {
    pub choruses: u32,
    pub tempo_bpm: f64,
    pub sample_rate: f32,
    /// Samples per block.
    pub block: u32,
}

impl Default for RenderSpec {
    fn default() -> Self {
        Self { choruses: 1, tempo_bpm: 120.0, sample_rate: 48_000.0, block: 512 }
    }
}

/// Collects one block's output, and hands the engine the notes played in during it.
struct Collect<'a> {
    notes: &'a mut Vec<TimedNote>,
    block_beats: f64,
    samples_per_beat: f64,
    samples: u32,
    /// Notes played in (time order), and the next one not yet handed over.
    played_in: &'a [TimedNote],
    next_in: &'a mut usize,
}

impl NoteSink for Collect<'_> {
    fn send(&mut self, note: OutNote) {
        self.notes.push(timed_note(note, self.block_beats + f64::from(note.timing) / self.samples_per_beat));
    }
}

/// A note the engine played, at `beats`, as a MIDI file holds it (velocity 1–127).
pub fn timed_note(note: OutNote, beats: f64) -> TimedNote {
    let velocity = (note.velocity * 127.0).round().clamp(1.0, 127.0) as u8;
    TimedNote { beats, channel: note.channel, key: note.key, velocity, on: note.on }
}

impl MidiIo for Collect<'_> {
    fn next_incoming(&mut self) -> Option<InNote> {
        let note = self.played_in.get(*self.next_in)?;
        let offset = ((note.beats - self.block_beats) * self.samples_per_beat).round().max(0.0);
        if offset >= f64::from(self.samples) {
            return None;
        }
        *self.next_in += 1;
        let velocity = f32::from(note.velocity) / 127.0;
        Some(InNote { timing: offset as u32, channel: note.channel & 15, key: note.key & 127, velocity, on: note.on })
    }
}

/// An engine that plays `model` (primed by its own primer, or chorus 0 of `corpus`) and
/// auditions `corpus`: what rendering a model needs.
pub fn model_engine(model: &Model, corpus: &Corpus) -> Result<Engine, String> {
    let improviser = Improviser::new(model, model.primer_or(corpus))?;
    Ok(Engine::new(Box::new(Composer::new(Audition::new(corpus.clone()), Some(improviser))), Default::default()))
}

/// Plays `spec.choruses` choruses from bar 1, then stops the transport so every note ends.
pub fn render(engine: &mut Engine, settings: &Settings, spec: &RenderSpec) -> Vec<TimedNote> {
    render_playing_in(engine, settings, spec, &[])
}

/// The same, with `played_in` (in time order, beats from the song's start) played into the
/// plugin as a musician would: they steer it, are traded with and pass through (MIDI thru).
pub fn render_playing_in(
    engine: &mut Engine,
    settings: &Settings,
    spec: &RenderSpec,
    played_in: &[TimedNote],
) -> Vec<TimedNote> {
    let mut next_in = 0;
    let tempo = spec.tempo_bpm.clamp(clock::MIN_TEMPO_BPM, clock::MAX_TEMPO_BPM);
    let samples_per_beat = f64::from(spec.sample_rate) * 60.0 / tempo;
    let steps = engine.form_for(settings).steps();
    let total_beats = f64::from(spec.choruses) * steps as f64 / clock::STEPS_PER_BEAT;
    let mut notes = Vec::new();
    let mut sample: u64 = 0;
    engine.reset();
    loop {
        let beats = sample as f64 / samples_per_beat;
        let playing = beats < total_beats;
        // The last block ends exactly at the end of the song, so no step of a next chorus starts.
        let left = ((total_beats * samples_per_beat).ceil() as u64).saturating_sub(sample);
        let samples = if playing { (spec.block as u64).min(left).max(1) as u32 } else { spec.block };
        let transport = BlockTransport {
            playing,
            tempo: Some(tempo),
            pos_beats: Some(beats),
            pos_samples: Some(sample as i64),
            pos_seconds: None,
            loop_range_beats: None,
            sample_rate: spec.sample_rate,
            samples,
        };
        let mut out = Collect {
            notes: &mut notes,
            block_beats: beats,
            samples_per_beat,
            samples,
            played_in,
            next_in: &mut next_in,
        };
        engine.process_block(&transport, settings, &mut out);
        if !playing {
            break;
        }
        sample += u64::from(samples);
    }
    // Notes released at the stop belong at the song's end.
    for note in notes.iter_mut() {
        note.beats = note.beats.min(total_beats);
    }
    notes
}

/// Collects the voices' notes; a note's timing is its step, so its beat is timing / 2.
struct ByStep(Vec<TimedNote>);

impl NoteSink for ByStep {
    fn send(&mut self, note: OutNote) {
        self.0.push(timed_note(note, f64::from(note.timing) / clock::STEPS_PER_BEAT));
    }
}

/// The notes `settings`' voices play for `frames` (from bar 1 of `form`), on the straight grid
/// from beat 0, every note ended; the chords struck by the frames' comping where `comping`,
/// else as pads, voiced as learned.
pub fn frames_to_notes(frames: &[Frame], form: Form, comping: bool, settings: &VoiceSettings) -> Vec<TimedNote> {
    let (mut voices, mut out) = (Voices::default(), ByStep(Vec::new()));
    for (step, frame) in frames.iter().enumerate() {
        let touch = Touch::plain(frame, settings, 48, comping);
        voices.play_step(step as u32, form.step_in_bar(step as i64), *frame, settings, &touch, &mut out);
    }
    voices.release_all(frames.len() as u32, &mut out);
    out.0
}
