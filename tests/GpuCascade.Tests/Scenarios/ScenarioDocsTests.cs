using System.Text.RegularExpressions;
using GpuCascade.Scenarios;

namespace GpuCascade.Tests.Scenarios;

/// <summary>The examples of docs/scenarios.md load, and the YAML, JSON and builder versions agree.</summary>
public partial class ScenarioDocsTests
{
    [Test]
    public void Documented_examples_are_the_same_scenario()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "scenarios.md"));
        var yaml = ScenarioLoader.LoadYaml(Block(doc, "## Example (YAML)", "yaml"));
        var json = ScenarioLoader.LoadJson(Block(doc, "## The same in JSON", "json"));
        var built = new ScenarioBuilder()
            .Horizon("30d").Steps(2000).Paths(200_000).Seed(11)
            .StudentT(5).Garch(0.05, 0.9)
            .Asset("BTC", price: 100_000, volatility: 0.8, depth1pct: 5e7)
            .Asset("ETH", price: 3_000, volatility: 0.9, a => a.SquareRootImpact(2e10).Haircut(0.1))
            .Correlation("BTC", "ETH", 0.8)
            .Stress(step: 0, "BTC", -0.05)
            .Venue(v => v
                .MaintenanceMargin("BTC", 0.004)
                .DynamicMargin("ETH", floor: 0.01, z: 3, closeOutHorizon: "1h")
                .LiquidationPenalty(0.01).InsuranceFund(1e7).Partial(0.25))
            .Isolated("BTC", PositionSide.Long, notional: 1e9, leverage: 10)
            .Build();
        Assert.That(json, Is.EqualTo(yaml));
        Assert.That(built, Is.EqualTo(yaml));
    }

    [Test]
    public void ReadmeScenarioExampleLoads()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var scenario = ScenarioLoader.LoadYaml(Block(readme, "## Scenarios", "yaml"));
        Assert.That(scenario.Book.Cohorts, Has.Length.EqualTo(4));
        Assert.That(scenario.Book.Generator, Is.Not.Null);
        Assert.That(scenario.Assets[1].Impact, Is.TypeOf<SquareRootImpact>());
        Assert.That(scenario.Assets[1].Liquidity, Is.Not.Null);
        Assert.That(scenario.Uncertainty.Any && scenario.Venue.Adl, Is.True);
    }

    /// <summary>The README's C# block is samples/ReadmeExample/Program.cs, which the solution compiles.</summary>
    [Test]
    public void ReadmeCSharpBlockIsTheCompiledSample()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        string sample = File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", "ReadmeExample", "Program.cs"));
        Assert.That(Block(readme, "## Calling it from C#", "csharp"), Is.EqualTo(sample));
    }

    [TestCase("### Compare variants", "Compare")]
    [TestCase("### Calibrate a margin", "Calibrate")]
    public void CalibrationDocsCSharpBlocksAreTheCompiledSamples(string heading, string sample)
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "calibration.md"));
        string program = File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", sample, "Program.cs"));
        Assert.That(Block(doc, heading, "csharp"), Is.EqualTo(program));
    }

    private static string Block(string doc, string heading, string language)
    {
        int at = doc.IndexOf(heading, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), heading);
        var match = FencedBlock().Match(doc, at);
        Assert.That(match.Success && match.Groups[1].Value == language, Is.True, heading);
        return match.Groups[2].Value;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GpuCascade.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex(@"```(\w+)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
