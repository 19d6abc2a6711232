//! A reproduction page's setup paragraph with its numbers taken from the presets that ran:
//! `{method:dotted.key}` in a [`super::sweep::Spec`]'s intro is replaced by that key of that
//! method's configuration (after `--presets-dir` and `--full`), so the page cannot state a step
//! count the run did not use. An unknown method or key is an error naming it.

use anyhow::{Context, Result, bail};

use crate::config::RunConfig;

/// `intro` with every `{method:key}` filled from `configs` (method name, configuration).
pub fn fill(intro: &str, configs: &[(&str, RunConfig)]) -> Result<String> {
    let mut out = String::with_capacity(intro.len());
    let mut rest = intro;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .with_context(|| format!("unclosed '{{' in: {}", &rest[open..]))?
            + open;
        out.push_str(&value(&rest[open + 1..close], configs)?);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The text of one placeholder `method:dotted.key`.
fn value(placeholder: &str, configs: &[(&str, RunConfig)]) -> Result<String> {
    let (method, key) = placeholder
        .split_once(':')
        .with_context(|| format!("placeholder {{{placeholder}}} is not method:key"))?;
    let Some((_, config)) = configs.iter().find(|(m, _)| *m == method) else {
        let known: Vec<&str> = configs.iter().map(|(m, _)| *m).collect();
        bail!("placeholder {{{placeholder}}}: no method {method:?} (the page has {known:?})");
    };
    let mut v = toml::Value::try_from(config)?;
    for part in key.split('.') {
        v = v
            .get(part)
            .cloned()
            .with_context(|| format!("placeholder {{{placeholder}}}: no key {part:?}"))?;
    }
    Ok(match v {
        toml::Value::Integer(i) => thousands(i),
        toml::Value::Float(f) => crate::config::four_digits(f),
        toml::Value::String(s) => s,
        toml::Value::Boolean(b) => b.to_string(),
        other => bail!("placeholder {{{placeholder}}} is not a number or a word: {other}"),
    })
}

/// 20000 as "20 000" (the pages' style), small numbers as they are.
fn thousands(i: i64) -> String {
    let digits = i.unsigned_abs().to_string();
    if digits.len() <= 4 {
        return i.to_string();
    }
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    if i < 0 { format!("−{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(max_steps: usize) -> RunConfig {
        RunConfig::from_toml_str(&format!(
            "version = 1\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.05\n[training]\nmax_steps = {max_steps}\n\
             [optimizer]\nkind = \"lbfgs\"\n"
        ))
        .unwrap()
    }

    #[test]
    fn placeholders_take_the_methods_own_values_and_unknown_ones_are_named() {
        let configs = [("adam", config(20000)), ("lbfgs", config(3000))];
        assert_eq!(
            fill(
                "Adam stops at {adam:training.max_steps}, L-BFGS at {lbfgs:training.max_steps} ({lbfgs:optimizer.kind}).",
                &configs
            )
            .unwrap(),
            "Adam stops at 20 000, L-BFGS at 3000 (lbfgs)."
        );
        let err = fill("{sgd:training.max_steps}", &configs).unwrap_err();
        assert!(err.to_string().contains("no method \"sgd\""), "{err}");
        let err = fill("{adam:training.max_stepz}", &configs).unwrap_err();
        assert!(err.to_string().contains("no key \"max_stepz\""), "{err}");
        assert!(fill("{adam", &configs).is_err());
        assert_eq!(thousands(1234567), "1 234 567");
    }

    #[test]
    fn every_page_setup_fills_from_its_shipped_presets() {
        for spec in [
            crate::reproduce::specs::HF,
            crate::reproduce::specs::BU,
            crate::reproduce::specs::CD,
            crate::reproduce::specs::PM,
            crate::reproduce::specs::HH,
            crate::reproduce::specs::AC2,
            crate::reproduce::specs::PM2,
            crate::reproduce::specs::HK,
        ] {
            let configs: Vec<(&str, RunConfig)> = spec
                .methods
                .iter()
                .map(|m| (m.name, RunConfig::from_toml_str(m.builtin).unwrap()))
                .collect();
            let text = fill(spec.intro, &configs).unwrap_or_else(|e| panic!("{}: {e}", spec.id));
            assert!(!text.contains('{'), "{}: {text}", spec.id);
            // Under --full too: every key the intro names survives the papers' sizes.
            let full: Vec<(&str, RunConfig)> = configs
                .into_iter()
                .map(|(m, mut c)| {
                    (spec.scale_full)(&mut c);
                    (m, c)
                })
                .collect();
            fill(spec.intro, &full).unwrap_or_else(|e| panic!("{} --full: {e}", spec.id));
        }
    }
}
