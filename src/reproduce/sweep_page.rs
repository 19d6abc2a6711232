//! The page of a method × ε reproduction ([`super::sweep::Spec`]): `reproduce.md` (setup, the
//! paper's numbers beside ours, stiffness, the D_ε sweep, time per run), `reproduce.json` and
//! the CSVs, and the figures (L2RE along ε or by method, the solutions as curves or heat maps,
//! the summary panels), each method in one colour on every figure of its page.

use anyhow::Result;

use super::sweep::{Outcome, Report, Row, Spec, fmt_eps};
use super::{ReproduceOptions, fmt_stat, median_spread};
use crate::config::RunConfig;
use crate::export::figure::{Figure, FigureOutput, Heatmap, Mark, Series, palette};
use crate::export::{columns_csv, write_atomic};
use crate::problem::{Problem, plot_coordinates};

pub(super) fn write_outputs(spec: &Spec, opts: &ReproduceOptions, o: &Outcome) -> Result<()> {
    let (report, solutions, sources, problem) =
        (&o.report, &o.solutions, &o.sources, o.problem.as_ref());
    let out = &opts.out_dir;
    let mut md = format!(
        "# Reproduction `{}`: {}\n\n{}\n\n{}",
        spec.id,
        spec.title,
        super::intro::fill(spec.intro, &o.configs)?,
        super::Reproduction::scale_line(spec, opts.full)
    );
    md.push_str(&format!(
        "Seeds 0–{} (median [min, max] over seeds). Loss = ½·mean H² + λ·½·mean (u − g)² at the recorded parameters. Presets: {}.\n\n",
        opts.seeds.saturating_sub(1),
        sources.join("; ")
    ));
    md.push_str(&results_table(spec, report));
    md.push_str(&methods_list(&o.configs));
    md.push_str(&interface_section(spec, o));
    md.push_str(&below_section(spec, o));
    md.push_str(&stiffness_section(spec, report));
    if let Some(paper) = spec.hessian {
        let (text, figures) =
            super::hessian::section(&o.hessians, spec.table_eps, paper, spec.fractions, &|m| {
                method_color(spec, m)
            });
        md.push_str(&text);
        if !figures.is_empty() {
            let panels: Vec<&Figure> = figures.iter().collect();
            opts.figures
                .write(&panels, panels.len(), out, "hessian_spectrum")?;
        }
    }
    md.push_str(&operator_section(report, problem, out, &opts.figures)?);
    md.push_str(&timing_section(spec, report, problem));
    // Each homotopy method's path: u_θ at six ε along it (the papers' evolution figures).
    let mut named = Vec::new();
    for e in &o.evolutions {
        let stem = format!("evolution_{}", e.method);
        opts.figures.write_one(&e.figure(problem), out, &stem)?;
        named.push(format!("`{stem}.svg`"));
    }
    if !named.is_empty() {
        md.push_str(&format!(
            "Along each homotopy path (seed 0), u_θ at six ε evenly spaced over its stages with the reference at the last{}: {}.\n",
            if problem.eval_grid().is_some() {
                ", the cross-section at y = 0.5"
            } else {
                ""
            },
            named.join(", ")
        ));
    }
    let curves = training_curves(spec, o);
    let missing: Vec<&str> = spec
        .methods
        .iter()
        .map(|m| m.name)
        .filter(|name| !o.curves.iter().any(|c| c.method == *name))
        .collect();
    let missing = if missing.is_empty() {
        String::new()
    } else {
        format!(
            " No training curve was stored for {} (cells from an earlier build; `--fresh` runs them again).",
            missing.join(", ")
        )
    };
    if curves.is_empty() {
        md.push_str(&format!("{}\n", missing.trim_start()));
    } else {
        let panels: Vec<&Figure> = curves.iter().collect();
        opts.figures
            .write(&panels, panels.len().min(3), out, "training_curves")?;
        md.push_str(&format!(
            "Training curves (seed 0): `training_curves.svg` — the loss each run minimized over its steps (on a Strategy-2 path with α > 0 it includes αL_Hε), per method — a method run at each table ε with a curve per ε, a homotopy over its whole path (the paper's Figs. 2 and 14) — and in the last panel the runs at ε = {} beside each homotopy's whole path.{missing}\n",
            spec.table_eps.last().map_or(String::new(), |e| fmt_eps(*e, spec.fractions)),
        ));
    }
    write_atomic(&out.join("reproduce.md"), md.as_bytes())?;
    super::write_json_and_table(out, report, &report.rows)?;
    let l2re = l2re_figure(spec, report);
    opts.figures.write_one(&l2re, out, l2re_stem(spec))?;
    let solution = solution_figures(spec, problem, solutions, out, &opts.figures)?;
    // The page's summary figure: the solutions beside the L2RE along ε; the solutions' legend
    // names the methods for both when it lists them all (same colours and dashes).
    let named: Vec<&str> = solution
        .iter()
        .flat_map(|f| f.series.iter().map(|s| s.label.as_str()))
        .collect();
    let mut l2re_panel = l2re.clone();
    if l2re
        .series
        .iter()
        .all(|s| named.contains(&s.label.as_str()))
    {
        l2re_panel.hide_legend = true;
    }
    let mut panels: Vec<&Figure> = solution.iter().collect();
    panels.push(&l2re_panel);
    // Fields need room for their colour bars: at most three a row; curves two rows at most.
    let cols = if problem.eval_grid().is_some() {
        panels.len().min(3)
    } else if panels.len() > 3 {
        panels.len().div_ceil(2)
    } else {
        panels.len()
    };
    opts.figures.write(&panels, cols, out, "panels")
}

/// The page's main table: per method and table ε, the paper's and our loss and L2RE, what the
/// L2RE is against, the front and how the runs ended.
fn results_table(spec: &Spec, report: &Report) -> String {
    let mut md = String::from(
        "| method | ε | paper loss | ours loss | paper L2RE | ours L2RE | against | ours front x₀ | how runs ended |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for m in spec.methods {
        for &eps in spec.table_eps {
            let rows: Vec<&Row> = report
                .rows
                .iter()
                .filter(|r| r.method == m.name && r.eps == eps)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let paper = spec
                .paper
                .iter()
                .find(|p| p.method == m.name && (p.eps - eps).abs() < 1e-12);
            let col = |f: &dyn Fn(&Row) -> Option<f64>| {
                fmt_stat(&rows.iter().filter_map(|r| f(r)).collect::<Vec<_>>())
            };
            let mut ends: Vec<String> = rows.iter().map(|r| r.end.clone()).collect();
            ends.dedup();
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                m.name,
                fmt_eps(eps, spec.fractions),
                paper
                    .and_then(|p| p.loss)
                    .map_or("—".into(), |v| format!("{v:.2e}")),
                col(&|r| Some(r.loss)),
                paper
                    .and_then(|p| p.l2re)
                    .map_or("—".into(), |v| format!("{v:.2e}")),
                col(&|r| r.l2re),
                rows[0].against,
                {
                    let x: Vec<f64> = rows.iter().filter_map(|r| r.front_x0).collect();
                    let (med, _, _) = median_spread(&x);
                    if med.is_nan() {
                        "—".to_string()
                    } else {
                        format!("{med:.4}")
                    }
                },
                ends.join("; "),
            ));
        }
    }
    md
}

/// The column below the paper's ε ([`super::below`]), for the spec's methods that have one.
fn below_section(spec: &Spec, o: &Outcome) -> String {
    let mut methods: Vec<(String, &RunConfig)> = Vec::new();
    for (name, c) in o
        .configs
        .iter()
        .filter(|(name, _)| spec.below.contains(name))
    {
        methods.push((name.to_string(), c));
        methods.push((super::below::continued_name(name), c));
    }
    let methods: Vec<(&str, &RunConfig)> = methods.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    match spec.table_eps.last() {
        Some(&smallest) => {
            super::below::section(&methods, &o.report.below, smallest, spec.fractions)
        }
        None => String::new(),
    }
}

/// The account of what the spec's chosen method's error is made of (empty when the spec names
/// none, or the solution or the reference is missing).
fn interface_section(spec: &Spec, o: &Outcome) -> String {
    let Some(method) = spec.interface_account else {
        return String::new();
    };
    let (Some(eps), Some(grid)) = (spec.table_eps.last(), o.problem.eval_grid()) else {
        return String::new();
    };
    let solution = o.solutions.iter().find(|(m, _)| m == method);
    let reference = o.problem.reference(*eps);
    let not =
        |why: &str| format!("\n## What the `{method}` error is made of\n\nNot measured: {why}.\n");
    match (solution, reference) {
        (Some((_, u)), Some(r)) => match super::interfaces::account(&grid, u, &r.values) {
            Ok(a) => super::interfaces::markdown(method, &a),
            Err(why) => not(why),
        },
        (None, _) => not("the method's solution at the smallest ε is missing"),
        (_, None) => not("the problem has no reference at the smallest ε"),
    }
}

/// What each row ran, from the configuration that ran it (`--full` scaling included):
/// strategy, optimizer, α of the homotopy loss, phase condition, stages.
fn methods_list(configs: &[(&'static str, RunConfig)]) -> String {
    let mut md = String::from("\nWhat each row ran:\n");
    for (name, config) in configs {
        md.push_str(&format!("- `{name}`: {}.\n", config.method_label()));
    }
    md
}

/// λ_max(JᵀJ) at each table ε along the spec's stiffness method (empty when not measured).
fn stiffness_section(spec: &Spec, report: &Report) -> String {
    let mut md = String::new();
    if !report.stiffness.is_empty() {
        md.push_str(&format!(
            "\n## Stiffness: λ_max(JᵀJ) of the Gauss–Newton Hessian along `{}`\n\n| ε | λ_max(JᵀJ) |\n|---|---|\n",
            spec.stiffness_along.unwrap_or("")
        ));
        for &eps in spec.table_eps {
            let v: Vec<f64> = report
                .stiffness
                .iter()
                .filter(|r| r.eps == eps)
                .map(|r| r.lambda_max_gn)
                .collect();
            if !v.is_empty() {
                md.push_str(&format!(
                    "| {} | {} |\n",
                    fmt_eps(eps, spec.fractions),
                    fmt_stat(&v)
                ));
            }
        }
    }
    md
}

/// λ(D_ε) along ε as a table, with `operator.csv` and `operator.svg` written beside the page
/// (empty when not measured).
fn operator_section(
    report: &Report,
    problem: &dyn Problem,
    out: &std::path::Path,
    figures: &FigureOutput,
) -> Result<String> {
    let mut md = String::new();
    if !report.operator.is_empty() {
        let closed_form = problem.exact_at(problem.residual_points(), 1.0).is_some();
        md.push_str(&format!(
            "\n## λ(D_ε) along ε ({} solution on the residual grid)\n\nSymmetric D_ε: its largest eigenvalue; non-symmetric D_ε: its largest |λ|.\n\n| ε | λ(D_ε) |\n|---|---|\n",
            if closed_form { "exact" } else { "reference" }
        ));
        for (e, v) in &report.operator {
            md.push_str(&format!("| {e:.4} | {v:.4e} |\n"));
        }
        let (eps, lam): (Vec<f64>, Vec<f64>) = report.operator.iter().copied().unzip();
        write_atomic(
            &out.join("operator.csv"),
            &columns_csv(&[("eps", &eps), ("lambda_d", &lam)])?,
        )?;
        let fig = Figure::new("λ(D_ε) vs ε", "ε", "λ(D_ε)")
            .log_x()
            .log_y()
            .with_series("ours", report.operator.clone(), Mark::LineAndPoints);
        // One curve: the axes say what it is.
        let fig = Figure {
            hide_legend: true,
            ..fig
        };
        figures.write_one(&fig, out, "operator")?;
    }
    Ok(md)
}

/// Seconds per run and for the whole reproduction, and which figures the page has.
fn timing_section(spec: &Spec, report: &Report, problem: &dyn Problem) -> String {
    let mut md = String::new();
    md.push_str(
        "\n## Time per run\n\n| method | ε | seed | steps | seconds |\n|---|---|---|---|---|\n",
    );
    for r in &report.rows {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {:.1} |\n",
            r.method,
            fmt_eps(r.eps, spec.fractions),
            r.seed,
            r.steps,
            r.seconds
        ));
    }
    md.push_str(&format!(
        "\nAll runs: {:.0} s added up (wherever and however many at a time they ran). Homotopy rows share one run per seed; their seconds are the time since that run started. Figures: `panels.svg` (the solutions beside the L2RE, as one figure), `{}.svg`, {}{}.\n",
        report.seconds,
        l2re_stem(spec),
        if problem.eval_grid().is_some() {
            "`solution_truth.svg` and per method `solution_<method>.svg`, `error_<method>.svg` (heat maps, seed 0)"
        } else {
            "`solutions.svg`"
        },
        if report.operator.is_empty() { "" } else { ", `operator.svg`" }
    ));
    md
}

/// The L2RE figure's file name: against ε, or by method on a page with one ε.
fn l2re_stem(spec: &Spec) -> &'static str {
    if spec.table_eps.len() == 1 {
        "l2re_by_method"
    } else {
        "l2re_vs_eps"
    }
}

/// Median L2RE against ε, one curve per method; with one ε, a dot per seed on a row per method
/// (a curve "vs ε" would be a single point).
fn l2re_figure(spec: &Spec, report: &Report) -> Figure {
    if let [eps] = spec.table_eps {
        let mut fig = Figure::new(
            &format!(
                "L2RE at ε = {} (a dot per seed)",
                fmt_eps(*eps, spec.fractions)
            ),
            "L2RE",
            "",
        )
        .log_x();
        let n = spec.methods.len();
        for (k, m) in spec.methods.iter().enumerate() {
            fig.y_categories.push(super::method_label(m.name));
            let row = (n - 1 - k) as f64;
            fig.series.push(Series {
                label: super::method_label(m.name),
                points: report
                    .l2re_of(m.name, *eps)
                    .into_iter()
                    .filter(|v| v.is_finite() && *v > 0.0)
                    .map(|v| (v, row))
                    .collect(),
                mark: Mark::Points,
                color: method_color(spec, m.name),
            });
        }
        // The rows name the methods.
        fig.hide_legend = true;
        return fig;
    }
    let mut fig = Figure::new("Median L2RE vs ε", "ε", "L2RE").log_x().log_y();
    for m in spec.methods {
        let pts: Vec<(f64, f64)> = spec
            .table_eps
            .iter()
            .filter_map(|&e| {
                let med = median_spread(&report.l2re_of(m.name, e)).0;
                (med.is_finite() && med > 0.0).then_some((e, med))
            })
            .collect();
        if !pts.is_empty() {
            fig.series.push(Series {
                label: super::method_label(m.name),
                points: pts,
                mark: Mark::LineAndPoints,
                color: method_color(spec, m.name),
            });
        }
    }
    fig
}

/// Seed 0's loss over the steps: a panel per method (a curve per table ε for a method run at
/// each ε, the whole path for a homotopy), then the runs at the smallest ε and every
/// homotopy's whole path in one panel, in the page's method colours. Empty when no curve was
/// stored.
fn training_curves(spec: &Spec, o: &Outcome) -> Vec<Figure> {
    let smallest = spec.table_eps.last().copied();
    let mut panels = Vec::new();
    let mut last = Figure::new(
        &format!(
            "Runs at ε = {} and each path",
            smallest.map_or(String::new(), |e| fmt_eps(e, spec.fractions))
        ),
        "step",
        "loss",
    )
    .log_y();
    for m in spec.methods {
        let mine: Vec<&super::sweep::TrainingCurve> =
            o.curves.iter().filter(|c| c.method == m.name).collect();
        if mine.is_empty() {
            continue;
        }
        let label = super::method_label(m.name);
        let mut fig = Figure::new(&label, "step", "loss").log_y();
        for (k, c) in mine.iter().enumerate() {
            let name = match c.eps {
                Some(e) => format!("ε = {}", fmt_eps(e, spec.fractions)),
                None => "the path".to_string(),
            };
            fig.series.push(Series {
                label: name,
                points: super::drawable_on_log_y(&c.loss),
                mark: Mark::Line,
                color: palette(k),
            });
            if c.eps.is_none() || c.eps == smallest {
                last.series.push(Series {
                    label: label.clone(),
                    points: super::drawable_on_log_y(&c.loss),
                    mark: Mark::Line,
                    color: method_color(spec, m.name),
                });
            }
        }
        fig.hide_legend = mine.len() == 1;
        panels.push(fig);
    }
    if !panels.is_empty() {
        panels.push(last);
    }
    panels
}

/// A method's colour on every figure of its page (its place in the spec, not in a figure).
fn method_color(spec: &Spec, name: &str) -> (u8, u8, u8) {
    palette(
        spec.methods
            .iter()
            .position(|m| m.name == name)
            .unwrap_or(0),
    )
}

/// u_θ of each method (seed 0) at the smallest ε with the truth: curves in 1D and along s, heat
/// maps of u_θ and its error in the plane. Returns the solution figures for the page's panels
/// (the curves, or the truth and each method's u_θ).
fn solution_figures(
    spec: &Spec,
    problem: &dyn Problem,
    solutions: &[(String, Vec<f64>)],
    out: &std::path::Path,
    figures: &FigureOutput,
) -> Result<Vec<Figure>> {
    let smallest = spec.table_eps[spec.table_eps.len() - 1];
    let at = fmt_eps(smallest, spec.fractions);
    let truth = problem
        .exact(smallest)
        .or_else(|| problem.reference(smallest));
    if let Some(grid) = problem.eval_grid() {
        // Fields in the plane: one heat map per method, the truth, and each method's error.
        let map = |title: String, label: &str, values: Vec<f64>| {
            Heatmap::figure(&title, label, grid, values)
        };
        // u_θ on the truth's colour scale, so the panels compare (errors keep their own).
        let truth_scale = truth.as_ref().map(|t| {
            map(String::new(), "", t.values.clone())
                .heatmap
                .map_or(1.0, |h| h.scale())
        });
        let mut shown = Vec::new();
        if let Some(t) = &truth {
            let fig = map(format!("{} at ε = {at}", t.label), "u*", t.values.clone());
            figures.write_one(&fig, out, "solution_truth")?;
            shown.push(fig);
        }
        for (name, u) in solutions {
            let mut fig = map(
                format!("{}: u_θ at ε = {at} (seed 0)", super::method_label(name)),
                "u_θ",
                u.clone(),
            );
            if let Some(h) = fig.heatmap.as_mut() {
                h.fixed_scale = truth_scale;
            }
            figures.write_one(&fig, out, &format!("solution_{name}"))?;
            shown.push(fig);
            if let Some(t) = &truth {
                let err = u.iter().zip(&t.values).map(|(a, b)| a - b).collect();
                let fig = map(
                    format!(
                        "{}: u_θ − {} at ε = {at} (seed 0)",
                        super::method_label(name),
                        bracketed(&t.label)
                    ),
                    "u_θ − u*",
                    err,
                );
                figures.write_one(&fig, out, &format!("error_{name}"))?;
            }
        }
        return Ok(shown);
    }
    let x = plot_coordinates(problem, problem.eval_points());
    let mut fig = Figure::new(
        &format!("u_θ at ε = {at} (seed 0)"),
        problem.plot_label(),
        "u",
    );
    // Points in the order of the plot coordinate, so lines run left to right. Where that
    // coordinate is a projection of several dimensions (Helmholtz along s), u_θ is not a
    // function of it: dots, not a line.
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let along = |v: &[f64]| -> Vec<(f64, f64)> { order.iter().map(|&i| (x[i], v[i])).collect() };
    let mark = if problem.dim() > 1 {
        Mark::Points
    } else {
        Mark::Line
    };
    for (name, u) in solutions {
        fig.series.push(Series {
            label: super::method_label(name),
            points: along(u),
            mark,
            color: method_color(spec, name),
        });
    }
    if let Some(t) = truth {
        // The truth last: dashed, on top of the curves it is compared with.
        fig.series.push(Series {
            label: t.label,
            points: along(&t.values),
            mark: Mark::Reference,
            color: (0, 0, 0),
        });
    }
    figures.write_one(&fig, out, "solutions")?;
    Ok(vec![fig])
}

/// A formula as the right operand of a minus: in parentheses when it is a sum.
fn bracketed(label: &str) -> String {
    if label.contains(" + ") || label.contains(" − ") || label.contains(" - ") {
        format!("({label})")
    } else {
        label.to_string()
    }
}

impl super::Reproduction for Spec {
    fn id(&self) -> &'static str {
        self.id
    }

    fn full_note(&self) -> &'static str {
        self.full_note
    }

    fn scale_full(&self, config: &mut RunConfig) {
        (self.scale_full)(config)
    }

    /// Run the table and give each method's median L2RE at the smallest ε.
    fn run(&self, opts: &ReproduceOptions) -> Result<super::Said> {
        let (o, cells) = match super::sweep::run(self, opts)? {
            super::cells::Step::Page(o) => o,
            super::cells::Step::Done(said) => return Ok(said),
        };
        write_outputs(self, opts, &o)?;
        let report = o.report;
        let smallest = self.table_eps[self.table_eps.len() - 1];
        let lines = self
            .methods
            .iter()
            .map(|m| {
                let v = report.l2re_of(m.name, smallest);
                format!(
                    "{}: median L2RE at ε = {} = {}",
                    m.name,
                    fmt_eps(smallest, self.fractions),
                    fmt_stat(&v)
                )
            })
            .collect();
        Ok(super::Said { lines, cells })
    }
}
