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

    /// <summary>The view starting <paramref name="offset"/> elements further.</summary>
    public HostArray<T> Slice(long offset) => new(_start + offset);

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
/// One path's slots in a struct-of-arrays block: slot s is element s x stride + lane of <typeparamref name="TArray"/>.
/// On a device the stride is the launch's path count, so neighbouring threads touch neighbouring addresses; the managed
/// backend lays out a batch's outputs the same way (over a <see cref="HostArray{T}"/>).
/// </summary>
public readonly struct Strided<TArray, T> : IModelArray<T>
    where TArray : struct, IModelArray<T>
    where T : unmanaged
{
    private readonly TArray _block;
    private readonly long _stride, _lane;

    /// <summary>Slot s of lane <paramref name="lane"/> at <paramref name="block"/>[s x <paramref name="stride"/> + lane].</summary>
    public Strided(TArray block, long stride, long lane)
    {
        _block = block;
        _stride = stride;
        _lane = lane;
    }

    /// <inheritdoc/>
    public ref T this[long slot]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _block[slot * _stride + _lane];
    }
}

/// <summary>
/// A path's slots: its real and integer state (or outputs). Natively each worker owns a contiguous scratch
/// (<see cref="HostArray{T}"/>); on a device they are strided views into the batch's struct-of-arrays block
/// (<see cref="Strided{TArray,T}"/> over a <see cref="DeviceArray{T}"/>). Same code, different layout (docs/architecture.md).
/// </summary>
public struct PathSlots<TD, TI>
    where TD : struct, IModelArray<double>
    where TI : struct, IModelArray<int>
{
    /// <summary>Real slots.</summary>
    public TD Reals;
    /// <summary>Integer slots.</summary>
    public TI Ints;

    /// <summary>Slots over <paramref name="reals"/> and <paramref name="ints"/>.</summary>
    public PathSlots(TD reals, TI ints)
    {
        Reals = reals;
        Ints = ints;
    }

    /// <summary>Real slot <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref double R(int slot) => ref Reals[slot];

    /// <summary>Integer slot <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref int I(int slot) => ref Ints[slot];
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
