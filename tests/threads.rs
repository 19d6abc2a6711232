//! The compute pool's kernels give the same bits at one and at two threads (this test owns
//! its process, so resizing the pool touches nothing else).

use homotopy_explorer::linalg::{Form, Normal};
use homotopy_explorer::net::jacobian::Jacobian;
use homotopy_explorer::pool;

fn random(rows: usize, cols: usize) -> Jacobian {
    let mut s = 1u64;
    let data = (0..rows * cols)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        })
        .collect();
    Jacobian { rows, cols, data }
}

#[test]
fn least_squares_kernels_do_not_depend_on_the_thread_count() {
    let a = random(1300, 700);
    let r: Vec<f64> = (0..1300).map(|i| (i as f64).sin()).collect();
    let mut outs = Vec::new();
    for threads in [1, 2] {
        pool::set_threads(threads).unwrap();
        let mut out = Vec::new();
        for form in [Form::Primal, Form::Dual] {
            let normal = Normal::with_form(&a, form);
            let scale = normal.lambda_max(30);
            let d = normal
                .damped(1e-3 * scale)
                .unwrap()
                .direction(&a, &r)
                .unwrap();
            let x = normal.spectral().unwrap().truncated_solve(&a, &r, 1e-8);
            out.push((normal.matrix, scale, d, x));
        }
        outs.push(out);
    }
    for (one, two) in outs[0].iter().zip(&outs[1]) {
        assert!(one.0 == two.0, "normal matrix");
        assert_eq!(one.1, two.1, "λ_max");
        assert_eq!(one.2, two.2, "LM direction");
        assert_eq!(one.3, two.3, "truncated solve");
    }
}
