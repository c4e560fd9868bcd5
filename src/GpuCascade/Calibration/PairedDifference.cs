using GpuCascade.Market;
using GpuCascade.Statistics;

namespace GpuCascade.Calibration;

/// <summary>
/// The difference of a metric between a variant and the first variant, both run on the same paths, with its paired
/// 95% interval and, beside it, the unpaired one (what two independent runs would give).
/// </summary>
/// <param name="Estimate">Variant minus first variant.</param>
/// <param name="Lower">Paired lower bound: from the per-path differences (means, probabilities) or a paired bootstrap
/// (VaR, ES).</param>
/// <param name="Upper">Paired upper bound.</param>
/// <param name="UnpairedLower">Unpaired lower bound, from the two runs' own intervals (MOVER; null where one lacks a bound).</param>
/// <param name="UnpairedUpper">Unpaired upper bound.</param>
public sealed record MetricDifference(double Estimate, double? Lower, double? Upper, double? UnpairedLower, double? UnpairedUpper)
{
    /// <summary>The first variant's difference to itself.</summary>
    public static readonly MetricDifference Zero = new(0, 0, 0, 0, 0);
}

/// <summary>The statistics of <see cref="MetricDifference"/> (docs/calibration.md, "Paired intervals").</summary>
internal static class PairedDifference
{
    /// <summary>Resamples of the paired bootstrap of VaR and ES differences.</summary>
    public const int BootstrapResamples = 1000;
    /// <summary>Philox key of the bootstrap weights: fixed, so a comparison is reproducible.</summary>
    private const ulong BootstrapSeed = 0x5EED_B007_5742_0001;

    /// <summary>
    /// Mean and probability metrics: d_p = x_variant(p) - x_first(p) over the first <paramref name="n"/> paths, in path
    /// order; estimate mean(d) +- 1.96 SE(d). Identical paths give exactly [0, 0].
    /// </summary>
    public static (double Estimate, double Lower, double Upper) PerPath(PathRecord first, PathRecord variant, RiskMetric metric, long n)
    {
        var d = new Moments();
        Func<long, double> v = variant.Values(metric), f = first.Values(metric);
        for (long p = 0; p < n; p++) d.Add(v(p) - f(p));
        double half = Proportion.Z95 * d.StandardError;
        return (d.Mean, d.Mean - half, d.Mean + half);
    }

    /// <summary>
    /// Unpaired interval of a difference from each run's own 95% interval: the method of variance estimates recovered
    /// (MOVER; Newcombe's for proportions): L = d - sqrt((e1 - l1)^2 + (u0 - e0)^2), U = d + sqrt((u1 - e1)^2 + (e0 - l0)^2).
    /// </summary>
    public static (double? Lower, double? Upper) Mover(Figure first, Figure variant)
    {
        double d = variant.Estimate - first.Estimate;
        double? lower = variant.Lower is double l1 && first.Upper is double u0
            ? d - Math.Sqrt(Sq(variant.Estimate - l1) + Sq(u0 - first.Estimate)) : null;
        double? upper = variant.Upper is double u1 && first.Lower is double l0
            ? d + Math.Sqrt(Sq(u1 - variant.Estimate) + Sq(first.Estimate - l0)) : null;
        return (lower, upper);
    }

    private static double Sq(double x) => x * x;

    /// <summary>
    /// Paired Poisson bootstrap of the VaR and ES differences of one loss at every level: each resample weights path p
    /// by w_p ~ Poisson(1), the same weight in both runs (so the pairing is kept), computes VaR_a (the value at weighted
    /// rank n - ceil(n a) + 1 from the top) and ES_a (the weighted mean of the ceil(n (1 - a)) largest) of each run, and
    /// the 2.5% and 97.5% percentiles of their differences are the interval. The weights come from Philox keyed by a
    /// fixed seed, so the interval is reproducible. Identical runs give exactly [0, 0].
    /// </summary>
    /// <returns>Per level (in <paramref name="levels"/> order): (VaR lower, VaR upper, ES lower, ES upper).</returns>
    public static (double VarLower, double VarUpper, double EsLower, double EsUpper)[] Bootstrap(
        double[] first, double[] variant, long n, IReadOnlyList<TailLevel> levels, int resamples = BootstrapResamples)
    {
        var orderFirst = Descending(first, n);
        var orderVariant = Descending(variant, n);
        int L = levels.Count;
        var varDiff = new double[L][];
        var esDiff = new double[L][];
        for (int l = 0; l < L; l++)
        {
            varDiff[l] = new double[resamples];
            esDiff[l] = new double[resamples];
        }
        long[] rank = levels.Select(l => n - l.CeilTimes(n) + 1).ToArray();      // VaR rank from the top
        long[] tail = levels.Select(l => l.CeilTimesComplement(n)).ToArray();    // values in ES
        Parallel.For(0, resamples, b =>
        {
            Span<double> var0 = stackalloc double[L], es0 = stackalloc double[L], var1 = stackalloc double[L], es1 = stackalloc double[L];
            Walk(first, orderFirst, b, rank, tail, var0, es0);
            Walk(variant, orderVariant, b, rank, tail, var1, es1);
            for (int l = 0; l < L; l++)
            {
                varDiff[l][b] = var1[l] - var0[l];
                esDiff[l][b] = es1[l] - es0[l];
            }
        });
        var result = new (double, double, double, double)[L];
        for (int l = 0; l < L; l++)
        {
            Array.Sort(varDiff[l]);
            Array.Sort(esDiff[l]);
            result[l] = (Percentile(varDiff[l], 0.025), Percentile(varDiff[l], 0.975),
                Percentile(esDiff[l], 0.025), Percentile(esDiff[l], 0.975));
        }
        return result;
    }

    /// <summary>Walks the values from the largest down with the resample's weights until every level is found.</summary>
    private static void Walk(double[] x, int[] order, int resample, long[] rank, long[] tail, Span<double> var, Span<double> es)
    {
        int L = rank.Length;
        long need = 0;
        for (int l = 0; l < L; l++)
        {
            need = Math.Max(need, Math.Max(rank[l], tail[l]));
            var[l] = double.NaN;
            es[l] = 0;
        }
        long cumulative = 0;
        double last = 0;
        for (int k = 0; k < order.Length && cumulative < need; k++)
        {
            int p = order[k];
            int w = PoissonWeight(p, resample);
            if (w == 0) continue;
            double value = x[p];
            last = value;
            for (int l = 0; l < L; l++)
            {
                if (cumulative < tail[l]) es[l] += Math.Min(w, tail[l] - cumulative) * value;
                if (cumulative < rank[l] && cumulative + w >= rank[l]) var[l] = value;
            }
            cumulative += w;
        }
        // A resample whose weights run out before the deepest rank (possible only when n is tiny) continues with the
        // smallest value seen, as if it repeated.
        for (int l = 0; l < L; l++)
        {
            if (double.IsNaN(var[l])) var[l] = last;
            if (cumulative < tail[l]) es[l] += (tail[l] - cumulative) * last;
            es[l] /= tail[l];
        }
    }

    /// <summary>Path indices sorted by value, largest first, ties by path index.</summary>
    private static int[] Descending(double[] x, long n)
    {
        var order = new int[n];
        for (int p = 0; p < n; p++) order[p] = p;
        Array.Sort(order, (a, b) => x[b].CompareTo(x[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return order;
    }

    /// <summary>A Poisson(1) weight of path <paramref name="p"/> in resample <paramref name="resample"/>, by inversion of
    /// one Philox uniform.</summary>
    private static int PoissonWeight(int p, int resample)
    {
        RandomStreams.Words(BootstrapSeed, (ulong)p, (uint)resample, 0, out uint word, out _, out _, out _);
        double u = RandomStreams.Uniform(word);
        double term = Math.Exp(-1), cdf = term;
        int k = 0;
        while (u > cdf && k < 20)
        {
            k++;
            term /= k;
            cdf += term;
        }
        return k;
    }

    /// <summary>Linear interpolation between order statistics of a sorted sample.</summary>
    private static double Percentile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
