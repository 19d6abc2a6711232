//! The reproductions beyond 1D Allen–Cahn, as [`Spec`]s of the shared method × ε sweep:
//! `ac2` (homotopy paper Table 3), `hf` (Table 7), `bu` (Table 5/8), `hh` (Table 4), `cd` (ISGD
//! paper §4.1, Fig. 2), `pm` (ISGD paper §2.2: the multiscale Poisson problem and its
//! stiffness), `pm2` and `hk` (ISGD paper §4.2 and §4.3, in 2D).

use super::full;
use super::sweep::{Method, PaperValue, Spec};

macro_rules! preset {
    ($name:literal, $file:literal) => {
        Method {
            name: $name,
            file: $file,
            builtin: include_str!(concat!("../../presets/", $file)),
        }
    };
}

/// `hf`: the high-frequency fit, classical Adam vs the homotopy, at ε = 1/15, 1/35, 1/50.
pub const HF: Spec = Spec {
    id: "hf",
    title: "High-frequency fit sin(πx/ε) (homotopy paper App. B.5, Table 7)",
    intro: "H(u, ε) = u − sin(πx/ε) on {classical:problem.n_res} grid points, [1,30,30,30,1] tanh, Xavier-normal. The paper reports the lowest loss reached (its Table 7 has no L2RE); its runs last about 4·10⁶ Adam steps, ours {classical:training.max_steps} (classical) and Phase I + LM stages (homotopy). The paper does not say whether its loss carries the ½; ours does. `homotopy_loss` is the homotopy paper's own method (Algorithm 1, Strategy 2, eq. 10): warm-started stages minimizing L_H + λL_bc + αL_Hε (L_Hε = ½ mean (H_u Δu/Δε + H_ε)²) with α = {homotopy_loss:strategy.stages.alpha}, Adam (rate {homotopy_loss:optimizer.lr}) for at most {homotopy_loss:strategy.stages.max_steps} steps a stage after {homotopy_loss:strategy.phase1.adam_steps} at ε = 1/15; `homotopy` is our recipe along the same stages (α = {homotopy:strategy.stages.alpha}, Levenberg–Marquardt). The paper states neither α nor its steps per stage; the rows' labels below the table say what each ran. The paper's numbers stand beside both rows: they are for its method.",
    methods: &[
        preset!("classical", "high_frequency_fit_classical.toml"),
        preset!("homotopy", "high_frequency_fit_homotopy.toml"),
        preset!("homotopy_loss", "high_frequency_fit_homotopy_loss.toml"),
    ],
    table_eps: &[1.0 / 15.0, 1.0 / 35.0, 1.0 / 50.0],
    paper: &[
        paper("classical", 1.0 / 15.0, Some(4.91e-6), None),
        paper("classical", 1.0 / 35.0, Some(7.21e-2), None),
        paper("classical", 1.0 / 50.0, Some(3.29e-1), None),
        paper("homotopy", 1.0 / 15.0, Some(1.73e-6), None),
        paper("homotopy", 1.0 / 35.0, Some(1.91e-6), None),
        paper("homotopy", 1.0 / 50.0, Some(2.82e-5), None),
        paper("homotopy_loss", 1.0 / 15.0, Some(1.73e-6), None),
        paper("homotopy_loss", 1.0 / 35.0, Some(1.91e-6), None),
        paper("homotopy_loss", 1.0 / 50.0, Some(2.82e-5), None),
    ],
    fractions: true,
    full_note: full::HF_NOTE,
    scale_full: full::hf,
    below: &["homotopy"],
    ..Spec::BASE
};

/// `bu`: steady Burgers, classical vs Strategy 1 in the viscosity and in the s-homotopy of
/// eq. 62, at ε = 0.5, 0.1, 0.05.
pub const BU: Spec = Spec {
    id: "bu",
    title: "Steady Burgers with a shock at x = ½ (homotopy paper §5.3, Tables 5 and 8, Fig. 15)",
    intro: "(u²/2)_x − εu_xx = π sin(πx)cos(πx), u(0) = u(1) = 0, {classical:problem.n_res} grid points, [1,30,30,30,1] tanh. L2RE against a finite-difference steady state (20 000 cells, second order, shock pinned at ½ by the odd symmetry); x₀ is the shock (zero crossing). The paper's numbers are for a DeepONet trained by homotopy over random initial data (unsupervised operator learning); ours are a PINN for the one steady state, so only the order of magnitude is comparable; the operator learning itself (the DeepONet, Tables 5 and 8, Fig. 6) is on `reproduce bo`. Two homotopies: `strategy1` walks the viscosity ε directly from 1 to 0.05; `s_homotopy` walks the paper's eq. 62 with ε(s) = max(s, 0.05) from u₀ = sin(2πx) (s = 1) to s = 0, on the parameter p = s + 0.05, so its rows at ε = 0.5 and 0.1 are points of the mixed homotopy without a reference (—) and only its ε = 0.05 row is the Burgers steady state (the paper's u₀ are random fields fed to a DeepONet). D_ε is eq. 64 with viscosity ε (the paper prints ε², copied from the Allen–Cahn operator); it is not symmetric, so the sweep reports its largest |λ|.",
    methods: &[
        preset!("classical", "burgers_1d_classical.toml"),
        preset!("strategy1", "burgers_1d_strategy1.toml"),
        preset!("s_homotopy", "burgers_1d_s_homotopy.toml"),
    ],
    table_eps: &[0.5, 0.1, 0.05],
    paper: &[
        paper("strategy1", 0.5, Some(7.55e-7), Some(1.50e-3)),
        paper("strategy1", 0.1, Some(3.40e-7), Some(7.00e-4)),
        paper("strategy1", 0.05, Some(7.77e-7), Some(2.52e-2)),
        paper("s_homotopy", 0.05, Some(7.77e-7), Some(2.52e-2)),
    ],
    operator_sweep: Some((1.0, 0.01)),
    fractions: false,
    full_note: full::BU_NOTE,
    scale_full: full::bu,
    below: &["strategy1", "s_homotopy"],
    ..Spec::BASE
};

/// `cd`: the boundary-layer ODE at ε = 2 and 0.01 under Adam, SGD and ISGD at the large rate,
/// and under the homotopy.
pub const CD: Spec = Spec {
    id: "cd",
    title: "Boundary layer −εy″ + y′ = f (ISGD paper §4.1, Fig. 2)",
    intro: "4×50 tanh, N = {adam:problem.n_res} random points, full batch. The paper shows this example as loss curves (Fig. 2), not a table: at the large rate 0.5, SGD and Adam do not converge while ISGD stays stable and trains, at ε = 2 and at ε = 0.01. Its runs last 10⁵–4·10⁵ iterations (ISGD: α = 0.5, inner Adam 10⁻³); ours stop at {adam:training.max_steps} (ISGD: K₀ = {isgd:optimizer.isgd.outer_steps} implicit steps of K₁ = {isgd:optimizer.isgd.inner_steps} inner Adam steps, then Adam to step {isgd:training.max_steps}). The homotopy row (not in the paper) walks ε from 2 to 0.01 on grid points.",
    methods: &[
        preset!("adam", "boundary_layer_adam.toml"),
        preset!("adam_lr0.5", "boundary_layer_adam_lr0.5.toml"),
        preset!("sgd_lr0.5", "boundary_layer_sgd_lr0.5.toml"),
        preset!("isgd", "boundary_layer_isgd.toml"),
        preset!("strategy1", "boundary_layer_strategy1.toml"),
    ],
    table_eps: &[2.0, 0.01],
    fractions: false,
    full_note: full::CD_NOTE,
    scale_full: full::cd,
    below: &["strategy1"],
    ..Spec::BASE
};

/// `pm`: multiscale Poisson u = sin(2πx) + 0.1 sin(πx/ε) at ε = 1/2 (smooth: 1.1 sin(2πx)) and
/// 1/50 (the paper's multiscale solution), with the Gauss–Newton stiffness along the homotopy.
pub const PM: Spec = Spec {
    id: "pm",
    title: "Multiscale Poisson 1D (ISGD paper §2.2, Fig. 1)",
    intro: "−u″ = f on [0, 1] with u = sin(2πx) + 0.1 sin(πx/ε): at ε = 1/50 the paper's multiscale u_H = sin(2πx) + 0.1 sin(50πx); at ε = 1/2 the smooth 1.1 sin(2πx). The paper's claim: the largest eigenvalue of the Hessian ∇²L rises from 1.1·10⁴ (smooth) to 4.6·10⁸ (multiscale) and Adam (10⁷ epochs) and L-BFGS fail on u_H while ISGD (lr 0.1, 10⁴ epochs) trains; its network is 5×200 tanh on 1000 random points, ours is smaller (see the presets): Adam and ISGD stop at {adam:training.max_steps} and {isgd:training.max_steps} steps, L-BFGS at {lbfgs:training.max_steps}. The stiffness table is λ_max(JᵀJ) of our weighted least-squares system at the homotopy's solution at each ε (its scale differs from the paper's by the loss normalization and the network). `homotopy_loss` is the homotopy paper's method (Algorithm 1, Strategy 2, eq. 10; neither paper ran it on this problem): warm-started stages minimizing L_H + λL_bc + αL_Hε (L_Hε = ½ mean (H_u Δu/Δε + H_ε)²) with α = {homotopy_loss:strategy.stages.alpha}, Adam (rate {homotopy_loss:optimizer.lr}) for at most {homotopy_loss:strategy.stages.max_steps} steps a stage after {homotopy_loss:strategy.phase1.adam_steps} at ε = 1/2; `homotopy` is our recipe along the same stages (α = {homotopy:strategy.stages.alpha}, Levenberg–Marquardt). The paper states neither α nor its steps per stage; the rows' labels below the table say what each ran.",
    methods: &[
        preset!("adam", "poisson_multiscale_1d_adam.toml"),
        preset!("isgd", "poisson_multiscale_1d_isgd.toml"),
        preset!("lbfgs", "poisson_multiscale_1d_lbfgs.toml"),
        preset!("homotopy", "poisson_multiscale_1d_homotopy.toml"),
        preset!("homotopy_loss", "poisson_multiscale_1d_homotopy_loss.toml"),
    ],
    table_eps: &[0.5, 0.02],
    stiffness_along: Some("homotopy"),
    fractions: true,
    full_note: full::PM_NOTE,
    scale_full: full::pm,
    below: &["homotopy"],
    // ISGD paper Fig. 1: λ_max of the Hessian for the smooth (ε = 1/2) and multiscale solution.
    hessian: Some(&[(0.5, 1.1e4), (0.02, 4.6e8)]),
    ..Spec::BASE
};

/// `hh`: Helmholtz in 20 dimensions, classical vs homotopy at ε = 1/2, 1/20, 1/50.
pub const HH: Spec = Spec {
    id: "hh",
    title: "Helmholtz ε²Δu + u/d = 0 in d = 20 dimensions (homotopy paper §5.2, Table 4)",
    intro: "u = sin((1/d)Σx_i/ε) on [−1, 1]^20, [20,30,30,30,1] tanh. The paper uses 10 000 residual and 2000 boundary points and Adam stages of the homotopy loss; our presets use {classical:problem.n_res} and {classical:problem.n_bc} random points, Adam for {classical:training.max_steps} steps (classical) and LM stages (homotopy), so they finish on a 2-core CPU. L2RE on 2000 random points of the cube. λ(D_ε) (Fig. 13): eq. 60 has no grid in 20 dimensions; we report it on functions of s = (1/d)Σxᵢ, where Δ = (1/d)∂²_s: −(ε²/d)Δ_h − I/d on n_res nodes of s ∈ [−1, 1] (the linearization of −H; eq. 60 prints +I/d, a shift of 2/d). `homotopy_loss` is the homotopy paper's own method (Algorithm 1, Strategy 2, eq. 10): warm-started stages minimizing L_H + λL_bc + αL_Hε (L_Hε = ½ mean (H_u Δu/Δε + H_ε)²) with α = {homotopy_loss:strategy.stages.alpha}, Adam (rate {homotopy_loss:optimizer.lr}) for at most {homotopy_loss:strategy.stages.max_steps} steps a stage after {homotopy_loss:strategy.phase1.adam_steps} at ε = 1; `homotopy` is our recipe along the same stages (α = {homotopy:strategy.stages.alpha}, Levenberg–Marquardt). The paper states neither α nor its steps per stage; the rows' labels below the table say what each ran. The paper's numbers stand beside both rows: they are for its method.",
    methods: &[
        preset!("classical", "helmholtz_20d_classical.toml"),
        preset!("homotopy", "helmholtz_20d_homotopy.toml"),
        preset!("homotopy_loss", "helmholtz_20d_homotopy_loss.toml"),
    ],
    table_eps: &[0.5, 0.05, 0.02],
    paper: &[
        paper("classical", 0.5, None, Some(1.23e-3)),
        paper("classical", 0.05, None, Some(7.21e-2)),
        paper("classical", 0.02, None, Some(9.98e-1)),
        paper("homotopy", 0.5, None, Some(5.86e-4)),
        paper("homotopy", 0.05, None, Some(5.00e-4)),
        paper("homotopy", 0.02, None, Some(5.89e-4)),
        paper("homotopy_loss", 0.5, None, Some(5.86e-4)),
        paper("homotopy_loss", 0.05, None, Some(5.00e-4)),
        paper("homotopy_loss", 0.02, None, Some(5.89e-4)),
    ],
    operator_sweep: Some((1.0, 0.02)),
    fractions: true,
    full_note: full::HH_NOTE,
    scale_full: full::hh,
    below: &["homotopy"],
    ..Spec::BASE
};

/// `ac2`: 2D Allen–Cahn at ε = 0.05: plain PINN, curriculum in ε, time-sequential,
/// resampling and the s-homotopy.
pub const AC2: Spec = Spec {
    id: "ac2",
    title: "2D Allen–Cahn steady state (homotopy paper §5.1, Table 3, App. B.3)",
    intro: "ε = 0.05 on [−1, 1]², zero Dirichlet data, a residual grid of {homotopy:problem.n_res} points, {homotopy:problem.n_bc} boundary points, [2,30,30,30,1] tanh. L2RE on a 101 × 101 grid against the steady state of u_t = ε²Δu − (u³ − u) from u₀ = −sin(πx)sin(πy), computed by a sine pseudo-spectral method (127² modes, semi-implicit time stepping then Newton; 95² and 127² modes agree to 6·10⁻⁸). The paper's homotopy is Adam on the homotopy loss over 4·10⁶ steps; ours walks the same s-steps (Δs = 0.1, then 0.01 from s = 0.1) with at most {homotopy:strategy.stages.max_steps} Levenberg–Marquardt iterations per stage and {homotopy:strategy.stages.final_max_steps} at s = 0, keeping steps orthogonal to translations of the interfaces (phase condition). Our homotopy uses the consistent sign (1 − s)(u³ − u − ε²Δu) + s(u − u₀): with the sign the paper prints, H_u is singular near s ≈ 0.94 and the path ends on −u* (L2RE ≈ 2; preset `allen_cahn_2d_homotopy_as_printed.toml`). Curriculum: the same stages on the plain PDE with ε from 1 (Adam). PINN: {pinn:training.max_steps} Adam steps. Resampling: the same PINN with residual-based resampling, {resampling:problem.resample.add} points of largest |H| among {resampling:problem.resample.candidates} uniform candidates added every {resampling:problem.resample.every} steps, {resampling:problem.resample.max_added} in all (the paper adds 5000 near the interface). Time-sequential (App. B.3: sequence-to-sequence training with Δt = 0.01; ours Δt = {time_sequential:strategy.time.dt}): the net is fitted to u₀, then each window of length Δt solves the implicit-Euler step u − u_prev + Δt(u³ − u − ε²Δu) = 0 on the same points, warm-started from the previous window, until the rate ‖H(u_n)‖/‖u_n‖ of u_t = −H falls below {time_sequential:strategy.time.steady_tolerance} or t = {time_sequential:strategy.time.t_end} (the paper's network has inputs (x, y) only, so its windows are discrete in time, as ours); `time_sequential` takes one Levenberg–Marquardt iteration per window (the optimizer of our homotopy row), `time_sequential_adam` {time_sequential_adam:strategy.time.window_steps} Adam steps (rate {time_sequential_adam:optimizer.lr}) per window after {time_sequential_adam:strategy.time.initial_steps} fitting u₀. The flow itself (spectral, implicit-explicit Euler with Δt = 0.01) is 0.29 from the steady state (L2RE) at t = 1 and about 1.2·10⁻³ at t = 6. `homotopy_loss` is the homotopy paper's own method (Algorithm 1, Strategy 2, eq. 10): warm-started stages minimizing L_H + λL_bc + αL_Hε (L_Hε = ½ mean (H_u Δu/Δε + H_ε)²) with α = {homotopy_loss:strategy.stages.alpha}, Adam (rate {homotopy_loss:optimizer.lr}) for at most {homotopy_loss:strategy.stages.max_steps} steps a stage after {homotopy_loss:strategy.phase1.adam_steps} fitting u₀ at s = 1, and {homotopy_loss:strategy.stages.final_max_steps} at s = 0; `homotopy` is our recipe along the same stages (α = {homotopy:strategy.stages.alpha}, Levenberg–Marquardt). The paper states neither α nor its steps per stage; the rows' labels below the table say what each ran. The paper's number stands beside both rows: it is for its method.",
    methods: &[
        preset!("pinn", "allen_cahn_2d_pinn.toml"),
        preset!("curriculum", "allen_cahn_2d_curriculum.toml"),
        preset!("time_sequential", "allen_cahn_2d_time_sequential.toml"),
        preset!(
            "time_sequential_adam",
            "allen_cahn_2d_time_sequential_adam.toml"
        ),
        preset!("resampling", "allen_cahn_2d_resampling.toml"),
        preset!("homotopy", "allen_cahn_2d_homotopy.toml"),
        preset!("homotopy_loss", "allen_cahn_2d_homotopy_loss.toml"),
    ],
    table_eps: &[0.05],
    interface_account: Some("homotopy"),
    paper: &[
        paper("pinn", 0.05, None, Some(9.56e-1)),
        paper("curriculum", 0.05, None, Some(8.89e-1)),
        paper("time_sequential", 0.05, None, Some(8.95e-2)),
        paper("time_sequential_adam", 0.05, None, Some(8.95e-2)),
        paper("resampling", 0.05, None, Some(8.25e-1)),
        paper("homotopy", 0.05, None, Some(8.78e-3)),
        paper("homotopy_loss", 0.05, None, Some(8.78e-3)),
    ],
    fractions: false,
    full_note: full::AC2_NOTE,
    scale_full: full::ac2,
    below: &["homotopy"],
    ..Spec::BASE
};

/// `pm2`: the ISGD paper's 2D examples (multiscale Poisson at ε = 1/10 and Helmholtz at k = 4)
/// under Adam at the small and the large rate and ISGD at the large rate.
pub const PM2: Spec = Spec {
    id: "pm2",
    title: "Multiscale Poisson 2D (ISGD paper §4.2, Fig. 3)",
    intro: "−Δu = f on [0, 1]² with u = sin(πx)sin(πy) + 0.1 sin(10πx)sin(10πy) (ε = 1/10). The paper shows loss curves, not a table: at the large rate 0.5 Adam and SGD do not train while ISGD (α = 0.5, inner Adam 5·10⁻⁴) does, reaching an absolute error below 0.2 % after 1.1·10⁶ iterations on 6×100 tanh with 4000 + 400 random points. Ours: [2,30,30,30,1] tanh, a grid of {adam:problem.n_res} points and {adam:problem.n_bc} boundary points, {adam:training.max_steps} steps (ISGD: {isgd:optimizer.isgd.outer_steps} implicit steps of {isgd:optimizer.isgd.inner_steps} inner Adam steps, then Adam). The homotopy row (not in the paper) walks 1/ε = 2, 3, …, 10 with LM stages. `homotopy_loss` is the homotopy paper's method (Algorithm 1, Strategy 2, eq. 10; neither paper ran it on this problem): warm-started stages minimizing L_H + λL_bc + αL_Hε (L_Hε = ½ mean (H_u Δu/Δε + H_ε)²) with α = {homotopy_loss:strategy.stages.alpha}, Adam (rate {homotopy_loss:optimizer.lr}) for at most {homotopy_loss:strategy.stages.max_steps} steps a stage after {homotopy_loss:strategy.phase1.adam_steps} at ε = 1/2; `homotopy` is our recipe along the same stages (α = {homotopy:strategy.stages.alpha}, Levenberg–Marquardt). The paper states neither α nor its steps per stage; the rows' labels below the table say what each ran.",
    methods: &[
        preset!("adam", "poisson_multiscale_2d_adam.toml"),
        preset!("adam_lr0.5", "poisson_multiscale_2d_adam_lr0.5.toml"),
        preset!("isgd", "poisson_multiscale_2d_isgd.toml"),
        preset!("homotopy", "poisson_multiscale_2d_homotopy.toml"),
        preset!("homotopy_loss", "poisson_multiscale_2d_homotopy_loss.toml"),
    ],
    table_eps: &[0.1],
    fractions: true,
    full_note: full::PM2_NOTE,
    scale_full: full::pm2,
    below: &["homotopy"],
    ..Spec::BASE
};

/// `hk`: the ISGD paper's 2D Helmholtz example at k = 4 under the same three optimizers.
pub const HK: Spec = Spec {
    id: "hk",
    title: "Helmholtz 2D, k = 4 (ISGD paper §4.3, Fig. 4)",
    intro: "Δu + k²u = f on [0, 1]² with u = sin(πx)sin(4πy) (ε = 1/k = 1/4). The paper shows loss curves: at rate 0.5 Adam and SGD do not train while ISGD does, reaching an absolute error below 0.7 % after 5.5·10⁵ iterations on 6×100 tanh. Ours: [2,30,30,30,1] tanh, a grid of {adam:problem.n_res} points and {adam:problem.n_bc} boundary points, {adam:training.max_steps} steps. The homotopy row (not in the paper) walks k = 1, 2, 3, 4 with LM stages. `homotopy_loss` is the homotopy paper's method (Algorithm 1, Strategy 2, eq. 10; neither paper ran it on this problem): warm-started stages minimizing L_H + λL_bc + αL_Hε (L_Hε = ½ mean (H_u Δu/Δε + H_ε)²) with α = {homotopy_loss:strategy.stages.alpha}, Adam (rate {homotopy_loss:optimizer.lr}) for at most {homotopy_loss:strategy.stages.max_steps} steps a stage after {homotopy_loss:strategy.phase1.adam_steps} at k = 1; `homotopy` is our recipe along the same stages (α = {homotopy:strategy.stages.alpha}, Levenberg–Marquardt). The paper states neither α nor its steps per stage; the rows' labels below the table say what each ran.",
    methods: &[
        preset!("adam", "helmholtz_2d_adam.toml"),
        preset!("adam_lr0.5", "helmholtz_2d_adam_lr0.5.toml"),
        preset!("isgd", "helmholtz_2d_isgd.toml"),
        preset!("homotopy", "helmholtz_2d_homotopy.toml"),
        preset!("homotopy_loss", "helmholtz_2d_homotopy_loss.toml"),
    ],
    table_eps: &[0.25],
    fractions: true,
    full_note: full::HK_NOTE,
    scale_full: full::hk,
    below: &["homotopy"],
    ..Spec::BASE
};

const fn paper(method: &'static str, eps: f64, loss: Option<f64>, l2re: Option<f64>) -> PaperValue {
    PaperValue {
        method,
        eps,
        loss,
        l2re,
    }
}
