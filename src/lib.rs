//! Blues LSTM: a MIDI generator plugin that improvises 12-bar bebop blues, after Eck &
//! Schmidhuber 2002. This file is the plugin shell only: it translates between the host
//! (nice-plug) and the plain-Rust engine. Everything musical lives in `engine`, `lstm`, `music`.

pub mod audio_render;
pub mod editor;
pub mod engine;
pub mod eval;
pub mod lstm;
pub mod model;
pub mod music;
pub mod params;
pub mod project;
pub mod render;
pub mod take;
pub mod training;

use engine::capture::CaptureShared;
use engine::clock::BlockTransport;
use engine::composer::Composer;
use engine::display::Display;
use engine::handoff::Handoff;
use engine::{Engine, InNote, MidiIo, NoteSink, OutNote};
use nice_plug::midi::{Channel, Key, VoiceID};
use nice_plug::plugin::ParamValue;
use nice_plug::prelude::*;
use params::BluesParams;
use project::Project;
use std::sync::Arc;
use training::Training;

/// The plugin instance.
pub struct BluesLstm {
    params: Arc<BluesParams>,
    /// The user's corpus and the model played; shared with the editor, the state and the trainer.
    project: Arc<Project>,
    /// New composers on their way to the audio thread.
    handoff: Arc<Handoff<Composer>>,
    /// The background retraining job.
    training: Arc<Training>,
    /// The Reseed and Retrain parameters' values at the last block, to catch their rising edges;
    /// `None` until the first block, so a button saved pressed does not fire on load.
    buttons_were: Option<(bool, bool)>,
    /// The built-in model the Style parameter last asked for.
    builtin_asked: Option<usize>,
    /// Reseeds so far; mixed into the seed (audio thread).
    reseeds: u64,
    /// What the editor shows of the music; written by the audio thread.
    display: Arc<Display>,
    /// Asks the editor to repaint when the music moved (a relaxed atomic store: real-time safe).
    repaint: nice_plug_egui::RepaintNotifier,
    /// Steps the display had recorded at the last repaint request.
    repainted_at: u64,
    /// The editor window's size, kept while the window is closed.
    editor_state: Arc<nice_plug_egui::EguiEditorState>,
    /// The real-time engine; audio thread only.
    engine: Engine,
    /// Sample rate from `activate`, used when the host's transport has none.
    sample_rate: f32,
    /// Realtime, buffered or offline (a bounce), from `activate`: an offline render may wait for
    /// a new style to be built, a real-time one never does.
    process_mode: ProcessMode,
}

impl Default for BluesLstm {
    fn default() -> Self {
        let display = Arc::new(Display::default());
        let handoff = Arc::new(Handoff::default());
        let capture = Arc::new(CaptureShared::default());
        let project = Project::new(handoff.clone(), capture.clone());
        let engine = Engine::with_capture(project.composer(), display.clone(), capture);
        project.connect_charts(engine.charts());
        Self {
            params: Arc::new(BluesParams::new(project.clone())),
            engine,
            training: Training::new(Some(project.clone())),
            project,
            handoff,
            buttons_were: None,
            builtin_asked: None,
            reseeds: 0,
            display,
            repaint: nice_plug_egui::RepaintNotifier::new(),
            repainted_at: 0,
            editor_state: editor::default_state(),
            sample_rate: 48_000.0,
            process_mode: ProcessMode::Realtime,
        }
    }
}

impl BluesLstm {
    /// The engine, for tests and displays.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// What the plugin has played lately, as the editor sees it.
    pub fn display(&self) -> Arc<Display> {
        self.display.clone()
    }

    /// The user's corpus and the model, as the editor and the state see them.
    pub fn project(&self) -> Arc<Project> {
        self.project.clone()
    }

    /// The background retraining job.
    pub fn training(&self) -> Arc<Training> {
        self.training.clone()
    }

    /// What the parameters ask the engine for now.
    pub fn settings(&self) -> engine::Settings {
        self.params.settings()
    }
}

/// The longest an offline render waits for a new style's band to be built (it takes
/// milliseconds; the bound only keeps a host from hanging if the worker is gone).
const OFFLINE_STYLE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Adapts nice-plug's process context to the engine's [`MidiIo`].
struct HostIo<'a, C> {
    context: &'a mut C,
}

impl<C: ProcessContext<BluesLstm>> NoteSink for HostIo<'_, C> {
    fn send(&mut self, note: OutNote) {
        let (timing, channel, key) = (note.timing, Channel::Number(note.channel), Key::Number(note.key));
        let voice_id = VoiceID::Wildcard;
        let event = if note.on {
            NoteEvent::NoteOn { timing, voice_id, channel, key, velocity: note.velocity }
        } else {
            NoteEvent::NoteOff { timing, voice_id, channel, key, velocity: note.velocity }
        };
        // NOTE: a full host queue drops the event; nothing better can be done without allocating.
        let _ = self.context.try_send_event(event);
    }
}

impl<C: ProcessContext<BluesLstm>> MidiIo for HostIo<'_, C> {
    fn next_incoming(&mut self) -> Option<InNote> {
        loop {
            let (timing, channel, key, velocity, on) = match self.context.next_event()? {
                NoteEvent::NoteOn { timing, channel, key, velocity, .. } => (timing, channel, key, velocity, true),
                NoteEvent::NoteOff { timing, channel, key, velocity, .. } => (timing, channel, key, velocity, false),
                _ => continue,
            };
            let Some(key) = key.number().filter(|&k| k < 128) else {
                continue;
            };
            // A NoteOn with velocity 0 is a NoteOff in MIDI.
            let on = on && velocity > 0.0;
            let channel = channel.number().unwrap_or(0).min(15);
            return Some(InNote { timing, channel, key, velocity: velocity.clamp(0.0, 1.0), on });
        }
    }
}

impl Plugin for BluesLstm {
    const NAME: &'static str = "Blues LSTM";
    const VENDOR: &'static str = "blues_lstm";
    const URL: &'static str = "https://example.invalid/blues_lstm";
    const EMAIL: &'static str = "dev@blues-lstm.invalid";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    // MIDI in, MIDI out, no audio.
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[];
    const MIDI_INPUT: MidiConfig = MidiConfig::Basic;
    const MIDI_OUTPUT: MidiConfig = MidiConfig::Basic;
    // Note storms from a host: the engine handles thousands per block.
    const INPUT_EVENT_CAPACITY: usize = 8192;

    type Editor = nice_plug_egui::EguiEditor<editor::BluesEditor>;
    type SysExMessage = ();
    type BackgroundTask = ();

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn filter_state(state: &mut PluginState) {
        // NOTE: nice-plug saves every parameter with the project, so a saved state without one
        // was saved by a version that did not have it (loading leaves a missing parameter as it
        // is: at its default in a new instance). Such a state gets the value that version played.
        if !state.params.contains_key("swmode") {
            // Saved before Swing could follow the tempo: its Swing plays at every tempo, as it did.
            state.params.insert("swmode".to_string(), ParamValue::String("fixed".to_string()));
        }
        if !state.params.contains_key("style") {
            // Saved before the band: it keeps playing as it did, the paper's model straight,
            // flat and legato, chords as learned.
            for (id, value) in [
                ("style", ParamValue::String("exp2".to_string())),
                ("swing", ParamValue::F32(50.0)),
                ("dyn", ParamValue::F32(0.0)),
                ("gate", ParamValue::F32(100.0)),
                ("voice", ParamValue::String("lrn".to_string())),
            ] {
                state.params.entry(id.to_string()).or_insert(value);
            }
        }
        // A saved field that is not even a JSON string would be dropped by the framework without
        // a word: hand it to our own field, which reports it and keeps its text.
        for key in ["corpus", "model", "chart"] {
            if let Some(raw) = state.fields.get_mut(key) {
                if serde_json::from_str::<String>(raw).is_err() {
                    let marked = format!("{}{raw}", project::UNREADABLE_MARK);
                    *raw = serde_json::to_string(&marked).unwrap_or_default();
                }
            }
        }
    }

    fn editor(&mut self, _executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        let shared = editor::Shared {
            params: self.params.clone(),
            display: self.display.clone(),
            project: self.project.clone(),
            training: self.training.clone(),
            handoff: self.handoff.clone(),
        };
        editor::create(shared, self.editor_state.clone(), self.repaint.clone())
    }

    fn activate(
        &mut self,
        _layout: &AudioIOLayout,
        config: &BufferConfig,
        _context: &mut impl ActivateContext<Self>,
    ) -> bool {
        self.sample_rate = config.sample_rate;
        self.process_mode = config.process_mode;
        // The style saved is the style that plays from the first note: build its band here, where
        // allocating is allowed, instead of on the worker once the music has started.
        let builtin = self.params.style.value().builtin_index();
        self.builtin_asked = Some(builtin);
        self.training.apply_builtin_now(builtin);
        self.engine.adopt(&self.handoff);
        true
    }

    fn reset(&mut self) {
        self.engine.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let host = context.transport();
        let sample_rate = if host.sample_rate > 0.0 { host.sample_rate } else { self.sample_rate };
        let transport = BlockTransport {
            playing: host.playing,
            tempo: host.tempo,
            // The host's own fields, not nice-plug's derived positions: the clock weighs them.
            pos_beats: host.pos_beats,
            pos_samples: host.pos_samples,
            pos_seconds: host.pos_seconds,
            loop_range_beats: host.loop_range_beats,
            sample_rate,
            samples: buffer.samples() as u32,
        };
        let mut settings = self.params.settings();
        let buttons = (self.params.reseed.value(), self.params.retrain.value());
        let (reseed_was, retrain_was) = self.buttons_were.unwrap_or(buttons);
        self.buttons_were = Some(buttons);
        if buttons.0 && !reseed_was {
            self.reseeds += 1;
        }
        if buttons.1 && !retrain_was {
            // Wakes the training worker: two atomic stores and a futex wake, nothing waits.
            self.training.request(settings.seed);
        }
        let builtin = self.params.style.value().builtin_index();
        if self.builtin_asked != Some(builtin) {
            self.builtin_asked = Some(builtin);
            self.training.request_builtin(builtin);
            if self.process_mode == ProcessMode::Offline {
                // A bounce may wait: the new style plays from this block, as it would have had
                // the render run in real time (where it arrives within a few blocks).
                self.training.wait_for_builtin(OFFLINE_STYLE_WAIT);
            }
        }
        if self.reseeds > 0 {
            settings.seed = lstm::rng::mix(settings.seed, self.reseeds);
        }
        self.engine.adopt(&self.handoff);
        self.engine.process_block(&transport, &settings, &mut HostIo { context });
        let recorded = self.display.recorded();
        if recorded != self.repainted_at {
            self.repainted_at = recorded;
            self.repaint.request_repaint();
        }
        // A MIDI-only plugin is always "quiet": anything but KeepAlive lets a host stop calling
        // process() (CLAP's CONTINUE_IF_NOT_QUIET, a VST3 tail of 0), and the music with it.
        ProcessStatus::KeepAlive
    }
}

impl Drop for BluesLstm {
    fn drop(&mut self) {
        // No thread may run this library's code once the host has destroyed the instance (it may
        // unload the library next): a retrain in progress is cancelled and joined here.
        self.training.shut_down();
    }
}

impl ClapPlugin for BluesLstm {
    const CLAP_ID: &'static str = "org.blues-lstm.blues-lstm";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Improvises 12-bar bebop blues with an LSTM (Eck & Schmidhuber 2002)");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[ClapFeature::NoteEffect, ClapFeature::Utility];
}

impl Vst3Plugin for BluesLstm {
    const VST3_CLASS_ID: [u8; 16] = *b"BluesLstmEckSchm";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[Vst3SubCategory::Instrument, Vst3SubCategory::Generator];
}

nice_export_clap!(BluesLstm);
nice_export_vst3!(BluesLstm);
