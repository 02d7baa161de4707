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
}
