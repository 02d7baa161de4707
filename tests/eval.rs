//! `blues-lstm eval` end to end: the real binary, its JSON and pictures, and its refusals.

use std::path::PathBuf;
use std::process::{Command, Output};

fn eval(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blues-lstm")).arg("eval").args(args).output().expect("run blues-lstm")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn compare_measures_every_generator_and_the_lstm_holds_the_form() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("eval-png");
    let _ = std::fs::remove_dir_all(&dir);
    let png_dir = dir.to_str().unwrap();
    let args =
        ["--compare", "--choruses", "5", "--rnn-epochs", "40", "--json", "--png-dir", png_dir, "--png-from", "4"];
    let out = eval(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
    assert_eq!(
        (run["choruses"].as_u64(), run["seed"].as_u64(), run["rnn_epochs"].as_u64()),
        (Some(5), Some(1), Some(40))
    );
    let rows = run["rows"].as_array().unwrap();
    let keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["lstm", "rnn", "markov", "random-walk", "corpus"]);
    let report = |key: &str| &rows.iter().find(|r| r["key"] == key).unwrap()["report"];

    // The embedded LSTM keeps the form in every chorus, as the paper's LSTM does.
    let lstm = report("lstm");
    assert_eq!(lstm["choruses"], 5);
    assert_eq!(lstm["form_held_choruses"], 5);
    assert!(lstm["first_break_chorus"].is_null());
    assert_eq!(lstm["chord_accuracy"], 1.0);
    // The corpus and the random walk are given the form; the Markov chain cannot keep it.
    for key in ["corpus", "random-walk"] {
        assert_eq!(report(key)["form_held_choruses"], 5, "{key}");
    }
    assert_eq!(report("corpus")["novel_bars"], 0.0);
    assert!(report("markov")["chord_accuracy"].as_f64().unwrap() < 1.0);
    assert!(rows[1]["detail"].as_str().unwrap().contains("40 epochs"), "{}", rows[1]["detail"]);

    // One picture per generator, of choruses 4–5.
    for key in keys {
        let png = std::fs::read(dir.join(format!("{key}.png"))).expect("a picture per generator");
        assert_eq!(&png[1..4], b"PNG", "{key}");
    }
}

#[test]
fn one_model_as_a_table() {
    let out = eval(&["--choruses", "3", "--seed", "7", "--temperature", "0.5"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("3 free-running choruses, seed 7, temperature 0.5"), "{text}");
    assert!(text.contains("choruses that hold the form") && text.contains("3/3"), "{text}");
    let md = eval(&["--choruses", "2", "--markdown"]);
    assert!(md.status.success(), "{}", stderr(&md));
    assert!(String::from_utf8(md.stdout).unwrap().starts_with("|  | Bebop blues in C |"), "the default model");
}

#[test]
fn bad_arguments_are_refused_with_a_reason() {
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-such-model.json");
    let cases: [(&[&str], &str); 9] = [
        (&["--choruses", "0"], "--choruses"),
        (&["--choruses", "many"], "not a number"),
        (&["--temperature", "3"], "--temperature"),
        (&["--rnn-epochs", "5"], "goes with --compare"),
        (&["--json", "--markdown"], "one of --json and --markdown"),
        (&["--compare", "yes"], "takes no value"),
        (&["--choruses", "3", "--png-dir", "x", "--png-from", "4"], "--png-from"),
        (&["--png-from", "1"], "go with --png-dir"),
        (&["--model", missing.to_str().unwrap()], "no-such-model.json"),
    ];
    for (args, expected) in cases {
        let out = eval(args);
        let message = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {message}");
        assert!(message.contains(expected) && !message.contains("panicked"), "{args:?}: {message}");
    }
    let out = eval(&["--bogus"]);
    assert!(!out.status.success() && stderr(&out).contains("unknown option '--bogus'"));
}
