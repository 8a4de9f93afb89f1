//! Agglomerative hierarchical clustering with SciPy's conventions, so that HRP orders
//! assets exactly as `scipy.cluster.hierarchy.linkage(...)` followed by
//! `to_tree(...).pre_order()` does: single linkage by Prim's minimum spanning tree,
//! complete, average and Ward by the nearest-neighbour chain, merges sorted by distance
//! (stable) and relabelled so that each merge names the smaller cluster id first.

use serde::{Deserialize, Serialize};

use crate::error::OptimError;

/// How the distance between two clusters is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Linkage {
    /// Closest pair of members.
    Single,
    /// Farthest pair of members.
    Complete,
    /// Mean over all pairs of members (UPGMA).
    Average,
    /// Increase in within-cluster variance (Lance-Williams on Euclidean distances).
    Ward,
}

impl Linkage {
    /// Parses `single`, `complete`, `average` or `ward`.
    pub fn parse(text: &str) -> Result<Self, OptimError> {
        match text {
            "single" => Ok(Self::Single),
            "complete" => Ok(Self::Complete),
            "average" => Ok(Self::Average),
            "ward" => Ok(Self::Ward),
            other => Err(OptimError::Invalid(format!(
                "unknown linkage {other:?} (expected single, complete, average or ward)"
            ))),
        }
    }
}

/// One row of SciPy's linkage matrix: clusters `left < right` (ids below `n` are assets,
/// `n + k` is the cluster made by merge `k`) joined at `distance` into `size` assets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Merge {
    /// Smaller cluster id.
    pub left: usize,
    /// Larger cluster id.
    pub right: usize,
    /// Distance at which they join.
    pub distance: f64,
    /// Assets in the merged cluster.
    pub size: usize,
}

/// Index of the pair `(i, j)`, `i != j`, in a condensed distance vector of `n` points.
fn condensed(n: usize, i: usize, j: usize) -> usize {
    let (a, b) = if i < j { (i, j) } else { (j, i) };
    n * a - a * (a + 1) / 2 + b - a - 1
}

/// Clusters `n` points given their condensed distances (`n (n - 1) / 2` values, pair
/// `(i, j)` with `i < j` in row order).
pub fn linkage(distances: &[f64], n: usize, method: Linkage) -> Result<Vec<Merge>, OptimError> {
    if n < 2 || distances.len() != n * (n - 1) / 2 {
        return Err(OptimError::Invalid(format!(
            "{} distances do not describe {n} points (need n >= 2 and n (n - 1) / 2 values)",
            distances.len()
        )));
    }
    if let Some(k) = distances.iter().position(|d| !(d.is_finite() && *d >= 0.0)) {
        return Err(OptimError::Invalid(format!(
            "distance {k} is {} (must be finite and non-negative)",
            distances[k]
        )));
    }
    let mut merges = match method {
        Linkage::Single => minimum_spanning_tree(distances, n),
        _ => nearest_neighbour_chain(distances.to_vec(), n, method),
    };
    merges.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    relabel(&mut merges, n);
    Ok(merges)
}

/// Prim's algorithm: each step joins the closest point not yet in the tree.
fn minimum_spanning_tree(distances: &[f64], n: usize) -> Vec<Merge> {
    let mut merged = vec![false; n];
    let mut nearest = vec![f64::INFINITY; n];
    let mut merges = Vec::with_capacity(n - 1);
    let mut x = 0;
    for _ in 0..n - 1 {
        merged[x] = true;
        let mut best = f64::INFINITY;
        let mut y = x;
        for i in 0..n {
            if merged[i] {
                continue;
            }
            let d = distances[condensed(n, x, i)];
            if nearest[i] > d {
                nearest[i] = d;
            }
            if nearest[i] < best {
                best = nearest[i];
                y = i;
            }
        }
        merges.push(Merge {
            left: x,
            right: y,
            distance: best,
            size: 0,
        });
        x = y;
    }
    merges
}

/// The nearest-neighbour chain with Lance-Williams updates; cluster `y` of each merged
/// pair `x < y` takes the merged cluster's place.
fn nearest_neighbour_chain(mut d: Vec<f64>, n: usize, method: Linkage) -> Vec<Merge> {
    let mut size = vec![1usize; n];
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let mut merges = Vec::with_capacity(n - 1);
    for _ in 0..n - 1 {
        if chain.is_empty() {
            if let Some(first) = (0..n).find(|&i| size[i] > 0) {
                chain.push(first);
            }
        }
        let (x, y, distance) = loop {
            let x = chain[chain.len() - 1];
            let previous = (chain.len() > 1).then(|| chain[chain.len() - 2]);
            let mut best = previous.map_or(f64::INFINITY, |p| d[condensed(n, x, p)]);
            let mut y = previous.unwrap_or(x);
            for i in 0..n {
                if size[i] == 0 || i == x {
                    continue;
                }
                let dist = d[condensed(n, x, i)];
                if dist < best {
                    best = dist;
                    y = i;
                }
            }
            if previous == Some(y) {
                chain.truncate(chain.len() - 2);
                break (x.min(y), x.max(y), best);
            }
            chain.push(y);
        };
        let (nx, ny) = (size[x], size[y]);
        merges.push(Merge {
            left: x,
            right: y,
            distance,
            size: nx + ny,
        });
        size[x] = 0;
        size[y] = nx + ny;
        for i in 0..n {
            let ni = size[i];
            if ni == 0 || i == y {
                continue;
            }
            let (dix, diy) = (d[condensed(n, i, x)], d[condensed(n, i, y)]);
            d[condensed(n, i, y)] = lance_williams(method, dix, diy, distance, nx, ny, ni);
        }
    }
    merges
}

/// Distance from cluster `i` to the union of `x` and `y`.
fn lance_williams(
    method: Linkage,
    dix: f64,
    diy: f64,
    dxy: f64,
    nx: usize,
    ny: usize,
    ni: usize,
) -> f64 {
    let (nx, ny, ni) = (nx as f64, ny as f64, ni as f64);
    match method {
        Linkage::Single => dix.min(diy),
        Linkage::Complete => dix.max(diy),
        Linkage::Average => (nx * dix + ny * diy) / (nx + ny),
        Linkage::Ward => {
            let t = 1.0 / (nx + ny + ni);
            ((ni + nx) * t * dix * dix + (ni + ny) * t * diy * diy - ni * t * dxy * dxy).sqrt()
        }
    }
}

/// Renames merge members to the ids of their current clusters (union-find), smaller first,
/// and fills in sizes.
fn relabel(merges: &mut [Merge], n: usize) {
    let mut parent: Vec<usize> = (0..2 * n - 1).collect();
    let mut size: Vec<usize> = vec![1; 2 * n - 1];
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        let mut root = x;
        while parent[root] != root {
            root = parent[root];
        }
        while parent[x] != root {
            let next = parent[x];
            parent[x] = root;
            x = next;
        }
        root
    }
    for (k, merge) in merges.iter_mut().enumerate() {
        let a = find(&mut parent, merge.left);
        let b = find(&mut parent, merge.right);
        let id = n + k;
        parent[a] = id;
        parent[b] = id;
        size[id] = size[a] + size[b];
        merge.left = a.min(b);
        merge.right = a.max(b);
        merge.size = size[id];
    }
}

/// Leaves in the order of a pre-order walk from the root, left (smaller id) child first:
/// SciPy's `to_tree(Z).pre_order()`.
pub fn leaf_order(merges: &[Merge], n: usize) -> Vec<usize> {
    let mut order = Vec::with_capacity(n);
    let Some(root) = merges.len().checked_sub(1) else {
        return (0..n).collect();
    };
    let mut stack = vec![n + root];
    while let Some(node) = stack.pop() {
        if node < n {
            order.push(node);
        } else {
            let merge = merges[node - n];
            stack.push(merge.right);
            stack.push(merge.left);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condensed_indices_follow_row_order() {
        let n = 4;
        let pairs: Vec<usize> = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| condensed(n, i, j)))
            .collect();
        assert_eq!(pairs, (0..6).collect::<Vec<_>>());
        assert_eq!(condensed(n, 3, 1), condensed(n, 1, 3));
    }

    #[test]
    fn four_points_on_a_line() {
        // Points 0, 1, 3, 7 on a line: single linkage joins {0,1} at 1, then 3 at 2, then 7
        // at 4; complete joins {0,1} at 1, then {0,1,3} at 3, then 7 at 7.
        let x = [0.0f64, 1.0, 3.0, 7.0];
        let d: Vec<f64> = (0..4)
            .flat_map(|i| (i + 1..4).map(move |j| (x[i] - x[j]).abs()))
            .collect();
        let single = linkage(&d, 4, Linkage::Single).unwrap();
        let got: Vec<(usize, usize, f64, usize)> = single
            .iter()
            .map(|m| (m.left, m.right, m.distance, m.size))
            .collect();
        assert_eq!(got, vec![(0, 1, 1.0, 2), (2, 4, 2.0, 3), (3, 5, 4.0, 4)]);
        let complete = linkage(&d, 4, Linkage::Complete).unwrap();
        let distances: Vec<f64> = complete.iter().map(|m| m.distance).collect();
        assert_eq!(distances, vec![1.0, 3.0, 7.0]);
        assert_eq!(leaf_order(&complete, 4), vec![3, 2, 0, 1]);
    }

    #[test]
    fn bad_distances_are_errors() {
        assert!(linkage(&[1.0, 2.0], 3, Linkage::Ward).is_err());
        assert!(linkage(&[1.0, f64::NAN, 2.0], 3, Linkage::Ward).is_err());
    }
}
