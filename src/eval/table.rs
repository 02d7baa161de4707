//! The evaluation as people and machines read it: a plain-text table (one column per
//! generator, one line per measure), the same as Markdown for the README, or JSON. CLI thread.

use super::metrics::Report;
use serde::Serialize;

/// One generator's measures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// For machines: "lstm", "rnn", "markov", "random-walk", "corpus".
    pub key: String,
    /// Column heading, e.g. "Paper Exp 2" or "Markov-3".
    pub name: String,
    /// What it is and how it was trained, in a few words.
    pub detail: String,
    pub report: Report,
}

fn percent(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

fn maybe_percent(x: Option<f64>) -> String {
    x.map_or("—".to_string(), percent)
}

/// A measure's label and how to show it.
type Measure = (&'static str, fn(&Report) -> String);

/// The measures, in the order shown.
const MEASURES: &[Measure] = &[
    ("chord right, per step", |r| percent(r.chord_accuracy)),
    ("chord right, bar starts", |r| percent(r.bar_start_chord_accuracy)),
    ("choruses that hold the form", |r| format!("{}/{}", r.form_held_choruses, r.choruses)),
    ("form first breaks in chorus", |r| r.first_break_chorus.map_or("never".to_string(), |c| c.to_string())),
    ("melody in the corpus's scale", |r| maybe_percent(r.in_scale)),
    ("chord tones on beats", |r| maybe_percent(r.chord_tones_on_beats)),
    ("bar melodies not in the corpus", |r| maybe_percent(r.novel_bars)),
    ("4-bar melodies found in the corpus", |r| maybe_percent(r.windows_in_corpus)),
    ("bars as in the chorus before", |r| maybe_percent(r.repeated_bars)),
    ("distinct bar melodies", |r| r.distinct_bars.map_or("—".to_string(), |n| n.to_string())),
    ("MI at lag {L} (bits)", |r| format!("{:.3}", r.mi_lag_chorus)),
    ("MI, mean of lags 1–{L-1} (bits)", |r| format!("{:.3}", r.mi_mean_shorter_lags)),
    ("MI lag {L} / mean of lags 1–{L-1}", |r| ratio(r.mi_lag_chorus, r.mi_mean_shorter_lags)),
    ("melody MI at lag {L} (bits)", |r| format!("{:.3}", r.melody_mi_lag_chorus)),
    ("melody MI, mean of lags 1–{L-1} (bits)", |r| format!("{:.3}", r.melody_mi_mean_shorter_lags)),
    ("melody MI lag {L} / mean of lags 1–{L-1}", |r| ratio(r.melody_mi_lag_chorus, r.melody_mi_mean_shorter_lags)),
];

/// A measure's label for rows whose chorus is `lag` steps (the MI measures name it).
fn label(template: &str, rows: &[Row]) -> String {
    let lag = rows.first().map_or(96, |r| r.report.chorus_lag);
    template.replace("{L-1}", &(lag.saturating_sub(1)).to_string()).replace("{L}", &lag.to_string())
}

/// `a / b` to two places, or a dash when `b` is about 0.
fn ratio(a: f64, b: f64) -> String {
    if b > 1e-9 {
        format!("{:.2}", a / b)
    } else {
        "—".to_string()
    }
}

/// Aligned columns, right-justified values; the generators' details follow as a legend.
pub fn plain(rows: &[Row]) -> String {
    let cells: Vec<Vec<String>> =
        rows.iter().map(|row| MEASURES.iter().map(|(_, f)| f(&row.report)).collect()).collect();
    let labels: Vec<String> = MEASURES.iter().map(|(l, _)| label(l, rows)).collect();
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let widths: Vec<usize> = rows
        .iter()
        .zip(&cells)
        .map(|(row, col)| col.iter().chain([&row.name]).map(|c| c.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!("{:label_width$}", "");
    for (row, w) in rows.iter().zip(&widths) {
        out += &format!("  {:>w$}", row.name);
    }
    out += "\n";
    for (m, label) in labels.iter().enumerate() {
        out += &format!("{label:label_width$}");
        for (col, w) in cells.iter().zip(&widths) {
            out += &format!("  {:>w$}", col[m]);
        }
        out += "\n";
    }
    out += "\n";
    let name_width = rows.iter().map(|r| r.name.chars().count()).max().unwrap_or(0);
    for row in rows {
        out += &format!("{:name_width$}  {}\n", row.name, row.detail);
    }
    out
}

/// A GitHub-flavoured Markdown table: a header row of generators, a "what" row, then measures.
pub fn markdown(rows: &[Row]) -> String {
    let line = |first: &str, rest: Vec<String>| format!("| {first} | {} |\n", rest.join(" | "));
    let mut out = line("", rows.iter().map(|r| r.name.clone()).collect());
    out += &line("---", rows.iter().map(|_| "---:".to_string()).collect());
    out += &line("what", rows.iter().map(|r| r.detail.replace('|', "/")).collect());
    for (template, f) in MEASURES {
        out += &line(&label(template, rows), rows.iter().map(|r| f(&r.report)).collect());
    }
    out
}

/// The settings of a run, as the JSON output records them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunInfo {
    pub choruses: usize,
    pub seed: u64,
    pub temperature: f32,
    /// The vanilla RNN's cap on epochs, with `--compare`.
    pub rnn_epochs: Option<u32>,
}

/// The whole run as JSON: the settings and every row.
pub fn json(rows: &[Row], info: &RunInfo) -> String {
    #[derive(Serialize)]
    struct Run<'a> {
        #[serde(flatten)]
        info: &'a RunInfo,
        rows: &'a [Row],
    }
    serde_json::to_string_pretty(&Run { info, rows }).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, first_break: Option<usize>) -> Row {
        Row {
            key: name.to_lowercase(),
            name: name.to_string(),
            detail: "a | b".to_string(),
            report: Report {
                choruses: 10,
                chord_accuracy: 0.5,
                bar_start_chord_accuracy: 1.0,
                form_held_choruses: 9,
                first_break_chorus: first_break,
                melody_steps: 1.0,
                in_scale: Some(0.25),
                chord_tones_on_beats: None,
                novel_bars: Some(0.0),
                windows_in_corpus: Some(1.0),
                repeated_bars: Some(0.5),
                distinct_bars: Some(24),
                chorus_lag: 96,
                mi_lag_chorus: 2.0,
                mi_mean_shorter_lags: 0.5,
                melody_mi_lag_chorus: 1.0,
                melody_mi_mean_shorter_lags: 0.0,
            },
        }
    }

    #[test]
    fn every_format_shows_every_measure() {
        let rows = [row("LSTM", None), row("a longer name", Some(3))];
        let text = plain(&rows);
        assert_eq!(text.lines().count(), 1 + MEASURES.len() + 1 + rows.len());
        let widths: Vec<usize> = text.lines().take(1 + MEASURES.len()).map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|&w| w == widths[0]), "columns line up: {widths:?}");
        assert!(text.contains("50.0 %") && text.contains("never") && text.contains("4.00"));
        assert!(text.contains("MI lag 96 / mean of lags 1–95"), "the chorus's lag names the MI rows");
        let md = markdown(&rows);
        assert_eq!(md.lines().count(), 3 + MEASURES.len());
        assert!(md.lines().all(|l| l.matches(" | ").count() == 2), "{md}");
        assert!(md.contains("| chord tones on beats | — | — |"));
        let info = RunInfo { choruses: 10, seed: 7, temperature: 1.0, rnn_epochs: None };
        let parsed: serde_json::Value = serde_json::from_str(&json(&rows, &info)).unwrap();
        assert_eq!(parsed["rows"][1]["report"]["first_break_chorus"], 3);
        assert_eq!(parsed["rows"][0]["report"]["first_break_chorus"], serde_json::Value::Null);
        assert_eq!((parsed["seed"].as_u64(), parsed["choruses"].as_u64()), (Some(7), Some(10)));
        assert_eq!(parsed["rows"][0]["key"], "lstm");
    }
}
