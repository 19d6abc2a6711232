//! The fused passes over many points, cut into fixed chunks of [`CHUNK_POINTS`] points that
//! run in parallel on the compute pool ([`crate::pool`]).
//!
//! A [`Batch`] holds one [`Tape`] per chunk and the outputs of all points in the usual
//! channel-major order (`out[c·n + i]`). The reverse pass sums the chunks' gradients in chunk
//! order and the Jacobian rows of each chunk land in their own rows, so nothing depends on
//! how many threads ran the chunks. With n ≤ [`CHUNK_POINTS`] there is one chunk and every
//! number is the one the unchunked kernels give.

use super::fused::{self, Scratch, Tape};
use super::jacobian::{self, Jacobian, JacobianScratch};
use super::{Channels, MlpShape};
use crate::pool;

/// Points per chunk. Fixed (not derived from the thread count) so that results do not depend
/// on it; large enough for the matrix products to stay efficient, small enough that 2D and
/// high-dimensional point sets give every core several chunks.
pub const CHUNK_POINTS: usize = 256;

/// One chunk: its points, its tape and its buffers.
#[derive(Clone, Debug, Default)]
struct Chunk {
    start: usize,
    len: usize,
    tape: Tape,
    scratch: Scratch,
    jac: JacobianScratch,
    /// This chunk's cotangents (channel-major over its own points).
    coeff: Vec<f64>,
    /// This chunk's gradient.
    grad: Vec<f64>,
}

/// Forward state of all points, chunked (see the module docs). Buffers are reused from call to
/// call.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    /// Points.
    pub n: usize,
    pub channels: Option<Channels>,
    /// Output channels of the last forward pass, channel-major over all points.
    pub out: Vec<f64>,
    chunks: Vec<Chunk>,
}

impl Batch {
    /// Forward pass at `x` (n × d, row-major); the outputs are `self.out`.
    pub fn forward(&mut self, shape: &MlpShape, theta: &[f64], x: &[f64], channels: Channels) {
        let d = channels.dim;
        let n = x.len() / d;
        let c = channels.count();
        self.n = n;
        self.channels = Some(channels);
        let pieces = n.div_ceil(CHUNK_POINTS).max(1);
        self.chunks.resize_with(pieces, Chunk::default);
        for (k, chunk) in self.chunks.iter_mut().enumerate() {
            chunk.start = k * CHUNK_POINTS;
            chunk.len = CHUNK_POINTS.min(n - chunk.start.min(n));
        }
        pool::for_each(&mut self.chunks, |chunk| {
            let xs = &x[chunk.start * d..(chunk.start + chunk.len) * d];
            fused::forward_into(shape, theta, xs, channels, &mut chunk.tape);
        });
        if let [only] = self.chunks.as_slice() {
            self.out.clone_from(&only.tape.out);
            return;
        }
        self.out.clear();
        self.out.resize(c * n, 0.0);
        for chunk in &self.chunks {
            for ch in 0..c {
                let src = &chunk.tape.out[ch * chunk.len..(ch + 1) * chunk.len];
                self.out[ch * n + chunk.start..ch * n + chunk.start + chunk.len]
                    .copy_from_slice(src);
            }
        }
    }

    /// Split channel-major coefficients over all points into each chunk's own.
    fn scatter(&mut self, coeff: &[f64]) {
        let n = self.n;
        let c = self.channel_count();
        for chunk in &mut self.chunks {
            chunk.coeff.clear();
            for ch in 0..c {
                let at = ch * n + chunk.start;
                chunk.coeff.extend_from_slice(&coeff[at..at + chunk.len]);
            }
        }
    }

    fn channel_count(&self) -> usize {
        self.channels
            .expect("the batch needs a forward pass first")
            .count()
    }

    /// Reverse pass: ∂/∂θ of Σ out_bar·out over all points, into `grad` (overwritten).
    pub fn backward(&mut self, shape: &MlpShape, theta: &[f64], out_bar: &[f64], grad: &mut [f64]) {
        self.scatter(out_bar);
        let p = grad.len();
        pool::for_each(&mut self.chunks, |chunk| {
            chunk.grad.resize(p, 0.0);
            fused::backward_into(
                shape,
                theta,
                &chunk.tape,
                &chunk.coeff,
                &mut chunk.grad,
                &mut chunk.scratch,
            );
        });
        grad.copy_from_slice(&self.chunks[0].grad);
        for chunk in &self.chunks[1..] {
            for (g, v) in grad.iter_mut().zip(&chunk.grad) {
                *g += v;
            }
        }
    }

    /// Rows i of ∂/∂θ [Σ_c coeff[c·n+i] · out[c·n+i]] for every point, into `jac` (resized
    /// to n × p).
    pub fn per_sample(
        &mut self,
        shape: &MlpShape,
        theta: &[f64],
        coeff: &[f64],
        jac: &mut Jacobian,
    ) {
        self.scatter(coeff);
        let p = shape.n_params();
        jac.rows = self.n;
        jac.cols = p;
        jac.data.clear();
        jac.data.resize(self.n * p, 0.0);
        let mut work: Vec<(&mut Chunk, &mut [f64])> = self
            .chunks
            .iter_mut()
            .zip(jac.data.chunks_mut(CHUNK_POINTS * p.max(1)))
            .collect();
        pool::for_each(&mut work, |(chunk, rows)| {
            jacobian::per_sample_rows(
                shape,
                theta,
                &chunk.tape,
                &chunk.coeff,
                rows,
                &mut chunk.jac,
            );
        });
    }
}

impl Batch {
    /// J·v for the Jacobian [`Self::per_sample`] would write, without storing it: each chunk's
    /// rows are formed in a buffer of its own, applied to `v` and dropped.
    pub fn row_products(
        &mut self,
        shape: &MlpShape,
        theta: &[f64],
        coeff: &[f64],
        v: &[f64],
    ) -> Vec<f64> {
        self.scatter(coeff);
        let p = shape.n_params();
        let mut out = vec![0.0; self.n];
        let mut work: Vec<(&mut Chunk, &mut [f64])> = self
            .chunks
            .iter_mut()
            .zip(out.chunks_mut(CHUNK_POINTS))
            .collect();
        pool::for_each(&mut work, |(chunk, out)| {
            let mut rows = vec![0.0; chunk.len * p];
            jacobian::per_sample_rows(
                shape,
                theta,
                &chunk.tape,
                &chunk.coeff,
                &mut rows,
                &mut chunk.jac,
            );
            for (o, row) in out.iter_mut().zip(rows.chunks(p.max(1))) {
                *o = row.iter().zip(v).map(|(a, b)| a * b).sum();
            }
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Activation, ActivationKind, DerivOrder, InitKind};

    /// Chunked passes over 2.5 chunks agree with the unchunked kernels to round-off.
    #[test]
    fn chunked_passes_match_the_whole_batch() {
        let shape = MlpShape::new(
            vec![2, 6, 5, 1],
            Activation::plain(ActivationKind::Tanh),
            0.8,
        );
        let theta = shape.init(InitKind::XavierNormal, 5);
        let n = CHUNK_POINTS * 2 + CHUNK_POINTS / 2;
        let x: Vec<f64> = (0..2 * n).map(|k| ((k as f64) * 0.37).sin()).collect();
        let ch = Channels::new(2, DerivOrder::SecondPerAxis);
        let (out, tape) = fused::forward(&shape, &theta, &x, ch);
        let mut batch = Batch::default();
        batch.forward(&shape, &theta, &x, ch);
        assert_eq!(batch.out.len(), out.len());
        for (a, b) in batch.out.iter().zip(&out) {
            assert_eq!(a, b, "forward values are computed point by point");
        }
        let coeff: Vec<f64> = (0..out.len()).map(|k| ((k as f64) * 0.11).cos()).collect();
        let whole = fused::backward(&shape, &theta, &tape, &coeff);
        let mut grad = vec![0.0; shape.n_params()];
        batch.backward(&shape, &theta, &coeff, &mut grad);
        for (a, b) in grad.iter().zip(&whole) {
            assert!((a - b).abs() < 1e-11 * (1.0 + b.abs()), "{a} vs {b}");
        }
        let mut j_whole = Jacobian::default();
        jacobian::per_sample(
            &shape,
            &theta,
            &tape,
            &coeff,
            &mut j_whole,
            &mut JacobianScratch::default(),
        );
        let mut j = Jacobian::default();
        batch.per_sample(&shape, &theta, &coeff, &mut j);
        assert_eq!((j.rows, j.cols), (j_whole.rows, j_whole.cols));
        for (a, b) in j.data.iter().zip(&j_whole.data) {
            assert!((a - b).abs() < 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
        }
        let v: Vec<f64> = (0..shape.n_params())
            .map(|k| (k as f64 * 0.7).sin())
            .collect();
        let jv = batch.row_products(&shape, &theta, &coeff, &v);
        for (a, b) in jv.iter().zip(j.apply(&v)) {
            assert!((a - b).abs() < 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }
}
