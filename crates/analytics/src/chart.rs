//! Small self-contained SVG charts for HTML reports (no scripts, no network): lines over
//! an index axis with date labels, stacked areas and bars. Long series are thinned to
//! at most `MAX_POINTS` points per line.

use std::fmt::Write;

const MAX_POINTS: usize = 1500;
const WIDTH: f64 = 900.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 28.0;

/// Colours cycled through by series.
pub const PALETTE: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// One named series.
pub struct Series<'a> {
    /// Legend name.
    pub name: &'a str,
    /// Values (`NaN` leaves a gap).
    pub values: &'a [f64],
}

/// How y-axis labels are printed.
#[derive(Clone, Copy, Debug)]
pub enum Format {
    /// Plain number with thousands grouping.
    Number,
    /// Percent.
    Percent,
    /// Two decimals.
    Decimal,
}

fn label(v: f64, f: Format) -> String {
    match f {
        Format::Number => {
            if v.abs() >= 1e6 {
                format!("{:.2}M", v / 1e6)
            } else if v.abs() >= 1e3 {
                format!("{:.1}k", v / 1e3)
            } else {
                format!("{v:.0}")
            }
        }
        Format::Percent => format!("{:.1}%", v * 100.0),
        Format::Decimal => format!("{v:.2}"),
    }
}

/// Escapes `&`, `<` and `>` for HTML and SVG text.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

struct Frame {
    n: usize,
    lo: f64,
    hi: f64,
    height: f64,
}

impl Frame {
    fn x(&self, i: usize) -> f64 {
        let span = (self.n.max(2) - 1) as f64;
        LEFT + (WIDTH - LEFT - RIGHT) * i as f64 / span
    }

    fn y(&self, v: f64) -> f64 {
        let span = if self.hi > self.lo {
            self.hi - self.lo
        } else {
            1.0
        };
        TOP + (self.height - TOP - BOTTOM) * (1.0 - (v - self.lo) / span)
    }
}

fn open_svg(out: &mut String, title: &str, height: f64) {
    let _ = write!(
        out,
        "<svg viewBox='0 0 {WIDTH} {height}' width='100%' xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='11'>\
<text x='{LEFT}' y='16' font-size='13' font-weight='bold'>{}</text>",
        escape(title)
    );
}

fn axes(out: &mut String, frame: &Frame, x_labels: &[String], format: Format) {
    for k in 0..=4 {
        let v = frame.lo + (frame.hi - frame.lo) * k as f64 / 4.0;
        let y = frame.y(v);
        let _ = write!(
            out,
            "<line x1='{LEFT}' x2='{}' y1='{y:.1}' y2='{y:.1}' stroke='#ddd'/><text x='{}' y='{:.1}' text-anchor='end'>{}</text>",
            WIDTH - RIGHT,
            LEFT - 4.0,
            y + 4.0,
            label(v, format)
        );
    }
    if frame.lo < 0.0 && frame.hi > 0.0 {
        let y = frame.y(0.0);
        let _ = write!(
            out,
            "<line x1='{LEFT}' x2='{}' y1='{y:.1}' y2='{y:.1}' stroke='#888'/>",
            WIDTH - RIGHT
        );
    }
    if !x_labels.is_empty() {
        let ticks = 6.min(x_labels.len());
        for k in 0..ticks {
            let i = if ticks == 1 {
                0
            } else {
                k * (x_labels.len() - 1) / (ticks - 1)
            };
            let anchor = if k == 0 {
                "start"
            } else if k + 1 == ticks {
                "end"
            } else {
                "middle"
            };
            let _ = write!(
                out,
                "<text x='{:.1}' y='{:.1}' text-anchor='{anchor}'>{}</text>",
                frame.x(i),
                frame.height - 8.0,
                escape(&x_labels[i])
            );
        }
    }
}

/// Legend boxes, right-aligned on the title line so long titles stay clear.
fn legend(out: &mut String, names: &[&str]) {
    let width: f64 = names.iter().map(|n| 20.0 + 7.0 * n.len() as f64).sum();
    let mut x = (WIDTH - RIGHT - width).max(LEFT);
    for (k, name) in names.iter().enumerate() {
        let _ = write!(
            out,
            "<rect x='{x:.0}' y='8' width='10' height='10' fill='{}'/><text x='{:.0}' y='17'>{}</text>",
            PALETTE[k % PALETTE.len()],
            x + 13.0,
            escape(name)
        );
        x += 20.0 + 7.0 * name.len() as f64;
    }
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if lo == hi {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

fn step(n: usize) -> usize {
    n.div_ceil(MAX_POINTS).max(1)
}

/// Lines over a shared index axis.
pub fn lines(
    title: &str,
    x_labels: &[String],
    series: &[Series<'_>],
    format: Format,
    height: f64,
) -> String {
    let n = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let (lo, hi) = range(series.iter().flat_map(|s| s.values.iter().copied()));
    let frame = Frame { n, lo, hi, height };
    let mut out = String::new();
    open_svg(&mut out, title, height);
    axes(&mut out, &frame, x_labels, format);
    let s = step(n);
    for (k, series) in series.iter().enumerate() {
        let mut d = String::new();
        let mut pen_down = false;
        for i in (0..series.values.len())
            .step_by(s)
            .chain(std::iter::once(series.values.len().saturating_sub(1)))
        {
            let v = series.values.get(i).copied().unwrap_or(f64::NAN);
            if !v.is_finite() {
                pen_down = false;
                continue;
            }
            let _ = write!(
                d,
                "{}{:.1},{:.1} ",
                if pen_down { "L" } else { "M" },
                frame.x(i),
                frame.y(v)
            );
            pen_down = true;
        }
        let _ = write!(
            out,
            "<path d='{d}' fill='none' stroke='{}' stroke-width='1.4'/>",
            PALETTE[k % PALETTE.len()]
        );
    }
    if series.len() > 1 {
        legend(&mut out, &series.iter().map(|s| s.name).collect::<Vec<_>>());
    }
    out.push_str("</svg>");
    out
}

/// A filled area under one series down to zero (drawdowns).
pub fn area(
    title: &str,
    x_labels: &[String],
    values: &[f64],
    color: &str,
    format: Format,
    height: f64,
) -> String {
    let n = values.len();
    let (lo, hi) = range(values.iter().copied().chain([0.0]));
    let frame = Frame { n, lo, hi, height };
    let mut out = String::new();
    open_svg(&mut out, title, height);
    axes(&mut out, &frame, x_labels, format);
    let mut d = format!("M{:.1},{:.1} ", frame.x(0), frame.y(0.0));
    for i in (0..n)
        .step_by(step(n))
        .chain(std::iter::once(n.saturating_sub(1)))
    {
        let v = if values[i].is_finite() {
            values[i]
        } else {
            0.0
        };
        let _ = write!(d, "L{:.1},{:.1} ", frame.x(i), frame.y(v));
    }
    let _ = write!(
        d,
        "L{:.1},{:.1} Z",
        frame.x(n.saturating_sub(1)),
        frame.y(0.0)
    );
    let _ = write!(
        out,
        "<path d='{d}' fill='{color}' fill-opacity='0.5' stroke='{color}'/></svg>"
    );
    out
}

/// Stacked areas of non-negative series (weights over time); negative values are drawn
/// as zero.
pub fn stacked(
    title: &str,
    x_labels: &[String],
    series: &[Series<'_>],
    format: Format,
    height: f64,
) -> String {
    let n = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let mut top = vec![0.0; n];
    for s in series {
        for (t, v) in top.iter_mut().zip(s.values) {
            *t += v.max(0.0);
        }
    }
    let (_, hi) = range(top.iter().copied().chain([0.0]));
    let frame = Frame {
        n,
        lo: 0.0,
        hi,
        height,
    };
    let mut out = String::new();
    open_svg(&mut out, title, height);
    axes(&mut out, &frame, x_labels, format);
    let idx: Vec<usize> = (0..n)
        .step_by(step(n))
        .chain(std::iter::once(n.saturating_sub(1)))
        .collect();
    let mut base = vec![0.0; n];
    for (k, s) in series.iter().enumerate() {
        let mut upper = base.clone();
        for (u, v) in upper.iter_mut().zip(s.values) {
            *u += v.max(0.0);
        }
        let mut d = String::new();
        for (j, i) in idx.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1} ",
                if j == 0 { "M" } else { "L" },
                frame.x(*i),
                frame.y(upper[*i])
            );
        }
        for i in idx.iter().rev() {
            let _ = write!(d, "L{:.1},{:.1} ", frame.x(*i), frame.y(base[*i]));
        }
        let _ = write!(
            out,
            "<path d='{d}Z' fill='{}' fill-opacity='0.8' stroke='none'/>",
            PALETTE[k % PALETTE.len()]
        );
        base = upper;
    }
    legend(&mut out, &series.iter().map(|s| s.name).collect::<Vec<_>>());
    out.push_str("</svg>");
    out
}

/// Vertical bars, one per index (thinned by summing neighbours when long).
pub fn bars(
    title: &str,
    x_labels: &[String],
    values: &[f64],
    format: Format,
    height: f64,
) -> String {
    let s = step(values.len()).max(values.len().div_ceil(400));
    let summed: Vec<f64> = values
        .chunks(s)
        .map(|c| c.iter().filter(|v| v.is_finite()).sum())
        .collect();
    let labels: Vec<String> = x_labels.iter().step_by(s).cloned().collect();
    let n = summed.len();
    let (_, hi) = range(summed.iter().copied().chain([0.0]));
    let frame = Frame {
        n: n + 1,
        lo: 0.0,
        hi,
        height,
    };
    let mut out = String::new();
    open_svg(&mut out, title, height);
    axes(&mut out, &frame, &labels, format);
    let w = ((frame.x(1) - frame.x(0)) * 0.8).max(0.5);
    for (i, v) in summed.iter().enumerate() {
        if *v > 0.0 {
            let y = frame.y(*v);
            let _ = write!(
                out,
                "<rect x='{:.1}' y='{y:.1}' width='{w:.1}' height='{:.1}' fill='{}'/>",
                frame.x(i),
                frame.y(0.0) - y,
                PALETTE[0]
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// One series of points on numeric x and y axes.
pub struct XySeries<'a> {
    /// Legend name.
    pub name: &'a str,
    /// `(x, y)` points.
    pub points: &'a [(f64, f64)],
    /// A line through the points in order; otherwise markers.
    pub line: bool,
    /// Labels written beside markers (empty for none).
    pub labels: &'a [String],
}

/// Points on numeric axes (an efficient frontier: volatility against return).
pub fn xy(
    title: &str,
    series: &[XySeries<'_>],
    x_format: Format,
    y_format: Format,
    height: f64,
) -> String {
    let (xlo, xhi) = range(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
    let (ylo, yhi) = range(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
    let frame = Frame {
        n: 2,
        lo: ylo,
        hi: yhi,
        height,
    };
    let x = |v: f64| LEFT + (WIDTH - LEFT - RIGHT) * (v - xlo) / (xhi - xlo);
    let mut out = String::new();
    open_svg(&mut out, title, height);
    axes(&mut out, &frame, &[], y_format);
    for k in 0..=4 {
        let v = xlo + (xhi - xlo) * k as f64 / 4.0;
        let _ = write!(
            out,
            "<text x='{:.1}' y='{:.1}' text-anchor='middle'>{}</text>",
            x(v),
            height - 8.0,
            label(v, x_format)
        );
    }
    for (k, s) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let finite = s
            .points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite());
        if s.line {
            let d: String = finite
                .enumerate()
                .map(|(i, p)| {
                    format!(
                        "{}{:.1},{:.1} ",
                        if i == 0 { "M" } else { "L" },
                        x(p.0),
                        frame.y(p.1)
                    )
                })
                .collect();
            let _ = write!(
                out,
                "<path d='{d}' fill='none' stroke='{color}' stroke-width='1.6'/>"
            );
        } else {
            for (i, p) in s.points.iter().enumerate() {
                if !(p.0.is_finite() && p.1.is_finite()) {
                    continue;
                }
                let _ = write!(
                    out,
                    "<circle cx='{:.1}' cy='{:.1}' r='3.5' fill='{color}'/>",
                    x(p.0),
                    frame.y(p.1)
                );
                if let Some(text) = s.labels.get(i) {
                    let _ = write!(
                        out,
                        "<text x='{:.1}' y='{:.1}' font-size='9'>{}</text>",
                        x(p.0) + 5.0,
                        frame.y(p.1) - 4.0,
                        escape(text)
                    );
                }
            }
        }
    }
    legend(&mut out, &series.iter().map(|s| s.name).collect::<Vec<_>>());
    out.push_str("</svg>");
    out
}
