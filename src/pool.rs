//! The one compute pool. Every parallel kernel — dense linear algebra through faer
//! ([`par`]), the point-chunked forward and reverse passes and the per-sample Jacobian rows
//! ([`for_each`]) — runs on it, in the GUI, the CLI, `reproduce` and `bench` alike.
//!
//! Its size is set once per process by `--threads N` (or the explorer's setting, which may
//! change it between runs); unset, it uses every core. Work is split into pieces whose
//! boundaries do not depend on the thread count and partial sums are added in piece order, so
//! a run gives bitwise the same numbers at any thread count (tested on `history.csv`).
//!
//! Several callers may use the pool at once (`reproduce --jobs N` runs cells on N threads of
//! its own): their pieces share the pool's threads, so jobs split the cores between them.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use faer::Par;
use rayon::prelude::*;
use thiserror::Error;

/// Keep freed memory in the process for the next allocation instead of handing it back to the
/// system, for allocations up to glibc's limit of 32 MiB. A Levenberg–Marquardt iteration at
/// 2D Allen–Cahn's size allocates and frees a normal matrix and a Cholesky factor of 31 MiB
/// each; served fresh from the system, every page of them is faulted in and zeroed again
/// (about a tenth of the iteration). The numbers computed are unchanged; each allocator arena
/// (one per thread that allocates: the main one, a `reproduce --jobs N` job's, the explorer's
/// worker) keeps its freed chunks below 32 MiB until [`release_freed_memory`] (the explorer
/// calls it when a run is replaced). Called once by the binary at start-up; a no-op off
/// Linux/glibc.
pub fn reuse_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; it is called before any other thread
    // starts, and a refused value leaves glibc's defaults in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

/// Hand the memory the allocator keeps for reuse back to the system ([`reuse_freed_memory`]);
/// a no-op off Linux/glibc.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it takes the arenas' locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The largest thread count accepted.
pub const MAX_THREADS: usize = 1024;

/// A thread count outside 1..=[`MAX_THREADS`], or a pool the system would not start.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ThreadsError {
    #[error("threads must be between 1 and {MAX_THREADS} (got {0})")]
    OutOfRange(usize),
    #[error("could not start {threads} compute threads: {message}")]
    Start { threads: usize, message: String },
}

struct Pool {
    threads: usize,
    /// None when one thread: everything runs on the caller's thread.
    rayon: Option<Arc<rayon::ThreadPool>>,
}

static POOL: Mutex<Option<Pool>> = Mutex::new(None);

/// Whether `--threads` was given (it then wins over the explorer's remembered setting).
static FROM_COMMAND_LINE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Record that the command line chose the size.
pub fn mark_from_command_line() {
    FROM_COMMAND_LINE.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Whether the command line chose the size.
pub fn from_command_line() -> bool {
    FROM_COMMAND_LINE.load(std::sync::atomic::Ordering::Relaxed)
}

/// Cores this machine offers (1 when it cannot tell).
pub fn available() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// The explorer's default: every core, less one for drawing when there are more than two.
pub fn gui_default() -> usize {
    let cores = available();
    if cores > 2 { cores - 1 } else { cores }
}

/// Check a thread count from the command line or a settings field.
pub fn validate(threads: usize) -> Result<usize, ThreadsError> {
    if (1..=MAX_THREADS).contains(&threads) {
        Ok(threads)
    } else {
        Err(ThreadsError::OutOfRange(threads))
    }
}

fn build(threads: usize) -> Result<Pool, ThreadsError> {
    let rayon = if threads == 1 {
        None
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("hx-compute-{i}"))
            .build()
            .map_err(|e| ThreadsError::Start {
                threads,
                message: e.to_string(),
            })?;
        Some(Arc::new(pool))
    };
    // faer's own decompositions (eigen, SVD, QR) take their parallelism from this global.
    // They stay sequential: faer splits their work by the thread count, which would make their
    // round-off depend on `--threads`. The parallel factorization the solvers need is
    // `linalg::cholesky`, whose pieces do not depend on it.
    faer::set_global_parallelism(Par::Seq);
    Ok(Pool { threads, rayon })
}

fn lock() -> std::sync::MutexGuard<'static, Option<Pool>> {
    POOL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Size the pool to `threads` (work already running finishes on the old pool).
pub fn set_threads(threads: usize) -> Result<(), ThreadsError> {
    let threads = validate(threads)?;
    let mut pool = lock();
    if pool.as_ref().is_some_and(|p| p.threads == threads) {
        return Ok(());
    }
    *pool = Some(build(threads)?);
    Ok(())
}

/// The pool's size (every core until [`set_threads`] is called).
pub fn threads() -> usize {
    current().0
}

fn current() -> (usize, Option<Arc<rayon::ThreadPool>>) {
    let mut pool = lock();
    if pool.is_none() {
        // Every core; if the system refuses the threads, run on the caller's thread.
        *pool = Some(build(available()).unwrap_or(Pool {
            threads: 1,
            rayon: None,
        }));
    }
    let p = pool.as_ref().expect("set just above");
    (p.threads, p.rayon.clone())
}

/// Run `f` inside the pool with the faer parallelism that matches it (`Par::Seq` for one
/// thread): faer's parallel kernels then use the pool's threads, not rayon's global pool.
pub fn install<R: Send>(f: impl FnOnce(Par) -> R + Send) -> R {
    match current() {
        (threads, Some(pool)) => pool.install(|| f(Par::rayon(threads))),
        (_, None) => f(Par::Seq),
    }
}

/// `f` on every item, in parallel on the pool (in order on the caller's thread for one
/// thread). Items are the fixed pieces of the work; their results stay in the items.
pub fn for_each<T: Send>(items: &mut [T], f: impl Fn(&mut T) + Sync + Send) {
    match current() {
        (_, Some(pool)) if items.len() > 1 => pool.install(|| items.par_iter_mut().for_each(f)),
        _ => items.iter_mut().for_each(f),
    }
}

/// `f(k, piece)` on the pieces of `data` cut every `size` entries (the last may be shorter;
/// k counts pieces from 0), in parallel on the pool. The cut does not depend on the thread
/// count, so neither do the numbers when each piece is worked sequentially.
pub fn for_each_piece<T: Send>(
    data: &mut [T],
    size: usize,
    f: impl Fn(usize, &mut [T]) + Sync + Send,
) {
    let mut pieces: Vec<(usize, &mut [T])> = data.chunks_mut(size.max(1)).enumerate().collect();
    for_each(&mut pieces, |(k, piece)| f(*k, piece));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts_outside_the_range_are_refused_with_the_range() {
        assert_eq!(validate(0), Err(ThreadsError::OutOfRange(0)));
        assert_eq!(validate(1025), Err(ThreadsError::OutOfRange(1025)));
        assert_eq!(validate(4), Ok(4));
        let message = ThreadsError::OutOfRange(0).to_string();
        assert!(message.contains("between 1 and 1024"), "{message}");
    }

    #[test]
    fn for_each_piece_numbers_fixed_pieces_and_keeps_the_short_last_one() {
        let mut data: Vec<usize> = vec![0; 10];
        for_each_piece(&mut data, 4, |k, piece| {
            piece.iter_mut().for_each(|v| *v = k + 1)
        });
        assert_eq!(data, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
        // Size 0 is one entry a piece; no data, no call.
        for_each_piece(&mut data, 0, |k, piece| piece[0] = k);
        assert_eq!(data, (0..10).collect::<Vec<_>>());
        for_each_piece(&mut [] as &mut [usize], 3, |_, _| {
            panic!("called on no data")
        });
    }

    #[test]
    fn for_each_visits_every_item_once() {
        let mut items: Vec<(usize, usize)> = (0..37).map(|i| (i, 0)).collect();
        for_each(&mut items, |(i, out)| *out = *i * 2 + 1);
        assert!(items.iter().all(|(i, out)| *out == i * 2 + 1));
    }
}
