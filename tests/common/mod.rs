//! A fake host for offline render tests: drives the real `Plugin::process` block by block with a
//! transport it controls, records every event with its absolute sample and song position, and
//! checks what a listener would notice. Every block runs under `assert_no_alloc`.
#![allow(dead_code)]

pub mod analysis;

use blues_lstm::BluesLstm;
use nice_plug::context::process::SendEventError;
use nice_plug::midi::{Channel, Key, VoiceID};
use nice_plug::prelude::*;
use std::collections::VecDeque;

/// One note event the plugin sent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recorded {
    /// Absolute sample since the session started.
    pub sample: u64,
    /// Song position of that sample, in beats.
    pub beats: f64,
    /// Samples per beat when it was sent.
    pub samples_per_beat: f64,
    /// The host's tempo (BPM) in the block that sent it: the swing following the tempo is this
    /// tempo's.
    pub tempo: f64,
    /// Song position of the sample just before it (−∞ right after a seek or start).
    pub previous_sample_beats: f64,
    /// Offset inside its block, and the block's number.
    pub timing: u32,
    pub block: u64,
    pub channel: u8,
    pub key: u8,
    pub velocity: f32,
    pub on: bool,
}

struct Context<'a> {
    transport: Transport,
    incoming: &'a mut VecDeque<PluginNoteEvent<BluesLstm>>,
    outgoing: &'a mut Vec<PluginNoteEvent<BluesLstm>>,
}

impl ProcessContext<BluesLstm> for Context<'_> {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    fn execute_background(&self, _task: ()) {}
    fn execute_gui(&self, _task: ()) {}
    fn transport(&self) -> &Transport {
        &self.transport
    }
    fn next_event(&mut self) -> Option<PluginNoteEvent<BluesLstm>> {
        self.incoming.pop_front()
    }
    fn try_send_event(
        &mut self,
        event: PluginNoteEvent<BluesLstm>,
    ) -> Result<(), (PluginNoteEvent<BluesLstm>, SendEventError)> {
        if self.outgoing.len() == self.outgoing.capacity() {
            return Err((event, SendEventError::HostBufferFull));
        }
        self.outgoing.push(event);
        Ok(())
    }
    fn set_latency_samples(&self, _samples: u32) {}
    fn request_restart(&self) {}
    fn set_current_voice_capacity(&self, _capacity: u32) {}
}

/// What the fake host tells the plugin about its transport.
#[derive(Clone, Copy, Debug)]
pub struct HostTransport {
    pub playing: bool,
    pub tempo: Option<f64>,
    /// Song position in beats; `None` hides it from the plugin (the session still tracks it).
    pub give_position: bool,
    pub loop_range_beats: Option<(f64, f64)>,
    /// Report beats rounded to a multiple of this (Ardour 7 rounds to 1/1920 of a quarter).
    pub beats_rounding: Option<f64>,
    /// Also give the exact sample position (as VST3 hosts do).
    pub give_samples: bool,
}

/// A host session: one plugin instance, a transport, a record of everything sent.
pub struct Session {
    pub plugin: BluesLstm,
    pub sample_rate: f32,
    pub transport: HostTransport,
    /// Song position of the next block, in beats: counted from `anchor` (the last seek or tempo
    /// change) in whole samples, so a long session never drifts off the sample grid.
    pub pos_beats: f64,
    /// (song position in beats, samples per beat, samples since) of the count.
    anchor: (f64, f64, u64),
    /// Absolute samples processed.
    pub sample: u64,
    pub blocks: u64,
    /// Song position of the last sample of the previous block (−∞ after a seek).
    last_sample_beats: f64,
    pub events: Vec<Recorded>,
    /// Whether to keep `events` (benches turn it off so memory stays flat).
    pub record: bool,
    /// Notes to send into the plugin: (absolute sample, channel, key, on).
    pub to_send: VecDeque<(u64, u8, u8, bool)>,
    /// Behave as a CLAP host that saves CPU: after a block whose status lets it (anything but
    /// KeepAlive, for a plugin without audio output), stop calling `process()` until a note is
    /// sent in. Time goes on meanwhile.
    pub sleepy: bool,
    /// Whether the sleepy host has put the plugin to sleep, and blocks skipped so.
    pub asleep: bool,
    pub skipped_blocks: u64,
    /// Realtime or offline (a bounce).
    pub process_mode: ProcessMode,
    incoming: VecDeque<PluginNoteEvent<BluesLstm>>,
    outgoing: Vec<PluginNoteEvent<BluesLstm>>,
}

impl Session {
    /// A session whose plugin plays the paper's Exp 2: one chord a bar, quarter notes, a form
    /// every test knows by heart; most tests probe the host's timing with it.
    pub fn new(sample_rate: f32, tempo: f64) -> Self {
        Self::with_process_mode(sample_rate, tempo, ProcessMode::Realtime)
    }

    /// A session whose plugin is as a user first loads it: the default band.
    pub fn band(sample_rate: f32, tempo: f64) -> Self {
        Self::style(sample_rate, tempo, 0)
    }

    /// A session whose plugin plays built-in band `builtin` (an index into `BUILTINS`, the
    /// Style menu's order), chosen before activation as a host restoring a project does.
    pub fn style(sample_rate: f32, tempo: f64, builtin: usize) -> Self {
        Self::with_style_and_mode(sample_rate, tempo, builtin, ProcessMode::Realtime)
    }

    /// A session whose host processes in `process_mode` (Offline: a bounce).
    pub fn with_process_mode(sample_rate: f32, tempo: f64, process_mode: ProcessMode) -> Self {
        Self::with_style_and_mode(sample_rate, tempo, PAPER_EXP2, process_mode)
    }

    /// Style `builtin`, set before activation, and `process_mode`.
    pub fn with_style_and_mode(sample_rate: f32, tempo: f64, builtin: usize, process_mode: ProcessMode) -> Self {
        let mut plugin = BluesLstm::default();
        set_plain(&plugin, "style", builtin as f32);
        let config = BufferConfig { sample_rate, min_buffer_size: Some(1), max_buffer_size: 8192, process_mode };
        assert!(plugin.activate(&AudioIOLayout::default(), &config, &mut NoActivate));
        plugin.reset();
        Self {
            plugin,
            sample_rate,
            transport: HostTransport {
                playing: true,
                tempo: Some(tempo),
                give_position: true,
                loop_range_beats: None,
                beats_rounding: None,
                give_samples: false,
            },
            pos_beats: 0.0,
            anchor: (0.0, 0.0, 0),
            sample: 0,
            blocks: 0,
            last_sample_beats: f64::NEG_INFINITY,
            events: Vec::new(),
            record: true,
            to_send: VecDeque::new(),
            sleepy: false,
            asleep: false,
            skipped_blocks: 0,
            process_mode,
            incoming: VecDeque::with_capacity(1 << 16),
            outgoing: Vec::with_capacity(1 << 16),
        }
    }

    pub fn tempo(&self) -> f64 {
        self.transport.tempo.filter(|t| *t > 0.0).unwrap_or(120.0).clamp(20.0, 999.0)
    }

    pub fn samples_per_beat(&self) -> f64 {
        f64::from(self.sample_rate) * 60.0 / self.tempo()
    }

    /// Runs one block of `samples` samples.
    pub fn block(&mut self, samples: u32) {
        let (spb, tempo) = (self.samples_per_beat(), self.tempo());
        let mut transport = Transport::new(self.sample_rate);
        transport.playing = self.transport.playing;
        transport.tempo = self.transport.tempo;
        transport.time_sig_numerator = Some(4);
        transport.time_sig_denominator = Some(4);
        if self.transport.give_position {
            transport.pos_beats = Some(match self.transport.beats_rounding {
                Some(r) => (self.pos_beats / r).round() * r,
                None => self.pos_beats,
            });
            if self.transport.give_samples {
                transport.pos_samples = Some((self.pos_beats * spb).round() as i64);
            }
        }
        transport.loop_range_beats = self.transport.loop_range_beats;

        while let Some(&(at, channel, key, on)) = self.to_send.front() {
            if at >= self.sample + u64::from(samples) {
                break;
            }
            self.to_send.pop_front();
            let timing = at.saturating_sub(self.sample) as u32;
            let (channel, key, voice_id) = (Channel::Number(channel), Key::Number(key), VoiceID::Wildcard);
            self.incoming.push_back(if on {
                NoteEvent::NoteOn { timing, voice_id, channel, key, velocity: 0.8 }
            } else {
                NoteEvent::NoteOff { timing, voice_id, channel, key, velocity: 0.0 }
            });
        }

        if self.asleep && !self.incoming.is_empty() {
            self.asleep = false; // a note wakes a sleeping plugin
        }
        if self.asleep {
            self.skipped_blocks += 1;
        } else {
            let mut buffer = Buffer::default();
            unsafe { buffer.set_slices(samples as usize, |_| {}) };
            let mut aux = AuxiliaryBuffers { inputs: &mut [], outputs: &mut [] };
            let mut context = Context { transport, incoming: &mut self.incoming, outgoing: &mut self.outgoing };
            let plugin = &mut self.plugin;
            let status = nice_assert_no_alloc::assert_no_alloc(|| plugin.process(&mut buffer, &mut aux, &mut context));
            // No audio output means always quiet: only KeepAlive keeps a saving host calling.
            self.asleep = self.sleepy && status != ProcessStatus::KeepAlive;
            self.incoming.clear();
        }

        if !self.record {
            self.outgoing.clear();
        }
        for event in self.outgoing.drain(..) {
            let (timing, channel, key, velocity, on) = match event {
                NoteEvent::NoteOn { timing, channel, key, velocity, .. } => (timing, channel, key, velocity, true),
                NoteEvent::NoteOff { timing, channel, key, velocity, .. } => (timing, channel, key, velocity, false),
                other => panic!("unexpected event {other:?}"),
            };
            assert!(timing < samples.max(1), "event at {timing} outside a block of {samples}");
            self.events.push(Recorded {
                sample: self.sample + u64::from(timing),
                beats: self.pos_beats + f64::from(timing) / spb,
                samples_per_beat: spb,
                tempo,
                previous_sample_beats: if timing == 0 {
                    self.last_sample_beats
                } else {
                    self.pos_beats + f64::from(timing - 1) / spb
                },
                timing,
                block: self.blocks,
                channel: channel.number().unwrap(),
                key: key.number().unwrap(),
                velocity,
                on,
            });
        }
        self.blocks += 1;
        self.sample += u64::from(samples);
        if self.transport.playing && samples > 0 {
            self.last_sample_beats = self.pos_beats + f64::from(samples - 1) / spb;
            if self.anchor.1 != spb || self.anchor.0 + self.anchor.2 as f64 / spb != self.pos_beats {
                self.anchor = (self.pos_beats, spb, 0); // a seek or a new tempo: count from here
            }
            self.anchor.2 += u64::from(samples);
            self.pos_beats = self.anchor.0 + self.anchor.2 as f64 / spb;
        } else {
            self.last_sample_beats = f64::NEG_INFINITY;
        }
    }

    /// Plays until the song position reaches `beats`, in blocks chosen by `block_size`.
    pub fn play_until(&mut self, beats: f64, mut block_size: impl FnMut() -> u32) {
        self.transport.playing = true;
        // Stop within a millionth of a sample of the target, so float sums never add a block.
        while (beats - self.pos_beats) * self.samples_per_beat() > 1e-6 {
            let left = ((beats - self.pos_beats) * self.samples_per_beat()).round().max(1.0) as u32;
            self.block(block_size().clamp(1, 8192).min(left));
        }
    }

    /// Stops the transport for one block (the plugin must release everything).
    pub fn stop(&mut self, samples: u32) {
        self.transport.playing = false;
        self.block(samples);
    }

    /// Moves the song position (a seek or a loop jump).
    pub fn seek(&mut self, beats: f64) {
        self.pos_beats = beats;
        self.last_sample_beats = f64::NEG_INFINITY;
    }

    /// Writes the recorded events as a .mid under target/renders/ for a person to listen to.
    pub fn write_mid(&self, name: &str) -> std::path::PathBuf {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/renders");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.mid"));
        // Recorded beats jump back on seeks; a file is linear, so lay events out by sample.
        let spb = self.samples_per_beat();
        let notes: Vec<_> = self
            .events
            .iter()
            .map(|e| blues_lstm::music::midi_file::TimedNote {
                beats: e.sample as f64 / spb,
                channel: e.channel,
                key: e.key,
                velocity: (e.velocity * 127.0).round().clamp(1.0, 127.0) as u8,
                on: e.on,
            })
            .collect();
        let bytes = blues_lstm::music::midi_file::write_smf(&notes, self.tempo(), &|c| format!("channel {}", c + 1));
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

struct NoActivate;
impl ActivateContext<BluesLstm> for NoActivate {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    fn execute(&self, _task: ()) {}
    fn set_latency_samples(&self, _samples: u32) {}
    fn set_current_voice_capacity(&self, _capacity: u32) {}
}

/// A small deterministic generator for test choices (block sizes, seek targets).
pub struct TestRng(pub u64);
impl TestRng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The plugin's modes, as the `mode` parameter's plain values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayMode {
    Improvise = 0,
    Audition = 1,
}

impl Session {
    /// A session whose plugin plays in `mode`.
    pub fn with_mode(sample_rate: f32, tempo: f64, mode: PlayMode) -> Self {
        let mut s = Self::new(sample_rate, tempo);
        s.set_param("mode", mode as i32 as f32);
        s
    }

    /// Sets a parameter by its id to a plain value, as a host's automation would (between blocks).
    pub fn set_param(&mut self, id: &str, plain: f32) {
        set_plain(&self.plugin, id, plain);
    }
}

/// The Style menu's index of the paper's Exp 2, which most timing tests play.
pub const PAPER_EXP2: usize = 6;

/// Sets `plugin`'s parameter `id` to a plain value, as a host's automation would.
pub fn set_plain(plugin: &BluesLstm, id: &str, plain: f32) {
    let params = plugin.params();
    let (_, ptr, _) =
        params.param_map().into_iter().find(|(i, _, _)| i == id).unwrap_or_else(|| panic!("no parameter {id}"));
    unsafe {
        let normalized = ptr.preview_normalized(plain);
        ptr._internal_set_normalized_value(normalized);
    }
}

/// The built-in models and corpora the tests play.
pub mod builtins {
    use blues_lstm::model::builtin::builtin;
    use blues_lstm::model::Model;
    use blues_lstm::music::corpus::Chorus;

    /// The paper's Exp 2 (chords and melody) and Exp 1 (chords only).
    pub fn exp2() -> &'static Model {
        builtin("paper-exp2").and_then(|b| b.model()).expect("the embedded Exp 2 model loads")
    }

    pub fn exp1() -> &'static Model {
        builtin("paper-exp1").and_then(|b| b.model()).expect("the embedded Exp 1 model loads")
    }

    /// Chorus `i` of the paper's corpus.
    pub fn paper_chorus(i: usize) -> Chorus {
        builtin("paper-exp2").expect("the paper's style").style().chorus(i)
    }
}
