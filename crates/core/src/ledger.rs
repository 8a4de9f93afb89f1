//! The ledger: cash and positions of a run, with contract multipliers, so that stock and
//! futures P&L come out right in every engine that books fills here.
//!
//! | instrument | buying `q` at `p` | marking at `m` | equity counts |
//! |---|---|---|---|
//! | cash (stocks, ETFs) | cash -= q x p x multiplier + fees | nothing moves | cash + q x m x multiplier |
//! | future | only fees leave cash (no notional changes hands) | cash += q x (m - last mark) x multiplier (variation margin) | cash + q x (m - last mark) x multiplier |
//!
//! Realised P&L is booked when a position shrinks, against its average entry price.

use serde::Serialize;

use crate::error::CoreError;

/// How an instrument settles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Settlement {
    /// The full price changes hands (stocks, ETFs).
    Cash,
    /// Daily variation margin (futures).
    Future,
}

/// An instrument as the ledger sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Instrument {
    /// Symbol.
    pub symbol: String,
    /// How it settles.
    pub settlement: Settlement,
    /// Money per point per unit (1 for stocks; 50 for ES).
    pub multiplier: f64,
}

/// One instrument's holding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Holding {
    /// Signed quantity.
    pub quantity: f64,
    /// Average entry price of the open quantity.
    pub average_price: f64,
    /// Last mark (futures: the price variation margin was settled at).
    pub last_mark: f64,
    /// Realised P&L so far.
    pub realized: f64,
    /// Fees paid so far.
    pub fees: f64,
}

/// Cash and holdings, instruments by dense index.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ledger {
    instruments: Vec<Instrument>,
    holdings: Vec<Holding>,
    cash: f64,
}

impl Ledger {
    /// A ledger with `cash` and no positions.
    pub fn new(instruments: Vec<Instrument>, cash: f64) -> Result<Ledger, CoreError> {
        if let Some(i) = instruments
            .iter()
            .find(|i| !(i.multiplier.is_finite() && i.multiplier > 0.0))
        {
            return Err(CoreError::Invalid(format!(
                "multiplier of `{}` must be positive, got {}",
                i.symbol, i.multiplier
            )));
        }
        if !cash.is_finite() {
            return Err(CoreError::Invalid(format!(
                "cash must be finite, got {cash}"
            )));
        }
        let holdings = vec![Holding::default(); instruments.len()];
        Ok(Ledger {
            instruments,
            holdings,
            cash,
        })
    }

    /// Cash.
    pub fn cash(&self) -> f64 {
        self.cash
    }

    /// Holding of instrument `i`.
    pub fn holding(&self, i: usize) -> Holding {
        self.holdings[i]
    }

    /// Books a fill: `quantity` (signed) of instrument `i` at `price`, paying `fee`.
    pub fn fill(&mut self, i: usize, quantity: f64, price: f64, fee: f64) -> Result<(), CoreError> {
        let instrument = self
            .instruments
            .get(i)
            .ok_or_else(|| CoreError::Invalid(format!("no instrument {i}")))?;
        if !(quantity.is_finite()
            && price.is_finite()
            && price > 0.0
            && fee.is_finite()
            && fee >= 0.0)
        {
            return Err(CoreError::Invalid(format!(
                "fill of `{}`: quantity {quantity}, price {price}, fee {fee}",
                instrument.symbol
            )));
        }
        let (mult, settlement) = (instrument.multiplier, instrument.settlement);
        let h = &mut self.holdings[i];
        if settlement == Settlement::Future && h.quantity != 0.0 {
            // Settle the open position to this price before changing it.
            self.cash += h.quantity * (price - h.last_mark) * mult;
        }
        let old = h.quantity;
        let new = old + quantity;
        if old != 0.0 && old.signum() != quantity.signum() {
            let closed = quantity.abs().min(old.abs()) * old.signum();
            h.realized += closed * (price - h.average_price) * mult;
        }
        h.average_price = if new == 0.0 {
            0.0
        } else if old == 0.0 || old.signum() != new.signum() {
            price
        } else if new.abs() > old.abs() {
            (h.average_price * old + price * quantity) / new
        } else {
            h.average_price
        };
        h.quantity = new;
        h.last_mark = price;
        h.fees += fee;
        if settlement == Settlement::Cash {
            self.cash -= quantity * price * mult;
        }
        self.cash -= fee;
        Ok(())
    }

    /// Moves `amount` of cash in (positive) or out (negative): deposits, withdrawals, or
    /// funding positions that a run starts with.
    pub fn transfer(&mut self, amount: f64) -> Result<(), CoreError> {
        if !amount.is_finite() {
            return Err(CoreError::Invalid(format!(
                "cash transfer must be finite, got {amount}"
            )));
        }
        self.cash += amount;
        Ok(())
    }

    /// Marks every position at `prices` (indexed like the instruments; `NaN` skips):
    /// futures settle variation margin into cash.
    pub fn mark(&mut self, prices: &[f64]) {
        for ((inst, h), p) in self.instruments.iter().zip(&mut self.holdings).zip(prices) {
            if p.is_nan() {
                continue;
            }
            if inst.settlement == Settlement::Future {
                self.cash += h.quantity * (p - h.last_mark) * inst.multiplier;
            }
            h.last_mark = *p;
        }
    }

    /// Equity at `prices` (`NaN` uses the last mark).
    pub fn equity(&self, prices: &[f64]) -> f64 {
        let mut e = self.cash;
        for (i, (inst, h)) in self.instruments.iter().zip(&self.holdings).enumerate() {
            if h.quantity == 0.0 {
                continue;
            }
            let p = prices
                .get(i)
                .copied()
                .filter(|p| !p.is_nan())
                .unwrap_or(h.last_mark);
            e += match inst.settlement {
                Settlement::Cash => h.quantity * p * inst.multiplier,
                Settlement::Future => h.quantity * (p - h.last_mark) * inst.multiplier,
            };
        }
        e
    }

    /// Unrealised P&L of instrument `i` at `price`.
    pub fn unrealized(&self, i: usize, price: f64) -> f64 {
        let h = &self.holdings[i];
        h.quantity * (price - h.average_price) * self.instruments[i].multiplier
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> Ledger {
        Ledger::new(
            vec![
                Instrument {
                    symbol: "ES".into(),
                    settlement: Settlement::Future,
                    multiplier: 50.0,
                },
                Instrument {
                    symbol: "SPY".into(),
                    settlement: Settlement::Cash,
                    multiplier: 1.0,
                },
            ],
            100_000.0,
        )
        .expect("ledger")
    }

    #[test]
    fn futures_pnl_uses_the_multiplier() {
        let mut l = ledger();
        // Buy 2 ES at 4,000 paying 4.10 in fees: no notional leaves cash.
        l.fill(0, 2.0, 4_000.0, 4.1).expect("fill");
        assert!((l.cash() - 99_995.9).abs() < 1e-9);
        // Marked at 4,010: 2 x 10 x 50 = 1,000 of variation margin.
        l.mark(&[4_010.0, f64::NAN]);
        assert!((l.cash() - 100_995.9).abs() < 1e-9);
        assert!((l.equity(&[4_010.0, f64::NAN]) - 100_995.9).abs() < 1e-9);
        assert!(
            (l.equity(&[4_020.0, f64::NAN]) - 101_995.9).abs() < 1e-9,
            "unsettled 10 points x 2 x 50"
        );
        // Sell both at 4,020: realised (4,020 - 4,000) x 2 x 50 = 2,000.
        l.fill(0, -2.0, 4_020.0, 4.1).expect("fill");
        let h = l.holding(0);
        assert_eq!((h.quantity, h.realized), (0.0, 2_000.0));
        assert!((l.cash() - (100_000.0 + 2_000.0 - 8.2)).abs() < 1e-9);
    }

    #[test]
    fn stocks_pay_the_notional_and_shorts_flip() {
        let mut l = ledger();
        l.fill(1, 100.0, 400.0, 1.0).expect("fill");
        assert!((l.cash() - (100_000.0 - 40_001.0)).abs() < 1e-9);
        assert!((l.equity(&[f64::NAN, 410.0]) - (100_000.0 - 1.0 + 1_000.0)).abs() < 1e-9);
        l.fill(1, -150.0, 420.0, 0.0).expect("flip to short");
        let h = l.holding(1);
        assert_eq!(
            (h.quantity, h.average_price, h.realized),
            (-50.0, 420.0, 2_000.0)
        );
        assert_eq!(l.unrealized(1, 410.0), 500.0);
        assert!(l.fill(1, 1.0, -5.0, 0.0).is_err());
        assert!(l.fill(7, 1.0, 5.0, 0.0).is_err());
    }
}
