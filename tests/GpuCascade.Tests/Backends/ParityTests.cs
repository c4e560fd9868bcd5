using System.Collections.Immutable;
using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Market;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Validation;

namespace GpuCascade.Tests.Backends;

/// <summary>
/// The parity suite: every ILGPU device against the managed reference, which runs the same model natively. On
/// ilgpu-cpu the IL and the math library are the managed backend's own, so every output is bit-identical (tolerance 0);
/// on a GPU, exp/log/sin/cos differ in the last bits (KernelLoader keeps multiply-adds from being fused), so continuous
/// outputs agree to 1e-9 relative and integer outputs (rounds, flags, work counts) exactly (docs/backends.md).
/// </summary>
[TestFixtureSource(typeof(Devices), nameof(Devices.Cases))]
public class ParityTests(string deviceName, string reason)
{
    private IlgpuDevice _device = null!;

    [OneTimeSetUp]
    public void FindDevice() => _device = Devices.Require(deviceName, reason);

    private double Tolerance => SelfTest.Tolerance(_device);

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
        var result = SelfTest.PhiloxOnDevice(_device, flat);
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

    /// <summary>The parity cases by name (also the golden results' cases).</summary>
    internal static IEnumerable<(string Name, Scenario Scenario)> Cases()
    {
        var d = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h") };
        var stressed = d with
        {
            Stress = [new StressShock(5, 0, -0.1), new StressShock(5, 1, -0.12), new StressShock(20, 2, -0.15)],
            Venue = d.Venue with { InsuranceFund = 2e6 },
        };
        yield return ("default venue", d);
        yield return ("stressed", stressed);
        yield return ("partial", stressed with { Venue = stressed.Venue with { Liquidation = new LiquidationPolicy(0.25, 10) } });
        yield return ("delayed oracle, round cap 2", stressed with { Venue = stressed.Venue with { OracleDelaySteps = 2, RoundCap = 2 } });
        yield return ("square-root impact, normal", stressed with
        {
            Assets = stressed.Assets.Select(a => a with { Impact = new SquareRootImpact(3e9, 0.8) }).ToImmutableArray(),
            Innovations = InnovationSpec.Normal, Garch = null,
        });
        yield return ("adversarial book, full", TestScenarios.AdversarialBook(1));
        yield return ("adversarial book, partial", TestScenarios.AdversarialBook(2));
        var opening = TestScenarios.AdversarialBook(2);
        yield return ("adversarial book, opening round", opening with
        {
            Book = opening.Book with { Cohorts = [.. opening.Book.Cohorts.Select((c, i) => i % 3 == 0 ? c with { LiquidateAtStart = true } : c)] },
        });
        yield return ("W1 shape, 96 steps", GpuCascade.Benchmarks.Workloads.W1 with { Steps = 96, Horizon = Duration.Parse("8h") });
        yield return ("frequent jumps, no GARCH", stressed with { Jumps = new JumpSpec(2000, -0.02, 0.03), Garch = null });
        yield return ("uncertain depth, volatility and book", stressed with { Uncertainty = new UncertaintySpec(0.3, 0.2, 0.25) });
        yield return ("depth under stress", stressed with
        {
            Assets = [.. stressed.Assets.Select(a => a with { Liquidity = new LiquiditySpec(0.5, null, Duration.Parse("2h"), 0.2, Duration.Parse("30m")) })],
        });
        yield return ("auto-deleveraging", stressed with { Venue = stressed.Venue with { Adl = true, InsuranceFund = 0 } });
        yield return ("liquidation capacity", stressed with { Venue = stressed.Venue with { LiquidationCapacity = 2e7 } });
    }

    private static IEnumerable<TestCaseData> Scenarios() => Cases().Select(c => new TestCaseData(c.Scenario).SetArgDisplayNames(c.Name));

    [TestCaseSource(nameof(Scenarios))]
    public void PerPathOutputsMatchTheManagedReference(Scenario scenario)
    {
        GpuCascade.Tests.Simulation.MechanismChecks.AssertParity(_device, scenario);
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
        using var backend = new IlgpuBackend(_device, Precision.Single);
        var single = SimulationEngine.SimulatePaths(scenario, 0, paths, backend);
        var (priceShare, drawdownShare) = OutputComparison.SinglePrecisionDrift(reference, single);
        TestContext.Out.WriteLine($"single vs double: {priceShare:P3} of prices and {drawdownShare:P3} of drawdowns beyond 1e-4");
        Assert.That(priceShare, Is.LessThanOrEqualTo(OutputComparison.SingleOffShare));
        Assert.That(drawdownShare, Is.LessThanOrEqualTo(OutputComparison.SingleOffShare));
        Assert.That(single.LiquidatedNotional.Average(), Is.EqualTo(reference.LiquidatedNotional.Average()).Within(1).Percent);
        Assert.That(single.BadDebt.Average(), Is.EqualTo(reference.BadDebt.Average()).Within(1).Percent);
        Assert.That(single.Cascade.Count(c => c != 0), Is.EqualTo(reference.Cascade.Count(c => c != 0)).Within(Math.Max(2, paths / 1000)));
    }

    [Test]
    public void PriceOverflowIsFlaggedWithPathStepAndAsset()
    {
        var scenario = new Scenario
        {
            Horizon = Duration.Parse("1h"), Steps = 2, Paths = 1, Seed = 1,
            Assets = [new AssetSpec { Symbol = "BTC", Price = 100, Volatility = 0, LongRunVolatility = 0, Impact = new LinearImpact(1e-3) }],
            Stress = [new StressShock(1, 0, 0.15)],
            Venue = new VenueSpec { MaintenanceMargin = [new StaticMargin(0.05)] },
            Book = new BookSpec { Cohorts = [new CohortSpec { Positions = [new PositionSpec(0, -1e7, 100)], UsdCollateral = 1e8 }] },
        };
        var reference = SimulationEngine.SimulatePaths(scenario, 0, 1, new ManagedBackend());
        using var backend = new IlgpuBackend(_device);
        var device = SimulationEngine.SimulatePaths(scenario, 0, 1, backend);
        Assert.That(device.Runaway[0], Is.EqualTo(1));
        Assert.That(OutputComparison.FirstDifference(reference, device, Tolerance), Is.Null);
        var r = SimulationEngine.Run(scenario, new RunOptions { Backend = new IlgpuBackend(_device) });
        Assert.That(r.Warnings, Has.Some.Contains("path 0, step 1").And.Contain("BTC").And.Contain("assets[0]").And.Contain(_device.Name));
    }

    [Test]
    public void LaunchSizeDoesNotChangeAnyBit()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h") };
        using var whole = new IlgpuBackend(_device);
        using var pieces = new IlgpuBackend(_device) { MaxLaunchPaths = 1024 };
        var a = SimulationEngine.SimulatePaths(scenario, 0, 3000, whole);
        var b = SimulationEngine.SimulatePaths(scenario, 0, 3000, pieces);
        Assert.That(OutputComparison.FirstDifference(a, b, 0), Is.Null);
    }

    [Test]
    public void OutOfMemoryHalvesTheLaunchAndKeepsEveryBit()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 12, Horizon = Duration.Parse("1h") };
        using var whole = new IlgpuBackend(_device);
        var reference = SimulationEngine.SimulatePaths(scenario, 0, 4096, whole);
        // A device that refuses any buffer above what 1,024 paths of state need.
        long limit = 8L * new PackedPlan(SimulationPlan.Build(scenario)).Layout.RealSlots * 1024;
        using var halving = new IlgpuBackend(_device) { AllocationLimitBytes = limit };
        var result = SimulationEngine.SimulatePaths(scenario, 0, 4096, halving);
        Assert.That(halving.Refusals, Is.GreaterThan(0), "the limit must have been hit");
        Assert.That(OutputComparison.FirstDifference(reference, result, 0), Is.Null);

        // Through the engine: blocks are reported across several launches and after the retry; the aggregates
        // equal those of one launch per batch.
        var run = scenario with { Paths = 5000 };
        using var oneLaunch = new IlgpuBackend(_device);
        using var retried = new IlgpuBackend(_device) { AllocationLimitBytes = limit };
        using var small = new IlgpuBackend(_device) { MaxLaunchPaths = 1024 };
        string expected = TestScenarios.Reproducible(SimulationEngine.Run(run, new RunOptions { Backend = oneLaunch, BatchSize = 4096 }));
        Assert.That(TestScenarios.Reproducible(SimulationEngine.Run(run, new RunOptions { Backend = retried, BatchSize = 4096 })), Is.EqualTo(expected));
        Assert.That(TestScenarios.Reproducible(SimulationEngine.Run(run, new RunOptions { Backend = small, BatchSize = 4096 })), Is.EqualTo(expected));
    }

    [Test]
    public void ADeviceMixAgreesWithOneDeviceWithinTheParityTolerance()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h") };
        var reference = SimulationEngine.SimulatePaths(scenario, 0, 6000, new ManagedBackend());
        using var mix = new GpuCascade.Backends.MultiBackend([new ManagedBackend(1), new IlgpuBackend(_device)]);
        var mixed = SimulationEngine.SimulatePaths(scenario, 0, 6000, mix);
        Assert.That(OutputComparison.FirstDifference(reference, mixed, Tolerance), Is.Null);
        var run = SimulationEngine.Run(scenario with { Paths = 6000 }, new RunOptions { Backend = mix });
        Assert.That(run.Paths, Is.EqualTo(6000));
        Assert.That(run.Backend, Is.EqualTo("all"));
    }

    [Test]
    public void AggregatesMatchTheManagedRun()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 48, Horizon = Duration.Parse("4h"), Paths = 6000 };
        var managed = SimulationEngine.Run(scenario);
        using var backend = new IlgpuBackend(_device);
        var device = SimulationEngine.Run(scenario, new RunOptions { Backend = backend });
        Assert.That(device.Paths, Is.EqualTo(managed.Paths));
        Assert.That(device.Probabilities, Is.EqualTo(managed.Probabilities));
        if (Tolerance == 0) Assert.That(TestScenarios.ReproducibleOnAnyBackend(device), Is.EqualTo(TestScenarios.ReproducibleOnAnyBackend(managed)));
        Assert.That(device.BadDebt.Mean, Is.EqualTo(managed.BadDebt.Mean).Within(1e-9).Percent);
        Assert.That(device.LiquidatedNotional.ExpectedShortfall[0.99], Is.EqualTo(managed.LiquidatedNotional.ExpectedShortfall[0.99]).Within(1e-9).Percent);
        Assert.That(device.RoundCapHits, Is.EqualTo(managed.RoundCapHits));
    }
}
