using GpuCascade.Statistics;

namespace GpuCascade.Tests.Statistics;

public class StatisticsTests
{
    [Test]
    public void MomentsMergeEqualsSinglePass()
    {
        var rng = new Random(1);
        var xs = Enumerable.Range(0, 1000).Select(_ => rng.NextDouble() * 1e6).ToArray();
        var all = new Moments();
        foreach (var x in xs) all.Add(x);
        Moments a = new(), b = new();
        foreach (var x in xs[..337]) a.Add(x);
        foreach (var x in xs[337..]) b.Add(x);
        a.Merge(b);
        double mean = xs.Average();
        double variance = xs.Sum(x => (x - mean) * (x - mean)) / (xs.Length - 1);
        Assert.That(a.Count, Is.EqualTo(1000));
        Assert.That(a.Mean, Is.EqualTo(mean).Within(1e-12).Percent);
        Assert.That(a.Variance, Is.EqualTo(variance).Within(1e-10).Percent);
        Assert.That(all.Variance, Is.EqualTo(variance).Within(1e-10).Percent);
        Assert.That(a.StandardError, Is.EqualTo(Math.Sqrt(variance / 1000)).Within(1e-10).Percent);
    }

    // Reference values: Wilson score interval, z = 1.959964 (e.g. Newcombe 1998, table I: 81/263 -> 0.2553, 0.3662).
    [TestCase(81, 263, 0.2553, 0.3662)]
    [TestCase(15, 148, 0.0624, 0.1605)]
    [TestCase(0, 20, 0.0, 0.1611)]
    [TestCase(29, 29, 0.8830, 1.0)]
    public void WilsonIntervalMatchesPublishedValues(long k, long n, double lower, double upper)
    {
        var p = Proportion.WilsonInterval(k, n);
        Assert.That(p.Estimate, Is.EqualTo((double)k / n));
        Assert.That(p.Lower, Is.EqualTo(lower).Within(5e-5));
        Assert.That(p.Upper, Is.EqualTo(upper).Within(5e-5));
    }

    [Test]
    public void ClopperPearsonContainsWilson()
    {
        var w = Proportion.WilsonInterval(3, 50);
        var cp = Proportion.ClopperPearsonInterval(3, 50);
        Assert.That(cp.Lower, Is.LessThan(w.Lower));
        Assert.That(cp.Upper, Is.GreaterThan(w.Upper));
        Assert.That(cp.Lower, Is.EqualTo(0.01254).Within(1e-4)); // Beta(3, 48) 2.5% quantile
    }

    [Test]
    public void TailLevelsUseExactIntegerCeilings()
    {
        var a95 = new TailLevel(95, 100);
        Assert.That(a95.CeilTimes(20_000), Is.EqualTo(19_000));
        Assert.That(a95.CeilTimes(20_001), Is.EqualTo(19_001));
        Assert.That(a95.CeilTimesComplement(20_000), Is.EqualTo(1_000));
        Assert.That(new TailLevel(999, 1000).CeilTimesComplement(1_500), Is.EqualTo(2));
        Assert.That(a95.Key, Is.EqualTo("0.95"));
        Assert.That(new TailLevel(999, 1000).Key, Is.EqualTo("0.999"));
    }

    [Test]
    public void VarAndEsMatchSortedDefinitionsAndMergeExactly()
    {
        var rng = new Random(5);
        var xs = Enumerable.Range(0, 3000).Select(_ => Math.Exp(3 * rng.NextDouble())).ToArray();
        long n = xs.Length;
        int capacity = TailQuantiles.CapacityFor(n, TailLevel.Standard);
        var whole = new TailQuantiles(capacity);
        whole.SetFrom(xs);
        var merged = new TailQuantiles(capacity);
        for (int from = 0; from < xs.Length; from += 1024)
        {
            var part = new TailQuantiles(capacity);
            part.SetFrom(xs.AsSpan(from, Math.Min(1024, xs.Length - from)));
            merged.Merge(part);
        }
        var ascending = xs.OrderBy(x => x).ToArray();
        foreach (var level in TailLevel.Standard)
        {
            long k = level.CeilTimes(n);
            Assert.That(whole.ValueAtRisk(level, n), Is.EqualTo(ascending[k - 1]), level.Key);
            long m = level.CeilTimesComplement(n);
            double es = ascending[^(int)m..].OrderByDescending(x => x).Sum() / m;
            Assert.That(whole.ExpectedShortfall(level, n), Is.EqualTo(es).Within(1e-12).Percent, level.Key);
            Assert.That(merged.ValueAtRisk(level, n), Is.EqualTo(whole.ValueAtRisk(level, n)));
            Assert.That(merged.ExpectedShortfall(level, n), Is.EqualTo(whole.ExpectedShortfall(level, n)));
        }
    }

    [Test]
    public void ManyBlockMergesStayExact()
    {
        // 300 blocks: the buffered merge compacts many times; the result must equal a full sort.
        var rng = new Random(11);
        var xs = Enumerable.Range(0, 300 * 1024).Select(_ => rng.NextDouble() < 0.7 ? 0.0 : Math.Exp(10 * rng.NextDouble())).ToArray();
        long n = xs.Length;
        int capacity = TailQuantiles.CapacityFor(n, TailLevel.Standard);
        var merged = new TailQuantiles(capacity);
        for (int from = 0; from < xs.Length; from += 1024)
        {
            var part = new TailQuantiles(capacity);
            part.SetFrom(xs.AsSpan(from, 1024));
            merged.Merge(part);
        }
        var descending = xs.OrderByDescending(x => x).Take(capacity).ToArray();
        Assert.That(merged.Values.ToArray(), Is.EqualTo(descending));
    }

    [Test]
    public void SmallSampleVarIsTheLargestWhenLevelExceedsResolution()
    {
        // n = 10, a = 0.999: ceil(9.99) = 10th smallest = maximum; ES over ceil(0.01) = 1 value.
        var t = new TailQuantiles(TailQuantiles.CapacityFor(10, TailLevel.Standard));
        t.SetFrom(Enumerable.Range(1, 10).Select(i => (double)i).ToArray());
        Assert.That(t.ValueAtRisk(new TailLevel(999, 1000), 10), Is.EqualTo(10));
        Assert.That(t.ExpectedShortfall(new TailLevel(999, 1000), 10), Is.EqualTo(10));
        Assert.That(t.ValueAtRisk(new TailLevel(95, 100), 10), Is.EqualTo(10));
        Assert.That(t.ExpectedShortfall(new TailLevel(95, 100), 10), Is.EqualTo(10));
    }

    [Test]
    public void HistogramBinsByHalfOpenIntervals()
    {
        var h = new Histogram([0.0, 1.0, 2.0]);
        foreach (var x in new[] { -1.0, 0.0, 0.5, 1.0, 1.999, 2.0, 5.0 }) h.Add(x);
        Assert.That(h.Counts, Is.EqualTo(new long[] { 1, 2, 2, 2 }));
        Assert.Throws<ArgumentException>(() => _ = new Histogram([1.0, 1.0]));
    }
}
