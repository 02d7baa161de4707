//! The plugin binary destroyed while it works (issue 11): a retrain started through the host's
//! Retrain parameter, then the instance destroyed and the library unloaded mid-run. No thread of
//! the plugin may outlive its instance: a training thread still running the library's code after
//! the unload would crash this process. A test binary of its own, so that nothing else in the
//! process holds the library loaded and the unload is real.

#[path = "clap_host/ext.rs"]
#[allow(dead_code)]
mod ext;
#[path = "clap_host/host.rs"]
#[allow(dead_code)]
mod host;

use clack_host::events::event_types::{ParamValueEvent, TransportEvent, TransportFlags};
use clack_host::events::{EventFlags, EventHeader};
use clack_host::prelude::*;
use clack_host::utils::{BeatTime, SecondsTime};
use ext::Params;
use host::{load_entry, new_instance, serve_main_thread};
use std::time::{Duration, Instant};

/// Threads of this process whose name starts with `prefix` (Linux cuts names to 15 bytes).
fn threads_named(prefix: &str) -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.trim_end().starts_with(prefix))
        .count()
}

const TRAINING: &str = "blues-lstm trai";

/// Whether a training run is going: the training worker has used CPU time (parked, it uses none).
fn training_runs() -> bool {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return false };
    tasks.filter_map(|t| t.ok()).any(|t| {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        let stat = std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
        // After the parenthesised name: state, then fields 4..; utime and stime are fields 14, 15.
        let fields: Vec<&str> = stat.rsplit(") ").next().unwrap_or("").split_whitespace().collect();
        let ticks = |i: usize| fields.get(i - 3).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
        comm.trim_end().starts_with(TRAINING) && ticks(14) + ticks(15) >= 3
    })
}

fn transport(pos: f64) -> TransportEvent {
    TransportEvent {
        header: EventHeader::new_core(0, EventFlags::empty()),
        flags: TransportFlags::HAS_TEMPO | TransportFlags::HAS_BEATS_TIMELINE | TransportFlags::IS_PLAYING,
        song_pos_beats: BeatTime::from_float(pos),
        song_pos_seconds: SecondsTime::default(),
        tempo: 120.0,
        tempo_inc: 0.0,
        loop_start_beats: BeatTime::default(),
        loop_end_beats: BeatTime::default(),
        loop_start_seconds: SecondsTime::default(),
        loop_end_seconds: SecondsTime::default(),
        bar_start: BeatTime::default(),
        bar_number: 0,
        time_signature_numerator: 4,
        time_signature_denominator: 4,
    }
}

#[test]
fn destroying_and_unloading_the_plugin_mid_retrain_leaves_no_thread_behind() {
    assert_eq!(threads_named(TRAINING), 0);
    for round in 0..2 {
        let entry = load_entry();
        let mut instance = new_instance(&entry);
        // The worker names itself as it starts: give it a moment.
        let born = Instant::now();
        while threads_named(TRAINING) == 0 && born.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(threads_named(TRAINING), 1, "round {round}: one training worker, parked, per instance");
        let retrain = {
            let plugin = instance.plugin_handle();
            let params = plugin.get_extension::<Params>().expect("the plugin has no clap.params");
            params.id_of(&plugin, "Retrain")
        };
        let config = PluginAudioConfiguration { sample_rate: 48_000.0, min_frames_count: 1, max_frames_count: 512 };
        let processor = instance.activate(|_, _| (), config).expect("activate");
        let mut processor = processor.start_processing().expect("start_processing");
        let mut input = EventBuffer::with_capacity(4);
        let mut output = EventBuffer::with_capacity(1024);
        let mut pos = 0.0;
        let started = Instant::now();
        // Play, press Retrain in the second block, and keep playing until the training thread runs.
        for block in 0u64.. {
            input.clear();
            output.clear();
            if block == 1 {
                input.push(&ParamValueEvent::new(0, ClapId::new(retrain), Pckn::match_all(), 1.0));
            }
            // SAFETY: no audio buffers; the frame count is the block length.
            let audio_in = unsafe { InputAudioBuffers::from_raw_buffers(&[], 512) };
            processor
                .process(
                    &audio_in,
                    &mut OutputAudioBuffers::empty(),
                    &input.as_input(),
                    &mut output.as_output(),
                    Some(block * 512),
                    Some(&transport(pos)),
                )
                .expect("process");
            pos += 512.0 / 24_000.0;
            serve_main_thread(&mut instance);
            if training_runs() && block > 4 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "round {round}: the Retrain press started no training"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        println!(
            "round {round}: training running after {:.3} s; destroying the instance",
            started.elapsed().as_secs_f64()
        );
        instance.deactivate(processor.stop_processing());
        drop(instance);
        assert_eq!(threads_named(TRAINING), 0, "round {round}: a training thread outlived its plugin instance");
        drop(entry); // unloads the library: a thread still in its code would now crash the process
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(threads_named(TRAINING), 0);
    }
}
