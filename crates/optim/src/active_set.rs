//! An exact method for the common long-only problems: `min 1/2 w' Q w + c' w` subject to
//! one equality `a' w = b` and box bounds `lower <= w <= upper`, with `Q` positive
//! definite. Primal-dual active set (Hintermüller, Ito and Kunisch, 2002): guess which
//! weights sit at a bound, solve the equality-constrained problem on the rest with a
//! Cholesky factor (faer), move weights that break a bound onto it and free bound weights
//! whose multiplier has the wrong sign; stop when the guess repeats. The answer is
//! accepted only if it satisfies every optimality condition to a tight tolerance;
//! otherwise (if `Q` restricted to the free set is not positive definite, a guess has no
//! solution even after changing only the worst offender, or the guesses cycle) the
//! caller falls back to the conic solver.

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};

/// Largest number of active-set changes tried.
const MAX_ITERATIONS: usize = 100;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Free,
    Lower,
    Upper,
}

/// The box- and equality-constrained problem. `q` is dense row-major `n x n`.
pub(crate) struct BoxQp<'a> {
    pub q: &'a [f64],
    pub c: &'a [f64],
    pub a: &'a [f64],
    pub b: f64,
    pub lower: &'a [f64],
    pub upper: &'a [f64],
}

impl BoxQp<'_> {
    /// The optimum, or `None` when the method cannot certify one.
    pub(crate) fn solve(&self) -> Option<Vec<f64>> {
        let n = self.c.len();
        let mut state = vec![State::Free; n];
        let mut w = vec![0.0; n];
        let mut lambda = self.solve_free(&state, &mut w)?;
        let mut trial = vec![0.0; n];
        for _ in 0..MAX_ITERATIONS {
            let gradient = self.residual(&w, lambda);
            let mut next = state.clone();
            let mut worst = (0.0, n);
            for i in 0..n {
                let (proposal, violation) = match state[i] {
                    State::Free if w[i] < self.lower[i] => (State::Lower, self.lower[i] - w[i]),
                    State::Free if w[i] > self.upper[i] => (State::Upper, w[i] - self.upper[i]),
                    State::Lower if gradient[i] < 0.0 => (State::Free, -gradient[i]),
                    State::Upper if gradient[i] > 0.0 => (State::Free, gradient[i]),
                    s => (s, 0.0),
                };
                next[i] = proposal;
                if violation > worst.0 {
                    worst = (violation, i);
                }
            }
            if next == state {
                return self.certified(&w, &gradient, lambda).then_some(w);
            }
            // Take every change at once; if that guess has no solution, only the worst.
            if let Some(l) = self.solve_free(&next, &mut trial) {
                state = next;
                std::mem::swap(&mut w, &mut trial);
                lambda = l;
            } else {
                let i = worst.1;
                if i == n {
                    return None;
                }
                state[i] = next[i];
                lambda = self.solve_free(&state, &mut w)?;
            }
        }
        None
    }

    /// Sets bound weights to their bound and solves for the free ones and the equality's
    /// multiplier.
    fn solve_free(&self, state: &[State], w: &mut [f64]) -> Option<f64> {
        let n = w.len();
        let free: Vec<usize> = (0..n).filter(|&i| state[i] == State::Free).collect();
        for i in 0..n {
            match state[i] {
                State::Lower => w[i] = self.lower[i],
                State::Upper => w[i] = self.upper[i],
                State::Free => w[i] = 0.0,
            }
        }
        let fixed_sum: f64 = (0..n).map(|i| self.a[i] * w[i]).sum();
        if free.is_empty() {
            return ((fixed_sum - self.b).abs() <= 1e-12 * self.b.abs().max(1.0)).then_some(0.0);
        }
        let k = free.len();
        let block = Mat::<f64>::from_fn(k, k, |r, s| self.q[free[r] * n + free[s]]);
        let llt = block.llt(Side::Lower).ok()?;
        let mut rhs = Mat::<f64>::zeros(k, 2);
        for (r, &i) in free.iter().enumerate() {
            let row = &self.q[i * n..(i + 1) * n];
            let fixed: f64 = (0..n)
                .filter(|&j| state[j] != State::Free)
                .map(|j| row[j] * w[j])
                .sum();
            rhs[(r, 0)] = -self.c[i] - fixed;
            rhs[(r, 1)] = self.a[i];
        }
        let x = llt.solve(&rhs);
        let (au, av) = free.iter().enumerate().fold((0.0, 0.0), |(u, v), (r, &i)| {
            (u + self.a[i] * x[(r, 0)], v + self.a[i] * x[(r, 1)])
        });
        if av.abs() < 1e-300 || !av.is_finite() {
            return None;
        }
        let lambda = (self.b - fixed_sum - au) / av;
        for (r, &i) in free.iter().enumerate() {
            w[i] = x[(r, 0)] + lambda * x[(r, 1)];
        }
        lambda.is_finite().then_some(lambda)
    }

    /// `Q w + c - lambda a`: the bound multipliers on bound weights, zero on free ones.
    fn residual(&self, w: &[f64], lambda: f64) -> Vec<f64> {
        let n = w.len();
        (0..n)
            .map(|i| {
                let row = &self.q[i * n..(i + 1) * n];
                row.iter().zip(w).map(|(q, x)| q * x).sum::<f64>() + self.c[i] - lambda * self.a[i]
            })
            .collect()
    }

    /// Every optimality condition: bounds, the equality, and multiplier signs.
    fn certified(&self, w: &[f64], gradient: &[f64], lambda: f64) -> bool {
        let scale = (0..w.len()).fold(1e-300f64, |m, i| {
            m.max(gradient[i].abs())
                .max((lambda * self.a[i]).abs())
                .max(self.c[i].abs())
        });
        let tol = 1e-9 * scale;
        let total: f64 = w.iter().zip(self.a).map(|(x, a)| x * a).sum();
        if (total - self.b).abs() > 1e-10 * self.b.abs().max(1.0) {
            return false;
        }
        w.iter().enumerate().all(|(i, &x)| {
            let (lo, hi, g) = (self.lower[i], self.upper[i], gradient[i]);
            let inside = x >= lo - 1e-12 && x <= hi + 1e-12;
            let at_lower = (x - lo).abs() <= 1e-12;
            let at_upper = (x - hi).abs() <= 1e-12;
            inside
                && (g.abs() <= tol || (at_lower && g >= -tol) || (at_upper && g <= tol))
                && x.is_finite()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conic::Problem;

    /// A deterministic positive-definite covariance: `A'A / m + diag`.
    fn covariance(n: usize, seed: u64) -> Vec<f64> {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        let m = n + 3;
        let a: Vec<f64> = (0..m * n).map(|_| next()).collect();
        (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                let dot: f64 = (0..m).map(|r| a[r * n + i] * a[r * n + j]).sum();
                0.1 * dot / m as f64 + if i == j { 0.002 } else { 0.0 }
            })
            .collect()
    }

    #[test]
    fn matches_the_conic_solver_on_random_problems() {
        let mut certified = 0;
        for (k, n) in [3usize, 5, 8, 13, 21, 34, 55]
            .iter()
            .cycle()
            .take(28)
            .enumerate()
        {
            let n = *n;
            let cov = covariance(n, k as u64 + 1);
            let q: Vec<f64> = cov.iter().map(|c| 2.0 * c).collect();
            let c: Vec<f64> = (0..n)
                .map(|i| 0.01 * ((i * 7 + k) % 5) as f64 - 0.02)
                .collect();
            let upper = if k % 2 == 0 { 1.0 } else { 3.0 / n as f64 };
            let problem = BoxQp {
                q: &q,
                c: &c,
                a: &vec![1.0; n],
                b: 1.0,
                lower: &vec![0.0; n],
                upper: &vec![upper; n],
            };
            let Some(exact) = problem.solve() else {
                continue;
            };
            certified += 1;
            let mut p = Problem::new(n);
            p.quadratic_block(0, n, &q);
            for (j, cj) in c.iter().enumerate() {
                p.linear(j, *cj);
            }
            p.equal(vec![((0..n).map(|j| (j, 1.0)).collect(), 1.0)]);
            p.at_most(
                (0..n)
                    .flat_map(|j| [(vec![(j, 1.0)], upper), (vec![(j, -1.0)], 0.0)])
                    .collect(),
            );
            let conic = p.solve("test").unwrap();
            let diff = exact
                .iter()
                .zip(&conic)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(diff < 1e-6, "n = {n}, case {k}: {diff:e}");
        }
        println!("active set certified {certified} of 28");
        // The method declines rather than guesses; it should certify most problems.
        assert!(certified >= 22, "{certified} of 28 certified");
    }

    #[test]
    fn infeasible_or_singular_problems_are_declined() {
        // Bounds that cannot meet the equality: no certified answer.
        let q = [2.0, 0.0, 0.0, 2.0];
        let p = BoxQp {
            q: &q,
            c: &[0.0, 0.0],
            a: &[1.0, 1.0],
            b: 1.0,
            lower: &[0.0, 0.0],
            upper: &[0.2, 0.2],
        };
        assert!(p.solve().is_none());
        // A singular Q: the Cholesky factor fails and the caller falls back.
        let q = [1.0, 1.0, 1.0, 1.0];
        let p = BoxQp {
            q: &q,
            c: &[0.0, 0.0],
            a: &[1.0, 1.0],
            b: 1.0,
            lower: &[0.0, 0.0],
            upper: &[1.0, 1.0],
        };
        assert!(p.solve().is_none());
    }
}
