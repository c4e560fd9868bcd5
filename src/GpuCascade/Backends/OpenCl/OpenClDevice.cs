using System.Security.Cryptography;
using System.Text;
using GpuCascade.Backends.Device;
using static GpuCascade.Backends.OpenCl.OpenClNative;

namespace GpuCascade.Backends.OpenCl;

/// <summary>
/// One OpenCL device (a GPU, or a CPU through a driver such as POCL), with its own context and in-order command queue,
/// created on first use. Compiled programs are cached per device instance by a SHA-256 of source and build options.
/// </summary>
/// <remarks>
/// Use a device, its buffers and its kernels from one host thread at a time; two devices may run on two threads.
/// Disposing the device releases its queue, context and cached programs; buffers and kernels are the caller's to dispose
/// (OpenCL keeps the context alive until the last of them is released).
/// </remarks>
public sealed unsafe class OpenClDevice : ComputeDevice
{
    // OpenCL C 1.2 is what NVIDIA, AMD, Intel and POCL all compile. Never fast-math: the parity suite compares
    // bit-for-bit with the managed backend, and the kernels pin FP_CONTRACT OFF themselves.
    private const string BuildOptions = "-cl-std=CL1.2";

    private readonly nint _platform;
    private readonly nint _device;
    private readonly Dictionary<string, ClProgramHandle> _programs = new(StringComparer.Ordinal);
    private ClContextHandle? _context;
    private ClQueueHandle? _queue;
    private bool _disposed;

    internal OpenClDevice(nint platform, nint device, int platformIndex, int deviceIndex, string platformName)
    {
        _platform = platform;
        _device = device;
        Name = $"opencl:{platformIndex}:{deviceIndex}";
        Model = OpenClPlatform.DeviceString(device, CL_DEVICE_NAME);
        ulong type = OpenClPlatform.DeviceValue<ulong>(device, CL_DEVICE_TYPE);
        IsGpu = (type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)) != 0;
        GlobalMemoryBytes = Clamp(OpenClPlatform.DeviceValue<ulong>(device, CL_DEVICE_GLOBAL_MEM_SIZE));
        MaxAllocationBytes = Clamp(OpenClPlatform.DeviceValue<ulong>(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE));
        ComputeUnits = (int)Math.Min(OpenClPlatform.DeviceValue<uint>(device, CL_DEVICE_MAX_COMPUTE_UNITS), int.MaxValue);
        MaxWorkGroupSize = (int)Math.Min(OpenClPlatform.DeviceValue<nuint>(device, CL_DEVICE_MAX_WORK_GROUP_SIZE), int.MaxValue);
        SupportsDouble = DoubleFpConfig(device) != 0
                         || OpenClPlatform.DeviceString(device, CL_DEVICE_EXTENSIONS).Split(' ').Contains("cl_khr_fp64");
        ApiVersion = $"{platformName}, {OpenClPlatform.DeviceString(device, CL_DEVICE_VERSION)}, "
                     + $"driver {OpenClPlatform.DeviceString(device, CL_DRIVER_VERSION)}";
    }

    /// <summary>
    /// The OpenCL devices of this machine, named <c>opencl:&lt;platform&gt;:&lt;device&gt;</c> in the ICD loader's order.
    /// Never throws: without a loader, platform or device the list is empty and the reason says why.
    /// Each call returns new device objects (cheap: nothing is created on the device until first use).
    /// </summary>
    public static DeviceDiscovery Discover() => OpenClPlatform.Discover();

    /// <inheritdoc/>
    public override string Name { get; }
    /// <inheritdoc/>
    public override string Model { get; }
    /// <inheritdoc/>
    public override long GlobalMemoryBytes { get; }
    /// <inheritdoc/>
    public override int ComputeUnits { get; }
    /// <inheritdoc/>
    public override bool IsGpu { get; }
    /// <inheritdoc/>
    public override bool SupportsDouble { get; }
    /// <inheritdoc/>
    public override string ApiVersion { get; }

    /// <summary>The largest single buffer the device allows (CL_DEVICE_MAX_MEM_ALLOC_SIZE), often a quarter of its memory.</summary>
    public long MaxAllocationBytes { get; }

    /// <summary>The largest work-group size the device allows (CL_DEVICE_MAX_WORK_GROUP_SIZE); a kernel may allow less.</summary>
    public int MaxWorkGroupSize { get; }

    /// <summary>Programs actually compiled by this device so far; a cache hit in <see cref="Compile"/> does not count.</summary>
    public int CompiledPrograms { get; private set; }

    /// <inheritdoc/>
    public override DeviceBuffer Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Drivers differ on oversize requests (CL_INVALID_BUFFER_SIZE, or a lazy failure at first use): refuse them here.
        if (bytes > MaxAllocationBytes)
            throw new DeviceOutOfMemoryException($"clCreateBuffer refused: {bytes} bytes exceed CL_DEVICE_MAX_MEM_ALLOC_SIZE "
                                                 + $"({MaxAllocationBytes}) of {Name} ({Model})");
        ClContextHandle context = EnsureQueue().Context;
        ClMemHandle memory = clCreateBuffer(context, CL_MEM_READ_WRITE, (nuint)bytes, null, out int status);
        if (status != OpenClErrors.Success)
        {
            memory.Dispose();
            throw OpenClErrors.Exception(status, "clCreateBuffer", $"{bytes} bytes on {Name}", memoryCall: true);
        }
        return new OpenClBuffer(this, memory, bytes);
    }

    /// <inheritdoc/>
    public override DeviceKernel Compile(string source, string kernelName)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(kernelName);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ClProgramHandle program = Program(source, kernelName);
        ClKernelHandle kernel = clCreateKernel(program, kernelName, out int status);
        if (status != OpenClErrors.Success)
        {
            kernel.Dispose();
            throw OpenClErrors.Exception(status, "clCreateKernel", $"kernel '{kernelName}' on {Name}");
        }
        return new OpenClKernel(this, kernel, kernelName);
    }

    /// <inheritdoc/>
    public override void Synchronize()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_queue is null) return; // nothing was ever queued
        OpenClErrors.Check(clFinish(_queue), "clFinish", Name);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (ClProgramHandle program in _programs.Values) program.Dispose();
        _programs.Clear();
        // Releasing the queue flushes it; the driver finishes queued work before destroying it.
        _queue?.Dispose();
        _context?.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Model})";

    /// <summary>The raw cl_device_id, for per-kernel queries.</summary>
    internal nint DeviceId => _device;

    /// <summary>The command queue, created with the context on first use.</summary>
    internal ClQueueHandle Queue => EnsureQueue().Queue;

    private (ClContextHandle Context, ClQueueHandle Queue) EnsureQueue()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_context is not null && _queue is not null) return (_context, _queue);
        nint* properties = stackalloc nint[] { CL_CONTEXT_PLATFORM, _platform, 0 };
        nint device = _device;
        ClContextHandle context = clCreateContext(properties, 1, &device, 0, 0, out int status);
        if (status != OpenClErrors.Success)
        {
            context.Dispose();
            throw OpenClErrors.Exception(status, "clCreateContext", Name);
        }
        // Properties 0: in order, no profiling. Kernels and transfers then follow each other without events.
        ClQueueHandle queue = clCreateCommandQueue(context, _device, 0, out status);
        if (status != OpenClErrors.Success)
        {
            queue.Dispose();
            context.Dispose();
            throw OpenClErrors.Exception(status, "clCreateCommandQueue", Name);
        }
        _context = context;
        _queue = queue;
        return (context, queue);
    }

    private ClProgramHandle Program(string source, string kernelName)
    {
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(BuildOptions + "\n" + source)));
        if (_programs.TryGetValue(key, out ClProgramHandle? cached)) return cached;
        ClContextHandle context = EnsureQueue().Context;

        byte[] text = Encoding.UTF8.GetBytes(source);
        ClProgramHandle program;
        int status;
        fixed (byte* start = text)
        {
            byte* strings = start;
            nuint length = (nuint)text.Length;
            program = clCreateProgramWithSource(context, 1, &strings, &length, out status);
        }
        if (status != OpenClErrors.Success)
        {
            program.Dispose();
            throw OpenClErrors.Exception(status, "clCreateProgramWithSource", Name);
        }

        nint device = _device;
        status = clBuildProgram(program, 1, &device, BuildOptions, 0, 0);
        if (status != OpenClErrors.Success)
        {
            string log = BuildLog(program);
            program.Dispose();
            throw OpenClErrors.Exception(status, "clBuildProgram",
                $"program of kernel '{kernelName}' on {Name} ({Model}), options '{BuildOptions}'; build log:\n{log}");
        }
        _programs.Add(key, program);
        CompiledPrograms++;
        return program;
    }

    private string BuildLog(ClProgramHandle program)
    {
        nuint size;
        int status = clGetProgramBuildInfo(program, _device, CL_PROGRAM_BUILD_LOG, 0, null, &size);
        if (status != OpenClErrors.Success) return $"(no build log: {OpenClErrors.Describe("clGetProgramBuildInfo", status)})";
        var bytes = new byte[(int)size];
        if (size > 0)
            fixed (byte* b = bytes)
                status = clGetProgramBuildInfo(program, _device, CL_PROGRAM_BUILD_LOG, size, b, null);
        if (status != OpenClErrors.Success) return $"(no build log: {OpenClErrors.Describe("clGetProgramBuildInfo", status)})";
        string log = OpenClPlatform.Decode(bytes);
        return log.Length > 0 ? log : "(empty build log)";
    }

    // CL_DEVICE_DOUBLE_FP_CONFIG is 1.2; older drivers reject the query, and then the extension list decides.
    private static ulong DoubleFpConfig(nint device)
    {
        ulong config = 0;
        return clGetDeviceInfo(device, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof(ulong), &config, null) == OpenClErrors.Success ? config : 0;
    }

    private static long Clamp(ulong value) => (long)Math.Min(value, long.MaxValue);
}
