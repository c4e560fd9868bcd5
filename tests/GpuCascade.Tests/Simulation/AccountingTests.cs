using System.Collections.Immutable;
using GpuCascade.Backends.Managed;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Statistics;

namespace GpuCascade.Tests.Simulation;

/// <summary>docs/model.md section 7, accounting on every path, and the engine's reproducibility guarantees.</summary>
public class AccountingTests
{
    /// <summary>The default venue, shortened, in several liquidation/oracle configurations.</summary>
    private static IEnumerable<TestCaseData> Venues()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 96, Horizon = Duration.Parse("8h") };
        // Stress the book so that liquidations, bad debt and fund depletion all occur.
        var stressed = d with
        {
            Stress = [new StressShock(10, 0, -0.12), new StressShock(10, 1, -0.15), new StressShock(40, 2, -0.2)],
            Venue = d.Venue with { InsuranceFund = 2e6 },
        };
        yield return new TestCaseData(d).SetName("Accounting(default venue)");
        yield return new TestCaseData(stressed).SetName("Accounting(stressed, full)");
        yield return new TestCaseData(stressed with { Venue = stressed.Venue with { Liquidation = new LiquidationPolicy(0.25, 10) } })
            .SetName("Accounting(stressed, partial 25%)");
        yield return new TestCaseData(stressed with { Venue = stressed.Venue with { OracleDelaySteps = 3, RoundCap = 3 } })
            .SetName("Accounting(stressed, delayed oracle, round cap 3)");
    }

    [TestCaseSource(nameof(Venues))]
    public void IdentitiesHoldOnEveryPath(Scenario scenario)
    {
        const int paths = 600;
        var o = SimulationEngine.SimulatePaths(scenario, 0, paths);
        double fund0 = scenario.Venue.InsuranceFund;
        int n = o.AssetCount;
        for (int p = 0; p < paths; p++)
        {
            double scale = Math.Max(1.0, Math.Max(fund0, o.BadDebt[p] + o.Penalties[p]));
            Assert.That(o.FundEnd[p], Is.EqualTo(fund0 + o.Penalties[p] - o.BadDebtPaid[p]).Within(1e-9 * scale), $"path {p}: fund");
            Assert.That(o.BadDebt[p], Is.EqualTo(o.BadDebtPaid[p] + o.UncoveredLoss[p]).Within(1e-9 * scale), $"path {p}: bad debt split");
            Assert.That(o.FundEnd[p], Is.GreaterThanOrEqualTo(0), $"path {p}: fund end");
            Assert.That(o.FundMin[p], Is.GreaterThanOrEqualTo(0).And.LessThanOrEqualTo(Math.Min(fund0, o.FundEnd[p]) + 1e-9), $"path {p}: fund min");
            Assert.That(o.UncoveredLoss[p], Is.GreaterThanOrEqualTo(0));
            Assert.That(o.ClosedUnitsShare[p], Is.LessThanOrEqualTo(1 + 1e-12), $"path {p}: closed beyond the book");
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += o.LiquidatedNotionalByAsset[p * n + i];
                Assert.That(o.MaxDrawdown[p * n + i], Is.InRange(0.0, 1.0));
            }
            Assert.That(o.LiquidatedNotional[p], Is.EqualTo(sum).Within(1e-9 * Math.Max(1, sum)));
            // Loss is socialised only once the fund is exhausted (penalties may refill it later in the path).
            if (o.UncoveredLoss[p] > 0) Assert.That(o.FundMin[p], Is.Zero, $"path {p}: uncovered loss while the fund had money");
        }
    }

    /// <summary>
    /// Screening changes no bit of the results and no liquidation; it performs fewer margin checks in all. (Not on
    /// every path: at the round cap both stop at the first liquidatable cohort, which the screen may reach later.)
    /// </summary>
    private static void AssertSameResultsWithLessWork(PathOutputs everything, PathOutputs screened)
    {
        Assert.That(GpuCascade.Validation.OutputComparison.FirstDifference(everything, screened, 0, includeWork: false), Is.Null);
        Assert.That(screened.CohortLiquidations.Take(screened.Count), Is.EqualTo(everything.CohortLiquidations.Take(everything.Count)));
        Assert.That(screened.MarginChecks.Take(screened.Count).Sum(), Is.LessThan(everything.MarginChecks.Take(everything.Count).Sum()));
    }

    /// <summary>The managed backend skips cohorts it can prove healthy; the proof must never change a bit.</summary>
    [Test]
    public void ScreeningChangesNoBit()
    {
        // The default venue: BTC tiered (screened with its top rate), ETH static, SOL dynamic (screened at its floor,
        // the rise above it bounded per round).
        var plan = SimulationPlan.Build(ScenarioLoader.LoadDefault());
        Assert.That(plan.ScreenOrder, Has.Length.EqualTo(plan.CohortCount));
        Assert.That(plan.DynamicExposure, Is.GreaterThan(0));
        foreach (var scenario in Venues().Select(v => (Scenario)v.Arguments[0]!))
        {
            var screened = SimulationEngine.SimulatePaths(scenario, 0, 400, new ManagedBackend());
            var everything = SimulationEngine.SimulatePaths(scenario, 0, 400, new ManagedBackend { Screening = false });
            AssertSameResultsWithLessWork(everything, screened);
        }
    }

    [Test]
    public void ScreeningChangesNoBitOnAStaticMarginBook()
    {
        // The default venue has tiered (BTC) and dynamic (SOL) margins, which the screen cannot bound; W0 is all static.
        var scenario = GpuCascade.Benchmarks.Workloads.W0 with { Stress = [new StressShock(4, 0, -0.08)] };
        Assert.That(SimulationPlan.Build(scenario).DynamicExposure, Is.Zero, "static margins only");
        foreach (var policy in new[] { LiquidationPolicy.Full, new LiquidationPolicy(0.3, 10) })
        {
            var s = scenario with { Venue = scenario.Venue with { Liquidation = policy } };
            var screened = SimulationEngine.SimulatePaths(s, 0, 1024, new ManagedBackend());
            var everything = SimulationEngine.SimulatePaths(s, 0, 1024, new ManagedBackend { Screening = false });
            Assert.That(screened.LiquidatedNotional.Count(x => x > 0), Is.GreaterThan(100), "liquidations must occur");
            AssertSameResultsWithLessWork(everything, screened);
            // After the -8% shock the prices stay far from the start, so the screen's prefix stays long: about 28% here.
            Assert.That(screened.MarginChecks.Sum(), Is.LessThan(everything.MarginChecks.Sum() / 2),
                "a static book is mostly far from its margin: screening skips most checks");
        }
    }

    /// <summary>
    /// Adversarial books for the screen: cohorts balanced so that price moves leave their margin unchanged (only a
    /// dynamic rule's rise can liquidate them), nearly balanced ones, coin-margined shorts, high dynamic rates, partial
    /// fills; screened and unscreened runs must agree bit for bit.
    /// </summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void ScreeningSurvivesAdversarialBooks(int seed)
    {
        var scenario = TestScenarios.AdversarialBook(seed);
        var screened = SimulationEngine.SimulatePaths(scenario, 0, 300, new ManagedBackend());
        var everything = SimulationEngine.SimulatePaths(scenario, 0, 300, new ManagedBackend { Screening = false });
        Assert.That(everything.LiquidatedNotional.Count(x => x > 0), Is.GreaterThan(10), "liquidations must occur");
        AssertSameResultsWithLessWork(everything, screened);
    }

    /// <summary>The opening round (--breach liquidate) leaves the screen exact: touched and closed cohorts before step 0.</summary>
    [TestCase(1)]
    [TestCase(2)]
    public void ScreeningSurvivesAnOpeningRound(int seed)
    {
        var book = TestScenarios.AdversarialBook(seed);
        var scenario = book with
        {
            Book = book.Book with { Cohorts = [.. book.Book.Cohorts.Select((c, i) => i % 4 == 1 ? c with { LiquidateAtStart = true } : c)] },
        };
        var screened = SimulationEngine.SimulatePaths(scenario, 0, 300, new ManagedBackend());
        var everything = SimulationEngine.SimulatePaths(scenario, 0, 300, new ManagedBackend { Screening = false });
        AssertSameResultsWithLessWork(everything, screened);
        var without = SimulationEngine.SimulatePaths(book, 0, 300, new ManagedBackend());
        Assert.That(screened.CohortLiquidations.Sum(), Is.Not.EqualTo(without.CohortLiquidations.Sum()));
    }

    /// <summary>
    /// A cohort whose margin no price move changes (short 4 SOL against 5 SOL of collateral under a dynamic rule with
    /// a 25% floor: g = -4 - 0.25 x 4 + 5 = 0) is liquidated only by the rise of its dynamic rate: the screen must
    /// still check it (an infinite slack would let the screen skip it for good).
    /// </summary>
    [Test]
    public void ScreeningChecksCohortsThatOnlyADynamicRateCanLiquidate()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 12, Horizon = Duration.Parse("1h") };
        var hedged = new CohortSpec { Positions = [new PositionSpec(2, -4, 180)], Collateral = [new CollateralHolding(2, 5)] };
        var scenario = d with
        {
            Assets = d.Assets.SetItem(2, d.Assets[2] with { CollateralWeight = 1.0, Volatility = 1.0 }),
            Venue = d.Venue with { MaintenanceMargin = d.Venue.MaintenanceMargin.SetItem(2, new DynamicMargin(0.25, 3, Duration.Parse("30d"))) },
            Book = d.Book with { Cohorts = [hedged] },
            Stress = [new StressShock(2, 2, 0.6)],
        };
        var plan = SimulationPlan.Build(scenario);
        Assert.That(plan.ScreenSlack[Array.IndexOf(plan.ScreenOrder, 0)], Is.EqualTo(double.NegativeInfinity));
        var screened = SimulationEngine.SimulatePaths(scenario, 0, 400, new ManagedBackend());
        var everything = SimulationEngine.SimulatePaths(scenario, 0, 400, new ManagedBackend { Screening = false });
        AssertSameResultsWithLessWork(everything, screened);
    }

    [Test]
    public void StressedVenueExercisesEveryBranch()
    {
        // Guards the identity test against passing vacuously.
        var scenario = Venues().Skip(1).First().Arguments[0] as Scenario;
        var r = SimulationEngine.Run(scenario!, new RunOptions { Paths = 600 });
        Assert.That(r.Probabilities.AnyLiquidation.Estimate, Is.GreaterThan(0.5));
        Assert.That(r.Probabilities.BadDebt.Estimate, Is.GreaterThan(0));
        Assert.That(r.Probabilities.FundDepleted.Estimate, Is.GreaterThan(0));
        Assert.That(r.Probabilities.Cascade.Estimate, Is.GreaterThan(0));
    }

    [Test]
    public void ResultsAreBitIdenticalAcrossThreadCountsAndBatchSizes()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h"), Paths = 5_000 };
        scenario = scenario with { Stress = [new StressShock(3, 0, -0.06)] };
        string reference = TestScenarios.Reproducible(SimulationEngine.Run(scenario, new RunOptions { Backend = new ManagedBackend(1), BatchSize = 1024 }));
        string twoThreads = TestScenarios.Reproducible(SimulationEngine.Run(scenario, new RunOptions { Backend = new ManagedBackend(2), BatchSize = 3 * 1024 }));
        string oddBatch = TestScenarios.Reproducible(SimulationEngine.Run(scenario, new RunOptions { Backend = new ManagedBackend(3), BatchSize = 1500 }));
        string oneBatch = TestScenarios.Reproducible(SimulationEngine.Run(scenario, new RunOptions { Backend = new ManagedBackend(2), BatchSize = 1 << 20 }));
        Assert.That(twoThreads, Is.EqualTo(reference));
        Assert.That(oddBatch, Is.EqualTo(reference));
        Assert.That(oneBatch, Is.EqualTo(reference));
    }

    [Test]
    public void PathsAreTheSameWhateverTheRangeTheyAreSimulatedIn()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h") };
        var all = SimulationEngine.SimulatePaths(scenario, 0, 300);
        var tail = SimulationEngine.SimulatePaths(scenario, 200, 100);
        Assert.That(tail.FinalPrice.ToArray(), Is.EqualTo(all.FinalPrice.Skip(200 * all.AssetCount).Take(100 * all.AssetCount).ToArray()));
        Assert.That(tail.BadDebt.ToArray(), Is.EqualTo(all.BadDebt.Skip(200).ToArray()));
    }

    [Test]
    public void CancellationReturnsTheExactResultOfACompletePrefix()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h"), Paths = 20_000 };
        using var cts = new CancellationTokenSource();
        var progress = new CancelAfter(3 * 1024, cts);
        var r = SimulationEngine.Run(scenario, new RunOptions { Backend = new ManagedBackend(1), BatchSize = 1024, Progress = progress }, cts.Token);
        Assert.That(r.Run.Cancelled, Is.True);
        Assert.That(r.Paths, Is.EqualTo(3 * 1024));
        var same = SimulationEngine.Run(scenario, new RunOptions { Paths = 3 * 1024 });
        Assert.That(TestScenarios.Figures(r with { RequestedPaths = same.RequestedPaths }), Is.EqualTo(TestScenarios.Figures(same)));
    }

    /// <summary>A run stopped after 20 blocks, saved to an accumulator file, read back and resumed ends with the result of
    /// an uninterrupted run, bit for bit outside <c>run</c> (the merge order is the same: path order).</summary>
    [TestCase(1024)]
    [TestCase(3 * 1024)]
    public void ACheckpointResumesToTheUninterruptedResult(int batch)
    {
        // 40,000 paths: two whole segments of 16,384 and a shorter one; stopped after 20 blocks, inside the second.
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h"), Paths = 40_000 };
        var whole = SimulationEngine.Run(scenario, new RunOptions { Backend = new ManagedBackend(2) });
        using var cts = new CancellationTokenSource();
        EngineState? saved = null;
        var stopped = SimulationEngine.Run(scenario, new RunOptions
        {
            Backend = new ManagedBackend(1), BatchSize = batch, Progress = new CancelAfter(20 * 1024, cts),
            OnMerged = (acc, final) => { if (final) saved = acc; },
        }, cts.Token);
        Assert.That(stopped.Run.Cancelled, Is.True);
        string file = Path.Combine(Path.GetTempPath(), $"gpucascade-ckpt-{Guid.NewGuid():N}");
        try
        {
            long prefix = saved!.Completed.Paths + saved.Segment!.Paths;
            var header = new AccumulatorHeader("checkpoint", ScenarioJson.Sha256(scenario), GpuCascade.Operations.EngineInfo.BuildId, "managed",
                scenario.Paths, 0, prefix);
            AccumulatorFile.Write(file, header, ScenarioJson.Canonical(scenario), [saved.Completed, saved.Segment]);
            var (read, json, accumulators) = AccumulatorFile.Read(file, _ => scenario.Assets.Length);
            Assert.That(read, Is.EqualTo(header));
            Assert.That(ScenarioLoader.LoadJson(json), Is.EqualTo(scenario));
            var resumed = SimulationEngine.Run(scenario, new RunOptions
            {
                Backend = new ManagedBackend(2), Resume = new EngineState(accumulators[0], accumulators[1]),
            });
            Assert.That(resumed.Run.ResumedPaths, Is.EqualTo(stopped.Paths));
            Assert.That(TestScenarios.Reproducible(resumed), Is.EqualTo(TestScenarios.Reproducible(whole)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase(6, "format version 6, written by an earlier engine; this engine reads version 7 only")]
    [TestCase(8, "format version 8, written by a newer engine; this engine reads version 7")]
    [TestCase(7, "written by a build with other outputs (output schema '0123456789abcdef', this build's is")]
    public void AnAccumulatorFileOfAnotherFormatIsRefusedNamingItsVersion(int version, string says)
    {
        // Version 6 is the format before the scenario's folder (where a history's files are found) joined the header.
        Assert.That(AccumulatorFile.FormatVersion, Is.EqualTo(7));
        string file = Path.Combine(Path.GetTempPath(), $"gpucascade-v{version}-{Guid.NewGuid():N}");
        try
        {
            using (var w = new BinaryWriter(File.Create(file)))
            {
                w.Write("GpuCascade accumulators");
                w.Write(version);
                w.Write("0123456789abcdef"); // formats 6 and 7 carry the output schema's fingerprint next
                w.Write(new byte[64]);
            }
            var e = Assert.Throws<CheckpointException>(() => AccumulatorFile.Read(file, _ => 1))!;
            Assert.That(e.Message, Does.Contain(says));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private sealed class CancelAfter(long paths, CancellationTokenSource cts) : IProgress<RunProgress>
    {
        public void Report(RunProgress value)
        {
            if (value.PathsDone >= paths) cts.Cancel();
        }
    }
}
