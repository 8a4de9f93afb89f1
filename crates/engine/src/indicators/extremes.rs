//! Highest and lowest of the last `n` values with a monotonic deque (amortised O(1),
//! no allocation after construction).

use std::collections::VecDeque;

/// The extreme of a window: `better(a, b)` is true when `a` beats `b`.
#[derive(Clone, Debug)]
struct Extreme {
    n: usize,
    t: usize,
    deque: VecDeque<(usize, f64)>,
}

impl Extreme {
    fn new(n: usize) -> Self {
        Extreme {
            n: n.max(1),
            t: 0,
            deque: VecDeque::with_capacity(n.max(1) + 1),
        }
    }

    fn update(&mut self, x: f64, better: impl Fn(f64, f64) -> bool) -> Option<f64> {
        while self.deque.back().is_some_and(|&(_, v)| !better(v, x)) {
            self.deque.pop_back();
        }
        self.deque.push_back((self.t, x));
        while self
            .deque
            .front()
            .is_some_and(|&(i, _)| i + self.n <= self.t)
        {
            self.deque.pop_front();
        }
        self.t += 1;
        if self.t >= self.n {
            self.deque.front().map(|&(_, v)| v)
        } else {
            None
        }
    }
}

/// The highest of the last `n` values.
#[derive(Clone, Debug)]
pub struct Highest(Extreme);

impl Highest {
    /// Over `n` bars.
    pub fn new(n: usize) -> Self {
        Highest(Extreme::new(n))
    }

    /// Takes a value; the maximum once `n` are in.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.0.update(x, |a, b| a > b)
    }
}

/// The lowest of the last `n` values.
#[derive(Clone, Debug)]
pub struct Lowest(Extreme);

impl Lowest {
    /// Over `n` bars.
    pub fn new(n: usize) -> Self {
        Lowest(Extreme::new(n))
    }

    /// Takes a value; the minimum once `n` are in.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.0.update(x, |a, b| a < b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_brute_force_window_with_ties() {
        let values: Vec<f64> = (0..500)
            .map(|i| ((i * 37 % 23) as f64).sin().round())
            .collect();
        let (mut high, mut low) = (Highest::new(7), Lowest::new(7));
        for (t, &x) in values.iter().enumerate() {
            let (h, l) = (high.update(x), low.update(x));
            if t + 1 < 7 {
                assert!(h.is_none() && l.is_none());
                continue;
            }
            let window = &values[t + 1 - 7..=t];
            assert_eq!(h, window.iter().cloned().reduce(f64::max));
            assert_eq!(l, window.iter().cloned().reduce(f64::min));
        }
    }
}
