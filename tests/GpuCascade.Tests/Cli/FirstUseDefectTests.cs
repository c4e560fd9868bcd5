using GpuCascade.Cli;
using GpuCascade.Cli.Shared;
using GpuCascade.Operations;
using GpuCascade.Scenarios;

namespace GpuCascade.Tests.Cli;

/// <summary>What a new user hit by following the README and trying bad inputs: crashes (exit 134 with a stack trace),
/// inputs read without bound, and the README's own <c>--plots</c> example failing. Each is now exit 2 with a message
/// naming the option or file, or works as documented.</summary>
public class FirstUseDefectTests : CliTestBase
{
    private static void AssertRefused((int Code, string Out, string Err) r, string message)
    {
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InvalidInput), r.Err);
        Assert.That(r.Err, Does.Contain(message));
        Assert.That(r.Err, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void MoreSamplePathsThanPathsIsRefusedNamingTheOption()
    {
        string samples = Path.Combine(_dir, "sp.csv");
        AssertRefused(Run("run", "--paths", "4", "--sample-paths", "5", samples, "--quiet"),
            "--sample-paths: 5 sample paths asked for, but the run has 4 paths");
        Assert.That(File.Exists(samples), Is.False);
    }

    [Test]
    public void MoreSamplePathsThanTheScenariosPathsIsRefused()
    {
        string scenario = Path.Combine(_dir, "three.yaml");
        File.WriteAllText(scenario, ScenarioLoader.DefaultScenarioText.Replace("paths: 20000", "paths: 3"));
        AssertRefused(Run("run", scenario, "--sample-paths", "5", Path.Combine(_dir, "sp.csv"), "--quiet"),
            "--sample-paths: 5 sample paths asked for, but the run has 3 paths");
        // ... and in a shard, against the run's paths.
        AssertRefused(Run("run", scenario, "--sample-paths", "5", Path.Combine(_dir, "sp.csv"), "--shard", "0/1", "--partial",
            Path.Combine(_dir, "p.bin")), "--sample-paths: 5 sample paths asked for, but the run has 3 paths");
    }

    [Test]
    public void AsManySamplePathsAsPathsStillWorks()
    {
        string samples = Path.Combine(_dir, "sp.csv");
        var r = Run("run", "--paths", "4", "--sample-paths", "4", samples, "--quiet");
        Assert.That(r.Code, Is.Zero, r.Err);
        Assert.That(File.ReadAllText(samples), Does.Contain("\n3,"));
    }

    [TestCase("merge", "partial file /dev/zero: is empty (0 bytes), or is a device or a pipe rather than a regular file")]
    [TestCase("report", "JSON file /dev/zero: is empty (0 bytes), or is a device or a pipe rather than a regular file")]
    public void DevicesAreNotReadAsInputs(string command, string message)
    {
        Assume.That(File.Exists("/dev/zero"), "a Unix machine");
        var args = command == "merge"
            ? new[] { "merge", "/dev/zero", "--json", Path.Combine(_dir, "m.json") }
            : new[] { "report", "/dev/zero", "--out", Path.Combine(_dir, "r.html") };
        AssertRefused(Run(args), message);
    }

    [Test]
    public void ADeviceIsNotReadAsARunCheckpointOrACalibrationCheckpoint()
    {
        Assume.That(File.Exists("/dev/zero"), "a Unix machine");
        AssertRefused(Run("run", "--paths", "64", "--checkpoint", "/dev/zero", "--quiet"), "/dev/zero");
        AssertRefused(Run("calibrate", "--paths", "64", "--vary", "venue.maintenanceMargin=0.01..0.02", "--target", "probabilities.badDebt<=0.5",
            "--checkpoint", "/dev/zero", "--quiet"), "/dev/zero");
    }

    [Test]
    public void APipeIsRefusedWithoutWaitingForAWriter()
    {
        string fifo = Path.Combine(_dir, "pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo?.WaitForExit();
        Assume.That(File.Exists(fifo), "mkfifo is available");
        var task = Task.Run(() => Run("report", fifo, "--out", Path.Combine(_dir, "r.html")));
        Assert.That(task.Wait(TimeSpan.FromSeconds(30)), Is.True, "the report did not wait on the pipe");
        AssertRefused(task.Result, "is a device or a pipe rather than a regular file");
    }

    [Test]
    public void InputsGivenThroughSymbolicLinksAreReadFromTheirTargets()
    {
        string json = Path.Combine(_dir, "r.json"), scenario = Path.Combine(_dir, "s.yaml");
        Assert.That(Run("run", "--paths", "64", "--quiet", "--json", json).Code, Is.Zero);
        File.WriteAllText(scenario, ScenarioLoader.DefaultScenarioText);
        File.CreateSymbolicLink(Path.Combine(_dir, "link.json"), json);
        File.CreateSymbolicLink(Path.Combine(_dir, "link.yaml"), scenario);
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        File.CreateSymbolicLink(Path.Combine(_dir, "sub", "chain.yaml"), Path.Combine(_dir, "link.yaml")); // a link to a link
        var r = Run("report", Path.Combine(_dir, "link.json"), "--out", Path.Combine(_dir, "r.html"));
        Assert.That(r.Code, Is.Zero, r.Err);
        r = Run("run", Path.Combine(_dir, "sub", "chain.yaml"), "--paths", "64", "--quiet");
        Assert.That(r.Code, Is.Zero, r.Err);
        File.CreateSymbolicLink(Path.Combine(_dir, "dangling.yaml"), Path.Combine(_dir, "none.yaml"));
        AssertRefused(Run("run", Path.Combine(_dir, "dangling.yaml"), "--quiet"), "scenario file not found: " + Path.Combine(_dir, "dangling.yaml"));
    }

    [Test]
    public void OversizedInputsAreRefusedBeforeTheyAreRead()
    {
        string big = Path.Combine(_dir, "big.json");
        using (var f = File.Create(big)) f.SetLength(InputFile.MaxJsonBytes + 1); // sparse: no disk used
        AssertRefused(Run("report", big, "--out", Path.Combine(_dir, "r.html")), $"JSON file {big}: {InputFile.MaxJsonBytes + 1:N0} bytes, over the limit of 1 GiB");
        string part = Path.Combine(_dir, "big.bin");
        using (var f = File.Create(part)) f.SetLength(InputFile.MaxAccumulatorBytes + 1);
        AssertRefused(Run("merge", part, "--json", Path.Combine(_dir, "m.json")), $"partial file {part}: {InputFile.MaxAccumulatorBytes + 1:N0} bytes, over the limit of 2 GiB");
        string scenario = Path.Combine(_dir, "big.yaml");
        using (var f = File.Create(scenario)) f.SetLength(InputFile.MaxScenarioBytes + 1);
        AssertRefused(Run("run", scenario, "--quiet"), $"scenario file {scenario}: {InputFile.MaxScenarioBytes + 1:N0} bytes, over the limit of 32 MiB");
    }

    [Test]
    public void InputFileReadsExactlyARegularFile()
    {
        string file = Path.Combine(_dir, "a.txt");
        File.WriteAllText(file, "\uFEFFpaths: 3\n");
        Assert.That(InputFile.ReadText(file, "scenario file", 1024), Is.EqualTo("paths: 3\n"), "BOM removed");
        Assert.That(() => InputFile.ReadText(file, "scenario file", 4), Throws.InstanceOf<InputFileException>().With.Message.Contains("12 bytes, over the limit of 4 bytes"));
        Assert.That(() => InputFile.ReadText(Path.Combine(_dir, "none"), "scenario file", 4),
            Throws.InstanceOf<InputFileException>().With.Message.EqualTo($"scenario file not found: {Path.Combine(_dir, "none")}"));
        Assert.That(() => InputFile.ReadText(_dir, "scenario file", 4), Throws.InstanceOf<InputFileException>().With.Message.Contains("is a directory"));
    }

    [TestCase("plots/")]
    [TestCase("plots")]
    [TestCase("new/nested/plots/")]
    public void PlotsDirectoryIsCreatedWithOrWithoutATrailingSlash(string directory)
    {
        string json = Path.Combine(_dir, "r.json");
        Assert.That(Run("run", "--paths", "256", "--json", json, "--quiet").Code, Is.Zero);
        string plots = Path.Combine(_dir, directory);
        var r = Run("report", json, "--out", Path.Combine(_dir, "r.html"), "--plots", plots);
        Assert.That(r.Code, Is.Zero, r.Err);
        Assert.That(Directory.GetFiles(plots, "*.png"), Is.Not.Empty);

        string runPlots = Path.Combine(_dir, "p4" + (directory.EndsWith('/') ? "/" : ""));
        r = Run("run", "--paths", "256", "--quiet", "--plots", runPlots);
        Assert.That(r.Code, Is.Zero, r.Err);
        Assert.That(Directory.GetFiles(runPlots, "*.png"), Is.Not.Empty);
    }

    [Test]
    public void PlotsUnderAFileIsRefusedBeforeTheRun()
    {
        string file = Path.Combine(_dir, "f");
        File.WriteAllText(file, "x");
        AssertRefused(Run("run", "--paths", "256", "--quiet", "--plots", Path.Combine(file, "plots/")), "--plots:");
    }

    // --- calibrate: the verdict says when the chosen value fails out of sample ---

    /// <summary>On 512 paths of the default scenario, the preferred end 0.005 meets cascade <= 13% in sample (upper end
    /// 11.78%) but not on seed + 1 (estimate 11.72%, upper end 14.79%): deterministic, as every run is.</summary>
    private static readonly string[] FailingOutOfSample =
        ["calibrate", "--paths", "512", "--vary", "venue.maintenanceMargin=0.005..0.05", "--target", "probabilities.cascade<=0.13", "--backend", "managed"];

    [Test]
    public void ACalibrationThatFailsOutOfSampleSaysSoAndExitsFour()
    {
        string json = Path.Combine(_dir, "c.json"), csv = Path.Combine(_dir, "c.csv"), html = Path.Combine(_dir, "c.html");
        var r = Run([.. FailingOutOfSample, "--json", json, "--csv", csv, "--report", html]);
        Assert.That(r.Code, Is.EqualTo(ExitCodes.OutOfSampleFailed), r.Err);
        Assert.That(r.Err, Does.Contain("error: venue.maintenanceMargin = 0.005 meets every target in sample but FAILS OUT OF SAMPLE " +
                                        "(seed 20261122, probabilities.cascade 11.72%, upper 14.79% > 13.00%)"));
        // The estimate beside the upper end, as stdout formats them: never the upper end alone, never 1.479E-01.
        Assert.That(r.Err, Does.Contain("probabilities.cascade 8.98%, upper 11.78% <= 13.00%"));
        Assert.That(r.Err, Does.Not.Match(@"\dE[+-]\d"));
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!;
        Assert.That(root["verdict"]!.GetValue<string>(), Is.EqualTo("failsOutOfSample"));
        Assert.That(root["feasible"]!.GetValue<bool>(), Is.True, "in sample it is feasible");
        Assert.That(root["holdsOutOfSample"]!.GetValue<bool>(), Is.False);
        Assert.That(root["targets"]![0]!["estimate"]!.GetValue<double>(), Is.LessThan(root["targets"]![0]!["value"]!.GetValue<double>()));
        Assert.That(File.ReadAllText(csv), Does.Contain("verdict,,,failsOutOfSample,,,,false"));
        // The report's first fact is the verdict, marked bad; "feasible true" is not what a committee reads first.
        string page = File.ReadAllText(html);
        int verdict = page.IndexOf("<th scope=\"row\">verdict</th>", StringComparison.Ordinal);
        Assert.That(verdict, Is.GreaterThan(0));
        Assert.That(page[verdict..(verdict + 200)], Does.Contain("class=\"bad\""));
        Assert.That(page, Does.Contain("FAILS OUT OF SAMPLE"));
        Assert.That(page, Does.Not.Contain("<th scope=\"row\">feasible</th>"));
    }

    [Test]
    public void ACalibrationThatHoldsOutOfSampleExitsZeroWithTheVerdict()
    {
        var r = Run("calibrate", "--paths", "512", "--vary", "venue.maintenanceMargin=0.005..0.05", "--target", "probabilities.cascade<=0.5",
            "--backend", "managed");
        Assert.That(r.Code, Is.Zero, r.Err);
        Assert.That(r.Out, Does.Contain("Verdict: venue.maintenanceMargin = ").And.Contain("meets every target, in sample and out of sample."));
        var help = Run("calibrate", "--help");
        string text = System.Text.RegularExpressions.Regex.Replace(help.Out, @"\s+", " "); // however the help wraps
        Assert.That(text, Does.Contain("4 if the chosen one fails when rerun on fresh paths").And.Contain("4 calibrated value fails the out-of-sample check"));
    }

    [Test]
    public void TheFragmentsValueIsRoundedToTheResolutionAlsoAboveOne()
    {
        // The fund searched over [1e5, 9e8] has a resolution of 899,900: the fragment gives the bisected 2,736,425.78125
        // rounded up (the low end is preferred) to the resolution's leading power of ten, 100,000.
        string yaml = Path.Combine(_dir, "f.yaml"), json = Path.Combine(_dir, "f.json");
        var r = Run("calibrate", "--paths", "512", "--vary", "venue.insuranceFund=1e5..9e8", "--target", "probabilities.fundDepleted<=0.01",
            "--estimate", "--backend", "managed", "--quiet", "--yaml", yaml, "--json", json);
        Assert.That(r.Code, Is.AnyOf(ExitCodes.Ok, ExitCodes.OutOfSampleFailed), r.Err);
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!;
        double chosen = root["chosen"]!.GetValue<double>(), resolution = root["resolution"]!.GetValue<double>();
        Assert.That(root["outcome"]!.GetValue<string>(), Is.EqualTo("bisected"));
        Assert.That(File.ReadAllText(yaml), Does.EndWith("  insuranceFund: 2800000\n"));
        Assert.That(2_800_000 - chosen, Is.GreaterThanOrEqualTo(0).And.LessThan(resolution), "on the feasible side, within the resolution");
    }

    // --- compare: a bounded number of variants, inf where a key's default is no limit ---

    [Test]
    public void ComparisonsOfMoreThanTenThousandVariantsAreRefusedBeforeAnythingIsBuilt()
    {
        string values = string.Join(",", Enumerable.Range(1, 1000).Select(i => (0.001 * i).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = Run("compare", "--paths", "64", "--vary", $"venue.maintenanceMargin={values}", "--vary", $"venue.insuranceFund={values}", "--quiet");
        AssertRefused(r, "--vary: the values make 1,000,000 variants (1,000 x 1,000); one comparison runs at most 10,000");
        Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(20), "refused before the variants are built");
        Assert.That(GpuCascade.Calibration.Comparison.VariantCount([new("a", [1, 2, 3]), new("b", [1, 2])]), Is.EqualTo(6));
    }

    [Test]
    public void ASignalDuringACompareSetupStopsIt()
    {
        // A signal (the token) arrives while the third of 200 variants is being built: no fourth is built, nothing runs.
        using var stop = new CancellationTokenSource();
        int built = 0;
        var values = Enumerable.Range(1, 200).Select(i => 0.0001 * i).ToList();
        var result = GpuCascade.Calibration.Comparison.Run(ScenarioDocument.Default, [new("venue.maintenanceMargin", values)],
            new GpuCascade.Calibration.ComparisonOptions
            {
                Paths = 64,
                Prepared = n =>
                {
                    built = n;
                    if (n == 3) stop.Cancel();
                },
                Log = line => Assert.Fail($"no variant may run after the signal: {line}"),
            }, stop.Token);
        Assert.That(built, Is.EqualTo(3));
        Assert.That(result.Cancelled, Is.True);
        Assert.That(result.Variants, Is.Empty);
        Assert.That(result.PlannedVariants, Is.EqualTo(200));
        // On the command line: stopped before the runs, exit 130 (143 for SIGTERM, as the program maps it).
        using var stopped = new CancellationTokenSource();
        stopped.Cancel();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(["compare", "--paths", "64", "--vary", "venue.maintenanceMargin=0.01,0.02,0.03", "--quiet", "--backend", "managed"],
            stdout, stderr, stopped.Token);
        Assert.That(code, Is.EqualTo(ExitCodes.Cancelled), stderr.ToString());
    }

    [Test]
    public void InfIsAValueForKeysWhoseDefaultIsNoLimit()
    {
        string json = Path.Combine(_dir, "c.json"), csv = Path.Combine(_dir, "c.csv");
        var r = Run("compare", "--paths", "256", "--vary", "venue.liquidationCapacity=1e6,inf", "--json", json, "--csv", csv, "--backend", "managed");
        Assert.That(r.Code, Is.Zero, r.Err);
        Assert.That(r.Out, Does.Contain("venue.liquidationCapacity=.inf"));
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!;
        Assert.That(root["axes"]![0]!["values"]![1]!.GetValue<string>(), Is.EqualTo(".inf"));
        Assert.That(root["variants"]![1]!["values"]!["venue.liquidationCapacity"]!.GetValue<string>(), Is.EqualTo(".inf"));
        Assert.That(File.ReadAllText(csv), Does.Contain("\n2,.inf,"));
        // The report reads it back.
        var report = Run("report", json, "--out", Path.Combine(_dir, "c.html"));
        Assert.That(report.Code, Is.Zero, report.Err);
        Assert.That(File.ReadAllText(Path.Combine(_dir, "c.html")), Does.Contain("data-doc=\"0\">inf</span>"));
        // A key whose value must be finite still says so, naming it.
        AssertRefused(Run("compare", "--paths", "64", "--vary", "venue.maintenanceMargin=0.01,inf", "--quiet"), "venue.maintenanceMargin");
        AssertRefused(Run("compare", "--paths", "64", "--vary", "venue.liquidationCapacity=1e6,-inf", "--quiet"), "'-inf' is not a number");
    }

    // --- echoes, logs ---

    [Test]
    public void EchoedValuesAreCutToFortyCharacters()
    {
        string horizon = new('7', 1 << 20), symbol = new('Z', 10 << 20);
        string scenario = Path.Combine(_dir, "s.yaml");
        File.WriteAllText(scenario, ScenarioLoader.DefaultScenarioText.Replace("horizon: 1d", $"horizon: {horizon}x"));
        var r = Run("run", scenario, "--quiet");
        AssertRefused(r, $"'{new string('7', 40)}...' (1,048,577 characters)");
        Assert.That(r.Err.Length, Is.LessThan(2000));

        File.WriteAllText(scenario, ScenarioLoader.DefaultScenarioText.Replace("- {symbol: BTC", $"- {{symbol: {symbol}"));
        r = Run("run", scenario, "--quiet");
        Assert.That(r.Code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(r.Err, Does.Contain($"{new string('Z', 40)}... (10,485,760 characters)"));
        Assert.That(r.Err.Length, Is.LessThan(4000));

        r = Run("run", "--breach", new string('q', 100_000));
        Assert.That(r.Err.Length, Is.LessThan(1000));
        r = Run("compare", "--vary", "venue.maintenanceMargin=" + new string('9', 100_000) + "x", "--quiet");
        AssertRefused(r, "(100,001 characters) is not a number");
        Assert.That(r.Err.Length, Is.LessThan(1000));
        // Keys: cut at 100 characters (a real key path is shorter), in compare and calibrate alike.
        string key = new('k', 100_000);
        foreach (var args in new[]
                 {
                     new[] { "compare", "--vary", key + "=1,2", "--quiet", "--paths", "64" },
                     ["compare", "--vary", key + "=1,x", "--quiet"],
                     ["calibrate", "--vary", key + "=1..x", "--target", "badDebt.mean<=1", "--quiet"],
                     ["calibrate", "--vary", "venue.insuranceFund=" + new string('5', 100_000) + "..1", "--target", "badDebt.mean<=1", "--quiet"],
                 })
        {
            r = Run(args);
            AssertRefused(r, "characters)");
            Assert.That(r.Err.Length, Is.LessThan(1500), string.Join(" ", args.Select(a => a.Length > 50 ? a[..50] : a)));
        }
    }

    [Test]
    public void AShardsLogHasTheManifestOfAPlainRun()
    {
        string plain = Path.Combine(_dir, "plain.log"), shard = Path.Combine(_dir, "shard.log");
        Assert.That(Run("run", "--paths", "64", "--quiet", "--log", plain).Code, Is.Zero);
        Assert.That(Run("run", "--paths", "64", "--quiet", "--log", shard, "--shard", "0/1", "--partial", Path.Combine(_dir, "p.bin")).Code, Is.Zero);
        static List<string> Kinds(string file) => File.ReadAllLines(file)
            .Select(l => l.Split(' ', 2)[1]).Select(l => l.Split(':')[0]).Where(k => !k.StartsWith("shard ", StringComparison.Ordinal)).Distinct().ToList();
        var kinds = Kinds(plain);
        foreach (var line in new[] { "command", "host", "scenario", "backend", "memory estimate" })
        {
            Assert.That(kinds, Does.Contain(line), "plain run");
            Assert.That(Kinds(shard), Does.Contain(line), "shard");
        }
        string Line(string file, string kind) => File.ReadAllLines(file).Select(l => l.Split(' ', 2)[1]).First(l => l.StartsWith(kind + ":", StringComparison.Ordinal));
        Assert.That(Line(shard, "scenario"), Is.EqualTo(Line(plain, "scenario")), "the same scenario as run and SHA-256");
    }

    // --- scenarios: every problem in one pass; values that certainly overflow; tags ---

    private static IReadOnlyList<string> Errors(string yaml)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadYaml(yaml))!;
        return [.. e.Errors.Select(x => x.ToString())];
    }

    [Test]
    public void StructuralAndValueErrorsAreReportedTogether()
    {
        // An unknown asset in a listed cohort (the binder) and a negative volatility (the validator): both at once.
        string yaml = ScenarioLoader.DefaultScenarioText
            .Replace("volatility: 0.70", "volatility: -0.2")
            .Replace("book:\n", "book:\n  cohorts:\n    - {name: doge, asset: DOGE, side: long, notional: 1e6, leverage: 5}\n");
        var errors = Errors(yaml);
        Assert.That(errors, Has.Some.StartsWith("book.cohorts[0].asset: unknown asset DOGE"));
        Assert.That(errors, Has.Some.StartsWith("assets[1].volatility: must be >= 0, got -0.2"));
        // The same through a file on the command line.
        string dir = Directory.CreateTempSubdirectory("gpucascade-two-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "s.yaml"), yaml);
            var r = Run("run", Path.Combine(dir, "s.yaml"), "--quiet");
            AssertRefused(r, "unknown asset DOGE");
            Assert.That(r.Err, Does.Contain("assets[1].volatility: must be >= 0"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("horizon: 1d", "horizon: 1q", "horizon: expected a duration", "assets[1].volatility: must be >= 0, got -0.2")]
    [TestCase("paths: 20000", "paths: lots", "paths: ", "assets[1].volatility: must be >= 0, got -0.2")]
    [TestCase("price: 100000", "price: abc", "assets[0].price: ", "assets[1].volatility: must be >= 0, got -0.2")]
    [TestCase("price: 100000", "price: abc", "assets[0].price: ", "venue.liquidationPenalty: ")]
    public void AStructuralErrorInATopLevelValueOrAnAssetStillListsTheOtherValueErrors(string from, string to, string structural, string value)
    {
        string yaml = ScenarioLoader.DefaultScenarioText.Replace(from, to).Replace("volatility: 0.70", "volatility: -0.2");
        if (value.StartsWith("venue.", StringComparison.Ordinal)) yaml = yaml.Replace("liquidationPenalty: 0.01", "liquidationPenalty: -1");
        var errors = Errors(yaml);
        Assert.That(errors, Has.Some.StartsWith(structural), string.Join("\n", errors));
        Assert.That(errors, Has.Some.StartsWith(value), string.Join("\n", errors));
    }

    [Test]
    public void AStructuralErrorDoesNotBringSpuriousValueErrors()
    {
        // A renamed asset breaks the venue's per-asset map and the generator's: those are reported, with the value error
        // elsewhere, and nothing about the venue or book that only looks wrong because parts of them did not bind.
        string yaml = ScenarioLoader.DefaultScenarioText.Replace("symbol: SOL", "symbol: SOLX").Replace("volatility: 0.55", "volatility: -1");
        var errors = Errors(yaml);
        Assert.That(errors, Has.Some.StartsWith("venue.maintenanceMargin.SOL: unknown asset SOL"));
        Assert.That(errors, Has.Some.StartsWith("book.generator.assets.SOL: unknown asset SOL"));
        Assert.That(errors, Has.Some.StartsWith("assets[0].volatility: must be >= 0, got -1"));
        Assert.That(errors, Has.None.StartsWith("book: "));
        Assert.That(errors, Has.Count.EqualTo(4), string.Join("\n", errors));
    }

    [TestCase("volatility: 0.55", "volatility: 1e200", "assets[0].volatility: takes BTC's price 100000 out of the range a double holds for certain")]
    [TestCase("volatility: 0.55", "volatility: 959", "assets[0].volatility: takes BTC's price 100000 out of the range a double holds for certain")]
    [TestCase("drift: 0, depth1pct: 1.5e8", "drift: 1e300, depth1pct: 1.5e8", "assets[0].drift: takes BTC's price 100000 out of the range")]
    [TestCase("drift: 0, depth1pct: 1.5e8", "drift: 2.6e5, depth1pct: 1.5e8", "assets[0].drift: takes BTC's price 100000 out of the range")]
    [TestCase("drift: 0, depth1pct: 1.5e8", "drift: -3e5, depth1pct: 1.5e8", "assets[0].drift: takes BTC's price 100000 out of the range")]
    public void DriftsAndVolatilitiesThatCertainlyOverflowAreRefusedByTheValidator(string from, string to, string message)
    {
        // Over the default's day, BTC at 100,000 leaves the range for certain (10 standard deviations of the diffusion)
        // above a volatility of 958.4 or a drift of about 2.55e5 a year.
        Assert.That(Errors(ScenarioLoader.DefaultScenarioText.Replace(from, to)), Has.Some.StartsWith(message));
        var (centre, halfWidth) = ScenarioLimits.HorizonLogPrice(1e5, 0, 958.4, 1.0 / 365);
        Assert.That(centre + halfWidth, Is.GreaterThan(ScenarioLimits.MinLogPrice).And.LessThan(ScenarioLimits.MinLogPrice + 1), "958.4 is at the bound");
    }

    [TestCase("volatility: 0.55", "volatility: 958")]
    [TestCase("drift: 0, depth1pct: 1.5e8", "drift: 2.5e5, depth1pct: 1.5e8")]
    public void ValuesThatMightStayInRangeAreAccepted(string from, string to) =>
        Assert.That(() => ScenarioLoader.LoadYaml(ScenarioLoader.DefaultScenarioText.Replace(from, to)), Throws.Nothing);

    [TestCase("1e300", "stress[0].logReturn: must keep BTC's price 100000 representable")]
    [TestCase("-800", "stress[0].logReturn: must keep BTC's price 100000 representable")]
    public void StressShocksThatCertainlyOverflowAreRefusedByTheValidator(string logReturn, string message)
    {
        string yaml = ScenarioLoader.DefaultScenarioText + $"stress:\n  - {{step: 3, asset: BTC, logReturn: {logReturn}}}\n";
        Assert.That(Errors(yaml), Has.Some.StartsWith(message));
        string dir = Directory.CreateTempSubdirectory("gpucascade-stress-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "s.yaml"), yaml);
            AssertRefused(Run("run", Path.Combine(dir, "s.yaml"), "--paths", "16", "--quiet"), message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.That(() => ScenarioLoader.LoadYaml(ScenarioLoader.DefaultScenarioText + "stress:\n  - {step: 3, asset: BTC, logReturn: -5}\n"), Throws.Nothing);
    }

    [TestCase("steps: !!python/object:os.system 288", "YAML tags are not part of a scenario: remove !!python/object:os.system")]
    [TestCase("steps: !!int 288", "YAML tags are not part of a scenario: remove !!int")]
    [TestCase("venue: !custom", "YAML tags are not part of a scenario: remove !custom")]
    public void YamlTagsAreRefusedNotIgnored(string replacement, string message)
    {
        string yaml = replacement.StartsWith("venue", StringComparison.Ordinal)
            ? ScenarioLoader.DefaultScenarioText.Replace("venue:\n", replacement + "\n")
            : ScenarioLoader.DefaultScenarioText.Replace("steps: 288", replacement);
        Assert.That(Errors(yaml).Single(), Does.Contain(message));
    }
}
