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
/// (a model change) rewrites the files with GPUCASCADE_WRITE_GOLDEN=1 and says why in its commit. The figures of a
/// catalogued mechanism (src/GpuCascade/Scenarios/Mechanisms/) that the scenario leaves off are left out of both sides:
/// they are zeros by construction (each mechanism's tests check that being off changes nothing), and a new mechanism
/// then adds its rows without rewriting every file (docs/architecture.md, "Adding a mechanism").
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
        var off = OffMechanismRows(scenario);
        string json = Stable(ResultJson.Serialize(result), off), csv = StableCsv(ResultCsv.Serialize(result), off);
        string jsonFile = Path.Combine(GoldenDirectory, name + ".json"), csvFile = Path.Combine(GoldenDirectory, name + ".csv");
        if (Environment.GetEnvironmentVariable("GPUCASCADE_WRITE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(GoldenDirectory);
            File.WriteAllText(jsonFile, json);
            File.WriteAllText(csvFile, csv);
            Assert.Pass($"wrote {jsonFile}");
        }
        Assert.That(File.Exists(jsonFile), Is.True, $"{jsonFile} is missing: write it with GPUCASCADE_WRITE_GOLDEN=1 from a build whose results are right");
        Assert.That(json, Is.EqualTo(Stable(File.ReadAllText(jsonFile), off)), "the JSON result");
        Assert.That(csv, Is.EqualTo(StableCsv(File.ReadAllText(csvFile), off)), "the CSV result");
    }

    /// <summary>The output rows of the catalogued mechanisms that no asset and not the venue of <paramref name="scenario"/> has.</summary>
    private static List<GpuCascade.Kernels.OutputRow> OffMechanismRows(Scenario scenario)
    {
        var on = scenario.Assets.SelectMany(a => a.Mechanisms).Concat(scenario.Venue.Mechanisms).Select(s => s.GetType()).ToHashSet();
        return [.. MechanismCatalogue.All.Where(m => !on.Contains(m.SpecType)).SelectMany(m => m.Outputs)];
    }

    /// <summary>The CSV without the rows of <paramref name="off"/> mechanisms' figures.</summary>
    private static string StableCsv(string csv, List<GpuCascade.Kernels.OutputRow> off)
    {
        bool Off(string line) => off.Any(r => line.StartsWith(r.Key + ",", StringComparison.Ordinal)
                                              || (r.ProbabilityKey is { } p && line.StartsWith(p + ",", StringComparison.Ordinal)));
        return string.Concat(csv.Split('\n').Where(l => !Off(l)).Select((l, i) => i == 0 ? l : "\n" + l));
    }

    /// <summary>The JSON without what varies between identical runs or builds: the run block, the engine's version and commit.</summary>
    private static string Stable(string json, List<GpuCascade.Kernels.OutputRow> off)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        root.Remove("run");
        (root["manifest"] as JsonObject)?.Remove("engine");
        foreach (var row in off)
        {
            root.Remove(row.Mechanism!);
            if (row.ProbabilityName is { } p) (root["probabilities"] as JsonObject)?.Remove(p);
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
