//! What a run trains by, in words: one label built from the configuration alone, so that
//! `summary.json`, the reproduction pages and the explorer's pins call a run by what it is
//! (optimizer, α of the homotopy loss, phase condition, stages, Phase I), never by a strategy
//! name that hides those choices. Strategy 2 with α = 0 is named the curriculum it is, whether
//! the preset says `strategy2` or `curriculum`.

use super::{
    Corrector, OptimizerKind, RunConfig, ScheduleConfig, StageOptimizer, StrategyConfig,
    StrategyKind,
};

impl RunConfig {
    /// Whether `new`, applied to a run of this configuration during its Phase I, lets that
    /// Phase I go on as it stands: only the ε schedule differs, and HRTA is off (its wrapper
    /// would be rebuilt around Phase I with a mid-run s schedule, not carried on).
    pub fn keeps_phase_one(&self, new: &RunConfig) -> bool {
        let mut same = self.clone();
        same.strategy.schedule = new.strategy.schedule.clone();
        self.strategy.schedule != new.strategy.schedule && same == *new && !new.hrta.enabled
    }

    /// One line: the strategy and its choices, e.g. "s-homotopy (eq. 62), Strategy 2 with the
    /// homotopy loss (α = 0.01): Adam (lr 0.001) ≤ 2000 steps a stage, 19 stages; Phase I:
    /// Adam 1000".
    pub fn method_label(&self) -> String {
        let st = &self.strategy;
        let mut label = match st.kind {
            StrategyKind::Classical => {
                format!(
                    "classical: {}",
                    self.optimizer_words(self.training.max_steps)
                )
            }
            StrategyKind::Strategy1 => format!(
                "Strategy 1 (Euler path tracking{}): {}, corrector {}; {}",
                if st.euler.phase_condition {
                    ", phase condition"
                } else {
                    ""
                },
                stage_count(st, self.problem.eps),
                corrector_words(st),
                phase_one_words(st)
            ),
            StrategyKind::Strategy2 | StrategyKind::Curriculum => {
                let alpha = if st.kind == StrategyKind::Curriculum {
                    0.0
                } else {
                    st.stages.alpha
                };
                let head = if alpha == 0.0 {
                    "curriculum (Strategy 2 stages with α = 0, no homotopy-loss term)".to_string()
                } else {
                    format!("Strategy 2 with the homotopy loss (α = {})", weight(alpha))
                };
                format!(
                    "{head}: {}, {}{}; {}",
                    self.stage_words(),
                    stage_count(st, self.problem.eps),
                    if st.stages.phase_condition && st.stages.optimizer == StageOptimizer::Lm {
                        ", phase condition"
                    } else {
                        ""
                    },
                    phase_one_words(st)
                )
            }
            StrategyKind::TimeSequential => format!(
                "time-sequential (implicit Euler windows, Δt = {}, to t = {}): u₀ fitted in at most {} steps, then at most {} {} a window",
                st.time.dt,
                st.time.t_end,
                st.time.initial_steps,
                st.time.window_steps,
                match self.optimizer.kind {
                    OptimizerKind::Lm => "Levenberg–Marquardt iterations".to_string(),
                    k => format!("{} steps", k.label()),
                }
            ),
        };
        if st.kind.is_homotopy() && self.problem.walks_s() {
            label = format!("s-homotopy (eq. 62), {label}");
        }
        if self.hrta.enabled {
            label.push_str("; HRTA s-stages");
        }
        label
    }

    /// A short name for tables and pins: "Curriculum (α = 0, LM stages)", "Strategy 2
    /// (homotopy loss α = 0.01, Adam stages)", "Classical (Adam)", …
    pub fn method_name(&self) -> String {
        let st = &self.strategy;
        let stage_opt = match st.stages.optimizer {
            StageOptimizer::Adam => "Adam",
            StageOptimizer::Lm => "LM",
            StageOptimizer::Lbfgs => "L-BFGS",
        };
        match st.kind {
            StrategyKind::Classical => format!("Classical ({})", self.optimizer.kind.label()),
            StrategyKind::Strategy2 if st.stages.alpha != 0.0 => format!(
                "Strategy 2 (homotopy loss α = {}, {stage_opt} stages)",
                weight(st.stages.alpha)
            ),
            StrategyKind::Strategy2 | StrategyKind::Curriculum => {
                format!("Curriculum (α = 0, {stage_opt} stages)")
            }
            k => k.label().to_string(),
        }
    }

    /// The optimizer with its rate and step cap ("Adam (lr 0.001), 20000 steps").
    fn optimizer_words(&self, steps: usize) -> String {
        let o = &self.optimizer;
        match o.kind {
            OptimizerKind::Lm | OptimizerKind::Lbfgs => {
                format!("{} {steps} iterations", o.kind.label())
            }
            OptimizerKind::Isgd => format!(
                "ISGD (α = {}, {} implicit steps of {} inner Adam steps), {steps} steps",
                o.lr, o.isgd.outer_steps, o.isgd.inner_steps
            ),
            _ => format!("{} (lr {}), {steps} steps", o.kind.label(), o.lr),
        }
    }

    /// A Strategy-2 stage's optimizer and cap ("LM ≤ 10 iterations a stage, 60 at the target").
    fn stage_words(&self) -> String {
        let s = &self.strategy.stages;
        let (name, unit) = match s.optimizer {
            StageOptimizer::Adam => (format!("Adam (lr {})", self.optimizer.lr), "steps"),
            StageOptimizer::Lm => ("Levenberg–Marquardt".to_string(), "iterations"),
            StageOptimizer::Lbfgs => ("L-BFGS".to_string(), "iterations"),
        };
        let last = match s.final_max_steps {
            Some(f) if f != s.max_steps => format!(", {f} at the target"),
            _ => String::new(),
        };
        format!("{name} ≤ {} {unit} a stage{last}", s.max_steps)
    }
}

/// A weight as a reader writes it: 0.5, 0.01, 1e-6 (not 0.000001).
fn weight(a: f64) -> String {
    if a != 0.0 && !(1e-3..1e4).contains(&a.abs()) {
        format!("{a:e}")
    } else {
        format!("{a}")
    }
}

/// How many stages the schedule plans from ε₀ to the target ("19 stages", "adaptive Δε").
fn stage_count(st: &StrategyConfig, target: f64) -> String {
    match &st.schedule {
        ScheduleConfig::List { values } => format!("{} stages", values.len()),
        ScheduleConfig::Geometric { steps } => format!("{steps} geometric stages"),
        ScheduleConfig::Linear { delta } => {
            // A Δε derived from a stage count reads 0.0010988888888888888 in full.
            let delta = super::four_digits(*delta);
            match st.planned_stages(target) {
                Some(1) => format!("1 stage of Δε = {delta} (straight to the target)"),
                n => format!("{} stages of Δε = {delta}", n.unwrap_or(0)),
            }
        }
        ScheduleConfig::Adaptive { .. } => "adaptive Δε".to_string(),
    }
}

/// Strategy 1's corrector ("1 LM iteration kept if the loss drops", "none").
fn corrector_words(st: &StrategyConfig) -> String {
    let m = st.euler.corrector_steps;
    match st.euler.corrector {
        Corrector::None => "none".to_string(),
        Corrector::Lm => format!("{m} LM iteration(s) kept if the loss drops"),
        Corrector::Adam => format!("{m} Adam step(s)"),
    }
}

/// Phase I at ε₀ ("Phase I: Adam 1000 + LM 300").
fn phase_one_words(st: &StrategyConfig) -> String {
    let p = &st.phase1;
    let mut w = format!("Phase I: Adam {}", p.adam_steps);
    if p.lm_iterations > 0 {
        w.push_str(&format!(" + LM {}", p.lm_iterations));
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(file: &str) -> RunConfig {
        let text =
            std::fs::read_to_string(format!("{}/presets/{file}", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        RunConfig::from_toml_str(&text).unwrap()
    }

    #[test]
    fn only_a_new_schedule_without_hrta_keeps_a_phase_one_under_way() {
        let run = shipped("allen_cahn_1d_strategy2.toml");
        assert!(
            !run.keeps_phase_one(&run),
            "nothing changed: a restart starts it afresh"
        );
        let mut new = run.clone();
        new.strategy.schedule = ScheduleConfig::Geometric { steps: 20 };
        assert!(run.keeps_phase_one(&new));
        let mut rate = new.clone();
        rate.optimizer.lr = 2e-3;
        assert!(
            !run.keeps_phase_one(&rate),
            "another setting starts Phase I again"
        );
        let mut hrta = new.clone();
        hrta.hrta.enabled = true;
        let mut run_hrta = run.clone();
        run_hrta.hrta.enabled = true;
        assert!(
            !run_hrta.keeps_phase_one(&hrta),
            "HRTA's wrapper is rebuilt around it"
        );
    }

    #[test]
    fn a_staged_plan_counts_its_most_steps_from_phase_one_and_the_stage_caps() {
        let mut c = shipped("allen_cahn_1d_strategy2.toml");
        let (st, target) = (&mut c.strategy, c.problem.eps);
        // Phase I 5000 + 300, four listed stages of at most 5000.
        assert_eq!(st.planned_stages(target), Some(4));
        assert_eq!(st.most_steps(target), Some(25_300));
        // Δε = 0.01 from 0.1 to 0.01: nine stages, more than the preset's 40 000-step cap.
        st.schedule = ScheduleConfig::Linear { delta: 0.01 };
        assert_eq!(st.most_steps(target), Some(50_300));
        st.stages.final_max_steps = Some(100);
        assert_eq!(st.most_steps(target), Some(5300 + 8 * 5000 + 100));
        assert_eq!(stage_count(st, target), "9 stages of Δε = 0.01");
        st.schedule = ScheduleConfig::Linear { delta: 0.5 };
        assert_eq!(
            stage_count(st, target),
            "1 stage of Δε = 0.5 (straight to the target)"
        );
        st.kind = StrategyKind::Strategy1;
        assert_eq!(
            st.most_steps(target),
            None,
            "Euler steps are not capped per stage"
        );
    }

    #[test]
    fn strategy2_with_alpha_zero_is_called_the_curriculum() {
        let c = shipped("allen_cahn_2d_homotopy.toml");
        let label = c.method_label();
        assert!(
            label.starts_with("s-homotopy (eq. 62), curriculum"),
            "{label}"
        );
        assert!(label.contains("Levenberg–Marquardt ≤ 10 iterations a stage, 60 at the target"));
        assert!(label.contains("19 stages, phase condition"), "{label}");
        let mut loss = c.clone();
        loss.strategy.stages.alpha = 0.5;
        loss.strategy.stages.optimizer = StageOptimizer::Adam;
        assert_eq!(c.method_name(), "Curriculum (α = 0, LM stages)");
        let mut small = c.clone();
        small.strategy.stages.alpha = 1e-6;
        assert!(small.method_label().contains("homotopy loss (α = 1e-6)"));
        let label = loss.method_label();
        assert_eq!(
            loss.method_name(),
            "Strategy 2 (homotopy loss α = 0.5, Adam stages)"
        );
        assert!(label.contains("homotopy loss (α = 0.5)"), "{label}");
        assert!(label.contains("Adam (lr 0.001)"), "{label}");
        // Adam stages ignore the phase condition, and the label does not claim it.
        assert!(!label.contains("phase condition"), "{label}");
    }

    #[test]
    fn classical_and_strategy1_name_their_choices() {
        let c = shipped("allen_cahn_1d_classical.toml");
        assert!(c.method_label().starts_with("classical: Adam (lr "));
        let s1 = shipped("allen_cahn_1d_strategy1.toml");
        let label = s1.method_label();
        assert!(
            label.starts_with("Strategy 1 (Euler path tracking, phase condition)"),
            "{label}"
        );
        assert!(label.contains("Phase I: Adam"), "{label}");
    }
}
