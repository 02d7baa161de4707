//! The plugin in a window of its own, without a DAW (nice-plug's stand-alone wrapper): used to
//! look at the editor, e.g. `blues-lstm-standalone --backend dummy` under Xvfb.

fn main() {
    nice_plug::prelude::nice_export_standalone::<blues_lstm::BluesLstm>();
}
