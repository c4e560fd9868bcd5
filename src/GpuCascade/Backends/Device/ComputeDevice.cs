namespace GpuCascade.Backends.Device;

/// <summary>
/// The small slice of a compute API the device backends need: buffers, run-time compiled kernels, launches.
/// OpenCL (<c>Backends/OpenCl</c>) and CUDA (<c>Backends/Cuda</c>) implement it over our own P/Invoke bindings;
/// <c>DeviceBackend</c> runs the path kernel on any of them. An ILGPU implementation could slot in here.
/// </summary>
public abstract class ComputeDevice : IDisposable
{
    /// <summary>Stable name: <c>opencl:&lt;platform&gt;:&lt;device&gt;</c> or <c>cuda:&lt;index&gt;</c>.</summary>
    public abstract string Name { get; }
    /// <summary>The device's own name (for example "NVIDIA H100 80GB HBM3" or "cpu-haswell-AMD EPYC").</summary>
    public abstract string Model { get; }
    /// <summary>Global memory in bytes.</summary>
    public abstract long GlobalMemoryBytes { get; }
    /// <summary>Compute units (OpenCL) or streaming multiprocessors (CUDA).</summary>
    public abstract int ComputeUnits { get; }
    /// <summary>True for a GPU (or accelerator); false for a CPU device such as POCL.</summary>
    public abstract bool IsGpu { get; }
    /// <summary>Whether the device computes in double precision (cl_khr_fp64; always on CUDA).</summary>
    public abstract bool SupportsDouble { get; }
    /// <summary>The API and driver, for reports (for example "OpenCL 3.0 PoCL 5.0" or "CUDA driver 12.8, NVRTC 12.8").</summary>
    public abstract string ApiVersion { get; }

    /// <summary>Allocates <paramref name="bytes"/> of device memory. Throws <see cref="DeviceOutOfMemoryException"/> when it does not fit.</summary>
    public abstract DeviceBuffer Allocate(long bytes);

    /// <summary>
    /// Compiles <paramref name="source"/> (already in this device's dialect) and returns kernel <paramref name="kernelName"/>.
    /// Compiled programs are cached per device by a hash of the source and options, so a second call is free.
    /// Throws <see cref="DeviceException"/> with the compiler log on failure.
    /// </summary>
    public abstract DeviceKernel Compile(string source, string kernelName);

    /// <summary>Waits until all work queued on the device has finished.</summary>
    public abstract void Synchronize();

    /// <inheritdoc/>
    public abstract void Dispose();
}

/// <summary>A block of device memory.</summary>
public abstract class DeviceBuffer : IDisposable
{
    /// <summary>Size in bytes.</summary>
    public abstract long Bytes { get; }
    /// <summary>Copies <paramref name="data"/> to the start of the buffer (blocking).</summary>
    public abstract void Write<T>(ReadOnlySpan<T> data) where T : unmanaged;
    /// <summary>Copies the start of the buffer into <paramref name="destination"/> (blocking).</summary>
    public abstract void Read<T>(Span<T> destination) where T : unmanaged;
    /// <inheritdoc/>
    public abstract void Dispose();
}

/// <summary>A compiled kernel.</summary>
public abstract class DeviceKernel : IDisposable
{
    /// <summary>
    /// Launches <paramref name="globalSize"/> work items (threads) in groups of <paramref name="localSize"/>
    /// (0 = let the implementation choose); the global size is rounded up to a multiple of the group size, so
    /// kernels guard their index. Asynchronous: call <see cref="ComputeDevice.Synchronize"/> or read a buffer.
    /// </summary>
    public abstract void Launch(long globalSize, int localSize, params KernelArgument[] arguments);

    /// <summary>The largest group size this kernel launches with on its device (its register use can lower it below
    /// the device's limit), or int.MaxValue where the implementation checks it itself.</summary>
    public virtual int MaxGroupSize => int.MaxValue;

    /// <summary>What the compiled kernel holds per work item (registers, local memory) where the API reports it
    /// (CUDA), else null: the first thing to read when a device is slower than expected.</summary>
    public virtual string? Resources { get; init; }

    /// <inheritdoc/>
    public abstract void Dispose();
}

/// <summary>One kernel argument: a buffer or a scalar.</summary>
public readonly struct KernelArgument
{
    private KernelArgument(DeviceBuffer? buffer, long integer, double real, KernelArgumentKind kind)
    {
        Buffer = buffer;
        Integer = integer;
        Real = real;
        Kind = kind;
    }

    /// <summary>What the argument holds.</summary>
    public KernelArgumentKind Kind { get; }
    /// <summary>The buffer, for <see cref="KernelArgumentKind.Buffer"/>.</summary>
    public DeviceBuffer? Buffer { get; }
    /// <summary>The value of an <see cref="KernelArgumentKind.Int32"/> or <see cref="KernelArgumentKind.Int64"/>.</summary>
    public long Integer { get; }
    /// <summary>The value of a <see cref="KernelArgumentKind.Float64"/>.</summary>
    public double Real { get; }

    /// <summary>A buffer argument (a pointer in the kernel).</summary>
    public static implicit operator KernelArgument(DeviceBuffer buffer) => new(buffer, 0, 0, KernelArgumentKind.Buffer);
    /// <summary>A 32-bit integer argument (<c>int</c>).</summary>
    public static KernelArgument Int32(int value) => new(null, value, 0, KernelArgumentKind.Int32);
    /// <summary>A 64-bit integer argument (<c>long</c> in OpenCL, <c>long long</c> in CUDA).</summary>
    public static KernelArgument Int64(long value) => new(null, value, 0, KernelArgumentKind.Int64);
    /// <summary>A double argument.</summary>
    public static KernelArgument Float64(double value) => new(null, 0, value, KernelArgumentKind.Float64);
}

/// <summary>Kinds of kernel arguments.</summary>
public enum KernelArgumentKind
{
    /// <summary>A device buffer.</summary>
    Buffer,
    /// <summary>A 32-bit signed integer.</summary>
    Int32,
    /// <summary>A 64-bit signed integer.</summary>
    Int64,
    /// <summary>A 64-bit float.</summary>
    Float64,
}

/// <summary>A compute API call failed; the message carries the API's error name (for example CL_INVALID_VALUE or CUDA_ERROR_LAUNCH_FAILED).</summary>
public class DeviceException(string message) : Exception(message);

/// <summary>The device ran out of memory; the host halves its batch and retries.</summary>
public sealed class DeviceOutOfMemoryException(string message) : DeviceException(message);

/// <summary>A device API (OpenCL or CUDA) on this machine: the devices it offers, or why it offers none.</summary>
/// <param name="Api">"opencl" or "cuda".</param>
/// <param name="Devices">The devices found (empty when unavailable).</param>
/// <param name="UnavailableReason">Why there are no devices (library not found, no platform, driver too old...), or null.</param>
public sealed record DeviceDiscovery(string Api, IReadOnlyList<ComputeDevice> Devices, string? UnavailableReason);
