//! A real DAW: the built VST3 played by Ardour's own session engine, headless (`ardour7-lua`
//! on the Dummy backend), and the MIDI it sends checked the way a listener would.
//!
//! `scripts/ardour-session.sh` makes a session (48 kHz, 4/4, 120 BPM), puts the plugin on a MIDI
//! track with a Lua probe right after it, plays 8 choruses from sample 0, then loops bars 1–2
//! a few times, and writes every MIDI event after the plugin with its absolute sample.
//! This test runs that and checks: every NoteOn on the eighth-note grid to the sample; the chord
//! struck at each bar the form's chord for that bar; every NoteOn released by the plugin (Ardour's
//! own NoteOffs at a stop are reported, not counted); each loop pass starting on bar 1's chord at
//! the loop start.
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
//! Self-contained on purpose: the form is written out here, not taken from the crate.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The 12-bar form, one chord per bar, as pitch classes (C = 0).
const FORM: [(&str, [u8; 4]); 12] = [
    ("C7", [0, 4, 7, 10]),
    ("F7", [0, 3, 5, 9]),
    ("C7", [0, 4, 7, 10]),
    ("C7", [0, 4, 7, 10]),
    ("F7", [0, 3, 5, 9]),
    ("F7", [0, 3, 5, 9]),
    ("C7", [0, 4, 7, 10]),
    ("A7", [1, 4, 7, 9]),
    ("Dm7", [0, 2, 5, 9]),
    ("G7", [2, 5, 7, 11]),
    ("C7", [0, 4, 7, 10]),
    ("G7", [2, 5, 7, 11]),
];
/// MIDI channels (0-based in the status byte) the plugin uses by default.
const CHORD_CHANNEL: u8 = 0;
const MELODY_CHANNEL: u8 = 1;
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

    fn samples_per_eighth(&self) -> f64 {
        self.rate * 60.0 / self.bpm / 2.0
    }

    fn steps_per_bar(&self) -> i64 {
        i64::from(self.beats_per_bar) * 2
    }

    /// The sample an eighth-note step falls on: the first sample at or after it.
    fn step_sample(&self, step: i64) -> i64 {
        (step as f64 * self.samples_per_eighth() - 1e-6).ceil() as i64
    }

    /// The step nearest to a sample.
    fn nearest_step(&self, sample: i64) -> i64 {
        (sample as f64 / self.samples_per_eighth()).round() as i64
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

fn chord_name(pcs: &BTreeSet<u8>) -> String {
    if pcs.is_empty() {
        return "nothing".into();
    }
    let notes: Vec<&str> = pcs.iter().map(|&p| NAMES[p as usize]).collect();
    match FORM.iter().find(|(_, want)| want.iter().copied().collect::<BTreeSet<u8>>() == *pcs) {
        Some((name, _)) => format!("{name} ({})", notes.join(" ")),
        None => format!("{{{}}}", notes.join(" ")),
    }
}

fn form_chord(bar: i64) -> (&'static str, BTreeSet<u8>) {
    let (name, pcs) = FORM[bar.rem_euclid(12) as usize];
    (name, pcs.into_iter().collect())
}

/// Song bar (0-based) in words: "bar 17 (chorus 2, form bar 5)".
fn bar_words(bar: i64) -> String {
    if bar < 12 {
        format!("bar {}", bar + 1)
    } else {
        format!("bar {} (chorus {}, form bar {})", bar + 1, bar / 12 + 1, bar % 12 + 1)
    }
}

fn note_words(n: &Note) -> String {
    let part = match n.channel {
        CHORD_CHANNEL => "chord",
        MELODY_CHANNEL => "melody",
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
        (c.song.1 - c.song.0) as f64 / (c.samples_per_eighth() * c.steps_per_bar() as f64),
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
    let step = c.samples_per_eighth();
    if (step - step.round()).abs() > 1e-9 {
        f.report.push(format!("note: an eighth note is {step} samples; grid samples are rounded up"));
    }
}

/// Every NoteOn on the eighth-note grid, to the sample.
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
        "grid: {count} NoteOns, largest deviation from the eighth-note grid {largest} sample(s), {off} off the grid"
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

/// Every chord struck is the chord of its bar; every bar the transport played through from its
/// start strikes one there. Returns (bars with the right chord at their start, bars checked).
fn check_chords(
    c: &Capture,
    recs: &[Rec],
    bars: std::ops::Range<i64>,
    kind: &'static str,
    context: &str,
    f: &mut Findings,
) -> (usize, usize) {
    let onsets = chord_onsets(c, recs);
    let spb = c.steps_per_bar();
    for (step, (sample, keys)) in &onsets {
        let bar = step.div_euclid(spb);
        let (want, want_pcs) = form_chord(bar);
        let got = pitch_classes(keys);
        if got != want_pcs {
            let at = if step.rem_euclid(spb) == 0 {
                "at its start".to_string()
            } else {
                format!("at beat {}", step.rem_euclid(spb) as f64 / 2.0 + 1.0)
            };
            f.problem(
                kind,
                format!("{context}{} played {}, want {want} ({at}, sample {sample})", bar_words(bar), chord_name(&got)),
            );
        }
    }
    let mut right = 0;
    let checked = bars.end - bars.start;
    for bar in bars {
        let (want, want_pcs) = form_chord(bar);
        match onsets.get(&(bar * spb)) {
            Some((_, keys)) if pitch_classes(keys) == want_pcs => right += 1,
            Some(_) => {} // reported above
            None => f.problem(
                kind,
                format!(
                    "{context}{} struck no chord at its start (sample {}), want {want}",
                    bar_words(bar),
                    c.step_sample(bar * spb)
                ),
            ),
        }
    }
    (right, checked as usize)
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
    let bar_len = c.samples_per_eighth() * c.steps_per_bar() as f64;
    let first = (c.song.0 as f64 / bar_len).ceil() as i64;
    let end = stops.first().copied().unwrap_or(c.song.1);
    let last = (end as f64 / bar_len).ceil() as i64; // bars whose start the song reached
    let (right, checked) = check_chords(c, song, first..last, "chords", "", f);
    let melody = notes(song).filter(|n| n.on && n.channel == MELODY_CHANNEL).count();
    let chords = notes(song).filter(|n| n.on && n.channel == CHORD_CHANNEL).count();
    f.report.push(format!(
        "song: {right} of {checked} bars struck the form's chord at their start; {chords} chord and {melody} melody NoteOns"
    ));
    if melody == 0 {
        f.problem("song", "no melody on channel 2".into());
    }
    let others: BTreeSet<u8> = notes(song)
        .filter(|n| n.channel != CHORD_CHANNEL && n.channel != MELODY_CHANNEL)
        .map(|n| n.channel + 1)
        .collect();
    if !others.is_empty() {
        f.problem("song", format!("notes on channels {others:?}, want only 1 (chords) and 2 (melody)"));
    }
}

fn check_loop(c: &Capture, looped: &[Rec], f: &mut Findings) {
    let (start, end) = c.loop_range;
    let spb = c.steps_per_bar();
    let bar_len = c.samples_per_eighth() * spb as f64;
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
    let (want, want_pcs) = form_chord((start as f64 / bar_len).floor() as i64);
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
        let (right, checked) = check_chords(c, pass, first..last, "loop", &context, f);
        right_bars += right;
        bars_checked += checked;
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
fn ardour_plays_the_vst3_on_the_grid_and_on_the_form() {
    let text = if let Some(file) = std::env::var_os("BLUES_ARDOUR_EVENTS").filter(|v| !v.is_empty()) {
        println!("checking {} (BLUES_ARDOUR_EVENTS) without running Ardour", Path::new(&file).display());
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", Path::new(&file).display()))
    } else {
        let Some(bundle) = std::env::var_os("BLUES_LSTM_VST3").filter(|v| !v.is_empty()) else {
            eprintln!("skipped: set BLUES_LSTM_VST3 to a built \"Blues LSTM.vst3\" bundle to play it in Ardour");
            return;
        };
        let bundle = PathBuf::from(bundle);
        // Asked for and missing is a failure: a wrong path in CI must not pass as a skip.
        assert!(bundle.is_dir(), "BLUES_LSTM_VST3={} is not a VST3 bundle (no such directory)", bundle.display());
        if on_path("ardour7-lua").is_none() {
            eprintln!("skipped: no ardour7-lua on PATH (DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ardour)");
            return;
        }
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

/// A capture as the scripts write it: `choruses` of the form (each chord struck at its bar and
/// held to the next) with a melody note on every beat, a stop at the song end (Ardour's NoteOffs
/// first, then the plugin's), then `passes` loop passes over bars 1–2 and a part of one more.
struct MadeUp {
    text: String,
    records: usize,
    sounding: Vec<(u8, u8)>,
}

const EIGHTH: i64 = 12_000;
const BAR: i64 = 8 * EIGHTH;

impl MadeUp {
    fn rec(&mut self, line: String) {
        self.text += &line;
        self.text += "\n";
        self.records += 1;
    }

    fn play(&mut self, bars: std::ops::Range<i64>, stop_at: Option<i64>) {
        for bar in bars {
            for beat in 0..4u8 {
                let t = bar * BAR + i64::from(beat) * 2 * EIGHTH;
                if stop_at.is_some_and(|stop| t >= stop) {
                    return;
                }
                let (melody, chords): (Vec<_>, Vec<_>) = self.sounding.drain(..).partition(|(ch, _)| *ch == 1);
                for (ch, key) in melody.into_iter().chain(if beat == 0 { chords.clone() } else { Vec::new() }) {
                    self.rec(format!("E {t} {} {key} 0", 0x80 + ch));
                }
                if beat == 0 {
                    let mut keys: Vec<u8> = FORM[bar.rem_euclid(12) as usize].1.iter().map(|pc| 48 + pc).collect();
                    keys.sort_unstable();
                    for k in keys {
                        self.rec(format!("E {t} 144 {k} 80"));
                        self.sounding.push((0, k));
                    }
                } else {
                    self.sounding.extend(chords);
                }
                let key = 60 + 2 * beat;
                self.rec(format!("E {t} 145 {key} 100"));
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

fn made_up(choruses: i64, passes: usize) -> String {
    let song_end = choruses * 12 * BAR;
    let mut m = MadeUp {
        text: format!(
            "rate 48000\nbpm 120\nbeats_per_bar 4\nsong 0 {song_end}\nloop 0 {}\nlatency 0 0 0\nphase song\n",
            2 * BAR
        ),
        records: 0,
        sounding: Vec::new(),
    };
    m.rec("R 0".into());
    m.play(0..choruses * 12, None);
    m.stop(song_end);
    m.text += "phase loop\n";
    for _ in 0..passes {
        m.rec("R 0".into());
        m.play(0..2, None);
    }
    m.rec("R 0".into());
    m.play(0..2, Some(BAR + 2 * EIGHTH));
    m.stop(BAR + 2 * EIGHTH + 1000);
    format!("{}end {} 0\n", m.text, m.records)
}

fn findings(text: &str) -> Findings {
    check(&Capture::parse(text).expect("parses"))
}

fn all_problems(f: &Findings) -> String {
    f.problems.values().flatten().cloned().collect::<Vec<_>>().join("\n")
}

#[test]
fn checker_passes_a_right_capture() {
    let f = findings(&made_up(2, 3));
    assert!(f.problems.is_empty(), "{}", f.problems_text());
    let report = f.report.join("\n");
    assert!(report.contains("largest deviation from the eighth-note grid 0 sample(s)"), "{report}");
    assert!(report.contains("24 of 24 bars"), "{report}");
    assert!(report.contains("Ardour sent 10 NoteOffs of its own"), "{report}");
    assert!(report.contains("4 passes") && report.contains("4 of 4 started with C7"), "{report}");
}

#[test]
fn checker_measures_onsets_off_the_grid() {
    let text = made_up(2, 3).replacen("E 48000 145 64 100", "E 48006 145 64 100", 1);
    let f = findings(&text);
    let problems = all_problems(&f);
    assert!(problems.contains("NoteOn at sample 48006 is 6 samples off the grid"), "{problems}");
    assert!(f.report.join("\n").contains("largest deviation from the eighth-note grid 6 sample(s)"), "{:?}", f.report);
}

#[test]
fn checker_names_a_wrong_chord_in_a_listeners_terms() {
    // Bar 5 (form: F7 = F A C Eb) struck as Dm7 (D F A C): swap Eb (51) for D (50).
    let bar5 = 4 * 96_000;
    let text = made_up(1, 2)
        .replace(&format!("E {bar5} 144 51 80"), &format!("E {bar5} 144 50 80"))
        .replace(&format!("E {} 128 51 0", bar5 + 96_000), &format!("E {} 128 50 0", bar5 + 96_000));
    let problems = all_problems(&findings(&text));
    assert!(problems.contains("bar 5 played Dm7 (C D F A), want F7"), "{problems}");
}

#[test]
fn checker_finds_hanging_notes_and_a_loop_that_does_not_restart() {
    // The plugin forgets the NoteOff of the first melody note (a controller in its place).
    let text = made_up(1, 2).replacen("E 24000 129 60 0\n", "E 24000 177 64 0\n", 1);
    let problems = all_problems(&findings(&text));
    assert!(problems.contains("melody note C4 (ch 2 key 60) struck again at sample"), "{problems}");

    // A loop pass that starts on F7 instead of C7.
    let text = made_up(1, 2);
    let loop_at = text.find("phase loop").unwrap();
    let (song, looped) = text.split_at(loop_at);
    let looped = looped.replace("E 0 144 52 80", "E 0 144 53 80").replace("E 96000 128 52 0", "E 96000 128 53 0");
    let problems = all_problems(&findings(&format!("{song}{looped}")));
    assert!(problems.contains("loop pass 2: played {C F G Bb} at the loop start (sample 0), want C7"), "{problems}");
}
