using System.Diagnostics;
using System.Text;
using GpuCascade.Cli;
using GpuCascade.Cli.Shared;
using GpuCascade.Scenarios;

namespace GpuCascade.Tests.Cli;

/// <summary>A corpus of hostile inputs, each able to crash the tool, hang it or exhaust its memory if not caught: each is
/// exit 2 with a message that says what is wrong, no stack trace, in bounded time.</summary>
public class HostileInputTests
{
    private static string Bomb()
    {
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int k = 1; k <= 10; k++) yaml.Append($"a{k}: &a{k} [{string.Join(", ", Enumerable.Repeat($"*a{k - 1}", 10))}]\n");
        return yaml.ToString();
    }

    private static readonly string Default = ScenarioLoader.DefaultScenarioText;

    private static IEnumerable<TestCaseData> Corpus()
    {
        yield return new TestCaseData(Bomb(), "alias bomb").SetArgDisplayNames("billion laughs");
        yield return new TestCaseData("x: &a [*a]\n", "recursive alias").SetArgDisplayNames("recursive alias");
        yield return new TestCaseData(new string('[', 200_000), "deeper than 64 levels").SetArgDisplayNames("200,000 [");
        yield return new TestCaseData(Default.Replace("steps: 288", "steps: 3e9"), "steps: must be an integer in 1 .. 10000000, got 3e9")
            .SetArgDisplayNames("steps 3e9");
        yield return new TestCaseData(Default.Replace("steps: 288", "steps: 2147483647"), "steps: must be an integer in 1 .. 10000000")
            .SetArgDisplayNames("steps near 2^31");
        yield return new TestCaseData(Default.Replace("paths: 20000", "paths: 4.3e10"), "cannot be indexed")
            .SetArgDisplayNames("paths 4.3e10");
        yield return new TestCaseData(Default.Replace("entryDispersion: 0.04", "entryDispersion: 400"), "entryDispersion: must be in [0, 5], got 400")
            .SetArgDisplayNames("entryDispersion overflows exp");
        yield return new TestCaseData(Default.Replace("cohortsPerAsset: 100", "cohortsPerAsset: 1e7"), "at most 10,000,000 cohorts")
            .SetArgDisplayNames("cohortsPerAsset 1e7");
        // steps x oracleDelaySteps x assets beyond an index: ScenarioLimitsTests (300 assets are too long for a file here).
    }

    [TestCaseSource(nameof(Corpus))]
    public void RefusedWithAMessageInBoundedTime(string text, string message)
    {
        string dir = Directory.CreateTempSubdirectory("gpucascade-hostile-").FullName;
        try
        {
            string file = Path.Combine(dir, "s.yaml");
            File.WriteAllText(file, text);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var clock = Stopwatch.StartNew();
            int code = CliApp.Run(["run", file, "--backend", "managed", "--quiet"], stdout, stderr);
            string err = stderr.ToString();
            Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), err);
            Assert.That(err, Does.Contain(message));
            Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
            Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(30));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
