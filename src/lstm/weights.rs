//! A network's numbers: its topology and one named, row-major tensor for each entry of
//! `Topology::tensors()`. What the trainer produces, what the real-time network is built from,
//! what a model file stores beside the encoding and metadata. Any non-audio thread.

use super::topology::{TensorSpec, Topology};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One weight matrix, row-major: `values[r * shape[1] + c]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tensor {
    /// `[rows, cols]`; see [`TensorSpec`] for what rows and columns mean.
    pub shape: Vec<usize>,
    /// Row-major values, `rows × cols` of them.
    pub values: Vec<f32>,
}

/// The weights of a network of `topology`: exactly the tensors it names, each of its shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    pub topology: Topology,
    pub tensors: BTreeMap<String, Tensor>,
}

impl Weights {
    /// Every weight 0 (tests and tools fill them in).
    pub fn zeros(topology: Topology) -> Self {
        let tensors = topology
            .tensors()
            .iter()
            .map(|s| (s.name.clone(), Tensor { shape: vec![s.rows, s.cols], values: vec![0.0; s.len()] }))
            .collect();
        Self { topology, tensors }
    }

    /// From the trainer's flat parameters: the tensors of the topology in turn.
    pub fn from_flat(topology: Topology, flat: &[f32]) -> Self {
        let mut weights = Self::zeros(topology);
        let mut at = 0;
        for spec in weights.topology.tensors() {
            weights.values_mut(&spec).copy_from_slice(&flat[at..at + spec.len()]);
            at += spec.len();
        }
        assert_eq!(at, flat.len(), "flat parameters of the wrong length for the topology");
        weights
    }

    /// The flat parameters, in the trainer's layout.
    pub fn to_flat(&self) -> Vec<f32> {
        self.topology.tensors().iter().flat_map(|s| self.values(s).to_vec()).collect()
    }

    /// The values of the tensor `spec`. Panics if it is missing or of the wrong size: weights
    /// that came through a model file or the trainer always have it.
    pub fn values(&self, spec: &TensorSpec) -> &[f32] {
        match self.tensors.get(&spec.name) {
            Some(t) if t.values.len() == spec.len() => &t.values,
            _ => panic!("weights have no valid tensor {}", spec.name),
        }
    }

    /// Mutable values of the tensor `spec` (same contract as [`Weights::values`]).
    pub fn values_mut(&mut self, spec: &TensorSpec) -> &mut [f32] {
        match self.tensors.get_mut(&spec.name) {
            Some(t) if t.values.len() == spec.len() => &mut t.values,
            _ => panic!("weights have no valid tensor {}", spec.name),
        }
    }

    /// The same network without the groups `dropped` (a part the user turned off): each other
    /// group keeps its tensors, which do not depend on where the groups lie in a frame. Refused
    /// for a group another group sees, or for every group.
    pub fn without_groups(&self, dropped: &[usize]) -> Result<Weights, String> {
        let old = &self.topology;
        let mut topology = Topology { groups: Vec::new(), ..old.clone() };
        let mut index = vec![None; old.groups.len()];
        for (g, shape) in old.groups.iter().enumerate() {
            if dropped.contains(&g) {
                if let Some(seer) = old.groups.iter().find(|o| o.sees.contains(&g)) {
                    return Err(format!("the {} group is heard by the {} group", shape.name, seer.name));
                }
                continue;
            }
            index[g] = Some(topology.groups.len());
            let mut shape = shape.clone();
            shape.sees = shape.sees.iter().filter_map(|&s| index[s]).collect();
            topology.groups.push(shape);
        }
        topology.validate()?;
        let mut weights = Self::zeros(topology);
        for spec in weights.topology.tensors() {
            let from = self.tensors.get(&spec.name).ok_or_else(|| format!("no tensor {}", spec.name))?;
            if from.values.len() != spec.len() {
                return Err(format!("the tensor {} changes shape without the groups dropped", spec.name));
            }
            weights.values_mut(&spec).copy_from_slice(&from.values);
        }
        Ok(weights)
    }

    /// The same network with group `g`'s units renumbered: new unit `u` plays the part old unit
    /// `from[u]` played (in its gates' inputs, and its output units' rows and inputs); a `None`
    /// unit starts silent (no weights in, a strongly negative output bias). Other groups read
    /// only cells, never another group's units, so nothing else changes.
    pub fn with_units_renumbered(&self, g: usize, from: &[Option<usize>]) -> Weights {
        let topology = &self.topology;
        let (units, cells) = (topology.groups[g].units, topology.cells(g));
        assert_eq!(from.len(), units, "one source per unit");
        let mut out = self.clone();
        let specs = topology.tensors();
        let (gates, outs) = (&specs[2 * g], &specs[2 * g + 1]);
        let (old_gates, old_out) = (self.values(gates), self.values(outs));
        let new_gates = out.values_mut(gates);
        for r in 0..gates.rows {
            for (u, f) in from.iter().enumerate() {
                new_gates[r * gates.cols + u] = f.map_or(0.0, |f| old_gates[r * gates.cols + f]);
            }
        }
        let new_out = out.values_mut(outs);
        for (u, f) in from.iter().enumerate() {
            let row = &mut new_out[u * outs.cols..(u + 1) * outs.cols];
            match f {
                Some(f) => {
                    row.copy_from_slice(&old_out[f * outs.cols..(f + 1) * outs.cols]);
                    for (v, fv) in from.iter().enumerate() {
                        row[cells + v] = fv.map_or(0.0, |fv| old_out[f * outs.cols + cells + fv]);
                    }
                }
                None => {
                    row.fill(0.0);
                    row[outs.cols - 1] = -6.0;
                }
            }
        }
        out
    }

    /// Random weights uniform in ±`scale` (tests of the network and the file).
    #[cfg(test)]
    pub(crate) fn random(topology: Topology, seed: u64, scale: f32) -> Self {
        let mut rng = super::rng::Rng::new(seed);
        let mut weights = Self::zeros(topology);
        for t in weights.tensors.values_mut() {
            for v in &mut t.values {
                *v = rng.uniform(-scale, scale);
            }
        }
        weights
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_parameters_round_trip_in_tensor_order() {
        let w = Weights::random(Topology::exp2(), 3, 1.0);
        let flat = w.to_flat();
        assert_eq!(flat.len(), Topology::exp2().n_params());
        assert_eq!(&flat[..420], &w.tensors["chord_gates"].values[..]);
        assert_eq!(Weights::from_flat(Topology::exp2(), &flat), w);
    }

    #[test]
    fn a_group_no_one_hears_can_be_dropped_and_the_others_keep_their_numbers() {
        use crate::lstm::topology::GroupShape;
        let groups = vec![
            GroupShape::new("chord", 12, 2, &[]),
            GroupShape::new("melody", 5, 2, &[0]),
            GroupShape::new("bass", 4, 1, &[0]),
        ];
        let t = Topology { groups, cells_per_block: 2, context: 3 };
        let w = Weights::random(t, 5, 1.0);
        let without = w.without_groups(&[1]).unwrap();
        assert_eq!(without.topology.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["chord", "bass"]);
        assert_eq!(without.tensors["bass_gates"], w.tensors["bass_gates"]);
        assert_eq!(without.tensors["chord_out"], w.tensors["chord_out"]);
        assert!(!without.tensors.contains_key("melody_gates"));
        assert!(w.without_groups(&[0]).is_err(), "the chords are heard by every line");
    }
}
