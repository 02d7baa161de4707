//! Model files from anywhere: loading must refuse anything invalid with an error, never panic, and
//! whatever it accepts must build a network whose notes stay in the model's ranges.
#![no_main]

use blues_lstm::engine::improviser::Improviser;
use blues_lstm::model::Model;
use blues_lstm::music::corpus::Corpus;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(model) = Model::from_json(text) {
        let none = Corpus::from_choruses(Vec::new(), model.encoding.bars);
        if let Ok(mut improviser) = Improviser::new(&model, model.primer_or(&none)) {
            for step in 0..200 {
                let frame = improviser.frame(step, 1, Default::default(), 1.0);
                assert!(frame.chord <= 0xFFF);
                for (voice, line, _) in model.encoding.lines() {
                    assert!(frame.voice(voice).key.is_none_or(|k| line.holds(k)));
                }
            }
        }
    }
});
