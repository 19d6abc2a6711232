//! Lecture mode's locks: the groups of explorer controls a preset (or the lecturer) can lock,
//! their labels, and the sentence that names what a refused change would have touched.

use serde::{Deserialize, Serialize};

/// A group of explorer controls that lecture mode can lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    Problem,
    Eps,
    Strategy,
    Schedule,
    Hrta,
    Optimizer,
    Network,
    Backend,
}

impl Control {
    /// "the problem", "the problem and the ε target", "the problem, the ε target and the
    /// strategy…" for messages; None for no controls.
    pub fn sentence(controls: &[Control]) -> Option<String> {
        let names: Vec<String> = controls
            .iter()
            .map(|c| format!("the {}", c.label()))
            .collect();
        match names.split_last() {
            None => None,
            Some((last, [])) => Some(last.clone()),
            Some((last, rest)) => Some(format!("{} and {last}", rest.join(", "))),
        }
    }

    pub const ALL: [Control; 8] = [
        Self::Problem,
        Self::Eps,
        Self::Strategy,
        Self::Schedule,
        Self::Hrta,
        Self::Optimizer,
        Self::Network,
        Self::Backend,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Problem => "problem",
            Self::Eps => "ε target",
            Self::Strategy => "strategy and its parameters",
            Self::Schedule => "Δε schedule",
            Self::Hrta => "HRTA",
            Self::Optimizer => "optimizer",
            Self::Network => "network",
            Self::Backend => "backend",
        }
    }
}

/// Lecture mode: which controls are locked when the preset is shown to an audience.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LectureConfig {
    /// Locked control groups (default none).
    #[serde(default)]
    pub locked: Vec<Control>,
}

impl LectureConfig {
    pub fn is_locked(&self, control: Control) -> bool {
        self.locked.contains(&control)
    }

    /// The locked groups' names, comma-separated (None when nothing is locked).
    pub fn describe(&self) -> Option<String> {
        let names: Vec<&str> = self.locked.iter().map(|c| c.label()).collect();
        (!names.is_empty()).then(|| names.join(", "))
    }
}
