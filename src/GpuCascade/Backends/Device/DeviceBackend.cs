using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Backends.Device;

/// <summary>
/// Runs the portable path kernel on a <see cref="ComputeDevice"/> (OpenCL or CUDA): one work item per path, the
/// plan uploaded once, per-path state and outputs in device memory sized to the batch. Out-of-memory failures halve
/// the launch and retry. Not thread-safe: one run at a time per backend.
/// </summary>
public sealed class DeviceBackend : ISimulationBackend
{
    /// <summary>
    /// Threads per CUDA block for the path kernel. It holds about 166 registers per thread in single precision and 230
    /// in double (ptxas 11.8 for sm_90, docs/performance.md), so 128-thread blocks fit 3 (2) blocks per multiprocessor
    /// where 256 would fit 1; a kernel whose limit is lower gets its limit.
    /// </summary>
    internal const int CudaBlockSize = 128;

    /// <summary>The path kernel's resources per work item, once compiled, where the device reports them (CUDA).</summary>
    public string? KernelResources => _kernel?.Resources is { } r
        ? $"{r}; launched in blocks of {Math.Min(CudaBlockSize, _kernel.MaxGroupSize)}"
        : null;

    private readonly ComputeDevice _device;
    private readonly bool _ownsDevice;
    private SimulationPlan? _plan;
    private DeviceKernel? _kernel;
    private DeviceBuffer? _planReals, _planInts;
    private DeviceBuffer? _cohortReal, _cohortInt, _modified, _history, _outReal, _outInt;
    private int _capacity;
    private int _launchLimit = int.MaxValue; // lowered for good after an out-of-memory failure
    private double[] _hostReal = [];
    private int[] _hostInt = [];

    /// <summary>A backend on <paramref name="device"/> in <paramref name="precision"/>.</summary>
    /// <param name="device">The device.</param>
    /// <param name="precision">Double (the reference) or single (the fast mode).</param>
    /// <param name="ownsDevice">Dispose the device with the backend.</param>
    public DeviceBackend(ComputeDevice device, Precision precision = Precision.Double, bool ownsDevice = false)
    {
        _device = device;
        _ownsDevice = ownsDevice;
        Precision = precision;
        if (!device.SupportsDouble)
            throw new DeviceException($"{device.Name} ({device.Model}) has no double precision, which the kernel needs for money in both precisions");
    }

    /// <summary>The device.</summary>
    public ComputeDevice Device => _device;

    /// <summary>Precision of the kernel's market state and prices (money is always double).</summary>
    public Precision Precision { get; }

    /// <summary>Paths per launch at most (a multiple of the statistics block); null lets memory decide.</summary>
    public int? MaxLaunchPaths { get; init; }

    /// <summary>Time spent compiling kernels for this backend (zero when the cache had them).</summary>
    public TimeSpan CompileTime { get; private set; }

    /// <inheritdoc/>
    public string Name => _device.Name;

    /// <inheritdoc/>
    public string Description => $"{_device.Name} {_device.Model} ({_device.ApiVersion}), {(Precision == Precision.Single ? "single" : "double")} precision";

    /// <inheritdoc/>
    public int PreferredBatchSize(SimulationPlan plan)
    {
        long perPath = DevicePlan.BytesPerPath(plan); // called per batch by MultiBackend: no packing here
        long budget = _device.GlobalMemoryBytes / 4;
        long paths = Math.Clamp(budget / Math.Max(1, perPath), SimulationEngine.BlockSize, _device.IsGpu ? 1 << 21 : 1 << 15);
        return (int)(paths / SimulationEngine.BlockSize * SimulationEngine.BlockSize);
    }

    /// <inheritdoc/>
    public void Run(SimulationPlan plan, long start, int count, PathOutputs outputs, Action<int>? blockDone,
        CancellationToken cancellation)
    {
        outputs.Start = start;
        outputs.Count = count;
        Prepare(plan);
        int launch = MaxLaunchPaths is int max ? Math.Max(SimulationEngine.BlockSize, max / SimulationEngine.BlockSize * SimulationEngine.BlockSize) : count;
        launch = Math.Min(launch, _launchLimit);
        int done = 0;
        while (done < count)
        {
            if (cancellation.IsCancellationRequested) return;
            int n = Math.Min(launch, count - done);
            try
            {
                Launch(plan, start + done, n, outputs, done);
            }
            catch (DeviceOutOfMemoryException) when (n > SimulationEngine.BlockSize)
            {
                ReleaseState();
                launch = _launchLimit = Math.Max(SimulationEngine.BlockSize, n / 2 / SimulationEngine.BlockSize * SimulationEngine.BlockSize);
                continue;
            }
            // Blocks wholly inside [0, done + n) are complete (launches start on block boundaries).
            int firstBlock = done / SimulationEngine.BlockSize;
            done += n;
            int lastBlock = done == count ? (count + SimulationEngine.BlockSize - 1) / SimulationEngine.BlockSize : done / SimulationEngine.BlockSize;
            if (blockDone is not null)
                Parallel.For(firstBlock, lastBlock, blockDone);
        }
    }

    private void Prepare(SimulationPlan plan)
    {
        if (ReferenceEquals(plan, _plan)) return;
        ReleasePlan();
        var packed = new DevicePlan(plan);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _kernel = _device.Compile(KernelSource.For(KernelSource.DialectOf(_device), plan.AssetCount, Precision), KernelSource.PathKernel);
        CompileTime += clock.Elapsed;
        _planReals = Upload<double>(packed.Reals);
        _planInts = Upload<int>(packed.Ints);
        _plan = plan;
    }

    private DeviceBuffer Upload<T>(T[] data) where T : unmanaged
    {
        var buffer = _device.Allocate((long)Math.Max(1, data.Length) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        if (data.Length > 0) buffer.Write<T>(data);
        return buffer;
    }

    private void EnsureState(SimulationPlan plan, int count)
    {
        if (count <= _capacity && _cohortReal is not null) return;
        ReleaseState();
        int c = plan.CohortCount, n = plan.AssetCount;
        _cohortReal = _device.Allocate(8L * DevicePlan.CohortRealFields * Math.Max(1, c) * count);
        _cohortInt = _device.Allocate(4L * DevicePlan.CohortIntFields * Math.Max(1, c) * count);
        _modified = _device.Allocate(4L * DevicePlan.ModifiedWords(c) * count);
        _history = _device.Allocate(8L * Math.Max(1, plan.OracleDelay) * n * count);
        _outReal = _device.Allocate(8L * ((int)OutReal.Count + (int)OutAsset.Count * n) * count);
        _outInt = _device.Allocate(4L * (int)OutInt.Count * count);
        _capacity = count;
    }

    private void Launch(SimulationPlan plan, long start, int count, PathOutputs outputs, int row)
    {
        EnsureState(plan, count);
        int n = plan.AssetCount;
        // CUDA: blocks of 128 threads (fewer if the kernel's registers allow fewer: its cuFuncGetAttribute limit);
        // OpenCL: the implementation's choice (within the kernel's work-group limit).
        _kernel!.Launch(count, KernelSource.DialectOf(_device) == KernelDialect.Cuda ? Math.Min(CudaBlockSize, _kernel.MaxGroupSize) : 0,
            _planReals!, _planInts!,
            KernelArgument.Int64(unchecked((long)plan.Seed)), KernelArgument.Int64(start), KernelArgument.Int32(count),
            _cohortReal!, _cohortInt!, _modified!, _history!, _outReal!, _outInt!);
        // Wait here, so that a kernel fault is reported as such and not by the next read (where OpenCL's
        // CL_OUT_OF_RESOURCES would look like an out-of-memory error and halve the batch).
        _device.Synchronize();

        int realFields = (int)OutReal.Count + (int)OutAsset.Count * n;
        if (_hostReal.Length < realFields * count) _hostReal = new double[realFields * count];
        if (_hostInt.Length < (int)OutInt.Count * count) _hostInt = new int[(int)OutInt.Count * count];
        _outReal!.Read<double>(_hostReal.AsSpan(0, realFields * count));
        _outInt!.Read<int>(_hostInt.AsSpan(0, (int)OutInt.Count * count));
        Scatter(plan, start, count, outputs, row);
    }

    /// <summary>Device layout [field][path] to <see cref="PathOutputs"/> (scalars by path, assets path-major).</summary>
    private void Scatter(SimulationPlan plan, long start, int count, PathOutputs o, int row)
    {
        int n = plan.AssetCount;
        ReadOnlySpan<double> R(OutReal f) => _hostReal.AsSpan((int)f * count, count);
        R(OutReal.BadDebt).CopyTo(o.BadDebt.AsSpan(row));
        R(OutReal.BadDebtPaid).CopyTo(o.BadDebtPaid.AsSpan(row));
        R(OutReal.UncoveredLoss).CopyTo(o.UncoveredLoss.AsSpan(row));
        R(OutReal.Penalties).CopyTo(o.Penalties.AsSpan(row));
        R(OutReal.FundEnd).CopyTo(o.FundEnd.AsSpan(row));
        R(OutReal.FundMin).CopyTo(o.FundMin.AsSpan(row));
        R(OutReal.LiquidatedNotional).CopyTo(o.LiquidatedNotional.AsSpan(row));
        R(OutReal.ClosedUnitsShare).CopyTo(o.ClosedUnitsShare.AsSpan(row));
        var checks = R(OutReal.MarginChecks);
        var liquidations = R(OutReal.CohortLiquidations);
        for (int p = 0; p < count; p++)
        {
            o.MarginChecks[row + p] = (long)checks[p];
            o.CohortLiquidations[row + p] = (long)liquidations[p];
        }
        _hostInt.AsSpan((int)OutInt.MaxRounds * count, count).CopyTo(o.MaxRoundsInStep.AsSpan(row));
        var flags = _hostInt.AsSpan((int)OutInt.Flags * count, count);
        for (int p = 0; p < count; p++)
        {
            if ((flags[p] & 4) != 0)
            {
                int step = _hostInt[(int)OutInt.FailStep * count + p], asset = _hostInt[(int)OutInt.FailAsset * count + p];
                throw new SimulationException(
                    $"path {start + p}, step {step}: the price of {plan.Symbols[asset]} left the representable range on {Name}; " +
                    $"assets[{asset}]: the market is far too shallow for the book (raise its depth or volume)");
            }
            o.RoundCapHit[row + p] = (flags[p] & 1) != 0;
            o.Cascade[row + p] = (flags[p] & 2) != 0;
        }
        void Asset(OutAsset field, double[] target)
        {
            for (int i = 0; i < n; i++)
            {
                var source = _hostReal.AsSpan(((int)OutReal.Count + (int)field * n + i) * count, count);
                for (int p = 0; p < count; p++) target[(row + p) * n + i] = source[p];
            }
        }
        Asset(OutAsset.LiquidatedByAsset, o.LiquidatedNotionalByAsset);
        Asset(OutAsset.MaxDrawdown, o.MaxDrawdown);
        Asset(OutAsset.ExogenousMaxDrawdown, o.ExogenousMaxDrawdown);
        Asset(OutAsset.MaxDisplacement, o.MaxDisplacement);
        Asset(OutAsset.FinalPrice, o.FinalPrice);
    }

    private void ReleaseState()
    {
        foreach (var b in new[] { _cohortReal, _cohortInt, _modified, _history, _outReal, _outInt }) b?.Dispose();
        _cohortReal = _cohortInt = _modified = _history = _outReal = _outInt = null;
        _capacity = 0;
    }

    private void ReleasePlan()
    {
        ReleaseState();
        _planReals?.Dispose();
        _planInts?.Dispose();
        _kernel?.Dispose(); // the compiled program stays in the device's cache
        _planReals = _planInts = null;
        _kernel = null;
        _plan = null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ReleasePlan();
        if (_ownsDevice) _device.Dispose();
    }
}
