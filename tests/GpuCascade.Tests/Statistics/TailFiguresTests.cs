using System.Text.Json;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Statistics;

namespace GpuCascade.Tests.Statistics;

/// <summary>Tail figures keyed by the level as a number (<see cref="TailFigures{T}"/>), and the reports that still
/// spell the levels "0.95", "0.99", "0.999".</summary>
public class TailFiguresTests
{
    private static readonly TailFigures<double> Figures =
        new([new(new TailLevel(999, 1000), 3.0), new(new TailLevel(95, 100), 1.0), new(new TailLevel(99, 100), 2.0)]);

    [Test]
    public void LevelsAreNumbersInAscendingOrder()
    {
        Assert.That(Figures.Keys, Is.EqualTo(new[] { 0.95, 0.99, 0.999 }));
        Assert.That(Figures.Values, Is.EqualTo(new[] { 1.0, 2.0, 3.0 }));
        Assert.That(Figures.Select(f => f.Key), Is.EqualTo(Figures.Keys));
        Assert.That(Figures.Levels.Select(l => l.Key), Is.EqualTo(new[] { "0.95", "0.99", "0.999" }));
        Assert.That(Figures.Count, Is.EqualTo(3));
    }

    [Test]
    public void ANumberAJsonKeyOrATailLevelFindsTheFigure()
    {
        Assert.That(Figures[0.95], Is.EqualTo(1.0));
        Assert.That(Figures[0.99], Is.EqualTo(2.0));
        Assert.That(Figures[0.999], Is.EqualTo(3.0));
        Assert.That(Figures[1 - 0.001], Is.EqualTo(3.0), "a computed level within 1e-9");
        Assert.That(Figures["0.99"], Is.EqualTo(2.0));
        Assert.That(Figures["0.990"], Is.EqualTo(2.0));
        Assert.That(Figures[new TailLevel(999, 1000)], Is.EqualTo(3.0));
        Assert.That(Figures.ContainsKey(0.99) && !Figures.ContainsKey(0.98), Is.True);
        Assert.That(Figures.TryGetValue("n/a", out _), Is.False);
        IReadOnlyDictionary<double, double> dictionary = Figures;
        Assert.That(dictionary[0.99], Is.EqualTo(2.0));
    }

    [Test]
    public void AnAbsentLevelListsTheLevelsThereAre()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => _ = Figures[0.98])!;
        Assert.That(e.Message, Is.EqualTo("no tail figure at level 0.98: the levels are 0.95, 0.99, 0.999"));
        e = Assert.Throws<KeyNotFoundException>(() => _ = Figures["99%"])!;
        Assert.That(e.Message, Does.Contain("level 99%").And.Contain("0.95, 0.99, 0.999"));
        e = Assert.Throws<KeyNotFoundException>(() => _ = TailFigures<double>.Empty[0.99])!;
        Assert.That(e.Message, Does.Contain("there are none"));
    }

    [Test]
    public void ALevelTwiceOrOutsideTheUnitIntervalIsRefused()
    {
        Assert.Throws<ArgumentException>(() => _ = new TailFigures<double>([new(new TailLevel(99, 100), 1), new(new TailLevel(990, 1000), 2)]));
        Assert.Throws<ArgumentException>(() => _ = new TailFigures<double>([new(new TailLevel(1, 1), 1)]));
    }

    /// <summary>The JSON and CSV keep the level spelling and order they had with string keys.</summary>
    [Test]
    public void ReportsSpellTheLevelsAsBefore()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 12, Horizon = Duration.Parse("1h") };
        var r = SimulationEngine.Run(scenario, new RunOptions { Paths = 1000 });
        using var json = JsonDocument.Parse(ResultJson.Serialize(r));
        var badDebt = json.RootElement.GetProperty("badDebt");
        foreach (string name in new[] { "var", "es", "varInterval", "esInterval" })
            Assert.That(badDebt.GetProperty(name).EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "0.95", "0.99", "0.999" }), name);
        Assert.That(badDebt.GetProperty("es").GetProperty("0.99").GetDouble(), Is.EqualTo(r.BadDebt.ExpectedShortfall[0.99]));
        Assert.That(badDebt.GetProperty("varInterval").GetProperty("0.95").GetProperty("lower").GetDouble(),
            Is.EqualTo(r.BadDebt.ValueAtRiskInterval[0.95].Lower));

        var rows = ResultCsv.Serialize(r).Split('\n').Where(l => l.StartsWith("liquidatedNotional,", StringComparison.Ordinal))
            .Select(l => l.Split(',')[1]).ToList();
        Assert.That(rows, Is.EqualTo(new[] { "mean", "standardError", "var.0.95", "var.0.99", "var.0.999", "es.0.95", "es.0.99", "es.0.999" }));
    }
}
