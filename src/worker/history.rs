//! Bounded history buffers for live plots: a series keeps at most `capacity` buckets; when full
//! it doubles its bucket width and merges neighbours. Each bucket keeps the minimum and the
//! maximum of its samples, so spikes survive any amount of decimation and a million-step run
//! costs the same memory and draw time as a short one.

/// One bucket: the x range it covers and the extreme samples in it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bucket {
    x_min: f64,
    x_max: f64,
    /// (x, y) of the smallest y.
    lo: (f64, f64),
    /// (x, y) of the largest y.
    hi: (f64, f64),
    count: u64,
}

impl Bucket {
    fn new(x: f64, y: f64) -> Self {
        Self {
            x_min: x,
            x_max: x,
            lo: (x, y),
            hi: (x, y),
            count: 1,
        }
    }

    fn push(&mut self, x: f64, y: f64) {
        self.x_max = x;
        if y < self.lo.1 {
            self.lo = (x, y);
        }
        if y > self.hi.1 {
            self.hi = (x, y);
        }
        self.count += 1;
    }

    fn merge(self, other: Bucket) -> Bucket {
        Bucket {
            x_min: self.x_min,
            x_max: other.x_max,
            lo: if other.lo.1 < self.lo.1 {
                other.lo
            } else {
                self.lo
            },
            hi: if other.hi.1 > self.hi.1 {
                other.hi
            } else {
                self.hi
            },
            count: self.count + other.count,
        }
    }
}

/// A min/max-decimated (x, y) series with bounded memory.
#[derive(Clone, Debug)]
pub struct DecimatedSeries {
    capacity: usize,
    /// Samples per bucket.
    width: u64,
    buckets: Vec<Bucket>,
    total: u64,
}

impl DecimatedSeries {
    /// A series that keeps at most `capacity` buckets (≤ 2·capacity plotted points).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(2),
            width: 1,
            buckets: Vec::new(),
            total: 0,
        }
    }

    /// Append a sample (x increasing). Non-finite y values are skipped.
    pub fn push(&mut self, x: f64, y: f64) {
        if !y.is_finite() {
            return;
        }
        self.total += 1;
        match self.buckets.last_mut() {
            Some(b) if b.count < self.width => b.push(x, y),
            _ => {
                self.buckets.push(Bucket::new(x, y));
                if self.buckets.len() > self.capacity {
                    self.compact();
                }
            }
        }
    }

    fn compact(&mut self) {
        self.width *= 2;
        let old = std::mem::take(&mut self.buckets);
        let mut it = old.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                Some(b) => self.buckets.push(a.merge(b)),
                None => self.buckets.push(a),
            }
        }
    }

    /// Samples pushed so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Buckets kept.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Points to draw, in x order: each bucket's min and max in the order they occurred.
    pub fn points(&self) -> Vec<[f64; 2]> {
        let mut out = Vec::with_capacity(self.buckets.len() * 2);
        for b in &self.buckets {
            let (first, second) = if b.lo.0 <= b.hi.0 {
                (b.lo, b.hi)
            } else {
                (b.hi, b.lo)
            };
            out.push([first.0, first.1]);
            if second != first {
                out.push([second.0, second.1]);
            }
        }
        out
    }

    /// The most recent sample's bucket maximum (for readouts).
    pub fn last(&self) -> Option<[f64; 2]> {
        self.buckets.last().map(|b| [b.hi.0, b.hi.1])
    }

    pub fn clear(&mut self) {
        self.buckets.clear();
        self.width = 1;
        self.total = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_bounded_and_spikes_survive() {
        let mut s = DecimatedSeries::new(512);
        for i in 0..1_000_000u64 {
            let y = if i == 777_777 {
                1e6
            } else {
                1.0 + (i % 7) as f64
            };
            s.push(i as f64, y);
        }
        assert!(s.len() <= 512);
        assert_eq!(s.total(), 1_000_000);
        let pts = s.points();
        assert!(pts.len() <= 1024);
        assert!(
            pts.iter().any(|p| p[1] == 1e6 && p[0] == 777_777.0),
            "the spike survives"
        );
        assert!(pts.iter().any(|p| p[1] == 1.0));
        assert!(
            pts.windows(2).all(|w| w[0][0] <= w[1][0]),
            "x stays ordered"
        );
    }

    #[test]
    fn short_series_are_kept_exactly() {
        let mut s = DecimatedSeries::new(100);
        for i in 0..50 {
            s.push(i as f64, (i * i) as f64);
        }
        s.push(50.0, f64::NAN);
        assert_eq!(s.points().len(), 50);
        assert_eq!(s.points()[49], [49.0, 2401.0]);
    }
}
