//! Model files from anywhere: loading must refuse anything invalid with an error, never panic, and
//! whatever it accepts must build a network whose step is finite.
#![no_main]

use blues_lstm::engine::improviser::Improviser;
use blues_lstm::lstm::model_file::Model;
use blues_lstm::models;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(model) = Model::from_json(text) {
        if let Ok(mut improviser) = Improviser::new(&model, models::primer_of(&model)) {
            for step in 0..200 {
                let frame = improviser.frame(step, 1, Default::default(), 1.0);
                assert!(frame.chord <= 0xFFF && frame.melody.is_none_or(|m| m < 13));
            }
        }
    }
});
