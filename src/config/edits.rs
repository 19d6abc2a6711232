//! What an edited configuration changes from the one it was loaded as, and a preset that says
//! so: a preset saved after edits keeps the loaded one's name and description only where they
//! still describe it; and edits not yet applied carried onto a configuration that changed
//! under them. Pure: compares the configurations' TOML forms key by key.

use super::RunConfig;

/// The settings `new` changes from `old`, as "key: old → new" with dotted TOML key paths in
/// file order (name, description and the lecture locks aside: they describe or present a run
/// rather than make it).
pub fn changes(old: &RunConfig, new: &RunConfig) -> Vec<String> {
    let table = |c: &RunConfig| toml::Value::try_from(c).expect("RunConfig always serializes");
    let (a, b) = (table(old), table(new));
    let mut out = Vec::new();
    differ("", Some(&a), Some(&b), &mut out);
    out
}

fn differ(key: &str, a: Option<&toml::Value>, b: Option<&toml::Value>, out: &mut Vec<String>) {
    if matches!(key, "name" | "description" | "lecture") {
        return;
    }
    match (a, b) {
        (Some(toml::Value::Table(x)), Some(toml::Value::Table(y))) => {
            let mut keys: Vec<&String> = x.keys().collect();
            keys.extend(y.keys().filter(|k| !x.contains_key(*k)));
            for k in keys {
                let path = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}.{k}")
                };
                differ(&path, x.get(k), y.get(k), out);
            }
        }
        (x, y) if x != y => {
            let show =
                |v: Option<&toml::Value>| v.map_or_else(|| "(none)".into(), |v| v.to_string());
            out.push(format!("{key}: {} → {}", show(x), show(y)));
        }
        _ => {}
    }
}

/// The edits `draft` makes to `old`, carried onto `new` (the configuration that replaced `old`
/// while the edits waited): every key the draft changed, added or removed takes the draft's
/// state, every other key `new`'s; the lecture locks are `new`'s. Err names why the result is
/// not a configuration (then the caller keeps `new` and says the edits were dropped).
pub fn rebase(old: &RunConfig, draft: &RunConfig, new: &RunConfig) -> Result<RunConfig, String> {
    let table = |c: &RunConfig| toml::Value::try_from(c).expect("RunConfig always serializes");
    let (o, d, mut n) = (table(old), table(draft), table(new));
    carry(Some(&o), Some(&d), &mut n);
    let mut out: RunConfig = n.try_into().map_err(|e: toml::de::Error| e.to_string())?;
    out.lecture = new.lecture.clone();
    Ok(out)
}

/// Put into `n` what changes from `o` to `d`, key by key (arrays and values whole).
fn carry(o: Option<&toml::Value>, d: Option<&toml::Value>, n: &mut toml::Value) {
    let (Some(toml::Value::Table(o)), Some(toml::Value::Table(d)), toml::Value::Table(n)) =
        (o, d, &mut *n)
    else {
        return;
    };
    let mut keys: Vec<&String> = o.keys().collect();
    keys.extend(d.keys().filter(|k| !o.contains_key(*k)));
    for k in keys {
        let (ov, dv) = (o.get(k), d.get(k));
        if ov == dv {
            continue;
        }
        match (ov, dv, n.get_mut(k)) {
            (
                Some(toml::Value::Table(_)),
                Some(toml::Value::Table(_)),
                Some(nv @ toml::Value::Table(_)),
            ) => carry(ov, dv, nv),
            (_, Some(dv), _) => {
                n.insert(k.clone(), dv.clone());
            }
            (_, None, _) => {
                n.remove(k);
            }
        }
    }
}

impl RunConfig {
    /// This configuration as a preset that says what it is: where it differs from `loaded` in
    /// what runs and still carries `loaded`'s name and description, the name gains "(edited)"
    /// and the description lists the changes before the old text. A name or description the
    /// user changed is kept as it is.
    pub fn described_against(&self, loaded: &RunConfig) -> RunConfig {
        let mut out = self.clone();
        let changed = changes(loaded, self);
        if changed.is_empty() || self.name != loaded.name || self.description != loaded.description
        {
            return out;
        }
        let was = if loaded.name.is_empty() {
            "an unnamed preset".to_string()
        } else {
            format!("“{}”", loaded.name)
        };
        if loaded.name.is_empty() {
            out.name = "edited preset".into();
        } else if !loaded.name.ends_with("(edited)") {
            out.name = format!("{} (edited)", loaded.name);
        }
        out.description = format!("Edited in the explorer from {was}: {}.", changed.join("; "));
        if !loaded.description.is_empty() {
            out.description +=
                &format!(" The preset's own description was: {}", loaded.description);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRESET: &str = r#"version = 1
name = "Shipped"
description = "Stages 0.1, 0.05"
[problem]
kind = "allen_cahn_1d"
eps = 0.05
[strategy]
kind = "strategy2"
eps_start = 0.1
"#;

    #[test]
    fn edits_waiting_in_a_draft_survive_a_configuration_that_changed_under_them() {
        let old = RunConfig::from_toml_str(PRESET).unwrap();
        let mut draft = old.clone();
        draft.optimizer.lr = 0.5;
        draft.strategy.schedule = crate::config::ScheduleConfig::Linear { delta: 0.01 };
        // The run moved on: a new ε target, and the schedule left as it was.
        let mut new = old.clone();
        new.problem.eps = 0.02;
        let rebased = rebase(&old, &draft, &new).unwrap();
        assert_eq!(rebased.problem.eps, 0.02);
        assert_eq!(rebased.optimizer.lr, 0.5);
        assert_eq!(
            rebased.strategy.schedule,
            crate::config::ScheduleConfig::Linear { delta: 0.01 }
        );
        // Nothing edited: the new configuration as it is.
        assert_eq!(rebase(&old, &old, &new).unwrap(), new);
        // A linear edit back to a list drops the step.
        let back = rebase(&draft, &old, &draft).unwrap();
        assert_eq!(back.strategy.schedule, old.strategy.schedule);
    }

    #[test]
    fn an_edited_preset_names_its_changes_and_an_unedited_one_is_left_alone() {
        let loaded = RunConfig::from_toml_str(PRESET).unwrap();
        assert_eq!(loaded.described_against(&loaded), loaded);
        let mut edited = loaded.clone();
        edited.optimizer.lr = 0.5;
        edited.strategy.schedule = crate::config::ScheduleConfig::Linear { delta: 0.01 };
        let changed = changes(&loaded, &edited);
        assert!(
            !changed.iter().any(|c| c.starts_with("name")),
            "{changed:?}"
        );
        assert!(
            changed
                .iter()
                .any(|c| c.starts_with("optimizer.lr: ") && c.ends_with(" → 0.5"))
        );
        assert!(
            changed
                .iter()
                .any(|c| c.starts_with("strategy.schedule.kind: "))
        );
        assert!(
            changed
                .iter()
                .any(|c| c == "strategy.schedule.delta: (none) → 0.01")
        );
        let saved = edited.described_against(&loaded);
        assert_eq!(saved.name, "Shipped (edited)");
        assert!(
            saved
                .description
                .starts_with("Edited in the explorer from “Shipped”: ")
        );
        assert!(saved.description.ends_with("was: Stages 0.1, 0.05"));
        // Saved, reloaded and edited again: one "(edited)".
        assert_eq!(saved.described_against(&saved), saved);
        let mut again = saved.clone();
        again.training.seed = 3;
        assert_eq!(again.described_against(&saved).name, "Shipped (edited)");
        // The user's own words stand.
        let mut named = edited.clone();
        named.name = "Mine".into();
        assert_eq!(named.described_against(&loaded), named);
        // The lecture locks present a run; they are not an edit.
        let mut locked = loaded.clone();
        locked.lecture.locked.push(crate::config::Control::Eps);
        assert!(changes(&loaded, &locked).is_empty());
    }
}
