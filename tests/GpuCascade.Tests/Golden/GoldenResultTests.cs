using System.Text.Json;
using System.Text.Json.Nodes;
using GpuCascade.Backends.Managed;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Backends;
using GpuCascade.Tests.Docs;

namespace GpuCascade.Tests.Golden;

/// <summary>
/// Known answers for refactoring: the JSON and CSV results of every scenario under scenarios/, of the embedded default
/// and of the parity suite's cases (managed, 2,048 paths, 2 threads), compared byte for byte with files written by an
/// earlier build (tests/GpuCascade.Tests/Golden/Results/), apart from what varies between identical runs (the run
/// block, the engine's version and commit). A change that moves a figure fails here; a change meant to move figures
/// (a new mechanism's output, a model change) rewrites the files with GPUCASCADE_WRITE_GOLDEN=1 and says why in its commit.
/// </summary>
public class GoldenResultTests
{
    private const int Paths = 2048;

    private static string GoldenDirectory => Path.Combine(DocsCodeTests.RepositoryRoot(), "tests", "GpuCascade.Tests", "Golden", "Results");

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(ScenarioLoader.LoadDefault()).SetArgDisplayNames("embedded-default");
        foreach (var file in Directory.GetFiles(Path.Combine(DocsCodeTests.RepositoryRoot(), "scenarios"), "*.yaml").Order(StringComparer.Ordinal))
            yield return new TestCaseData(ScenarioLoader.LoadFile(file)).SetArgDisplayNames("scenarios-" + Path.GetFileNameWithoutExtension(file));
        foreach (var (name, scenario) in ParityTests.Cases())
            yield return new TestCaseData(scenario).SetArgDisplayNames("parity-" + Slug(name));
    }

    private static string Slug(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')).Trim('-').Replace("--", "-", StringComparison.Ordinal);

    [TestCaseSource(nameof(Cases))]
    public void TheResultIsTheRecordedOne(Scenario scenario)
    {
        string name = TestContext.CurrentContext.Test.Name;
        name = name[(name.IndexOf('(', StringComparison.Ordinal) + 1)..^1];
        var result = SimulationEngine.Run(scenario, new RunOptions { Paths = Paths, Backend = new ManagedBackend(2) });
        string json = Stable(ResultJson.Serialize(result)), csv = ResultCsv.Serialize(result);
        string jsonFile = Path.Combine(GoldenDirectory, name + ".json"), csvFile = Path.Combine(GoldenDirectory, name + ".csv");
        if (Environment.GetEnvironmentVariable("GPUCASCADE_WRITE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(GoldenDirectory);
            File.WriteAllText(jsonFile, json);
            File.WriteAllText(csvFile, csv);
            Assert.Pass($"wrote {jsonFile}");
        }
        Assert.That(File.Exists(jsonFile), Is.True, $"{jsonFile} is missing: write it with GPUCASCADE_WRITE_GOLDEN=1 from a build whose results are right");
        Assert.That(json, Is.EqualTo(File.ReadAllText(jsonFile)), "the JSON result");
        Assert.That(csv, Is.EqualTo(File.ReadAllText(csvFile)), "the CSV result");
    }

    /// <summary>The JSON without what varies between identical runs or builds: the run block, the engine's version and commit.</summary>
    private static string Stable(string json)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        root.Remove("run");
        (root["manifest"] as JsonObject)?.Remove("engine");
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
