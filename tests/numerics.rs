//! Numerical safety: a model with absurd weights, or inputs that saturate every unit, never
//! yields NaN, outputs outside 0–1, or notes outside the model's ranges — at any temperature,
//! for every built-in model.

use blues_lstm::engine::improviser::Improviser;
use blues_lstm::engine::steering::SteerInput;
use blues_lstm::lstm::network::Network;
use blues_lstm::model::builtin::BUILTINS;
use blues_lstm::model::Model;
use blues_lstm::music::encoding::Note;

/// A built-in model with every weight set to ±`scale` (alternating), through the model file.
fn absurd(base: &Model, scale: f32) -> Model {
    let mut model = base.clone();
    for tensor in model.weights.tensors.values_mut() {
        for (i, v) in tensor.values.iter_mut().enumerate() {
            *v = if i % 3 == 0 { scale } else { -scale * 0.7 };
        }
    }
    Model::from_json(&model.to_json()).expect("finite weights, however large, are a valid model")
}

fn models() -> impl Iterator<Item = &'static Model> {
    BUILTINS.iter().map(|b| b.model().expect("built-in model loads"))
}

#[test]
fn absurd_weights_and_saturating_inputs_never_give_nan_or_out_of_range_outputs() {
    for base in models() {
        let (n, n_in) = (base.encoding.n_units(), base.encoding.n_inputs());
        for scale in [0.0, 1e-38, 1e3, 1e12, 1e30, f32::MAX / 8.0] {
            let model = absurd(base, scale);
            let mut net = Network::new(&model.weights);
            let mut y = vec![0.0f32; n];
            for x in [vec![1.0f32; n_in], vec![0.0; n_in]] {
                for _ in 0..2000 {
                    net.step(&x, &mut y);
                    assert!(y.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)), "scale {scale}: {y:?}");
                }
            }
        }
    }
}

#[test]
fn absurd_weights_still_play_notes_in_range_at_any_temperature() {
    for base in models() {
        let encoding = base.encoding;
        for scale in [1e3, 1e30, f32::MAX / 8.0] {
            let model = absurd(base, scale);
            let mut improviser = Improviser::new(&model, model.primer.clone()).unwrap();
            for temperature in [0.0, 0.01, 1.0, 2.0] {
                for step in 0..3000i64 {
                    // Every seventh step the musician plays melody and bass
                    // notes far outside the model's ranges.
                    let steer = if step % 7 == 0 {
                        SteerInput { melody: Some(Note::struck(127)), bass: Some(Note::struck(0)) }
                    } else {
                        SteerInput::default()
                    };
                    let frame = improviser.frame(step, 5, steer, temperature);
                    assert!(frame.chord <= 0xFFF, "chord {:#x}", frame.chord);
                    for (voice, line, _) in encoding.lines() {
                        let note = frame.voice(voice);
                        assert!(note.key.is_none_or(|k| line.holds(k)), "{voice:?} {note:?} outside {line:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn model_files_with_nan_or_infinite_weights_are_refused() {
    let json = BUILTINS[0].model().unwrap().to_json();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["weights"]["chord_out"]["values"][3] = serde_json::json!(1e39); // past f32::MAX: infinite
    let err = Model::from_json(&value.to_string()).unwrap_err().to_string();
    assert!(err.contains("weights.chord_out"), "{err}");
}
