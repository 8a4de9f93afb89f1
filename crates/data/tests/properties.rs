//! Property tests: resampling preserves the first open, last close, extreme high and
//! low and total volume; alignment never invents a price the policy did not ask for.

use proptest::prelude::*;

use oxfolio_core::time::{Period, NANOS_PER_SECOND};
use oxfolio_core::{Bars, Field};
use oxfolio_data::align::{align, AlignOptions, Calendar, Fill};
use oxfolio_data::resample::{resample, ResampleOptions};

/// Random valid OHLCV bars at increasing irregular timestamps over a few weeks.
fn bars_strategy() -> impl Strategy<Value = Bars> {
    prop::collection::vec(
        (
            1i64..20_000,
            1.0f64..500.0,
            0.0f64..0.05,
            0.0f64..0.05,
            0.0f64..1.0,
            0.0f64..1.0,
            0.0f64..1e6,
        ),
        1..200,
    )
    .prop_map(|rows| {
        let mut b = Bars::with_fields("P", &[Field::Open, Field::High, Field::Low, Field::Volume]);
        let mut t = 1_700_000_000 * NANOS_PER_SECOND;
        for (step, mid, up, down, fo, fc, vol) in rows {
            t += step * 60 * NANOS_PER_SECOND;
            let (high, low) = (mid * (1.0 + up), mid * (1.0 - down));
            let open = low + (high - low) * fo;
            let close = low + (high - low) * fc;
            b.push(t, [open, high, low, close, vol.round(), f64::NAN]);
        }
        b
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn resampling_preserves_extremes_and_totals(bars in bars_strategy(), period in prop_oneof![Just(Period::Daily), Just(Period::Weekly), Just(Period::Monthly)], business in any::<bool>()) {
        let out = resample(&bars, ResampleOptions { period, business_days: business });
        let open = out.open.as_ref().expect("open");
        let volume = out.volume.as_ref().expect("volume");
        prop_assert_eq!(open[0], bars.open.as_ref().expect("open")[0]);
        prop_assert_eq!(*out.close.last().expect("close"), *bars.close.last().expect("close"));
        let max_high = bars.high.as_ref().expect("h").iter().copied().fold(f64::MIN, f64::max);
        let min_low = bars.low.as_ref().expect("l").iter().copied().fold(f64::MAX, f64::min);
        prop_assert_eq!(out.high.as_ref().expect("h").iter().copied().fold(f64::MIN, f64::max), max_high);
        prop_assert_eq!(out.low.as_ref().expect("l").iter().copied().fold(f64::MAX, f64::min), min_low);
        let total_in: f64 = bars.volume.as_ref().expect("v").iter().sum();
        let total_out: f64 = volume.iter().sum();
        prop_assert_eq!(total_in, total_out);
        prop_assert!(out.ts.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(out.len() <= bars.len());
        for i in 0..out.len() {
            let [o, h, l, c, _, _] = out.row(i);
            prop_assert!(l <= o && o <= h && l <= c && c <= h);
        }
    }

    #[test]
    fn alignment_never_invents_prices(
        a in prop::collection::btree_map(0i64..60, 1.0f64..100.0, 1..40),
        b in prop::collection::btree_map(0i64..60, 1.0f64..100.0, 1..40),
        union in any::<bool>(),
        fill in prop_oneof![Just(None), Just(Some(None)), (0usize..4).prop_map(|l| Some(Some(l)))],
    ) {
        let make = |name: &str, m: &std::collections::BTreeMap<i64, f64>| {
            let mut bars = Bars::with_fields(name, &[Field::Volume]);
            for (t, c) in m {
                bars.push(*t, [f64::NAN, f64::NAN, f64::NAN, *c, 1.0, f64::NAN]);
            }
            bars
        };
        let series = [make("A", &a), make("B", &b)];
        let options = AlignOptions {
            calendar: if union { Calendar::Union } else { Calendar::Intersection },
            fill: match fill { None => Fill::Missing, Some(limit) => Fill::ForwardFill { limit } },
        };
        let (panel, report) = align(&series, options).expect("aligned");
        for (i, s) in series.iter().enumerate() {
            let closes = panel.series(Field::Close, i).expect("close");
            let mut run = 0usize;
            for (t, date) in panel.ts.iter().enumerate() {
                let observed = s.ts.binary_search(date).ok().map(|k| s.close[k]);
                let v = closes[t];
                match observed {
                    // An observed value is copied exactly and is never marked filled.
                    Some(c) => { prop_assert_eq!(v, c); prop_assert!(!panel.filled[t * 2 + i]); run = 0; }
                    None => {
                        run += 1;
                        if v.is_nan() { continue; }
                        // A value where nothing was observed only comes from forward fill,
                        // within the limit, and equals the last observed close before it.
                        prop_assert!(panel.filled[t * 2 + i]);
                        let limit = match options.fill { Fill::ForwardFill { limit } => limit, Fill::Missing => Some(0) };
                        prop_assert!(limit.is_none_or(|l| run <= l));
                        let last = s.ts.iter().rposition(|x| x < date).map(|k| s.close[k]);
                        prop_assert_eq!(Some(v), last);
                    }
                }
            }
            let counts = &report.symbols[i];
            prop_assert_eq!(counts.observed + counts.filled + counts.missing, panel.n_dates());
            prop_assert_eq!(counts.filled, panel.filled_count(i));
        }
        if !union {
            for date in &panel.ts {
                prop_assert!(series.iter().all(|s| s.ts.contains(date)));
            }
        }
    }
}
