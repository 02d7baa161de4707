//! .mid files from anywhere: importing must refuse what it cannot learn with an error, never
//! panic, and whatever it accepts must be whole choruses of valid frames.
#![no_main]

use blues_lstm::music::midi_import::choruses_from_smf;
use blues_lstm::music::split::VoiceSplit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for split in [VoiceSplit::ByRange, VoiceSplit::ByChannel { chord_channel: 0 }] {
        if let Ok(choruses) = choruses_from_smf(data, split) {
            assert!(!choruses.is_empty());
            for frame in choruses.iter().flatten() {
                assert!(frame.chord <= 0xFFF && frame.melody.is_none_or(|m| m < 13));
            }
        }
    }
});
