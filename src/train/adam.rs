//! Adam on the host-side flat parameter vector (f64), with PyTorch's bias correction.

use crate::config::OptimizerConfig;

/// Adam state: first and second moment estimates and the step count.
#[derive(Clone, Debug)]
pub struct Adam {
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl Adam {
    /// Fresh moments for `n_params` parameters.
    pub fn new(config: &OptimizerConfig, n_params: usize) -> Self {
        Self {
            beta1: config.beta1,
            beta2: config.beta2,
            epsilon: config.epsilon,
            m: vec![0.0; n_params],
            v: vec![0.0; n_params],
            t: 0,
        }
    }

    /// Forget the moments (used when the objective changes abruptly, e.g. a new stage).
    pub fn reset(&mut self) {
        self.m.fill(0.0);
        self.v.fill(0.0);
        self.t = 0;
    }

    /// Steps taken since the last reset.
    pub fn steps(&self) -> i32 {
        self.t
    }

    /// θ ← θ − lr · m̂ / (√v̂ + ε̂).
    pub fn step(&mut self, theta: &mut [f64], grad: &[f64], lr: f64) {
        self.t += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let c1 = 1.0 - b1.powi(self.t);
        let c2 = 1.0 - b2.powi(self.t);
        let step = lr / c1;
        let c2_sqrt = c2.sqrt();
        for i in 0..theta.len() {
            let g = grad[i];
            let m = b1 * self.m[i] + (1.0 - b1) * g;
            let v = b2 * self.v[i] + (1.0 - b2) * g * g;
            self.m[i] = m;
            self.v[i] = v;
            theta[i] -= step * m / (v.sqrt() / c2_sqrt + self.epsilon);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_moves_each_coordinate_by_lr() {
        // With bias correction the first Adam step is lr·sign(g) (up to ε̂).
        let mut adam = Adam::new(&OptimizerConfig::default(), 3);
        let mut theta = vec![0.0, 1.0, -2.0];
        adam.step(&mut theta, &[3.0, -0.5, 1e-3], 0.1);
        let expect = [-0.1, 1.1, -2.1];
        for (t, e) in theta.iter().zip(expect) {
            assert!((t - e).abs() < 1e-6, "{t} vs {e}");
        }
    }

    #[test]
    fn minimizes_a_quadratic() {
        let mut adam = Adam::new(&OptimizerConfig::default(), 2);
        let mut theta = vec![3.0, -4.0];
        for _ in 0..5000 {
            let grad = [2.0 * theta[0], 20.0 * theta[1]];
            adam.step(&mut theta, &grad, 1e-2);
        }
        assert!(theta.iter().all(|t| t.abs() < 1e-3), "{theta:?}");
    }
}
