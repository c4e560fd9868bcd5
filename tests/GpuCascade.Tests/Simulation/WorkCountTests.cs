using System.Collections.Immutable;
using GpuCascade.Backends.Managed;
using GpuCascade.Benchmarks;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// The work counters (margin checks, cohort liquidations) on hand-worked books. They measure what the engine did,
/// feed the benchmarks' throughput and floor, and let the parity suite prove that a device screens exactly as the
/// managed backend does.
/// </summary>
public class WorkCountTests
{
    /// <summary>
    /// One 10x long, a flat market (volatility 0) and a -50% shock at step 2 of 5, full liquidation. Without
    /// screening: steps 0 and 1 check the cohort once each, step 2 checks it once and liquidates it, and a closed cohort
    /// is never checked again: 3 checks, 1 liquidation. With screening the flat steps are proven healthy (the price has
    /// not moved, the cohort's slack is 9%): 1 check.
    /// </summary>
    [TestCase(false, 3)]
    [TestCase(true, 1)]
    public void OneCohortShockedOnceKnownAnswer(bool screen, long checks)
    {
        var scenario = ShockedCohort();
        var o = SimulationEngine.SimulatePaths(scenario, 0, 4, new ManagedBackend { Screening = screen });
        for (int p = 0; p < 4; p++)
        {
            Assert.That(o.MarginChecks[p], Is.EqualTo(checks), $"path {p}");
            Assert.That(o.CohortLiquidations[p], Is.EqualTo(1), $"path {p}");
            Assert.That(o.BadDebt[p], Is.GreaterThan(0), "the shock exceeds the 10% equity");
        }
    }

    /// <summary>
    /// A 10x short under the same -50% shock: unscreened, it is checked at every one of the 5 steps (a fall only helps
    /// it); the screen knows that only a rise can hurt a short book and never checks it.
    /// </summary>
    [TestCase(false, 5)]
    [TestCase(true, 0)]
    public void AShortBookIsNeverCheckedOnAFall(bool screen, long checks)
    {
        var scenario = ShockedCohort() with
        {
            Book = new BookSpec { Cohorts = [TestScenarios.Isolated(0, 1e6, 10, 100, isLong: false)] },
        };
        var o = SimulationEngine.SimulatePaths(scenario, 0, 4, new ManagedBackend { Screening = screen });
        Assert.That(o.MarginChecks.Take(4), Is.All.EqualTo(checks));
        Assert.That(o.CohortLiquidations.Take(4), Is.All.Zero);
    }

    /// <summary>
    /// W1's cohorts hold two positions on the same side: the screen sorts them into the long group (only falls can
    /// liquidate them) and the short group (only rises), none into the mixed one, each by increasing slack. A book of
    /// cohorts wholly in one asset goes into that asset's long and short groups instead.
    /// </summary>
    [Test]
    public void ScreeningGroupsSplitLongAndShortBooks()
    {
        var plan = SimulationPlan.Build(Workloads.W1);
        var start = plan.ScreenGroupStart;
        int longs = plan.Cohorts.Count(c => c.Positions.All(p => p.Units > 0));
        int shorts = plan.Cohorts.Count(c => c.Positions.All(p => p.Units < 0));
        Assert.That(longs + shorts, Is.EqualTo(plan.CohortCount));
        Assert.That(start, Is.EqualTo(new[] { 0, longs, longs + shorts }.Concat(Enumerable.Repeat(longs + shorts, 1 + 2 * plan.AssetCount))));
        Assert.That(longs, Is.InRange(500, 650), "about 55-60% long");
        for (int group = 0; group < plan.ScreenGroupCount; group++)
            for (int k = start[group] + 1; k < start[group + 1]; k++)
                Assert.That(plan.ScreenSlack[k], Is.GreaterThanOrEqualTo(plan.ScreenSlack[k - 1]));
        Assert.That(plan.ScreenOrder.Take(longs).All(c => plan.Cohorts[c].Positions.All(p => p.Units > 0)));

        // One BTC long, two ETH shorts, one ETH long, one BTC-ETH long: groups 0 (the pair), 3 (BTC long), 5 (ETH long), 6 (ETH short).
        var two = TestScenarios.Single(TestScenarios.Asset("BTC", 100, 0.5), [TestScenarios.Isolated(0, 1e6, 10, 100)]) with
        {
            Assets = [TestScenarios.Asset("BTC", 100, 0.5), TestScenarios.Asset("ETH", 10, 0.5)],
            Correlation = [1, 0, 0, 1],
            Venue = new VenueSpec { MaintenanceMargin = [new StaticMargin(0.01), new StaticMargin(0.01)] },
            Book = new BookSpec
            {
                Cohorts =
                [
                    TestScenarios.Isolated(0, 1e6, 10, 100), TestScenarios.Isolated(1, 1e6, 10, 10, isLong: false),
                    TestScenarios.Isolated(1, 1e6, 5, 10, isLong: false), TestScenarios.Isolated(1, 1e6, 10, 10),
                    new CohortSpec { Positions = [new PositionSpec(0, 100, 100), new PositionSpec(1, 1000, 10)], UsdCollateral = 5e3 },
                ],
            },
        };
        var split = SimulationPlan.Build(two);
        Assert.That(split.ScreenGroupStart, Is.EqualTo(new[] { 0, 1, 1, 1, 2, 2, 3, 5 }));
        Assert.That(split.ScreenOrder, Is.EqualTo(new[] { 4, 0, 3, 1, 2 }), "the 10x ETH short has less slack than the 5x");
    }

    [Test]
    public void RunResultSumsTheWorkOfEveryPath()
    {
        var result = SimulationEngine.Run(ShockedCohort() with { Paths = 3000 });
        Assert.That(result.Work, Is.EqualTo(new RunWork(PathSteps: 3000 * 5, MarginChecks: 3000, CohortLiquidations: 3000)));
        Assert.That(result.Work.MarginChecksPerPathStep, Is.EqualTo(0.2));
        Assert.That(SummaryTable.Format(result),
            Does.Contain("Work: 15,000 path-steps, 3,000 margin checks (0.2 per path-step of 1 cohorts; screening skips the rest), 3,000 cohort liquidations"));
        var json = System.Text.Json.Nodes.JsonNode.Parse(ResultJson.Serialize(result))!["work"]!;
        Assert.That((long)json["pathSteps"]!, Is.EqualTo(15_000));
        Assert.That((long)json["marginChecks"]!, Is.EqualTo(3_000));
        Assert.That((long)json["cohortLiquidations"]!, Is.EqualTo(3_000));
        Assert.That(ResultCsv.Serialize(result), Does.Contain("work.pathSteps,count,15000,,\n").And.Contain("work.marginChecks,count,3000,,\n")
            .And.Contain("work.cohortLiquidations,count,3000,,\n"));
    }

    /// <summary>
    /// A market that does not move liquidates nothing; the unscreened loop then checks every cohort once per step
    /// (exactly steps x cohorts), and the screen proves every one of W0's 64 cohorts healthy (none is balanced, none
    /// starts at its margin), so it checks none.
    /// </summary>
    [Test]
    public void AFlatMarketChecksEveryCohortOncePerStepWithoutScreeningAndNoneWithIt()
    {
        var w0 = Workloads.W0;
        var flat = w0 with
        {
            Assets = w0.Assets.Select(a => a with { Volatility = 0, LongRunVolatility = 0 }).ToImmutableArray(),
            Jumps = null,
        };
        int cohorts = SimulationPlan.Build(flat).CohortCount;
        var everything = SimulationEngine.SimulatePaths(flat, 0, 16, new ManagedBackend { Screening = false });
        var screened = SimulationEngine.SimulatePaths(flat, 0, 16, new ManagedBackend());
        for (int p = 0; p < 16; p++)
        {
            Assert.That(everything.MarginChecks[p], Is.EqualTo((long)flat.Steps * cohorts), $"path {p}");
            Assert.That(everything.CohortLiquidations[p], Is.Zero);
            Assert.That(screened.MarginChecks[p], Is.Zero, $"path {p}");
        }
    }

    private static Scenario ShockedCohort() =>
        TestScenarios.Single(TestScenarios.Asset("BTC", 100, 0), [TestScenarios.Isolated(0, 1e6, 10, 100)], steps: 5,
            paths: 4) with
        {
            Stress = [new StressShock(2, 0, -0.5)],
        };
}
