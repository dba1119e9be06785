"""Small-sample statistics for comparing training runs, written out so that every step can be read.

With a handful of seeds per arm, "the means differ by more than the seed spread" is not a test:
:func:`paired_difference` gives a Student-t confidence interval for the mean per-seed difference
between two arms, and :func:`plateau` says whether the learning curves have stopped moving
(relative to the seed-to-seed noise) so that the final epoch is a fair point to compare at.

The t quantiles come from the regularised incomplete beta function (:func:`betainc`, a continued
fraction as in *Numerical Recipes*, section 6.4), so the package needs no SciPy.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Sequence

from ._checks import check_int, check_number

__all__ = [
    "betainc",
    "t_cdf",
    "t_quantile",
    "PairedDifference",
    "paired_difference",
    "Plateau",
    "plateau",
]

_EPS = 1e-16  # relative accuracy of the continued fraction
_TINY = 1e-300  # keeps Lentz's method away from division by zero
_LARGE_DF = 1e5  # above this, t_quantile uses an expansion in 1/df (lgamma differences lose digits)


# ----------------------------------------------------------------------------- incomplete beta
def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of I_x(a, b), evaluated by the modified Lentz method (NR eq. 6.4.5)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    max_iter = 1000 + int(20 * math.sqrt(max(a, b)))  # converges in O(sqrt(max(a, b))) terms
    for m in range(1, max_iter + 1):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),  # even step
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):  # odd step
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _TINY else _TINY
            delta = d * c
            h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta continued fraction did not converge (a={a}, b={b}, x={x})")


def _betainc(a: float, b: float, x: float, y: float) -> float:
    """I_x(a, b) with ``y = 1 - x`` passed separately (so that neither loses digits to a subtraction)."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):  # the fraction converges fast here ...
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, y) / b  # ... and here by the symmetry I_x(a, b) = 1 - I_{1-x}(b, a)


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), for a, b > 0 and 0 <= x <= 1.

    It is the probability that a Beta(a, b) random number is at most ``x``; the cumulative
    distributions of Student's t, F and the binomial are all written with it.
    """
    a, b, x = float(a), float(b), float(x)
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"a and b must be positive and finite, got a={a}, b={b}")
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"x must be in [0, 1], got {x}")
    return _betainc(a, b, x, 1.0 - x)


# ----------------------------------------------------------------------------- Student's t
def _check_df(df: float) -> float:
    if isinstance(df, float) and df == math.inf:  # the normal distribution (check_number refuses infinities)
        return math.inf
    return float(check_number("df (degrees of freedom)", df, 0, min_open=True))


def _upper_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0: half of I_x(df/2, 1/2) at x = df / (df + t^2)."""
    t2 = t * t
    return 0.5 * _betainc(0.5 * df, 0.5, df / (df + t2), t2 / (df + t2))


def _log_density_const(df: float) -> float:
    return math.lgamma(0.5 * (df + 1)) - math.lgamma(0.5 * df) - 0.5 * math.log(df * math.pi)


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t distribution with ``df`` degrees of freedom.

    It is the distribution of (sample mean - true mean) / (sample sd / sqrt(n)) with df = n - 1,
    which is wider than the normal distribution when the sample is small.
    """
    df = _check_df(df)
    t = float(t)
    if math.isnan(t):
        raise ValueError("t must be a number, got nan")
    if math.isinf(df):
        return 0.5 * math.erfc(-t / math.sqrt(2))
    tail = _upper_tail(abs(t), df)
    return 1.0 - tail if t >= 0 else tail


def _hill_expansion(p: float, df: float) -> float:
    """t quantile as the normal quantile plus corrections in powers of 1/df (Cornish-Fisher; Hill 1970).

    The answer for df > 1e5 (the first omitted term is below 1e-20 for any ordinary p); for
    smaller df only Newton's starting point.
    """
    z = statistics.NormalDist().inv_cdf(p)
    z2 = z * z
    g1 = (z2 + 1) * z / 4
    g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
    g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
    g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
    return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom: the t with P(T <= t) = p.

    A 95% confidence interval of a mean from n values uses t_quantile(0.975, n - 1) (12.71 for
    n = 2, 2.26 for n = 10, tending to the normal 1.96): few values, a much wider interval.

    ``df`` may be fractional or ``math.inf`` (the normal distribution). The tail probability is
    solved for t by Newton's method kept inside a bisection bracket, to about 1e-10 relative
    (the tests check 1e-6 against published tables).
    """
    df = _check_df(df)
    p = float(check_number("p (a probability)", p, 0, 1, min_open=True, max_open=True))
    if p == 0.5:
        return 0.0
    # by symmetry, solve P(T > t) = q with q = the smaller tail (exact in floating point either way)
    return _upper_quantile(1.0 - p, df) if p > 0.5 else -_upper_quantile(p, df)


def _upper_quantile(q: float, df: float) -> float:
    """The t > 0 with P(T > t) = q, for 0 < q < 0.5."""
    if math.isinf(df):
        return -statistics.NormalDist().inv_cdf(q)
    if df > _LARGE_DF:
        return -_hill_expansion(q, df)
    if df == 1.0:  # Cauchy: exact closed form (its tail is so heavy that Newton would crawl)
        return 1.0 / math.tan(math.pi * q)
    tail = lambda t: _upper_tail(t, df)  # noqa: E731  decreasing in t
    lo, hi = 0.0, 2.0  # a bracket: tail(lo) >= q > tail(hi)
    while tail(hi) > q:
        lo, hi = hi, 2.0 * hi
        if hi > 1e300:
            raise ArithmeticError(f"the t quantile for tail {q} and df {df} is beyond the largest float")
    t = -_hill_expansion(q, df) if df >= 3 else 0.5 * (lo + hi)  # a good start for moderate df
    if not lo < t < hi:
        t = 0.5 * (lo + hi)
    log_c = _log_density_const(df)
    for _ in range(300):
        f = tail(t) - q  # > 0: t is too small
        if f > 0:
            lo = t
        else:
            hi = t
        density = math.exp(log_c - 0.5 * (df + 1) * math.log1p(t * t / df))  # = -d tail / dt
        new = t + f / density if density > 0 else math.inf
        if not lo < new < hi:
            new = 0.5 * (lo + hi)
        if abs(new - t) <= 1e-14 * max(1.0, new) or hi - lo <= 1e-15 * max(1.0, hi):
            return new
        t = new
    return t


# ----------------------------------------------------------------------------- paired difference
def _finite_values(name: str, values: Sequence[float]) -> list[float]:
    """``values`` as a list of floats; each must be a finite real number (not a bool, not a string)."""
    try:
        if isinstance(values, (str, bytes)):
            raise TypeError
        values = list(values)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of numbers, got {values!r}") from None
    return [float(check_number(f"{name}[{i}]", v)) for i, v in enumerate(values)]


@dataclass(frozen=True)
class PairedDifference:
    """Mean of the per-seed differences a - b, with a Student-t confidence interval [low, high]."""

    n: int  # number of pairs (seeds)
    mean: float  # mean of the differences a_i - b_i
    sd: float  # their sample standard deviation (n - 1 in the denominator)
    sem: float  # standard error of the mean, sd / sqrt(n)
    low: float
    high: float
    confidence: float

    @property
    def verdict(self) -> str:
        """"higher" (a > b) or "lower" when the interval excludes 0, else "no detectable difference"."""
        if self.low > 0:
            return "higher"
        if self.high < 0:
            return "lower"
        return "no detectable difference"

    def __str__(self) -> str:
        return (f"{self.mean:+.4f} [{self.low:+.4f}, {self.high:+.4f}] ({self.confidence:.0%} CI, n={self.n}): "
                f"{self.verdict}")


def paired_difference(a: Sequence[float], b: Sequence[float], confidence: float = 0.95) -> PairedDifference:
    """Compare two arms seed by seed: the mean of a[i] - b[i] and its t confidence interval.

    Pairing by seed removes what the seed does to both arms alike (initial weights, batch order),
    so a consistent small effect can show up although the seeds differ a lot; an interval that
    excludes 0 means a is "higher" (or "lower") than b at this confidence.

    ``a`` and ``b`` hold one value per seed, in the same seed order, at least 2 each. The interval
    is mean +- t_quantile((1 + confidence) / 2, n - 1) * sd / sqrt(n). If all differences are
    equal (sd 0) the interval is the single point ``mean``.
    """
    va, vb = _finite_values("a", a), _finite_values("b", b)
    if len(va) != len(vb):
        raise ValueError(f"a and b must be paired (one value per seed each), got {len(va)} and {len(vb)} values")
    if len(va) < 2:
        raise ValueError(f"need at least 2 pairs (seeds) for a spread, got {len(va)}")
    confidence = check_number("confidence (e.g. 0.95)", confidence, 0, 1, min_open=True, max_open=True)
    d = [x - y for x, y in zip(va, vb)]
    n = len(d)
    mean = statistics.fmean(d)
    sd = statistics.stdev(d)
    sem = sd / math.sqrt(n)
    half = t_quantile((1 + confidence) / 2, n - 1) * sem
    return PairedDifference(n, mean, sd, sem, mean - half, mean + half, float(confidence))


# ----------------------------------------------------------------------------- plateau
@dataclass(frozen=True)
class Plateau:
    """Whether learning curves have flattened: recent change per epoch against the spread between seeds."""

    n: int  # number of curves (seeds)
    epochs: int  # length of each curve
    last: int  # how many final epoch-to-epoch changes were averaged
    change: float  # mean |curve[e] - curve[e - 1]| over the last ``last`` epochs and all seeds
    spread: float  # sample standard deviation of the final values across seeds
    tol: float  # the bar for ``change`` when ``spread`` is 0

    @property
    def reached(self) -> bool:
        """True when the curves move less per epoch than the seeds differ (or than ``tol`` if they agree)."""
        if self.spread > 0:
            return self.change < self.spread
        return self.change < self.tol


def plateau(curve_per_seed: Sequence[Sequence[float]], last: int = 2, *, tol: float = 1e-6) -> Plateau:
    """Has training stopped improving? Compare how much the curves still move with the seed-to-seed noise.

    If the last epochs change the metric by less than the seeds disagree about its final value,
    more epochs would not change a comparison between arms much; if not, the comparison is of
    unfinished runs.

    ``curve_per_seed``: one per-epoch curve per seed (e.g. ``[h.epochs["val_main"] for h in runs]``),
    at least 2 curves of the same length, each at least ``last + 1`` epochs long. ``change`` is
    the mean absolute epoch-to-epoch change over the last ``last`` epochs (of every curve);
    ``spread`` the sample standard deviation of the final values. When the spread is 0 (the seeds
    agree exactly) the plateau is reached if ``change < tol`` (default 1e-6, i.e. no change).
    """
    last = check_int("last (epochs)", last, 1)
    tol = check_number("tol", tol, 0)
    if isinstance(curve_per_seed, (str, bytes)) or not isinstance(curve_per_seed, Sequence):
        raise TypeError(f"curve_per_seed must be a sequence of curves (one per seed), got {curve_per_seed!r}")
    curves = [_finite_values(f"curve_per_seed[{i}]", c) for i, c in enumerate(curve_per_seed)]
    if len(curves) < 2:
        raise ValueError(f"need curves from at least 2 seeds for a spread, got {len(curves)}")
    lengths = {len(c) for c in curves}
    if len(lengths) > 1:
        raise ValueError(f"all curves must have the same number of epochs, got lengths {sorted(lengths)}")
    epochs = lengths.pop()
    if epochs < last + 1:
        raise ValueError(f"curves of {epochs} epoch(s) are too short: the last {last} change(s) need "
                         f"at least {last + 1} epochs (pass a smaller last=)")
    changes = [abs(c[e] - c[e - 1]) for c in curves for e in range(epochs - last, epochs)]
    spread = statistics.stdev(c[-1] for c in curves)
    return Plateau(len(curves), epochs, last, statistics.fmean(changes), spread, float(tol))
