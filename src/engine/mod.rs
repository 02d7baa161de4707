//! The real-time engine, host-agnostic: transport → clock → composer → voices → notes out.
//! The plugin shell feeds it plain values and a [`MidiIo`]; the command-line renderer and the
//! tests drive it the same way. Audio thread only: nothing here allocates, locks, logs or waits.

pub mod audition;
pub mod capture;
pub mod clock;
pub mod composer;
pub mod display;
pub mod feel;
pub mod handoff;
pub mod harmony;
pub mod improviser;
pub mod input_map;
pub mod intensity;
pub mod io;
pub mod output;
pub mod settings;
pub mod steering;
pub mod swing;
pub mod thru;
pub mod trade;
pub mod voices;
pub mod voicing;

use crate::music::encoding::{Form, Frame, Note};
use capture::{Capture, CaptureShared};
use clock::{BlockTransport, Clock, Motion};
use composer::Composer;
use display::Display;
use feel::{touch, MelodyContour};
use handoff::Handoff;
use harmony::{ChartSteps, Given, Harmony, HarmonySource};
use input_map::LivePart;
use output::{Output, Owners};
use std::sync::Arc;
use steering::Steering;
use thru::Thru;
use trade::Trading;
use voices::Voices;
use voicing::Voicer;

pub use io::{InNote, MidiIo, NoteSink, OutNote};
pub use settings::{Mode, Settings, DEFAULT_TEMPERATURE};

/// Where the engine is in the form, for displays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// Song step index of the last step played.
    pub step: i64,
    /// The frame it played.
    pub frame: Frame,
}

/// The whole real-time engine.
#[derive(Debug)]
pub struct Engine {
    clock: Clock,
    /// Decides what each step plays; replaced whole through a [`Handoff`].
    composer: Box<Composer>,
    voices: Voices,
    steering: Steering,
    /// Notes played in and passed through, so they are always released.
    thru: Thru,
    /// Who sounds each (channel, key) at the output.
    owners: Owners,
    /// An incoming note read ahead of its time, waiting for its turn.
    pending_in: Option<InNote>,
    /// A new composer arrived: the next step releases everything the old one played.
    swapped: bool,
    /// Sounding notes must be released at the start of the next block (after `reset`, where no
    /// events can be sent).
    release_pending: bool,
    /// Last step played, for displays and tests.
    position: Option<Position>,
    /// The mode, seed and harmony of the last block that played: a change re-primes the network.
    last_play: Option<(Mode, u64, HarmonySource)>,
    /// The frame decided for the next step (at its decision point, the melody's gate), with
    /// the step's index.
    decided: Option<(i64, Frame)>,
    /// Chords voiced one after another (voice-leading remembers the last).
    voicer: Voicer,
    /// What the melody has played, for its accents.
    contour: MelodyContour,
    /// Trading: what the player's turns were heard to play, and how the plugin answers.
    trading: Trading,
    /// What the editor shows; written here with relaxed atomics.
    display: Arc<Display>,
    /// Recording the notes played in, when the user asks for it.
    capture: Capture,
    capture_shared: Arc<CaptureShared>,
    /// The chart and the chords played in, for a band that follows given chords.
    harmony: Harmony,
}

impl Engine {
    pub fn new(composer: Box<Composer>, display: Arc<Display>) -> Self {
        Self::with_capture(composer, display, Arc::default())
    }

    /// An engine whose captured choruses go to `capture_shared`.
    pub fn with_capture(composer: Box<Composer>, display: Arc<Display>, capture_shared: Arc<CaptureShared>) -> Self {
        display.set_bars(composer.form().bars);
        Self {
            clock: Clock::default(),
            composer,
            voices: Voices::default(),
            steering: Steering::default(),
            thru: Thru::default(),
            owners: Owners::default(),
            pending_in: None,
            swapped: false,
            release_pending: false,
            position: None,
            last_play: None,
            decided: None,
            voicer: Voicer::default(),
            contour: MelodyContour::default(),
            trading: Trading::default(),
            display,
            capture: Capture::default(),
            capture_shared,
            harmony: Harmony::default(),
        }
    }

    /// Where a new chart is staged (any thread but the audio thread): it takes over at the
    /// next bar, with no retrain.
    pub fn charts(&self) -> Arc<Handoff<ChartSteps>> {
        self.harmony.charts()
    }

    /// Whether the band follows chords given from outside: `settings` ask for it and the
    /// composer has a chart band for its mode.
    pub fn following(&self, settings: &Settings) -> bool {
        follows(&self.harmony, &self.composer, settings)
    }

    /// Takes a staged chart at once, before playing from the start (a render).
    pub fn adopt_chart(&mut self) -> bool {
        self.harmony.adopt_chart()
    }

    /// The form the song is counted in under `settings`: the chart's bars when following a
    /// chart, phrases of 8 bars when following chords played in, else the composer's.
    pub fn form_for(&self, settings: &Settings) -> Form {
        self.harmony.form(settings.harmony, self.following(settings), self.composer.form())
    }

    /// Takes a newly staged composer, if any (audio thread, at a block start: the swap sounds at
    /// the next step). The old one goes back through the hand-off to be dropped elsewhere.
    pub fn adopt(&mut self, handoff: &Handoff<Composer>) {
        if handoff.take(&mut self.composer) {
            self.composer.unlock();
            self.decided = None;
            self.swapped = true;
            self.display.set_bars(self.composer.form().bars);
        }
    }

    /// Forget the transport and the held notes. Notes still sounding are released at the start of
    /// the next block (the host gives no way to send them now).
    pub fn reset(&mut self) {
        self.clock.reset();
        self.steering.clear();
        self.pending_in = None;
        self.composer.unlock();
        self.decided = None;
        self.release_pending = self.voices.sounding() + self.thru.sounding() > 0;
    }

    /// The form the song is counted in (the composer's).
    pub fn form(&self) -> Form {
        self.composer.form()
    }

    /// The last step played.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// Number of notes the engine is sounding now.
    pub fn sounding(&self) -> usize {
        self.voices.sounding()
    }

    /// Processes one block: reads the incoming notes, plays the steps that start inside it.
    /// Events leave in non-decreasing time order, at offsets inside the block.
    ///
    /// Each step's frame is decided at its decision point: where the melody note before it
    /// ends by the gate (at the step itself when the gate is 1), so the melody knows whether
    /// to hold on or let go; the notes played in until then steer it.
    pub fn process_block(&mut self, transport: &BlockTransport, settings: &Settings, io: &mut impl MidiIo) {
        let last_sample = transport.samples.saturating_sub(1);
        let mut out = Output::new(io, &mut self.owners, last_sample);
        let feel = settings.feel;
        // The swing of this block's tempo: onsets, the decision points and what capture hears
        // all stand on this one grid.
        let tempo = clock::host_tempo(transport);
        let groove = feel.groove(settings.seed, tempo);
        let swing = groove.clamped_swing();
        let mut plan = self.clock.plan_grooved(transport, groove);
        self.display.set_playing(plan.motion != Motion::Stopped);
        self.display.set_time(tempo, swing);

        if self.release_pending {
            // After a reset the host may never send the NoteOffs of notes it passed us.
            self.thru.release_all(0, &mut out);
        }
        if self.release_pending || plan.motion != Motion::Continuous || settings.bypass {
            self.voices.release_all(0, &mut out);
            self.release_pending = false;
        }
        match plan.motion {
            Motion::Stopped => self.steering.clear(),
            Motion::Jumped => self.composer.unlock(),
            Motion::Continuous => {}
        }
        if plan.motion != Motion::Continuous {
            self.decided = None;
            self.contour = MelodyContour::default();
            self.trading.jumped();
        }
        if plan.motion != Motion::Stopped && self.last_play != Some((settings.mode, settings.seed, settings.harmony)) {
            // A new seed, mode or harmony: fresh choices from where the song is.
            self.composer.unlock();
            self.decided = None;
            self.last_play = Some((settings.mode, settings.seed, settings.harmony));
        }
        if plan.motion == Motion::Stopped {
            self.harmony.stopped();
        }
        let mut following = follows(&self.harmony, &self.composer, settings);
        let mut form = self.harmony.form(settings.harmony, following, self.composer.form());
        self.display.set_bars(form.bars);
        let capturing = self.capture_shared.enabled() && plan.motion != Motion::Stopped && !settings.bypass;
        self.capture.set_form(form);
        if !capturing || plan.motion == Motion::Jumped {
            // A chorus counts only when played through from its first step.
            self.capture.reset();
        }
        let split = self.capture_shared.split();
        let (plays_bass, comping, chord_low) = (
            self.composer.plays_bass(following),
            self.composer.comping(settings.mode, following),
            self.composer.chord_low(),
        );
        self.voices.release_changed(0, &settings.voices, &mut out);
        let gate = f64::from(if feel.gate.is_finite() { feel.gate.clamp(0.05, 1.0) } else { 1.0 });

        let trade = settings.trade;
        loop {
            // The next thing due: the decision of the coming step, or the step itself. While
            // the player is heard, at the midpoint between steps: a note played a little early
            // or late is heard on its own eighth (the capture quantiser's rule).
            let next = plan.next_index();
            let decide_at = (self.decided.map(|(i, _)| i) != Some(next))
                .then(|| {
                    let (before, at) = (plan.step_start(next - 1), plan.step_start(next));
                    let share = if self.trading.listens_at(next - 1, &trade, form) { 0.5 } else { gate };
                    plan.offset_of(before + share * (at - before))
                })
                .flatten();
            let step = if decide_at.is_none() { plan.next_step() } else { None };
            let until = decide_at.or(step.map(|s| s.offset)).unwrap_or(u32::MAX);
            // A step whose decision point fell before the block (after a jump) is decided as
            // it sounds; a note played on that very sample belongs to it, not to the step before.
            let deciding =
                decide_at.map(|_| next).or(step.map(|s| s.index).filter(|&i| self.decided.map(|d| d.0) != Some(i)));
            let inline = decide_at.is_none() && deciding.is_some();
            while let Some(note) = self.pending_in.take().or_else(|| out.io.next_incoming()) {
                if note.timing > until || (inline && note.timing == until) {
                    self.pending_in = Some(note);
                    break;
                }
                if settings.harmony == HarmonySource::ChordInput && note.channel == settings.chord_channel {
                    // The chord track: heard as the harmony, never echoed, steered or captured.
                    self.harmony.played(note.key, note.on);
                    continue;
                }
                if note.on {
                    let part = settings.input.part(note.channel, plays_bass);
                    if let Some(part) = part {
                        self.steering.note_on(part, note.key);
                    }
                    let nearest = (plan.beats_at(note.timing) * clock::STEPS_PER_BEAT).round() as i64;
                    if part == Some(LivePart::Melody) {
                        self.trading.heard(nearest, &trade, form);
                    }
                } else {
                    self.steering.note_off(note.key);
                }
                if capturing {
                    let step_pos = plan.beats_at(note.timing) * clock::STEPS_PER_BEAT;
                    self.capture.note(step_pos, swing, note, split);
                }
                self.thru.pass(note, settings.thru || settings.bypass, &mut out);
            }

            if let Some(index) = deciding {
                if settings.harmony == HarmonySource::Chart && form.step_in_bar(index) == 0 {
                    // A new chart takes over at a bar line (the old one is dropped elsewhere).
                    if self.harmony.take_chart() {
                        self.composer.unlock();
                        following = follows(&self.harmony, &self.composer, settings);
                        form = self.harmony.form(settings.harmony, following, self.composer.form());
                        self.display.set_bars(form.bars);
                    }
                }
                let given = if following { self.harmony.given(index, settings.harmony, form) } else { None };
                let mut engine = Deciding {
                    composer: &mut self.composer,
                    steering: &mut self.steering,
                    display: &self.display,
                    position: self.position,
                    trading: &mut self.trading,
                };
                let frame = decide(&mut engine, index, settings, form, given.as_ref());
                self.decided = Some((index, frame));
                if let (Some(offset), false) = (decide_at, settings.bypass) {
                    let melody = self.trading.melody_played(index, frame.melody, &trade, form);
                    self.voices.end_melody_unless_held(offset, melody, &settings.voices, &mut out);
                }
            }
            if decide_at.is_some() {
                continue;
            }
            // The last pass (nothing left to do) has drained every incoming note of the block.
            let Some(step) = step else { break };
            let Some((_, frame)) = self.decided.take() else { break };
            if self.swapped {
                // Notes of the old model end where the new one starts.
                self.voices.release_all(step.offset, &mut out);
                self.swapped = false;
            }
            if trade.players_turn(step.index - 1, form) && !trade.players_turn(step.index, form) {
                // The plugin takes over: a note the player still holds ends here.
                let input = settings.input;
                self.thru.release_where(
                    step.offset,
                    |c, _| input.part(c, plays_bass) == Some(LivePart::Melody),
                    &mut out,
                );
                self.steering.forget_melody();
            }
            self.trading.answer_begins(step.index, frame.melody, &trade, form);
            let played = Frame { melody: self.trading.melody_played(step.index, frame.melody, &trade, form), ..frame };
            if !settings.bypass {
                let in_bar = form.step_in_bar(step.index);
                let mut touch =
                    touch(&mut self.contour, &mut self.voicer, step.index, form, &played, settings, chord_low);
                touch.comping =
                    comping && feel.comping_at(settings.seed, step.index.div_euclid(form.steps_per_bar as i64));
                self.voices.play_step(step.offset, in_bar, played, &settings.voices, &touch, &mut out);
            }
            self.position = Some(Position { step: step.index, frame: played });
            self.display.record(step.index, played);
            self.display.set_turn(
                trade.is_on().then(|| (trade.players_turn(step.index, form), trade.bars_left(step.index, form))),
            );
        }
        if capturing {
            let shared = &self.capture_shared;
            let end = plan.beats_at(transport.samples) * clock::STEPS_PER_BEAT;
            self.capture.advance(end, &mut |chorus: &[Frame]| shared.push(chorus));
        }
    }
}

/// Whether the band follows chords given from outside: `settings` ask for harmony `harmony`
/// has, and `composer` has a chart band for the mode. (A function of the fields, so the block
/// loop can ask while the output borrows the engine.)
fn follows(harmony: &Harmony, composer: &Composer, settings: &Settings) -> bool {
    harmony.can_follow(settings.harmony) && composer.follows_given_chords(settings.mode)
}

/// The composer's frame for step `index`, steered by the notes played in since the last.
/// Trading, the input's melody is the player's in their turn (silence is a rest) and the
/// network's own in the plugin's; what the player played is shown and kept for export.
fn decide(engine: &mut Deciding<'_>, index: i64, settings: &Settings, form: Form, given: Option<&Given>) -> Frame {
    let mut steer = engine.steering.take_input();
    let trade = settings.trade;
    if engine.trading.listens_at(index - 1, &trade, form) {
        let heard = steer.melody.unwrap_or(Note::REST);
        steer.melody = Some(heard);
        engine.trading.call_heard(index - 1, heard, &trade, form);
        if let Some(Position { step, frame }) = engine.position.filter(|p| p.step == index - 1) {
            engine.display.amend(step, Frame { melody: heard, ..frame }, true);
        }
    } else if trade.is_on() {
        steer.melody = None;
    }
    engine.composer.set_their_turn(engine.trading.listens_at(index, &trade, form));
    let level = settings.intensity.at(index, form);
    engine.composer.set_intensity(level);
    engine.display.set_intensity(level);
    match given {
        Some(given) => {
            engine.composer.frame_over(settings.mode, index, settings.seed, steer, settings.temperature, given)
        }
        None => engine.composer.frame(settings.mode, index, settings.seed, steer, settings.temperature),
    }
}

/// What deciding a frame touches of the engine (the rest is lent to the output).
struct Deciding<'a> {
    composer: &'a mut Composer,
    steering: &'a mut Steering,
    display: &'a Display,
    position: Option<Position>,
    trading: &'a mut Trading,
}

/// What the engine's unit tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{InNote, MidiIo, NoteSink, OutNote};

    /// Keeps every note sent to it; has no incoming notes.
    #[derive(Default)]
    pub struct Recorder(pub Vec<OutNote>);

    impl NoteSink for Recorder {
        fn send(&mut self, note: OutNote) {
            self.0.push(note);
        }
    }

    impl MidiIo for Recorder {
        fn next_incoming(&mut self) -> Option<InNote> {
            None
        }
    }
}
