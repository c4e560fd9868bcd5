using System.Collections.Immutable;
using GpuCascade.Backends.Device;
using GpuCascade.Backends.Managed;
using GpuCascade.Market;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

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
    }

    [TestCaseSource(nameof(Scenarios))]
    public void PerPathOutputsMatchTheManagedReference(Scenario scenario)
    {
        const int paths = 2048;
        var reference = SimulationEngine.SimulatePaths(scenario, 1000, paths, new ManagedBackend());
        using var backend = new DeviceBackend(_device);
        var device = SimulationEngine.SimulatePaths(scenario, 1000, paths, backend);
        Compare(reference, device, 1e-9);
    }

    [Test]
    public void LaunchSizeDoesNotChangeAnyBit()
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h") };
        using var whole = new DeviceBackend(_device);
        using var pieces = new DeviceBackend(_device) { MaxLaunchPaths = 1024 };
        var a = SimulationEngine.SimulatePaths(scenario, 0, 3000, whole);
        var b = SimulationEngine.SimulatePaths(scenario, 0, 3000, pieces);
        Assert.That(b.BadDebt, Is.EqualTo(a.BadDebt));
        Assert.That(b.FinalPrice, Is.EqualTo(a.FinalPrice));
        Assert.That(b.LiquidatedNotional, Is.EqualTo(a.LiquidatedNotional));
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

    internal static void Compare(PathOutputs expected, PathOutputs actual, double relative)
    {
        void Reals(string name, double[] e, double[] a)
        {
            for (int i = 0; i < e.Length; i++)
            {
                double tolerance = relative * Math.Max(1.0, Math.Max(Math.Abs(e[i]), Math.Abs(a[i])));
                if (!(Math.Abs(e[i] - a[i]) <= tolerance))
                    Assert.Fail($"{name}[{i}] (path {expected.Start + i / Math.Max(1, e.Length / expected.Count)}): managed {e[i]:R}, device {a[i]:R}");
            }
        }
        Assert.That(actual.Count, Is.EqualTo(expected.Count));
        Assert.That(actual.MaxRoundsInStep, Is.EqualTo(expected.MaxRoundsInStep), "max rounds in a step");
        Assert.That(actual.RoundCapHit, Is.EqualTo(expected.RoundCapHit), "round cap hits");
        Assert.That(actual.Cascade, Is.EqualTo(expected.Cascade), "cascade flags");
        Reals("badDebt", expected.BadDebt, actual.BadDebt);
        Reals("badDebtPaid", expected.BadDebtPaid, actual.BadDebtPaid);
        Reals("uncoveredLoss", expected.UncoveredLoss, actual.UncoveredLoss);
        Reals("penalties", expected.Penalties, actual.Penalties);
        Reals("fundEnd", expected.FundEnd, actual.FundEnd);
        Reals("fundMin", expected.FundMin, actual.FundMin);
        Reals("liquidatedNotional", expected.LiquidatedNotional, actual.LiquidatedNotional);
        Reals("closedUnitsShare", expected.ClosedUnitsShare, actual.ClosedUnitsShare);
        Reals("liquidatedNotionalByAsset", expected.LiquidatedNotionalByAsset, actual.LiquidatedNotionalByAsset);
        Reals("maxDrawdown", expected.MaxDrawdown, actual.MaxDrawdown);
        Reals("exogenousMaxDrawdown", expected.ExogenousMaxDrawdown, actual.ExogenousMaxDrawdown);
        Reals("maxDisplacement", expected.MaxDisplacement, actual.MaxDisplacement);
        Reals("finalPrice", expected.FinalPrice, actual.FinalPrice);
    }
}
