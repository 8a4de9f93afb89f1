"""A pure-Python reimplementation of the published dynamic optimisation step (Carver,
"Advanced Futures Trading Strategies", ch. 25, as pysystemtrade's
`systems/provided/dynamic_small_system_optimise` runs it), written from its description
for Oxfolio's fixtures and bench. Weight space, numpy only, like the original.

`solve(case, pysystemtrade_quirks=True)` follows the original's two quirks: weights back
to contracts with int() (truncation), and previous positions kept when the greedy result
is all zeros. With `pysystemtrade_quirks=False` it follows Oxfolio's conventions: round to
the nearest contract, and an all-zero greedy result stands.
"""
import math

import numpy as np

A_VERY_LARGE_NUMBER = 999.0
A_VERY_SMALL_NUMBER = 0.000001


def _sign(x):
    return math.copysign(1.0, x)


def _limits(n, case, weights_prior, pcv):
    names = case["instruments"]
    reduce_only = set(case.get("reduce_only") or [])
    no_trade = set(case.get("no_trade") or [])
    maxima = case.get("maximum_positions")
    lo, hi = np.empty(n), np.empty(n)
    for i, name in enumerate(names):
        prior = None if weights_prior is None else weights_prior[i]
        mn, mx = -A_VERY_LARGE_NUMBER, A_VERY_LARGE_NUMBER
        if name in no_trade:
            lo[i], hi[i] = (prior, prior) if prior is not None else (-A_VERY_SMALL_NUMBER, A_VERY_SMALL_NUMBER)
            continue
        if name in reduce_only and prior is not None:
            if prior > 0:
                mn, mx = -A_VERY_SMALL_NUMBER, prior
            elif prior < 0:
                mn, mx = max(mn, prior), A_VERY_SMALL_NUMBER
            else:
                lo[i], hi[i] = -A_VERY_SMALL_NUMBER, A_VERY_SMALL_NUMBER
                continue
        if maxima is not None and maxima[i] is not None:
            m = abs(maxima[i] * pcv[i])
            mn, mx = max(-m, mn), min(m, mx)
        lo[i], hi[i] = mn, mx
    return lo, hi


def solve(case, pysystemtrade_quirks=True):
    names = case["instruments"]
    n = len(names)
    pcv = np.array(case["per_contract_value"], dtype=float)
    cov = np.array(case["covariance"], dtype=float)
    costs = np.array(case["costs_per_unit_weight"], dtype=float)
    shadow = float(case["shadow_cost"])
    buffer = float(case["tracking_error_buffer"])
    w_opt = np.array(case["optimal_positions"], dtype=float) * pcv
    prev = case.get("previous_positions")
    w_prior = None if prev is None else np.array(prev, dtype=float) * pcv

    def te(w, target):
        gap = w - target
        return float(gap.dot(cov).dot(gap)) ** 0.5

    def cost(w):
        if w_prior is None:
            return 0.0
        return float(sum(abs(costs * (w - w_prior) * shadow)))

    def evaluate(w):
        return te(w, w_opt) + cost(w)

    lo, hi = _limits(n, case, w_prior, pcv)
    direction = np.array([1.0 if lo[i] >= 0 else -1.0 if hi[i] <= 0 else _sign(w_opt[i]) for i in range(n)])
    start = np.array([hi[i] if hi[i] == lo[i] else lo[i] if lo[i] > 0 else hi[i] if hi[i] < 0 else 0.0 for i in range(n)])

    outcome = {"outcome": "no_prior"}
    if w_prior is not None and te(w_prior, w_opt) < buffer:
        final = w_prior
        greedy = w_prior
        outcome = {"outcome": "within_buffer", "tracking_error_of_prior": te(w_prior, w_opt)}
        steps = 0
    else:
        best_value, best = evaluate(start), start
        at_limit = [False] * n
        steps = 0
        while True:
            new_value, new = best_value, best
            for i in range(n):
                if at_limit[i]:
                    continue
                trial = best.copy()
                trial[i] = trial[i] + pcv[i] * direction[i]
                if (direction[i] > 0 and trial[i] > hi[i]) or (direction[i] <= 0 and trial[i] < lo[i]):
                    at_limit[i] = True
                    continue
                value = evaluate(trial)
                if value < new_value:
                    new_value, new = value, trial
            if new_value < best_value:
                best_value, best = new_value, new
                steps += 1
            else:
                break
        greedy = best
        if pysystemtrade_quirks and all(greedy == 0):
            greedy = w_prior if w_prior is not None else np.zeros(n)
        final = greedy
        if w_prior is not None:
            t = te(w_prior, greedy)
            factor = 0.0 if t <= 0 else max((t - buffer) / t, 0.0)
            outcome = {"outcome": "adjusted", "tracking_error_to_greedy": t, "adjustment_factor": factor}
            if factor <= 0:
                final = w_prior
            else:
                trades = np.round(factor * (greedy - w_prior) / pcv) * pcv
                final = w_prior + trades
    to_int = (lambda x: int(x)) if pysystemtrade_quirks else (lambda x: int(round(x)))
    positions = [to_int(x) for x in final / pcv]
    greedy_positions = [to_int(x) for x in greedy / pcv]
    held = np.array(positions, dtype=float) * pcv
    return {
        "positions": dict(zip(names, positions)),
        "greedy_positions": dict(zip(names, greedy_positions)),
        "tracking_error": te(held, w_opt),
        "cost_penalty": cost(held),
        "objective": evaluate(held),
        "buffering": outcome,
        "steps": steps,
    }
