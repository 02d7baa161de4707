//! Adam with global gradient-norm clipping, over the trainer's one flat parameter layout
//! (params, grads and both moments are parallel vectors). Trainer thread.

/// Adam's state and settings.
#[derive(Clone, Debug)]
pub struct Adam {
    /// First and second moment estimates, parallel to the parameters.
    m: Vec<f32>,
    v: Vec<f32>,
    /// Updates taken so far (for bias correction).
    t: i32,
    pub learning_rate: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
}

impl Adam {
    pub fn new(n: usize, learning_rate: f32, beta1: f32, beta2: f32, eps: f32) -> Self {
        Self { m: vec![0.0; n], v: vec![0.0; n], t: 0, learning_rate, beta1, beta2, eps }
    }

    /// One update of `params` from `grads`.
    pub fn update(&mut self, params: &mut [f32], grads: &[f32]) {
        self.t += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let c1 = 1.0 / (1.0 - b1.powi(self.t));
        let c2 = 1.0 / (1.0 - b2.powi(self.t));
        let lr = self.learning_rate;
        for (((p, &g), m), v) in params.iter_mut().zip(grads).zip(&mut self.m).zip(&mut self.v) {
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *p -= lr * (*m * c1) / ((*v * c2).sqrt() + self.eps);
        }
    }
}

/// Scales `grads` down so their global L2 norm is at most `max_norm`; returns the norm before.
pub fn clip_global_norm(grads: &mut [f32], max_norm: f32) -> f32 {
    let norm = grads.iter().map(|&g| f64::from(g) * f64::from(g)).sum::<f64>().sqrt() as f32;
    if norm > max_norm && norm.is_finite() {
        let s = max_norm / norm;
        for g in grads.iter_mut() {
            *g *= s;
        }
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_caps_the_norm_and_keeps_the_direction() {
        let mut g = vec![3.0, 4.0];
        assert_eq!(clip_global_norm(&mut g, 1.0), 5.0);
        assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
        let mut small = vec![0.1, 0.0];
        clip_global_norm(&mut small, 1.0);
        assert_eq!(small, vec![0.1, 0.0]);
    }

    #[test]
    fn adam_minimises_a_quadratic() {
        let mut p = vec![5.0f32, -3.0];
        let mut adam = Adam::new(2, 0.1, 0.9, 0.999, 1e-8);
        for _ in 0..500 {
            let g: Vec<f32> = p.iter().map(|x| 2.0 * (x - 1.0)).collect();
            adam.update(&mut p, &g);
        }
        assert!(p.iter().all(|x| (x - 1.0).abs() < 1e-2), "{p:?}");
    }
}
