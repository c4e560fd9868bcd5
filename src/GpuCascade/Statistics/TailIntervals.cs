using System.Collections.Concurrent;
using MathNet.Numerics;

namespace GpuCascade.Statistics;

/// <summary>A confidence interval whose bounds may not exist (null): too few paths for a distribution-free bound.</summary>
/// <param name="Lower">Lower bound, or null.</param>
/// <param name="Upper">Upper bound, or null.</param>
public readonly record struct TailInterval(double? Lower, double? Upper);

/// <summary>
/// 95% intervals for the tail figures (docs/model.md, "Intervals on tail figures").
/// <para>
/// VaR_a = X_(k), k = ceil(n a), the k-th smallest of n values. The number of values at or below the true quantile is
/// Binomial(n, a), so [X_(l), X_(u)] with l = max{j : P(Bin(n, a) &lt;= j - 1) &lt;= 0.025} and
/// u = min{j &lt;= n : P(Bin(n, a) &lt;= j - 1) &gt;= 0.975} covers it with probability at least 95%, whatever the
/// distribution (order statistics; no density estimate). Either rank may not exist when n is small for the level.
/// </para>
/// <para>
/// ES_a (the mean of the m = ceil(n (1 - a)) largest values): ES +- 1.96 sqrt(Var), with the asymptotic variance
/// Var = [s2_top + a (ES - VaR)^2] / (n (1 - a)), s2_top the sample variance of the m largest values: the first term is
/// the spread of the tail, the second the uncertainty of where the tail starts. No interval when m &lt; 2.
/// </para>
/// </summary>
internal static class TailIntervals
{
    /// <summary>Two-sided confidence of the intervals.</summary>
    public const double Confidence = 0.95;
    private const double Z = 1.959963984540054; // the standard normal's 97.5% quantile
    private static readonly ConcurrentDictionary<(long, TailLevel), (long? Lower, long? Upper)> Ranks = new();

    /// <summary>
    /// The ascending ranks (l, u) of the order statistics bounding VaR at <paramref name="level"/> over
    /// <paramref name="n"/> values; null where no rank satisfies the condition. Exact binomial probabilities (the
    /// regularized incomplete beta function of MathNet.Numerics), found by bisection; memoised per (n, level).
    /// </summary>
    public static (long? Lower, long? Upper) ValueAtRiskRanks(long n, TailLevel level) =>
        n <= 0 ? (null, null) : Ranks.GetOrAdd((n, level), static key => Search(key.Item1, key.Item2));

    private static (long?, long?) Search(long n, TailLevel level)
    {
        double a = level.Value;
        // F(j) = P(Bin(n, a) <= j - 1) = I_{1-a}(n - j + 1, j) for 1 <= j <= n: increasing in j.
        double F(long j) => j <= 0 ? 0 : j > n ? 1 : SpecialFunctions.BetaRegularized(n - j + 1, j, 1 - a);
        const double tail = (1 - Confidence) / 2;
        long? lower = null, upper = null;
        if (F(1) <= tail)
        {
            long lo = 1, hi = n; // F(lo) <= tail; find the largest such j
            while (lo < hi)
            {
                long mid = lo + (hi - lo + 1) / 2;
                if (F(mid) <= tail) lo = mid;
                else hi = mid - 1;
            }
            lower = lo;
        }
        if (F(n) >= 1 - tail)
        {
            long lo = 1, hi = n; // F(hi) >= 1 - tail; find the smallest such j
            while (lo < hi)
            {
                long mid = lo + (hi - lo) / 2;
                if (F(mid) >= 1 - tail) hi = mid;
                else lo = mid + 1;
            }
            upper = lo;
        }
        return (lower, upper);
    }

    /// <summary>Values of the upper tail needed for the lower bound of VaR at <paramref name="level"/>: n - l + 1 (0 if none).</summary>
    public static long TailValuesForInterval(long n, TailLevel level) =>
        ValueAtRiskRanks(n, level).Lower is long l ? n - l + 1 : 0;

    /// <summary>The 95% interval of VaR at <paramref name="level"/> from the kept upper tail (largest first) of n values.</summary>
    public static TailInterval ValueAtRisk(ReadOnlySpan<double> descending, long n, TailLevel level)
    {
        var (l, u) = ValueAtRiskRanks(n, level);
        return new TailInterval(OrderStatistic(descending, n, l), OrderStatistic(descending, n, u));
    }

    /// <summary>X_(j), the j-th smallest of n values, from the largest ones kept (descending); null when not kept.</summary>
    private static double? OrderStatistic(ReadOnlySpan<double> descending, long n, long? rank) =>
        rank is long j && n - j < descending.Length ? descending[(int)(n - j)] : null;

    /// <summary>The 95% interval of ES at <paramref name="level"/> from the kept upper tail (largest first) of n values.</summary>
    public static TailInterval ExpectedShortfall(ReadOnlySpan<double> descending, long n, TailLevel level, double es, double var)
    {
        long m = level.CeilTimesComplement(n);
        // One tail value has no spread to estimate: no interval rather than a point posing as one.
        if (n <= 0 || m < 2 || m > descending.Length || !double.IsFinite(es) || !double.IsFinite(var)) return new(null, null);
        double s2 = 0;
        for (int i = 0; i < m; i++) s2 += (descending[i] - es) * (descending[i] - es);
        s2 /= m - 1;
        double a = level.Value;
        double variance = (s2 + a * (es - var) * (es - var)) / (n * (1 - a));
        double half = Z * Math.Sqrt(variance);
        return new TailInterval(es - half, es + half);
    }

    /// <summary>Paths a tail figure at <paramref name="level"/> rests on: the m = ceil(n (1 - a)) largest.</summary>
    public static long TailPaths(long n, TailLevel level) => level.CeilTimesComplement(n);

    /// <summary>The fewest paths for which a figure at <paramref name="level"/> rests on <paramref name="paths"/> values.</summary>
    public static long PathsFor(long paths, TailLevel level)
    {
        // ceil(n (1 - a)) >= paths  <=>  n (D - N) >= (paths - 1) D + 1, with a = N / D.
        long d = level.Denominator, complement = level.Denominator - level.Numerator;
        long need = ((paths - 1) * d + 1 + complement - 1) / complement;
        while (level.CeilTimesComplement(need) < paths) need++;
        while (need > 1 && level.CeilTimesComplement(need - 1) >= paths) need--;
        return need;
    }
}
