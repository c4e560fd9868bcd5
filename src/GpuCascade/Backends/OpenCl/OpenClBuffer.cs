using GpuCascade.Backends.Device;
using static GpuCascade.Backends.OpenCl.OpenClNative;

namespace GpuCascade.Backends.OpenCl;

/// <summary>A cl_mem buffer (CL_MEM_READ_WRITE) with blocking transfers on its device's queue.</summary>
internal sealed unsafe class OpenClBuffer(OpenClDevice device, ClMemHandle handle, long bytes) : DeviceBuffer
{
    /// <summary>The device whose context owns the buffer.</summary>
    internal OpenClDevice Device { get; } = device;

    /// <inheritdoc/>
    public override long Bytes { get; } = bytes;

    /// <inheritdoc/>
    public override void Write<T>(ReadOnlySpan<T> data)
    {
        long size = Checked(data.Length, sizeof(T), nameof(data));
        if (size == 0) return;
        ClQueueHandle queue = Device.Queue;
        // Blocking: the span may be reused as soon as we return. On lazily allocating drivers (POCL) this first
        // transfer is also where a buffer that does not fit fails.
        fixed (T* source = data)
            OpenClErrors.Check(clEnqueueWriteBuffer(queue, handle, CL_TRUE, 0, (nuint)size, source, 0, null, null),
                "clEnqueueWriteBuffer", $"{size} bytes to {Device.Name}", memoryCall: true);
    }

    /// <inheritdoc/>
    public override void Read<T>(Span<T> destination)
    {
        long size = Checked(destination.Length, sizeof(T), nameof(destination));
        if (size == 0) return;
        ClQueueHandle queue = Device.Queue;
        // In-order queue: a blocking read also waits for every kernel queued before it.
        fixed (T* target = destination)
            OpenClErrors.Check(clEnqueueReadBuffer(queue, handle, CL_TRUE, 0, (nuint)size, target, 0, null, null),
                "clEnqueueReadBuffer", $"{size} bytes from {Device.Name}", memoryCall: true);
    }

    /// <summary>Sets this buffer as argument <paramref name="index"/> of <paramref name="kernel"/>.</summary>
    internal int SetAsArgument(ClKernelHandle kernel, uint index)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        bool added = false;
        try
        {
            // The argument value is the cl_mem itself, passed by reference; hold the handle while the driver copies it.
            handle.DangerousAddRef(ref added);
            nint memory = handle.DangerousGetHandle();
            return clSetKernelArg(kernel, index, (nuint)sizeof(nint), &memory);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <inheritdoc/>
    public override void Dispose() => handle.Dispose();

    private long Checked(int length, int elementSize, string parameter)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        long size = (long)length * elementSize;
        if (size > Bytes) throw new ArgumentException($"{size} bytes do not fit in a buffer of {Bytes} bytes", parameter);
        return size;
    }
}
