//! Over a chart: a user's own choruses over their chart teach the chart band their lines,
//! starting from it. The band it becomes must play like the user — over their chart and over a
//! chart it never heard them play, in another key — and stay a band that is given its chords:
//! the chords it sounds are the chart's, its bass lands on the changes, its melody on the chord.

mod common;

use blues_lstm::engine::DEFAULT_TEMPERATURE;
use blues_lstm::eval::over_chart::{measure, play_chart, OverChanges};
use blues_lstm::eval::phrasing::phrasing;
use blues_lstm::model::builtin::chart_band;
use blues_lstm::model::fine_tune::{fine_tune_config, fine_tune_over_chart, Start, StartChoice};
use blues_lstm::music::chart::{self, Chart};
use blues_lstm::music::corpus::Corpus;
use blues_lstm::music::encoding::Frame;
use blues_lstm::music::part::Part;
use blues_lstm::music::user_tunes::user_tune;
use blues_lstm::project::ModelChoice;
use blues_lstm::training::retrain_threads;
use blues_lstm::training::RetrainFrom;
use common::{set_plain, Session};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// Total variation between two distributions.
fn tv(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / 2.0
}

/// Melody note lengths by share (one eighth, two, …), as `eval --phrasing` counts them.
fn lengths(frames: &[Frame], bars: usize) -> Vec<f64> {
    let form = blues_lstm::music::encoding::Form { steps_per_bar: 8, bars };
    phrasing(frames, form).melody.expect("a melody").lengths.to_vec()
}

/// Of consecutive melody notes, the share a semitone apart: bebop lines move by half steps all
/// the time, the user's pentatonic line never does.
fn semitone_steps(frames: &[Frame]) -> f64 {
    let keys: Vec<u8> = frames.iter().filter(|f| f.melody.begin).filter_map(|f| f.melody.key).collect();
    let pairs = keys.windows(2).count().max(1);
    keys.windows(2).filter(|w| w[0].abs_diff(w[1]) == 1).count() as f64 / pairs as f64
}

/// The chart band's run over `chart` and what it measures.
fn over(band: &blues_lstm::model::Model, chart: &Chart, choruses: usize, seed: u64) -> (Vec<Frame>, OverChanges) {
    let frames = play_chart(band, chart, choruses, seed, DEFAULT_TEMPERATURE).unwrap();
    let chords: Vec<_> = (0..frames.len()).map(|s| Some(chart.chord_at_step(s))).collect();
    let m = measure(&frames, &chords);
    (frames, m)
}

/// A 16-bar chart in D the user never played over: minor ii-Vs, a dominant cycle, a turnaround.
const ELSEWHERE: &str = "
| Dmaj7 | Dmaj7 | Em7 | A7 | Dmaj7 | B7 | Em7 | A7 |
| F#m7 | B7 | Em7 | A7 | Am7 D7 | Gmaj7 | Em7 A7 | Dmaj7 |
";

#[test]
fn the_chart_band_learns_the_users_lines_over_their_chart_and_plays_them_over_any() {
    let tune = user_tune(12).unwrap();
    let chart = tune.chart();
    let corpus: Corpus = tune.corpus(8, 1);
    let band = chart_band().unwrap();
    let start = Start::chart_band(band, &band.metadata.name, &corpus, true).unwrap();
    assert_eq!(start.kept, [Part::Drums], "the user's choruses have every part but the drums");

    let config = blues_lstm::lstm::trainer::TrainConfig { threads: retrain_threads(), ..fine_tune_config(1) };
    let model =
        fine_tune_over_chart(&start, &chart, &corpus, &config, "user", &mut |_| {}, &AtomicBool::new(false)).unwrap();
    println!("fine-tuned in {:.1} s, {} epochs", model.metadata.train_seconds, model.metadata.epochs);
    assert!(model.encoding.context.given_chord, "still a band that is given its chords");
    for name in ["drums_gates", "drums_out"] {
        assert_eq!(model.weights.tensors[name], start.weights.tensors[name], "the kept drums: {name}");
    }

    // On the command line: the taught band plays over a chart, and only over one.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("chart-fine-tune");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("taught.json");
    model.save(&file).unwrap();
    let render = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_blues-lstm"))
            .args(["render", "--model", file.to_str().unwrap(), "--choruses", "1"])
            .args(extra)
            .output()
            .unwrap()
    };
    let refused = render(&["--out", dir.join("none.mid").to_str().unwrap()]);
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("give --chart too"));
    let played = render(&["--chart", ELSEWHERE, "--out", dir.join("elsewhere.mid").to_str().unwrap()]);
    let said = String::from_utf8_lossy(&played.stdout);
    assert!(played.status.success() && said.contains("model: user over the chart"), "{said}");

    let user_frames: Vec<Frame> = corpus.user.concat();
    let user = lengths(&user_frames, 12);
    let user_steps = semitone_steps(&user_frames);
    let user_chords: Vec<_> = (0..user_frames.len()).map(|s| Some(chart.chord_at_step(s))).collect();
    let theirs = measure(&user_frames, &user_chords);
    println!("the user's choruses over their chart: {theirs:.2?}");
    let (built_in_frames, _) = over(band, &chart, 16, 3);
    let built_in = lengths(&built_in_frames, 12);
    let built_in_steps = semitone_steps(&built_in_frames);
    let elsewhere = chart::parse(ELSEWHERE).unwrap();
    for (what, chart) in [("the user's chart", &chart), ("a chart in D they never played over", &elsewhere)] {
        let (frames, m) = over(&model, chart, 16, 3);
        let mine = lengths(&frames, chart.len());
        let (to_user, to_band) = (tv(&mine, &user), tv(&mine, &built_in));
        let steps = semitone_steps(&frames);
        println!("{what}: lengths {mine:.2?}; TV {to_user:.3} from the user's, {to_band:.3} from the chart band's");
        println!("  semitone steps {steps:.3} (user {user_steps:.3}, chart band {built_in_steps:.3})");
        println!("  over the changes: {m:.2?}");
        // The user's lines: their note lengths and steps, not the chart band's bebop.
        assert!(to_user < 0.1 && to_user < to_band, "{what}: its note lengths are the user's");
        assert!((steps - user_steps).abs() < (steps - built_in_steps).abs(), "{what}: its intervals are the user's");
        // Still a band over the changes it is given, in any key.
        assert_eq!(m.chords_as_given, 1.0, "{what}: the piano plays the chart");
        assert!(m.bass_chord_tone_at_changes > 0.9, "{what}: the bass lands on the changes");
        assert!(
            m.melody_in_chord > theirs.melody_in_chord - 0.1,
            "{what}: its notes fit the chord as the user's fit theirs ({:.2} against {:.2})",
            m.melody_in_chord,
            theirs.melody_in_chord
        );
        assert!(m.melody_notes > theirs.melody_notes / 2, "{what}: it plays");
    }
}

/// The melody (channel 2) notes' lengths in eighths, by share as [`lengths`] bins them, from
/// what the plugin sent.
fn sent_lengths(events: &[common::Recorded]) -> Vec<f64> {
    let mut bins = [0usize; 5];
    let mut on: Vec<(u8, f64)> = Vec::new();
    for e in events.iter().filter(|e| e.channel == 1) {
        if e.on {
            on.push((e.key, e.beats));
        } else if let Some(i) = on.iter().position(|&(k, _)| k == e.key) {
            let (_, from) = on.remove(i);
            let eighths = ((e.beats - from) * 2.0).round().max(1.0) as usize;
            bins[eighths.min(5) - 1] += 1;
        }
    }
    let n = bins.iter().sum::<usize>().max(1);
    bins.iter().map(|&b| b as f64 / n as f64).collect()
}

/// A band session whose project holds `corpus`'s choruses alone.
fn session_with(corpus: &Corpus) -> Session {
    let s = Session::band(48_000.0, 140.0);
    let project = s.plugin.project();
    project.add_choruses(corpus.user.clone()).unwrap();
    project.set_include_builtin(false);
    s
}

/// Plays on until the retrain running ends.
fn wait_for_retrain(s: &mut Session) {
    let training = s.plugin.training();
    let started = Instant::now();
    while training.status().running {
        assert!(started.elapsed() < Duration::from_secs(600), "a retrain over the chart ends");
        s.block(512);
    }
}

/// The melody's note lengths the plugin sends over `beats` beats from the top, with Harmony
/// at `harmony` (0 the learned form, 1 the chart).
fn lengths_heard(s: &mut Session, harmony: f32, beats: f64) -> Vec<f64> {
    set_plain(&s.plugin, "harm", harmony);
    s.seek(0.0);
    s.events.clear();
    s.play_until(beats, || 480);
    sent_lengths(&s.events)
}

/// In the plugin: choruses in the project over the chart it follows; Retrain from "the chart
/// band, over my chart" teaches the chart band; the project saves it as its model; the band
/// following the chart then plays the user's lines, the style's band still plays where no
/// chart is followed — and without a chart, or over one of another length, it says why and
/// keeps the old model.
#[test]
fn retraining_over_the_chart_in_the_plugin_teaches_the_chart_band_and_keeps_it_with_the_project() {
    let tune = user_tune(12).unwrap();
    let corpus = tune.corpus(8, 1);
    let mut s = session_with(&corpus);
    let (project, training) = (s.plugin.project(), s.plugin.training());
    training.set_retrain_from(RetrainFrom { choice: StartChoice::ChartBand, keep_missing: true });

    let why = training.start(project.clone(), 1).unwrap_err();
    assert!(why.contains("needs a chart"), "no chart: {why}");
    project.set_chart_text("| Fmaj7 | Gm7 C7 | Fmaj7 | Gm7 C7 |").unwrap();
    let why = training.start(project.clone(), 1).unwrap_err();
    assert!(why.contains("12 bars and the chart 4"), "a chart of another length: {why}");
    assert!(matches!(project.model(), ModelChoice::Builtin), "the old model keeps playing");

    project.set_chart_text(tune.chart).unwrap();
    training.start(project.clone(), 1).unwrap();
    wait_for_retrain(&mut s);
    let status = training.status();
    let outcome = status.outcome.clone().unwrap().unwrap();
    println!("{outcome}\nstarted from: {:?}", status.started_from);
    assert!(outcome.contains("over your chart"), "{outcome}");
    assert!(status.started_from.unwrap().contains("Chart band"));
    let ModelChoice::Custom { model, .. } = project.model() else { panic!("the taught chart band plays") };
    assert!(model.encoding.context.given_chord);
    assert_eq!(model.metadata.kept_parts, ["drums"]);

    // Saved with the project and loaded again as it was.
    let saved = project.model_json();
    let again = Session::band(48_000.0, 140.0);
    again.plugin.project().load_model_json(&saved);
    assert!(
        matches!(again.plugin.project().model(), ModelChoice::Custom { model, .. } if model.encoding.context.given_chord)
    );

    // Following the chart: the user's quarter notes, not the chart band's eighths.
    let heard = lengths_heard(&mut s, 1.0, 4.0 * 48.0);
    let user_frames: Vec<Frame> = corpus.user.concat();
    let user = lengths(&user_frames, 12);
    println!("melody lengths sent over the chart: {heard:.2?}, the user's {user:.2?}");
    assert!(tv(&heard, &user) < 0.15, "the chart band plays the user's lines over the chart");

    // Not following: the style's band, in eighths.
    let heard = lengths_heard(&mut s, 0.0, 4.0 * 24.0);
    println!("melody lengths sent by the style's band: {heard:.2?}");
    assert!(heard[0] > 0.5, "the bebop band plays its eighths where no chart is followed");
    training.shut_down();
}

/// The chords of `chart` and `heard` on every beat, as notes (a chart read back may name the
/// same notes from another root where no bass tells them apart).
fn same_notes(heard: &Chart, chart: &Chart) -> bool {
    heard.len() == chart.len()
        && heard.bars.iter().zip(&chart.bars).all(|(h, c)| h.iter().zip(c).all(|(h, c)| h.mask() == c.mask()))
}

/// A 32-bar tune without a chart: pressing Retrain reads the chart from the choruses' chords,
/// teaches the chart band the user's lines over it (seconds, where learning the form from
/// scratch takes minutes), puts the chart in the project and asks the editor to follow it;
/// following it, the band plays the user's lines on the tune's changes. A chart the user has
/// of the choruses' length is taught over as it is, not replaced.
#[test]
fn a_long_tune_without_a_chart_is_taught_over_the_chart_its_chords_make() {
    let tune = user_tune(32).unwrap();
    let corpus = tune.corpus(8, 1);
    let mut s = session_with(&corpus);
    let (project, training) = (s.plugin.project(), s.plugin.training());
    assert_eq!(project.chart(), Ok(None));

    training.start(project.clone(), 1).unwrap();
    wait_for_retrain(&mut s);
    let status = training.status();
    let outcome = status.outcome.clone().unwrap().unwrap();
    println!("{outcome}");
    assert!(outcome.contains("read as a chart"), "{outcome}");
    let ModelChoice::Custom { model, .. } = project.model() else { panic!("the taught chart band plays") };
    assert!(model.encoding.context.given_chord, "a chart band, not a form learned from scratch");
    let chart = project.chart().unwrap().expect("the chart read is the project's");
    println!("the chart read:\n{}", chart.to_text());
    assert!(same_notes(&chart, &tune.chart()), "the chart read is the tune's changes");
    assert!(training.take_follow_chart(), "the editor is asked to follow the chart");
    assert!(!training.take_follow_chart(), "once");

    // Following it: chords on the tune's changes, the user's quarter notes.
    let heard = lengths_heard(&mut s, 1.0, 4.0 * 64.0);
    let user = lengths(&corpus.user.concat(), 32);
    println!("melody lengths sent over the chart read: {heard:.2?}, the user's {user:.2?}");
    assert!(tv(&heard, &user) < 0.15, "the chart band plays the user's lines over their tune");

    // A chart of the choruses' length the user wrote is taught over as written.
    let written = "| Fmaj7 | D7 | Gm7 | C7 | Am7 | D7 | Gm7 C7 | Fmaj7 | Fmaj7 | D7 | Gm7 | C7 | Am7 | D7 | Gm7 C7 | Fmaj7 \
                   | Cm7 | F7 | Bbmaj7 | Bbm7 | Am7 | D7 | G7 | Gm7 C7 | Fmaj7 | D7 | Gm7 | C7 | Am7 | D7 | Gm7 C7 | F6 |";
    project.set_chart_text(written).unwrap();
    training.start(project.clone(), 2).unwrap();
    wait_for_retrain(&mut s);
    let outcome = training.status().outcome.unwrap().unwrap();
    assert!(outcome.contains("over your chart"), "{outcome}");
    assert_eq!(project.chart_text(), written, "the user's chart stays as they wrote it");
    training.shut_down();
}

/// On the command line: `train --corpus` of a 32-bar tune writes the chart its chords make
/// beside the model and teaches the chart band over it; the render command it prints plays.
#[test]
fn train_reads_a_long_tunes_chart_from_its_midi_file() {
    let tune = user_tune(32).unwrap();
    let corpus = tune.corpus(8, 3);
    let frames: Vec<Frame> = corpus.user.concat();
    let form = corpus.form;
    let notes = blues_lstm::render::frames_to_notes(&frames, form, true, &Default::default());
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("chart-heard");
    std::fs::create_dir_all(&dir).unwrap();
    let mid = dir.join("aaba.mid");
    std::fs::write(&mid, blues_lstm::music::midi_file::write_smf(&notes, 120.0, &|c| format!("{c}"))).unwrap();
    let out = dir.join("taught.json");
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_blues-lstm")).args(args).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "{args:?}: {text}");
        text
    };
    let said = run(&[
        "train",
        "--corpus",
        mid.to_str().unwrap(),
        "--form-bars",
        "32",
        "--split",
        "channel:1,bass:3",
        "--out",
        out.to_str().unwrap(),
    ]);
    println!("{said}");
    let chart_file = dir.join("taught.chart.txt");
    assert!(said.contains(chart_file.to_str().unwrap()), "it names the chart it wrote: {said}");
    let chart = chart::parse(&std::fs::read_to_string(&chart_file).unwrap()).unwrap();
    assert!(same_notes(&chart, &tune.chart()), "the chart read is the tune's changes:\n{}", chart.to_text());
    let model = blues_lstm::model::Model::load(&out).unwrap();
    assert!(model.encoding.context.given_chord, "the chart band, taught");
    let rendered = dir.join("taught.mid");
    let args = ["render", "--model", out.to_str().unwrap(), "--chart", chart_file.to_str().unwrap(), "--out"];
    run(&[&args[..], &[rendered.to_str().unwrap()]].concat());
}
