using GpuCascade.Kernels;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Statistics;
using ILGPU;
using ILGPU.Runtime;

namespace GpuCascade.Backends.Ilgpu;

/// <summary>
/// Runs the one path model (<see cref="PathKernels"/>) on an ILGPU accelerator: CUDA, OpenCL, or ILGPU's CPU
/// accelerator (<c>ilgpu-cpu</c>, where the results are bit-identical to the managed backend). One thread per path,
/// the plan uploaded once, per-path state and outputs in device memory sized to the batch ([slot][path], so
/// neighbouring threads touch neighbouring addresses). An out-of-memory failure halves the launch for good and
/// retries, losing nothing. Not thread-safe: one run at a time per backend.
/// </summary>
public sealed class IlgpuBackend : ISimulationBackend
{
    private readonly IlgpuDevice _device;
    private Accelerator? _accelerator;
    private Action<AcceleratorStream, Index1D, PathLaunch>? _kernel;
    private Action<AcceleratorStream, Index2D, CohortTotalsLaunch>? _totalsKernel;
    private MemoryBuffer1D<double, Stride1D.Dense>? _totals;
    private double[] _hostTotals = [];
    private SimulationPlan? _plan;
    private PackedPlan? _packed;
    private MemoryBuffer1D<double, Stride1D.Dense>? _planReals, _stateReals, _outReals, _seriesReals;
    private MemoryBuffer1D<int, Stride1D.Dense>? _planInts, _stateInts, _outInts;
    private int _capacity, _seriesRows;
    private int _launchLimit = int.MaxValue; // lowered for good after an out-of-memory failure
    private OutputBlock? _host;

    /// <summary>A backend on <paramref name="device"/> (see <see cref="IlgpuDevices"/>) in <paramref name="precision"/>.</summary>
    public IlgpuBackend(IlgpuDevice device, Precision precision = Precision.Double)
    {
        if (device.Unsupported is { } why) throw new DeviceException($"{device.Name} ({device.Model}) cannot run the path kernel: {why}");
        _device = device;
        Precision = precision;
    }

    /// <summary>The device.</summary>
    public IlgpuDevice Device => _device;

    /// <summary>Precision of the market state (money is always double).</summary>
    public Precision Precision { get; }

    /// <summary>Paths per launch at most (a multiple of the statistics block); null lets memory decide.</summary>
    public int? MaxLaunchPaths { get; init; }

    /// <summary>Refuse any single allocation above this many bytes, as a full device would (tests of the halving).</summary>
    internal long? AllocationLimitBytes { get; init; }

    /// <summary>Allocations refused because of <see cref="AllocationLimitBytes"/> or the device's memory.</summary>
    internal int Refusals { get; private set; }

    /// <summary>Time spent compiling the path kernel for this backend.</summary>
    public TimeSpan CompileTime { get; private set; }

    /// <inheritdoc/>
    public string Name => _device.Name;

    /// <inheritdoc/>
    public string Description => $"{_device.Name} {_device.Model} ({_device.Details}), {(Precision == Precision.Single ? "single" : "double")} precision";

    /// <summary>
    /// The path kernel's registers, stack and spills per thread on a CUDA device, where a ptxas is installed
    /// (<see cref="OfflineCompiler.Resources"/>); else null.
    /// </summary>
    public string? KernelResources
    {
        get
        {
            if (_device.Device is not ILGPU.Runtime.Cuda.CudaDevice cuda) return null;
            try
            {
                return OfflineCompiler.Resources(cuda.Architecture ?? ILGPU.Runtime.Cuda.CudaArchitecture.SM_80, Precision)?.ToString();
            }
            catch (InvalidOperationException e)
            {
                return $"unknown ({e.Message.Split('\n')[0]})";
            }
        }
    }

    /// <inheritdoc/>
    int ISimulationBackend.PreferredBatchSize(SimulationPlan plan)
    {
        long perPath = PackedPlan.BytesPerPath(plan);
        long budget = _device.MemoryBytes / 4;
        long paths = Math.Clamp(budget / Math.Max(1, perPath), PathOutputs.BlockSize, _device.IsGpu ? 1 << 21 : 1 << 15);
        return (int)(paths / PathOutputs.BlockSize * PathOutputs.BlockSize);
    }

    /// <inheritdoc/>
    void ISimulationBackend.Run(SimulationPlan plan, long start, int count, PathOutputs outputs, Action<int>? blockDone,
        CancellationToken cancellation)
    {
        outputs.Start = start;
        outputs.Count = count;
        Prepare(plan);
        int block = PathOutputs.BlockSize;
        int launch = MaxLaunchPaths is int max ? Math.Max(block, max / block * block) : count;
        launch = Math.Min(launch, _launchLimit);
        int done = 0;
        while (done < count)
        {
            if (cancellation.IsCancellationRequested) return;
            int n = Math.Min(launch, count - done);
            try
            {
                Launch(plan, start + done, n, outputs, done, outputs.SeriesRows);
            }
            catch (DeviceOutOfMemoryException) when (n > block)
            {
                ReleaseState();
                launch = _launchLimit = Math.Max(block, n / 2 / block * block);
                continue;
            }
            // Blocks wholly inside [0, done + n) are complete (launches start on block boundaries).
            int firstBlock = done / block;
            done += n;
            int lastBlock = done == count ? (count + block - 1) / block : done / block;
            if (blockDone is not null)
                for (int b = firstBlock; b < lastBlock; b++) blockDone(b);
        }
    }

    private void Prepare(SimulationPlan plan)
    {
        if (ReferenceEquals(plan, _plan)) return;
        ReleasePlan();
        _accelerator ??= _device.CreateAccelerator();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _kernel ??= KernelLoader.Load<Action<AcceleratorStream, Index1D, PathLaunch>>(_accelerator,
            typeof(PathKernels).GetMethod(Precision == Precision.Single ? nameof(PathKernels.SimulateSingle) : nameof(PathKernels.SimulateDouble))!);
        _totalsKernel ??= KernelLoader.Load<Action<AcceleratorStream, Index2D, CohortTotalsLaunch>>(_accelerator,
            typeof(PathKernels).GetMethod(nameof(PathKernels.CohortBlockTotals))!);
        CompileTime += clock.Elapsed;
        _packed = new PackedPlan(plan);
        _planReals = Allocate<double>(_packed.Reals.Length);
        _planReals.CopyFromCPU(_packed.Reals);
        _planInts = Allocate<int>(_packed.Ints.Length);
        _planInts.CopyFromCPU(_packed.Ints);
        _plan = plan;
    }

    private MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(long length) where T : unmanaged
    {
        long bytes = Math.Max(1, length) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (AllocationLimitBytes is long limit && bytes > limit)
        {
            Refusals++;
            throw new DeviceOutOfMemoryException($"{Name}: {bytes} bytes exceed the test limit of {limit}");
        }
        try
        {
            return _accelerator!.Allocate1D<T>(Math.Max(1, length));
        }
        catch (Exception e) when (IlgpuDevices.IsOutOfMemory(e))
        {
            Refusals++;
            throw new DeviceOutOfMemoryException($"{Name}: {bytes} bytes: {e.Message}");
        }
    }

    private void EnsureState(int count, int seriesRows)
    {
        if (count <= _capacity && seriesRows == _seriesRows && _stateReals is not null) return;
        ReleaseState();
        var l = _packed!.Layout;
        _stateReals = Allocate<double>((long)l.RealSlots * count);
        _stateInts = Allocate<int>((long)l.IntSlots * count);
        _outReals = Allocate<double>((long)PathOutput.RealSlots(l.Assets) * count);
        _seriesReals = Allocate<double>((long)seriesRows * PathSeries.Fields(l.Assets) * count);
        _outInts = Allocate<int>((long)PathOutput.IntFields * count);
        _totals = Allocate<double>(3L * Math.Max(1, l.Cohorts) * ((count + PathOutputs.BlockSize - 1) / PathOutputs.BlockSize));
        _capacity = count;
        _seriesRows = seriesRows;
    }

    private void Launch(SimulationPlan plan, long start, int count, PathOutputs outputs, int row, int seriesRows)
    {
        EnsureState(count, seriesRows);
        var layout = _packed!.Layout;
        layout.Series = seriesRows > 0 ? 1 : 0;
        var launch = new PathLaunch
        {
            Layout = layout,
            PlanReals = _planReals!.View,
            PlanInts = _planInts!.View,
            StateReals = _stateReals!.View,
            StateInts = _stateInts!.View,
            OutReals = _outReals!.View,
            SeriesReals = _seriesReals!.View,
            OutInts = _outInts!.View,
            Start = start,
            Count = count,
        };
        try
        {
            _kernel!(_accelerator!.DefaultStream, count, launch);
            // Wait here, so that a kernel fault is reported as such and not by the next copy.
            _accelerator!.Synchronize();
        }
        catch (Exception e) when (IlgpuDevices.IsOutOfMemory(e))
        {
            throw new DeviceOutOfMemoryException($"{Name}: launch of {count} paths: {e.Message}");
        }
        if (_host is null || _host.Stride != count || _host.Assets != plan.AssetCount || _host.SeriesRows != seriesRows)
            _host = new OutputBlock(count, plan.AssetCount, seriesRows);
        _outReals!.View.SubView(0, _host.Reals.Length).CopyToCPU(_host.Reals);
        _outInts!.View.SubView(0, _host.Ints.Length).CopyToCPU(_host.Ints);
        if (seriesRows > 0) _seriesReals!.View.SubView(0, _host.Series.Length).CopyToCPU(_host.Series);
        _host.CopyTo(plan, start, 0, count, outputs, row, Name);
        BlockTotals(launch, count, outputs, row);
    }

    /// <summary>Per-cohort totals of each statistics block of the launch (attribution), reduced on the device.</summary>
    private void BlockTotals(in PathLaunch launch, int count, PathOutputs outputs, int row)
    {
        int cohorts = launch.Layout.Cohorts, block = PathOutputs.BlockSize, blocks = (count + block - 1) / block;
        if (cohorts == 0) return;
        _totalsKernel!(_accelerator!.DefaultStream, new Index2D(cohorts, blocks), new CohortTotalsLaunch
        {
            Layout = launch.Layout,
            StateReals = launch.StateReals,
            StateInts = launch.StateInts,
            Totals = _totals!.View,
            Count = count,
            BlockSize = block,
        });
        _accelerator.Synchronize();
        int length = 3 * cohorts * blocks;
        if (_hostTotals.Length != length) _hostTotals = new double[length];
        _totals!.View.SubView(0, length).CopyToCPU(_hostTotals);
        for (int b = 0; b < blocks; b++)
        {
            var totals = new CohortTotals(cohorts);
            int o = 3 * b * cohorts;
            for (int c = 0; c < cohorts; c++)
            {
                totals.LiquidatedPaths[c] = (long)_hostTotals[o + c];
                totals.LiquidatedNotional[c] = _hostTotals[o + cohorts + c];
                totals.BadDebt[c] = _hostTotals[o + 2 * cohorts + c];
            }
            outputs.BlockCohorts[row / block + b] = totals;
        }
    }

    private void ReleaseState()
    {
        _stateReals?.Dispose();
        _stateInts?.Dispose();
        _outReals?.Dispose();
        _seriesReals?.Dispose();
        _seriesReals = null;
        _outInts?.Dispose();
        _totals?.Dispose();
        _totals = null;
        _stateReals = _outReals = null;
        _stateInts = _outInts = null;
        _capacity = 0;
    }

    private void ReleasePlan()
    {
        ReleaseState();
        _planReals?.Dispose();
        _planInts?.Dispose();
        _planReals = null;
        _planInts = null;
        _plan = null;
        _packed = null;
        _launchLimit = int.MaxValue; // another plan needs another amount of memory per path
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ReleasePlan();
        _kernel = null;
        _totalsKernel = null;
        _accelerator?.Dispose();
        _accelerator = null;
    }
}
