using System.Text.Json.Nodes;
using GpuCascade.Calibration;
using GpuCascade.Cli;
using GpuCascade.Cli.Shared;

namespace GpuCascade.Tests.Cli;

public class CliTests : CliTestBase
{

    [Test]
    public void DefaultScenarioWritesTheDocumentedJsonKeys()
    {
        string json = Path.Combine(_dir, "result.json");
        string csv = Path.Combine(_dir, "result.csv");
        var (code, output, err) = Run("run", "--paths", "1024", "--seed", "5", "--json", json, "--csv", csv);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("any liquidation").And.Contain("bad debt"));

        var root = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        Assert.That(root["paths"]!.GetValue<long>(), Is.EqualTo(1024));
        Assert.That(root["seed"]!.GetValue<ulong>(), Is.EqualTo(5));
        Assert.That(root["backend"]!.GetValue<string>(), Is.EqualTo("managed"));
        foreach (var name in new[] { "anyLiquidation", "cascade", "badDebt", "fundDepleted" })
        {
            var p = root["probabilities"]![name]!;
            double estimate = p["estimate"]!.GetValue<double>();
            Assert.That(p["lower"]!.GetValue<double>(), Is.LessThanOrEqualTo(estimate), name);
            Assert.That(p["upper"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(estimate), name);
        }
        foreach (var name in new[] { "badDebt", "liquidatedNotional" })
        {
            var d = root[name]!;
            Assert.That(d["mean"], Is.Not.Null);
            Assert.That(d["standardError"], Is.Not.Null);
            foreach (var level in new[] { "0.95", "0.99", "0.999" })
            {
                Assert.That(d["var"]![level], Is.Not.Null, $"{name}.var.{level}");
                Assert.That(d["es"]![level]!.GetValue<double>(), Is.GreaterThanOrEqualTo(d["var"]![level]!.GetValue<double>()), $"{name}: ES >= VaR");
            }
        }
        foreach (var symbol in new[] { "BTC", "ETH", "SOL" })
        {
            var a = root["assets"]![symbol]!;
            Assert.That(a["maxDrawdown"]!["mean"], Is.Not.Null);
            Assert.That(a["maxDrawdown"]!["standardError"], Is.Not.Null);
            Assert.That(a["exogenousMaxDrawdown"]!["mean"], Is.Not.Null);
            Assert.That(a["exogenousMaxDrawdown"]!["standardError"], Is.Not.Null);
        }
        Assert.That(root["roundCapHits"], Is.Not.Null);
        Assert.That(root["run"]!["elapsedSeconds"], Is.Not.Null);
        Assert.That(File.ReadAllText(csv), Does.StartWith("metric,statistic,value,lower,upper"));
    }

    [Test]
    public void SameSeedGivesTheSameJsonApartFromRun()
    {
        string a = Path.Combine(_dir, "a.json"), b = Path.Combine(_dir, "b.json");
        Assert.That(Run("run", "--paths", "1024", "--json", a, "--quiet").Code, Is.Zero);
        Assert.That(Run("run", "--paths", "1024", "--json", b, "--quiet", "--threads", "1").Code, Is.Zero);
        var ja = JsonNode.Parse(File.ReadAllText(a))!.AsObject();
        var jb = JsonNode.Parse(File.ReadAllText(b))!.AsObject();
        ja.Remove("run");
        jb.Remove("run");
        Assert.That(jb.ToJsonString(), Is.EqualTo(ja.ToJsonString()));
    }

    [TestCase(new[] { "run", "--paths", "0" }, "--paths: must be an integer in 1")]
    [TestCase(new[] { "run", "--paths", "many" }, "--paths: must be an integer")]
    [TestCase(new[] { "run", "--seed", "-1" }, "--seed: must be an integer")]
    [TestCase(new[] { "run", "--backend", "quantum" }, "--backend: unknown backend 'quantum'")]
    [TestCase(new[] { "run", "--backend", "cuda:7" }, "--backend: no device cuda:7")]
    [TestCase(new[] { "run", "--backend", "opencl:9:9" }, "--backend: no device opencl:9:9")]
    [TestCase(new[] { "run", "--frobnicate" }, "unknown option '--frobnicate'")]
    [TestCase(new[] { "run", "--json" }, "--json: needs a value")]
    [TestCase(new[] { "fly" }, "unknown command 'fly'")]
    [TestCase(new[] { "selftest", "--backend", "cuda:9" }, "--backend: no device cuda:9")]
    [TestCase(new[] { "run", "does-not-exist.yaml" }, "does-not-exist.yaml")]
    [TestCase(new[] { "compare" }, "--vary")]
    [TestCase(new[] { "run", "--paths", "20000", "--shard", "0/3", "--partial", "p.bin" }, "--shard: 20,000 paths make 2 segments of 16,384 paths; use at most 2 shards")]
    [TestCase(new[] { "merge", "no-such-part.bin" }, "partial file not found: no-such-part.bin")]
    [TestCase(new[] { "compare", "--vary", "venue.maintenanceMargn=0.01,0.02" }, "venue.maintenanceMargn: unknown key (did you mean 'maintenanceMargin'?)")]
    [TestCase(new[] { "compare", "--vary", "assets[BTC].symbol=1,2" }, "assets[BTC].symbol: not a number")]
    [TestCase(new[] { "compare", "--vary", "venue.insuranceFund" }, "--vary: expected KEY=V1,V2")]
    [TestCase(new[] { "compare", "--vary", "venue.insuranceFund=1", "--vary", "venue.insuranceFund=2" }, "given twice")]
    [TestCase(new[] { "compare", "--vary", "venue.maintenanceMargin=0.01,2" }, "venue.maintenanceMargin=2")]
    [TestCase(new[] { "compare", "--vary", "paths=1000,2000" }, "paths: every variant runs on the same paths")]
    [TestCase(new[] { "compare", "--vary", "venue.insuranceFund=0,1", "--paths", "1000000000000" }, "--paths: a paired comparison keeps every path's figures")]
    [TestCase(new[] { "calibrate", "--vary", "venue.insuranceFund=0..1e9" }, "--target")]
    [TestCase(new[] { "calibrate", "--vary", "venue.insuranceFund=1e9..0", "--target", "badDebt.mean<=1" }, "LO must be below HI")]
    [TestCase(new[] { "calibrate", "--vary", "venue.insuranceFund=0,1e9", "--target", "badDebt.mean<=1" }, "expected KEY=LO..HI")]
    [TestCase(new[] { "calibrate", "--vary", "venue.insuranceFund=0..1e9", "--target", "badDebt.mean>=1" }, "--target: 'badDebt.mean>=1': only <= targets")]
    [TestCase(new[] { "calibrate", "--vary", "venue.insuranceFund=0..1e9", "--target", "badDebt.mean<=1", "--prefer", "middle" }, "--prefer: expected low or high")]
    [TestCase(new[] { "calibrate", "--vary", "venue.insuranceFund=0..1e9", "--target", "badDebt.mean<=1", "--grid", "1" }, "--grid: must be an integer in 2 .. 1000")]
    [TestCase(new[] { "calibrate", "--vary", "venue.insuranceFund=0..1e9", "--target", "badDebt.mean<=1", "--regimes", "calm" }, "--regimes: expected NAME=FACTOR")]
    [TestCase(new[] { "calibrate", "--vary", "venue.oracleDelaySteps=0..2.5", "--target", "badDebt.mean<=1" }, "venue.oracleDelaySteps is an integer: give an integer range, got 0..2.5")]
    public void BadArgumentsExitWithCodeTwoAndAClearMessage(string[] args, string message)
    {
        var (code, _, err) = Run(args);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(err, Does.Contain(message));
        Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
    }

    [TestCase(new[] { "rnu" }, "unknown command 'rnu' (expected run, compare, calibrate, merge, devices, selftest, bench, scenario, report, fit, book, backtest or nowcast) (did you mean 'run'?)")]
    [TestCase(new[] { "run", "--shard", "0/2" }, "--shard needs --partial FILE (where the shard's statistics go)")]
    [TestCase(new[] { "run", "--shard", "2/2", "--partial", "p.bin" }, "--shard: expected I/N with 0 <= I < N (such as 0/4, as SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT), got '2/2'")]
    [TestCase(new[] { "run", "--pahts", "3" }, "unknown option '--pahts' of run (did you mean '--paths'?)")]
    [TestCase(new[] { "bench", "--workload", "W0", "--cpu-path", "3" }, "unknown option '--cpu-path' of bench (did you mean '--cpu-paths'?)")]
    [TestCase(new[] { "run", "a.yaml", "b.yaml" }, "only one scenario file, got 'a.yaml' and 'b.yaml'")]
    [TestCase(new[] { "run", "--json", "-", "--csv", "-" }, "--json and --csv cannot both write to stdout")]
    [TestCase(new[] { "selftest", "--require", "rocm" }, "--require: expected cuda or opencl, got 'rocm'")]
    [TestCase(new[] { "devices", "extra" }, "devices takes no file or argument, got 'extra'")]
    [TestCase(new[] { "run", "--paths", "10", "--paths", "20" }, "--paths: given more than once; give it once")]
    [TestCase(new[] { "bench", "--backend", "managed", "--backend", "managed" }, "--backend: given more than once; list the backends with commas")]
    public void TyposAreNamedWithTheClosestValidName(string[] args, string message)
    {
        var (code, output, err) = Run(args);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(err, Does.Contain($"error: {message}\n").Or.Contain($"error: {message}{Environment.NewLine}"));
        Assert.That(err.Split('\n').Count(l => l.StartsWith("error: ", StringComparison.Ordinal)), Is.EqualTo(1), err);
        Assert.That(output, Is.Empty, "nothing runs");
    }

    [Test]
    public void CompareWritesVariantsWithTheirDifferences()
    {
        string json = Path.Combine(_dir, "cmp.json"), csv = Path.Combine(_dir, "cmp.csv");
        var (code, output, err) = Run("compare", "--vary", "venue.insuranceFund=0,1e9", "--paths", "1024", "--json", json, "--csv", csv);
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("Variant 2 minus variant 1").And.Contain("paired 95%").And.Contain("unpaired 95%"));
        var root = JsonNode.Parse(File.ReadAllText(json))!;
        var variants = root["variants"]!.AsArray();
        Assert.That(variants, Has.Count.EqualTo(2));
        Assert.That(variants[1]!["values"]!["venue.insuranceFund"]!.GetValue<double>(), Is.EqualTo(1e9));
        Assert.That(variants[1]!["result"]!["paths"]!.GetValue<long>(), Is.EqualTo(1024));
        var d = variants[1]!["difference"]!["badDebt.mean"]!;
        Assert.That(new[] { "estimate", "lower", "upper" }.Select(k => d[k]!.GetValue<double>()), Is.All.EqualTo(0.0));
        Assert.That(d["unpairedUpper"]!.GetValue<double>(), Is.GreaterThan(0));
        Assert.That(variants[1]!["difference"]!["probabilities.fundDepleted"]!["estimate"]!.GetValue<double>(), Is.LessThan(0));
        var lines = File.ReadAllLines(csv);
        Assert.That(lines[0], Is.EqualTo("variant,venue.insuranceFund,metric,estimate,lower,upper,difference,pairedLower,pairedUpper,unpairedLower,unpairedUpper"));
        Assert.That(lines, Has.Length.EqualTo(1 + 2 * RiskMetric.All.Count));
    }

    [Test]
    public void CalibrateWritesTheCurveAndExitsThreeWhenNothingIsFeasible()
    {
        string scenario = Path.Combine(_dir, "single.yaml"), json = Path.Combine(_dir, "cal.json"), yaml = Path.Combine(_dir, "cal.yaml");
        File.WriteAllText(scenario, Calibration.CalibrationScenarios.SingleLong(1024));
        var (code, output, err) = Run("calibrate", scenario, "--vary", "venue.maintenanceMargin=0.02..0.25",
            "--target", "probabilities.anyLiquidation<=0.05", "--grid", "3", "--resolution", "0.02", "--json", json, "--yaml", yaml);
        Assert.That(code, Is.Zero, err);
        Assert.That(output, Does.Contain("Response curve").And.Contain("chosen venue.maintenanceMargin =").And.Contain("Scenario fragment:"));
        var root = JsonNode.Parse(File.ReadAllText(json))!;
        double chosen = root["chosen"]!.GetValue<double>();
        Assert.That(root["curve"]!.AsArray().Select(c => c!["value"]!.GetValue<double>()), Does.Contain(chosen));
        Assert.That(root["targets"]![0]!["holds"]!.GetValue<bool>(), Is.True);
        Assert.That(root["outOfSample"]!["seed"]!.GetValue<ulong>(), Is.EqualTo(12UL));
        Assert.That(File.ReadAllText(yaml), Does.Contain("venue:\n  maintenanceMargin: "));
        // The fragment pasted into the scenario gives a valid scenario with the chosen margin.
        string pasted = File.ReadAllText(scenario).Replace("maintenanceMargin: 0.05", $"maintenanceMargin: {chosen.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        Assert.That(GpuCascade.Scenarios.ScenarioLoader.LoadYaml(pasted).Venue.MaintenanceMargin[0], Is.EqualTo(new GpuCascade.Scenarios.StaticMargin(chosen)));

        (code, output, err) = Run("calibrate", scenario, "--vary", "venue.maintenanceMargin=0.02..0.25",
            "--target", "probabilities.anyLiquidation<=0", "--grid", "3");
        Assert.That(code, Is.EqualTo(ExitCodes.TargetUnreachable), err);
        Assert.That(err, Does.Contain("no value of venue.maintenanceMargin in [0.02, 0.25] meets every target"));
        Assert.That(output, Does.Contain("Response curve").And.Contain("no candidate is feasible"));
    }

    /// <summary>'@' starts a file name like any other character: System.CommandLine's response files are off.</summary>
    [Test]
    public void AnAtSignIsPartOfAFileName()
    {
        string file = Path.Combine(_dir, "@result.json");
        var (code, _, err) = Run("run", "--paths", "1024", "--quiet", "--json", file);
        Assert.That(code, Is.Zero, err);
        Assert.That(File.Exists(file), Is.True);
    }

    [TestCase("run")]
    [TestCase("merge")]
    [TestCase("compare")]
    [TestCase("calibrate")]
    [TestCase("devices")]
    [TestCase("selftest")]
    [TestCase("bench")]
    public void EveryCommandHasHelpWithExamples(string command)
    {
        var (code, output, _) = Run(command, "--help");
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain($"gpucascade {command}").And.Contain("Examples:").And.Contain("Exit codes:"));
    }

    [Test]
    public void NoCommandShowsTheCommandsAndExitsTwo()
    {
        var (code, output, _) = Run();
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(output, Does.Contain("Commands:").And.Contain("run").And.Contain("bench"));
        var (helpCode, help, _) = Run("--help");
        Assert.That(helpCode, Is.Zero);
        Assert.That(help, Is.EqualTo(output));
        var (versionCode, version, _) = Run("--version");
        Assert.That(versionCode, Is.Zero);
        Assert.That(version, Does.Match(@"^GpuCascade \d+\.\d+\.\d+ \(commit [0-9a-f]{12}|unknown\)"));
    }

    [Test]
    public void SelfTestPassesOnTheIlgpuCpuAccelerator()
    {
        var (code, output, err) = Run("selftest", "--backend", "ilgpu-cpu");
        Assert.That(code, Is.EqualTo(0), output + err);
        Assert.That(output, Does.Contain("PASS").And.Contain("philox known answers").And.Contain("bit-identical").And.Contain(" 0 failed"));
        Assert.That(output, Does.Not.Contain("FAIL"));
    }

    [Test]
    public void DevicesListsManagedIlgpuCpuAndTheReasonsForMissingApis()
    {
        var (code, output, _) = Run("devices");
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("managed").And.Contain("ilgpu-cpu"));
        foreach (var why in GpuCascade.Backends.BackendCatalog.Unavailable)
            Assert.That(output, Does.Contain(why));
        foreach (var d in GpuCascade.Backends.BackendCatalog.List())
            Assert.That(output, Does.Contain(d.Name));
        foreach (var d in GpuCascade.Backends.BackendCatalog.List().Where(d => d.Skipped is not null))
            Assert.That(output, Does.Contain($"{d.Name} is listed but skipped: {d.Skipped}"));
    }

    /// <summary>
    /// A machine whose libcuda.so.1 and libOpenCL.so are present but cannot be loaded (here: files that are not
    /// libraries, found first through LD_LIBRARY_PATH) still lists managed and ilgpu-cpu, says why CUDA and OpenCL are
    /// unusable, and runs on ilgpu-cpu. A new process, since the device APIs are probed once per process.
    /// </summary>
    [Test]
    public void BrokenDeviceLibrariesAreReportedNotFatal()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("LD_LIBRARY_PATH is Linux's");
        string fake = Path.Combine(_dir, "fake-libs");
        Directory.CreateDirectory(fake);
        foreach (var name in new[] { "libcuda.so.1", "libOpenCL.so", "libOpenCL.so.1" })
            File.WriteAllText(Path.Combine(fake, name), "not a shared library");
        string cli = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "GpuCascade.Cli.exe" : "GpuCascade.Cli");
        (int, string) Cli(params string[] args)
        {
            var start = new System.Diagnostics.ProcessStartInfo(cli, args) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["LD_LIBRARY_PATH"] = fake;
            using var process = System.Diagnostics.Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd() + stderr.Result;
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        var (code, output) = Cli("devices");
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("managed").And.Contain("ilgpu-cpu"));
        Assert.That(output, Does.Contain("cuda: libcuda.so.1 cannot be loaded").And.Contain("file too short"));
        Assert.That(output, Does.Contain("opencl: libOpenCL.so cannot be loaded"));
        var (runCode, runOutput) = Cli("run", "--backend", "ilgpu-cpu", "--paths", "1024", "--quiet");
        Assert.That(runCode, Is.Zero, runOutput);
        // auto, the default, sees no loadable driver and takes the managed backend before creating ILGPU's context.
        var (autoCode, autoOutput) = Cli("run", "--paths", "1024", "--quiet");
        Assert.That(autoCode, Is.Zero, autoOutput);
        Assert.That(autoOutput, Does.Contain("auto: no GPU driver (cuda: libcuda.so.1 cannot be loaded").And.Contain("using the managed backend"));
        var (cudaCode, cudaOutput) = Cli("run", "--backend", "cuda", "--paths", "1024");
        Assert.That(cudaCode, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(cudaOutput, Does.Contain("--backend: cuda is not available: cuda: libcuda.so.1 cannot be loaded"));
    }

    [Test]
    public void IlgpuCpuGivesTheSameJsonAsManaged()
    {
        string managed = Path.Combine(_dir, "managed.json"), ilgpu = Path.Combine(_dir, "ilgpu.json");
        Assert.That(Run("run", "--backend", "managed", "--paths", "1500", "--quiet", "--json", managed).Code, Is.Zero);
        Assert.That(Run("run", "--backend", "ilgpu-cpu", "--paths", "1500", "--quiet", "--json", ilgpu).Code, Is.Zero);
        static string WithoutRun(string file)
        {
            var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            root.Remove("run");
            root.Remove("backend");
            return root.ToJsonString();
        }
        Assert.That(WithoutRun(ilgpu), Is.EqualTo(WithoutRun(managed)));
    }

    [Test]
    public void InvalidScenarioFileNamesTheFieldAndExitsTwo()
    {
        string file = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(file, """
            horizon: 1d
            steps: 10
            paths: 100
            seed: 1
            assets:
              - {symbol: BTC, price: 100000, volatility: 0.8, depth1pct: 5.0e7}
              - {symbol: ETH, price: 3000, volatility: -0.2, depth1pct: 2.0e7}
            venue: {maintenanceMargin: 0.005}
            book:
              cohorts:
                - {asset: BTC, side: long, notional: 1.0e9, leverage: 10}
            """);
        var (code, _, err) = Run("run", file);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(err, Does.Contain("assets[1].volatility: must be >= 0, got -0.2"));
        Assert.That(err, Does.Not.Contain("   at "));
    }

    [Test]
    public void MalformedYamlReportsLineAndColumn()
    {
        string file = Path.Combine(_dir, "broken.yaml");
        File.WriteAllText(file, "horizon: 1d\nsteps: [1, 2\npaths: 3\n");
        var (code, _, err) = Run("run", file);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput));
        Assert.That(err, Does.Match(@"line \d+, column \d+"));
    }
}
