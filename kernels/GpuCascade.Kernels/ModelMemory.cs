using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuCascade.Kernels;

/// <summary>
/// An array the path model reads and writes: the plan, a path's state or the outputs. The model is generic over it so
/// that one source runs natively (<see cref="HostArray{T}"/>, raw memory, no ILGPU context) and on ILGPU devices
/// (<see cref="DeviceArray{T}"/>, an <see cref="ArrayView{T}"/>); each instantiation is specialised and inlined.
/// </summary>
public interface IModelArray<T> where T : unmanaged
{
    /// <summary>The element at <paramref name="index"/>.</summary>
    ref T this[long index] { get; }
}

/// <summary>
/// Host memory by pointer: the managed backend's view of pinned arrays (the plan on the pinned object heap, per-thread
/// scratch, the batch's outputs). No bounds checks: the model's indices come from the plan's own offsets.
/// </summary>
public readonly unsafe struct HostArray<T> : IModelArray<T> where T : unmanaged
{
    private readonly T* _start;

    /// <summary>A view of pinned memory starting at <paramref name="start"/>.</summary>
    public HostArray(T* start) => _start = start;

    /// <inheritdoc/>
    public ref T this[long index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _start[index];
    }
}

/// <summary>Device memory: an ILGPU view (CUDA, OpenCL or ILGPU's CPU accelerator).</summary>
public readonly struct DeviceArray<T> : IModelArray<T> where T : unmanaged
{
    private readonly ArrayView<T> _view;

    /// <summary>Wraps <paramref name="view"/>.</summary>
    public DeviceArray(ArrayView<T> view) => _view = view;

    /// <inheritdoc/>
    public ref T this[long index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _view[index];
    }
}

/// <summary>
/// A path's slots in a struct-of-arrays block: slot s of the path in lane l is element s x stride + l. On a device
/// the stride is the batch, so neighbouring threads touch neighbouring addresses; natively each worker owns a
/// contiguous scratch (stride 1, lane 0). Same code, different stride (ARCHITECTURE.md).
/// </summary>
public struct PathSlots<TD, TI>
    where TD : struct, IModelArray<double>
    where TI : struct, IModelArray<int>
{
    /// <summary>Real slots.</summary>
    public TD Reals;
    /// <summary>Integer slots.</summary>
    public TI Ints;
    /// <summary>Distance between consecutive slots of one path.</summary>
    public long Stride;
    /// <summary>The path's lane (offset of its slot 0).</summary>
    public long Lane;

    /// <summary>Slots over <paramref name="reals"/> and <paramref name="ints"/>.</summary>
    public PathSlots(TD reals, TI ints, long stride, long lane)
    {
        Reals = reals;
        Ints = ints;
        Stride = stride;
        Lane = lane;
    }

    /// <summary>Real slot <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref double R(int slot) => ref Reals[slot * Stride + Lane];

    /// <summary>Integer slot <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref int I(int slot) => ref Ints[slot * Stride + Lane];
}

/// <summary>
/// The arithmetic of the market state. Double is the reference; single is the fast mode: log prices, variances,
/// mids and running extremes are held in float (rounded at every store) and their exponentials taken in float,
/// while the normals' Box-Muller, margin rates, margin checks and all money stay in double (docs/backends.md).
/// </summary>
public interface IPrecision
{
    /// <summary>A value as the market state holds it.</summary>
    double Hold(double value);
    /// <summary>exp of a market-state value, in the state's precision.</summary>
    double Exp(double value);
}

/// <summary>Double precision: the reference.</summary>
public readonly struct DoublePrecision : IPrecision
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Hold(double value) => value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Exp(double value) => Math.Exp(value);
}

/// <summary>Single precision market state (the fast mode on GPUs).</summary>
public readonly struct SinglePrecision : IPrecision
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Hold(double value) => (float)value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Exp(double value) => MathF.Exp((float)value);
}
