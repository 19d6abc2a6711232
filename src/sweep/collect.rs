//! Merging a sweep's finished tasks (`tasks/*/task.json` + `summary.json`, wherever they ran)
//! into `sweep.csv` (one row a task), `sweep.md` (median [min, max] over seeds for each preset
//! and combination of axis values) and figures: each metric against each swept axis (curves for
//! numeric values, a dot per task on a row per value otherwise) and, with two axes, a heat map
//! of the median.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::{Manifest, Metric, Task};
use crate::export::figure::markup::literal;
use crate::export::figure::{Figure, FigureFormat, FigureOutput, Heatmap, Mark, Series, palette};
use crate::export::write_atomic;

/// One finished task.
pub struct Row {
    pub task: Task,
    pub summary: serde_json::Value,
}

/// What `collect` wrote.
pub struct Collected {
    pub rows: usize,
    /// Finished task folders left out: they belong to an earlier version of the manifest.
    pub stale: usize,
    pub files: Vec<PathBuf>,
}

/// Read every finished task under `dir/tasks`.
pub fn read_rows(dir: &Path) -> Result<Vec<Row>> {
    let tasks = dir.join("tasks");
    let mut rows = Vec::new();
    let entries = std::fs::read_dir(&tasks).with_context(|| {
        format!(
            "{} has no tasks folder: give the output folder of a sweep",
            dir.display()
        )
    })?;
    for entry in entries {
        let d = entry?.path();
        let (task, summary) = (d.join("task.json"), d.join("summary.json"));
        if !(task.is_file() && summary.is_file()) {
            continue;
        }
        let read = |p: &Path| {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
        };
        let task: Task = serde_json::from_str(&read(&task)?)
            .with_context(|| format!("{} is not a task file", task.display()))?;
        let summary = serde_json::from_str(&read(&summary)?)
            .with_context(|| format!("{} is not a run summary", summary.display()))?;
        rows.push(Row { task, summary });
    }
    rows.sort_by_key(|r| r.task.index);
    Ok(rows)
}

/// Median, min and max of the finite values.
fn stats(values: &[f64]) -> Option<(f64, f64, f64)> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let med = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some((med, v[0], v[n - 1]))
}

fn fmt(m: Metric, v: f64) -> String {
    match m {
        Metric::Steps => format!("{v:.0}"),
        Metric::Seconds => format!("{v:.1}"),
        Metric::FrontX0 => format!("{v:.4}"),
        _ => format!("{v:.2e}"),
    }
}

/// An axis value as figures name it: a TOML inline table or string without its braces and
/// quotes (`{ kind = "linear", delta = 0.002 }` reads `kind = linear, delta = 0.002`).
fn value_label(v: &str) -> String {
    let t = v.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(t)
        .trim();
    t.replace('"', "")
}

fn short(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

/// Collect `dir` (a sweep's output folder); the metrics are those of the manifest copied there
/// by `sweep run`, else L2RE and loss.
pub fn collect(dir: &Path, figures: &FigureOutput) -> Result<Collected> {
    let mut rows = read_rows(dir)?;
    // Only the tasks of the manifest as last planned (a task left from an earlier version of
    // the manifest, with other axes or values, is not merged).
    let mut stale = 0;
    if let Ok(text) = std::fs::read_to_string(dir.join("plan.json"))
        && let Ok(plan) = serde_json::from_str::<Vec<(usize, String)>>(&text)
    {
        let before = rows.len();
        rows.retain(|r| {
            plan.iter()
                .any(|(i, h)| *i == r.task.index && *h == r.task.hash)
        });
        stale = before - rows.len();
    }
    if rows.is_empty() {
        bail!(
            "no finished task under {}: each task writes task.json and summary.json when it ends",
            dir.join("tasks").display()
        );
    }
    let manifest = Manifest::from_file(&dir.join("manifest.toml")).ok();
    let metrics = manifest
        .as_ref()
        .map_or_else(|| vec![Metric::L2re, Metric::Loss], |m| m.metrics.clone());
    let name = manifest
        .as_ref()
        .map_or_else(|| "sweep".to_string(), |m| m.name.clone());
    let keys: Vec<String> = rows[0]
        .task
        .overrides
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    let mut files = Vec::new();

    // sweep.csv: one row a task, every metric.
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["index".to_string(), "preset".into()];
    header.extend(keys.iter().cloned());
    header.extend(["seed".into(), "end_reason".into()]);
    header.extend(Metric::ALL.iter().map(|m| m.id().to_string()));
    w.write_record(&header)?;
    for r in &rows {
        let mut rec = vec![r.task.index.to_string(), r.task.preset.clone()];
        rec.extend(r.task.overrides.iter().map(|(_, v)| v.clone()));
        rec.push(r.task.seed.to_string());
        rec.push(
            r.summary
                .get("end_reason")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string(),
        );
        rec.extend(
            Metric::ALL
                .iter()
                .map(|m| m.of(&r.summary).map_or(String::new(), |v| format!("{v}"))),
        );
        w.write_record(&rec)?;
    }
    let csv_path = dir.join("sweep.csv");
    write_atomic(&csv_path, &w.into_inner()?)?;
    files.push(csv_path);

    // Groups: (preset, axis values) → rows over seeds, in task order.
    let mut groups: BTreeMap<usize, (String, Vec<String>, Vec<&Row>)> = BTreeMap::new();
    let mut first_of: BTreeMap<(String, Vec<String>), usize> = BTreeMap::new();
    for r in &rows {
        let values: Vec<String> = r.task.overrides.iter().map(|(_, v)| v.clone()).collect();
        let id = *first_of
            .entry((r.task.preset.clone(), values.clone()))
            .or_insert(r.task.index);
        groups
            .entry(id)
            .or_insert_with(|| (r.task.preset.clone(), values, vec![]))
            .2
            .push(r);
    }
    let mut md = format!(
        "# Sweep `{name}`\n\n{} finished tasks in {} groups; each cell is the median [min, max] over the seeds that finished. Every task's numbers are in `sweep.csv`, its files in `tasks/tNNN/` (`preset.toml` there repeats it with `run`).{}\n\n| preset | {}seeds | {} | how runs ended |\n|---|{}---|{}---|\n",
        rows.len(),
        groups.len(),
        if stale > 0 {
            format!(
                " {stale} finished task folders of an earlier version of the manifest are left out."
            )
        } else {
            String::new()
        },
        keys.iter().map(|k| format!("{k} | ")).collect::<String>(),
        metrics
            .iter()
            .map(|m| m.label())
            .collect::<Vec<_>>()
            .join(" | "),
        "---|".repeat(keys.len()),
        "---|".repeat(metrics.len()),
    );
    for (preset, values, members) in groups.values() {
        let mut ends: BTreeMap<String, usize> = BTreeMap::new();
        for r in members {
            let e = r
                .summary
                .get("end_reason")
                .and_then(|v| v.as_str())
                .unwrap_or("?");
            *ends.entry(e.to_string()).or_default() += 1;
        }
        let cells: Vec<String> = metrics
            .iter()
            .map(|&m| {
                let v: Vec<f64> = members.iter().filter_map(|r| m.of(&r.summary)).collect();
                match stats(&v) {
                    Some((med, lo, hi)) if v.len() > 1 => {
                        format!("{} [{}, {}]", fmt(m, med), fmt(m, lo), fmt(m, hi))
                    }
                    Some((med, ..)) => fmt(m, med),
                    None => "—".into(),
                }
            })
            .collect();
        md.push_str(&format!(
            "| {preset} | {}{} | {} | {} |\n",
            values.iter().map(|v| format!("{v} | ")).collect::<String>(),
            members.len(),
            cells.join(" | "),
            ends.iter()
                .map(|(e, n)| format!("{e} × {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    // Figures: each metric against each axis that varies.
    let mut figure_names = Vec::new();
    let distinct = |k: usize| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for r in &rows {
            let x = &r.task.overrides[k].1;
            if !v.contains(x) {
                v.push(x.clone());
            }
        }
        v
    };
    for (k, key) in keys.iter().enumerate() {
        let values = distinct(k);
        if values.len() < 2 {
            continue;
        }
        for &m in &metrics {
            let fig = by_axis(&rows, k, key, &values, m);
            let stem = format!("{}_by_{}", m.id(), short(key));
            figures.write_one(&fig, dir, &stem)?;
            figure_names.push(stem);
        }
    }
    // A heat map needs every pair of values: not for axes walked together (zip).
    let product = manifest
        .as_ref()
        .is_none_or(|m| m.combine == super::Combine::Product);
    if keys.len() == 2 && product {
        let (vx, vy) = (distinct(0), distinct(1));
        let presets: Vec<&str> = {
            let mut p: Vec<&str> = rows.iter().map(|r| r.task.preset.as_str()).collect();
            p.dedup();
            p
        };
        if vx.len() > 1 && vy.len() > 1 && presets.len() == 1 {
            for &m in &metrics {
                let fig = heat_map(&rows, &keys, (&vx, &vy), m);
                let stem = format!("{}_map", m.id());
                figures.write_one(&fig, dir, &stem)?;
                figure_names.push(stem);
            }
        }
    }
    if !figure_names.is_empty() {
        md.push_str(&format!(
            "\nFigures: {}.\n",
            figure_names
                .iter()
                .map(|s| format!("`{s}.svg`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let md_path = dir.join("sweep.md");
    write_atomic(&md_path, md.as_bytes())?;
    files.push(md_path);
    for s in &figure_names {
        for f in &figures.formats {
            files.push(dir.join(format!("{s}.{}", f.extension())));
        }
    }
    Ok(Collected {
        rows: rows.len(),
        stale,
        files,
    })
}

/// An x value and the metric of every task there.
type XValues = (f64, Vec<f64>);

/// The values of axis `k` as numbers, when all are.
fn numeric(values: &[String]) -> Option<Vec<f64>> {
    values.iter().map(|v| v.parse::<f64>().ok()).collect()
}

/// Metric `m` against axis `k`: median over seeds as curves (one per preset and combination of
/// the other axes) when the values are numbers, else a dot per task on a row per value.
fn by_axis(rows: &[Row], k: usize, key: &str, values: &[String], m: Metric) -> Figure {
    // Keys and values are names from data: their underscores are not subscripts.
    let title = format!("{} by {}", m.label(), literal(key));
    if let Some(xs) = numeric(values) {
        let mut fig = Figure::new(&title, &literal(key), m.label());
        let positive = xs.iter().all(|&x| x > 0.0);
        let (lo, hi) = xs
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
        fig.x_log = positive && hi / lo >= 20.0;
        fig.y_log = m.log();
        // Curves: the rest of each task's identity.
        let mut curves: Vec<(String, Vec<XValues>)> = Vec::new();
        for r in rows {
            let rest: Vec<String> = std::iter::once(r.task.preset.clone())
                .chain(
                    r.task
                        .overrides
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != k)
                        .map(|(_, (kk, v))| format!("{} = {v}", short(kk))),
                )
                .collect();
            let label = rest.join(", ");
            let x: f64 = r.task.overrides[k].1.parse().unwrap_or(f64::NAN);
            let Some(v) = m.of(&r.summary) else { continue };
            let c = match curves.iter().position(|(l, _)| *l == label) {
                Some(c) => c,
                None => {
                    curves.push((label, vec![]));
                    curves.len() - 1
                }
            };
            match curves[c].1.iter_mut().find(|(xx, _)| *xx == x) {
                Some((_, vs)) => vs.push(v),
                None => curves[c].1.push((x, vec![v])),
            }
        }
        let one_preset = rows.iter().all(|r| r.task.preset == rows[0].task.preset);
        let mut spread = false;
        for (i, (label, pts)) in curves.into_iter().enumerate() {
            let mut st: Vec<(f64, (f64, f64, f64))> = pts
                .into_iter()
                .filter_map(|(x, vs)| Some((x, stats(&vs)?)))
                .collect();
            st.sort_by(|a, b| a.0.total_cmp(&b.0));
            let pts: Vec<(f64, f64)> = st.iter().map(|(x, s)| (*x, s.0)).collect();
            // The seeds' range as a band, so a median never hides how far seeds fall apart.
            if st.iter().any(|(_, s)| s.2 > s.1) {
                spread = true;
                fig.bands.push(crate::export::figure::Band {
                    label: String::new(),
                    x: st.iter().map(|(x, _)| *x).collect(),
                    lower: st.iter().map(|(_, s)| s.1).collect(),
                    upper: st.iter().map(|(_, s)| s.2).collect(),
                    color: palette(i),
                });
            }
            // With one preset its name says nothing: the other axes label the curve.
            let label = match (one_preset, label.split_once(", ")) {
                (true, Some((_, rest))) => format!("{rest} (median)"),
                (true, None) => "median over seeds".to_string(),
                (false, _) => format!("{label} (median)"),
            };
            fig.series.push(Series {
                label: literal(&label),
                points: pts,
                mark: Mark::LineAndPoints,
                color: palette(i),
            });
        }
        if spread {
            fig.title = format!("{title} (median; band: min … max over seeds)");
        }
        return fig;
    }
    let mut fig = Figure::new(&format!("{title} (a dot per task)"), m.label(), "");
    fig.x_log = m.log();
    let n = values.len();
    for (j, value) in values.iter().enumerate() {
        let name = if value.trim_start().starts_with('{') {
            value_label(value)
        } else {
            format!("{} = {}", short(key), value_label(value))
        };
        fig.y_categories.push(literal(&name));
        let row = (n - 1 - j) as f64;
        fig.series.push(Series {
            label: literal(&name),
            points: rows
                .iter()
                .filter(|r| &r.task.overrides[k].1 == value)
                .filter_map(|r| Some((m.of(&r.summary)?, row)))
                .collect(),
            mark: Mark::Points,
            color: palette(j),
        });
    }
    fig.hide_legend = true;
    fig
}

/// The median of `m` over seeds on the grid of two axes' values (cells in axis order, named).
fn heat_map(rows: &[Row], keys: &[String], (vx, vy): (&[String], &[String]), m: Metric) -> Figure {
    let mut values = Vec::with_capacity(vx.len() * vy.len());
    // Rows of the grid from the bottom: the last value of the y axis first, so the first
    // value reads at the top like a table.
    for y in vy.iter().rev() {
        for x in vx {
            let v: Vec<f64> = rows
                .iter()
                .filter(|r| &r.task.overrides[0].1 == x && &r.task.overrides[1].1 == y)
                .filter_map(|r| m.of(&r.summary))
                .collect();
            let med = stats(&v).map_or(f64::NAN, |s| s.0);
            values.push(if m.log() && med > 0.0 {
                med.log10()
            } else {
                med
            });
        }
    }
    let label = if m.log() {
        format!("log₁₀ {}", m.label())
    } else {
        m.label().to_string()
    };
    let grid = crate::problem::Grid2d {
        nx: vx.len(),
        ny: vy.len(),
        x: (0.0, (vx.len() - 1) as f64),
        y: (0.0, (vy.len() - 1) as f64),
    };
    let mut fig = Heatmap::figure(
        &format!("Median {} over seeds", m.label()),
        &label,
        grid,
        values,
    );
    fig.x_label = literal(&keys[0]);
    fig.y_label = literal(&keys[1]);
    fig.x_categories = vx.iter().map(|v| literal(&value_label(v))).collect();
    fig.y_categories = vy.iter().map(|v| literal(&value_label(v))).collect();
    if let Some(h) = fig.heatmap.as_mut() {
        h.sequential = true;
    }
    fig
}

/// The formats `collect` writes by default.
pub fn default_output() -> FigureOutput {
    FigureOutput {
        formats: vec![FigureFormat::Svg, FigureFormat::Png],
        ..FigureOutput::default()
    }
}
