using GpuCascade.Scenarios;
using GpuCascade.Validation;

namespace GpuCascade.Tests.Scenarios;

/// <summary>The canonical JSON of a scenario loads back to an equal scenario, and the same scenario gives the same text.</summary>
public class ScenarioJsonTests
{
    private static IEnumerable<TestCaseData> Scenarios()
    {
        yield return new TestCaseData(ScenarioLoader.LoadDefault()).SetArgDisplayNames("default");
        yield return new TestCaseData(ScenarioLoader.LoadYaml(ScenarioTexts.IssueExample)).SetArgDisplayNames("issue example");
        yield return new TestCaseData(ScenarioLoader.LoadYaml(ScenarioTexts.Full)).SetArgDisplayNames("full");
        for (int seed = 1; seed <= 3; seed++)
            yield return new TestCaseData(TestScenarios.AdversarialBook(seed)).SetArgDisplayNames($"adversarial {seed}");
        yield return new TestCaseData(ClosedForms.LadderScenario(0.5)).SetArgDisplayNames("ladder");
        yield return new TestCaseData(GpuCascade.Benchmarks.Workloads.W1).SetArgDisplayNames("W1");
    }

    [TestCaseSource(nameof(Scenarios))]
    public void CanonicalJsonRoundTripsExactly(Scenario scenario)
    {
        string json = ScenarioJson.Canonical(scenario);
        var loaded = ScenarioLoader.LoadJson(json);
        Assert.That(loaded, Is.EqualTo(scenario));
        Assert.That(ScenarioJson.Canonical(loaded), Is.EqualTo(json));
        Assert.That(ScenarioJson.Sha256(loaded), Is.EqualTo(ScenarioJson.Sha256(scenario)).And.Length.EqualTo(64));
    }

    [Test]
    public void AnyChangeChangesTheHash()
    {
        var d = ScenarioLoader.LoadDefault();
        Assert.That(ScenarioJson.Sha256(d with { Seed = d.Seed + 1 }), Is.Not.EqualTo(ScenarioJson.Sha256(d)));
        Assert.That(ScenarioJson.Sha256(d with { Venue = d.Venue with { InsuranceFund = 5e7 + 1 } }), Is.Not.EqualTo(ScenarioJson.Sha256(d)));
    }

    [Test]
    public void AResultCarriesTheScenarioAsRun()
    {
        var d = ScenarioLoader.LoadDefault();
        var r = GpuCascade.Simulation.SimulationEngine.Run(d, new GpuCascade.Simulation.RunOptions { Paths = 1024, Seed = 9 });
        var m = r.Manifest!;
        Assert.That(ScenarioLoader.LoadJson(m.ScenarioJson), Is.EqualTo(d with { Paths = 1024, Seed = 9 }), "after the overrides");
        Assert.That(m.ScenarioSha256, Is.EqualTo(ScenarioJson.Sha256(d with { Paths = 1024, Seed = 9 })));
        Assert.That(m.BookSha256, Has.Length.EqualTo(64));
        Assert.That(m.EngineVersion, Is.EqualTo(GpuCascade.Operations.EngineInfo.Version));
        var json = System.Text.Json.Nodes.JsonNode.Parse(GpuCascade.Reporting.ResultJson.Serialize(r))!;
        Assert.That(json["manifest"]!["scenario"]!["seed"]!.GetValue<ulong>(), Is.EqualTo(9UL));
        Assert.That(json["manifest"]!["scenarioSha256"]!.GetValue<string>(), Is.EqualTo(m.ScenarioSha256));
    }
}
