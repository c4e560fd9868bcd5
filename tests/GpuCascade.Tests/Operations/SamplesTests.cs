using System.Diagnostics;
using GpuCascade.Tests.Scenarios;

namespace GpuCascade.Tests.Operations;

/// <summary>
/// The research programs under samples/ run, with few paths, and print what they are for. The test project references
/// them without their assemblies, so a build of the tests builds them in the same configuration; each runs as its own
/// process (<c>dotnet samples/X/bin/CONFIG/net10.0/X.dll --paths N</c>), from the repository root. About 30 s in all on
/// 2 cores.
/// </summary>
public class SamplesTests
{
    [TestCase("RunFile", new[] { "--paths", "2000" }, "ES 99%")]
    [TestCase("CrnSweep", new[] { "--paths", "2000" }, "badDebt.es.0.99")]
    [TestCase("Compare", new[] { "--paths", "1000" }, "Variant 2 minus variant 1")]
    [TestCase("Calibrate", new[] { "--paths", "1000" }, "chosen")]
    [TestCase("PathAnalysis", new[] { "--paths", "2000" }, "E[bad debt | cascade]")]
    public void ASampleRunsWithFewPaths(string sample, string[] args, string expected)
    {
        var (code, stdout, stderr) = Run(sample, args);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain(expected));
        TestContext.Out.WriteLine(stdout);
    }

    [Test]
    public void RunFileReadsTheFileItIsGivenAndSaysWhatIsWrongWithIt()
    {
        var (code, stdout, stderr) = Run("RunFile", ["--paths", "1000", "scenarios/default.yaml"]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.StartWith("default.yaml: 1,000 paths x 288 steps"));
        (code, _, stderr) = Run("RunFile", ["no-such-scenario.yaml"]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("scenario file not found: no-such-scenario.yaml"));
    }

    private static (int Code, string Out, string Err) Run(string sample, string[] args)
    {
        string dll = Assembly(sample);
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var start = new ProcessStartInfo(host, [dll, .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = ScenarioDocsTests.RepositoryRoot(),
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{sample} ran for more than 2 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The sample's assembly in this test build's configuration, else in any; skipped with the reason when
    /// it is not built.</summary>
    private static string Assembly(string sample)
    {
        string bin = Path.Combine(ScenarioDocsTests.RepositoryRoot(), "samples", sample, "bin");
        // This assembly is in tests/GpuCascade.Tests/bin/CONFIG/TFM/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = here.Parent?.Name ?? "Debug", framework = here.Name;
        string same = Path.Combine(bin, configuration, framework, sample + ".dll");
        if (File.Exists(same)) return same;
        var any = Directory.Exists(bin)
            ? Directory.EnumerateFiles(bin, sample + ".dll", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        if (any is null) Assert.Ignore($"samples/{sample} is not built (dotnet build samples/{sample})");
        return any!;
    }
}
