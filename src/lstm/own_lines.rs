//! Training on the network's own lines (scheduled sampling, Bengio et al. 2015): for runs of
//! steps, a group is heard as the network drew it from its own outputs a step before, not as
//! the corpus wrote it. The targets stay the corpus's, but a step that hears a line not the
//! corpus's is not taught (the corpus does not say what comes next there).
//!
//! Why: taught only on the corpus, a network expects its corpus's leaps wherever it hears the
//! corpus (`tests/band_phrasing.rs`), but free-running it hears its own lines, reaches states
//! the corpus never led to, and leaps from them. Here it meets those states while it learns.
//!
//! The runs: a lane in a run leaves it with chance 1 / `run_steps` a step, a lane out of one
//! enters with the chance that keeps `share` of the steps in runs. Draws come from one seeded
//! stream per chunk, so the weights do not depend on the number of threads. Trainer thread.

use super::ops::{Lanes, SEQUENCES};
use super::readout::{GroupRule, Readout};
use super::real::Real;
use super::rng::Rng;

/// Which group is heard as drawn, and how often.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OwnLines {
    /// The readout's group (by index) heard as drawn: a line, or the first lane of a kit.
    pub group: usize,
    /// How many readout groups from `group` on are heard as drawn, together: 1 for a line, the
    /// drummer's lane per kit piece; their units follow each other.
    pub span: usize,
    /// The share of steps that are, in the long run (0 to 1).
    pub share: f32,
    /// The mean length of a run, in steps (at least 1).
    pub run_steps: f32,
    /// An input unit on where the group is given from outside, never drawn (the player's call
    /// when trading): there it is heard as written.
    pub given: Option<usize>,
    /// Whether a step that hears a draw not the corpus's is still taught the corpus's next
    /// frame. Not for a line (taught the corpus's next key after its own, a band learned to leap
    /// back to the corpus's line); yes for a drummer, whose corpus starts each section's pattern
    /// whatever the bar before it played, so the top of the form is taught after its own fills.
    pub teach_heard: bool,
    /// The temperature the draws are heard at: the one the group plays at (1 for a melody, which
    /// may play that wild; the drummer's lower one).
    pub temperature: f32,
}

impl OwnLines {
    /// The chance a step out of a run starts one, and a step in one ends it.
    fn chances(&self) -> (f64, f64) {
        let share = f64::from(self.share.clamp(0.0, 1.0));
        let leave = 1.0 / f64::from(self.run_steps.max(1.0));
        let enter = if share >= 1.0 { 1.0 } else { (share * leave / (1.0 - share)).min(1.0) };
        (enter, if share >= 1.0 { 0.0 } else { leave })
    }
}

/// One chunk's inputs as heard: the corpus's frames with the runs' draws written in. Allocated
/// once for the longest sequence; [`OwnDraw::reseed`] and [`OwnDraw::begin`] start each chunk.
pub struct OwnDraw<R> {
    /// The groups' first unit and their units together.
    offset: usize,
    units: usize,
    /// The groups' rules as a readout of them alone (their units from 0).
    alone: Readout,
    teach_heard: bool,
    /// A temperature for each of the groups.
    temperatures: Vec<f32>,
    enter: f64,
    leave: f64,
    rng: Rng,
    given: Option<usize>,
    in_run: [bool; SEQUENCES],
    /// The frames heard: (steps + 1, n_in) lanes.
    inputs: Vec<Lanes<R>>,
    /// Whether the group's target is taught at each step (1) or not (0): (steps + 1) lanes.
    taught: Vec<Lanes<R>>,
    /// One lane's outputs and input for the group.
    y: Vec<f32>,
    x: Vec<f32>,
}

impl<R: Real> OwnDraw<R> {
    /// `None` if `own.group` and the lanes after it are not `readout`'s groups, one after
    /// another.
    pub fn new(readout: &Readout, own: &OwnLines) -> Option<Self> {
        let rules = readout.groups.get(own.group..own.group.checked_add(own.span.max(1))?)?;
        let offset = rules[0].offset;
        let mut units = 0;
        let mut alone = Vec::new();
        for rule in rules {
            if rule.offset != offset + units {
                return None;
            }
            alone.push(GroupRule { offset: units, ..*rule });
            units += rule.units;
        }
        let (enter, leave) = own.chances();
        Some(Self {
            offset,
            units,
            alone: Readout { groups: alone },
            teach_heard: own.teach_heard,
            temperatures: vec![own.temperature; own.span.max(1)],
            enter,
            leave,
            rng: Rng::new(0),
            given: own.given,
            in_run: [false; SEQUENCES],
            inputs: Vec::new(),
            taught: Vec::new(),
            y: vec![0.0; units],
            x: vec![0.0; units],
        })
    }

    /// The next chunk's draws come from `seed`, and start with no lane in a run.
    pub fn reseed(&mut self, seed: u64) {
        self.rng = Rng::new(seed);
        self.in_run = [false; SEQUENCES];
    }

    /// A chunk's frames as written (`n_in` units a frame), to hear; every target taught.
    pub fn begin(&mut self, frames: &[Lanes<R>], n_in: usize) {
        self.inputs.clear();
        self.inputs.extend_from_slice(frames);
        self.taught.clear();
        self.taught.resize(frames.len() / n_in.max(1), [R::ONE; SEQUENCES]);
    }

    /// The first unit of the group heard as drawn.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The frames heard so far (frame t is final once step t − 1 has been heard).
    pub fn inputs(&self) -> &[Lanes<R>] {
        &self.inputs
    }

    /// Whether the group's target at step `t` is taught (1) or not (0), by lane: not after a
    /// step that heard a line not the corpus's.
    pub fn taught(&self, t: usize) -> &Lanes<R> {
        &self.taught[t]
    }

    /// Whether `a` and `b` make the same choices in the groups for `lane`.
    fn same_choices(&self, a: &[Lanes<R>], b: &[Lanes<R>], lane: usize) -> bool {
        self.alone.groups.iter().all(|g| {
            let choice =
                |frame: &[Lanes<R>]| (0..g.choices()).find(|&i| frame[self.offset + g.offset + i][lane].to_f32() > 0.5);
            choice(a) == choice(b)
        })
    }

    /// After step `t` of the chunk whose frames are `frames`, and whose output unit `u` of lane
    /// `lane` is `output(u, lane)`: each lane in a run hears at step t + 1 the group as drawn
    /// from those outputs (at its temperature), and is not taught at step t + 1 if that is not the
    /// corpus's.
    pub fn hear(&mut self, t: usize, n_in: usize, frames: &[Lanes<R>], output: impl Fn(usize, usize) -> f32) {
        let (offset, units) = (self.offset, self.units);
        if (t + 2) * n_in > self.inputs.len() {
            return;
        }
        let next = (t + 1) * n_in..(t + 2) * n_in;
        for lane in 0..SEQUENCES {
            if self.given.is_some_and(|u| frames[next.start + u][lane].to_f32() > 0.5) {
                self.in_run[lane] = false;
                continue;
            }
            let chance = if self.in_run[lane] { 1.0 - self.leave } else { self.enter };
            self.in_run[lane] = self.rng.next_f64() < chance;
            if !self.in_run[lane] {
                continue;
            }
            for u in 0..units {
                self.y[u] = output(offset + u, lane);
                self.x[u] = self.inputs[t * n_in + offset + u][lane].to_f32();
            }
            self.alone.next_input(&self.y, &mut self.x, &self.temperatures, &mut self.rng);
            for u in 0..units {
                self.inputs[(t + 1) * n_in + offset + u][lane] = R::from_f32(self.x[u]);
            }
            if self.teach_heard {
                continue;
            }
            // Where the line heard is not the corpus's, the corpus does not say what comes next:
            // nothing is taught. Taught the corpus's next key, the network learned to leap back
            // to the corpus's line (the bebop band at T = 1 leapt a tritone or more in 14.3 % of
            // note pairs against 8.7 %); taught the corpus's next interval from the key heard, it
            // lost the chords (chord tones on beats 1 and 3: 66 % against 80).
            if !self.same_choices(&self.inputs[next.clone()], &frames[next.clone()], lane) {
                self.taught[t + 1][lane] = R::ZERO;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::readout::Rule;

    fn readout() -> Readout {
        Readout {
            groups: vec![
                GroupRule { offset: 0, units: 2, rule: Rule::Threshold },
                GroupRule {
                    offset: 2,
                    units: 3,
                    rule: Rule::Choice { begin: false, restrike: false, rest: None, trim: false },
                },
            ],
        }
    }

    /// Six units a frame (2 chords, a choice of 3, and a unit on where the choice is given), 11
    /// frames, the choice always unit 0 and given at steps 4 to 6.
    fn frames() -> Vec<Lanes<f32>> {
        let mut f = vec![[0.0; SEQUENCES]; 11 * 6];
        for t in 0..11 {
            f[t * 6] = [1.0; SEQUENCES];
            f[t * 6 + 2] = [1.0; SEQUENCES];
            f[t * 6 + 5] = [f32::from(u8::from((4..=6).contains(&t))); SEQUENCES];
        }
        f
    }

    /// Hears 10 steps whose outputs are sure of choice 2.
    fn heard(own: &OwnLines, seed: u64) -> OwnDraw<f32> {
        let mut draw = OwnDraw::<f32>::new(&readout(), own).unwrap();
        draw.reseed(seed);
        draw.begin(&frames(), 6);
        for t in 0..10 {
            draw.hear(t, 6, &frames(), |u, _| if u == 4 { 1.0 } else { 0.0 });
        }
        for t in 0..11 {
            assert_eq!(draw.inputs()[t * 6], [1.0; SEQUENCES], "the chords are never drawn");
        }
        draw
    }

    /// The steps at which `lane` heard choice 2 (its own).
    fn own_steps(draw: &OwnDraw<f32>, lane: usize) -> Vec<usize> {
        let inputs = draw.inputs();
        (1..11).filter(|&t| inputs[t * 6 + 4][lane] == 1.0 && inputs[t * 6 + 2][lane] == 0.0).collect()
    }

    #[test]
    fn a_share_of_0_hears_and_teaches_the_corpus() {
        let draw = heard(
            &OwnLines {
                group: 1,
                span: 1,
                share: 0.0,
                run_steps: 4.0,
                given: None,
                teach_heard: false,
                temperature: 1.0,
            },
            1,
        );
        assert_eq!(draw.inputs(), &frames()[..]);
        assert!((0..11).all(|t| draw.taught(t) == &[1.0; SEQUENCES]));
    }

    #[test]
    fn a_share_of_1_hears_its_own_draws_where_not_given_and_is_taught_only_where_it_hears_the_corpus() {
        let draw = heard(
            &OwnLines {
                group: 1,
                span: 1,
                share: 1.0,
                run_steps: 4.0,
                given: Some(5),
                teach_heard: false,
                temperature: 1.0,
            },
            1,
        );
        for lane in 0..SEQUENCES {
            assert_eq!(own_steps(&draw, lane), [1, 2, 3, 7, 8, 9, 10], "steps 4 to 6 are given");
        }
        let taught: Vec<usize> = (0..11).filter(|&t| draw.taught(t)[0] == 1.0).collect();
        assert_eq!(taught, [0, 4, 5, 6], "taught only where the line heard is the corpus's");
    }

    #[test]
    fn runs_take_about_their_share_and_depend_only_on_the_seed() {
        let own = OwnLines {
            group: 1,
            span: 1,
            share: 0.3,
            run_steps: 3.0,
            given: None,
            teach_heard: false,
            temperature: 1.0,
        };
        let steps = |seed| (0..SEQUENCES).map(|l| own_steps(&heard(&own, seed), l)).collect::<Vec<_>>();
        let total: usize = (0..200).map(|s| steps(s).iter().map(Vec::len).sum::<usize>()).sum();
        let share = total as f64 / (200 * 10 * SEQUENCES) as f64;
        assert!((0.2..0.35).contains(&share), "{share}");
        assert_eq!(steps(7), steps(7));
        assert!(OwnDraw::<f32>::new(&readout(), &OwnLines { group: 2, ..own }).is_none());
    }

    #[test]
    fn a_kit_hears_every_lane_drawn_together_and_is_still_taught_where_it_teaches_what_it_heard() {
        // Two lanes of two levels (silence, a stroke) after two chord units, the corpus silent;
        // outputs sure of a stroke on the first lane, of silence on the second.
        let choice = Rule::Choice { begin: false, restrike: false, rest: Some(0), trim: false };
        let kit = Readout {
            groups: vec![
                GroupRule { offset: 0, units: 2, rule: Rule::Threshold },
                GroupRule { offset: 2, units: 2, rule: choice },
                GroupRule { offset: 4, units: 2, rule: choice },
            ],
        };
        let mut frames = vec![[0.0; SEQUENCES]; 11 * 6];
        for t in 0..11 {
            frames[t * 6 + 2] = [1.0; SEQUENCES];
            frames[t * 6 + 4] = [1.0; SEQUENCES];
        }
        let own = OwnLines {
            group: 1,
            span: 2,
            share: 1.0,
            run_steps: 4.0,
            given: None,
            teach_heard: true,
            temperature: 0.5,
        };
        let mut draw = OwnDraw::<f32>::new(&kit, &own).unwrap();
        draw.reseed(3);
        draw.begin(&frames, 6);
        for t in 0..10 {
            draw.hear(t, 6, &frames, |u, _| if u == 3 || u == 4 { 1.0 } else { 0.0 });
        }
        for t in 1..11 {
            let heard: Vec<f32> = draw.inputs()[t * 6 + 2..t * 6 + 6].iter().map(|u| u[0]).collect();
            assert_eq!(heard, [0.0, 1.0, 1.0, 0.0], "step {t}: both lanes as drawn");
            assert_eq!(draw.taught(t), &[1.0; SEQUENCES], "step {t}: taught the corpus's next frame");
        }
        // Taught only where it heard the corpus, a step is not where any lane was drawn apart.
        let mut strict = OwnDraw::<f32>::new(&kit, &OwnLines { teach_heard: false, ..own }).unwrap();
        strict.reseed(3);
        strict.begin(&frames, 6);
        for t in 0..10 {
            strict.hear(t, 6, &frames, |u, _| if u == 3 || u == 4 { 1.0 } else { 0.0 });
        }
        assert!((1..11).all(|t| strict.taught(t) == &[0.0; SEQUENCES]));
        assert!(OwnDraw::<f32>::new(&kit, &OwnLines { span: 3, ..own }).is_none(), "no third lane");
    }
}
