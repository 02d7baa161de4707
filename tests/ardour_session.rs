//! A real DAW: the built VST3 played by Ardour's own session engine, headless (`ardour7-lua`
//! on the Dummy backend), and the MIDI it sends checked the way a listener would.
//!
//! `scripts/ardour-session.sh` makes a session (48 kHz, 4/4, 120 BPM), puts the plugin on a MIDI
//! track with a Lua probe right after it, sets the plugin's "Comping" to 0 % (the chords as pads,
//! struck at every bar line and chord change), plays 8 choruses from sample 0, then loops
//! bars 1–2 a few times, and writes every MIDI event after the plugin with its absolute sample.
//! This test runs that and checks, against the plugin's default band (a bebop blues in C, swung
//! at 58 %, chords on channel 1, melody on 2, bass on 3): that Comping took effect (as Ardour
//! reads it back and in the plugin's own saved state); every NoteOn on the swung eighth-note
//! grid to the sample; the form's chord struck at each bar line and at each change at beat 3,
//! and nowhere else; every NoteOn released by the plugin (Ardour's own NoteOffs at a stop are
//! reported, not counted); each loop pass starting on bar 1's chord at the loop start.
//!
//! Runs only when `BLUES_LSTM_VST3` names a bundle and `ardour7-lua` is installed
//! (`apt-get install --no-install-recommends ardour`); otherwise it says why and passes:
//!
//! ```sh
//! BLUES_LSTM_VST3="$PWD/target/bundled/Blues LSTM.vst3" cargo test --test ardour_session -- --nocapture
//! ```
//!
//! `BLUES_ARDOUR_EVENTS=/path/ardour-events.txt` checks an events file written earlier instead.
//! The checker itself is tested on made-up captures below, so those tests always run.
//!
//! Self-contained on purpose: the form and the feel are written out here, not taken from the crate.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The chords of the form, as pitch classes (C = 0).
const CHORDS: [(&str, [u8; 4]); 6] = [
    ("C7", [0, 4, 7, 10]),  // C E G Bb
    ("F7", [0, 3, 5, 9]),   // F A C Eb
    ("Gm7", [2, 5, 7, 10]), // G Bb D F
    ("A7", [1, 4, 7, 9]),   // A C# E G
    ("Dm7", [0, 2, 5, 9]),  // D F A C
    ("G7", [2, 5, 7, 11]),  // G B D F
];
/// The 12-bar form, the plugin's default (bebop blues in C). A bar with two chords changes at
/// beat 3 (its 5th eighth).
const FORM: [&str; 12] = ["C7", "F7", "C7", "Gm7 C7", "F7", "F7", "C7", "A7", "Dm7", "G7", "C7 A7", "Dm7 G7"];
/// The plugin's default swing at the session's 120 BPM (the default Swing follows the tempo and
/// is its knob, 58 %, at 120): step n (eighth notes from song beat 0) sounds at beat
/// floor(n/2), or floor(n/2) + 0.58 when n is odd, on the first sample at or after it.
const SWING: f64 = 0.58;
/// The parameter the session sets (its label and value, plain, in %): the chords as pads.
const COMPING: (&str, f64) = ("Comping", 0.0);
/// The plugin's own names of those two in its saved state.
const STATE_COMP: &str = "comp";
const STATE_SWING: &str = "swing";
/// MIDI channels (0-based in the status byte) the plugin uses by default.
const CHORD_CHANNEL: u8 = 0;
const MELODY_CHANNEL: u8 = 1;
const BASS_CHANNEL: u8 = 2;
/// The band's drummer (General MIDI channel 10).
const DRUM_CHANNEL: u8 = 9;
/// Ardour releases notes still sounding at a transport stop with NoteOffs of this velocity.
const ARDOUR_NOTE_OFF_VELOCITY: u8 = 64;
/// Problems listed per kind before "… and N more".
const SHOW: usize = 8;

// ---------------------------------------------------------------------------------------------
// The events file

#[derive(Clone, Copy, Debug, PartialEq)]
enum Rec {
    Midi {
        sample: i64,
        status: u8,
        d1: u8,
        d2: u8,
    },
    /// The transport rolls from this sample (the first cycle, or after a jump).
    Roll(i64),
    /// The transport stopped here.
    Stop(i64),
}

#[derive(Clone, Debug, Default)]
struct Capture {
    rate: f64,
    bpm: f64,
    beats_per_bar: u32,
    song: (i64, i64),
    loop_range: (i64, i64),
    latency: Vec<i64>,
    chain: String,
    /// Plugin parameters as Ardour read them back: label → (index, lower, upper, value).
    params: BTreeMap<String, (i64, f64, f64, f64)>,
    /// Parameters in the plugin's own saved state: name → value.
    state: BTreeMap<String, String>,
    phases: Vec<(String, Vec<Rec>)>,
    records: usize,
    dropped: usize,
    complete: bool,
}

impl Capture {
    fn parse(text: &str) -> Result<Capture, String> {
        let mut c = Capture { beats_per_bar: 4, ..Capture::default() };
        let mut counted = 0;
        for (n, line) in text.lines().enumerate() {
            let bad = || format!("line {}: cannot read {line:?}", n + 1);
            let mut f = line.split_whitespace();
            let Some(tag) = f.next() else { continue };
            let rest: Vec<&str> = f.collect();
            let int = |i: usize| rest.get(i).and_then(|v| v.parse::<i64>().ok()).ok_or_else(bad);
            let byte = |i: usize| int(i).and_then(|v| u8::try_from(v).map_err(|_| bad()));
            match tag {
                "E" | "R" | "S" => {
                    let rec = match tag {
                        "E" => Rec::Midi { sample: int(0)?, status: byte(1)?, d1: byte(2)?, d2: byte(3)? },
                        "R" => Rec::Roll(int(0)?),
                        _ => Rec::Stop(int(0)?),
                    };
                    if c.phases.is_empty() {
                        c.phases.push((String::new(), Vec::new()));
                    }
                    c.phases.last_mut().unwrap().1.push(rec);
                    counted += 1;
                }
                "phase" => c.phases.push((rest.first().ok_or_else(bad)?.to_string(), Vec::new())),
                "rate" => c.rate = rest.first().and_then(|v| v.parse().ok()).ok_or_else(bad)?,
                "bpm" => c.bpm = rest.first().and_then(|v| v.parse().ok()).ok_or_else(bad)?,
                "beats_per_bar" => c.beats_per_bar = int(0)? as u32,
                "song" => c.song = (int(0)?, int(1)?),
                "loop" => c.loop_range = (int(0)?, int(1)?),
                "latency" => c.latency = (0..rest.len()).map(int).collect::<Result<_, _>>()?,
                "chain" => c.chain = rest.join(" "),
                "param" => {
                    let num = |i: usize| rest.get(i).and_then(|v| v.parse::<f64>().ok()).ok_or_else(bad);
                    let label = rest.get(4..).filter(|l| !l.is_empty()).ok_or_else(bad)?.join(" ");
                    c.params.insert(label, (int(0)?, num(1)?, num(2)?, num(3)?));
                }
                "state" => {
                    c.state.insert(rest.first().ok_or_else(bad)?.to_string(), rest.get(1..).unwrap_or(&[]).join(" "));
                }
                "end" => {
                    c.records = int(0)? as usize;
                    c.dropped = int(1)? as usize;
                    c.complete = true;
                }
                _ => {} // other header lines are for people
            }
        }
        if !c.complete {
            return Err("no `end` line: the run did not finish writing".into());
        }
        if counted != c.records {
            return Err(format!("{counted} records in the file, the probe counted {}", c.records));
        }
        if c.rate <= 0.0 || c.bpm <= 0.0 {
            return Err("no rate or bpm in the header".into());
        }
        Ok(c)
    }

    fn phase(&self, name: &str) -> Option<&[Rec]> {
        self.phases.iter().find(|(n, _)| n == name).map(|(_, r)| r.as_slice())
    }

    fn samples_per_beat(&self) -> f64 {
        self.rate * 60.0 / self.bpm
    }

    fn steps_per_bar(&self) -> i64 {
        i64::from(self.beats_per_bar) * 2
    }

    fn bar_samples(&self) -> f64 {
        self.samples_per_beat() * f64::from(self.beats_per_bar)
    }

    /// The sample a swung eighth-note step falls on: the first sample at or after its beat.
    fn step_sample(&self, step: i64) -> i64 {
        let beat = step.div_euclid(2) as f64 + if step.rem_euclid(2) == 1 { SWING } else { 0.0 };
        (beat * self.samples_per_beat() - 1e-6).ceil() as i64
    }

    /// The step whose sample is nearest to a sample.
    fn nearest_step(&self, sample: i64) -> i64 {
        let around = 2 * (sample as f64 / self.samples_per_beat()).floor() as i64;
        (around - 1..=around + 2).min_by_key(|&n| (self.step_sample(n) - sample).abs()).unwrap_or(around)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Note {
    sample: i64,
    channel: u8,
    key: u8,
    velocity: u8,
    on: bool,
}

fn note(rec: &Rec) -> Option<Note> {
    let Rec::Midi { sample, status, d1, d2 } = *rec else { return None };
    let (channel, kind) = (status & 0x0F, status & 0xF0);
    match kind {
        0x90 => Some(Note { sample, channel, key: d1, velocity: d2, on: d2 > 0 }),
        0x80 => Some(Note { sample, channel, key: d1, velocity: d2, on: false }),
        _ => None,
    }
}

fn notes(recs: &[Rec]) -> impl Iterator<Item = Note> + '_ {
    recs.iter().filter_map(note)
}

// ---------------------------------------------------------------------------------------------
// Listener's terms

const NAMES: [&str; 12] = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];

fn chord_pcs(name: &str) -> BTreeSet<u8> {
    let (_, pcs) = CHORDS.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no chord {name} in CHORDS"));
    pcs.iter().copied().collect()
}

fn chord_name(pcs: &BTreeSet<u8>) -> String {
    if pcs.is_empty() {
        return "nothing".into();
    }
    let notes: Vec<&str> = pcs.iter().map(|&p| NAMES[p as usize]).collect();
    match CHORDS.iter().find(|(name, _)| chord_pcs(name) == *pcs) {
        Some((name, _)) => format!("{name} ({})", notes.join(" ")),
        None => format!("{{{}}}", notes.join(" ")),
    }
}

/// The form's chords of song bar `bar` (0-based): one, or two changing at beat 3.
fn bar_chords(bar: i64) -> Vec<&'static str> {
    FORM[bar.rem_euclid(12) as usize].split_whitespace().collect()
}

/// The form's chord at a step: the bar's, or with two in the bar, the second from beat 3 on.
fn form_chord(c: &Capture, step: i64) -> (&'static str, BTreeSet<u8>) {
    let (bar, in_bar) = (step.div_euclid(c.steps_per_bar()), step.rem_euclid(c.steps_per_bar()));
    let chords = bar_chords(bar);
    let name = if chords.len() > 1 && in_bar >= c.steps_per_bar() / 2 { chords[1] } else { chords[0] };
    (name, chord_pcs(name))
}

/// The steps where pads strike in song bar `bar`: its start, and the change at beat 3.
fn strike_steps(c: &Capture, bar: i64) -> Vec<i64> {
    let start = bar * c.steps_per_bar();
    if bar_chords(bar).len() > 1 {
        vec![start, start + c.steps_per_bar() / 2]
    } else {
        vec![start]
    }
}

/// Song bar (0-based) in words: "bar 17 (chorus 2, form bar 5)".
fn bar_words(bar: i64) -> String {
    if bar < 12 {
        format!("bar {}", bar + 1)
    } else {
        format!("bar {} (chorus {}, form bar {})", bar + 1, bar / 12 + 1, bar % 12 + 1)
    }
}

/// Where a step is, in words: "bar 4 at its start", "bar 4 at beat 3", "bar 2 at beat 1.5".
fn step_words(c: &Capture, step: i64) -> String {
    let (bar, in_bar) = (step.div_euclid(c.steps_per_bar()), step.rem_euclid(c.steps_per_bar()));
    if in_bar == 0 {
        format!("{} at its start", bar_words(bar))
    } else {
        format!("{} at beat {}", bar_words(bar), in_bar as f64 / 2.0 + 1.0)
    }
}

fn note_words(n: &Note) -> String {
    let part = match n.channel {
        CHORD_CHANNEL => "chord",
        MELODY_CHANNEL => "melody",
        BASS_CHANNEL => "bass",
        _ => "other",
    };
    format!(
        "{part} note {}{} (ch {} key {})",
        NAMES[(n.key % 12) as usize],
        i32::from(n.key) / 12 - 1,
        n.channel + 1,
        n.key
    )
}

// ---------------------------------------------------------------------------------------------
// The checks

#[derive(Debug, Default)]
struct Findings {
    /// What was measured, for the report.
    report: Vec<String>,
    /// What is wrong, by kind.
    problems: BTreeMap<&'static str, Vec<String>>,
}

impl Findings {
    fn problem(&mut self, kind: &'static str, msg: String) {
        self.problems.entry(kind).or_default().push(msg);
    }

    fn problem_count(&self) -> usize {
        self.problems.values().map(Vec::len).sum()
    }

    fn problems_text(&self) -> String {
        let mut s = String::new();
        for (kind, list) in &self.problems {
            s += &format!("{kind}: {} problem(s)\n", list.len());
            for m in list.iter().take(SHOW) {
                s += &format!("  - {m}\n");
            }
            if list.len() > SHOW {
                s += &format!("  … and {} more\n", list.len() - SHOW);
            }
        }
        s
    }
}

fn check(c: &Capture) -> Findings {
    let mut f = Findings::default();
    f.report.push(format!(
        "Ardour: {} Hz, {} BPM, song samples {}..{} ({} bars), loop {}..{}; chain: {}",
        c.rate,
        c.bpm,
        c.song.0,
        c.song.1,
        (c.song.1 - c.song.0) as f64 / c.bar_samples(),
        c.loop_range.0,
        c.loop_range.1,
        c.chain
    ));
    check_setup(c, &mut f);
    check_grid(c, &mut f);
    if let Some(song) = c.phase("song") {
        check_song(c, song, &mut f);
    } else {
        f.problem("setup", "no song in the events file".into());
    }
    if let Some(looped) = c.phase("loop") {
        check_loop(c, looped, &mut f);
    } else {
        f.problem("setup", "no loop in the events file".into());
    }
    check_releases(c, &mut f);
    f
}

fn check_setup(c: &Capture, f: &mut Findings) {
    if c.dropped > 0 {
        f.problem("setup", format!("the probe's buffer overflowed: {} events lost", c.dropped));
    }
    if c.latency.iter().any(|&l| l != 0) {
        f.problem(
            "setup",
            format!("the track reports latency {:?}: the probe's sample times would be off by it", c.latency),
        );
    }
    if c.bpm != 120.0 {
        // The default Swing follows the tempo: SWING is its value at 120 BPM only.
        f.problem("setup", format!("the session runs at {} BPM; the grid here is the default swing at 120", c.bpm));
    }
    let beat = c.samples_per_beat();
    if (beat * SWING - (beat * SWING).round()).abs() > 1e-6 || (beat - beat.round()).abs() > 1e-9 {
        f.report.push(format!(
            "note: a beat is {beat} samples, its swung eighth at {} samples; grid samples are rounded up",
            beat * SWING
        ));
    }
    check_plugin_settings(c, f);
}

/// The session set Comping to 0 %: Ardour reads it back so, and the plugin's own saved state
/// says so; and the plugin swings as the grid here does.
fn check_plugin_settings(c: &Capture, f: &mut Findings) {
    let (label, want) = COMPING;
    match c.params.get(label) {
        None => f.problem("setup", format!("the session did not set \"{label}\" (no `param … {label}` line)")),
        Some(&(index, lower, upper, value)) => {
            f.report.push(format!(
                "plugin: \"{label}\" (parameter {index}, range {lower}..{upper}) reads back {value} % in Ardour"
            ));
            if value != want {
                f.problem(
                    "setup",
                    format!("\"{label}\" reads back {value} %, want {want} % (the chords as pads, which the form checks need)"),
                );
            }
        }
    }
    let state: Vec<String> = c.state.iter().map(|(k, v)| format!("{k} {v}")).collect();
    f.report.push(format!(
        "plugin: its own saved state says {}",
        if state.is_empty() { "nothing".into() } else { state.join(", ") }
    ));
    let number = |name: &str| c.state.get(name).and_then(|v| v.parse::<f64>().ok());
    match number(STATE_COMP) {
        Some(v) if v == want => {}
        Some(v) => f.problem(
            "setup",
            format!(
                "the plugin's state has {STATE_COMP} {v}, want {want}: setting \"{label}\" did not reach the plugin"
            ),
        ),
        None => f.problem("setup", format!("no `state {STATE_COMP}` line: the plugin's own state was not read")),
    }
    match number(STATE_SWING) {
        Some(v) if (v - SWING * 100.0).abs() < 1e-3 => {}
        Some(v) => f.problem("setup", format!("the plugin swings at {v} %, the grid here is {:.0} %", SWING * 100.0)),
        None => f.problem("setup", format!("no `state {STATE_SWING}` line: the plugin's own state was not read")),
    }
}

/// Every NoteOn on the swung eighth-note grid, to the sample.
fn check_grid(c: &Capture, f: &mut Findings) {
    let mut count = 0;
    let mut off = 0;
    let mut worst: Option<(i64, Note)> = None;
    let mut histogram: BTreeMap<i64, usize> = BTreeMap::new();
    for (phase, recs) in &c.phases {
        for n in notes(recs).filter(|n| n.on) {
            count += 1;
            let want = c.step_sample(c.nearest_step(n.sample));
            let dev = n.sample - want;
            if dev != 0 {
                off += 1;
                *histogram.entry(dev).or_default() += 1;
                let late = if dev > 0 { "late" } else { "early" };
                let samples = if dev.abs() == 1 { "sample" } else { "samples" };
                f.problem(
                    "grid",
                    format!(
                        "NoteOn at sample {} is {} {samples} off the grid ({late}; the eighth note is at {want}): {} in the {phase}",
                        n.sample,
                        dev.abs(),
                        note_words(&n)
                    ),
                );
                if worst.is_none_or(|(w, _)| dev.abs() > w.abs()) {
                    worst = Some((dev, n));
                }
            }
        }
    }
    let largest = worst.map_or(0, |(d, _)| d.abs());
    let mut line = format!(
        "grid: {count} NoteOns, largest deviation from the swung eighth-note grid ({:.0} %) {largest} sample(s), {off} off the grid",
        SWING * 100.0
    );
    if off > 0 {
        let first = f.problems["grid"][0].split(" is ").next().unwrap_or("").to_string();
        line += &format!(" (by deviation: {histogram:?}; first: {first})");
    }
    f.report.push(line);
}

/// Chord onsets on the chord channel, grouped by their nearest step: step → (first sample, keys).
fn chord_onsets(c: &Capture, recs: &[Rec]) -> BTreeMap<i64, (i64, Vec<u8>)> {
    let mut onsets: BTreeMap<i64, (i64, Vec<u8>)> = BTreeMap::new();
    for n in notes(recs).filter(|n| n.on && n.channel == CHORD_CHANNEL) {
        onsets.entry(c.nearest_step(n.sample)).or_insert((n.sample, Vec::new())).1.push(n.key);
    }
    onsets
}

fn pitch_classes(keys: &[u8]) -> BTreeSet<u8> {
    keys.iter().map(|k| k % 12).collect()
}

/// What [`check_chords`] counted.
#[derive(Debug, Default)]
struct Tally {
    bars: usize,
    /// Bars with the right chord at the bar line and at the change, where there is one.
    bars_right: usize,
    /// Changes at beat 3 the transport reached, and those struck with the right chord.
    changes: usize,
    changes_right: usize,
}

/// Every chord struck is the form's chord at its step, and struck where pads strike (at a bar
/// line or a change); every bar of `bars` strikes its chord at its start and at its change, as
/// far as the transport reached (`reached`, a sample).
fn check_chords(
    c: &Capture,
    recs: &[Rec],
    bars: std::ops::Range<i64>,
    reached: i64,
    kind: &'static str,
    context: &str,
    f: &mut Findings,
) -> Tally {
    let onsets = chord_onsets(c, recs);
    let spb = c.steps_per_bar();
    for (&step, (sample, keys)) in &onsets {
        let (want, want_pcs) = form_chord(c, step);
        let got = pitch_classes(keys);
        if got != want_pcs {
            f.problem(
                kind,
                format!("{context}{} played {}, want {want} (sample {sample})", step_words(c, step), chord_name(&got)),
            );
        }
        if !strike_steps(c, step.div_euclid(spb)).contains(&step) {
            f.problem(
                "pads",
                format!(
                    "{context}{} struck {} (sample {sample}): with \"{}\" at {} % the chords are pads, struck only at bar lines and chord changes",
                    step_words(c, step),
                    chord_name(&got),
                    COMPING.0,
                    COMPING.1
                ),
            );
        }
    }
    let mut tally = Tally::default();
    for bar in bars {
        tally.bars += 1;
        let mut right = true;
        for (k, step) in strike_steps(c, bar).into_iter().enumerate() {
            let at = c.step_sample(step);
            if at >= reached {
                continue; // the transport stopped before it
            }
            let (want, want_pcs) = form_chord(c, step);
            let ok = match onsets.get(&step) {
                Some((_, keys)) => pitch_classes(keys) == want_pcs, // if not, reported above
                None => {
                    f.problem(
                        kind,
                        format!("{context}{} struck no chord (sample {at}), want {want}", step_words(c, step)),
                    );
                    false
                }
            };
            if k > 0 {
                tally.changes += 1;
                tally.changes_right += usize::from(ok);
            }
            right &= ok;
        }
        tally.bars_right += usize::from(right);
    }
    tally
}

fn check_song(c: &Capture, song: &[Rec], f: &mut Findings) {
    let rolls: Vec<i64> = song.iter().filter_map(|r| if let Rec::Roll(s) = r { Some(*s) } else { None }).collect();
    let stops: Vec<i64> = song.iter().filter_map(|r| if let Rec::Stop(s) = r { Some(*s) } else { None }).collect();
    if rolls != [c.song.0] {
        f.problem("song", format!("want one roll from sample {}, the transport rolled from {rolls:?}", c.song.0));
    }
    if stops != [c.song.1] {
        f.problem("song", format!("want one stop at sample {}, the transport stopped at {stops:?}", c.song.1));
    }
    let bar_len = c.bar_samples();
    let first = (c.song.0 as f64 / bar_len).ceil() as i64;
    let end = stops.first().copied().unwrap_or(c.song.1);
    let last = (end as f64 / bar_len).ceil() as i64; // bars whose start the song reached
    let t = check_chords(c, song, first..last, end, "chords", "", f);
    let count = |channel: u8| notes(song).filter(|n| n.on && n.channel == channel).count();
    let (chords, melody, bass) = (count(CHORD_CHANNEL), count(MELODY_CHANNEL), count(BASS_CHANNEL));
    f.report.push(format!(
        "song: {} of {} bars right (the form's chord struck at the bar line, and at the change at beat 3: {} of {} changes right); {chords} chord, {melody} melody and {bass} bass NoteOns",
        t.bars_right, t.bars, t.changes_right, t.changes
    ));
    if melody == 0 {
        f.problem("song", "no melody on channel 2".into());
    }
    if bass == 0 {
        f.problem("song", "no bass on channel 3".into());
    }
    let others: BTreeSet<u8> = notes(song)
        .filter(|n| ![CHORD_CHANNEL, MELODY_CHANNEL, BASS_CHANNEL, DRUM_CHANNEL].contains(&n.channel))
        .map(|n| n.channel + 1)
        .collect();
    if !others.is_empty() {
        f.problem(
            "song",
            format!("notes on channels {others:?}, want only 1 (chords), 2 (melody), 3 (bass) and 10 (drums)"),
        );
    }
}

fn check_loop(c: &Capture, looped: &[Rec], f: &mut Findings) {
    let (start, end) = c.loop_range;
    let bar_len = c.bar_samples();
    // Split at each roll from the loop start: one pass each.
    let mut passes: Vec<&[Rec]> = Vec::new();
    let mut from = None;
    for (i, r) in looped.iter().enumerate() {
        match r {
            Rec::Roll(s) if *s == start => {
                if let Some(b) = from {
                    passes.push(&looped[b..i]);
                }
                from = Some(i);
            }
            Rec::Roll(s) => {
                f.problem("loop", format!("the transport jumped to sample {s} during the loop {start}..{end}"))
            }
            _ => {}
        }
    }
    let Some(b) = from else {
        f.problem("loop", format!("the loop never rolled from its start, sample {start}"));
        return;
    };
    passes.push(&looped[b..]);
    let complete = passes.len() - 1;
    if complete < 2 {
        f.problem("loop", format!("only {complete} complete pass(es) over the loop, want at least 2"));
    }
    let (want, want_pcs) = form_chord(c, c.nearest_step(start));
    let mut right_starts = 0;
    let mut right_bars = 0;
    let mut bars_checked = 0;
    for (i, pass) in passes.iter().enumerate() {
        let context = format!("loop pass {}: ", i + 1);
        // Bar 1's chord exactly at the loop start sample.
        let at_start: Vec<u8> =
            notes(pass).filter(|n| n.on && n.channel == CHORD_CHANNEL && n.sample == start).map(|n| n.key).collect();
        let got = pitch_classes(&at_start);
        if got == want_pcs {
            right_starts += 1;
        } else {
            f.problem(
                "loop",
                format!("{context}played {} at the loop start (sample {start}), want {want}", chord_name(&got)),
            );
        }
        // Then the form bar by bar, as far as this pass went.
        let reached = if i < complete {
            end
        } else {
            pass.iter().find_map(|r| if let Rec::Stop(s) = r { Some(*s) } else { None }).unwrap_or(end)
        };
        let first = (start as f64 / bar_len).ceil() as i64;
        let last = ((reached.min(end)) as f64 / bar_len).ceil() as i64;
        let t = check_chords(c, pass, first..last, reached.min(end), "loop", &context, f);
        right_bars += t.bars_right;
        bars_checked += t.bars;
        if let Some(n) = notes(pass).find(|n| n.sample < start || n.sample > end) {
            f.problem("loop", format!("{context}a note at sample {} is outside the loop {start}..{end}", n.sample));
        }
    }
    f.report.push(format!(
        "loop: {} passes over samples {start}..{end} ({complete} complete, the last stopped midway); {right_starts} of {} started with {want} at sample {start}; {right_bars} of {bars_checked} bars right",
        passes.len(),
        passes.len()
    ));
}

/// Every NoteOn gets the plugin's NoteOff; nothing struck twice while sounding; nothing sounds
/// at the end of a part. Ardour's own NoteOffs (velocity 64, at a stop) are counted and
/// reported, and the plugin's NoteOff for a note Ardour released first is no error.
fn check_releases(c: &Capture, f: &mut Findings) {
    let mut host: BTreeMap<i64, usize> = BTreeMap::new();
    let mut plugin_after_host = 0;
    let mut released = 0;
    for (phase, recs) in &c.phases {
        let mut sounding: HashMap<(u8, u8), Note> = HashMap::new();
        // Notes Ardour released at a stop, waiting for the plugin's own NoteOff.
        let mut host_released: HashMap<(u8, u8), (Note, i64)> = HashMap::new();
        let mut stopped = false;
        let only_ardour = |f: &mut Findings, on: &Note, at: i64| {
            f.problem(
                "notes",
                format!(
                    "{} struck at sample {} was released only by Ardour (at its stop, sample {at}), never by the plugin ({phase})",
                    note_words(on),
                    on.sample
                ),
            )
        };
        for r in recs.iter() {
            match r {
                Rec::Roll(_) => {
                    for (on, at) in host_released.values() {
                        only_ardour(f, on, *at);
                    }
                    host_released.clear();
                    stopped = false;
                }
                Rec::Stop(_) => stopped = true,
                Rec::Midi { .. } => {
                    let Some(n) = note(r) else { continue };
                    let id = (n.channel, n.key);
                    if n.on {
                        if let Some((on, at)) = host_released.remove(&id) {
                            only_ardour(f, &on, at);
                        }
                        if let Some(old) = sounding.insert(id, n) {
                            f.problem(
                                "notes",
                                format!(
                                    "{} struck again at sample {} while sounding since sample {} ({phase})",
                                    note_words(&n),
                                    n.sample,
                                    old.sample
                                ),
                            );
                        }
                    } else if stopped && n.velocity == ARDOUR_NOTE_OFF_VELOCITY {
                        *host.entry(n.sample).or_default() += 1;
                        if let Some(on) = sounding.remove(&id) {
                            host_released.insert(id, (on, n.sample));
                        }
                    } else if sounding.remove(&id).is_some() {
                        released += 1;
                    } else if host_released.remove(&id).is_some() {
                        released += 1;
                        plugin_after_host += 1;
                    } else {
                        f.problem(
                            "notes",
                            format!(
                                "NoteOff at sample {} for a note not sounding: {} ({phase})",
                                n.sample,
                                note_words(&n)
                            ),
                        );
                    }
                }
            }
        }
        for (on, at) in host_released.values() {
            only_ardour(f, on, *at);
        }
        let mut hanging: Vec<&Note> = sounding.values().collect();
        hanging.sort_by_key(|n| (n.sample, n.channel, n.key));
        for n in hanging {
            f.problem(
                "notes",
                format!("{} struck at sample {} still sounds at the end of the {phase}", note_words(n), n.sample),
            );
        }
    }
    let total: usize = host.values().sum();
    let at: Vec<String> = host.iter().map(|(s, n)| format!("{n} at sample {s}")).collect();
    f.report.push(format!(
        "notes: {released} NoteOffs from the plugin; Ardour sent {total} NoteOffs of its own (velocity {ARDOUR_NOTE_OFF_VELOCITY}) at stops{}{}",
        if at.is_empty() { String::new() } else { format!(": {}", at.join(", ")) },
        if total > 0 { format!(", and the plugin released {plugin_after_host} of those notes itself too") } else { String::new() }
    ));
}

// ---------------------------------------------------------------------------------------------
// The test

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(program)).find(|p| p.is_file()))
}

fn run_ardour(bundle: &Path) -> Result<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ardour-session");
    let started = std::time::Instant::now();
    let run = Command::new("bash")
        .arg(root.join("scripts/ardour-session.sh"))
        .arg(bundle)
        .arg(&out)
        .output()
        .map_err(|e| format!("cannot run bash: {e}"))?;
    print!("{}", String::from_utf8_lossy(&run.stdout));
    eprint!("{}", String::from_utf8_lossy(&run.stderr));
    println!("(Ardour run took {:.0} s)", started.elapsed().as_secs_f64());
    if !run.status.success() {
        return Err(format!(
            "scripts/ardour-session.sh failed ({}); see {}",
            run.status,
            out.join("ardour.log").display()
        ));
    }
    let events = out.join("ardour-events.txt");
    std::fs::read_to_string(&events).map_err(|e| format!("cannot read {}: {e}", events.display()))
}

#[test]
#[ignore = "needs the VST3 bundle in BLUES_LSTM_VST3 and Debian's ardour (ardour7-lua); CI runs it with --include-ignored"]
fn ardour_plays_the_vst3_on_the_grid_and_on_the_form() {
    let text = if let Some(file) = std::env::var_os("BLUES_ARDOUR_EVENTS").filter(|v| !v.is_empty()) {
        println!("checking {} (BLUES_ARDOUR_EVENTS) without running Ardour", Path::new(&file).display());
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", Path::new(&file).display()))
    } else {
        let bundle = std::env::var_os("BLUES_LSTM_VST3").filter(|v| !v.is_empty()).unwrap_or_else(|| {
            panic!("set BLUES_LSTM_VST3 to a built \"Blues LSTM.vst3\" bundle to play it in Ardour (or BLUES_ARDOUR_EVENTS to a capture)")
        });
        let bundle = PathBuf::from(bundle);
        // Asked for and missing is a failure: a wrong path in CI must not pass as a skip.
        assert!(bundle.is_dir(), "BLUES_LSTM_VST3={} is not a VST3 bundle (no such directory)", bundle.display());
        assert!(
            on_path("ardour7-lua").is_some(),
            "no ardour7-lua on PATH (DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ardour)"
        );
        let bundle = bundle.canonicalize().expect("bundle path");
        run_ardour(&bundle).unwrap_or_else(|e| panic!("{e}"))
    };
    let capture = Capture::parse(&text).unwrap_or_else(|e| panic!("the events file: {e}"));
    let findings = check(&capture);
    for line in &findings.report {
        println!("{line}");
    }
    assert!(
        findings.problems.is_empty(),
        "Blues LSTM in Ardour: {} problem(s)\n{}\n{}",
        findings.problem_count(),
        findings.problems_text(),
        findings.report.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The checker on made-up captures (always run)

/// A capture as the scripts write it, of the session's settings (Comping 0 %, swing 58 %):
/// `choruses` of the form with the chords as pads (struck at each bar line and change, held to
/// the next), a melody note on every swung eighth (released at 90 % of the step), a bass note
/// on every beat; a stop at the song end (Ardour's NoteOffs first, then the plugin's); then
/// `passes` loop passes over bars 1–2 and a part of one more.
struct MadeUp {
    text: String,
    records: usize,
    sounding: Vec<(u8, u8)>,
}

const BEAT: i64 = 24_000;
const BAR: i64 = 4 * BEAT;
/// Where the swung off-beat eighth falls in its beat: 58 % of 24,000 samples.
const OFF_BEAT: i64 = 13_920;

/// The made-up plugin's sample for a step (written out, not the checker's formula).
fn at(step: i64) -> i64 {
    step / 2 * BEAT + if step % 2 == 1 { OFF_BEAT } else { 0 }
}

impl MadeUp {
    fn rec(&mut self, line: String) {
        self.text += &line;
        self.text += "\n";
        self.records += 1;
    }

    fn release(&mut self, t: i64, which: impl Fn(u8) -> bool) {
        let (off, keep): (Vec<_>, Vec<_>) = self.sounding.drain(..).partition(|&(ch, _)| which(ch));
        self.sounding = keep;
        for (ch, key) in off {
            self.rec(format!("E {t} {} {key} 0", 0x80 + ch));
        }
    }

    /// Plays the song's steps `steps` (eighths from song beat 0), up to a stop at `stop_at`.
    fn play(&mut self, steps: std::ops::Range<i64>, stop_at: Option<i64>) {
        let stop = stop_at.unwrap_or(i64::MAX);
        for step in steps {
            let t = at(step);
            if t >= stop {
                return;
            }
            let (bar, in_bar) = (step / 8, step % 8);
            let chords = bar_chords(bar);
            let strike = in_bar == 0 || (in_bar == 4 && chords.len() > 1);
            if strike {
                self.release(t, |ch| ch == 0);
                let name = if in_bar >= 4 && chords.len() > 1 { chords[1] } else { chords[0] };
                for k in chord_pcs(name).into_iter().map(|pc| 48 + pc) {
                    self.rec(format!("E {t} 144 {k} 80"));
                    self.sounding.push((0, k));
                }
            }
            if step % 2 == 0 {
                self.release(t, |ch| ch == 2);
                let key = 36 + (step / 2 % 4) as u8 * 2;
                self.rec(format!("E {t} 146 {key} 96"));
                self.sounding.push((2, key));
            }
            let key = 60 + (step % 8) as u8;
            self.rec(format!("E {t} 145 {key} 100"));
            let gate = t + (at(step + 1) - t) * 9 / 10;
            if gate < stop {
                self.rec(format!("E {gate} 129 {key} 0"));
            } else {
                self.sounding.push((1, key));
            }
        }
    }

    fn stop(&mut self, at: i64) {
        self.rec(format!("S {at}"));
        let sounding = std::mem::take(&mut self.sounding);
        for &(ch, key) in &sounding {
            self.rec(format!("E {at} {} {key} 64", 0x80 + ch));
        }
        for &(ch, key) in &sounding {
            self.rec(format!("E {at} {} {key} 0", 0x80 + ch));
        }
    }
}

/// The stop in the pass after the last full one: bar 2 at beat 3 played, then 1,000 samples.
const LOOP_STOP: i64 = BAR + 2 * BEAT + 1000;

fn made_up(choruses: i64, passes: usize) -> String {
    let song_end = choruses * 12 * BAR;
    let mut m = MadeUp {
        text: format!(
            "rate 48000\nbpm 120\nbeats_per_bar 4\nsong 0 {song_end}\nloop 0 {}\nlatency 0 0 0\n\
             param 23 0 100 0 Comping\nstate comp 0.0\nstate swing 58.0\nstate voice led\nphase song\n",
            2 * BAR
        ),
        records: 0,
        sounding: Vec::new(),
    };
    m.rec("R 0".into());
    m.play(0..choruses * 12 * 8, None);
    m.stop(song_end);
    m.text += "phase loop\n";
    for _ in 0..passes {
        m.rec("R 0".into());
        m.play(0..16, None);
    }
    m.rec("R 0".into());
    m.play(0..16, Some(LOOP_STOP));
    m.stop(LOOP_STOP);
    format!("{}end {} 0\n", m.text, m.records)
}

fn findings(text: &str) -> Findings {
    check(&Capture::parse(text).expect("parses"))
}

fn all_problems(f: &Findings) -> String {
    f.problems.values().flatten().cloned().collect::<Vec<_>>().join("\n")
}

/// Replaces `from` by `to` in the lines of the loop's pass `pass` (1-based) only.
fn in_loop_pass(text: &str, pass: usize, edits: &[(&str, &str)]) -> String {
    let (song, looped) = text.split_at(text.find("phase loop").unwrap());
    let mut parts: Vec<String> = looped.split("R 0\n").map(str::to_string).collect();
    for (from, to) in edits {
        assert!(parts[pass].contains(from), "no {from:?} in loop pass {pass}");
        parts[pass] = parts[pass].replace(from, to);
    }
    format!("{song}{}", parts.join("R 0\n"))
}

#[test]
fn checker_passes_a_right_capture() {
    let f = findings(&made_up(2, 3));
    assert!(f.problems.is_empty(), "{}", f.problems_text());
    let report = f.report.join("\n");
    assert!(report.contains("largest deviation from the swung eighth-note grid (58 %) 0 sample(s)"), "{report}");
    assert!(report.contains("song: 24 of 24 bars right"), "{report}");
    assert!(report.contains("6 of 6 changes right"), "{report}");
    assert!(report.contains("96 bass NoteOns"), "{report}");
    assert!(report.contains("\"Comping\" (parameter 23, range 0..100) reads back 0 %"), "{report}");
    // Song end: the chord, the bass; the loop's stop: the chord, the bass, the melody.
    assert!(report.contains("Ardour sent 11 NoteOffs of its own"), "{report}");
    assert!(report.contains("4 passes") && report.contains("4 of 4 started with C7"), "{report}");
    assert!(report.contains("8 of 8 bars right"), "{report}");
}

#[test]
fn checker_measures_onsets_off_the_swung_grid() {
    // Bar 1's first off-beat melody note played straight (at half the beat), not swung.
    let text = made_up(2, 3).replacen("E 13920 145 61 100", "E 12000 145 61 100", 1);
    let f = findings(&text);
    let problems = all_problems(&f);
    assert!(
        problems.contains("NoteOn at sample 12000 is 1920 samples off the grid (early; the eighth note is at 13920)"),
        "{problems}"
    );
    assert!(f.report.join("\n").contains("(58 %) 1920 sample(s), 1 off the grid"), "{:?}", f.report);

    // One sample late on a swung bass-less off-beat of bar 2, in the song.
    let text = made_up(2, 3).replacen("E 109920 145 61 100", "E 109921 145 61 100", 1);
    let problems = all_problems(&findings(&text));
    assert!(problems.contains("NoteOn at sample 109921 is 1 sample off the grid (late"), "{problems}");
}

#[test]
fn checker_names_a_wrong_chord_in_a_listeners_terms() {
    // Bar 5 (form: F7 = F A C Eb) struck as Dm7 (D F A C): Eb (51) for D (50).
    let bar5 = 4 * BAR;
    let text = made_up(1, 2)
        .replace(&format!("E {bar5} 144 51 80"), &format!("E {bar5} 144 50 80"))
        .replace(&format!("E {} 128 51 0", bar5 + BAR), &format!("E {} 128 50 0", bar5 + BAR));
    let problems = all_problems(&findings(&text));
    assert!(problems.contains("bar 5 at its start played Dm7 (C D F A), want F7"), "{problems}");

    // Bar 4's change at beat 3 (Gm7 to C7) struck as Gm7 again: C (48) for D (50), E (52) for F (53).
    let change = 3 * BAR + 2 * BEAT;
    let mut text = made_up(1, 2);
    for (from, to) in [(48, 50), (52, 53)] {
        text = text
            .replace(&format!("E {change} 144 {from} 80"), &format!("E {change} 144 {to} 80"))
            .replace(&format!("E {} 128 {from} 0", 4 * BAR), &format!("E {} 128 {to} 0", 4 * BAR));
    }
    let problems = all_problems(&findings(&text));
    assert!(problems.contains("bar 4 at beat 3 played Gm7 (D F G Bb), want C7 (sample 336000)"), "{problems}");

    // Bar 11's change (C7 to A7) not struck: C7 held on to bar 12.
    let (change, next) = (10 * BAR + 2 * BEAT, 11 * BAR);
    let text: String = made_up(1, 2)
        .lines()
        .filter(|l| !l.starts_with(&format!("E {change} 144 ")) && !l.starts_with(&format!("E {change} 128 ")))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .replace(&format!("E {next} 128 49 0"), &format!("E {next} 128 48 0"))
        .replace(&format!("E {next} 128 57 0"), &format!("E {next} 128 58 0"));
    let records = text.lines().filter(|l| l.starts_with("E ") || l.starts_with("R ") || l.starts_with("S ")).count();
    let text = text.replace(&text[text.rfind("end ").unwrap()..], &format!("end {records} 0\n"));
    let f = findings(&text);
    let problems = all_problems(&f);
    assert!(problems.contains("bar 11 at beat 3 struck no chord (sample 1008000), want A7"), "{problems}");
    assert!(f.report.join("\n").contains("11 of 12 bars right"), "{:?}", f.report);
}

#[test]
fn checker_wants_pads_and_the_setting_that_makes_them() {
    // Bar 2's chord struck on the swung off-beat after its start: comping, not pads.
    let text = made_up(1, 2).replacen("E 96000 144 ", "E 109920 144 ", 4);
    let problems = all_problems(&findings(&text));
    assert!(
        problems.contains("bar 2 at beat 1.5 struck F7 (C Eb F A) (sample 109920): with \"Comping\" at 0 %"),
        "{problems}"
    );
    assert!(problems.contains("bar 2 at its start struck no chord (sample 96000), want F7"), "{problems}");

    // Comping left at its default, as Ardour reads it and as the plugin's state says.
    let text = made_up(1, 2).replace("param 23 0 100 0 Comping", "param 23 0 100 100 Comping");
    let problems = all_problems(&findings(&text));
    assert!(problems.contains("\"Comping\" reads back 100 %, want 0 %"), "{problems}");
    let text = made_up(1, 2).replace("state comp 0.0", "state comp 100.0");
    let problems = all_problems(&findings(&text));
    assert!(problems.contains("the plugin's state has comp 100, want 0"), "{problems}");
    let text =
        made_up(1, 2).replace("state comp 0.0\nstate swing 58.0\n", "").replace("param 23 0 100 0 Comping\n", "");
    let problems = all_problems(&findings(&text));
    assert!(problems.contains("the session did not set \"Comping\""), "{problems}");
    assert!(problems.contains("no `state comp` line"), "{problems}");
    // A plugin swinging otherwise than the grid here.
    let text = made_up(1, 2).replace("state swing 58.0", "state swing 66.0");
    let problems = all_problems(&findings(&text));
    assert!(problems.contains("the plugin swings at 66 %, the grid here is 58 %"), "{problems}");
}

#[test]
fn checker_finds_hanging_notes_and_a_loop_that_does_not_restart() {
    // The plugin forgets the NoteOff of the first melody note (a controller in its place).
    let text = made_up(1, 2).replacen("E 12528 129 60 0\n", "E 12528 177 64 0\n", 1);
    let problems = all_problems(&findings(&text));
    assert!(
        problems.contains("melody note C4 (ch 2 key 60) struck again at sample 96000 while sounding since sample 0"),
        "{problems}"
    );

    // The bass note sounding at the song's end is released by Ardour only.
    let end = 12 * BAR;
    let text = made_up(1, 2);
    let plugin_off =
        text.lines().find(|l| l.starts_with(&format!("E {end} 130 ")) && l.ends_with(" 0")).unwrap().to_string();
    let text = text.replacen(&format!("{plugin_off}\n"), &format!("E {end} 177 64 0\n"), 1);
    let problems = all_problems(&findings(&text));
    assert!(
        problems.contains("was released only by Ardour (at its stop, sample 1152000), never by the plugin (song)"),
        "{problems}"
    );

    // A loop pass that starts on {C F G Bb} instead of C7.
    let text = in_loop_pass(
        &made_up(1, 2),
        2,
        &[("E 0 144 52 80", "E 0 144 53 80"), ("E 96000 128 52 0", "E 96000 128 53 0")],
    );
    let problems = all_problems(&findings(&text));
    assert!(problems.contains("loop pass 2: played {C F G Bb} at the loop start (sample 0), want C7"), "{problems}");
    assert!(problems.contains("loop pass 2: bar 1 at its start played {C F G Bb}, want C7"), "{problems}");
}
