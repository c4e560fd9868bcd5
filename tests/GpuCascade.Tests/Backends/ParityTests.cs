using System.Collections.Immutable;
using GpuCascade.Backends.Device;
using GpuCascade.Backends.Managed;
using GpuCascade.Market;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Validation;

namespace GpuCascade.Tests.Backends;

/// <summary>
/// The parity suite: every device against the managed reference. Tolerances (double precision): continuous outputs
/// agree to 1e-9 relative. Both sides compute the same operations in the same order without contraction; what
/// differs is the last bit of exp/log/sin/cos between C libraries, which a path amplifies by its number of steps
/// and rounds but not to 1e-9 unless a liquidation threshold is crossed within that distance (not seen; an
/// integer output would then differ too and the test says which path).
/// </summary>
[TestFixtureSource(typeof(Devices), nameof(Devices.Cases))]
public class ParityTests(string deviceName, string api, string reason)
{
#pragma warning disable NUnit1032 // the device belongs to the shared discovery (Devices), not to this fixture
    private ComputeDevice _device = null!;
#pragma warning restore NUnit1032

    [OneTimeSetUp]
    public void FindDevice() => _device = Devices.Require(deviceName, api, reason);

    private KernelDialect Dialect => _device.Name.StartsWith("cuda", StringComparison.Ordinal) ? KernelDialect.Cuda : KernelDialect.OpenCl;

    [Test]
    public void PhiloxKnownAnswersAreBitExact()
    {
        uint[][] vectors =
        [
            [0, 0, 0, 0, 0, 0],
            [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
            [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0],
        ];
        var rng = new Random(3);
        var inputs = vectors.Concat(Enumerable.Range(0, 1000).Select(_ => Enumerable.Range(0, 6).Select(_ => (uint)rng.NextInt64(0, 1L << 32)).ToArray())).ToArray();
        var flat = inputs.SelectMany(v => v).ToArray();
        var kernel = _device.Compile(KernelSource.For(Dialect, 1, Precision.Double), KernelSource.PhiloxKernel);
        using var input = _device.Allocate(4L * flat.Length);
        using var output = _device.Allocate(16L * inputs.Length);
        input.Write<uint>(flat);
        kernel.Launch(inputs.Length, 0, input, output, KernelArgument.Int32(inputs.Length));
        var result = new uint[4 * inputs.Length];
        output.Read<uint>(result);
        Assert.That(result[..12], Is.EqualTo(new uint[]
        {
            0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8,
            0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd,
            0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1,
        }));
        for (int i = 0; i < inputs.Length; i++)
        {
            var v = inputs[i];
            Philox4x32.Generate(v[0], v[1], v[2], v[3], v[4], v[5], out uint r0, out uint r1, out uint r2, out uint r3);
            Assert.That(result[(4 * i)..(4 * i + 4)], Is.EqualTo(new[] { r0, r1, r2, r3 }), $"vector {i}");
        }
    }

    private static IEnumerable<TestCaseData> Scenarios()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h") };
        var stressed = d with
        {
            Stress = [new StressShock(5, 0, -0.1), new StressShock(5, 1, -0.12), new StressShock(20, 2, -0.15)],
            Venue = d.Venue with { InsuranceFund = 2e6 },
        };
        yield return new TestCaseData(d).SetArgDisplayNames("default venue");
        yield return new TestCaseData(stressed).SetArgDisplayNames("stressed");
        yield return new TestCaseData(stressed with { Venue = stressed.Venue with { Liquidation = new LiquidationPolicy(0.25, 10) } })
            .SetArgDisplayNames("partial");
        yield return new TestCaseData(stressed with { Venue = stressed.Venue with { OracleDelaySteps = 2, RoundCap = 2 } })
            .SetArgDisplayNames("delayed oracle, round cap 2");
        yield return new TestCaseData(stressed with
        {
            Assets = stressed.Assets.Select(a => a with { Impact = new SquareRootImpact(3e9, 0.8) }).ToImmutableArray(),
            Innovations = InnovationSpec.Normal, Garch = null,
        }).SetArgDisplayNames("square-root impact, normal");
        yield return new TestCaseData(TestScenarios.AdversarialBook(1)).SetArgDisplayNames("adversarial book, full");
        yield return new TestCaseData(TestScenarios.AdversarialBook(2)).SetArgDisplayNames("adversarial book, partial");
        yield return new TestCaseData(GpuCascade.Benchmarks.Workloads.W1 with { Steps = 96, Horizon = Duration.Parse("8h") })
            .SetArgDisplayNames("W1 shape, 96 steps");
    }

    [TestCaseSource(nameof(Scenarios))]
    public void PerPathOutputsMatchTheManagedReference(Scenario scenario)
    {
        const int paths = 2048;
        var reference = SimulationEngine.SimulatePaths(scenario, 1000, paths, new ManagedBackend());
        using var backend = new DeviceBackend(_device);
        var device = SimulationEngine.SimulatePaths(scenario, 1000, paths, backend);
        Assert.That(OutputComparison.FirstDifference(reference, device, OutputComparison.DoubleTolerance), Is.Null);
    }

    /// <summary>
    /// Single precision (the fast mode): log prices in float carry about 1e-6 relative rounding per step, so a
    /// cohort sitting within that distance of its threshold can be liquidated a step earlier or later than in double,
    /// and that path's money outputs then differ. The stated tolerance: prices and drawdowns within 1e-4 (relative and
    /// absolute respectively) on at least 99% of paths, and the run's aggregates within 1% of double (paired paths
    /// share their random numbers, so the aggregate difference is far below the Monte Carlo error).
    /// </summary>
    [Test]
    public void SinglePrecisionStaysWithinItsStatedTolerance()
    {
        const int paths = 4096;
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 96, Horizon = Duration.Parse("8h"), Precision = Precision.Single };
        var reference = SimulationEngine.SimulatePaths(scenario, 0, paths, new ManagedBackend());
        using var backend = new DeviceBackend(_device, Precision.Single);
        var single = SimulationEngine.SimulatePaths(scenario, 0, paths, backend);
        var (priceShare, drawdownShare) = OutputComparison.SinglePrecisionDrift(reference, single);
        TestContext.Out.WriteLine($"single vs double: {priceShare:P3} of prices and {drawdownShare:P3} of drawdowns beyond 1e-4");
        Assert.That(priceShare, Is.LessThanOrEqualTo(OutputComparison.SingleOffShare));
        Assert.That(drawdownShare, Is.LessThanOrEqualTo(OutputComparison.SingleOffShare));
        Assert.That(single.LiquidatedNotional.Average(), Is.EqualTo(reference.LiquidatedNotional.Average()).Within(1).Percent);
        Assert.That(single.BadDebt.Average(), Is.EqualTo(reference.BadDebt.Average()).Within(1).Percent);
        Assert.That(single.Cascade.Count(c => c), Is.EqualTo(reference.Cascade.Count(c => c)).Within(Math.Max(2, paths / 1000)));
    }

    [Test]
    public void PriceOverflowIsReportedWithPathStepAndAsset()
    {
        var scenario = new Scenario
        {
            Horizon = Duration.Parse("1h"), Steps = 2, Paths = 1, Seed = 1,
            Assets = [new AssetSpec { Symbol = "BTC", Price = 100, Volatility = 0, LongRunVolatility = 0, Impact = new LinearImpact(1e-3) }],
            Stress = [new StressShock(1, 0, 0.15)],
            Venue = new VenueSpec { MaintenanceMargin = [new StaticMargin(0.05)] },
            Book = new BookSpec { Cohorts = [new CohortSpec { Positions = [new PositionSpec(0, -1e7, 100)], UsdCollateral = 1e8 }] },
        };
        using var backend = new DeviceBackend(_device);
        var e = Assert.Throws<SimulationException>(() => SimulationEngine.SimulatePaths(scenario, 0, 1, backend));
        Assert.That(e!.Message, Does.Contain("path 0, step 1").And.Contain("BTC").And.Contain("assets[0]"));
    }

    [Test]
    public void LaunchSizeDoesNotChangeAnyBit()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h") };
        using var whole = new DeviceBackend(_device);
        using var pieces = new DeviceBackend(_device) { MaxLaunchPaths = 1024 };
        var a = SimulationEngine.SimulatePaths(scenario, 0, 3000, whole);
        var b = SimulationEngine.SimulatePaths(scenario, 0, 3000, pieces);
        Assert.That(OutputComparison.FirstDifference(a, b, 0), Is.Null);
    }

    [Test]
    public void OutOfMemoryHalvesTheLaunchAndKeepsEveryBit()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 12, Horizon = Duration.Parse("1h") };
        using var whole = new DeviceBackend(_device);
        var reference = SimulationEngine.SimulatePaths(scenario, 0, 4096, whole);
        // A device that refuses any buffer above what 1,024 paths of cohort state need.
        long limit = 8L * 4 * 300 * 1024;
        var limited = new LimitedDevice(_device, limit);
        using var halving = new DeviceBackend(limited);
        var result = SimulationEngine.SimulatePaths(scenario, 0, 4096, halving);
        Assert.That(limited.Refusals, Is.GreaterThan(0), "the limit must have been hit");
        Assert.That(OutputComparison.FirstDifference(reference, result, 0), Is.Null);

        // Through the engine: blocks are reported across several launches and after the retry; the aggregates
        // equal those of one launch per batch.
        var run = scenario with { Paths = 5000 };
        using var oneLaunch = new DeviceBackend(_device);
        using var retried = new DeviceBackend(new LimitedDevice(_device, limit));
        using var small = new DeviceBackend(_device) { MaxLaunchPaths = 1024 };
        string expected = TestScenarios.Reproducible(SimulationEngine.Run(run, new RunOptions { Backend = oneLaunch, BatchSize = 4096 }));
        Assert.That(TestScenarios.Reproducible(SimulationEngine.Run(run, new RunOptions { Backend = retried, BatchSize = 4096 })), Is.EqualTo(expected));
        Assert.That(TestScenarios.Reproducible(SimulationEngine.Run(run, new RunOptions { Backend = small, BatchSize = 4096 })), Is.EqualTo(expected));
    }

    /// <summary>Forwards to a real device but refuses allocations above a limit, as a full device would.</summary>
    private sealed class LimitedDevice(ComputeDevice inner, long limit) : ComputeDevice
    {
        public int Refusals { get; private set; }
        public override string Name => inner.Name;
        public override string Model => inner.Model;
        public override long GlobalMemoryBytes => inner.GlobalMemoryBytes;
        public override int ComputeUnits => inner.ComputeUnits;
        public override bool IsGpu => inner.IsGpu;
        public override bool SupportsDouble => inner.SupportsDouble;
        public override string ApiVersion => inner.ApiVersion;
        public override DeviceBuffer Allocate(long bytes)
        {
            if (bytes > limit)
            {
                Refusals++;
                throw new DeviceOutOfMemoryException($"test limit {limit} bytes");
            }
            return inner.Allocate(bytes);
        }
        public override DeviceKernel Compile(string source, string kernelName) => inner.Compile(source, kernelName);
        public override void Synchronize() => inner.Synchronize();
        public override void Dispose() { }
    }

    [Test]
    public void ADeviceMixAgreesWithOneDeviceWithinTheParityTolerance()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h") };
        var reference = SimulationEngine.SimulatePaths(scenario, 0, 6000, new ManagedBackend());
        using var mix = new GpuCascade.Backends.MultiBackend([new ManagedBackend(1), new DeviceBackend(_device)]);
        var mixed = SimulationEngine.SimulatePaths(scenario, 0, 6000, mix);
        Assert.That(OutputComparison.FirstDifference(reference, mixed, OutputComparison.DoubleTolerance), Is.Null);
        var run = SimulationEngine.Run(scenario with { Paths = 6000 }, new RunOptions { Backend = mix });
        Assert.That(run.Paths, Is.EqualTo(6000));
        Assert.That(run.Backend, Is.EqualTo("all"));
    }

    [Test]
    public void AggregatesMatchTheManagedRun()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h"), Paths = 6000 };
        var managed = SimulationEngine.Run(scenario);
        using var backend = new DeviceBackend(_device);
        var device = SimulationEngine.Run(scenario, new RunOptions { Backend = backend });
        Assert.That(device.Paths, Is.EqualTo(managed.Paths));
        Assert.That(device.Probabilities, Is.EqualTo(managed.Probabilities));
        Assert.That(device.BadDebt.Mean, Is.EqualTo(managed.BadDebt.Mean).Within(1e-9).Percent);
        Assert.That(device.LiquidatedNotional.ExpectedShortfall["0.99"], Is.EqualTo(managed.LiquidatedNotional.ExpectedShortfall["0.99"]).Within(1e-9).Percent);
        Assert.That(device.RoundCapHits, Is.EqualTo(managed.RoundCapHits));
    }
}
