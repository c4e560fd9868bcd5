using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Backends;
using GpuCascade.Validation;

namespace GpuCascade.Tests.Simulation;

/// <summary>What every mechanism's tests check alike (docs/architecture.md, "Adding a mechanism"): a small scenario file to
/// bind its keys in, the refusal of a bad value naming its field, and parity of a device with the managed reference.</summary>
internal static class MechanismChecks
{
    /// <summary>One asset, BTC at 100 (volatility 0.6, linear depth 1e6 per 1%), 12 steps over an hour, one 5x long;
    /// <paramref name="assetKeys"/> joins the asset's map (", key: value"), <paramref name="venueKeys"/> the venue's
    /// ("\n  key: value").</summary>
    public static string Yaml(string assetKeys = "", string venueKeys = "") => $$"""
        horizon: 1h
        steps: 12
        paths: 100
        seed: 1
        assets:
          - {symbol: BTC, price: 100, volatility: 0.6, depth1pct: 1e6{{assetKeys}}}
        venue:
          maintenanceMargin: 0.05{{venueKeys}}
        book:
          cohorts:
            - {asset: BTC, side: long, notional: 1.0e4, leverage: 5}
        """;

    /// <summary>Loading <paramref name="yaml"/> fails with an error at <paramref name="path"/> whose message contains
    /// <paramref name="message"/>.</summary>
    public static void AssertRefused(string yaml, string path, string message)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadYaml(yaml))!;
        Assert.That(e.Errors.Select(x => x.Path), Has.Member(path), e.Message);
        Assert.That(e.Errors.First(x => x.Path == path).Message, Does.Contain(message));
    }

    /// <summary>Paths 1000 to 2023 of <paramref name="scenario"/> on <paramref name="device"/> against the managed
    /// reference: bit for bit on ilgpu-cpu, within the device's parity tolerance on a GPU. Returns the reference outputs.</summary>
    public static PathOutputs AssertParity(IlgpuDevice device, Scenario scenario)
    {
        const int paths = 1024;
        var reference = SimulationEngine.SimulatePaths(scenario, 1000, paths, new ManagedBackend());
        using var backend = new IlgpuBackend(device);
        var other = SimulationEngine.SimulatePaths(scenario, 1000, paths, backend);
        Assert.That(OutputComparison.FirstDifference(reference, other, SelfTest.Tolerance(device)), Is.Null);
        Assert.That(reference.CohortLiquidations.Sum(), Is.GreaterThan(0), "the scenario must liquidate");
        return reference;
    }
}

/// <summary>A fixture run once per ILGPU device (<c>[TestFixtureSource(typeof(Devices), nameof(Devices.Cases))]</c>): its
/// tests get the device, or are skipped with the reason there is none.</summary>
public abstract class DeviceFixture(string deviceName, string reason)
{
    /// <summary>The device of this fixture.</summary>
    protected IlgpuDevice Device { get; private set; } = null!;

    /// <summary>Finds the device, or skips the fixture with the reason.</summary>
    [OneTimeSetUp]
    public void FindDevice() => Device = Devices.Require(deviceName, reason);
}
