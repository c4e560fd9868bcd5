using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using GpuCascade.Backends;
using GpuCascade.Benchmarks;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Bench;

/// <summary>
/// The reference workloads through <see cref="SimulationEngine.Run"/> on every backend of this machine: the managed
/// backend and each discovered device that computes in double precision (the workloads' precision).
/// </summary>
/// <remarks>
/// One operation is one whole run, so the statistics are over runs: the Monitoring strategy (no pilot stage, one
/// run per iteration) suits operations of a fraction of a second to several seconds. The kernel is compiled in
/// the global setup and the device's cache keeps it, so no iteration pays for compilation.
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class WorkloadBenchmarks
{
    /// <summary>Paths of the reduced W1: four statistics blocks, a few seconds on a 2-core CPU.</summary>
    public const long ReducedW1Paths = 4_096;

    private ISimulationBackend? _backend;

    /// <summary>The backend name (see <c>gpucascade devices</c>).</summary>
    [ParamsSource(nameof(BackendNames))]
    public string Backend { get; set; } = "managed";

    /// <summary>managed, then every ILGPU device that can run the path kernel (ilgpu-cpu, GPUs).</summary>
    public static IEnumerable<string> BackendNames() =>
        new[] { "managed" }.Concat(GpuCascade.Backends.Ilgpu.IlgpuDevices.All.Where(d => d.Unsupported is null).Select(d => d.Name));

    /// <summary>Creates the backend and compiles its kernel with a one-block run of W0.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _backend = BackendCatalog.Create(Backend, Precision.Double);
        SimulationEngine.Run(Workloads.W0, new RunOptions { Paths = SimulationEngine.BlockSize, Backend = _backend });
        SimulationEngine.Run(Workloads.W1 with { Steps = 12 }, new RunOptions { Paths = SimulationEngine.BlockSize, Backend = _backend });
    }

    /// <summary>Releases the backend's device memory.</summary>
    [GlobalCleanup]
    public void Cleanup() => _backend?.Dispose();

    /// <summary>W0 as defined: 4,096 paths x 48 steps, 2 assets, 64 cross-margin cohorts.</summary>
    [Benchmark]
    public long W0() => SimulationEngine.Run(Workloads.W0, new RunOptions { Backend = _backend }).Paths;

    /// <summary>W1 reduced to <see cref="ReducedW1Paths"/> paths (288 steps, 4 assets, 1,024 cohorts kept).</summary>
    [Benchmark]
    public long W1Reduced() =>
        SimulationEngine.Run(Workloads.W1, new RunOptions { Paths = ReducedW1Paths, Backend = _backend }).Paths;
}
