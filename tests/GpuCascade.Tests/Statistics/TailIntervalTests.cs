using GpuCascade.Reporting;
using GpuCascade.Simulation;
using GpuCascade.Statistics;
using MathNet.Numerics.Distributions;

namespace GpuCascade.Tests.Statistics;

/// <summary>The 95% intervals of VaR and ES (docs/model.md, "Intervals on tail figures") and the tail warnings.</summary>
public class TailIntervalTests
{
    private static readonly TailLevel P95 = new(95, 100), P99 = new(99, 100), P999 = new(999, 1000);

    /// <summary>The ranks against the definition, summed from the binomial distribution directly.</summary>
    [TestCase(100, 95, 100)]
    [TestCase(1000, 99, 100)]
    [TestCase(20000, 999, 1000)]
    [TestCase(5000, 999, 1000)]
    public void RanksFollowTheirDefinition(int n, int numerator, int denominator)
    {
        var level = new TailLevel(numerator, denominator);
        double F(int j) => j <= 0 ? 0 : Binomial.CDF(level.Value, n, j - 1); // P(Bin(n, a) <= j - 1)
        int? l = null, u = null;
        for (int j = 1; j <= n; j++)
        {
            if (F(j) <= 0.025) l = j;
            if (u is null && F(j) >= 0.975) u = j;
        }
        Assert.That(TailIntervals.ValueAtRiskRanks(n, level), Is.EqualTo(((long?)l, (long?)u)));
        long k = level.CeilTimes(n);
        Assert.That(l, Is.LessThanOrEqualTo(k));
        if (u is not null) Assert.That(u, Is.GreaterThanOrEqualTo(k));
    }

    [Test]
    public void TooFewPathsHaveNoUpperRank()
    {
        Assert.That(TailIntervals.ValueAtRiskRanks(3687, P999).Upper, Is.Null, "0.999^3687 > 0.025");
        Assert.That(TailIntervals.ValueAtRiskRanks(3688, P999).Upper, Is.EqualTo(3688));
        Assert.That(TailIntervals.ValueAtRiskRanks(0, P95), Is.EqualTo(((long?)null, (long?)null)));
    }

    /// <summary>
    /// Coverage, by simulation: 4,000 samples of 400 exponentials; the VaR interval must cover the true 95% quantile in
    /// at least 95% of them (distribution-free, exact up to the discreteness), less 3 binomial standard errors.
    /// </summary>
    [Test]
    public void ValueAtRiskIntervalCoversTheTrueQuantile()
    {
        const int samples = 4000, n = 400;
        double truth = -Math.Log(1 - P95.Value);
        var rng = new Random(11);
        int covered = 0;
        for (int s = 0; s < samples; s++)
        {
            var tail = ExponentialTail(rng, n);
            var interval = TailIntervals.ValueAtRisk(tail.Values, n, P95);
            if (interval.Lower <= truth && truth <= interval.Upper) covered++;
        }
        double coverage = (double)covered / samples;
        TestContext.Out.WriteLine($"VaR 95% interval coverage {coverage:P2}");
        Assert.That(coverage, Is.GreaterThanOrEqualTo(0.95 - 3 * Math.Sqrt(0.95 * 0.05 / samples)));
    }

    /// <summary>
    /// Coverage of the ES interval (asymptotic): 500 samples of 20,000 exponentials, whose ES_0.95 is 1 - ln 0.05; the
    /// interval must cover it in 95% of samples within 3 binomial standard errors.
    /// </summary>
    [Test]
    public void ExpectedShortfallIntervalCoversTheTrueValue()
    {
        const int samples = 500, n = 20000;
        double truth = 1 - Math.Log(1 - P95.Value);
        var rng = new Random(12);
        int covered = 0;
        for (int s = 0; s < samples; s++)
        {
            var tail = ExponentialTail(rng, n);
            double es = tail.ExpectedShortfall(P95, n), var = tail.ValueAtRisk(P95, n);
            var interval = TailIntervals.ExpectedShortfall(tail.Values, n, P95, es, var);
            if (interval.Lower <= truth && truth <= interval.Upper) covered++;
        }
        double coverage = (double)covered / samples, se = Math.Sqrt(0.95 * 0.05 / samples);
        TestContext.Out.WriteLine($"ES 95% interval coverage {coverage:P2}");
        Assert.That(coverage, Is.InRange(0.95 - 3 * se, 0.95 + 3 * se));
    }

    /// <summary>One tail value has no spread: no ES interval (null bounds) and a warning, not a point posing as one.</summary>
    [Test]
    public void OneTailPathGivesNoExpectedShortfallInterval()
    {
        var values = Enumerable.Range(0, 900).Select(i => (double)i).ToArray();
        var tail = new TailQuantiles(TailQuantiles.CapacityFor(900, TailLevel.Standard));
        tail.SetFrom(values);
        Assert.That(TailIntervals.TailPaths(900, P999), Is.EqualTo(1));
        var interval = TailIntervals.ExpectedShortfall(tail.Values, 900, P999, tail.ExpectedShortfall(P999, 900), tail.ValueAtRisk(P999, 900));
        Assert.That(interval, Is.EqualTo(new TailInterval(null, null)));
        var r = SimulationEngine.Run(GpuCascade.Scenarios.ScenarioLoader.LoadDefault() with { Steps = 12, Horizon = GpuCascade.Scenarios.Duration.Parse("1h") },
            new RunOptions { Paths = 900 });
        Assert.That(r.BadDebt.ExpectedShortfallInterval[0.999], Is.EqualTo(new TailInterval(null, null)));
        Assert.That(r.Warnings, Does.Contain("badDebt.es.0.999: no interval from 1 tail path (null bounds)"));
        Assert.That(r.Warnings, Does.Contain("badDebt.var.0.999: no distribution-free upper 95% bound with 900 paths (its interval reports null there)"));
    }

    /// <summary>The exact 95% tail of <paramref name="n"/> standard exponentials.</summary>
    private static TailQuantiles ExponentialTail(Random rng, int n)
    {
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = -Math.Log(1 - rng.NextDouble());
        var tail = new TailQuantiles(TailQuantiles.CapacityFor(n, [P95]));
        tail.SetFrom(x);
        return tail;
    }

    [Test]
    public void CapacityKeepsTheLowerBoundOfTheInterval()
    {
        const long n = 20000;
        long l = TailIntervals.ValueAtRiskRanks(n, P95).Lower!.Value;
        Assert.That(TailQuantiles.CapacityFor(n, TailLevel.Standard), Is.EqualTo(n - l + 1));
        Assert.That(l, Is.LessThan(P95.CeilTimes(n)));
    }

    [TestCase(50, 999, 1000, 49_001)]
    [TestCase(50, 99, 100, 4_901)]
    [TestCase(50, 95, 100, 981)]
    public void PathsForFiftyTailPathsIsTheSmallestSuch(long paths, int numerator, int denominator, long expected)
    {
        var level = new TailLevel(numerator, denominator);
        long need = TailIntervals.PathsFor(paths, level);
        Assert.That(need, Is.EqualTo(expected));
        Assert.That(level.CeilTimesComplement(need), Is.EqualTo(paths));
        Assert.That(level.CeilTimesComplement(need - 1), Is.LessThan(paths));
    }

    /// <summary>Through the engine: intervals bracket the figures, and thin tails are named in warnings, JSON and CSV.</summary>
    [Test]
    public void RunReportsIntervalsAndWarnsAboutThinTails()
    {
        var scenario = GpuCascade.Scenarios.ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = GpuCascade.Scenarios.Duration.Parse("2h") };
        var r = SimulationEngine.Run(scenario, new RunOptions { Paths = 3000 });
        foreach (var d in new[] { r.BadDebt, r.LiquidatedNotional })
            foreach (var level in TailLevel.Standard)
            {
                var v = d.ValueAtRiskInterval[level.Value];
                Assert.That(v.Lower, Is.LessThanOrEqualTo(d.ValueAtRisk[level.Value]), level.Key);
                if (v.Upper is double upper) Assert.That(upper, Is.GreaterThanOrEqualTo(d.ValueAtRisk[level.Value]));
                var e = d.ExpectedShortfallInterval[level.Value];
                Assert.That(e.Lower, Is.LessThanOrEqualTo(d.ExpectedShortfall[level.Value]));
                Assert.That(e.Upper, Is.GreaterThanOrEqualTo(d.ExpectedShortfall[level.Value]));
            }
        Assert.That(r.BadDebt.ValueAtRiskInterval[0.999].Upper, Is.Null, "3,000 paths give no upper bound at 99.9%");
        Assert.That(r.Warnings, Does.Contain("badDebt.es.0.999 rests on 3 paths (the largest 0.1% of 3,000); 49,001 paths would give 50"));
        Assert.That(r.Warnings, Does.Contain("liquidatedNotional.var.0.99 rests on 30 paths (the largest 1% of 3,000); 4,901 paths would give 50"));
        Assert.That(r.Warnings, Does.Contain("badDebt.var.0.999: no distribution-free upper 95% bound with 3,000 paths (its interval reports null there)"));
        Assert.That(r.Warnings.Any(w => w.Contains(".0.95 ")), Is.False, "150 paths in the 95% tail: no warning");

        var json = System.Text.Json.Nodes.JsonNode.Parse(ResultJson.Serialize(r))!;
        Assert.That(json["badDebt"]!["varInterval"]!["0.999"]!["upper"], Is.Null);
        Assert.That((double)json["badDebt"]!["esInterval"]!["0.95"]!["lower"]!, Is.EqualTo(r.BadDebt.ExpectedShortfallInterval[0.95].Lower));
        Assert.That(json["warnings"]!.AsArray().Select(w => (string)w!), Is.EqualTo(r.Warnings));
        string csv = ResultCsv.Serialize(r);
        var es95 = r.BadDebt.ExpectedShortfallInterval[0.95];
        Assert.That(csv, Does.Contain($"badDebt,es.0.95,{r.BadDebt.ExpectedShortfall[0.95]:R},{es95.Lower:R},{es95.Upper:R}\n"));
        Assert.That(SummaryTable.Format(r), Does.Contain("95% intervals"));
    }
}
