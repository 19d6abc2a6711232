//! The ISGD paper's analytical stiff problem (§2.2, eqs. 7–8): the loss
//! L(θ) = K₁/2 (θ₁ − θ₁*)² + K₂/2 (θ₂ − θ₂*)² minimized by gradient descent θ ← θ − α∇L(θ)
//! and by implicit gradient descent θ ← θ − α∇L(θ_next). On this quadratic both steps are
//! exact per coordinate: θᵢ − θᵢ* ← (1 − αKᵢ)(θᵢ − θᵢ*) (GD) and ← (θᵢ − θᵢ*)/(1 + αKᵢ)
//! (IGD), so the loss ratio per step is bounded by D_GD = max (1 − αKᵢ)² (eq. 7) and
//! D_IGD = max 1/(1 + αKᵢ)² (eq. 8). GD decays only for α < 2/max Kᵢ (the paper prints
//! α ≤ ½·1/max Kᵢ); IGD decays for every α > 0. Trajectories, step counts and the figures the
//! explorer's lab and `reproduce sq` draw; nothing here trains a network.

use crate::export::figure::{Figure, Mark};

/// ‖θ − θ*‖ is brought to this fraction of its start in the step counts the page and the
/// window give ([`StiffQuadratic::steps_to`]).
pub const FRACTION: f64 = 1e-3;
/// Step counts past this are reported as never reached.
pub const CAP: u64 = 1 << 60;

/// Which descent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Descent {
    /// Explicit gradient descent.
    Gd,
    /// Implicit gradient descent (backward Euler on the gradient flow).
    Igd,
}

impl Descent {
    pub const ALL: [Descent; 2] = [Self::Gd, Self::Igd];

    pub fn name(self) -> &'static str {
        match self {
            Self::Gd => "GD",
            Self::Igd => "IGD",
        }
    }
}

/// The quadratic: curvatures K, minimizer θ*, and the start θ₀.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StiffQuadratic {
    pub k: [f64; 2],
    pub star: [f64; 2],
    pub start: [f64; 2],
}

impl StiffQuadratic {
    /// The paper's K₁ = 10⁻⁴, K₂ = 10⁴ (its θ* and θ₀ are not given: θ* = 0, θ₀ = (1, 1)).
    pub const PAPER: StiffQuadratic = StiffQuadratic {
        k: [1e-4, 1e4],
        star: [0.0, 0.0],
        start: [1.0, 1.0],
    };

    /// Whether K₁, K₂ are positive and finite and the points finite; the reason otherwise.
    pub fn check(&self) -> Result<(), String> {
        for (i, k) in self.k.iter().enumerate() {
            if !(k.is_finite() && *k > 0.0) {
                return Err(format!("K{} must be a positive number (got {k})", i + 1));
            }
        }
        if !self.star.iter().chain(&self.start).all(|v| v.is_finite()) {
            return Err("θ* and θ₀ must be finite".into());
        }
        Ok(())
    }

    pub fn loss(&self, t: [f64; 2]) -> f64 {
        (0..2)
            .map(|i| 0.5 * self.k[i] * (t[i] - self.star[i]).powi(2))
            .sum()
    }

    /// The factor each coordinate's distance to θ* is multiplied by per step.
    pub fn factors(&self, d: Descent, alpha: f64) -> [f64; 2] {
        self.k.map(|k| match d {
            Descent::Gd => 1.0 - alpha * k,
            Descent::Igd => 1.0 / (1.0 + alpha * k),
        })
    }

    /// One step from `t`.
    pub fn step(&self, d: Descent, alpha: f64, t: [f64; 2]) -> [f64; 2] {
        let c = self.factors(d, alpha);
        [0, 1].map(|i| self.star[i] + c[i] * (t[i] - self.star[i]))
    }

    /// The paper's bound on L(θₙ₊₁)/L(θₙ): eq. 7 for GD, eq. 8 for IGD.
    pub fn decay_bound(&self, d: Descent, alpha: f64) -> f64 {
        let c = self.factors(d, alpha);
        c[0].powi(2).max(c[1].powi(2))
    }

    /// (n, θ₁, θ₂, L) for n = 0..=steps, stopped early once L leaves the f64 range.
    pub fn trajectory(&self, d: Descent, alpha: f64, steps: usize) -> Vec<(usize, [f64; 2], f64)> {
        let mut t = self.start;
        let mut out = vec![(0, t, self.loss(t))];
        for n in 1..=steps {
            t = self.step(d, alpha, t);
            let l = self.loss(t);
            out.push((n, t, l));
            if !(l.is_finite() && l < 1e300) {
                break;
            }
        }
        out
    }

    /// The first n with ‖θₙ − θ*‖ ≤ `fraction`·‖θ₀ − θ*‖, in closed form
    /// (‖θₙ − θ*‖² = Σ cᵢ²ⁿ dᵢ², decreasing in n when every |cᵢ| < 1): the distance, not the
    /// loss, because the stiff coordinate (K large) carries nearly all of the loss and is gone
    /// in a few steps while the soft one (K small) is what takes long. None when a coordinate
    /// away from θ* does not contract (|cᵢ| ≥ 1) or the count passes `cap`.
    pub fn steps_to(&self, d: Descent, alpha: f64, fraction: f64, cap: u64) -> Option<u64> {
        let c = self.factors(d, alpha);
        let parts: Vec<(f64, f64)> = (0..2)
            .map(|i| ((self.start[i] - self.star[i]).powi(2), c[i].abs()))
            .filter(|(w, _)| *w > 0.0)
            .collect();
        if parts.iter().any(|(_, c)| *c >= 1.0) {
            return None;
        }
        let at = |n: u64| -> f64 {
            parts
                .iter()
                .map(|(w, c)| w * c.powf(2.0 * n as f64))
                .sum::<f64>()
                .sqrt()
        };
        let target = fraction * at(0);
        if at(0) <= target {
            return Some(0);
        }
        if at(cap) > target {
            return None;
        }
        let (mut lo, mut hi) = (0u64, cap);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if at(mid) <= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }

    /// The largest ratio L(θₙ₊₁)/L(θₙ) over the first `steps` steps (measured, to set beside
    /// [`Self::decay_bound`]).
    pub fn worst_ratio(&self, d: Descent, alpha: f64, steps: usize) -> f64 {
        self.trajectory(d, alpha, steps)
            .windows(2)
            .map(|w| w[1].2 / w[0].2)
            .filter(|r| r.is_finite())
            .fold(0.0, f64::max)
    }
}

/// A ratio bound, written so that one within 10⁻³ of 1 still shows how far from 1 it is.
pub fn ratio(d: f64) -> String {
    if (d - 1.0).abs() < 1e-3 && d != 1.0 {
        let gap = (1.0 - d).abs();
        format!("1 {} {gap:.2e}", if d < 1.0 { "−" } else { "+" })
    } else {
        format!("{d:.4e}")
    }
}

/// The lab's two figures for step sizes `alphas` (each with both descents): the loss against
/// the step, and the path in the (θ₁, θ₂) plane.
pub fn figures(q: &StiffQuadratic, alphas: &[f64], steps: usize) -> (Figure, Figure) {
    let mut loss = Figure::new(
        &format!("L(θₙ) for K₁ = {:e}, K₂ = {:e}", q.k[0], q.k[1]),
        "step n",
        "L",
    )
    .log_y();
    let mut path = Figure::new("θₙ from θ₀ towards θ*", "θ₁", "θ₂");
    for &alpha in alphas {
        for d in Descent::ALL {
            let tr = q.trajectory(d, alpha, steps);
            let label = format!("{} α = {alpha:e}", d.name());
            let diverged = tr.last().is_some_and(|p| !(p.2.is_finite() && p.2 < 1e300))
                || tr.last().is_some_and(|p| p.2 > tr[0].2);
            // A diverging run is drawn until it leaves the picture: its loss past 10³ L(θ₀),
            // its path past three times θ₀'s distance from θ*.
            let l0 = tr[0].2;
            let dist = |t: [f64; 2]| (t[0] - q.star[0]).hypot(t[1] - q.star[1]);
            let d0 = dist(q.start);
            let pts: Vec<(f64, f64)> = tr
                .iter()
                .take_while(|p| p.2.is_finite() && p.2 <= 1e3 * l0)
                .filter(|p| p.2 > 0.0)
                .map(|p| (p.0 as f64, p.2))
                .collect();
            let label = if diverged {
                format!("{label} (diverges)")
            } else {
                label
            };
            loss = loss.with_series(&label, pts, Mark::Line);
            let xy: Vec<(f64, f64)> = tr
                .iter()
                .take_while(|p| dist(p.1) <= 3.0 * d0.max(f64::MIN_POSITIVE))
                .map(|p| (p.1[0], p.1[1]))
                .collect();
            path = path.with_series(&label, xy, Mark::LineAndPoints);
        }
    }
    (loss, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_measured_ratios_stay_within_eqs_7_and_8() {
        let q = StiffQuadratic::PAPER;
        for alpha in [1e-5, 1e-4, 1.9e-4, 2.1e-4, 1e-2, 1.0, 1e3] {
            for d in Descent::ALL {
                let worst = q.worst_ratio(d, alpha, 200);
                assert!(
                    worst <= q.decay_bound(d, alpha) * (1.0 + 1e-12),
                    "{d:?} {alpha}"
                );
            }
            // IGD decays at every step size.
            assert!(q.decay_bound(Descent::Igd, alpha) < 1.0);
        }
        // GD contracts below 2/K₂ = 2·10⁻⁴ and not above it (the paper prints ½·1/K₂).
        assert!(q.decay_bound(Descent::Gd, 1.9e-4) < 1.0);
        assert!(q.decay_bound(Descent::Gd, 2.1e-4) > 1.0);
        assert!(q.steps_to(Descent::Gd, 2.1e-4, 1e-3, 1_000_000).is_none());
        let t = q.trajectory(Descent::Gd, 2.1e-4, 10_000);
        assert!(t.last().unwrap().2 > t[0].2, "GD above 2/K₂ grows");
    }

    #[test]
    fn step_counts_match_iterating() {
        let q = StiffQuadratic {
            k: [0.5, 8.0],
            star: [1.0, -2.0],
            start: [3.0, 0.5],
        };
        for (d, alpha) in [
            (Descent::Gd, 0.1),
            (Descent::Igd, 0.1),
            (Descent::Igd, 10.0),
        ] {
            let n = q.steps_to(d, alpha, 1e-6, 1_000_000).unwrap() as usize;
            let tr = q.trajectory(d, alpha, n);
            let dist = |t: [f64; 2]| ((t[0] - 1.0).powi(2) + (t[1] + 2.0).powi(2)).sqrt();
            let d0 = dist(tr[0].1);
            assert!(
                dist(tr[n].1) <= 1e-6 * d0 && dist(tr[n - 1].1) > 1e-6 * d0,
                "{d:?} {alpha}"
            );
        }
        // On the paper's K₁ = 10⁻⁴ the soft coordinate shrinks by (1 − 10⁻⁸) a GD step at
        // α = 1/K₂ (half the largest stable rate), and by 1/1.1 an IGD step at α = 10³.
        let p = StiffQuadratic::PAPER;
        let slow = p.steps_to(Descent::Gd, 1e-4, 1e-3, u64::MAX / 4).unwrap();
        let fast = p.steps_to(Descent::Igd, 1e3, 1e-3, 1_000_000).unwrap();
        assert!(slow > 100_000_000 && fast < 100, "{slow} {fast}");
        assert!(p.check().is_ok());
        let bad = StiffQuadratic { k: [0.0, 1.0], ..p };
        assert!(bad.check().unwrap_err().contains("K1"));
    }
}
