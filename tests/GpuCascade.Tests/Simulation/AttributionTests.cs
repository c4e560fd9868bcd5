using GpuCascade.Backends.Managed;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Statistics;

namespace GpuCascade.Tests.Simulation;

/// <summary>Per-cohort attribution (docs/model.md, "Attribution").</summary>
public class AttributionTests
{
    private static Scenario Short() => ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h") };

    [Test]
    public void CohortsBadDebtAddsUpToTheRunsMeanBadDebt()
    {
        var r = SimulationEngine.Run(Short(), new RunOptions { Paths = 4096 });
        Assert.That(r.CohortAttribution, Has.Count.EqualTo(r.Cohorts));
        Assert.That(r.BadDebt.Mean, Is.GreaterThan(0));
        Assert.That(r.CohortAttribution.Sum(c => c.BadDebt), Is.EqualTo(r.BadDebt.Mean).Within(1e-12).Percent);
        // Liquidated notional: per cohort at execution prices, per asset in the run; the same money summed two ways.
        Assert.That(r.CohortAttribution.Sum(c => c.LiquidatedNotional), Is.EqualTo(r.LiquidatedNotional.Mean).Within(1e-9).Percent);
        Assert.That(r.CohortAttribution.Sum(c => c.TailShare ?? 0), Is.EqualTo(1).Within(1e-12));
        Assert.That(r.CohortAttribution.All(c => c.PLiquidated.Lower <= c.PLiquidated.Estimate && c.PLiquidated.Estimate <= c.PLiquidated.Upper));
        // A cohort that leaves bad debt was liquidated on some path.
        Assert.That(r.CohortAttribution.Where(c => c.BadDebt > 0).All(c => c.PLiquidated.Estimate > 0));
    }

    /// <summary>One long cohort at 10x, a 50% fall at step 2: liquidated on every path, all the bad debt is its own.</summary>
    [Test]
    public void ASingleShockedCohortOwnsEverything()
    {
        var scenario = TestScenarios.Single(TestScenarios.Asset("BTC", 100, 0), [TestScenarios.Isolated(0, 1e6, 10, 100)], steps: 5, paths: 2048)
            with { Stress = [new StressShock(2, 0, -0.5)] };
        var r = SimulationEngine.Run(scenario);
        var c = r.CohortAttribution.Single();
        Assert.That(c.PLiquidated.Estimate, Is.EqualTo(1));
        Assert.That(c.BadDebt, Is.EqualTo(r.BadDebt.Mean).Within(1e-12).Percent);
        Assert.That(c.TailShare, Is.EqualTo(1));
        Assert.That(c.Side, Is.EqualTo("long"));
        Assert.That(c.Assets, Is.EqualTo(new[] { "BTC" }));
        Assert.That(c.Leverage, Is.EqualTo(10).Within(1e-12));
        Assert.That(c.Notional, Is.EqualTo(1e6).Within(1e-9));
    }

    /// <summary>The attribution is part of the reproducible result: the same for any batch size and thread count.</summary>
    [Test]
    public void AttributionDoesNotDependOnBatchesOrThreads()
    {
        var scenario = Short() with { Paths = 5000 };
        string a = TestScenarios.Reproducible(SimulationEngine.Run(scenario, new RunOptions { Backend = new ManagedBackend(1), BatchSize = 1024 }));
        string b = TestScenarios.Reproducible(SimulationEngine.Run(scenario, new RunOptions { Backend = new ManagedBackend(2), BatchSize = 4096 }));
        Assert.That(b, Is.EqualTo(a));
        Assert.That(a, Does.Contain("\"cohortAttribution\": [").Or.Contain("\"cohortAttribution\":["));
    }

    [Test]
    public void JsonAndCsvCarryEveryCohort()
    {
        var r = SimulationEngine.Run(Short(), new RunOptions { Paths = 1024 });
        var json = System.Text.Json.Nodes.JsonNode.Parse(ResultJson.Serialize(r))!["cohortAttribution"]!.AsArray();
        Assert.That(json, Has.Count.EqualTo(r.Cohorts));
        var first = json[0]!.AsObject();
        Assert.That(first.Select(p => p.Key), Is.EqualTo(new[]
            { "name", "assets", "side", "leverage", "notional", "pLiquidated", "liquidatedNotional", "badDebt", "tailShare" }));
        Assert.That((string)first["name"]!, Is.EqualTo(r.CohortAttribution[0].Name));
        string csv = ResultCsv.Serialize(r);
        Assert.That(csv.Split('\n').Count(l => l.StartsWith("cohortAttribution.", StringComparison.Ordinal)), Is.EqualTo(4 * r.Cohorts));
    }

    /// <summary>The tail keeps path indices; among equal values the lowest indices, whatever the merge order.</summary>
    [Test]
    public void TailKeepsTheLowestPathsAmongTies()
    {
        var a = new TailQuantiles(3);
        a.SetFrom([5.0, 1.0, 5.0, 7.0], firstPath: 10);
        var b = new TailQuantiles(3);
        b.SetFrom([5.0, 5.0], firstPath: 2);
        var ab = new TailQuantiles(3);
        ab.Merge(a);
        ab.Merge(b);
        var ba = new TailQuantiles(3);
        ba.Merge(b);
        ba.Merge(a);
        Assert.That(ab.Paths, Is.EqualTo(new long[] { 13, 2, 3 }));
        Assert.That(ba.Paths, Is.EqualTo(ab.Paths));
        Assert.That(ab.Values.ToArray(), Is.EqualTo(new[] { 7.0, 5.0, 5.0 }));
    }
}
