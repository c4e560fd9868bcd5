using System.Text.Json.Nodes;
using GpuCascade.Backends.Managed;
using GpuCascade.Benchmarks;
using GpuCascade.Cli;
using GpuCascade.Cli.Shared;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.Benchmarks;

public class WorkloadTests
{
    [Test]
    public void W1HasTheDocumentedShape()
    {
        var w1 = Workloads.W1;
        Assert.That(w1.Paths, Is.EqualTo(1_000_000));
        Assert.That(w1.Steps, Is.EqualTo(288));
        Assert.That(w1.Horizon.Seconds, Is.EqualTo(86_400).Within(1e-6), "1 day in 5-minute steps");
        Assert.That(w1.Assets.Select(a => a.Symbol), Is.EqualTo(new[] { "BTC", "ETH", "SOL", "BNB" }));
        Assert.That(w1.Venue.Liquidation, Is.EqualTo(LiquidationPolicy.Full));
        Assert.That(w1.Venue.OracleDelaySteps, Is.Zero);
        Assert.That(w1.Venue.MaintenanceMargin, Has.All.InstanceOf<StaticMargin>());

        var plan = SimulationPlan.Build(w1);
        Assert.That(plan.CohortCount, Is.EqualTo(1_024));
        Assert.That(plan.Cohorts, Has.Count.EqualTo(1_024));
        foreach (var c in plan.Cohorts)
        {
            Assert.That(c.Positions, Has.Length.EqualTo(2), c.Name);
            int a = c.Positions[0].AssetIndex;
            Assert.That(c.Positions[1].AssetIndex, Is.EqualTo((a + 1) % 4), $"{c.Name}: second position in the next asset");
            Assert.That(Math.Sign(c.Positions[1].Units), Is.EqualTo(Math.Sign(c.Positions[0].Units)), $"{c.Name}: same side");
            Assert.That(c.Collateral, Is.Empty, $"{c.Name}: USD collateral only");
            Assert.That(c.UsdCollateral, Is.GreaterThan(0), c.Name);
        }
        Assert.That(plan.Cohorts.GroupBy(c => c.Positions[0].AssetIndex).Select(g => g.Count()), Is.All.EqualTo(256));
    }

    [Test]
    public void W0IsASmallW1()
    {
        var w0 = Workloads.W0;
        Assert.That(w0.Paths, Is.EqualTo(4_096));
        Assert.That(w0.Steps, Is.EqualTo(48));
        Assert.That(w0.Assets.Select(a => a.Symbol), Is.EqualTo(new[] { "BTC", "ETH" }));
        var plan = SimulationPlan.Build(w0);
        Assert.That(plan.CohortCount, Is.EqualTo(64));
        Assert.That(plan.Cohorts.Select(c => c.Positions.Length), Is.All.EqualTo(2));
    }

    [Test]
    public void ByNameFindsEveryWorkloadAndListsTheNamesOtherwise()
    {
        Assert.That(Workloads.ByName("W0"), Is.SameAs(Workloads.W0));
        Assert.That(Workloads.ByName("w1"), Is.SameAs(Workloads.W1));
        var e = Assert.Throws<ArgumentException>(() => Workloads.ByName("W9"));
        Assert.That(e!.Message, Does.Contain("W9").And.Contain("W0").And.Contain("W1"));
        Assert.That(Workloads.Describe("W1"), Does.Contain("1,000,000 paths").And.Contain("1,024"));
    }

    [Test]
    public void W0RunsOnTheManagedBackend()
    {
        using var backend = new ManagedBackend();
        var result = SimulationEngine.Run(Workloads.W0, new RunOptions { Backend = backend });
        Assert.That(result.Paths, Is.EqualTo(4_096));
        Assert.That(result.Run.Cancelled, Is.False);
        Assert.That(result.Probabilities.AnyLiquidation.Estimate, Is.GreaterThan(0), "the book is exercised");
        Assert.That(result.BadDebt.Mean, Is.GreaterThanOrEqualTo(0));
    }

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public void BenchWritesTheTableAndTheDocumentedJsonKeys()
    {
        string dir = Directory.CreateTempSubdirectory("gpucascade-bench-").FullName;
        try
        {
            string json = Path.Combine(dir, "bench.json");
            var (code, output, err) = Cli("bench", "--workload", "W0", "--backend", "managed", "--repeat", "3", "--json", json);
            Assert.That(code, Is.EqualTo(ExitCodes.Ok), err);
            Assert.That(output, Does.Contain("runs").And.Contain("min").And.Contain("max").And.Contain("the median over the 3 timed run(s)"));
            Assert.That(output, Does.Contain("path-steps/s").And.Contain("cohort-evals/s*").And.Contain("margin checks performed per second"));
            Assert.That(output, Does.Contain("managed: ").And.Contain("margin checks per path-step (of 64 cohorts)"));
            Assert.That(output, Does.Not.Contain("x floor"), "no device, no floor");
            Assert.That(output, Does.Contain("managed").And.Contain("4,096"));

            var root = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
            Assert.That(root["workload"]!.GetValue<string>(), Is.EqualTo("W0"));
            Assert.That(root["steps"]!.GetValue<int>(), Is.EqualTo(48));
            Assert.That(root["cohorts"]!.GetValue<int>(), Is.EqualTo(64));
            Assert.That(root["date"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(root["repeat"]!.GetValue<int>(), Is.EqualTo(3));
            var machine = root["machine"]!;
            Assert.That(machine["processorCount"]!.GetValue<int>(), Is.EqualTo(Environment.ProcessorCount));
            Assert.That(machine["os"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(machine["dotnet"]!.GetValue<string>(), Is.EqualTo(Environment.Version.ToString()));
            Assert.That(machine["devices"]!.AsArray().Select(d => d!["name"]!.GetValue<string>()), Does.Contain("managed"));

            var results = root["results"]!.AsArray();
            Assert.That(results, Has.Count.EqualTo(1));
            var r = results[0]!;
            Assert.That(r["backend"]!.GetValue<string>(), Is.EqualTo("managed"));
            Assert.That(r["paths"]!.GetValue<long>(), Is.EqualTo(4_096), "W0's CPU run is the whole workload");
            double seconds = r["seconds"]!.GetValue<double>();
            Assert.That(seconds, Is.GreaterThan(0));
            // Three timed runs: the headline is their median, the spread their min and max.
            var runs = r["runSeconds"]!.AsArray().Select(x => x!.GetValue<double>()).Order().ToArray();
            Assert.That(runs, Has.Length.EqualTo(3));
            Assert.That(seconds, Is.EqualTo(runs[1]));
            Assert.That(r["secondsMin"]!.GetValue<double>(), Is.EqualTo(runs[0]));
            Assert.That(r["secondsMax"]!.GetValue<double>(), Is.EqualTo(runs[2]));
            Assert.That(r["pathStepsPerSecondMin"]!.GetValue<double>(), Is.EqualTo(4_096 * 48 / runs[2]).Within(1e-9).Percent);
            Assert.That(r["pathStepsPerSecondMax"]!.GetValue<double>(), Is.EqualTo(4_096 * 48 / runs[0]).Within(1e-9).Percent);
            Assert.That(r["pathsPerSecondMin"]!.GetValue<double>(), Is.LessThanOrEqualTo(r["pathsPerSecond"]!.GetValue<double>()));
            Assert.That(r["pathsPerSecondMax"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(r["pathsPerSecond"]!.GetValue<double>()));
            Assert.That(r["pathsPerSecond"]!.GetValue<double>(), Is.EqualTo(4_096 / seconds).Within(1e-9).Percent);
            Assert.That(r["pathStepsPerSecond"]!.GetValue<double>(), Is.EqualTo(4_096 * 48 / seconds).Within(1e-9).Percent);
            var work = r["work"]!;
            Assert.That(work["pathSteps"]!.GetValue<long>(), Is.EqualTo(4_096 * 48));
            long checks = work["marginChecks"]!.GetValue<long>();
            Assert.That(checks, Is.InRange(1, 4_096L * 48 * 64 - 1), "screening checks some cohorts, never the whole book");
            Assert.That(work["cohortLiquidations"]!.GetValue<long>(), Is.GreaterThan(0));
            Assert.That(r["cohortEvaluationsPerSecond"]!.GetValue<double>(), Is.EqualTo(checks / seconds).Within(1e-9).Percent);
            Assert.That(r["bookCohortsPerSecond"]!.GetValue<double>(), Is.EqualTo(4_096 * 48 * 64 / seconds).Within(1e-9).Percent);
            Assert.That(r["estimate"]!["operations"]!.GetValue<double>(), Is.GreaterThan(0));
            Assert.That(r["floor"], Is.Null, "no peak for the managed backend");
            Assert.That(root["precision"]!.GetValue<string>(), Is.EqualTo("double"));
            Assert.That(r["compileSeconds"], Is.Null, "no kernel on the managed backend");
            Assert.That(r["warmupSeconds"]!.GetValue<double>(), Is.GreaterThan(0));
            Assert.That(root["ratios"]!.AsObject(), Is.Empty, "no device was timed");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase(new[] { "bench", "--workload", "W7" }, "--workload: unknown workload 'W7' (expected W0 or W1)")]
    [TestCase(new[] { "bench", "--workload", "W0", "--backend", "quantum" }, "--backend: unknown backend 'quantum'")]
    [TestCase(new[] { "bench", "--workload", "W0", "--backend", "managed,cuda:7" }, "--backend: no device cuda:7")]
    [TestCase(new[] { "bench", "--workload", "W0", "--backend", "all" }, "one backend at a time")]
    [TestCase(new[] { "bench", "--paths", "0" }, "--paths: must be an integer")]
    [TestCase(new[] { "bench", "--cpu-paths", "x" }, "--cpu-paths: must be an integer")]
    [TestCase(new[] { "bench", "--frobnicate" }, "unknown option '--frobnicate'")]
    [TestCase(new[] { "bench", "--precision", "half" }, "--precision: expected double or single, got 'half'")]
    [TestCase(new[] { "bench", "--repeat", "0" }, "--repeat: must be an integer in 1 .. 1000, got '0'")]
    [TestCase(new[] { "bench", "--repeat", "-3" }, "--repeat: must be an integer in 1 .. 1000, got '-3'")]
    [TestCase(new[] { "bench", "--repeat", "2.5" }, "--repeat: must be an integer in 1 .. 1000, got '2.5'")]
    [TestCase(new[] { "bench", "--repeat", "many" }, "--repeat: must be an integer in 1 .. 1000, got 'many'")]
    [TestCase(new[] { "bench", "--repeat", "1001" }, "--repeat: must be an integer in 1 .. 1000, got '1001'")]
    [TestCase(new[] { "bench", "--peak", "67,34" }, "--peak: expected FP32,FP64,BANDWIDTH")]
    [TestCase(new[] { "bench", "--peak", "67,-34,3" }, "--peak: expected FP32,FP64,BANDWIDTH")]
    public void BenchRejectsBadArgumentsWithCodeTwo(string[] args, string message)
    {
        var (code, output, err) = Cli(args);
        Assert.That(code, Is.EqualTo(ExitCodes.InvalidInput), output + err);
        Assert.That(err, Does.Contain(message));
        Assert.That(output, Does.Not.Contain("path-steps/s"), "nothing was timed");
        Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
    }
}
