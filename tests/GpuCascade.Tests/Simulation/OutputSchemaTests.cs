using System.Text.Json;
using GpuCascade.Backends.Managed;
using GpuCascade.Calibration;
using GpuCascade.Kernels;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.Simulation;

/// <summary>The output schema is one consistent table: its slots are the model's, its names are unique, and every figure
/// it declares is where it says in the JSON result.</summary>
public class OutputSchemaTests
{
    [Test]
    public void EverySlotOfTheModelIsOneRowAndNamesAreUnique()
    {
        var rows = OutputSchema.Rows;
        var perPath = rows.Where(r => r.Shape == OutputShape.PerPath).Select(r => r.Slot).Order().ToArray();
        var failureSlots = new[] { PathOutput.FailLogPrice, PathOutput.FailFlow };
        Assert.That(perPath, Is.EqualTo(Enumerable.Range(0, PathOutput.RealFields).Except(failureSlots).ToArray()),
            "each per-path slot but the failure diagnostics is exactly one row");
        Assert.That(rows.Where(r => r.Shape == OutputShape.PerAsset).Select(r => r.Slot).Order(), Is.EqualTo(Enumerable.Range(0, PathOutput.AssetFields)));
        Assert.That(rows.Select(r => (r.Shape, r.Key)), Is.Unique, "a per-asset row may share a per-path row's key (liquidatedNotional: the total and per asset)");
        Assert.That(rows.Select(r => (r.Shape, r.ParquetName)), Is.Unique);
        foreach (var row in rows)
        {
            Assert.That(row.Has(OutputAggregations.Histogram), Is.EqualTo(row.HistogramEdges.Count > 0), row.Key);
            Assert.That(row.Has(OutputAggregations.Positive), Is.EqualTo(row.ProbabilityKey is not null || row == OutputSchema.RoundCapHit), row.Key);
            if (row.Mechanism is { } mechanism) Assert.That(row.Key, Does.StartWith(mechanism + "."), "a mechanism's figures are one JSON object");
            if (row.Mechanism is not null) Assert.That(row.Shape, Is.EqualTo(OutputShape.PerPath), "per-asset mechanism rows are not written yet");
        }
    }

    [Test]
    public void EveryDeclaredFigureIsWhereTheSchemaSaysInTheJson()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 12, Horizon = Duration.Parse("1h") };
        var result = SimulationEngine.Run(scenario with { Venue = scenario.Venue with { Adl = true } }, new RunOptions { Paths = 256, Backend = new ManagedBackend(2) });
        using var json = JsonDocument.Parse(ResultJson.Serialize(result));
        JsonElement? At(string path)
        {
            var e = json.RootElement;
            foreach (var part in path.Split('.'))
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(part, out var next)) return null;
                e = next;
            }
            return e;
        }
        var symbols = scenario.Assets.Select(a => a.Symbol).ToList();
        foreach (var row in OutputSchema.Rows)
        {
            var places = row.Shape == OutputShape.PerPath ? [row.Key] : symbols.Select(s => $"assets.{s}.{row.Key}").ToList();
            foreach (var place in places)
            {
                if (row.Has(OutputAggregations.Mean))
                    Assert.That(At(place + ".mean")?.ValueKind, Is.EqualTo(JsonValueKind.Number), $"{place}.mean");
                if (row.Has(OutputAggregations.Total))
                    Assert.That(At(place)?.ValueKind, Is.EqualTo(JsonValueKind.Number), place);
            }
            if (row.Has(OutputAggregations.Tail))
                Assert.That(At(row.Key) is { ValueKind: JsonValueKind.Object } tail && tail.GetProperty("es").TryGetProperty("0.99", out _), Is.True, row.Key);
            if (row.ProbabilityKey is { } key)
                Assert.That(At(key + ".estimate")?.ValueKind, Is.EqualTo(JsonValueKind.Number), key);
            if (row.Has(OutputAggregations.Histogram))
                foreach (var name in row.Shape == OutputShape.PerPath ? [row.Key] : symbols.Select(s => $"{row.Key}.{s}"))
                    Assert.That(json.RootElement.GetProperty("histograms").TryGetProperty(name, out _), Is.True, $"histograms.{name}");
        }
        Assert.That(result.Mechanisms.Probability("probabilities.adl").Estimate, Is.EqualTo(RiskMetric.Parse("probabilities.adl").Read(result).Estimate));
        Assert.That(() => result.Mechanisms.Mean("adl.nothing"), Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("adl.lossAbsorbed"));
    }

    [Test]
    public void EveryMetricReadsTheFigureTheJsonHasUnderItsName()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 12, Horizon = Duration.Parse("1h") };
        var result = SimulationEngine.Run(scenario with { Venue = scenario.Venue with { Adl = true, LiquidationCapacity = 5e7 } },
            new RunOptions { Paths = 512, Backend = new ManagedBackend(2) });
        using var json = JsonDocument.Parse(ResultJson.Serialize(result));
        foreach (var metric in RiskMetric.All)
        {
            // The name is the JSON path; a tail level is one key with a dot ("0.99"), a probability ends in .estimate.
            var e = json.RootElement;
            string path = metric.Name;
            string[] parts = metric.Level is { } level ? [.. path[..^(level.Key.Length + 1)].Split('.'), level.Key] : path.Split('.');
            foreach (var part in parts) e = e.GetProperty(part);
            if (metric.IsProbability) e = e.GetProperty("estimate");
            Assert.That(metric.Read(result).Estimate, Is.EqualTo(e.GetDouble()), metric.Name);
        }
    }

    [Test]
    public void AMechanismsRowsAreContiguousAndNamedAfterIt()
    {
        var mechanisms = OutputSchema.Rows.Select(r => r.Mechanism).Where(m => m is not null).ToList();
        var runs = mechanisms.Where((m, k) => k == 0 || mechanisms[k - 1] != m).ToList();
        Assert.That(runs, Is.Unique, "each mechanism's rows follow one another");
        Assert.That(OutputSchema.Rows.Select(r => r.Key.Split('.')[0]).Intersect(runs!), Is.EquivalentTo(runs),
            "a mechanism's object is its own");
        Assert.That(OutputSchema.Rows.Where(r => r.Mechanism is null).Select(r => r.Key.Split('.')[0]).Intersect(runs!), Is.Empty,
            "no core figure shares a mechanism's JSON object");
        Assert.That(OutputSchema.Rows.Where(r => r.ProbabilityKey is not null).Select(r => r.ProbabilityKey), Is.All.StartsWith("probabilities."));
        Assert.That(OutputSchema.Row("liquidatedNotional", OutputShape.PerAsset), Is.SameAs(OutputSchema.LiquidatedByAsset));
        Assert.That(OutputSchema.Row("liquidatedNotional"), Is.SameAs(OutputSchema.LiquidatedNotional));
    }

    [Test]
    public void TheTargetableMetricsAreTheSchemasTargetRows()
    {
        var names = RiskMetric.All.Select(m => m.Name).ToList();
        Assert.That(names, Is.Unique);
        foreach (var row in OutputSchema.Rows.Where(r => r.Has(OutputAggregations.Target)))
        {
            if (row.Has(OutputAggregations.Mean)) Assert.That(names, Does.Contain(row.Key + ".mean"));
            if (row.ProbabilityKey is { } key) Assert.That(names, Does.Contain(key));
            if (row.Has(OutputAggregations.Tail)) Assert.That(names, Does.Contain(row.Key + ".var.0.999").And.Contain(row.Key + ".es.0.95"));
        }
        foreach (var name in names) Assert.That(RiskMetric.Parse(name).Name, Is.EqualTo(name), "every name parses back to itself");
        Assert.That(() => new RiskMetric(OutputSchema.FundEnd, MetricStatistic.Mean), Throws.ArgumentException, "not a target");
        Assert.That(() => new RiskMetric(OutputSchema.Cascade, MetricStatistic.ValueAtRisk, GpuCascade.Statistics.TailLevel.Standard[0]), Throws.ArgumentException);
        Assert.That(() => new RiskMetric(OutputSchema.BadDebt, MetricStatistic.Mean, GpuCascade.Statistics.TailLevel.Standard[0]), Throws.ArgumentException);
        Assert.That(RiskMetric.Names, Does.Contain("adl.lossAbsorbed.mean").And.Contain("queue.maxNotional.mean").And.Contain("badDebt.{mean,var.L,es.L}"));
    }
}
