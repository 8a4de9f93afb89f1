//! Option strategies built from legs: payoff at expiry, value today, premium, maximum
//! profit and loss, breakevens and aggregated Greeks, plus a self-contained HTML chart.
//!
//! Conventions: all option legs share the expiry, volatility, rate and dividend yield of
//! the strategy's market; quantities are signed (+ long, - short) in units of the
//! underlying; `net_premium` is what opening costs (negative for a net credit), stock
//! legs costing the spot. Profit at expiry is `sum(qty x payoff(S_T)) - net_premium`
//! (financing of the premium is ignored, as on broker payoff diagrams). The profit is
//! piecewise linear in `S_T` with kinks at the strikes, so its extremes are found at 0,
//! at the strikes, or are unbounded when the slope beyond the highest strike is not zero.

use serde::Serialize;

use crate::bsm::{European, Greeks, OptionType};
use crate::error::{check_finite, check_positive, DerivError};

/// What a leg holds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "instrument")]
pub enum Instrument {
    /// A European call.
    Call {
        /// Strike.
        strike: f64,
    },
    /// A European put.
    Put {
        /// Strike.
        strike: f64,
    },
    /// The underlying itself.
    Underlying,
}

/// One leg: an instrument and a signed quantity.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Leg {
    /// The instrument.
    #[serde(flatten)]
    pub instrument: Instrument,
    /// Units, + long, - short.
    pub quantity: f64,
}

/// The market all legs are priced in.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Market {
    /// Spot.
    pub spot: f64,
    /// Years to the common expiry.
    pub expiry: f64,
    /// Volatility.
    pub vol: f64,
    /// Continuously compounded rate.
    pub rate: f64,
    /// Continuous dividend yield.
    pub dividend: f64,
}

/// A named set of legs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Strategy {
    /// Name.
    pub name: String,
    /// Legs.
    pub legs: Vec<Leg>,
}

fn call(strike: f64, quantity: f64) -> Leg {
    Leg {
        instrument: Instrument::Call { strike },
        quantity,
    }
}
fn put(strike: f64, quantity: f64) -> Leg {
    Leg {
        instrument: Instrument::Put { strike },
        quantity,
    }
}
fn stock(quantity: f64) -> Leg {
    Leg {
        instrument: Instrument::Underlying,
        quantity,
    }
}

/// The built-in strategies and how many strikes each takes (ascending).
pub const BUILT_IN: [(&str, usize); 11] = [
    ("covered-call", 1),
    ("protective-put", 1),
    ("bull-call-spread", 2),
    ("bear-call-spread", 2),
    ("bull-put-spread", 2),
    ("bear-put-spread", 2),
    ("straddle", 1),
    ("strangle", 2),
    ("butterfly", 3),
    ("iron-condor", 4),
    ("collar", 2),
];

impl Strategy {
    /// A built-in strategy by name with its strikes in ascending order (see
    /// [`BUILT_IN`]), one unit of underlying per option.
    pub fn built_in(name: &str, strikes: &[f64]) -> Result<Strategy, DerivError> {
        let (_, n) =
            BUILT_IN
                .iter()
                .find(|(b, _)| *b == name)
                .ok_or_else(|| DerivError::Parameter {
                    parameter: "strategy",
                    message: format!(
                        "unknown strategy `{name}` (one of {})",
                        BUILT_IN.map(|b| b.0).join(", ")
                    ),
                })?;
        if strikes.len() != *n {
            return Err(DerivError::Parameter {
                parameter: "strikes",
                message: format!("`{name}` takes {n} strikes, got {}", strikes.len()),
            });
        }
        for k in strikes {
            check_positive("strikes", *k)?;
        }
        if strikes.windows(2).any(|w| w[0] >= w[1]) {
            return Err(DerivError::Parameter {
                parameter: "strikes",
                message: "must be strictly ascending".into(),
            });
        }
        let k = strikes;
        let legs = match name {
            "covered-call" => vec![stock(1.0), call(k[0], -1.0)],
            "protective-put" => vec![stock(1.0), put(k[0], 1.0)],
            "bull-call-spread" => vec![call(k[0], 1.0), call(k[1], -1.0)],
            "bear-call-spread" => vec![call(k[0], -1.0), call(k[1], 1.0)],
            "bull-put-spread" => vec![put(k[0], 1.0), put(k[1], -1.0)],
            "bear-put-spread" => vec![put(k[0], -1.0), put(k[1], 1.0)],
            "straddle" => vec![call(k[0], 1.0), put(k[0], 1.0)],
            "strangle" => vec![put(k[0], 1.0), call(k[1], 1.0)],
            "butterfly" => vec![call(k[0], 1.0), call(k[1], -2.0), call(k[2], 1.0)],
            "iron-condor" => vec![
                put(k[0], 1.0),
                put(k[1], -1.0),
                call(k[2], -1.0),
                call(k[3], 1.0),
            ],
            _ => vec![stock(1.0), put(k[0], 1.0), call(k[1], -1.0)], // collar
        };
        Ok(Strategy {
            name: name.to_string(),
            legs,
        })
    }

    fn strikes(&self) -> Vec<f64> {
        let mut k: Vec<f64> = self
            .legs
            .iter()
            .filter_map(|l| match l.instrument {
                Instrument::Call { strike } | Instrument::Put { strike } => Some(strike),
                Instrument::Underlying => None,
            })
            .collect();
        k.sort_by(f64::total_cmp);
        k.dedup();
        k
    }

    /// Payoff at expiry (before premium) for a final price.
    pub fn payoff(&self, s_t: f64) -> f64 {
        self.legs
            .iter()
            .map(|l| {
                l.quantity
                    * match l.instrument {
                        Instrument::Call { strike } => (s_t - strike).max(0.0),
                        Instrument::Put { strike } => (strike - s_t).max(0.0),
                        Instrument::Underlying => s_t,
                    }
            })
            .sum()
    }

    fn european(m: &Market, kind: OptionType, strike: f64, spot: f64) -> European {
        European {
            kind,
            spot,
            strike,
            expiry: m.expiry,
            vol: m.vol,
            rate: m.rate,
            dividend: m.dividend,
        }
    }

    /// Value of the legs today at `spot`, and their aggregated Greeks.
    pub fn value_today(&self, m: &Market, spot: f64) -> Result<Greeks, DerivError> {
        let mut total = Greeks::default();
        for l in &self.legs {
            let g = match l.instrument {
                Instrument::Call { strike } => {
                    Self::european(m, OptionType::Call, strike, spot).greeks()?
                }
                Instrument::Put { strike } => {
                    Self::european(m, OptionType::Put, strike, spot).greeks()?
                }
                Instrument::Underlying => Greeks {
                    price: spot,
                    delta: 1.0,
                    ..Greeks::default()
                },
            };
            let q = l.quantity;
            total.price += q * g.price;
            total.delta += q * g.delta;
            total.gamma += q * g.gamma;
            total.vega += q * g.vega;
            total.theta += q * g.theta;
            total.theta_per_day += q * g.theta_per_day;
            total.rho += q * g.rho;
            total.vanna += q * g.vanna;
            total.volga += q * g.volga;
        }
        Ok(total)
    }

    /// The full analysis in a market, with `points` grid points from 50% to 150% of spot.
    pub fn analyse(&self, m: &Market, points: usize) -> Result<Analysis, DerivError> {
        check_positive("spot", m.spot)?;
        check_positive("expiry", m.expiry)?;
        check_positive("vol", m.vol)?;
        check_finite("rate", m.rate)?;
        check_finite("dividend", m.dividend)?;
        if points < 2 {
            return Err(DerivError::Parameter {
                parameter: "points",
                message: "need at least 2".into(),
            });
        }
        let today = self.value_today(m, m.spot)?;
        let premium = today.price;
        let profit = |s: f64| self.payoff(s) - premium;
        let strikes = self.strikes();
        let mut xs = vec![0.0];
        xs.extend(&strikes);
        let last = *xs.last().unwrap_or(&0.0);
        // Slope beyond the highest strike: calls and the underlying count.
        let slope: f64 = self
            .legs
            .iter()
            .map(|l| match l.instrument {
                Instrument::Call { .. } | Instrument::Underlying => l.quantity,
                Instrument::Put { .. } => 0.0,
            })
            .sum();
        let values: Vec<f64> = xs.iter().map(|x| profit(*x)).collect();
        let finite_max = values.iter().copied().fold(f64::MIN, f64::max);
        let finite_min = values.iter().copied().fold(f64::MAX, f64::min);
        let eps = 1e-12 * m.spot.max(1.0);
        let max_profit = if slope > eps { None } else { Some(finite_max) };
        let max_loss = if slope < -eps { None } else { Some(finite_min) };
        let mut breakevens = Vec::new();
        for (w, v) in xs.windows(2).zip(values.windows(2)) {
            if v[0] == 0.0 {
                breakevens.push(w[0]);
            } else if v[0] * v[1] < 0.0 {
                breakevens.push(w[0] + (w[1] - w[0]) * v[0] / (v[0] - v[1]));
            }
        }
        let v_last = values[values.len() - 1];
        if v_last == 0.0 && xs.len() > 1 {
            breakevens.push(last);
        } else if slope.abs() > eps && v_last * slope < 0.0 {
            breakevens.push(last - v_last / slope);
        }
        breakevens.retain(|b| *b > 0.0);
        breakevens.dedup_by(|a, b| (*a - *b).abs() < eps);
        // Even points from 50% to 150% of spot, plus the strikes and breakevens inside that
        // range, so the chart's kinks and zero crossings are exact.
        let mut grid: Vec<f64> = (0..points)
            .map(|i| m.spot * (0.5 + i as f64 / (points - 1) as f64))
            .collect();
        let (g0, g1) = (0.5 * m.spot, 1.5 * m.spot);
        grid.extend(
            strikes
                .iter()
                .chain(&breakevens)
                .copied()
                .filter(|x| *x > g0 && *x < g1),
        );
        grid.sort_by(f64::total_cmp);
        grid.dedup_by(|a, b| (*a - *b).abs() < eps);
        let mut value_today = Vec::with_capacity(points);
        for s in &grid {
            value_today.push(self.value_today(m, *s)?.price - premium);
        }
        Ok(Analysis {
            name: self.name.clone(),
            legs: self.legs.clone(),
            market: *m,
            net_premium: premium,
            max_profit,
            max_loss,
            breakevens,
            greeks: today,
            spot_grid: grid.clone(),
            profit_at_expiry: grid.iter().map(|s| profit(*s)).collect(),
            profit_today: value_today,
        })
    }
}

/// A strategy's numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// Strategy name.
    pub name: String,
    /// Its legs.
    pub legs: Vec<Leg>,
    /// The market.
    pub market: Market,
    /// Cost to open (negative = net credit).
    pub net_premium: f64,
    /// Largest profit at expiry (`None` = unlimited).
    pub max_profit: Option<f64>,
    /// Smallest profit at expiry, a loss when negative (`None` = unlimited loss).
    pub max_loss: Option<f64>,
    /// Final prices where profit at expiry is zero.
    pub breakevens: Vec<f64>,
    /// Aggregated Greeks today (price = net premium).
    pub greeks: Greeks,
    /// Spot grid: even points from 50% to 150% of spot, plus the strikes and breakevens.
    pub spot_grid: Vec<f64>,
    /// Profit at expiry on the grid.
    pub profit_at_expiry: Vec<f64>,
    /// Profit if closed today at each grid spot.
    pub profit_today: Vec<f64>,
}

impl Analysis {
    /// A self-contained HTML page with an inline SVG chart of profit at expiry and today,
    /// breakevens marked; no scripts, no network.
    pub fn to_html(&self) -> String {
        let (w, h, pad) = (760.0, 420.0, 50.0);
        let xs = &self.spot_grid;
        let all = self.profit_at_expiry.iter().chain(&self.profit_today);
        let (lo, hi) = all.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
        let (lo, hi) = if hi - lo < 1e-12 {
            (lo - 1.0, hi + 1.0)
        } else {
            (lo, hi)
        };
        let (x0, x1) = (xs[0], xs[xs.len() - 1]);
        let px = |x: f64| pad + (x - x0) / (x1 - x0) * (w - 2.0 * pad);
        let py = |y: f64| h - pad - (y - lo) / (hi - lo) * (h - 2.0 * pad);
        let line = |ys: &[f64]| {
            xs.iter()
                .zip(ys)
                .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let zero = if lo <= 0.0 && hi >= 0.0 {
            format!("<line x1='{pad}' x2='{}' y1='{y:.1}' y2='{y:.1}' stroke='#999' stroke-dasharray='4'/>", w - pad, y = py(0.0))
        } else {
            String::new()
        };
        let marks: String = self
            .breakevens
            .iter()
            .filter(|b| **b >= x0 && **b <= x1)
            .map(|b| format!("<line x1='{x:.1}' x2='{x:.1}' y1='{pad}' y2='{}' stroke='#c60' stroke-dasharray='2'/><text x='{x:.1}' y='{}' font-size='11' text-anchor='middle'>{b:.2}</text>", h - pad, pad - 6.0, x = px(*b)))
            .collect();
        let fmt = |v: Option<f64>| v.map_or("unlimited".to_string(), |x| format!("{x:.2}"));
        format!(
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>{name}</title></head><body style='font-family:sans-serif'>\
<h2>{name}</h2><p>net premium {prem:.4} &middot; max profit {maxp} &middot; max loss {maxl} &middot; breakevens {be} &middot; \
delta {d:.4} gamma {g:.4} vega {v:.4} theta/day {t:.4}</p>\
<svg width='{w}' height='{h}' xmlns='http://www.w3.org/2000/svg'>\
<rect x='0' y='0' width='{w}' height='{h}' fill='white'/>{zero}{marks}\
<polyline fill='none' stroke='#1f77b4' stroke-width='2' points='{exp}'/>\
<polyline fill='none' stroke='#2ca02c' stroke-width='2' stroke-dasharray='6 3' points='{today}'/>\
<text x='{pad}' y='{hb}' font-size='12'>{x0:.2}</text><text x='{xr}' y='{hb}' font-size='12' text-anchor='end'>{x1:.2}</text>\
<text x='8' y='{ytop}' font-size='12'>{hi:.2}</text><text x='8' y='{ybot}' font-size='12'>{lo:.2}</text>\
</svg><p><span style='color:#1f77b4'>&#9644; profit at expiry</span> &nbsp; <span style='color:#2ca02c'>&#9644; profit today</span> &nbsp; spot on the horizontal axis</p></body></html>\n",
            name = self.name,
            prem = self.net_premium,
            maxp = fmt(self.max_profit),
            maxl = fmt(self.max_loss),
            be = self.breakevens.iter().map(|b| format!("{b:.2}")).collect::<Vec<_>>().join(", "),
            d = self.greeks.delta,
            g = self.greeks.gamma,
            v = self.greeks.vega,
            t = self.greeks.theta_per_day,
            exp = line(&self.profit_at_expiry),
            today = line(&self.profit_today),
            hb = h - pad + 16.0,
            xr = w - pad,
            ytop = py(hi) + 4.0,
            ybot = py(lo),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn market() -> Market {
        Market {
            spot: 100.0,
            expiry: 0.5,
            vol: 0.25,
            rate: 0.03,
            dividend: 0.0,
        }
    }

    #[test]
    fn bull_call_spread_by_hand() {
        let s = Strategy::built_in("bull-call-spread", &[95.0, 105.0]).expect("strategy");
        let a = s.analyse(&market(), 11).expect("analysis");
        let c = |k: f64| {
            European {
                kind: OptionType::Call,
                spot: 100.0,
                strike: k,
                expiry: 0.5,
                vol: 0.25,
                rate: 0.03,
                dividend: 0.0,
            }
            .price()
            .expect("price")
        };
        let debit = c(95.0) - c(105.0);
        assert!((a.net_premium - debit).abs() < 1e-12);
        assert!((a.max_profit.expect("capped") - (10.0 - debit)).abs() < 1e-12);
        assert!((a.max_loss.expect("capped") + debit).abs() < 1e-12);
        assert_eq!(a.breakevens.len(), 1);
        assert!((a.breakevens[0] - (95.0 + debit)).abs() < 1e-9);
    }

    #[test]
    fn unlimited_sides_and_two_breakevens() {
        let a = Strategy::built_in("straddle", &[100.0])
            .expect("s")
            .analyse(&market(), 21)
            .expect("a");
        assert_eq!(a.max_profit, None);
        assert!((a.max_loss.expect("loss") + a.net_premium).abs() < 1e-12);
        assert_eq!(a.breakevens.len(), 2);
        assert!((a.breakevens[0] - (100.0 - a.net_premium)).abs() < 1e-9);
        assert!((a.breakevens[1] - (100.0 + a.net_premium)).abs() < 1e-9);
        let cc = Strategy::built_in("covered-call", &[110.0])
            .expect("s")
            .analyse(&market(), 5)
            .expect("a");
        assert!(cc.max_profit.is_some());
        // Long stock and short call: delta below one, loss capped at the premium paid.
        assert!(cc.greeks.delta < 1.0 && cc.greeks.delta > 0.0);
        assert!((cc.max_loss.expect("loss") + cc.net_premium).abs() < 1e-12);
        let condor = Strategy::built_in("iron-condor", &[85.0, 90.0, 110.0, 115.0])
            .expect("s")
            .analyse(&market(), 5)
            .expect("a");
        assert!(condor.net_premium < 0.0, "a credit");
        assert_eq!(condor.breakevens.len(), 2);
        assert!(condor.to_html().contains("<svg"));
    }

    #[test]
    fn bad_strategies_are_named() {
        assert!(Strategy::built_in("calendar", &[100.0])
            .expect_err("unknown")
            .to_string()
            .contains("unknown strategy"));
        assert!(Strategy::built_in("butterfly", &[100.0, 90.0, 110.0]).is_err());
        assert!(Strategy::built_in("strangle", &[100.0]).is_err());
    }
}
