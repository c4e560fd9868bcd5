using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using GpuCascade.Operations;

namespace GpuCascade.Tests.Operations;

/// <summary>
/// The NuGet packages (docs/packaging.md): the library packages carry the engine's version, its commit and real metadata,
/// and the GpuCascade.Cli tool package installs with <c>dotnet tool install</c> and runs the embedded default scenario.
/// The packages come from the directory in GPUCASCADE_PACKAGES (.ci/run packs into it before the tests); without it the
/// fixture packs the solution itself (Release, into a temporary directory: about a minute on 2 cores). Skipped only where
/// no <c>dotnet</c> is on the PATH.
/// </summary>
[NonParallelizable]
public class PackagingTests
{
    private static readonly string[] LibraryPackages = ["GpuCascade.Kernels", "GpuCascade", "GpuCascade.Report"];
    private const string ToolPackage = "GpuCascade.Cli";

    private string _dotnet = "";
    private string _packages = "";
    private string _scratch = "";

    [OneTimeSetUp]
    public void FindOrPackThePackages()
    {
        _dotnet = FindDotnet() ?? "";
        if (_dotnet.Length == 0) Assert.Ignore("no dotnet on the PATH: the packages cannot be packed or the tool installed");
        _scratch = Directory.CreateTempSubdirectory("gpucascade-packaging-").FullName;

        string? given = Environment.GetEnvironmentVariable("GPUCASCADE_PACKAGES");
        if (!string.IsNullOrEmpty(given))
        {
            _packages = Path.GetFullPath(given);
            Assert.That(Package(ToolPackage), Does.Exist,
                $"GPUCASCADE_PACKAGES={given} has no {ToolPackage}.{EngineInfo.Version}.nupkg: pack with `dotnet pack -c Release -o {given}`");
            return;
        }
        // No packages given: pack the solution as .ci/run does. Release, so the running tests' Debug build is not touched;
        // no build servers, so no lingering MSBuild node keeps this process's pipes open.
        _packages = Path.Combine(_scratch, "packages");
        string solution = Path.Combine(GpuCascade.Tests.Scenarios.ScenarioDocsTests.RepositoryRoot(), "GpuCascade.sln");
        var (code, output) = Dotnet(["pack", solution, "-c", "Release", "-o", _packages, "--disable-build-servers", "-nodeReuse:false"],
                                    timeoutSeconds: 900);
        Assert.That(code, Is.Zero, $"dotnet pack failed:\n{output}");
    }

    [OneTimeTearDown]
    public void DeleteScratch()
    {
        if (_scratch.Length == 0) return;
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open: the temporary directory is left to the system
        }
    }

    /// <summary><c>dotnet tool install</c> from the packages, with a NuGet configuration that has only that directory and a
    /// package cache of its own (so no stale GpuCascade.Cli of the same version in ~/.nuget/packages can stand in), then the
    /// installed <c>gpucascade</c>: its version line and a run of the embedded default scenario.</summary>
    [Test]
    public void TheToolInstallsFromThePackagesAndRunsTheDefaultScenario()
    {
        string config = Path.Combine(_scratch, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="gpucascade" value="{System.Security.SecurityElement.Escape(_packages)}" />
              </packageSources>
            </configuration>
            """);
        string tools = Path.Combine(_scratch, "tools");
        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_scratch, "nuget-cache") };
        var (installed, installOutput) = Dotnet(
            ["tool", "install", "--tool-path", tools, "--configfile", config, ToolPackage, "--version", EngineInfo.Version], isolated, 300);
        Assert.That(installed, Is.Zero, $"dotnet tool install failed:\n{installOutput}");
        string gpucascade = Path.Combine(tools, OperatingSystem.IsWindows() ? "gpucascade.exe" : "gpucascade");
        Assert.That(gpucascade, Does.Exist, $"no {gpucascade} after the install:\n{installOutput}");

        var (versionCode, versionOut, versionErr) = Run(gpucascade, ["--version"]);
        Assert.That(versionCode, Is.Zero, versionErr);
        Assert.That(versionOut.Trim(), Is.EqualTo(EngineInfo.Describe()), "the tool is not the build under test: a stale package?");
        Assert.That(versionOut, Does.StartWith($"GpuCascade {EngineInfo.Version} (commit "));
        if (EngineInfo.Commit != "unknown") Assert.That(versionOut, Does.Contain(EngineInfo.Commit[..12]));

        // --report draws the charts: Skia's native library must load from the installed tool's own folder.
        string report = Path.Combine(tools, "report.html");
        var (runCode, json, runErr) = Run(gpucascade, ["run", "--paths", "2000", "--quiet", "--json", "-", "--report", report]);
        Assert.That(runCode, Is.Zero, runErr);
        Assert.That(report, Does.Exist);
        Assert.That(File.ReadAllText(report), Does.Contain("<svg").And.Contain("data-chart=\"bad-debt-histogram\""));
        var result = JsonNode.Parse(json)!.AsObject();
        Assert.That(result["paths"]!.GetValue<long>(), Is.EqualTo(2000));
        Assert.That(result["steps"]!.GetValue<int>(), Is.EqualTo(288), "not the embedded default scenario");
        Assert.That(result["manifest"]!["engine"]!["version"]!.GetValue<string>(), Is.EqualTo(EngineInfo.Version));
        Assert.That(result["manifest"]!["engine"]!["commit"]!.GetValue<string>(), Is.EqualTo(EngineInfo.Commit));
    }

    /// <summary>Each package's nuspec: id, the engine's version, a real description, authors, the MIT licence, the readme
    /// (present in the package), the git commit of the build, and the exact-version dependencies between the packages; the
    /// tool package is a DotnetTool with the <c>gpucascade</c> command, its dependencies and Skia's native libraries inside;
    /// the engine's package carries no Skia; tests, bench and samples are not packed.</summary>
    [Test]
    public void ThePackagesCarryTheEnginesVersionCommitAndMetadata()
    {
        string version = EngineInfo.Version;
        var packed = Directory.GetFiles(_packages, $"*.{version}.nupkg").Select(f => Path.GetFileName(f)[..^$".{version}.nupkg".Length]);
        Assert.That(packed, Is.EquivalentTo(LibraryPackages.Append(ToolPackage)), "exactly the four packages (IsPackable=false elsewhere)");

        foreach (string id in LibraryPackages.Append(ToolPackage))
        {
            using var zip = ZipFile.OpenRead(Package(id));
            XElement metadata = Nuspec(zip, id);
            string Field(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
            XElement? Element(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(Field("id"), Is.EqualTo(id));
                Assert.That(Field("version"), Is.EqualTo(version), $"{id}: the version of Directory.Build.props");
                Assert.That(Field("description"), Is.Not.Empty.And.Not.EqualTo("Package Description"), id);
                Assert.That(Field("authors"), Is.EqualTo("GpuCascade authors"), id);
                Assert.That(Element("license")?.Attribute("type")?.Value, Is.EqualTo("expression"), id);
                Assert.That(Field("license"), Is.EqualTo("MIT"), id);
                Assert.That(Field("readme"), Is.EqualTo("README.md"), id);
                Assert.That(zip.GetEntry("README.md"), Is.Not.Null, $"{id}: the readme file itself");
                Assert.That(Field("tags"), Does.Contain("monte-carlo"), id);
                Assert.That(Element("repository")?.Attribute("type")?.Value, Is.EqualTo("git"), id);
                if (EngineInfo.Commit != "unknown")
                    Assert.That(Element("repository")?.Attribute("commit")?.Value, Is.EqualTo(EngineInfo.Commit), $"{id}: the commit of the build");
            }
        }

        Assert.That(Dependencies("GpuCascade.Kernels"), Does.ContainKey("ILGPU").And.ContainKey("ILGPU.Algorithms"));
        var engine = Dependencies("GpuCascade");
        Assert.That(engine["GpuCascade.Kernels"], Is.EqualTo($"[{version}]"), "the engine needs the kernels of its own build");
        Assert.That(engine.Keys, Has.None.StartsWith("SkiaSharp").And.None.StartsWith("ScottPlot"), "the engine carries no Skia");
        var report = Dependencies("GpuCascade.Report");
        Assert.That(report["GpuCascade"], Is.EqualTo($"[{version}]"));
        Assert.That(report.Keys, Does.Contain("ScottPlot").And.Contain("SkiaSharp.NativeAssets.Linux.NoDependencies"));

        using var tool = ZipFile.OpenRead(Package(ToolPackage));
        XElement toolMetadata = Nuspec(tool, ToolPackage);
        Assert.That(toolMetadata.Descendants().Where(e => e.Name.LocalName == "packageType").Select(e => e.Attribute("name")?.Value),
                    Does.Contain("DotnetTool"));
        Assert.That(Dependencies(ToolPackage), Is.Empty, "a tool carries its dependencies inside");
        var entries = tool.Entries.Select(e => e.FullName).ToList();
        const string root = "tools/net10.0/any/";
        Assert.That(entries, Does.Contain(root + "GpuCascade.Cli.dll").And.Contain(root + "GpuCascade.dll")
                                  .And.Contain(root + "GpuCascade.Kernels.dll").And.Contain(root + "GpuCascade.Report.dll")
                                  .And.Contain(root + "ILGPU.dll").And.Contain(root + "SkiaSharp.dll")
                                  .And.Contain(root + "runtimes/linux-x64/native/libSkiaSharp.so"));
        Assert.That(entries, Does.Not.Contain(root + "gpucascade").And.Not.Contain(root + "GpuCascade.Cli"),
                    "no app host in the tool package: `dotnet tool install` makes the gpucascade shim");
        using var settings = tool.GetEntry(root + "DotnetToolSettings.xml")!.Open();
        var command = XDocument.Load(settings).Descendants("Command").Single();
        Assert.That(command.Attribute("Name")?.Value, Is.EqualTo("gpucascade"));
        Assert.That(command.Attribute("EntryPoint")?.Value, Is.EqualTo("GpuCascade.Cli.dll"));
    }

    private string Package(string id) => Path.Combine(_packages, $"{id}.{EngineInfo.Version}.nupkg");

    private static XElement Nuspec(ZipArchive zip, string id)
    {
        var entry = zip.Entries.SingleOrDefault(e => !e.FullName.Contains('/') && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase))
                    ?? throw new AssertionException($"{id}: no nuspec in the package");
        using var stream = entry.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    /// <summary>The package's dependencies (all target frameworks): id to version range.</summary>
    private Dictionary<string, string> Dependencies(string id)
    {
        using var zip = ZipFile.OpenRead(Package(id));
        return Nuspec(zip, id).Descendants().Where(e => e.Name.LocalName == "dependency")
                              .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")?.Value ?? "");
    }

    private static string? FindDotnet()
    {
        string name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Runs the <c>dotnet</c> command line: exit code and stdout with stderr.</summary>
    private (int Code, string Output) Dotnet(string[] args, IDictionary<string, string>? environment = null, int timeoutSeconds = 300)
    {
        var (code, stdout, stderr) = Run(_dotnet, args, environment, timeoutSeconds);
        return (code, stdout + stderr);
    }

    /// <summary>Runs a program: exit code, stdout, stderr. The installed tool's shim finds the runtime through DOTNET_ROOT,
    /// set here to the running SDK's directory where it is not set (an install outside the default place).</summary>
    private (int Code, string Out, string Err) Run(string program, string[] args, IDictionary<string, string>? environment = null,
                                                   int timeoutSeconds = 120)
    {
        var start = new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _scratch,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ROOT")))
            start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(new FileInfo(_dotnet).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? _dotnet);
        if (environment is not null)
            foreach (var (k, v) in environment) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            return (-1, output.Result, err.Result + $" ({Path.GetFileName(program)} {string.Join(' ', args)}: timed out after {timeoutSeconds} s)");
        }
        return (p.ExitCode, output.Result, err.Result);
    }
}
