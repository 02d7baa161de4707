//! The LSTM of Eck & Schmidhuber 2002, written out by hand: topology, the real-time forward
//! step, BPTT training, the model file and the paper's generation rule.
//!
//! Nothing here knows about plugins, hosts or the music encoding: `music::training_set` adapts
//! the corpus to [`train::TrainingSet`]. `network`, `sampling` and `rng` are real-time safe
//! (audio thread); everything else runs on the trainer/loader thread or the CLI.

pub mod bptt;
pub mod check;
pub mod math;
pub mod model_file;
pub mod network;
pub mod ops;
pub mod optimizer;
pub mod rng;
pub mod sampling;
pub mod simd;
pub mod topology;
pub mod train;
