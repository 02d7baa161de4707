//! Play my tune: the band follows a chart typed into the plugin, from the next bar, in the
//! chart's key; and the chords played in on the chord input channel, from the eighth they
//! arrive on, never echoed. Through the real plugin in a host session (process() under
//! assert_no_alloc), listening to the notes it sends.

mod common;

use blues_lstm::eval::over_chart::{measure, play_chart};
use blues_lstm::model::builtin::chart_band;
use blues_lstm::music::chart::{parse, Chart};
use common::{set_plain, Recorded, Session};

/// Channels (0-based) of the band's parts, as the plugin's defaults put them.
const CHORDS: u8 = 0;
const BASS: u8 = 2;

/// The pitch classes sounding on `channel` at song position `beats`.
fn sounding(events: &[Recorded], channel: u8, beats: f64) -> u16 {
    let mut on = [false; 128];
    for e in events.iter().filter(|e| e.channel == channel && e.beats <= beats) {
        on[usize::from(e.key)] = e.on;
    }
    (0..128).filter(|&k| on[k]).fold(0, |m, k| m | 1 << (k % 12))
}

/// A session of the default band set to follow `chart`, chords as pads.
fn following(chart: &str) -> Session {
    let s = Session::band(48_000.0, 140.0);
    s.plugin.project().set_chart_text(chart).expect("the chart reads");
    set_plain(&s.plugin, "harm", 1.0);
    set_plain(&s.plugin, "comp", 0.0);
    s
}

/// In every half-bar the piano sounds only the chart's notes, at least three of them (a
/// voicing may leave out the fifth or a tension, never add a note).
fn assert_piano_plays(events: &[Recorded], chart: &Chart, bars: std::ops::Range<usize>, transpose: i32) {
    let chart = chart.transposed(transpose);
    for half in bars.start * 2..bars.end * 2 {
        let beats = half as f64 * 2.0 + 1.0;
        let want = chart.chord_at_step(half * 4).mask();
        let heard = sounding(events, CHORDS, beats);
        assert!(
            heard != 0 && heard & !want == 0 && heard.count_ones() >= 3,
            "half-bar {half}: the piano sounds {heard:012b}, the chart's chord is {want:012b}"
        );
    }
}

#[test]
fn a_chart_typed_in_plays_from_the_first_bar_in_its_key() {
    let text = "| Gb7 | B7 | Gb7 | Dbm7 Gb7 |\n| B7 | Cdim7 | Gb7 | Eb7 |\n| Abm7 | Db7 | Gb7 Eb7 | Abm7 Db7 |";
    let chart = parse(text).unwrap();
    let mut s = following(text);
    s.play_until(4.0 * 24.0, || 480);
    s.stop(1);
    assert_piano_plays(&s.events, &chart, 0..24, 0);
    // The bass starts each bar on the chart's root (or a chord tone) most of the time.
    let mut roots = 0;
    for bar in 0..24 {
        let root = chart.bars[bar % 12][0].root;
        roots += usize::from(sounding(&s.events, BASS, bar as f64 * 4.0 + 0.25) & (1 << root) != 0);
    }
    assert!(roots >= 18, "the bass on the root on {roots} of 24 downbeats");
}

#[test]
fn the_key_parameter_moves_the_chart_with_the_band() {
    let text = "| Cm6 | Dm7b5 G7b9 | Cm6 | Cm6 |";
    let chart = parse(text).unwrap();
    let mut s = following(text);
    set_plain(&s.plugin, "key", 3.0);
    s.play_until(4.0 * 8.0, || 512);
    s.stop(1);
    assert_piano_plays(&s.events, &chart, 0..8, 3);
}

#[test]
fn a_new_chart_takes_over_at_the_next_bar_with_no_retrain() {
    let mut s = following("| C7 | F7 | C7 | C7 |");
    s.play_until(4.0 * 5.0 + 1.0, || 256); // into bar 6
    s.plugin.project().set_chart_text("| Ebmaj7 | Abmaj7 |").unwrap();
    s.play_until(4.0 * 10.0, || 256);
    s.stop(1);
    // Bar 6 plays on under the old chart; from bar 7 (song bar 6: bar 1 of the new chart) the new.
    assert_eq!(sounding(&s.events, CHORDS, 4.0 * 5.0 + 2.0) & !parse("| F7 |").unwrap().bars[0][0].mask(), 0);
    let new = parse("| Ebmaj7 | Abmaj7 |").unwrap();
    assert_piano_plays(&s.events, &new, 6..10, 0);
}

#[test]
fn chords_played_on_the_chord_channel_are_followed_and_never_echoed() {
    let mut s = Session::band(48_000.0, 120.0);
    set_plain(&s.plugin, "harm", 2.0);
    set_plain(&s.plugin, "comp", 0.0);
    set_plain(&s.plugin, "chinch", 16.0);
    let spb = s.samples_per_beat();
    let at = |beats: f64| (beats * spb).round() as u64;
    // A chord track: Bb7 for two bars, then Ebmaj7 for two, each a little before its bar.
    for (from, to, keys) in [(0.0, 7.9, [46u8, 50, 53, 56]), (7.9, 16.0, [51, 55, 58, 62])] {
        for key in keys {
            s.to_send.push_back((at(from), 15, key, true));
            s.to_send.push_back((at(to), 15, key, false));
        }
    }
    s.to_send.make_contiguous().sort_by_key(|&(t, _, _, on)| (t, on));
    s.play_until(16.0, || 300);
    s.stop(1);
    let (bb7, ebmaj7) = (parse("| Bb7 |").unwrap().bars[0][0].mask(), parse("| Ebmaj7 |").unwrap().bars[0][0].mask());
    for beat in [1.0, 3.0, 5.0, 7.0] {
        let heard = sounding(&s.events, CHORDS, beat);
        assert!(heard != 0 && heard & !bb7 == 0, "beat {beat}: {heard:012b}");
    }
    for beat in [9.0, 11.0, 13.0, 15.0] {
        let heard = sounding(&s.events, CHORDS, beat);
        assert!(heard != 0 && heard & !ebmaj7 == 0, "beat {beat}: {heard:012b}");
    }
    assert!(s.events.iter().all(|e| e.channel != 15), "the chord track is not echoed");
}

/// The charts under `charts/`, as the README's table measures them (fewer choruses here).
fn written_charts() -> Vec<(String, Chart)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("charts");
    let mut charts: Vec<(String, Chart)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().to_string(),
                parse(&std::fs::read_to_string(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    charts.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(charts.len() >= 8, "{} charts", charts.len());
    charts
}

#[test]
fn the_chart_band_plays_every_chart_we_wrote_as_a_jazz_player_would() {
    let band = chart_band().expect("the chart band is compiled in");
    for (name, chart) in written_charts() {
        let frames = play_chart(band, &chart, 10, 1, 0.7).unwrap();
        let given: Vec<_> = (0..frames.len()).map(|s| Some(chart.chord_at_step(s))).collect();
        let m = measure(&frames, &given);
        eprintln!("{name}: {m:?}");
        assert_eq!(m.chords_as_given, 1.0, "{name}");
        assert!(m.bass_root_at_changes >= 0.8, "{name}: bass on the root at {:.2} of changes", m.bass_root_at_changes);
        assert!(
            m.bass_chord_tone_at_changes >= 0.95,
            "{name}: bass on a chord tone {:.2}",
            m.bass_chord_tone_at_changes
        );
        assert!(m.melody_in_chord >= 0.9, "{name}: melody in the chord {:.2}", m.melody_in_chord);
        assert!(m.chord_tones_on_1_and_3 >= 0.65, "{name}: chord tones on 1 and 3 {:.2}", m.chord_tones_on_1_and_3);
        assert!(m.melody_notes > 10 * chart.len(), "{name}: {} notes in {} bars", m.melody_notes, 10 * chart.len());
    }
}
