//! L-BFGS on the host θ: the two-loop recursion over the last m curvature pairs and a
//! backtracking line search with the Armijo condition (a pair is kept only when sᵀy > 0).

use std::collections::VecDeque;

use super::objective::{LossParts, Objective, ObjectiveError};

/// Curvature pairs kept (m).
pub const MEMORY: usize = 10;
/// Armijo constant c₁.
const ARMIJO: f64 = 1e-4;
/// Step halvings before an iteration gives up.
const MAX_HALVINGS: usize = 40;

/// L-BFGS state.
#[derive(Clone, Debug, Default)]
pub struct Lbfgs {
    pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)>,
    last: Option<(Vec<f64>, Vec<f64>)>,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Lbfgs {
    /// Forget the curvature pairs (the objective changed, e.g. a new ε).
    pub fn reset(&mut self) {
        self.pairs.clear();
        self.last = None;
    }

    /// −H·g by the two-loop recursion (H₀ = γI with γ = sᵀy/yᵀy of the newest pair, or a
    /// unit-length first step).
    fn direction(&self, g: &[f64]) -> Vec<f64> {
        let mut q = g.to_vec();
        let mut alphas = Vec::with_capacity(self.pairs.len());
        for (s, y, rho) in self.pairs.iter().rev() {
            let a = rho * dot(s, &q);
            for (qi, yi) in q.iter_mut().zip(y) {
                *qi -= a * yi;
            }
            alphas.push(a);
        }
        let gamma = match self.pairs.back() {
            Some((s, y, _)) => dot(s, y) / dot(y, y),
            None => 1.0 / dot(g, g).sqrt().max(1.0),
        };
        for qi in q.iter_mut() {
            *qi *= gamma;
        }
        for ((s, y, rho), a) in self.pairs.iter().zip(alphas.iter().rev()) {
            let b = rho * dot(y, &q);
            for (qi, si) in q.iter_mut().zip(s) {
                *qi += (a - b) * si;
            }
        }
        q.iter().map(|v| -v).collect()
    }

    /// One iteration at ε: returns the loss before it and whether a step was taken.
    pub fn iterate(
        &mut self,
        objective: &Objective,
        theta: &mut [f64],
        eps: f64,
    ) -> Result<(LossParts, bool), ObjectiveError> {
        let (loss, g) = objective.loss_and_grad(theta, eps)?;
        if !loss.is_finite() || g.iter().any(|v| !v.is_finite()) {
            return Ok((loss, false));
        }
        if let Some((theta_prev, g_prev)) = self.last.take() {
            let s: Vec<f64> = theta.iter().zip(&theta_prev).map(|(a, b)| a - b).collect();
            let y: Vec<f64> = g.iter().zip(&g_prev).map(|(a, b)| a - b).collect();
            let sy = dot(&s, &y);
            if sy > 1e-12 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() {
                if self.pairs.len() == MEMORY {
                    self.pairs.pop_front();
                }
                self.pairs.push_back((s, y, 1.0 / sy));
            }
        }
        let mut d = self.direction(&g);
        let mut slope = dot(&g, &d);
        if slope.is_nan() || slope >= 0.0 {
            self.pairs.clear();
            d = self.direction(&g);
            slope = dot(&g, &d);
        }
        let mut t = 1.0;
        let mut trial = theta.to_vec();
        for _ in 0..MAX_HALVINGS {
            for ((x, th), di) in trial.iter_mut().zip(theta.iter()).zip(&d) {
                *x = th + t * di;
            }
            let f = objective.loss(&trial, eps)?.total;
            if f.is_finite() && f <= loss.total + ARMIJO * t * slope {
                self.last = Some((theta.to_vec(), g));
                theta.copy_from_slice(&trial);
                return Ok((loss, true));
            }
            t *= 0.5;
        }
        self.pairs.clear();
        Ok((loss, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_loop_recursion_inverts_a_quadratic_from_its_pairs() {
        // For L = ½θᵀAθ with A = diag(1, 10, 100), pairs (s, As) along the axes make −H·g
        // the Newton step −A⁻¹g.
        let a = [1.0, 10.0, 100.0];
        let mut l = Lbfgs::default();
        for i in 0..3 {
            let mut s = vec![0.0; 3];
            s[i] = 1.0;
            let y: Vec<f64> = s.iter().zip(a).map(|(si, ai)| si * ai).collect();
            let rho = 1.0 / dot(&s, &y);
            l.pairs.push_back((s, y, rho));
        }
        let g = [2.0, -30.0, 500.0];
        let d = l.direction(&g);
        for i in 0..3 {
            assert!((d[i] + g[i] / a[i]).abs() < 1e-12, "{d:?}");
        }
    }
}
