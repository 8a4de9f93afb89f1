//! An exact method for the common long-only problems: `min 1/2 w' Q w + c' w` subject to
//! a few equalities `A w = b` and box bounds `lower <= w <= upper`, with `Q` positive
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

/// The box- and equality-constrained problem. `q` is dense row-major `n x n`; each
/// equality is a row `a` and its right-hand side.
pub(crate) struct BoxQp<'a> {
    pub q: &'a [f64],
    pub c: &'a [f64],
    pub equalities: &'a [(&'a [f64], f64)],
    pub lower: &'a [f64],
    pub upper: &'a [f64],
}

/// A certified optimum: weights and the equalities' multipliers.
pub(crate) struct Optimum {
    pub w: Vec<f64>,
    pub multipliers: Vec<f64>,
}

impl BoxQp<'_> {
    /// The optimum, or `None` when the method cannot certify one.
    pub(crate) fn solve(&self) -> Option<Optimum> {
        let n = self.c.len();
        let mut state = vec![State::Free; n];
        let mut w = vec![0.0; n];
        let mut lambda = self.solve_free(&state, &mut w)?;
        let mut trial = vec![0.0; n];
        for _ in 0..MAX_ITERATIONS {
            let gradient = self.residual(&w, &lambda);
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
                return self.certified(&w, &gradient, &lambda).then_some(Optimum {
                    w,
                    multipliers: lambda,
                });
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

    /// Sets bound weights to their bound and solves for the free ones and the
    /// equalities' multipliers.
    fn solve_free(&self, state: &[State], w: &mut [f64]) -> Option<Vec<f64>> {
        let n = w.len();
        let m = self.equalities.len();
        let free: Vec<usize> = (0..n).filter(|&i| state[i] == State::Free).collect();
        for i in 0..n {
            w[i] = match state[i] {
                State::Lower => self.lower[i],
                State::Upper => self.upper[i],
                State::Free => 0.0,
            };
            if !w[i].is_finite() {
                return None;
            }
        }
        // Right-hand sides left for the free weights.
        let left: Vec<f64> = self
            .equalities
            .iter()
            .map(|(a, b)| b - (0..n).map(|i| a[i] * w[i]).sum::<f64>())
            .collect();
        if free.is_empty() {
            let fits = left.iter().all(|r| r.abs() <= 1e-12);
            return fits.then(|| vec![0.0; m]);
        }
        let k = free.len();
        let block = Mat::<f64>::from_fn(k, k, |r, s| self.q[free[r] * n + free[s]]);
        let llt = block.llt(Side::Lower).ok()?;
        // Columns: the unconstrained free solution, then one per equality.
        let mut rhs = Mat::<f64>::zeros(k, 1 + m);
        for (r, &i) in free.iter().enumerate() {
            let row = &self.q[i * n..(i + 1) * n];
            let fixed: f64 = (0..n)
                .filter(|&j| state[j] != State::Free)
                .map(|j| row[j] * w[j])
                .sum();
            rhs[(r, 0)] = -self.c[i] - fixed;
            for (e, (a, _)) in self.equalities.iter().enumerate() {
                rhs[(r, 1 + e)] = a[i];
            }
        }
        let x = llt.solve(&rhs);
        // Schur complement: (A Q^-1 A') lambda = left - A u.
        let mut schur = vec![0.0; m * m];
        let mut target = left.clone();
        for (e, (a, _)) in self.equalities.iter().enumerate() {
            for (r, &i) in free.iter().enumerate() {
                target[e] -= a[i] * x[(r, 0)];
                for f in 0..m {
                    schur[e * m + f] += a[i] * x[(r, 1 + f)];
                }
            }
        }
        let lambda = solve_small(&mut schur, &mut target, m)?;
        for (r, &i) in free.iter().enumerate() {
            w[i] = x[(r, 0)] + (0..m).map(|e| lambda[e] * x[(r, 1 + e)]).sum::<f64>();
        }
        lambda.iter().all(|l| l.is_finite()).then_some(lambda)
    }

    /// `Q w + c - A' lambda`: the bound multipliers on bound weights, zero on free ones.
    fn residual(&self, w: &[f64], lambda: &[f64]) -> Vec<f64> {
        let n = w.len();
        (0..n)
            .map(|i| {
                let row = &self.q[i * n..(i + 1) * n];
                row.iter().zip(w).map(|(q, x)| q * x).sum::<f64>() + self.c[i]
                    - self
                        .equalities
                        .iter()
                        .zip(lambda)
                        .map(|((a, _), l)| l * a[i])
                        .sum::<f64>()
            })
            .collect()
    }

    /// Every optimality condition: bounds, the equalities, and multiplier signs.
    fn certified(&self, w: &[f64], gradient: &[f64], lambda: &[f64]) -> bool {
        let scale = (0..w.len()).fold(1e-300f64, |m, i| {
            let pull = self
                .equalities
                .iter()
                .zip(lambda)
                .fold(0.0f64, |s, ((a, _), l)| s.max((l * a[i]).abs()));
            m.max(gradient[i].abs()).max(pull).max(self.c[i].abs())
        });
        let tol = 1e-9 * scale;
        for (a, b) in self.equalities {
            let total: f64 = w.iter().zip(a.iter()).map(|(x, a)| x * a).sum();
            if (total - b).abs() > 1e-10 * b.abs().max(1.0) {
                return false;
            }
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

/// Solves the small dense system `m x = r` (`k x k`) by Gaussian elimination with partial
/// pivoting; `None` if singular.
fn solve_small(m: &mut [f64], r: &mut [f64], k: usize) -> Option<Vec<f64>> {
    for col in 0..k {
        let pivot =
            (col..k).max_by(|&a, &b| m[a * k + col].abs().total_cmp(&m[b * k + col].abs()))?;
        if m[pivot * k + col].abs() < 1e-300 {
            return None;
        }
        for j in 0..k {
            m.swap(col * k + j, pivot * k + j);
        }
        r.swap(col, pivot);
        for row in col + 1..k {
            let f = m[row * k + col] / m[col * k + col];
            for j in col..k {
                m[row * k + j] -= f * m[col * k + j];
            }
            r[row] -= f * r[col];
        }
    }
    let mut x = vec![0.0; k];
    for row in (0..k).rev() {
        let s: f64 = (row + 1..k).map(|j| m[row * k + j] * x[j]).sum();
        x[row] = (r[row] - s) / m[row * k + row];
    }
    Some(x)
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
                equalities: &[(&vec![1.0; n], 1.0)],
                lower: &vec![0.0; n],
                upper: &vec![upper; n],
            };
            let Some(Optimum { w: exact, .. }) = problem.solve() else {
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
            equalities: &[(&[1.0, 1.0], 1.0)],
            lower: &[0.0, 0.0],
            upper: &[0.2, 0.2],
        };
        assert!(p.solve().is_none());
        // A singular Q: the Cholesky factor fails and the caller falls back.
        let q = [1.0, 1.0, 1.0, 1.0];
        let p = BoxQp {
            q: &q,
            c: &[0.0, 0.0],
            equalities: &[(&[1.0, 1.0], 1.0)],
            lower: &[0.0, 0.0],
            upper: &[1.0, 1.0],
        };
        assert!(p.solve().is_none());
    }

    #[test]
    fn two_equalities_match_the_conic_solver() {
        for (k, n) in [4usize, 9, 16, 30].iter().enumerate() {
            let n = *n;
            let cov = covariance(n, 100 + k as u64);
            let q: Vec<f64> = cov.iter().map(|c| 2.0 * c).collect();
            let mu: Vec<f64> = (0..n)
                .map(|i| 0.02 + 0.2 * ((i * 37 + k) % 11) as f64 / 11.0)
                .collect();
            let target =
                0.5 * (mu.iter().sum::<f64>() / n as f64 + mu.iter().cloned().fold(0.0, f64::max));
            let problem = BoxQp {
                q: &q,
                c: &vec![0.0; n],
                equalities: &[(&vec![1.0; n], 1.0), (&mu, target)],
                lower: &vec![0.0; n],
                upper: &vec![1.0; n],
            };
            let o = problem.solve().expect("certified");
            assert!(o.multipliers[1] >= 0.0);
            let mut p = Problem::new(n);
            p.quadratic_block(0, n, &q);
            p.equal(vec![
                ((0..n).map(|j| (j, 1.0)).collect(), 1.0),
                (
                    mu.iter().enumerate().map(|(j, m)| (j, *m)).collect(),
                    target,
                ),
            ]);
            p.at_most(
                (0..n)
                    .flat_map(|j| [(vec![(j, 1.0)], 1.0), (vec![(j, -1.0)], 0.0)])
                    .collect(),
            );
            let conic = p.solve("test").unwrap();
            let diff =
                o.w.iter()
                    .zip(&conic)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
            assert!(diff < 1e-6, "n = {n}: {diff:e}");
        }
    }
}
