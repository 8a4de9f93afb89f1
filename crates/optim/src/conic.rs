//! A thin builder over clarabel: variables, a quadratic objective (diagonal terms or a
//! dense block), and rows of `A x + s = b` grouped by cone.

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettings, DefaultSolver, IPSolver, NonnegativeConeT, SecondOrderConeT, SolverStatus,
    SupportedConeT, ZeroConeT,
};

use crate::error::OptimError;

/// One block of constraint rows and its cone.
enum Block {
    Zero(usize),
    Nonnegative(usize),
    SecondOrder(usize),
}

/// A conic problem `min 1/2 x' P x + q' x` subject to `b - A x` in the cones.
pub(crate) struct Problem {
    variables: usize,
    p_diagonal: Vec<f64>,
    p_upper: Vec<(usize, usize, f64)>,
    q: Vec<f64>,
    rows: Vec<usize>,
    cols: Vec<usize>,
    values: Vec<f64>,
    b: Vec<f64>,
    blocks: Vec<Block>,
}

impl Problem {
    /// A problem over `variables` unknowns with a zero objective.
    pub(crate) fn new(variables: usize) -> Problem {
        Problem {
            variables,
            p_diagonal: vec![0.0; variables],
            p_upper: Vec::new(),
            q: vec![0.0; variables],
            rows: Vec::new(),
            cols: Vec::new(),
            values: Vec::new(),
            b: Vec::new(),
            blocks: Vec::new(),
        }
    }

    /// Adds `value` to the quadratic weight of variable `j` (the objective holds `1/2 p x_j^2`).
    pub(crate) fn quadratic(&mut self, j: usize, value: f64) {
        self.p_diagonal[j] += value;
    }

    /// Adds a dense symmetric block `m` (`k x k`, row-major) on variables
    /// `first..first + k` to `P` (the objective holds `1/2 x' m x` on them).
    pub(crate) fn quadratic_block(&mut self, first: usize, k: usize, m: &[f64]) {
        for i in 0..k {
            self.p_diagonal[first + i] += m[i * k + i];
            for j in i + 1..k {
                if m[i * k + j] != 0.0 {
                    self.p_upper.push((first + i, first + j, m[i * k + j]));
                }
            }
        }
    }

    /// Adds `value` to the linear weight of variable `j`.
    pub(crate) fn linear(&mut self, j: usize, value: f64) {
        self.q[j] += value;
    }

    fn push_rows(&mut self, rows: Vec<(Vec<(usize, f64)>, f64)>) {
        for (terms, rhs) in rows {
            let r = self.b.len();
            for (j, v) in terms {
                if v != 0.0 {
                    self.rows.push(r);
                    self.cols.push(j);
                    self.values.push(v);
                }
            }
            self.b.push(rhs);
        }
    }

    /// Rows `sum a_j x_j = rhs`.
    pub(crate) fn equal(&mut self, rows: Vec<(Vec<(usize, f64)>, f64)>) {
        self.blocks.push(Block::Zero(rows.len()));
        self.push_rows(rows);
    }

    /// Rows `sum a_j x_j <= rhs`.
    pub(crate) fn at_most(&mut self, rows: Vec<(Vec<(usize, f64)>, f64)>) {
        self.blocks.push(Block::Nonnegative(rows.len()));
        self.push_rows(rows);
    }

    /// A second-order cone: with `u_k = rhs_k - sum a_j x_j` per row, `u_0 >= ||u_1..||`.
    pub(crate) fn second_order(&mut self, rows: Vec<(Vec<(usize, f64)>, f64)>) {
        self.blocks.push(Block::SecondOrder(rows.len()));
        self.push_rows(rows);
    }

    /// Solves at tight tolerances (1e-10); when the solver stalls there (insufficient
    /// progress, iteration limit, numerical trouble), solves again at its default
    /// tolerances (1e-8). Returns
    /// the primal solution or names the status.
    pub(crate) fn solve(self, what: &str) -> Result<Vec<f64>, OptimError> {
        let n = self.variables;
        let (mut pr, mut pc, mut pv): (Vec<usize>, Vec<usize>, Vec<f64>) =
            ((0..n).collect(), (0..n).collect(), self.p_diagonal.clone());
        for &(r, c, v) in &self.p_upper {
            pr.push(r);
            pc.push(c);
            pv.push(v);
        }
        let p = CscMatrix::new_from_triplets(n, n, pr, pc, pv);
        let a = CscMatrix::new_from_triplets(
            self.b.len(),
            n,
            self.rows.clone(),
            self.cols.clone(),
            self.values.clone(),
        );
        let cones: Vec<SupportedConeT<f64>> = self
            .blocks
            .iter()
            .map(|b| match *b {
                Block::Zero(k) => ZeroConeT(k),
                Block::Nonnegative(k) => NonnegativeConeT(k),
                Block::SecondOrder(k) => SecondOrderConeT(k),
            })
            .collect();
        let mut last = SolverStatus::Unsolved;
        for tolerance in [1e-10, 1e-8] {
            let settings = DefaultSettings::<f64> {
                verbose: false,
                tol_gap_abs: tolerance,
                tol_gap_rel: tolerance,
                tol_feas: tolerance,
                ..DefaultSettings::default()
            };
            let mut solver = DefaultSolver::new(&p, &self.q, &a, &self.b, &cones, settings)
                .map_err(|e| {
                    OptimError::Solver(format!("{what}: cannot set up the problem: {e:?}"))
                })?;
            solver.solve();
            last = solver.solution.status;
            match last {
                SolverStatus::Solved | SolverStatus::AlmostSolved => return Ok(solver.solution.x),
                SolverStatus::PrimalInfeasible => {
                    return Err(OptimError::Infeasible(format!(
                        "{what}: the constraints admit no portfolio"
                    )))
                }
                _ => {}
            }
        }
        match last {
            SolverStatus::AlmostPrimalInfeasible => Err(OptimError::Infeasible(format!(
                "{what}: the constraints admit no portfolio"
            ))),
            status => Err(OptimError::Solver(format!("{what}: {status:?}"))),
        }
    }
}
