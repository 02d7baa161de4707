//! .mid files from anywhere: importing must refuse what it cannot learn with an error, never
//! panic, and whatever it accepts must be whole choruses of valid frames.
#![no_main]

use blues_lstm::music::midi_import::{choruses_from_smf, ImportRule};
use blues_lstm::music::split::VoiceSplit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let by_channel = VoiceSplit::ByChannel { chord_channel: 0, bass_channel: Some(2) };
    for rule in [
        ImportRule::new(VoiceSplit::ByRange, Some(12)),
        ImportRule::new(by_channel, None),
        ImportRule { swing: 0.66, ..ImportRule::new(VoiceSplit::ByRange, Some(8)) },
    ] {
        if let Ok(choruses) = choruses_from_smf(data, rule) {
            assert!(!choruses.is_empty());
            let steps = choruses[0].len();
            assert!(steps % 8 == 0 && (32..=512).contains(&steps));
            for frame in choruses.iter().flatten() {
                assert!(frame.chord <= 0xFFF && frame.melody.key.is_none_or(|k| k < 128));
            }
        }
    }
});
