//! A retrain that starts from a band that already plays: the built-in band nearest the user's
//! form, moved to their key, fine-tuned on their choruses. It must still learn the user — their
//! form (the plugin's check, then 1000 free-running choruses) and their lines, not the band's —
//! and keep the part the user's choruses lack (here the drums) exactly as the band plays it.

use blues_lstm::engine::DEFAULT_TEMPERATURE;
use blues_lstm::eval::phrasing::{phrasing, Phrasing};
use blues_lstm::eval::{corpus_frames, lstm_frames};
use blues_lstm::model::builtin::builtin;
use blues_lstm::model::check_form;
use blues_lstm::model::fine_tune::{fine_tune, fine_tune_config, Start, StartChoice};
use blues_lstm::music::corpus::Corpus;
use blues_lstm::music::encoding::Frame;
use blues_lstm::music::part::Part;
use blues_lstm::music::user_tunes::user_tune;
use blues_lstm::training::{choose_start, retrain_threads, RetrainFrom};
use std::sync::atomic::AtomicBool;

/// Total variation between two distributions.
fn tv(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / 2.0
}

/// Of consecutive melody notes, the share a semitone apart: bebop lines move by half steps all
/// the time, a pentatonic line never does.
fn semitone_steps(frames: &[Frame]) -> f64 {
    let keys: Vec<u8> = frames.iter().filter(|f| f.melody.begin).filter_map(|f| f.melody.key).collect();
    let pairs = keys.windows(2).count().max(1);
    keys.windows(2).filter(|w| w[0].abs_diff(w[1]) == 1).count() as f64 / pairs as f64
}

fn measures(frames: &[Frame], corpus: &Corpus) -> (Phrasing, f64) {
    (phrasing(frames, corpus.form), semitone_steps(frames))
}

#[test]
fn a_fine_tuned_band_learns_the_users_form_and_lines_and_keeps_the_drums_they_lack() {
    let corpus = user_tune(12).unwrap().corpus(8, 1);
    let band = builtin("bebop-blues").unwrap();
    let start = Start::nearest_builtin(&corpus, true).unwrap();
    assert!(start.name.starts_with(band.name), "a 12-bar tune starts from the 12-bar band: {}", start.name);
    assert!(start.name.contains("moved down 2"), "moved from C to the tune's Bb: {}", start.name);
    assert_eq!(start.kept, [Part::Drums], "the user's choruses have every part but the drums");

    let config = fine_tune_config(1);
    let config = blues_lstm::lstm::trainer::TrainConfig { threads: retrain_threads(), ..config };
    let model = fine_tune(&start, &corpus, &config, "user", &mut |_| {}, &AtomicBool::new(false)).unwrap();
    println!("fine-tuned in {:.1} s, {} epochs", model.metadata.train_seconds, model.metadata.epochs);
    assert_eq!(model.metadata.started_from, start.name);
    assert_eq!(model.metadata.kept_parts, ["drums"]);
    assert_eq!(check_form(&model, &corpus, 100, 1), 100, "the plugin's check before the swap");
    assert_eq!(check_form(&model, &corpus, 1000, 2), 1000, "1000 free-running choruses on the user's form");

    // The kept drums are the band's, weight for weight.
    for name in ["drums_gates", "drums_out"] {
        assert_eq!(model.weights.tensors[name], start.weights.tensors[name], "{name}");
    }

    // Its lines are the user's, not the band's it started from.
    let played = lstm_frames(&model, &corpus, 40, 3, DEFAULT_TEMPERATURE).unwrap();
    let (mine, mine_steps) = measures(&played, &corpus);
    let (user, user_steps) = measures(&corpus_frames(&corpus, 40, 3), &corpus);
    let band_corpus = band.corpus();
    let (theirs, band_steps) = measures(&corpus_frames(&band_corpus, 40, 3), &band_corpus);
    let lengths = |p: &Phrasing| p.melody.as_ref().unwrap().lengths;
    let (to_user, to_band) = (tv(&lengths(&mine), &lengths(&user)), tv(&lengths(&mine), &lengths(&theirs)));
    println!("note lengths: total variation {to_user:.3} from the user's corpus, {to_band:.3} from the band's");
    println!("lengths: band {:.2?} user {:.2?} built-in {:.2?}", lengths(&mine), lengths(&user), lengths(&theirs));
    println!("semitone steps: band {mine_steps:.3}, user {user_steps:.3}, built-in {band_steps:.3}");
    assert!(to_user < 0.15 && to_user < to_band, "its note lengths are the user's");
    assert!((mine_steps - user_steps).abs() < (mine_steps - band_steps).abs(), "its intervals are the user's");
    let struck = |p: &Phrasing| p.bass.as_ref().unwrap().beats_struck;
    println!(
        "bass beats struck: band {:.2}, user {:.2}, built-in {:.2}",
        struck(&mine),
        struck(&user),
        struck(&theirs)
    );
    assert!((struck(&mine) - struck(&user)).abs() < 0.1, "the bass plays in two, as the user's does");
    let hat = mine.drums.as_ref().map_or(0.0, |d| d.hat_on_2_and_4);
    assert!(hat > 0.8, "the kept drummer still plays the hi-hat on 2 and 4: {hat:.2}");
}

#[test]
fn parts_the_user_turns_off_are_left_out_and_the_rest_is_learned() {
    let corpus = user_tune(12).unwrap().corpus(8, 1);
    let start = Start::nearest_builtin(&corpus, false).unwrap();
    assert_eq!(start.dropped, [Part::Drums]);
    let config = blues_lstm::lstm::trainer::TrainConfig { threads: retrain_threads(), ..fine_tune_config(2) };
    let model = fine_tune(&start, &corpus, &config, "user", &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert!(!model.encoding.drums && model.encoding.bass.is_some());
    assert_eq!(check_form(&model, &corpus, 100, 1), 100);
    let played = lstm_frames(&model, &corpus, 10, 1, DEFAULT_TEMPERATURE).unwrap();
    assert!(played.iter().all(|f| f.drums.is_empty()), "no drums");
    assert!(played.iter().any(|f| f.bass.key.is_some()), "the user's bass line");
}

#[test]
fn a_retrain_starts_again_from_the_built_in_band_unless_asked_otherwise() {
    let corpus = user_tune(16).unwrap().corpus(2, 1);
    // A model of the user's own that could be a start: the 16-bar band itself stands in.
    let current = builtin("sixteen-bar-blues").unwrap().model().unwrap();
    let mut current = current.clone();
    current.metadata.name = "Retrained on 8 choruses".to_string();
    let from = |choice| RetrainFrom { choice, keep_missing: true };
    let nearest = choose_start(&corpus, from(StartChoice::NearestBand), Some(&current)).unwrap();
    assert!(nearest.name.starts_with("Sixteen-bar blues in Bb"), "no drift: {}", nearest.name);
    let own = choose_start(&corpus, from(StartChoice::CurrentModel), Some(&current)).unwrap();
    assert_eq!(own.name, "Retrained on 8 choruses");
    assert!(choose_start(&corpus, from(StartChoice::Scratch), Some(&current)).is_none());
    // A current model that cannot learn 16 bars (the 12-bar band has 4 chord blocks, 16 bars
    // need 5): the nearest band instead.
    let twelve = builtin("bebop-blues").unwrap().model().unwrap();
    let fallback = choose_start(&corpus, from(StartChoice::CurrentModel), Some(twelve)).unwrap();
    assert!(fallback.name.starts_with("Sixteen-bar blues in Bb"), "{}", fallback.name);
}
