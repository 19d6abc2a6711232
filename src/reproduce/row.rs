//! One entry of a method × ε table and how it is measured: loss, L2RE (against the exact
//! solution or the reference), front and how the run ended, at the parameters a run holds —
//! shared by the tables ([`super::sweep`]) and the column below the papers' ε
//! ([`super::below`]); and ε printed in the papers' style.

use std::time::Instant;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::diagnostics::evaluate;
use crate::train::{EndReason, Session};

/// One table entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Row {
    pub method: String,
    pub eps: f64,
    pub seed: u64,
    /// L_H + λL_bc = ½ mean H² + λ ½ mean (u − g)² at the recorded parameters.
    pub loss: f64,
    pub l2re: Option<f64>,
    /// What the L2RE is measured against.
    pub against: String,
    pub front_x0: Option<f64>,
    /// How the run ended (for a homotopy row: how the whole run ended).
    pub end: String,
    pub steps: usize,
    pub seconds: f64,
}

pub(super) fn measure(
    method: &str,
    seed: u64,
    eps: f64,
    session: &Session,
    theta: &[f64],
    started: &Instant,
) -> Result<Row> {
    let parts = session.objective().loss(theta, eps)?;
    let eval = evaluate(
        session.problem().as_ref(),
        session.objective().network(),
        theta,
        eps,
    );
    let (l2re, against) = match (eval.accuracy.l2re_exact, eval.accuracy.l2re_reference) {
        (Some(e), _) => (Some(e), "exact"),
        (None, Some(r)) => (Some(r), "reference"),
        (None, None) => (None, "—"),
    };
    Ok(Row {
        method: method.into(),
        eps,
        seed,
        loss: parts.residual + session.objective().bc_weight() * parts.boundary,
        l2re,
        against: against.into(),
        front_x0: eval.accuracy.front_x0,
        end: session
            .end_reason()
            .map_or("running".into(), |e| end_text(&e)),
        steps: session.state().step,
        seconds: started.elapsed().as_secs_f64(),
    })
}

pub(super) fn end_text(e: &EndReason) -> String {
    match e {
        EndReason::Diverged { step } => format!("diverged at step {step} (rolled back)"),
        other => other.name().to_string(),
    }
}

/// ε as 1/k when `fractions` and 1/ε is a whole number above 2, else decimal.
pub fn fmt_eps(eps: f64, fractions: bool) -> String {
    let k = 1.0 / eps;
    if fractions && k > 2.5 && (k - k.round()).abs() < 1e-9 {
        format!("1/{}", k.round())
    } else {
        format!("{eps}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eps_prints_like_the_paper() {
        assert_eq!(fmt_eps(1.0 / 50.0, true), "1/50");
        assert_eq!(fmt_eps(0.05, false), "0.05");
        assert_eq!(fmt_eps(0.5, true), "0.5");
        assert_eq!(fmt_eps(2.0, true), "2");
        assert_eq!(fmt_eps(0.07, true), "0.07");
    }
}
