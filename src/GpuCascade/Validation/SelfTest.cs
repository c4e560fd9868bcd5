using System.Diagnostics;
using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Kernels;
using GpuCascade.Market;
using ILGPU;
using ILGPU.Runtime;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Validation;

/// <summary>The outcome of one self-test check on one device.</summary>
/// <param name="Device">Device name.</param>
/// <param name="Check">What was checked.</param>
/// <param name="Passed">Whether it passed.</param>
/// <param name="Detail">Numbers behind the verdict, or the first difference.</param>
/// <param name="Seconds">Wall time of the check.</param>
internal sealed record SelfTestResult(string Device, string Check, bool Passed, string Detail, double Seconds);

/// <summary>
/// The device check that GPU machines without a .NET SDK run (<c>gpucascade selftest</c>): Philox known answers
/// bit for bit, per-path parity with the managed reference in double and single precision, launch-size invariance,
/// and the closed forms of docs/model.md section 7, on every device given.
/// </summary>
internal static class SelfTest
{
    /// <summary>Runs every check on every device, reporting each result as it completes.</summary>
    public static IReadOnlyList<SelfTestResult> Run(IEnumerable<IlgpuDevice> devices, Action<SelfTestResult>? report = null)
    {
        var results = new List<SelfTestResult>();
        foreach (var device in devices)
        {
            foreach (var (name, check) in Checks(device))
            {
                var clock = Stopwatch.StartNew();
                SelfTestResult result;
                try
                {
                    var (passed, detail) = check();
                    result = new SelfTestResult(device.Name, name, passed, detail, clock.Elapsed.TotalSeconds);
                }
                catch (Exception e) when (e is DeviceException or SimulationException or InvalidOperationException or ArgumentException
                                           or AggregateException or NotSupportedException or AcceleratorException)
                {
                    result = new SelfTestResult(device.Name, name, false, $"{e.GetType().Name}: {e.Message}", clock.Elapsed.TotalSeconds);
                }
                results.Add(result);
                report?.Invoke(result);
            }
        }
        return results;
    }

    private static IEnumerable<(string, Func<(bool, string)>)> Checks(IlgpuDevice device)
    {
        yield return ("philox known answers", () => Philox(device));
        yield return ("no contraction into fused multiply-adds", () => Contraction(device));
        yield return ("parity double (default venue, 2048 paths)", () => Parity(device, Shortened(ScenarioLoader.LoadDefault())));
        yield return ("parity double (stressed, partial, delayed oracle)", () => Parity(device, Stressed()));
        yield return ("launch size invariance", () => LaunchInvariance(device));
        yield return ("first passage vs BGK closed form", () => FirstPassage(device));
        yield return ("ladder fixed point d0/(1-kappa)", () => Ladder(device));
        yield return ("parity single (stated tolerance)", () => Single(device));
    }

    /// <summary>The parity tolerance of a device: ilgpu-cpu runs the same IL as managed (bit-identical); a GPU's
    /// exp/log/sin/cos differ in the last bits (contraction is removed by KernelLoader; docs/backends.md).</summary>
    public static double Tolerance(IlgpuDevice device) => device.Api == "cpu" ? 0 : OutputComparison.DoubleTolerance;

    private static Scenario Shortened(Scenario s) => s with { Steps = 48, Horizon = Duration.Parse("4h") };

    private static Scenario Stressed()
    {
        var d = Shortened(ScenarioLoader.LoadDefault());
        return d with
        {
            Stress = [new StressShock(5, 0, -0.1), new StressShock(5, 1, -0.12), new StressShock(20, 2, -0.15)],
            Venue = d.Venue with { InsuranceFund = 2e6, Liquidation = new LiquidationPolicy(0.25, 10), OracleDelaySteps = 1 },
        };
    }

    private static (bool, string) Philox(IlgpuDevice device)
    {
        const int count = 4096;
        var input = new uint[6 * count];
        uint[] kat = [0, 0, 0, 0, 0, 0, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
                      0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0];
        kat.CopyTo(input, 0);
        var rng = new Random(17);
        for (int k = kat.Length; k < input.Length; k++) input[k] = (uint)rng.NextInt64(0, 1L << 32);
        var output = PhiloxOnDevice(device, input);
        uint[] expected = [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd,
                           0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1];
        for (int k = 0; k < expected.Length; k++)
            if (output[k] != expected[k]) return (false, $"Random123 vector {k / 4}: word {k % 4} is {output[k]:x8}, expected {expected[k]:x8}");
        for (int i = 0; i < count; i++)
        {
            Philox4x32.Generate(input[6 * i], input[6 * i + 1], input[6 * i + 2], input[6 * i + 3], input[6 * i + 4], input[6 * i + 5],
                out uint r0, out uint r1, out uint r2, out uint r3);
            if (output[4 * i] != r0 || output[4 * i + 1] != r1 || output[4 * i + 2] != r2 || output[4 * i + 3] != r3)
                return (false, $"counter {i}: device and managed Philox differ");
        }
        return (true, $"3 Random123 vectors and {count - 3} random counters bit-exact");
    }

    /// <summary>Philox4x32-10 on <paramref name="device"/>: four words per counter (input: six words each, counter then key).</summary>
    internal static uint[] PhiloxOnDevice(IlgpuDevice device, uint[] input)
    {
        int count = input.Length / 6;
        using var accelerator = device.CreateAccelerator();
        var kernel = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<uint>, ArrayView<uint>>>(accelerator,
            typeof(PathKernels).GetMethod(nameof(PathKernels.PhiloxKnownAnswers))!);
        using var inBuffer = accelerator.Allocate1D(input);
        using var outBuffer = accelerator.Allocate1D<uint>(4L * count);
        kernel(accelerator.DefaultStream, count, inBuffer.View, outBuffer.View);
        accelerator.Synchronize();
        return outBuffer.GetAsArray1D();
    }

    private static (bool, string) Contraction(IlgpuDevice device)
    {
        // Random operands where a * b + c rounded once (FMA) and twice differ in most cases.
        const int count = 4096;
        var rng = new Random(5);
        double[] a = new double[count], b = new double[count], c = new double[count];
        for (int i = 0; i < count; i++)
        {
            a[i] = rng.NextDouble() + 0.5;
            b[i] = rng.NextDouble() + 0.5;
            c[i] = -a[i] * b[i] * (1 + 1e-9 * rng.NextDouble());
        }
        using var accelerator = device.CreateAccelerator();
        var kernel = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>>>(
            accelerator, typeof(PathKernels).GetMethod(nameof(PathKernels.ContractionProbe))!);
        using var ba = accelerator.Allocate1D(a);
        using var bb = accelerator.Allocate1D(b);
        using var bc = accelerator.Allocate1D(c);
        using var bo = accelerator.Allocate1D<double>(count);
        kernel(accelerator.DefaultStream, count, ba.View, bb.View, bc.View, bo.View);
        accelerator.Synchronize();
        var output = bo.GetAsArray1D();
        int fused = 0, other = 0;
        for (int i = 0; i < count; i++)
        {
            double twice = a[i] * b[i] + c[i];
            if (output[i] == twice) continue;
            if (output[i] == Math.FusedMultiplyAdd(a[i], b[i], c[i])) fused++;
            else other++;
        }
        // KernelLoader rewrites ILGPU's code so that no device fuses a*b+c (docs/backends.md): every result must be rounded twice.
        return (fused == 0 && other == 0, fused == 0 && other == 0
            ? $"{count} products a*b+c rounded twice, as in the managed code"
            : $"{fused} results fused into FMAs, {other} otherwise different, of {count}");
    }

    private static (bool, string) Parity(IlgpuDevice device, Scenario scenario)
    {
        const int paths = 2048;
        var reference = SimulationEngine.SimulatePaths(scenario, 0, paths, new ManagedBackend());
        using var backend = new IlgpuBackend(device);
        var actual = SimulationEngine.SimulatePaths(scenario, 0, paths, backend);
        double tolerance = Tolerance(device);
        string? difference = OutputComparison.FirstDifference(reference, actual, tolerance);
        return difference is null
            ? (true, tolerance == 0 ? $"{paths} paths bit-identical to managed, work counts equal"
                : $"{paths} paths, every output within {tolerance:0e0} relative, work counts equal")
            : (false, difference);
    }

    private static (bool, string) LaunchInvariance(IlgpuDevice device)
    {
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 24, Horizon = Duration.Parse("2h") };
        using var whole = new IlgpuBackend(device);
        using var pieces = new IlgpuBackend(device) { MaxLaunchPaths = 1024 };
        var a = SimulationEngine.SimulatePaths(scenario, 0, 3000, whole);
        var b = SimulationEngine.SimulatePaths(scenario, 0, 3000, pieces);
        string? difference = OutputComparison.FirstDifference(a, b, 0);
        return difference is null ? (true, "3000 paths bit-identical in one launch and in launches of 1024") : (false, difference);
    }

    private static (bool, string) FirstPassage(IlgpuDevice device)
    {
        const int steps = 250, paths = 20_000;
        var scenario = ClosedForms.FirstPassageScenario(0.0, steps: steps, paths: paths);
        using var backend = new IlgpuBackend(device);
        var result = SimulationEngine.Run(scenario, new RunOptions { Backend = backend });
        double t = scenario.Horizon.Years;
        double expected = ClosedForms.FirstPassageProbability(100, ClosedForms.LongLiquidationPrice(100, 5, 0.05), 0, 0.8, t, t / steps);
        double p = result.Probabilities.AnyLiquidation.Estimate, se = Math.Sqrt(expected * (1 - expected) / paths);
        return (Math.Abs(p - expected) <= 4 * se, $"simulated {p:F4}, closed form {expected:F4}, tolerance 4 s.e. = {4 * se:F4}");
    }

    private static (bool, string) Ladder(IlgpuDevice device)
    {
        var scenario = ClosedForms.LadderScenario(0.5);
        using var backend = new IlgpuBackend(device);
        var o = SimulationEngine.SimulatePaths(scenario, 0, 1, backend);
        double move = Math.Log(o.FinalPrice[0] / 100), exact = ClosedForms.LadderFinalLogMove(scenario);
        bool ok = Math.Abs(move - exact) <= 1e-9 * Math.Abs(exact);
        return (ok, $"final log move {move:F10}, exact fixed point {exact:F10}, d0/(1-kappa) = {-0.05 / 0.5:F4}");
    }

    private static (bool, string) Single(IlgpuDevice device)
    {
        const int paths = 4096;
        var scenario = ScenarioLoader.LoadDefault() with { Steps = 96, Horizon = Duration.Parse("8h") };
        var reference = SimulationEngine.SimulatePaths(scenario, 0, paths, new ManagedBackend());
        using var backend = new IlgpuBackend(device, Precision.Single);
        var single = SimulationEngine.SimulatePaths(scenario, 0, paths, backend);
        var (priceShare, drawdownShare) = OutputComparison.SinglePrecisionDrift(reference, single);
        double liquidated = single.LiquidatedNotional.ToArray().Average() / reference.LiquidatedNotional.ToArray().Average() - 1;
        bool ok = priceShare <= OutputComparison.SingleOffShare && drawdownShare <= OutputComparison.SingleOffShare && Math.Abs(liquidated) <= 0.01;
        return (ok, $"{priceShare:P2} of prices and {drawdownShare:P2} of drawdowns beyond 1e-4 (limit {OutputComparison.SingleOffShare:P0}); mean liquidated notional {liquidated:+0.000%;-0.000%}");
    }
}
