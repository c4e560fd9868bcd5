using System.Runtime.InteropServices;
using GpuCascade.Backends.Device;

namespace GpuCascade.Backends.Cuda;

/// <summary>Device memory from cuMemAlloc_v2; copies are blocking and ordered after queued kernels (legacy default stream).</summary>
internal sealed unsafe class CudaBuffer(CudaDevice device, ulong address, long bytes) : DeviceBuffer
{
    private volatile bool disposed;

    /// <summary>The device that owns this memory.</summary>
    public CudaDevice Device { get; } = device;

    /// <summary>The CUdeviceptr, without the disposal check (for the owning device's cleanup).</summary>
    internal ulong Address { get; } = address;

    /// <summary>The CUdeviceptr of a live buffer.</summary>
    internal ulong Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return Address;
        }
    }

    /// <inheritdoc/>
    public override long Bytes { get; } = bytes;

    /// <inheritdoc/>
    public override void Write<T>(ReadOnlySpan<T> data)
    {
        ReadOnlySpan<byte> raw = MemoryMarshal.AsBytes(data);
        CheckFits(raw.Length, nameof(data));
        if (raw.IsEmpty) return;
        ulong target = Pointer;
        Device.MakeCurrent();
        fixed (byte* source = raw)
            Device.Native.Check(Device.Native.cuMemcpyHtoD_v2(target, source, (nuint)raw.Length), "cuMemcpyHtoD_v2");
    }

    /// <inheritdoc/>
    public override void Read<T>(Span<T> destination)
    {
        Span<byte> raw = MemoryMarshal.AsBytes(destination);
        CheckFits(raw.Length, nameof(destination));
        if (raw.IsEmpty) return;
        ulong source = Pointer;
        Device.MakeCurrent();
        fixed (byte* target = raw)
            Device.Native.Check(Device.Native.cuMemcpyDtoH_v2(target, source, (nuint)raw.Length), "cuMemcpyDtoH_v2");
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Device.Free(this);
    }

    private void CheckFits(long length, string parameter)
    {
        if (length > Bytes)
            throw new ArgumentException($"{length} bytes do not fit in a {Bytes}-byte buffer on {Device.Name}", parameter);
    }
}
