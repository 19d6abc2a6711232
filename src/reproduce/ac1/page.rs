//! The `ac1` page: reproduce.md (Tables 1 and 2 beside the paper's, Fig. 4, the Phase I and
//! K_ε notes), its CSVs and JSON, and its figures (Table 1 as one figure, the solutions, Fig. 4).

use super::*;
use crate::export::figure::{Figure, Mark};
use crate::export::{columns_csv, write_atomic};
use crate::reproduce::fmt_stat;

pub(super) fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2e}")).unwrap_or_else(|| "—".into())
}

pub(super) fn write_outputs(
    opts: &ReproduceOptions,
    report: &Ac1Report,
    solutions: &[(String, Vec<(f64, f64)>)],
    sources: &[String],
    configs: &BTreeMap<Method, RunConfig>,
    curves: &[TrainingCurve],
) -> Result<()> {
    let out = &opts.out_dir;
    let n_res = configs[&Method::Classical].problem.n_res;
    let mut md = String::new();
    md.push_str("# Reproduction: 1D Allen–Cahn (homotopy dynamics paper)\n\n");
    md.push_str(&PAGE.scale_line(opts.full));
    md.push_str(&format!(
        "Seeds 0–{} (median [min, max] over seeds). L2RE on 1001 evaluation points against the tanh solution and against a finite-difference solution of the boundary-value problem. x₀ is the zero crossing of u_θ (exact: 0.5).\n\nPresets: {}.\n\n",
        opts.seeds.saturating_sub(1),
        sources.join("; ")
    ));
    md.push_str("## Table 1 — loss and L2RE at ε = 0.1, 0.03, 0.01\n\n");
    md.push_str("| method | ε | paper loss | ours loss | paper L2RE | ours L2RE vs tanh | ours L2RE vs reference | ours x₀ |\n|---|---|---|---|---|---|---|---|\n");
    for method in Method::ALL {
        for (k, &eps) in TABLE1_EPS.iter().enumerate() {
            let rows: Vec<&Table1Row> = report
                .table1
                .iter()
                .filter(|r| r.method == method.id() && r.eps == eps)
                .collect();
            let col = |f: &dyn Fn(&Table1Row) -> Option<f64>| {
                fmt_stat(&rows.iter().filter_map(|r| f(r)).collect::<Vec<_>>())
            };
            let paper = method.paper(k);
            // A row compared with the paper's homotopy says what its Phase I adds to the
            // paper's (the Levenberg–Marquardt polish).
            let lm = configs[&method].strategy.phase1.lm_iterations;
            let label = match method {
                Method::Strategy1 | Method::Strategy1Paper if lm > 0 => {
                    format!("{} (+{lm} LM in Phase I)", method.id())
                }
                _ => method.id().to_string(),
            };
            md.push_str(&format!(
                "| {} | {eps} | {} | {} | {} | {} | {} | {} |\n",
                label,
                paper.map_or("—".into(), |p| format!("{:.2e}", p.0)),
                col(&|r| Some(r.loss)),
                paper.map_or("—".into(), |p| format!("{:.2e}", p.1)),
                col(&|r| r.l2re_tanh),
                col(&|r| r.l2re_reference),
                col(&|r| r.front_x0),
            ));
        }
    }
    md.push_str("\nThe paper reports one homotopy row; it is shown beside both Strategy 1 presets (`strategy1`: geometric Δε, phase condition, LM corrector; `strategy1_paper`: uniform Δε = 0.001, Euler only). Strategy 2 and curriculum have no paper numbers for this problem.\n\n");
    md.push_str(&super::super::below::section(
        &[(Method::Strategy1.id(), &configs[&Method::Strategy1])],
        &report.below,
        TABLE1_EPS[TABLE1_EPS.len() - 1],
        false,
    ));
    // Phase I as it ran: the paper only says θ(ε₀) comes from minimizing the loss until it is
    // below τ ("the standard training process"); the Levenberg–Marquardt polish is ours.
    for method in [Method::Strategy1, Method::Strategy1Paper] {
        let p1 = &configs[&method].strategy.phase1;
        md.push_str(&format!(
            "`{}` starts with a Phase I of {} Adam steps{} at ε₀ = {}. The paper's Phase I minimizes the loss at ε₀ by standard training until it is below τ; {}\n\n",
            method.id(),
            p1.adam_steps,
            if p1.lm_iterations > 0 {
                format!(" and then {} Levenberg–Marquardt iterations", p1.lm_iterations)
            } else {
                String::new()
            },
            configs[&method].strategy.eps_start,
            if p1.lm_iterations > 0 {
                "the Levenberg–Marquardt polish is ours, not the paper's."
            } else {
                "ours is that with Adam."
            }
        ));
    }
    md.push_str(&format!(
        "## Table 2 — λ_min(K_ε) at ε = 0.01 (n = {n_res}, rcond {RCOND:.0e} for the rank)\n\nθ from the Xavier initialization and from the Strategy 1 path where it passes ε. Our K_ε is J Jᵀ with J the Jacobian of the residual at the n residual points, H_u applied to ∂u_θ/∂θ with the network's exact derivatives: the continuous counterpart of eq. 18's K_ε = D_ε S Sᵀ D_εᵀ, where D_ε is the finite-difference operator on the grid. They agree where the grid resolves ∂u_θ/∂θ (Δ_h applied to S approaches its exact second derivative), not entry by entry on a coarse grid. Eigenvalues are σ_i(J)² with σ from a QR + SVD of J (round-off floor (max(n,p)·ε_mach·σ_max)²). λ_min is shown only where K is numerically nonsingular; otherwise the entry says so and the rank columns show how much of K is resolved: the rank at the cutoff, the smallest eigenvalue kept there, and how many eigenvalues lie above the round-off floor. The last column is eq. 18 as printed, D_ε S Sᵀ D_εᵀ with D_ε the finite-difference operator at u_θ on the residual grid and S = ∇_θ u there (— where it is singular to round-off).\n\n| init | paper λ_min | ours λ_min(J Jᵀ) | ours λ_max | ours rank (rcond) | ours λ at cutoff | ours rank above round-off | ours σ_min(J) | ours λ_min(D_ε S Sᵀ D_εᵀ), eq. 18 |\n|---|---|---|---|---|---|---|---|---|\n"
    ));
    for (init, paper) in PAPER_TABLE2 {
        let rows: Vec<&Table2Row> = report.table2.iter().filter(|r| r.init == init).collect();
        let mins: Vec<f64> = rows.iter().filter_map(|r| r.lambda_min).collect();
        let singular = rows.iter().filter(|r| r.lambda_min.is_none()).count();
        let ours_min = match (mins.is_empty(), singular) {
            (true, 0) => "—".to_string(),
            (true, s) => format!("singular in {s}/{} seeds", rows.len()),
            (false, 0) => fmt_stat(&mins),
            (false, s) => format!("{} (singular in {s}/{})", fmt_stat(&mins), rows.len()),
        };
        let ranks: Vec<f64> = rows.iter().map(|r| r.rank as f64).collect();
        let (rmed, rlo, rhi) = median_spread(&ranks);
        let floors: Vec<f64> = rows.iter().map(|r| r.rank_above_floor as f64).collect();
        let (fmed, flo, fhi) = median_spread(&floors);
        let int_stat = |med: f64, lo: f64, hi: f64| {
            if lo == hi {
                format!("{med:.0}")
            } else {
                format!("{med:.0} [{lo:.0}, {hi:.0}]")
            }
        };
        md.push_str(&format!(
            "| {init} | {paper:.2e} | {ours_min} | {} | {} | {} | {} | {} | {} |\n",
            fmt_stat(&rows.iter().map(|r| r.lambda_max).collect::<Vec<_>>()),
            int_stat(rmed, rlo, rhi),
            fmt_stat(&rows.iter().map(|r| r.lambda_min_kept).collect::<Vec<_>>()),
            int_stat(fmed, flo, fhi),
            fmt_stat(&rows.iter().filter_map(|r| r.sigma_min).collect::<Vec<_>>()),
            fmt_stat(
                &rows
                    .iter()
                    .filter_map(|r| r.lambda_min_eq18)
                    .collect::<Vec<_>>()
            ),
        ));
    }
    md.push_str(&format!(
        "\n## Fig. 4 — λ_max(D_ε) vs ε (exact u on the n = {n_res} residual grid, h = 1/(n+1))\n\nThe paper plots this curve; its stated scale is λ_max ≈ 4ε²n² for large ε and O(1) as ε → 0.\n\n| ε | paper scale 4ε²n² | ours λ_max(D_ε) |\n|---|---|---|\n"
    ));
    for r in &report.fig4 {
        md.push_str(&format!(
            "| {:.4} | {:.4e} | {:.4e} |\n",
            r.eps,
            4.0 * r.eps * r.eps * (n_res as f64).powi(2),
            r.lambda_max_d
        ));
    }
    md.push_str("\n## Time per run\n\n| run | seed | seconds |\n|---|---|---|\n");
    for (name, seed, secs) in &report.timings {
        md.push_str(&format!("| {name} | {seed} | {secs:.1} |\n"));
    }
    md.push_str("\nFigures: `table1.svg` (solution, error and L2RE along ε as one figure), `fig4.svg`, `l2re_vs_eps.svg`, `solutions.svg`, and for each homotopy method `evolution_<method>.svg` (u_θ at six ε evenly spaced over its stages, seed 0, with the reference at the last; the paper's Fig. 3).\n");
    if !curves.is_empty() {
        // The paper's Fig. 2: classical training at each ε, the loss over the steps.
        let mut fig2 = Figure::new("Classical training at each ε (seed 0)", "step", "loss").log_y();
        let mut sorted: Vec<&TrainingCurve> = curves.iter().collect();
        sorted.sort_by(|a, b| b.eps.unwrap_or(0.0).total_cmp(&a.eps.unwrap_or(0.0)));
        for c in sorted {
            let pts = crate::reproduce::drawable_on_log_y(&c.loss);
            fig2 = fig2.with_series(
                &format!("ε = {}", c.eps.map_or(String::new(), |e| e.to_string())),
                pts,
                Mark::Line,
            );
        }
        opts.figures.write_one(&fig2, out, "fig2")?;
        md.push_str("`fig2.svg`: classical training at each table ε, the loss over the steps (seed 0; the paper's Fig. 2).\n");
    }
    write_atomic(&out.join("reproduce.md"), md.as_bytes())?;
    write_atomic(
        &out.join("reproduce.json"),
        serde_json::to_string_pretty(report)?.as_bytes(),
    )?;
    write_atomic(&out.join("table1.csv"), &rows_csv(&report.table1)?)?;
    write_atomic(&out.join("table2.csv"), &rows_csv(&report.table2)?)?;
    let eps: Vec<f64> = report.fig4.iter().map(|r| r.eps).collect();
    let lam: Vec<f64> = report.fig4.iter().map(|r| r.lambda_max_d).collect();
    write_atomic(
        &out.join("fig4.csv"),
        &columns_csv(&[("eps", &eps), ("lambda_max_d", &lam)])?,
    )?;
    let scale: Vec<(f64, f64)> = eps
        .iter()
        .map(|&e| (e, 4.0 * e * e * (n_res as f64).powi(2)))
        .collect();
    let fig4 = Figure::new("Fig. 4: λ_max(D_ε) vs ε", "ε", "λ_max(D_ε)")
        .log_x()
        .log_y()
        .with_series(
            "ours (exact u)",
            eps.iter().copied().zip(lam.iter().copied()).collect(),
            Mark::LineAndPoints,
        );
    // The paper's scale is a guide, not data: dashed, on top.
    let fig4 = with_reference(fig4, "4ε²n² (paper's scale)", scale);
    opts.figures.write_one(&fig4, out, "fig4")?;
    let mut l2re = Figure::new("Table 1: median L2RE vs ε", "ε", "L2RE vs tanh")
        .log_x()
        .log_y();
    for method in Method::ALL.map(Method::id) {
        let pts = TABLE1_EPS
            .iter()
            .map(|&e| {
                let v: Vec<f64> = report
                    .table1
                    .iter()
                    .filter(|r| r.method == method && r.eps == e)
                    .filter_map(|r| r.l2re_tanh)
                    .collect();
                (e, median_spread(&v).0)
            })
            .collect();
        l2re = l2re.with_series(
            &crate::reproduce::method_label(method),
            pts,
            Mark::LineAndPoints,
        );
    }
    opts.figures.write_one(&l2re, out, "l2re_vs_eps")?;
    let problem = configs[&Method::Classical].build_problem();
    let exact = problem.exact(0.01);
    let mut fig = Figure::new("u_θ at ε = 0.01 (seed 0)", "x", "u");
    let mut error = Figure::new("u_θ − tanh at ε = 0.01 (seed 0)", "x", "u_θ − u*");
    // Each method keeps its Table 1 colour (and dashes) in every panel.
    let color = |name: &str| {
        crate::export::figure::palette(Method::ALL.iter().position(|m| m.id() == name).unwrap_or(0))
    };
    let line = |name: &str, points| crate::export::figure::Series {
        label: crate::reproduce::method_label(name),
        points,
        mark: Mark::Line,
        color: color(name),
    };
    for (name, pts) in solutions {
        fig.series.push(line(name, pts.clone()));
        if let Some(e) = &exact {
            let diff = pts
                .iter()
                .zip(&e.values)
                .map(|(&(x, u), v)| (x, u - v))
                .collect();
            error.series.push(line(name, diff));
        }
    }
    if let Some(e) = exact {
        let pts = problem
            .eval_points()
            .iter()
            .copied()
            .zip(e.values)
            .collect();
        fig = with_reference(fig, "tanh (exact)", pts);
    }
    opts.figures.write_one(&fig, out, "solutions")?;
    // Table 1 as the paper would print it: solution, error and L2RE along ε; (a)'s legend
    // names the methods for all three panels (same colours and dashes).
    error.hide_legend = true;
    l2re.hide_legend = true;
    opts.figures
        .write(&[&fig, &error, &l2re], 3, out, "table1")?;
    Ok(())
}

/// `fig` with a dashed reference curve drawn on top of the others.
fn with_reference(mut fig: Figure, label: &str, points: Vec<(f64, f64)>) -> Figure {
    fig.series.push(crate::export::figure::Series {
        label: label.into(),
        points,
        mark: Mark::Reference,
        color: (0, 0, 0),
    });
    fig
}

fn rows_csv<T: Serialize>(rows: &[T]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    Ok(w.into_inner()?)
}
