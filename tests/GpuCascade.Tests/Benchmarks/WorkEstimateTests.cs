using System.Text.Json.Nodes;
using GpuCascade.Benchmarks;
using GpuCascade.Cli;
using GpuCascade.Cli.Shared;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Tests.Backends;

namespace GpuCascade.Tests.Benchmarks;

/// <summary>The floor's counting rules (WorkEstimate's remarks) on W1, worked by hand, and the peaks it divides by.</summary>
public class WorkEstimateTests
{
    /// <summary>
    /// W1 (4 assets, Student-t, GARCH, jumps, live oracle, 1,024 cohorts of 2 positions and no collateral holdings):
    /// per path-step 26 (Box-Muller, one Philox call) + 28 (chi-square) + 24 (correlation and scale) + 3 (jump test)
    /// + 4 x 25 (per asset) + 20 (screening bound) = 201 operations, of which 8 + 6 + 4 x 3 = 26 transcendentals and
    /// 4 x 9 follow the precision policy; a margin check 6 + 2 x 7 = 20; a liquidation 30 + 2 x 13 = 56; per path 8 x (10 + 5 x 4)
    /// outputs + 16 flags + 4 x 32 bit-set words = 384 bytes, and 80 per liquidation.
    /// </summary>
    [Test]
    public void W1CountsFollowTheDocumentedRules()
    {
        var plan = SimulationPlan.Build(Workloads.W1);
        Assert.That(WorkEstimate.PerPathStep(plan), Is.EqualTo((201.0, 26.0)));
        Assert.That(WorkEstimate.OperationsPerCheck(plan), Is.EqualTo(20.0));
        Assert.That(WorkEstimate.OperationsPerLiquidation(plan), Is.EqualTo(56.0));
        Assert.That(WorkEstimate.BytesPerPath(plan), Is.EqualTo(384.0));

        var e = WorkEstimate.Of(plan, new RunWork(PathSteps: 2 * 288, MarginChecks: 1000, CohortLiquidations: 10));
        Assert.That(e.Operations, Is.EqualTo(576 * 201.0 + 1000 * 20.0 + 10 * 56.0));
        Assert.That(e.DoubleOperations, Is.EqualTo(e.Operations - 576 * 36.0));
        Assert.That(e.Transcendentals, Is.EqualTo(576 * 26.0));
        Assert.That(e.Bytes, Is.EqualTo(2 * 384.0 + 10 * 80.0));
    }

    [Test]
    public void TheFloorIsTheSlowerOfComputeAndMemoryForThePrecisionUsed()
    {
        var h100 = DevicePeak.ForModel("NVIDIA H100 80GB HBM3")!;
        var allReal = new WorkEstimate(Operations: 6.8e13, DoubleOperations: 0, Transcendentals: 0, Bytes: 3.35e12);
        Assert.That(allReal.FloorSeconds(h100, Precision.Single), Is.EqualTo(6.8e13 / 67e12)); // compute: 1.015 s > 1 s of memory
        Assert.That(allReal.FloorSeconds(h100, Precision.Double), Is.EqualTo(2.0));             // 6.8e13 / 34e12
        // In single precision what the kernel keeps in double still runs at the FP64 peak: 3.4e13 / 34e12 + 3.4e13 / 67e12.
        var half = allReal with { DoubleOperations = 3.4e13 };
        Assert.That(half.FloorSeconds(h100, Precision.Single), Is.EqualTo(3.4e13 / 67e12 + 1.0));
        var memoryBound = allReal with { Bytes = 6.7e12 };
        Assert.That(memoryBound.FloorSeconds(h100, Precision.Single), Is.EqualTo(2.0));          // 6.7e12 / 3.35e12
    }

    [TestCase("NVIDIA H100 80GB HBM3", 67e12, 34e12, 3.35e12)]
    [TestCase("NVIDIA H100 PCIe", 51e12, 26e12, 2.0e12)]
    [TestCase("NVIDIA H100 NVL", 60e12, 30e12, 3.9e12)]
    [TestCase("NVIDIA H200", 67e12, 34e12, 4.8e12)]
    [TestCase("NVIDIA H200 NVL", 60e12, 30e12, 4.8e12)]
    public void PublishedPeaksByModel(string model, double fp32, double fp64, double bandwidth)
    {
        var peak = DevicePeak.ForModel(model)!;
        Assert.That((peak.Fp32FlopsPerSecond, peak.Fp64FlopsPerSecond, peak.BytesPerSecond), Is.EqualTo((fp32, fp64, bandwidth)));
    }

    [TestCase("NVIDIA A100-SXM4-40GB")]
    [TestCase("NVIDIA GH200 480GB")]
    [TestCase("pthread-skylake-avx512-AMD EPYC")]
    public void OtherDevicesHaveNoPublishedPeak(string model) => Assert.That(DevicePeak.ForModel(model), Is.Null);

    [Test]
    public void PeaksParseFromTflopsAndTerabytes()
    {
        Assert.That(DevicePeak.Parse("19.5, 9.7,1.555"), Is.EqualTo(new DevicePeak("--peak", 19.5e12, 9.7e12, 1.555e12)));
        foreach (var bad in new[] { "", "1,2", "1,2,3,4", "a,1,1", "0,1,1", "1,1,-1", "1,NaN,1", "1,Infinity,1" })
            Assert.That(() => DevicePeak.Parse(bad), Throws.InstanceOf<FormatException>().With.Message.Contains("FP32,FP64,BANDWIDTH"), bad);
    }

    /// <summary>On a device (ilgpu-cpu here, a GPU where lent), bench reports the floor of the run's counted work.</summary>
    [Test]
    public void BenchReportsTheFloorOfADevice()
    {
        string dir = Directory.CreateTempSubdirectory("gpucascade-bench-").FullName;
        try
        {
            string json = Path.Combine(dir, "bench.json");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = CliApp.Run(["bench", "--workload", "W0", "--backend", "ilgpu-cpu", "--paths", "1024", "--precision", "single",
                "--peak", "67,34,3.35", "--json", json], stdout, stderr);
            Assert.That(code, Is.EqualTo(ExitCodes.Ok), stderr.ToString());
            Assert.That(stdout.ToString(), Does.Contain("x floor").And.Contain("single precision"));

            var root = JsonNode.Parse(File.ReadAllText(json))!;
            Assert.That(root["precision"]!.GetValue<string>(), Is.EqualTo("single"));
            var r = root["results"]![0]!;
            Assert.That(r["description"]!.GetValue<string>(), Does.Contain("single precision"));
            double operations = r["estimate"]!["operations"]!.GetValue<double>(), bytes = r["estimate"]!["bytes"]!.GetValue<double>();
            var floor = r["floor"]!;
            double doubles = r["estimate"]!["doubleOperations"]!.GetValue<double>();
            Assert.That(doubles, Is.InRange(0.5 * operations, operations), "the fast mode keeps most arithmetic in double");
            Assert.That(floor["peakFp32FlopsPerSecond"]!.GetValue<double>(), Is.EqualTo(67e12));
            Assert.That(floor["seconds"]!.GetValue<double>(),
                Is.EqualTo(Math.Max((operations - doubles) / 67e12 + doubles / 34e12, bytes / 3.35e12)).Within(1e-12).Percent);
            Assert.That(floor["ratio"]!.GetValue<double>(),
                Is.EqualTo(r["seconds"]!.GetValue<double>() / floor["seconds"]!.GetValue<double>()).Within(1e-9).Percent);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
