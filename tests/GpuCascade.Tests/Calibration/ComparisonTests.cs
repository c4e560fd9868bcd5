using GpuCascade.Book;
using GpuCascade.Kernels;
using GpuCascade.Calibration;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Statistics;

namespace GpuCascade.Tests.Calibration;

public class ComparisonTests
{
    private static MetricDifference Difference(VariantResult v, string metric) => v.Difference.First(d => d.Key == metric).Value;

    [Test]
    public void TheFundPaysBadDebtButDoesNotChangeIt()
    {
        var result = Comparison.Run(ScenarioDocument.Default, [new VaryAxis("venue.insuranceFund", [0, 1e9])],
            new ComparisonOptions { Paths = 2048 });
        Assert.That(result.Variants, Has.Count.EqualTo(2));
        var v = result.Variants[1];
        foreach (var metric in RiskMetric.All.Where(m => m.Row == OutputSchema.BadDebt
                     || m.Row == OutputSchema.LiquidatedNotional && m.Statistic == MetricStatistic.Mean || m.Row == OutputSchema.AnyLiquidation))
        {
            var d = Difference(v, metric.Name);
            Assert.That((d.Estimate, d.Lower, d.Upper), Is.EqualTo((0.0, (double?)0.0, (double?)0.0)), metric.Name);
        }
        var depleted = Difference(v, "probabilities.fundDepleted");
        Assert.That(depleted.Estimate, Is.LessThan(0));
        Assert.That(depleted.Upper, Is.LessThan(0), "a fund of 1e9 is never depleted; without a fund every bad debt depletes it");
        Assert.That(Difference(result.Variants[0], "probabilities.fundDepleted"), Is.EqualTo(MetricDifference.Zero));
    }

    /// <summary>Scenarios made with <see cref="Scenario.With(string, double)"/> compare as the document's variants do
    /// when no book is held fixed and none breaches (a listed book, a change that moves no cohort below IM).</summary>
    [Test]
    public void ScenariosMadeWithWithCompareAsTheirKeys()
    {
        var scenario = ScenarioLoader.LoadYaml(CalibrationScenarios.SingleLong(2048));
        var byKey = Comparison.Run(ScenarioDocument.From(scenario), [new VaryAxis("venue.liquidationPenalty", [0, 0.02])]);
        var byScenario = Comparison.Run([scenario, scenario.With("venue.liquidationPenalty", 0.02)]);
        Assert.That(byScenario.Variants, Has.Count.EqualTo(2));
        Assert.That(byScenario.Axes, Is.Empty);
        Assert.That(byScenario.Variants[1].Values, Is.Empty);
        Assert.That(byScenario.Variants[1].BookRegenerated, Is.False);
        Assert.That(byScenario.Variants[1].Difference, Is.EqualTo(byKey.Variants[1].Difference));
        Assert.That(Difference(byScenario.Variants[1], "insuranceFund.uncoveredLoss.mean").Estimate, Is.LessThanOrEqualTo(0));
        Assert.That(ComparisonReport.Table(byScenario), Does.Contain("scenarios compared as given").And.Contain("Variant 2 minus variant 1:"));
        Assert.That(ComparisonReport.Csv(byScenario), Does.StartWith("variant,metric,"));

        // Common random numbers need one seed and one path count, unless the options give them.
        Assert.That(() => Comparison.Run([scenario, scenario.With("seed", 12)]),
            Throws.ArgumentException.With.Message.Contains("seed 12, the first 11"));
        Assert.That(() => Comparison.Run([scenario, scenario.With("paths", 1024)]), Throws.ArgumentException.With.Message.Contains("paths"));
        Assert.That(() => Comparison.Run([scenario]), Throws.ArgumentException);
        var seeded = Comparison.Run([scenario, scenario.With("seed", 12)], new ComparisonOptions { Seed = 5, Paths = 1024 });
        Assert.That(Difference(seeded.Variants[1], "badDebt.mean"), Is.EqualTo(MetricDifference.Zero), "the same seed and paths: the same run");
    }

    /// <summary>A generated book depends on the margin, so scenarios compared as they are say when theirs differs.</summary>
    [Test]
    public void AScenarioWhoseGeneratedBookDiffersSaysSo()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 12, Horizon = Duration.Parse("1h") };
        var result = Comparison.Run([scenario, scenario.With("venue.insuranceFund", 1e9), scenario.With("venue.maintenanceMargin", 0.05)],
            new ComparisonOptions { Paths = 1024 });
        Assert.That(result.Variants.Select(v => v.BookRegenerated), Is.EqualTo(new[] { false, false, true }));
    }

    [Test]
    public void PairedIntervalsAreNarrowerThanUnpairedOnAMarginChange()
    {
        var result = Comparison.Run(ScenarioDocument.Default, [new VaryAxis("venue.maintenanceMargin.ETH", [0.005, 0.01])],
            new ComparisonOptions { Paths = 2048 });
        foreach (string metric in new[] { "badDebt.mean", "liquidatedNotional.mean", "probabilities.badDebt", "badDebt.es.0.95" })
        {
            var d = Difference(result.Variants[1], metric);
            Assert.That(d.Upper!.Value - d.Lower!.Value, Is.LessThan(d.UnpairedUpper!.Value - d.UnpairedLower!.Value), metric);
            Assert.That(d.Estimate, Is.InRange(d.Lower!.Value, d.Upper!.Value), metric);
        }
    }

    [Test]
    public void TheFirstVariantIsThePlainRunAndTheBookIsHeldFixed()
    {
        var plain = SimulationEngine.Run(ScenarioLoader.LoadDefault(), new RunOptions { Paths = 1024 });
        var result = Comparison.Run(ScenarioDocument.Default, [new VaryAxis("venue.insuranceFund", [5e7])], new ComparisonOptions { Paths = 1024 });
        Assert.That(TestScenarios.Figures(result.Variants[0].Result), Is.EqualTo(TestScenarios.Figures(plain)));
        Assert.That(result.Variants[0].DeleveragedNotional, Is.EqualTo(0));

        // A higher margin keeps the same cohorts (names, notionals) and deleverages those below IM; a generator key regenerates.
        var margins = Comparison.Run(ScenarioDocument.Default, [new VaryAxis("venue.maintenanceMargin.ETH", [0.005, 0.03])],
            new ComparisonOptions { Paths = 1024 });
        var (a, b) = (margins.Variants[0].Result.CohortAttribution, margins.Variants[1].Result.CohortAttribution);
        Assert.That(b.Select(c => c.Name), Is.EqualTo(a.Select(c => c.Name)));
        Assert.That(margins.Variants[1].DeleveragedNotional, Is.GreaterThan(0));
        Assert.That(a.Sum(c => c.Notional) - b.Sum(c => c.Notional), Is.EqualTo(margins.Variants[1].DeleveragedNotional).Within(1e-6).Percent);
        Assert.That(margins.Variants.Select(v => v.BookRegenerated), Is.All.False);
        var regenerated = Comparison.Run(ScenarioDocument.Default, [new VaryAxis("book.generator.cohortsPerAsset", [10])],
            new ComparisonOptions { Paths = 1024 });
        Assert.That(regenerated.Variants[0].BookRegenerated, Is.True);
        Assert.That(regenerated.Variants[0].Result.Cohorts, Is.EqualTo(30));
    }

    [Test]
    public void TheLiquidatingBreachRuleSendsCohortsToTheOpeningRound()
    {
        var axes = new[] { new VaryAxis("venue.maintenanceMargin.ETH", [0.005, 0.03]) };
        var liquidate = Comparison.Run(ScenarioDocument.Default, axes, new ComparisonOptions { Paths = 1024, Breach = BreachRule.Liquidate });
        var deleverage = Comparison.Run(ScenarioDocument.Default, axes, new ComparisonOptions { Paths = 1024 });
        Assert.That(liquidate.Breach, Is.EqualTo(BreachRule.Liquidate));
        var (first, second) = (liquidate.Variants[0], liquidate.Variants[1]);
        Assert.That(TestScenarios.Reproducible(first.Result), Is.EqualTo(TestScenarios.Reproducible(deleverage.Variants[0].Result)),
            "nothing breaches at the base");
        Assert.That(second.DeleveragedNotional, Is.EqualTo(0));
        Assert.That(second.OpeningRoundNotional, Is.GreaterThan(deleverage.Variants[1].DeleveragedNotional),
            "the opening round closes whole cohorts; deleveraging only the excess");
        // Every path liquidates the marked cohorts: at least their notional at the (impacted) starting prices.
        Assert.That(second.Result.Work.CohortLiquidations - first.Result.Work.CohortLiquidations, Is.GreaterThan(0));
        Assert.That(second.Result.Cohorts, Is.EqualTo(first.Result.Cohorts), "the book is held fixed");
    }

    [Test]
    public void CancellationKeepsTheFinishedVariants()
    {
        using var cts = new CancellationTokenSource();
        var result = Comparison.Run(ScenarioDocument.Default, [new VaryAxis("venue.insuranceFund", [0, 1e8, 1e9])],
            new ComparisonOptions { Paths = 1024, Log = line => { if (line.StartsWith("variant 2/", StringComparison.Ordinal)) cts.Cancel(); } },
            cts.Token);
        Assert.That(result.Cancelled, Is.True);
        Assert.That(result.Variants, Has.Count.EqualTo(1));
        Assert.That(result.PlannedVariants, Is.EqualTo(3));
        Assert.That(ComparisonReport.Table(result), Does.Contain("1 of 3 variants").And.Contain("CANCELLED"));
    }

    [Test]
    public void AListedCohortCanBeVaried()
    {
        string yaml = CalibrationScenarios.SingleLong(2048);
        var result = Comparison.Run(ScenarioDocument.FromYaml(yaml), [new VaryAxis("book.cohorts[long3x].leverage", [3, 6])]);
        var (low, high) = (result.Variants[0].Result, result.Variants[1].Result);
        Assert.That(high.Probabilities.AnyLiquidation.Estimate, Is.GreaterThan(low.Probabilities.AnyLiquidation.Estimate));
        var alone = GpuCascade.Simulation.SimulationEngine.Run(ScenarioDocument.FromYaml(yaml).With("book.cohorts[long3x].leverage", 6).ToScenario());
        Assert.That(TestScenarios.Reproducible(high), Is.EqualTo(TestScenarios.Reproducible(alone)));
        // A listed cohort made invalid is refused, not silently replaced.
        Assert.Throws<ScenarioException>(() => Comparison.Run(ScenarioDocument.FromYaml(yaml), [new VaryAxis("book.cohorts[long3x].leverage", [3, 30])]));
    }

    [Test]
    public void MoreLiquidationCapacityShortensTheQueue()
    {
        // The default scenario (constant depth): an engine four times as fast leaves less waiting. (With depth that thins
        // under flow, as in scenarios/flash-crash.yaml, a faster engine can make matters worse: docs/model.md.)
        var result = Comparison.Run(ScenarioDocument.Default, [new VaryAxis("venue.liquidationCapacity", [2e7, 8e7])],
            new ComparisonOptions { Paths = 2048 });
        var queue = Difference(result.Variants[1], "queue.maxNotional.mean");
        Assert.That(queue.Upper, Is.LessThan(0), "four times the capacity leaves less waiting");
        Assert.That(queue.Upper!.Value - queue.Lower!.Value, Is.LessThan(queue.UnpairedUpper!.Value - queue.UnpairedLower!.Value));
        Assert.That(result.Variants[1].Difference.Select(d => d.Key), Does.Contain("probabilities.adl").And.Contain("adl.lossAbsorbed.mean"));
    }

    [Test]
    public void TwoAxesGiveTheCrossProductInOrder()
    {
        var grid = Comparison.Grid([new VaryAxis("a", [1, 2]), new VaryAxis("b", [3, 4, 5])]);
        Assert.That(grid.Select(g => string.Join(",", g.Select(x => $"{x.Key}={x.Value}"))),
            Is.EqualTo(new[] { "a=1,b=3", "a=1,b=4", "a=1,b=5", "a=2,b=3", "a=2,b=4", "a=2,b=5" }));
    }

    [Test]
    public void EveryVariantIsValidatedBeforeAnythingRuns()
    {
        int runs = 0;
        var e = Assert.Throws<ScenarioException>(() => Comparison.Run(ScenarioDocument.Default,
            [new VaryAxis("venue.maintenanceMargin", [0.005, 1.5])],
            new ComparisonOptions { Paths = 1024, Log = _ => runs++ }))!;
        Assert.That(runs, Is.EqualTo(0));
        Assert.That(e.Errors[0].ToString(), Does.Contain("venue.maintenanceMargin").And.Contain("venue.maintenanceMargin=1.5"));
        Assert.Throws<ArgumentException>(() => Comparison.Run(ScenarioDocument.Default, [new VaryAxis("venue.insuranceFund", [])]));
    }

    [Test]
    public void VaryAxisParsing()
    {
        Assert.That(VaryAxis.Parse("venue.insuranceFund=0, 1e9").Values, Is.EqualTo(new[] { 0.0, 1e9 }));
        Assert.That(() => VaryAxis.Parse("venue.insuranceFund"), Throws.TypeOf<FormatException>().With.Message.Contains("KEY=V1,V2"));
        Assert.That(() => VaryAxis.Parse("venue.insuranceFund=1,x"), Throws.TypeOf<FormatException>().With.Message.Contains("'x'"));
    }

    [Test]
    public void BootstrapOfIdenticalOrShiftedLossesIsExact()
    {
        var random = new Random(3);
        var x = Enumerable.Range(0, 5000).Select(_ => random.NextDouble() < 0.9 ? 0 : Math.Exp(3 * random.NextDouble())).ToArray();
        var same = PairedDifference.Bootstrap(x, (double[])x.Clone(), x.Length, TailLevel.Standard, resamples: 200);
        Assert.That(same, Is.All.EqualTo((0.0, 0.0, 0.0, 0.0)));
        var shifted = PairedDifference.Bootstrap(x, x.Select(v => v + 2).ToArray(), x.Length, TailLevel.Standard, resamples: 200);
        foreach (var (varLo, varHi, esLo, esHi) in shifted)
            Assert.That(new[] { varLo, varHi, esLo, esHi }, Is.All.EqualTo(2.0).Within(1e-9));
    }

    [Test]
    public void MoverOfTwoIndependentMeansIsTheUsualInterval()
    {
        // For symmetric intervals e +- h the MOVER interval is d +- sqrt(h0^2 + h1^2), the textbook unpaired one.
        var (lo, hi) = PairedDifference.Mover(new Figure(10, 7, 13), new Figure(15, 11, 19));
        Assert.That(lo, Is.EqualTo(5 - 5).Within(1e-12));
        Assert.That(hi, Is.EqualTo(5 + 5).Within(1e-12));
        Assert.That(PairedDifference.Mover(new Figure(1, null, 2), new Figure(2, 1, 3)).Upper, Is.Null);
    }
}
