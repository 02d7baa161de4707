//! The encoding: how music becomes the network's units — a value every model carries, read
//! from its file, so the engine, the trainer, capture and import, the renderer, eval and the
//! editor all ask it instead of assuming sizes.
//!
//! A frame is one eighth-note step of the form (4/4, 8 steps a bar, `bars` bars a chorus). Its
//! units are, in order:
//! - the chord: 12 units, one per pitch class (the paper's local encoding), several on;
//!   voiced from `chord_low` (a C) upwards when played as learned;
//! - the melody, the bass (each optional): a line of one note at a time over `pitches`
//!   chromatic keys from `low`; with `rest`, a first unit that stands for silence; with
//!   `begin`, a last unit that says a note begins at this step (Todd's method, the paper's
//!   second way to mark note lengths: a held note and a struck one differ in that unit only);
//!   with `restrike` too, one more unit after it, on only where the key held is struck again;
//! - the comping (optional): a line of one "pitch" — the chord sounding — with rest and
//!   begin: off, sounding, or struck at this step;
//! - the drums (optional): a lane per kit piece (`music::drums`), each a choice of silence or
//!   a strike at one of three levels, since a drummer strikes several pieces at once.
//!
//! After the frame's units, a model may take context units (`ContextLayout`): what is given at
//! each step rather than predicted — where the step being predicted falls in the bar, the
//! chord a chart gives it, where it is in the chart, how intense the solo is, whose turn it
//! is in a trade. They describe the step the network predicts, so a chart's chord is known
//! when the note over it is chosen.
//!
//! The paper's own encoding is a melody of 13 keys from C4 with neither rest nor begin unit:
//! there a note begins when its key changes or on a beat (a repeated key off the beat ties), as
//! the plugin has always played it. Read-only data: any thread; `encode`/`decode` allocate
//! nothing (the audio thread calls them every step).

use super::drums::{Hits, LEVELS, PIECES};
use super::part::Part;
use crate::lstm::readout::{GroupRule, Readout, Rule};
use crate::lstm::topology::{GroupShape, Topology};
use serde::{Deserialize, Serialize};

/// Eighth-note steps in a 4/4 bar: the network is stepped once per eighth note.
pub const STEPS_PER_BAR: usize = 8;
/// Pitch classes of the chord group.
pub const CHORD_UNITS: usize = 12;
/// Shortest and longest form a model may have, in bars (64 bars of 8 steps: 512 steps).
pub const MIN_BARS: usize = 4;
pub const MAX_BARS: usize = 64;
/// Units of the drums' group: a lane per kit piece, each silence or one of three levels.
pub const DRUM_UNITS: usize = PIECES * LEVELS;
/// Steps in the longest chorus: buffers on the audio thread are this long.
pub const MAX_STEPS_PER_CHORUS: usize = MAX_BARS * STEPS_PER_BAR;

/// How a line voice is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineLayout {
    /// MIDI key of the lowest pitch unit.
    pub low: u8,
    /// Chromatic pitch units from `low`.
    pub pitches: u8,
    /// A unit for silence, before the pitch units.
    #[serde(default)]
    pub rest: bool,
    /// A note-begin unit, after the pitch units.
    #[serde(default)]
    pub begin: bool,
    /// A restrike unit, after the begin unit: on only where the key that sounded the step
    /// before is struck again. The network then learns the chance of a restrike itself, small
    /// beside the chance of a key, instead of the begin unit's chance that some note begins,
    /// from which the readout had to subtract every other key's share (`lstm::readout`). The
    /// begin unit stays: taught in its place, the restrike alone left the form unlearned (8
    /// choruses of rhythm changes from scratch: held after 3,840 epochs with the begin unit,
    /// not in 10,000 without). Off in model files written before it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub restrike: bool,
}

fn is_false(b: &bool) -> bool {
    !b
}

impl LineLayout {
    /// Units of the group.
    pub fn units(&self) -> usize {
        usize::from(self.rest)
            + usize::from(self.pitches)
            + usize::from(self.begin)
            + usize::from(self.begin && self.restrike)
    }

    /// The begin unit's place in the group, if it has one.
    fn begin_unit(&self) -> Option<usize> {
        self.begin.then(|| usize::from(self.rest) + usize::from(self.pitches))
    }

    /// The restrike unit's place in the group, if it has one (after the begin unit).
    fn restrike_unit(&self) -> Option<usize> {
        self.begin_unit().filter(|_| self.restrike).map(|begin| begin + 1)
    }

    /// The highest key it holds.
    pub fn high(&self) -> u8 {
        self.low.saturating_add(self.pitches.saturating_sub(1))
    }

    /// Whether `key` is one of its pitches.
    pub fn holds(&self, key: u8) -> bool {
        (self.low..=self.high()).contains(&key)
    }

    /// `key` moved by octaves into the range (the nearest octave when the range is narrower
    /// than an octave and misses the pitch class: the top or bottom key).
    pub fn fold(&self, key: u8) -> u8 {
        let mut k = i32::from(key);
        let (low, high) = (i32::from(self.low), i32::from(self.high()));
        while k < low {
            k += 12;
        }
        while k > high {
            k -= 12;
        }
        k.clamp(low, high) as u8
    }
}

/// The comping line: off, sounding, struck.
const COMP: LineLayout = LineLayout { low: 0, pitches: 1, rest: true, begin: true, restrike: false };

/// A note of a line at one step: the key sounding (None: silence) and whether it is struck here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Note {
    pub key: Option<u8>,
    pub begin: bool,
}

impl Note {
    pub const REST: Note = Note { key: None, begin: false };

    pub fn struck(key: u8) -> Self {
        Self { key: Some(key), begin: true }
    }

    pub fn held(key: u8) -> Self {
        Self { key: Some(key), begin: false }
    }
}

/// One eighth-note slice of music. Fixed size and `Copy`, so the audio thread can hold them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Bit `pc` set: pitch class `pc` (0 = C) sounds in the chord.
    pub chord: u16,
    pub melody: Note,
    pub bass: Note,
    /// The comping: `key` Some while the chord sounds, `begin` where it is struck.
    pub comp: Note,
    /// The drums struck at this step.
    pub drums: Hits,
}

impl Frame {
    /// The note of line part `part` (melody, bass, comping); the chords and the drums are not
    /// lines, and read as silence.
    pub fn voice(&self, part: Part) -> Note {
        match part {
            Part::Melody => self.melody,
            Part::Bass => self.bass,
            Part::Comp => self.comp,
            Part::Chords | Part::Drums => Note::REST,
        }
    }

    /// The note of line part `part`. Only the line parts (`Part::LINES`) have one.
    pub fn voice_mut(&mut self, part: Part) -> &mut Note {
        match part {
            Part::Melody => &mut self.melody,
            Part::Bass => &mut self.bass,
            Part::Comp => &mut self.comp,
            Part::Chords | Part::Drums => unreachable!("{} is not a line", part.name()),
        }
    }

    /// Silences `part` (a part a model does not play).
    pub fn silence(&mut self, part: Part) {
        match part {
            Part::Chords => self.chord = 0,
            Part::Drums => self.drums = Hits::NONE,
            line => *self.voice_mut(line) = Note::REST,
        }
    }
}

/// The context units a model takes, each kind optional, in this order. New kinds go at the end
/// (with `#[serde(default)]`), so older files keep their units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextLayout {
    /// 8 units: the eighth of the bar the predicted step falls on (one on).
    #[serde(default)]
    pub bar_position: bool,
    /// 12 units: the pitch classes of the chord given for the predicted step (a chart's).
    #[serde(default)]
    pub given_chord: bool,
    /// 4 units: the predicted step lies in the chart's first bar, its last bar, the last bar
    /// of a 4-bar phrase, the last bar of an 8-bar section.
    #[serde(default)]
    pub chart_place: bool,
    /// 1 unit: how intense the solo is, 0 to 1.
    #[serde(default)]
    pub intensity: bool,
    /// 1 unit: on while the player, not the band, has the solo (trading).
    #[serde(default)]
    pub turn: bool,
}

/// Units of each kind of context.
const BAR_POSITION_UNITS: usize = STEPS_PER_BAR;
const CHART_PLACE_UNITS: usize = 4;

impl ContextLayout {
    /// No context: the paper's models and every model before the drummer.
    pub const NONE: ContextLayout =
        ContextLayout { bar_position: false, given_chord: false, chart_place: false, intensity: false, turn: false };

    pub fn is_none(&self) -> bool {
        *self == Self::NONE
    }

    /// Context units in all.
    pub fn units(&self) -> usize {
        usize::from(self.bar_position) * BAR_POSITION_UNITS
            + usize::from(self.given_chord) * CHORD_UNITS
            + usize::from(self.chart_place) * CHART_PLACE_UNITS
            + usize::from(self.intensity)
            + usize::from(self.turn)
    }

    /// Writes `step`'s context (`out` holds `units()`).
    pub fn encode(&self, step: &StepContext, out: &mut [f32]) {
        debug_assert_eq!(out.len(), self.units());
        out.fill(0.0);
        let mut at = 0;
        if self.bar_position {
            out[at + step.step_in_bar % STEPS_PER_BAR] = 1.0;
            at += BAR_POSITION_UNITS;
        }
        if self.given_chord {
            for (pc, u) in out[at..at + CHORD_UNITS].iter_mut().enumerate() {
                *u = f32::from(u8::from(step.chord & (1 << pc) != 0));
            }
            at += CHORD_UNITS;
        }
        if self.chart_place {
            let bar = step.bar;
            let marks = [bar == 0, bar + 1 == step.bars, bar % 4 == 3, bar % 8 == 7];
            for (u, on) in out[at..at + CHART_PLACE_UNITS].iter_mut().zip(marks) {
                *u = f32::from(u8::from(on));
            }
            at += CHART_PLACE_UNITS;
        }
        if self.intensity {
            out[at] = step.intensity.clamp(0.0, 1.0);
            at += 1;
        }
        if self.turn {
            out[at] = f32::from(u8::from(step.their_turn));
        }
    }
}

/// What is given about the step a network predicts. Copy; the audio thread builds one a step.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepContext {
    /// The eighth of its bar, 0 = the downbeat.
    pub step_in_bar: usize,
    /// Its bar, and the bars of the chorus (chart or form).
    pub bar: usize,
    pub bars: usize,
    /// The chord given for it (a chart's); 0 when none is given.
    pub chord: u16,
    pub intensity: f32,
    pub their_turn: bool,
}

impl StepContext {
    /// Song step `step` of `form`, with no chord given, at half intensity, the band's turn.
    pub fn at(form: Form, step: i64) -> Self {
        Self {
            step_in_bar: form.step_in_bar(step),
            bar: form.bar(step),
            bars: form.bars,
            chord: 0,
            intensity: 0.5,
            their_turn: false,
        }
    }
}

/// A chord mask from MIDI notes, each by its pitch class.
pub fn chord_mask(notes: &[u8]) -> u16 {
    notes.iter().fold(0, |mask, &n| mask | 1 << (n % 12))
}

/// Where the song is in the form: the one place that counts bars and choruses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Form {
    pub steps_per_bar: usize,
    pub bars: usize,
}

impl Form {
    /// Steps in a chorus.
    pub fn steps(&self) -> usize {
        self.steps_per_bar * self.bars
    }

    /// The step of the form (0 ..< steps) that song step `step` plays: bar N of the song is
    /// bar N mod `bars` of the form, counted from the song's start.
    pub fn position(&self, step: i64) -> usize {
        step.rem_euclid(self.steps() as i64) as usize
    }

    /// The chorus of the song that step `step` falls in (negative in a count-in).
    pub fn chorus(&self, step: i64) -> i64 {
        step.div_euclid(self.steps() as i64)
    }

    /// The bar of the form (0 ..< bars) of song step `step`.
    pub fn bar(&self, step: i64) -> usize {
        self.position(step) / self.steps_per_bar
    }

    /// The step within its bar (0 = the downbeat).
    pub fn step_in_bar(&self, step: i64) -> usize {
        self.position(step) % self.steps_per_bar
    }
}

/// How the network's units map to notes and time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encoding {
    /// Network steps per bar: 8, eighth notes in 4/4 (the only grid the plugin plays).
    pub steps_per_bar: usize,
    /// Bars in the form: `MIN_BARS` to `MAX_BARS`.
    pub bars: usize,
    /// MIDI key of chord unit 0 (a C); chord unit i plays `chord_low + i` when voiced as learned.
    pub chord_low: u8,
    #[serde(default)]
    pub melody: Option<LineLayout>,
    #[serde(default)]
    pub bass: Option<LineLayout>,
    /// Whether the comping rhythm is a group of its own (else chords are struck as pads).
    #[serde(default)]
    pub comp: bool,
    /// Whether the drums are a group of their own (a lane per kit piece); absent in files
    /// written before the drummer, which play without one.
    #[serde(default)]
    pub drums: bool,
    /// The context units after the frame's (none in files written before them).
    #[serde(default, skip_serializing_if = "ContextLayout::is_none")]
    pub context: ContextLayout,
}

impl Encoding {
    /// The paper's encoding (Exp 2): 12 chord units from C3, 13 melody keys from C4, 12 bars.
    pub const fn paper() -> Self {
        Self {
            steps_per_bar: STEPS_PER_BAR,
            bars: 12,
            chord_low: 48,
            melody: Some(LineLayout { low: 60, pitches: 13, rest: false, begin: false, restrike: false }),
            bass: None,
            comp: false,
            drums: false,
            context: ContextLayout::NONE,
        }
    }

    /// The paper's Exp 1: chords only.
    pub const fn paper_chords_only() -> Self {
        Self { melody: None, ..Self::paper() }
    }

    /// The band's encoding: melody G3–C6 and bass E1–C3 with rests and restrikes, the
    /// comping rhythm and the drums, over a form of `bars` bars; every group but the chords is
    /// told where in the bar the step it predicts falls, and how intense the solo is
    /// (`music::intensity`).
    pub const fn band(bars: usize) -> Self {
        Self {
            steps_per_bar: STEPS_PER_BAR,
            bars,
            chord_low: 48,
            melody: Some(LineLayout { low: 55, pitches: 30, rest: true, begin: true, restrike: true }),
            bass: Some(LineLayout { low: 28, pitches: 21, rest: true, begin: true, restrike: true }),
            comp: true,
            drums: true,
            context: ContextLayout { bar_position: true, intensity: true, ..ContextLayout::NONE },
        }
    }

    /// The band's encoding, also told whose turn it is when trading: it learns to answer a
    /// call from traded choruses (`music::traded`).
    pub const fn trading_band(bars: usize) -> Self {
        let band = Self::band(bars);
        Self { context: ContextLayout { turn: true, ..band.context }, ..band }
    }

    /// The chart band's encoding: the band's units, over windows of `bars` bars of charts,
    /// every group told where the step falls in the bar and the chart and which chord is
    /// given for it. Its chords are given, never its own: it plays over any changes.
    pub const fn chart_band(bars: usize) -> Self {
        Self {
            context: ContextLayout { bar_position: true, given_chord: true, chart_place: true, ..ContextLayout::NONE },
            ..Self::band(bars)
        }
    }

    /// The form this encoding counts.
    pub fn form(&self) -> Form {
        Form { steps_per_bar: self.steps_per_bar, bars: self.bars }
    }

    pub fn steps_per_chorus(&self) -> usize {
        self.form().steps()
    }

    /// The layout of a line part, if the encoding has it.
    pub fn line(&self, part: Part) -> Option<LineLayout> {
        match part {
            Part::Melody => self.melody,
            Part::Bass => self.bass,
            Part::Comp => self.comp.then_some(COMP),
            Part::Chords | Part::Drums => None,
        }
    }

    /// The line parts present, in unit order, with their first unit.
    pub fn lines(&self) -> impl Iterator<Item = (Part, LineLayout, usize)> + '_ {
        let mut at = CHORD_UNITS;
        Part::LINES.into_iter().filter_map(move |v| {
            let line = self.line(v)?;
            let offset = at;
            at += line.units();
            Some((v, line, offset))
        })
    }

    /// Whether it plays `part`.
    pub fn has(&self, part: Part) -> bool {
        match part {
            Part::Chords => true,
            Part::Drums => self.drums,
            line => self.line(line).is_some(),
        }
    }

    /// The first unit of the drums' lanes (after the lines), if it has drums.
    fn drums_offset(&self) -> Option<usize> {
        self.drums.then(|| CHORD_UNITS + self.lines().map(|(_, l, _)| l.units()).sum::<usize>())
    }

    /// Units a step of the network reads: the frame's, then the context's.
    pub fn n_inputs(&self) -> usize {
        self.n_units() + self.context.units()
    }

    /// The input unit on where it is the player's turn (trading), the last context unit; `None`
    /// if the network is not told.
    pub fn their_turn_unit(&self) -> Option<usize> {
        self.context.turn.then(|| self.n_inputs() - 1)
    }

    /// Units in a frame (the network's outputs; its inputs before the context).
    pub fn n_units(&self) -> usize {
        CHORD_UNITS + self.lines().map(|(_, l, _)| l.units()).sum::<usize>() + if self.drums { DRUM_UNITS } else { 0 }
    }

    /// The network's groups beyond the chords, in unit order, with their units.
    fn groups(&self) -> impl Iterator<Item = (Part, usize)> + '_ {
        self.lines().map(|(p, l, _)| (p, l.units())).chain(self.drums.then_some((Part::Drums, DRUM_UNITS)))
    }

    /// The part each group of the readout draws (the drums draw a group per lane): the order of
    /// the temperatures handed to the draw.
    pub fn readout_parts(&self) -> impl Iterator<Item = Part> + '_ {
        std::iter::once(Part::Chords)
            .chain(self.lines().map(|(p, _, _)| p))
            .chain(std::iter::repeat_n(Part::Drums, if self.drums { PIECES } else { 0 }))
    }

    /// Checks that the plugin can play this encoding; the message names what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.steps_per_bar != STEPS_PER_BAR {
            return Err(format!(
                "steps_per_bar is {}; the plugin plays {STEPS_PER_BAR} (eighth notes in 4/4)",
                self.steps_per_bar
            ));
        }
        if !(MIN_BARS..=MAX_BARS).contains(&self.bars) {
            return Err(format!("bars is {}; a form has {MIN_BARS} to {MAX_BARS} bars", self.bars));
        }
        if !self.chord_low.is_multiple_of(12) || self.chord_low > 115 {
            return Err(format!(
                "chord_low is {}; it must be a C (a multiple of 12) with its octave in MIDI",
                self.chord_low
            ));
        }
        for (voice, line, _) in self.lines() {
            if line.pitches == 0 || u32::from(line.low) + u32::from(line.pitches) > 128 {
                return Err(format!("{}: {} keys from {} leave MIDI's 0-127", voice.name(), line.pitches, line.low));
            }
        }
        Ok(())
    }

    /// Checks that `topology`'s groups are this encoding's groups (names and units).
    pub fn check_topology(&self, topology: &Topology) -> Result<(), String> {
        let mut want = vec![("chord", CHORD_UNITS)];
        want.extend(self.groups().map(|(p, units)| (p.name(), units)));
        let have: Vec<(&str, usize)> = topology.groups.iter().map(|g| (g.name.as_str(), g.units)).collect();
        if have != want {
            return Err(format!("the network's groups are {have:?}; the encoding needs {want:?}"));
        }
        if topology.context != self.context.units() {
            return Err(format!(
                "the network reads {} context units; the encoding gives {}",
                topology.context,
                self.context.units()
            ));
        }
        Ok(())
    }

    /// A topology for this encoding: `blocks` per group in unit order (chords first); the
    /// chord group sees nothing, every other group sees the chords (the paper's split) and
    /// hears the context. The drums are detached: their error does not flow back into the
    /// chord cells, so learning a kit's busy lanes cannot unsettle how the form is counted.
    /// Where a chord is given, the chord group hears it too (its cells follow the changes).
    pub fn topology(&self, blocks: &[usize], cells_per_block: usize) -> Topology {
        let mut chords = GroupShape::new("chord", CHORD_UNITS, blocks[0], &[]);
        chords.hears_context = self.context.given_chord;
        let mut groups = vec![chords];
        let hears = !self.context.is_none();
        for (i, (part, units)) in self.groups().enumerate() {
            let mut g = GroupShape::new(part.name(), units, blocks[i + 1], &[0]);
            g.hears_context = hears;
            g.detached = part == Part::Drums;
            groups.push(g);
        }
        Topology { groups, cells_per_block, context: self.context.units() }
    }

    /// Writes the context units of `step` into the tail of `units` (a whole input row).
    pub fn encode_context(&self, step: &StepContext, units: &mut [f32]) {
        let n = self.n_units();
        self.context.encode(step, &mut units[n..n + self.context.units()]);
    }

    /// The paper's generation rule for these units: chords thresholded, each line one drawn
    /// choice (rest included) with its begin unit.
    pub fn readout(&self) -> Readout {
        let mut groups = vec![GroupRule { offset: 0, units: CHORD_UNITS, rule: Rule::Threshold }];
        for (_, line, offset) in self.lines() {
            let rest = line.rest.then_some(0);
            // A line of keys with note beginnings has its unlikely keys trimmed (`lstm::readout`);
            // the paper's melody is drawn as the paper drew it, the comping's one "key" is rhythm.
            let trim = line.begin && line.pitches > 1;
            groups.push(GroupRule {
                offset,
                units: line.units(),
                rule: Rule::Choice { begin: line.begin, restrike: line.restrike, rest, trim },
            });
        }
        if let Some(drums) = self.drums_offset() {
            for lane in 0..PIECES {
                let rule = Rule::Choice { begin: false, restrike: false, rest: Some(0), trim: false };
                groups.push(GroupRule { offset: drums + lane * LEVELS, units: LEVELS, rule });
            }
        }
        Readout { groups }
    }

    /// Writes `frame` as units (`out` holds `n_units`). A key outside a line's range is moved
    /// by octaves into it (frames keep keys as played). `previous` is the frame before it: a
    /// restrike unit is on only where its key is struck again.
    pub fn encode(&self, frame: &Frame, previous: &Frame, out: &mut [f32]) {
        debug_assert_eq!(out.len(), self.n_units());
        out.fill(0.0);
        for (pc, u) in out[..CHORD_UNITS].iter_mut().enumerate() {
            *u = f32::from(u8::from(frame.chord & (1 << pc) != 0));
        }
        for (voice, line, offset) in self.lines() {
            let note = frame.voice(voice);
            let units = &mut out[offset..offset + line.units()];
            let first_pitch = usize::from(line.rest);
            match note.key.map(|k| line.fold(k)) {
                Some(key) => {
                    units[first_pitch + usize::from(key - line.low)] = 1.0;
                    if let (Some(unit), true) = (line.begin_unit(), note.begin) {
                        units[unit] = 1.0;
                    }
                    let again = previous.voice(voice).key.map(|k| line.fold(k)) == Some(key);
                    if let (Some(unit), true) = (line.restrike_unit(), note.begin && again) {
                        units[unit] = 1.0;
                    }
                }
                None if line.rest => units[0] = 1.0,
                None => {}
            }
        }
        if let Some(drums) = self.drums_offset() {
            for (lane, &level) in frame.drums.0.iter().enumerate() {
                out[drums + lane * LEVELS + usize::from(level).min(LEVELS - 1)] = 1.0;
            }
        }
    }

    /// Rewrites the note beginnings of a stream of frames (from step 0 of a chorus) as the
    /// encoding can say them: for a line without a begin unit, a note begins where its key
    /// changes or on a beat (what `decode` gives). Lines with a begin unit keep theirs.
    pub fn normalize_begins(&self, frames: &mut [Frame]) {
        let mut previous = Frame::default();
        for (step, frame) in frames.iter_mut().enumerate() {
            for (voice, line, _) in self.lines() {
                if !line.begin {
                    let note = frame.voice_mut(voice);
                    note.begin = note.key.is_some_and(|k| previous.voice(voice).key != Some(k) || step % 2 == 0);
                }
            }
            previous = *frame;
        }
    }

    /// The frame whose units are `units` (0/1, as the readout and the corpus write them).
    /// `previous` is the frame before it and `step_in_bar` its place in the bar: a line
    /// without a begin unit begins a note where its key changes or on a beat.
    pub fn decode(&self, units: &[f32], previous: &Frame, step_in_bar: usize) -> Frame {
        let on = |u: &f32| *u > 0.5;
        let mut frame =
            Frame { chord: crate::lstm::readout::chord_mask_from_outputs(&units[..CHORD_UNITS]), ..Frame::default() };
        for (voice, line, offset) in self.lines() {
            let units = &units[offset..offset + line.units()];
            let first_pitch = usize::from(line.rest);
            let pitches = &units[first_pitch..first_pitch + usize::from(line.pitches)];
            let key = pitches.iter().position(on).map(|i| line.low + i as u8);
            let begin = match (key, line.begin_unit()) {
                (None, _) => false,
                (Some(_), Some(unit)) => on(&units[unit]),
                (Some(k), None) => previous.voice(voice).key != Some(k) || step_in_bar.is_multiple_of(2),
            };
            *frame.voice_mut(voice) = Note { key, begin };
        }
        if let Some(drums) = self.drums_offset() {
            for (lane, level) in frame.drums.0.iter_mut().enumerate() {
                let units = &units[drums + lane * LEVELS..drums + (lane + 1) * LEVELS];
                *level = units.iter().position(on).unwrap_or(0) as u8;
            }
        }
        frame
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_papers_units_are_as_they_always_were() {
        let enc = Encoding::paper();
        enc.validate().unwrap();
        assert_eq!(enc.n_units(), 25);
        let frame = Frame { chord: chord_mask(&[48, 52, 55, 58]), melody: Note::struck(67), ..Frame::default() };
        let mut units = [0.0; 25];
        enc.encode(&frame, &Frame::default(), &mut units);
        let on: Vec<usize> = (0..25).filter(|&i| units[i] == 1.0).collect();
        assert_eq!(on, vec![0, 4, 7, 10, 12 + 7]);
        // Without a begin unit: a new key begins, the same key ties off the beat, restrikes on it.
        assert_eq!(enc.decode(&units, &Frame::default(), 3), frame);
        let held = enc.decode(&units, &frame, 3);
        assert_eq!(held.melody, Note::held(67));
        assert_eq!(enc.decode(&units, &frame, 4).melody, Note::struck(67));
        assert_eq!(Encoding::paper_chords_only().n_units(), 12);
    }

    #[test]
    fn the_band_encodes_rests_held_and_struck_notes_and_comping() {
        let enc = Encoding::band(12);
        enc.validate().unwrap();
        assert_eq!(enc.n_units(), 12 + 33 + 24 + 3 + 7 * 4);
        let mut units = vec![0.0; enc.n_units()];
        let mut previous = Frame::default();
        for frame in [
            Frame {
                chord: 0b1001_0001_0001,
                melody: Note::struck(55),
                bass: Note::struck(48),
                comp: Note::struck(0),
                ..Frame::default()
            },
            Frame { chord: 1, melody: Note::REST, bass: Note::held(48), comp: Note::held(0), ..Frame::default() },
            Frame {
                chord: 1,
                melody: Note::struck(84),
                bass: Note::struck(48),
                comp: Note::struck(0),
                drums: Hits([3, 2, 1, 0, 3, 0, 1]),
            },
            Frame { chord: 1, melody: Note::held(84), bass: Note::struck(28), comp: Note::REST, ..Frame::default() },
        ] {
            enc.encode(&frame, &previous, &mut units);
            // The melody's and bass's restrike units say that the key held is struck again.
            let again =
                |part: Part| usize::from(frame.voice(part).begin && frame.voice(part).key == previous.voice(part).key);
            assert_eq!(
                units.iter().filter(|&&u| u == 1.0).count(),
                frame.chord.count_ones() as usize
                    + 3
                    + usize::from(frame.melody.begin)
                    + usize::from(frame.bass.begin)
                    + again(Part::Melody)
                    + again(Part::Bass)
                    + usize::from(frame.comp.begin)
                    + PIECES,
                "a unit for each line's key or rest, each begin, each restrike, and each drum lane's level"
            );
            assert_eq!(enc.decode(&units, &previous, 1), frame);
            previous = frame;
        }
        let lines: Vec<(Part, usize)> = enc.lines().map(|(v, _, o)| (v, o)).collect();
        assert_eq!(lines, vec![(Part::Melody, 12), (Part::Bass, 45), (Part::Comp, 69)]);
    }

    #[test]
    fn readout_and_topology_follow_the_groups() {
        let enc = Encoding::band(32);
        let t = enc.topology(&[6, 6, 4, 2, 4], 2);
        t.validate().unwrap();
        enc.check_topology(&t).unwrap();
        assert_eq!(t.groups[2].sees, vec![0], "the bass sees the chords only");
        assert_eq!((t.groups[4].name.as_str(), t.groups[4].sees.as_slice()), ("drums", &[0][..]), "so do the drums");
        let r = enc.readout();
        assert_eq!(r.n_units(), enc.n_units());
        assert_eq!(r.groups[1].rule, Rule::Choice { begin: true, restrike: true, rest: Some(0), trim: true });
        assert_eq!(
            r.groups[3].rule,
            Rule::Choice { begin: true, restrike: false, rest: Some(0), trim: false },
            "the comping"
        );
        assert_eq!(
            Encoding::paper().readout().groups[1].rule,
            Rule::Choice { begin: false, restrike: false, rest: None, trim: false }
        );
        assert_eq!(r.groups.len(), 1 + 3 + PIECES, "the drums draw a choice per lane");
        assert_eq!(r.groups.len(), enc.readout_parts().count());
        assert!(r.groups[4..].iter().all(|g| g.units == LEVELS
            && g.rule == Rule::Choice { begin: false, restrike: false, rest: Some(0), trim: false }));
        let old_band = Encoding { drums: false, ..enc };
        assert!(old_band.check_topology(&t).unwrap_err().contains("needs"), "a drumless file's net has no drum group");
        assert!(Encoding::paper().check_topology(&t).unwrap_err().contains("needs"));
        assert!(Encoding::paper().check_topology(&Topology::exp2()).is_ok());
        assert!(Encoding::paper_chords_only().check_topology(&Topology::exp1()).is_ok());
    }

    #[test]
    fn forms_count_bars_and_choruses_from_the_song_start() {
        let form = Encoding::band(32).form();
        assert_eq!(form.steps(), 256);
        assert_eq!((form.position(257), form.chorus(257), form.bar(257)), (1, 1, 0));
        assert_eq!((form.position(-1), form.chorus(-1), form.bar(-1), form.step_in_bar(-1)), (255, -1, 31, 7));
    }

    #[test]
    fn bad_encodings_are_named() {
        let bad = |f: &dyn Fn(&mut Encoding)| {
            let mut e = Encoding::band(12);
            f(&mut e);
            e.validate().unwrap_err()
        };
        assert!(bad(&|e| e.steps_per_bar = 12).contains("steps_per_bar"));
        assert!(bad(&|e| e.bars = 65).contains("bars"));
        assert!(bad(&|e| e.chord_low = 50).contains("chord_low"));
        assert!(bad(
            &|e| e.melody = Some(LineLayout { low: 120, pitches: 20, rest: true, begin: true, restrike: false })
        )
        .contains("melody"));
    }

    #[test]
    fn folding_keeps_pitch_class_and_range() {
        let m = Encoding::paper().melody.unwrap();
        assert_eq!(m.fold(60), 60);
        assert_eq!(m.fold(72), 72);
        assert_eq!(m.fold(73), 61); // C#5 → C#4
        assert_eq!(m.fold(36), 60);
        assert_eq!(m.fold(127), 67); // G9 → G4
        let bass = Encoding::band(12).bass.unwrap();
        assert_eq!(bass.fold(60), 48);
        assert_eq!(bass.fold(26), 38); // D1 → D2
    }
}
