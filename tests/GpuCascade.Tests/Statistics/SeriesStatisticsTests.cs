using GpuCascade.Kernels;
using GpuCascade.Paths;
using GpuCascade.Statistics;

namespace GpuCascade.Tests.Statistics;

/// <summary>The price bins and the quantiles of the outputs over time (docs/model.md section 8.5).</summary>
public class SeriesStatisticsTests
{
    [Test]
    public void TheGuidedBinLookupEqualsTheBinarySearch()
    {
        var random = new Random(11);
        var values = new List<double> { 1.0, 0.0, -1.0, double.NaN, double.PositiveInfinity, double.Epsilon, PriceBins.Lowest, PriceBins.Highest, 1e300 };
        foreach (double e in PriceBins.Edges) values.AddRange([e, Math.BitDecrement(e), Math.BitIncrement(e)]);
        for (int k = 0; k < 200_000; k++) values.Add(Math.Exp(random.NextDouble() * 20 - 10));
        foreach (double v in values) Assert.That(PriceBins.Of(v), Is.EqualTo(PriceBins.Search(v)), $"{v:R}");
        Assert.That(PriceBins.Edges[PriceBins.Interior / 2], Is.EqualTo(1.0), "the start has an edge");
    }

    [TestCase(1.0, 0.0002, 0.0008)]
    [TestCase(0.9, 0.0008, 0.002)]
    [TestCase(0.6, 0.004, 0.008)]
    [TestCase(0.37, 0.008, 0.016)]
    public void TheResolutionIsAsDocumented(double price, double atLeast, double atMost) =>
        Assert.That(PriceBins.RelativeWidth(price), Is.InRange(atLeast, atMost));

    /// <summary>One asset, one row: a batch whose records hold <paramref name="prices"/>.</summary>
    private static SeriesAccumulator Accumulate(IReadOnlyList<double> prices)
    {
        var o = new PathOutputs(prices.Count, 1, seriesRows: 1) { Start = 0, Count = prices.Count };
        for (int p = 0; p < prices.Count; p++)
        {
            o.Series[p * o.SeriesFields + PathSeries.PathFields + PathSeries.Price] = prices[p];
            o.Series[p * o.SeriesFields + PathSeries.PathFields + PathSeries.ExogenousPrice] = 1.0;
        }
        var a = new SeriesAccumulator(1, 1);
        a.AddRows(o, 0, prices.Count);
        return a;
    }

    private static double Type7(IReadOnlyList<double> values, double q)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        double h = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(h);
        return lo + 1 >= sorted.Length ? sorted[lo] : sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
    }

    [Test]
    public void QuantilesAreExactWhenNoBinHoldsMoreThanTwoValues()
    {
        // Values 2% apart: each bin holds at most one, so the histogram knows the sample exactly.
        var values = Enumerable.Range(0, 101).Select(k => Math.Exp(-1 + 0.02 * k)).Reverse().ToList();
        var a = Accumulate(values);
        foreach (double q in new[] { 0, 0.01, 0.05, 0.25, 0.333, 0.5, 0.75, 0.95, 0.99, 1 })
            Assert.That(a.Quantile(0, 0, SeriesMetric.Price, q), Is.EqualTo(Type7(values, q)).Within(1e-15).Percent, $"q{q}");
    }

    [Test]
    public void QuantilesAreWithinABinOfTheSamplesAndClampedToItsExtremes()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 20_000).Select(_ => Math.Exp(0.05 * Normal(random))).ToList();
        var a = Accumulate(values);
        Assert.That(a.Quantile(0, 0, SeriesMetric.Price, 0), Is.EqualTo(values.Min()));
        Assert.That(a.Quantile(0, 0, SeriesMetric.Price, 1), Is.EqualTo(values.Max()));
        foreach (double q in new[] { 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99 })
        {
            double exact = Type7(values, q), estimate = a.Quantile(0, 0, SeriesMetric.Price, q);
            Assert.That(Math.Abs(estimate / exact - 1), Is.LessThanOrEqualTo(PriceBins.RelativeWidth(exact)), $"q{q}");
        }
        // The mean is the sample's.
        Assert.That(a.Moments(0, SeriesMetric.Price).Mean, Is.EqualTo(values.Average()).Within(1e-12).Percent);
    }

    [Test]
    public void MergingEqualsAccumulatingTogether()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 3000).Select(_ => Math.Exp(0.3 * Normal(random))).ToList();
        var whole = Accumulate(values);
        var merged = Accumulate(values.Take(1000).ToList());
        var second = Accumulate(values.Skip(1000).ToList());
        merged.MergeCounts(second);
        foreach (double q in new[] { 0, 0.01, 0.5, 0.99, 1 })
            Assert.That(merged.Quantile(0, 0, SeriesMetric.Price, q), Is.EqualTo(whole.Quantile(0, 0, SeriesMetric.Price, q)));
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
