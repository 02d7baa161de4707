//! The clock: turns each block's host transport into the eighth-note steps that start inside the
//! block, with exact sample offsets, and notices jumps (start, seek, loop) so the composer can
//! re-align. Audio thread only; allocation-free.
//!
//! Step `n` starts at song position `n / 2` beats, so `n = floor(2 × pos_beats)` and the form
//! position is `n mod 96`: bar N of the song is bar N mod 12 of the form (4/4 from beat 0).
//! A step sounds at the first sample whose position is at or past its start.
//!
//! Exact where the host is exact: some hosts round the musical position they report (Ardour 7
//! gives beats to 1/1920 of a quarter, 12.5 samples at 120 BPM and 48 kHz) while their sample
//! or seconds position is exact. So the position of a block is refined, in order:
//! - while playing on, the clock's own count (the last block's start plus its samples at its
//!   tempo) is kept as long as the host agrees with it to within its rounding: steps land a whole
//!   number of exact eighth notes apart, whatever the host rounds;
//! - at a jump (start, seek, loop), the host's sample or seconds position at its tempo, when it
//!   agrees with the host's beats to within that rounding (a constant tempo since the song
//!   start), else the host's beats: the phase of the form always comes from the song position.
//!
//! Missing host information is filled the way a user would expect:
//! - no tempo, or a tempo that is not a number or is ≤ 0: 120 BPM; other tempos are clamped to
//!   20–999 BPM;
//! - no song position (the host gives none in beats, seconds or samples): the clock counts its
//!   own time from where playback started, so the form starts at bar 1 when the user presses play;
//! - transport stopped: no steps at all.

/// Tempo used when the host gives none (or an unusable one).
pub const DEFAULT_TEMPO_BPM: f64 = 120.0;
/// Slowest tempo the clock follows.
pub const MIN_TEMPO_BPM: f64 = 20.0;
/// Fastest tempo the clock follows.
pub const MAX_TEMPO_BPM: f64 = 999.0;
/// Steps per quarter-note beat (one step per eighth note).
pub const STEPS_PER_BEAT: f64 = 2.0;
/// A host position that differs from where the last block ended by less than this many beats is
/// taken as continuous play (rounding, tempo ramps), not as a jump.
const CONTINUITY_TOLERANCE_BEATS: f64 = 1.0 / 64.0;
/// Slack for floating-point rounding when a step lands exactly on a sample.
const ROUNDING_EPSILON: f64 = 1e-7;
/// How far a host's reported beats may be from the exact position and still count as the same
/// position, rounded: one and a half of Ardour's 1/1920 of a quarter note (it may truncate).
/// A host that gives beats only and seeks by less than this is heard as playing on.
const HOST_ROUNDING_BEATS: f64 = 1.0 / 1280.0;

/// Where in its beat each step sounds: the off-beat eighth delayed by the swing (0.5 is
/// straight: half the beat; 0.66 a triplet feel), and each step moved by a seeded jitter of at
/// most `jitter_beats` either way (humanize). The same seed places every step the same way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Groove {
    pub swing: f64,
    pub jitter_beats: f64,
    pub seed: u64,
}

impl Groove {
    pub const STRAIGHT: Groove = Groove { swing: 0.5, jitter_beats: 0.0, seed: 0 };
    /// The most swing played: the off-beat at three quarters of the beat.
    pub const MAX_SWING: f64 = 0.75;
    /// The most jitter: a tenth of an eighth note, so steps never change places.
    pub const MAX_JITTER_BEATS: f64 = 0.05;

    /// The swing played: the one asked for, within its bounds.
    pub fn clamped_swing(&self) -> f64 {
        if self.swing.is_finite() {
            self.swing.clamp(0.5, Self::MAX_SWING)
        } else {
            0.5
        }
    }

    /// The song position (beats) where step `index` sounds.
    pub fn start(&self, index: i64) -> f64 {
        let swing = self.clamped_swing();
        let late = if index.rem_euclid(2) == 1 { swing - 0.5 } else { 0.0 };
        index.div_euclid(2) as f64 + 0.5 * index.rem_euclid(2) as f64 + late + self.jitter(index)
    }

    /// The humanize jitter of step `index`, in beats.
    fn jitter(&self, index: i64) -> f64 {
        let amount =
            if self.jitter_beats.is_finite() { self.jitter_beats.clamp(0.0, Self::MAX_JITTER_BEATS) } else { 0.0 };
        if amount == 0.0 {
            return 0.0;
        }
        let u = (crate::lstm::rng::mix(self.seed ^ 0x0711_7E12, index as u64) >> 11) as f64 / (1u64 << 53) as f64;
        amount * (2.0 * u - 1.0)
    }

    /// The first step sounding at or after `beats`.
    fn first_at_or_after(&self, beats: f64) -> i64 {
        // The straight step at or after `beats`, and the one before it (a swung off-beat may
        // still be to come); jitter moves either by less than a tenth of a step.
        let mut index = (beats * STEPS_PER_BEAT - ROUNDING_EPSILON).ceil() as i64 - 1;
        while self.start(index) < beats - ROUNDING_EPSILON {
            index += 1;
        }
        index
    }
}

/// What the host says about the transport for one block (plain copy of the host's fields).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockTransport {
    /// Whether the host's transport is running.
    pub playing: bool,
    /// Tempo in BPM, if the host gives one.
    pub tempo: Option<f64>,
    /// Song position of the block's first sample in quarter-note beats, if known.
    pub pos_beats: Option<f64>,
    /// The same position in samples, if the host gives it (exact in every host seen so far).
    pub pos_samples: Option<i64>,
    /// The same position in seconds, if the host gives it.
    pub pos_seconds: Option<f64>,
    /// Loop range in beats, if the host loops.
    pub loop_range_beats: Option<(f64, f64)>,
    /// Sample rate in Hz.
    pub sample_rate: f32,
    /// Samples in this block.
    pub samples: u32,
}

/// A step that starts inside the current block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Sample offset inside the block.
    pub offset: u32,
    /// Song step index (eighth notes since beat 0; negative during a count-in).
    pub index: i64,
}

/// How this block relates to the previous one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Motion {
    /// Transport stopped: nothing plays.
    Stopped,
    /// Playing on from where the last block ended.
    Continuous,
    /// Playing from a new place (start, seek or loop): the composer must re-align.
    Jumped,
}

/// The plan for one block: its motion and the steps that start inside it.
#[derive(Clone, Copy, Debug)]
pub struct BlockPlan {
    pub motion: Motion,
    /// The song position the clock counts from (see [`Running`]), and the block's first sample
    /// counted from there.
    anchor_beats: f64,
    first_sample: u64,
    /// Samples per beat at this block's tempo.
    samples_per_beat: f64,
    /// Next step to emit.
    next_index: i64,
    /// Beats past which no step is emitted in this block (block end or loop end).
    end_beats: f64,
    samples: u32,
    /// Where the steps sound in their beats.
    groove: Groove,
}

impl BlockPlan {
    /// Song position (beats) of the sample at `offset` inside the block.
    pub fn beats_at(&self, offset: u32) -> f64 {
        self.anchor_beats + (self.first_sample + u64::from(offset)) as f64 / self.samples_per_beat
    }

    /// The next step starting inside the block, if any. Steps come in order.
    pub fn next_step(&mut self) -> Option<Step> {
        let offset = self.offset_at_or_after(self.groove.start(self.next_index))?;
        let step = Step { offset, index: self.next_index };
        self.next_index += 1;
        Some(step)
    }

    /// The index of the step `next_step` gives next (whether or not it starts in this block).
    pub fn next_index(&self) -> i64 {
        self.next_index
    }

    /// The song position (beats) where step `index` sounds, in this block's groove.
    pub fn step_start(&self, index: i64) -> f64 {
        self.groove.start(index)
    }

    /// The offset of the first sample at or past `beats`, if that sample is in this block;
    /// `None` when it is in an earlier block (or past this one's end), so every position
    /// belongs to exactly one block of a continuous run.
    pub fn offset_of(&self, beats: f64) -> Option<u32> {
        let exact = self.exact_offset(beats)?;
        if exact - ROUNDING_EPSILON <= -1.0 {
            return None;
        }
        self.offset_at_or_after(beats)
    }

    fn exact_offset(&self, beats: f64) -> Option<f64> {
        if self.motion == Motion::Stopped || !beats.is_finite() {
            return None;
        }
        Some((beats - self.anchor_beats) * self.samples_per_beat - self.first_sample as f64)
    }

    /// The offset where something due at `beats` happens in this block: at once when it is
    /// already due, `None` when it falls past the block's end.
    fn offset_at_or_after(&self, beats: f64) -> Option<u32> {
        let exact = self.exact_offset(beats)?;
        if beats >= self.end_beats - ROUNDING_EPSILON {
            return None;
        }
        let offset = (exact - ROUNDING_EPSILON).ceil().max(0.0);
        (offset < f64::from(self.samples)).then_some(offset as u32)
    }
}

/// Follows the host transport from block to block.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Where the previous block ended (beats) and the next step index, while playing.
    running: Option<Running>,
    /// Song position (beats) where the last block ended, for hosts that give no position.
    own_position_beats: f64,
}

/// The clock's own count while playing: a song position (the anchor) and the samples played
/// since at one tempo. Positions are the anchor plus one division, never a running sum of
/// block lengths in beats, whose rounding would creep past a sample in a long song.
#[derive(Clone, Copy, Debug)]
struct Running {
    anchor_beats: f64,
    samples_per_beat: f64,
    samples_since: u64,
    next_index: i64,
    /// Where the host's sample count should stand at the next block, if it counts samples.
    end_samples: Option<i64>,
}

impl Running {
    /// Where the last block ended.
    fn end_beats(&self) -> f64 {
        self.anchor_beats + self.samples_since as f64 / self.samples_per_beat
    }
}

impl Clock {
    /// Forget the transport: the next playing block counts as a jump.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Plans one block with straight eighth notes (see [`Clock::plan_grooved`]).
    pub fn plan(&mut self, transport: &BlockTransport) -> BlockPlan {
        self.plan_grooved(transport, Groove::STRAIGHT)
    }

    /// Plans one block, its steps placed by `groove`. Call once per block, then drain the plan
    /// with `next_step`.
    pub fn plan_grooved(&mut self, transport: &BlockTransport, groove: Groove) -> BlockPlan {
        let samples_per_beat = samples_per_beat(transport);
        let mut plan = BlockPlan {
            motion: Motion::Stopped,
            anchor_beats: 0.0,
            first_sample: 0,
            samples_per_beat,
            next_index: 0,
            end_beats: 0.0,
            samples: transport.samples,
            groove,
        };
        if !transport.playing || transport.samples == 0 {
            if !transport.playing {
                self.reset();
            }
            plan.motion =
                if transport.playing && self.running.is_some() { Motion::Continuous } else { Motion::Stopped };
            return plan;
        }

        // A host that counts samples says exactly whether it jumped.
        let sample_jump = match (self.running.and_then(|r| r.end_samples), transport.pos_samples) {
            (Some(expected), Some(host)) => Some(host != expected),
            _ => None,
        };
        let own = self.running.filter(|_| sample_jump != Some(true)).map(|r| r.end_beats());
        let start_beats = match (own, song_position_beats(transport)) {
            // Playing on where the host agrees to within its rounding: our own exact count.
            (Some(own), Some(host)) if (host - own).abs() <= HOST_ROUNDING_BEATS => own,
            (_, Some(host)) => host,
            (Some(own), None) => own,
            (None, None) => self.own_position_beats,
        };
        // Keep the anchor while the count runs on at one tempo; anything else starts a new one.
        let (anchor_beats, first_sample) = match self.running {
            Some(r) if r.samples_per_beat == samples_per_beat && Some(start_beats) == own => {
                (r.anchor_beats, r.samples_since)
            }
            _ => (start_beats, 0),
        };
        let block_end = start_beats + f64::from(transport.samples) / samples_per_beat;
        self.own_position_beats = block_end;
        let end_beats = match transport.loop_range_beats {
            // A loop end inside the block: the host jumps back at the next block.
            Some((loop_start, loop_end)) if loop_end > loop_start && start_beats < loop_end && block_end > loop_end => {
                loop_end
            }
            _ => block_end,
        };

        let (motion, next_index) = match self.running {
            Some(running)
                if sample_jump == Some(false)
                    || (sample_jump.is_none()
                        && (start_beats - running.end_beats()).abs() < CONTINUITY_TOLERANCE_BEATS) =>
            {
                (Motion::Continuous, running.next_index)
            }
            _ => (Motion::Jumped, groove.first_at_or_after(start_beats)),
        };
        plan.motion = motion;
        plan.anchor_beats = anchor_beats;
        plan.first_sample = first_sample;
        plan.next_index = next_index;
        plan.end_beats = end_beats;

        // Count the steps this block will emit so the next block continues after them.
        let mut count = plan;
        while count.next_step().is_some() {}
        self.running = Some(Running {
            anchor_beats,
            samples_per_beat,
            samples_since: first_sample + u64::from(transport.samples),
            next_index: count.next_index,
            end_samples: transport.pos_samples.map(|p| p.saturating_add(i64::from(transport.samples))),
        });
        plan
    }
}

/// The song position of the block in beats, as exact as the host allows (module docs): its
/// beats, refined by its sample or seconds position where the two agree; or its sample or
/// seconds position alone when it gives no beats. `None` when it gives no position at all.
fn song_position_beats(transport: &BlockTransport) -> Option<f64> {
    let spb = samples_per_beat(transport);
    let sample_rate = spb * host_tempo(transport) / 60.0;
    let from_samples = transport.pos_samples.map(|s| s as f64 / spb);
    let from_seconds = transport.pos_seconds.filter(|s| s.is_finite()).map(|s| s * sample_rate / spb);
    let exact = from_samples.or(from_seconds).filter(|b| b.is_finite());
    match (transport.pos_beats.filter(|b| b.is_finite()), exact) {
        (Some(beats), Some(exact)) if (beats - exact).abs() <= HOST_ROUNDING_BEATS => Some(exact),
        (Some(beats), _) => Some(beats),
        (None, exact) => exact,
    }
}

/// The tempo the clock follows: the host's, clamped, or the default.
pub(crate) fn host_tempo(transport: &BlockTransport) -> f64 {
    match transport.tempo {
        Some(t) if t.is_finite() && t > 0.0 => t.clamp(MIN_TEMPO_BPM, MAX_TEMPO_BPM),
        _ => DEFAULT_TEMPO_BPM,
    }
}

/// Samples per quarter-note beat, with the tempo and sample-rate fallbacks applied.
pub(crate) fn samples_per_beat(transport: &BlockTransport) -> f64 {
    let tempo = host_tempo(transport);
    let sample_rate = if transport.sample_rate.is_finite() && transport.sample_rate > 0.0 {
        f64::from(transport.sample_rate)
    } else {
        48_000.0
    };
    sample_rate * 60.0 / tempo
}

#[cfg(test)]
mod tests {
    use super::*;

    fn playing(pos_beats: f64, tempo: f64, sample_rate: f32, samples: u32) -> BlockTransport {
        BlockTransport {
            playing: true,
            tempo: Some(tempo),
            pos_beats: Some(pos_beats),
            pos_samples: None,
            pos_seconds: None,
            loop_range_beats: None,
            sample_rate,
            samples,
        }
    }

    fn steps(plan: &mut BlockPlan) -> Vec<Step> {
        std::iter::from_fn(|| plan.next_step()).collect()
    }

    #[test]
    fn a_step_exactly_at_offset_zero_is_included() {
        let mut clock = Clock::default();
        // 120 BPM at 48 kHz: 24,000 samples per beat, 12,000 per step.
        let mut plan = clock.plan(&playing(0.0, 120.0, 48_000.0, 12_001));
        assert_eq!(plan.motion, Motion::Jumped);
        assert_eq!(steps(&mut plan), vec![Step { offset: 0, index: 0 }, Step { offset: 12_000, index: 1 }]);
    }

    #[test]
    fn consecutive_blocks_emit_every_step_once_at_exact_samples() {
        for block in [1u32, 7, 64, 511, 4096, 8192] {
            let mut clock = Clock::default();
            let spb = 48_000.0 * 60.0 / 137.0;
            let mut pos = 0u64;
            let mut seen = Vec::new();
            while pos < 400_000 {
                let mut plan = clock.plan(&playing(pos as f64 / spb, 137.0, 48_000.0, block));
                for step in steps(&mut plan) {
                    seen.push((step.index, pos + u64::from(step.offset)));
                }
                pos += u64::from(block);
            }
            for (i, &(index, sample)) in seen.iter().enumerate() {
                assert_eq!(index, i as i64, "block {block}: skipped or doubled step");
                let exact = (index as f64 / 2.0 * spb).ceil() as u64;
                assert!(sample.abs_diff(exact) <= 1, "block {block}: step {index} at {sample}, want {exact}");
            }
            assert_eq!(seen.len(), (400_000.0 / (spb / 2.0)).ceil() as usize);
        }
    }

    #[test]
    fn a_seek_is_a_jump_and_lands_on_the_next_step() {
        let mut clock = Clock::default();
        clock.plan(&playing(0.0, 120.0, 48_000.0, 512));
        let mut plan = clock.plan(&playing(24.3, 120.0, 48_000.0, 24_000));
        assert_eq!(plan.motion, Motion::Jumped);
        let first = plan.next_step().unwrap();
        assert_eq!(first.index, 49); // 24.5 beats
        assert_eq!(first.offset, 4_800); // 0.2 beats later
    }

    #[test]
    fn stopped_transport_plays_nothing_and_restart_is_a_jump() {
        let mut clock = Clock::default();
        clock.plan(&playing(0.0, 120.0, 48_000.0, 512));
        let mut stopped = playing(0.0, 120.0, 48_000.0, 512);
        stopped.playing = false;
        let mut plan = clock.plan(&stopped);
        assert_eq!(plan.motion, Motion::Stopped);
        assert!(plan.next_step().is_none());
        assert_eq!(clock.plan(&playing(0.0, 120.0, 48_000.0, 512)).motion, Motion::Jumped);
    }

    #[test]
    fn absurd_tempos_fall_back_or_clamp() {
        for (tempo, want_spb) in
            [(0.0, 24_000.0), (f64::NAN, 24_000.0), (-5.0, 24_000.0), (5.0, 144_000.0), (1e9, 48_000.0 * 60.0 / 999.0)]
        {
            let mut t = playing(0.0, tempo, 48_000.0, 1);
            t.tempo = Some(tempo);
            assert_eq!(samples_per_beat(&t), want_spb, "tempo {tempo}");
        }
        let mut no_tempo = playing(0.0, 1.0, 48_000.0, 1);
        no_tempo.tempo = None;
        assert_eq!(samples_per_beat(&no_tempo), 24_000.0);
    }

    #[test]
    fn without_a_position_the_clock_counts_from_play() {
        let mut clock = Clock::default();
        let mut t = playing(0.0, 120.0, 48_000.0, 6_000);
        t.pos_beats = None;
        let mut seen = Vec::new();
        for block in 0..8u32 {
            let mut plan = clock.plan(&t);
            seen.extend(steps(&mut plan).into_iter().map(|s| (s.index, block * 6_000 + s.offset)));
        }
        assert_eq!(seen, vec![(0, 0), (1, 12_000), (2, 24_000), (3, 36_000)]);
    }

    #[test]
    fn no_step_at_or_after_the_loop_end() {
        let mut clock = Clock::default();
        let mut t = playing(3.9, 120.0, 48_000.0, 4_800); // 3.9 → 4.1 beats
        t.loop_range_beats = Some((0.0, 4.0));
        let mut plan = clock.plan(&t);
        assert!(plan.next_step().is_none(), "step 8 is at the loop end, it belongs after the wrap");
        let mut back = clock.plan(&playing(0.0, 120.0, 48_000.0, 512));
        assert_eq!(back.motion, Motion::Jumped);
        assert_eq!(back.next_step(), Some(Step { offset: 0, index: 0 }));
    }

    #[test]
    fn swing_delays_the_off_beats_to_the_exact_sample_and_jitter_is_seeded() {
        let groove = Groove { swing: 0.625, jitter_beats: 0.0, seed: 0 };
        let mut clock = Clock::default();
        let mut seen = Vec::new();
        for block in 0..50u32 {
            let mut plan =
                clock.plan_grooved(&playing(f64::from(block) * 1000.0 / 24_000.0, 120.0, 48_000.0, 1000), groove);
            seen.extend(steps(&mut plan).into_iter().map(|s| (s.index, block * 1000 + s.offset)));
        }
        for (index, sample) in seen.iter().take(8) {
            let want = (*index / 2) as u32 * 24_000 + if index % 2 == 1 { 15_000 } else { 0 };
            assert_eq!(*sample, want, "step {index}");
        }
        // A seek between a beat and its swung off-beat still plays that off-beat.
        let mut plan = clock.plan_grooved(&playing(10.55, 120.0, 48_000.0, 24_000), groove);
        assert_eq!(plan.next_step(), Some(Step { offset: 1_800, index: 21 }), "beat 10.625 is 0.075 beats on");
        // Jitter moves steps by at most its amount, the same way every time.
        let human = Groove { swing: 0.5, jitter_beats: 0.02, seed: 9 };
        let starts: Vec<f64> = (0..200).map(|i| human.start(i)).collect();
        assert!(starts.iter().enumerate().all(|(i, &b)| (b - i as f64 / 2.0).abs() <= 0.02));
        assert!(starts.windows(2).all(|w| w[1] > w[0]), "steps keep their order");
        assert_ne!(starts, (0..200).map(|i| Groove { seed: 10, ..human }.start(i)).collect::<Vec<_>>());
        assert_eq!(human.first_at_or_after(human.start(37)), 37);
    }

    #[test]
    fn a_tempo_change_keeps_steps_continuous() {
        let mut clock = Clock::default();
        let mut beats = 0.0;
        let mut indices = Vec::new();
        for block in 0..400 {
            let tempo = if block < 200 { 90.0 } else { 300.0 };
            let t = playing(beats, tempo, 44_100.0, 1000);
            let mut plan = clock.plan(&t);
            if block > 0 {
                assert_eq!(plan.motion, Motion::Continuous, "block {block}");
            }
            indices.extend(steps(&mut plan).into_iter().map(|s| s.index));
            beats += 1000.0 / samples_per_beat(&t);
        }
        assert!(indices.windows(2).all(|w| w[1] == w[0] + 1));
        assert_eq!(*indices.last().unwrap(), (beats * 2.0).ceil() as i64 - 1);
    }
}
