namespace GpuCascade.Paths;

/// <summary>
/// A device that simulates paths. The seam every backend implements (the managed CPU backend, the ILGPU devices and
/// several devices at once): given a plan, fill the per-path outputs of paths [start, start + count). Results must not depend on how the
/// host splits the paths, because randomness is keyed by path index.
/// </summary>
public interface ISimulationBackend : IDisposable
{
    /// <summary>Stable device name: <c>managed</c>, <c>ilgpu-cpu</c>, <c>opencl:&lt;p&gt;:&lt;d&gt;</c>, <c>cuda:&lt;i&gt;</c>.</summary>
    string Name { get; }

    /// <summary>Human-readable description (device model, threads).</summary>
    string Description { get; }

    /// <summary>A good number of paths per batch for this plan on this device (a multiple of <see cref="PathOutputs.BlockSize"/>).</summary>
    internal int PreferredBatchSize(SimulationPlan plan);

    /// <summary>
    /// Simulates paths [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) into rows
    /// 0..count-1 of <paramref name="outputs"/>. <paramref name="blockDone"/>, when given, is called with the index of
    /// each completed block of <see cref="PathOutputs.BlockSize"/> rows (rows [b*BlockSize, ...)) as soon as it
    /// is done, from any thread. On cancellation it returns early; blocks not reported are incomplete.
    /// </summary>
    internal void Run(SimulationPlan plan, long start, int count, PathOutputs outputs, Action<int>? blockDone,
        CancellationToken cancellation);
}
