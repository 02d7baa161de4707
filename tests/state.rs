//! What is saved with a DAW project: the user's choruses and the model survive a save and a
//! reload (and a second save is byte-identical); damaged, foreign or newer saved data falls back
//! with a message and is kept, never dropped; unknown fields are tolerated; parameter ids stay put.

mod common;

use blues_lstm::engine::swing::SwingMode;
use blues_lstm::engine::voicing::Voicing;
use blues_lstm::model::builtin::builtin;
use blues_lstm::music::encoding::Note;
use blues_lstm::project::ModelChoice;
use blues_lstm::BluesLstm;
use common::analysis::{assert_chords_follow, assert_no_hanging, assert_on_grid, assert_on_swung_grid, paper_form};
use common::builtins::{exp1, paper_chorus as builtin_chorus};
use common::{PlayMode, Session};
use nice_plug::plugin::ParamValue;
use nice_plug::prelude::*;
use std::collections::BTreeMap;

fn save(plugin: &BluesLstm) -> BTreeMap<String, String> {
    plugin.params().serialize_fields()
}

/// Loads saved fields into a fresh plugin the way a host restores a project.
fn load(fields: BTreeMap<String, String>) -> BluesLstm {
    load_state(BTreeMap::new(), fields)
}

/// Loads saved parameters and fields as nice-plug does: the plugin's migration first, then the
/// parameters, then the fields.
fn load_state(params: BTreeMap<String, ParamValue>, fields: BTreeMap<String, String>) -> BluesLstm {
    let plugin = BluesLstm::default();
    let mut state = PluginState { version: String::new(), params, fields };
    BluesLstm::filter_state(&mut state);
    let map = plugin.params().param_map();
    for (id, value) in &state.params {
        let Some((_, ptr, _)) = map.iter().find(|(i, _, _)| i == id) else { continue };
        // SAFETY: the pointers point into the plugin's parameters, alive for this function.
        unsafe {
            match (ptr, value) {
                (ParamPtr::EnumParam(p), ParamValue::String(v)) => assert!((**p).set_from_id(v), "{id}: {v}"),
                (_, ParamValue::F32(v)) => {
                    ptr._internal_set_normalized_value(ptr.preview_normalized(*v));
                }
                (_, ParamValue::I32(v)) => {
                    ptr._internal_set_normalized_value(ptr.preview_normalized(*v as f32));
                }
                (_, ParamValue::Bool(v)) => {
                    ptr._internal_set_normalized_value(f32::from(u8::from(*v)));
                }
                (_, ParamValue::String(v)) => panic!("{id}: a text value {v} for a parameter that is not a choice"),
            }
        }
    }
    plugin.params().deserialize_fields(&state.fields);
    plugin
}

fn user_choruses() -> Vec<blues_lstm::music::corpus::Chorus> {
    let mut odd = builtin_chorus(77);
    odd[3].melody = Note::REST;
    odd[40].chord = 0b1001_0001;
    vec![builtin_chorus(1), odd]
}

#[test]
fn the_users_choruses_and_model_survive_a_save_and_reload_byte_for_byte() {
    let a = BluesLstm::default();
    a.project().add_choruses(user_choruses()).unwrap();
    a.project().set_include_builtin(false);
    let mut model = exp1().clone();
    model.metadata.name = "My chords".to_string();
    a.project().set_model(model);
    let saved = save(&a);

    let b = load(saved.clone());
    assert_eq!(b.project().corpus(), a.project().corpus());
    match b.project().model() {
        ModelChoice::Custom { model, .. } => assert_eq!(model.metadata.name, "My chords"),
        ModelChoice::Builtin => panic!("the saved model was not restored"),
    }
    assert!(b.project().notices().is_empty(), "{:?}", b.project().notices());
    assert_eq!(save(&b), saved, "save → load → save is byte-identical");
}

#[test]
fn a_restored_model_plays_from_the_first_block() {
    let a = BluesLstm::default();
    a.project().set_model(exp1().clone());
    let saved = save(&a);
    let mut s = Session::with_mode(48_000.0, 120.0, PlayMode::Improvise);
    s.plugin = load(saved);
    s.plugin.reset();
    s.play_until(48.0, || 512);
    s.stop(1);
    assert_no_hanging(&s.events);
    assert_chords_follow(&s.events, 0, 0, &paper_form());
    assert!(s.events.iter().all(|e| e.channel == 0), "the chords-only model plays, not the default one");
}

#[test]
fn a_damaged_saved_model_falls_back_with_a_message_keeps_the_corpus_and_is_saved_again() {
    let a = BluesLstm::default();
    a.project().add_choruses(user_choruses()).unwrap();
    let mut saved = save(&a);
    let damaged = "{\"format\":\"blues-lstm-model\",\"version\":\"1.0.0\",\"topology\":";
    saved.insert("model".to_string(), serde_json::to_string(damaged).unwrap());

    let b = load(saved);
    assert!(matches!(b.project().model(), ModelChoice::Builtin));
    let notices = b.project().notices().join("\n");
    assert!(notices.contains("could not be loaded"), "{notices}");
    assert_eq!(b.project().corpus().user.len(), 2, "the corpus is kept");
    assert_eq!(
        serde_json::from_str::<String>(&save(&b)["model"]).unwrap(),
        damaged,
        "the damaged model is kept in the project"
    );
}

#[test]
fn a_model_from_a_newer_version_is_refused_by_name_and_kept() {
    let a = BluesLstm::default();
    a.project().set_model(exp1().clone());
    let mut saved = save(&a);
    let json: String = serde_json::from_str(&saved["model"]).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["version"], "2.0.0", "the model file carries its version");
    value["version"] = serde_json::json!("2.9.0");
    let newer = value.to_string();
    saved.insert("model".to_string(), serde_json::to_string(&newer).unwrap());

    let b = load(saved);
    assert!(matches!(b.project().model(), ModelChoice::Builtin));
    let notices = b.project().notices().join("\n");
    assert!(notices.contains("1.9.0") || notices.to_lowercase().contains("version"), "{notices}");
    assert_eq!(serde_json::from_str::<String>(&save(&b)["model"]).unwrap(), newer);
}

#[test]
fn a_saved_field_that_is_not_even_text_is_reported_and_kept() {
    let mut fields = BTreeMap::new();
    fields.insert("corpus".to_string(), "{\"choruses\": [1, 2".to_string());
    let b = load(fields);
    let notices = b.project().notices().join("\n");
    assert!(notices.contains("could not be read"), "{notices}");
    assert!(b.project().corpus().user.is_empty());
    assert!(
        serde_json::from_str::<String>(&save(&b)["corpus"]).unwrap().contains("{\"choruses\": [1, 2"),
        "kept for the next save"
    );
}

#[test]
fn unknown_fields_are_tolerated_and_a_damaged_chorus_is_left_out_with_a_message() {
    let a = BluesLstm::default();
    a.project().add_choruses(user_choruses()).unwrap();
    let mut saved = save(&a);
    let corpus: String = serde_json::from_str(&saved["corpus"]).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&corpus).unwrap();
    value["colour"] = serde_json::json!("blue");
    value["choruses"][1] = serde_json::json!("not a chorus");
    saved.insert("corpus".to_string(), serde_json::to_string(&value.to_string()).unwrap());
    saved.insert("someday".to_string(), "\"a field from a future version\"".to_string());

    let b = load(saved);
    assert_eq!(b.project().corpus().user, vec![builtin_chorus(1)]);
    assert!(b.project().notices().join("\n").contains("Saved chorus 2 is damaged"));
}

#[test]
fn a_corpus_from_a_newer_version_is_kept_untouched() {
    let mut fields = BTreeMap::new();
    let newer = r#"{"format":"blues-lstm-corpus","version":7,"include_builtin":true,"choruses":[],"tags":["x"]}"#;
    fields.insert("corpus".to_string(), serde_json::to_string(newer).unwrap());
    let b = load(fields);
    assert!(b.project().notices().join("\n").contains("newer"));
    assert_eq!(serde_json::from_str::<String>(&save(&b)["corpus"]).unwrap(), newer);
}

/// A project whose saved band is not one this version has says so, rather than playing bebop
/// in silence; its choruses still load.
#[test]
fn an_unknown_built_in_band_is_named_not_replaced_in_silence() {
    let mut fields = BTreeMap::new();
    let saved = r#"{"format":"blues-lstm-corpus","version":2,"include_builtin":true,"bars":12,"choruses":[],"builtin":"bossa-nova"}"#;
    fields.insert("corpus".to_string(), serde_json::to_string(saved).unwrap());
    let b = load(fields);
    assert!(b.project().notices().join("\n").contains("\"bossa-nova\""), "{:?}", b.project().notices());
}

/// The issue's case: a project with a damaged chorus among good ones is opened and saved; the
/// damaged text must come back in its place at the next load, not be gone.
#[test]
fn a_damaged_saved_chorus_is_kept_in_its_place_through_save_and_reload() {
    let a = BluesLstm::default();
    a.project().add_choruses([builtin_chorus(1), builtin_chorus(2), builtin_chorus(9)]).unwrap();
    let mut saved = save(&a);
    let corpus: String = serde_json::from_str(&saved["corpus"]).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&corpus).unwrap();
    let damaged = "048.3c*.-.s 048.3c.-.h and the rest of it lost";
    value["choruses"][1] = serde_json::json!(damaged);
    saved.insert("corpus".to_string(), serde_json::to_string(&value.to_string()).unwrap());

    let b = load(saved);
    assert_eq!(b.project().corpus().user, vec![builtin_chorus(1), builtin_chorus(9)], "the good ones are learned");
    assert_eq!(b.project().damaged_choruses(), 1);
    let resaved = save(&b);
    let c = load(resaved.clone());
    assert_eq!(c.project().corpus().user, vec![builtin_chorus(1), builtin_chorus(9)]);
    let notices = c.project().notices().join("\n");
    assert!(notices.contains("Saved chorus 2 is damaged"), "still there, in its place: {notices}");
    assert_eq!(save(&c), resaved, "saved again unchanged");
    let texts = |fields: &BTreeMap<String, String>| -> Vec<String> {
        let corpus: String = serde_json::from_str(&fields["corpus"]).unwrap();
        serde_json::from_value(serde_json::from_str::<serde_json::Value>(&corpus).unwrap()["choruses"].clone()).unwrap()
    };
    assert_eq!(texts(&resaved)[1], damaged);

    // New choruses join without pushing it out; clearing the choruses is what removes it.
    c.project().add_choruses([builtin_chorus(5)]).unwrap();
    let with_new = texts(&save(&c));
    assert_eq!((with_new.len(), with_new[1].as_str()), (4, damaged));
    c.project().clear_choruses();
    assert!(texts(&save(&c)).is_empty());
}

/// The issue's case: a project saved by a newer version is opened, a chorus is captured and the
/// project saved: the newer corpus must still be in the saved state, and the editor says so.
#[test]
fn a_corpus_from_a_newer_version_survives_a_capture_and_a_save() {
    let newer = r#"{"format":"blues-lstm-corpus","version":7,"include_builtin":true,"choruses":["?"],"tags":["x"]}"#;
    let fields = BTreeMap::from([("corpus".to_string(), serde_json::to_string(newer).unwrap())]);
    let mut s = Session::with_mode(48_000.0, 120.0, PlayMode::Improvise);
    s.plugin = load(fields);
    s.plugin.reset();
    assert!(s.plugin.project().keeps_unread_corpus());

    // Capture one chorus of the paper's form: its chord held through each bar, its melody.
    s.set_param("thru", 0.0);
    s.plugin.project().capture().set_enabled(true);
    let chorus = builtin_chorus(3);
    let spb = s.samples_per_beat();
    let at = |beats: f64| (beats * spb).round() as u64;
    let mut notes = Vec::new();
    for (step, frame) in chorus.iter().enumerate() {
        let beats = step as f64 / 2.0;
        if step % 8 == 0 {
            for key in (0..12u8).filter(|pc| frame.chord & (1 << pc) != 0).map(|pc| 48 + pc) {
                notes.push((at(beats), 0, key, true));
                notes.push((at(beats + 3.9), 0, key, false));
            }
        }
        if let (Some(key), true) = (frame.melody.key, frame.melody.begin) {
            notes.push((at(beats), 0, key, true));
            notes.push((at(beats + 0.9), 0, key, false));
        }
    }
    notes.sort_by_key(|&(sample, _, _, on)| (sample, on));
    s.to_send.extend(notes);
    s.play_until(49.0, || 512);
    s.stop(1);

    let saved = save(&s.plugin); // a save collects what was captured
    let project = s.plugin.project();
    assert_eq!(project.corpus().user.len(), 1, "the chorus was captured");
    let notices = project.notices().join("\n");
    assert!(notices.contains("cannot read") && notices.contains("beside your new ones"), "{notices}");
    let corpus: String = serde_json::from_str(&saved["corpus"]).unwrap();
    let value: serde_json::Value = serde_json::from_str(&corpus).unwrap();
    assert_eq!(value["unread_corpus"], newer, "the newer corpus is saved, unchanged, beside");
    assert_eq!(value["choruses"].as_array().map(Vec::len), Some(1));

    // And it stays through the next load and save, and through clearing the choruses.
    let again = load(saved.clone());
    assert_eq!(again.project().corpus().user, project.corpus().user);
    assert!(again.project().notices().join("\n").contains("cannot read"), "the editor says so on opening");
    assert_eq!(save(&again), saved);
    again.project().clear_choruses();
    let corpus: String = serde_json::from_str(&save(&again)["corpus"]).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&corpus).unwrap()["unread_corpus"], newer);
}

/// A project saved before the encoding became the model's (corpus version 1, model file 1.0.0)
/// loads: its 12-bar choruses as they were played, its model as the paper's encoding.
#[test]
fn a_project_saved_by_the_previous_version_keeps_loading() {
    // Chorus 5 of the paper's corpus in the version 1 text: chord mask, melody unit from C4.
    let chorus = builtin_chorus(5);
    let v1_steps: Vec<String> =
        chorus.iter().map(|f| format!("{:03x}.{:x}", f.chord, f.melody.key.unwrap() - 60)).collect();
    let corpus = serde_json::json!({
        "format": "blues-lstm-corpus", "version": 1, "include_builtin": false, "choruses": [v1_steps.join(" ")]
    });
    let mut fields = BTreeMap::new();
    fields.insert("corpus".to_string(), serde_json::to_string(&corpus.to_string()).unwrap());
    let model_v1 = include_str!("fixtures/exp1-v1.json");
    fields.insert("model".to_string(), serde_json::to_string(model_v1).unwrap());
    // Saved before there were styles and a feel: none of those parameters in it.
    let params = BTreeMap::from([("seed".to_string(), ParamValue::I32(3)), ("temp".to_string(), ParamValue::F32(1.0))]);
    let b = load_state(params, fields);
    assert!(b.project().notices().is_empty(), "{:?}", b.project().notices());
    // It keeps the sound it had: the paper's model to fall back on, straight, flat, legato,
    // chords as learned.
    assert!(std::ptr::eq(b.project().builtin(), builtin("paper-exp2").unwrap()));
    let feel = b.settings().feel;
    assert_eq!((feel.swing, feel.dynamics, feel.gate, feel.voicing), (0.5, 0.0, 1.0, Voicing::AsLearned));
    assert_eq!(feel.swing_mode, SwingMode::Fixed);
    assert_eq!(b.project().corpus().user, vec![chorus], "the quarter notes come back as they were played");
    match b.project().model() {
        ModelChoice::Custom { model, .. } => {
            assert_eq!(model.weights.topology.groups.len(), 1);
            assert_eq!(model.encoding.bars, 12);
        }
        ModelChoice::Builtin => panic!("the saved model was not restored"),
    }
    // It plays, and saves itself in the new formats.
    let mut s = Session::new(48_000.0, 120.0);
    s.plugin = b;
    s.plugin.reset();
    s.play_until(48.0, || 512);
    s.stop(1);
    assert_chords_follow(&s.events, 0, 0, &paper_form());
    assert_on_swung_grid(&s.events, &[0, 1], 0.5);
    let again: String = serde_json::from_str(&save(&s.plugin)["corpus"]).unwrap();
    assert!(again.contains("\"version\":2"), "{again}");
}

/// Every parameter's value as nice-plug saves it with a project (its `serialize_object`):
/// floats, integers and switches as plain values, choices by their ids.
fn saved_params(plugin: &BluesLstm) -> BTreeMap<String, ParamValue> {
    let mut saved = BTreeMap::new();
    for (id, ptr, _) in plugin.params().param_map() {
        // SAFETY: the pointers point into the plugin's parameters, alive for this function.
        let value = unsafe {
            match ptr {
                ParamPtr::FloatParam(p) => ParamValue::F32((*p).unmodulated_plain_value()),
                ParamPtr::IntParam(p) => ParamValue::I32((*p).unmodulated_plain_value()),
                ParamPtr::BoolParam(p) => ParamValue::Bool((*p).unmodulated_plain_value()),
                ParamPtr::EnumParam(p) => match (*p).unmodulated_plain_id() {
                    Some(id) => ParamValue::String(id.to_string()),
                    None => ParamValue::I32((*p).unmodulated_plain_value()),
                },
            }
        };
        saved.insert(id, value);
    }
    saved
}

/// Swing follows the tempo in a new instance, and a project saved before it could (its saved
/// parameters have no `swmode`) keeps its Swing at every tempo, as it played when saved.
#[test]
fn a_project_saved_before_swing_followed_the_tempo_keeps_its_swing_fixed() {
    let fresh = BluesLstm::default();
    assert_eq!(fresh.settings().feel.swing_mode, SwingMode::FollowsTempo, "a new instance follows the tempo");

    // What the version before the choice saved: all its parameters (this one's but `swmode`),
    // its Swing at 62 %.
    let old = BluesLstm::default();
    common::set_plain(&old, "swing", 62.0);
    let mut params = saved_params(&old);
    assert!(matches!(params.remove("swmode"), Some(ParamValue::String(id)) if id == "tempo"), "saved by its id");
    let loaded = load_state(params, save(&old));
    let feel = loaded.settings().feel;
    assert_eq!((feel.swing_mode, feel.swing), (SwingMode::Fixed, 0.62), "the old project's Swing, fixed");
    assert_eq!(feel.swing_at(200.0), 0.62f32 as f64);

    // It plays so: at 200 BPM its off-beats fall at 62 % of the beat, where a new instance's
    // fall at its curve's 54.4 %.
    let play = |plugin: BluesLstm| {
        let mut s = Session::new(48_000.0, 200.0);
        s.plugin = plugin;
        s.plugin.reset();
        s.play_until(32.0, || 512);
        s.stop(1);
        s
    };
    let old_song = play(loaded);
    assert_on_swung_grid(&old_song.events, &[0, 1], f64::from(0.62f32));
    let new_song = play(BluesLstm::default());
    assert_on_grid(&new_song.events, &[0, 1]);
    let off_beat = |s: &Session| {
        s.events.iter().filter(|e| e.on && e.channel == 1).map(|e| e.beats.fract()).find(|f| *f > 0.25).unwrap()
    };
    assert!((off_beat(&old_song) - 0.62).abs() < 1e-3, "{}", off_beat(&old_song));
    assert!((off_beat(&new_song) - 0.544).abs() < 1e-3, "{}", off_beat(&new_song));

    // Saved again, each keeps its mode: neither is read as an old project any more.
    for (plugin, mode) in [(BluesLstm::default(), SwingMode::FollowsTempo), (old_song.plugin, SwingMode::Fixed)] {
        let again = load_state(saved_params(&plugin), save(&plugin));
        assert_eq!(again.settings().feel.swing_mode, mode);
    }
}

#[test]
fn parameter_ids_never_change() {
    let plugin = BluesLstm::default();
    let mut ids: Vec<String> = plugin.params().param_map().into_iter().map(|(id, _, _)| id).collect();
    ids.sort();
    // Released ids: renaming one breaks users' projects and automation. Add, never rename.
    assert_eq!(
        ids,
        [
            "bass",
            "bassch",
            "bassoc",
            "bsvel",
            "build",
            "bypass",
            "chch",
            "chinch",
            "chon",
            "chvel",
            "comp",
            "drumch",
            "drums",
            "drvel",
            "dyn",
            "gate",
            "harm",
            "human",
            "inbass",
            "intens",
            "key",
            "mlch",
            "mlon",
            "mlvel",
            "mode",
            "reseed",
            "retrn",
            "seed",
            "style",
            "swing",
            "swmode",
            "temp",
            "thru",
            "trade",
            "tradefill",
            "tradefirst",
            "voice"
        ]
    );
}

#[test]
fn a_chart_survives_a_save_and_one_that_cannot_be_read_is_kept_as_typed() {
    let plugin = BluesLstm::default();
    let chart = "# my tune\n| Gb7 | B7 | Gb7 | Dbm7 Gb7 |";
    plugin.project().set_chart_text(chart).unwrap();
    let fields = save(&plugin);
    let restored = load(fields.clone());
    assert_eq!(restored.project().chart_text(), chart);
    assert_eq!(restored.project().chart().unwrap().unwrap().len(), 4);
    assert_eq!(save(&restored), fields, "a second save is byte-identical");

    // A chart this version cannot read (a symbol it does not know) is kept and reported.
    let mut broken = fields;
    broken.insert("chart".to_string(), serde_json::to_string("| C7 | Fsus13b5?? |").unwrap());
    let b = load(broken);
    assert_eq!(b.project().chart_text(), "| C7 | Fsus13b5?? |");
    let notices = b.project().notices().join(" ");
    assert!(notices.contains("chart") && notices.contains("bar 2"), "{notices}");
    assert_eq!(save(&b)["chart"], serde_json::to_string("| C7 | Fsus13b5?? |").unwrap());
}

#[test]
fn a_project_saved_before_charts_plays_its_learned_form() {
    let plugin = BluesLstm::default();
    let mut fields = save(&plugin);
    fields.remove("chart");
    let b = load(fields);
    assert!(b.project().notices().is_empty(), "{:?}", b.project().notices());
    assert_eq!(b.project().chart_text(), "");
    assert_eq!(b.settings().harmony, blues_lstm::engine::harmony::HarmonySource::Learned);
}
