using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using GpuCascade.Backends.Device;

namespace GpuCascade.Backends.Cuda;

/// <summary>
/// One NVIDIA GPU through the CUDA driver API, with kernels compiled at run time by NVRTC to PTX.
/// The device uses its primary context (the one the CUDA runtime would share), retained on first use and released by
/// <see cref="Dispose"/>; it is made current before every call because the calling thread may change between calls.
/// </summary>
public sealed unsafe class CudaDevice : ComputeDevice
{
    private readonly CudaNative native;
    private readonly Nvrtc nvrtc;
    private readonly int device;
    private readonly int driverVersion;
    private readonly object gate = new();
    private readonly Dictionary<string, nint> modules = [];
    private readonly HashSet<CudaBuffer> buffers = [];
    private string[]? compileOptions;
    private nint context;
    private volatile bool disposed;

    private CudaDevice(CudaNative native, Nvrtc nvrtc, int ordinal, int driverVersion)
    {
        this.native = native;
        this.nvrtc = nvrtc;
        this.driverVersion = driverVersion;
        Ordinal = ordinal;
        int handle;
        native.Check(native.cuDeviceGet(&handle, ordinal), "cuDeviceGet");
        device = handle;

        byte* name = stackalloc byte[256];
        native.Check(native.cuDeviceGetName(name, 256, device), "cuDeviceGetName");
        Model = Marshal.PtrToStringUTF8((nint)name) ?? $"CUDA device {ordinal}";
        nuint memory;
        native.Check(native.cuDeviceTotalMem_v2(&memory, device), "cuDeviceTotalMem_v2");
        GlobalMemoryBytes = (long)memory;
        ComputeUnits = Attribute(CudaNative.AttributeMultiprocessorCount);
        ComputeCapability = (Attribute(CudaNative.AttributeComputeCapabilityMajor), Attribute(CudaNative.AttributeComputeCapabilityMinor));
        ApiVersion = $"CUDA driver {CudaNative.FormatVersion(driverVersion)}, NVRTC {CudaNative.FormatVersion(nvrtc.Version)}, "
                     + $"sm_{ComputeCapability.Major}{ComputeCapability.Minor}";
    }

    /// <summary>
    /// The CUDA devices on this machine, or none and the reason (no driver, cuInit failing, no NVRTC to compile kernels).
    /// Never throws.
    /// </summary>
    public static DeviceDiscovery Discover()
    {
        static DeviceDiscovery Unavailable(string reason) => new("cuda", [], reason);
        try
        {
            if (!CudaNative.TryGet(out CudaNative native, out string reason)) return Unavailable(reason);
            int result = native.cuInit(0);
            if (result != CudaNative.Success) return Unavailable($"CUDA: {native.Error("cuInit", result).Message}");
            int driver, count;
            native.Check(native.cuDriverGetVersion(&driver), "cuDriverGetVersion");
            native.Check(native.cuDeviceGetCount(&count), "cuDeviceGetCount");
            if (count == 0) return Unavailable($"CUDA: driver {CudaNative.FormatVersion(driver)} reports no devices");
            // Without a compiler no kernel can run, so the devices are of no use: say so instead of listing them.
            if (!Nvrtc.TryGet(driver, out Nvrtc nvrtc, out reason)) return Unavailable(reason);
            var devices = new List<ComputeDevice>(count);
            for (int i = 0; i < count; i++) devices.Add(new CudaDevice(native, nvrtc, i, driver));
            return new DeviceDiscovery("cuda", devices, null);
        }
        catch (Exception e)
        {
            return Unavailable($"CUDA: {e.Message}");
        }
    }

    /// <summary>The device ordinal, as in <c>cuda:&lt;ordinal&gt;</c> and CUDA_VISIBLE_DEVICES order.</summary>
    public int Ordinal { get; }
    /// <inheritdoc/>
    public override string Name => $"cuda:{Ordinal}";
    /// <inheritdoc/>
    public override string Model { get; }
    /// <inheritdoc/>
    public override long GlobalMemoryBytes { get; }
    /// <inheritdoc/>
    public override int ComputeUnits { get; }
    /// <inheritdoc/>
    public override bool IsGpu => true;
    /// <inheritdoc/>
    public override bool SupportsDouble => true;
    /// <inheritdoc/>
    public override string ApiVersion { get; }
    /// <summary>The compute capability, for example (9, 0) for an H100.</summary>
    public (int Major, int Minor) ComputeCapability { get; }
    /// <summary>How many programs NVRTC really compiled on this device (cache hits not counted).</summary>
    public int CompiledPrograms { get; private set; }
    /// <summary>Total time spent compiling (NVRTC plus the driver's PTX load) on this device.</summary>
    public TimeSpan CompileTime { get; private set; }

    internal CudaNative Native => native;

    /// <inheritdoc/>
    public override DeviceBuffer Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        MakeCurrent();
        ulong pointer;
        native.Check(native.cuMemAlloc_v2(&pointer, (nuint)bytes), $"cuMemAlloc_v2({bytes} bytes)");
        var buffer = new CudaBuffer(this, pointer, bytes);
        lock (gate) buffers.Add(buffer);
        return buffer;
    }

    /// <inheritdoc/>
    public override DeviceKernel Compile(string source, string kernelName)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(kernelName);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            string[] options = compileOptions ??= OptionsForThisDevice();
            string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(source + "\0" + string.Join('\0', options))));
            if (!modules.TryGetValue(key, out nint module))
            {
                var watch = Stopwatch.StartNew();
                byte[] ptx = nvrtc.CompileToPtx(source, kernelName + ".cu", options);
                module = LoadModule(ptx);
                modules.Add(key, module);
                CompiledPrograms++;
                CompileTime += watch.Elapsed;
            }
            MakeCurrent();
            nint function;
            byte[] name = Encoding.UTF8.GetBytes(kernelName + "\0");
            fixed (byte* n = name)
                native.Check(native.cuModuleGetFunction(&function, module, n), $"cuModuleGetFunction({kernelName})");
            int maxThreads, registers, localBytes;
            native.Check(native.cuFuncGetAttribute(&maxThreads, CudaNative.FunctionAttributeMaxThreadsPerBlock, function),
                "cuFuncGetAttribute(MAX_THREADS_PER_BLOCK)");
            native.Check(native.cuFuncGetAttribute(&registers, CudaNative.FunctionAttributeNumRegs, function),
                "cuFuncGetAttribute(NUM_REGS)");
            native.Check(native.cuFuncGetAttribute(&localBytes, CudaNative.FunctionAttributeLocalSizeBytes, function),
                "cuFuncGetAttribute(LOCAL_SIZE_BYTES)");
            return new CudaKernel(this, function, kernelName, maxThreads)
            {
                Resources = $"{registers} registers and {localBytes} B of local memory per thread, at most {maxThreads} threads per block",
            };
        }
    }

    /// <inheritdoc/>
    public override void Synchronize()
    {
        MakeCurrent();
        native.Check(native.cuCtxSynchronize(), "cuCtxSynchronize");
    }

    /// <summary>Frees this device's buffers and modules and releases its primary context. Idempotent.</summary>
    public override void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            if (context == 0) return;
            // Results ignored: after a kernel fault the context refuses every call, and the memory goes with it anyway.
            native.cuCtxSetCurrent(context);
            foreach (CudaBuffer buffer in buffers) native.cuMemFree_v2(buffer.Address);
            buffers.Clear();
            foreach (nint module in modules.Values) native.cuModuleUnload(module);
            modules.Clear();
            native.cuDevicePrimaryCtxRelease_v2(device);
            context = 0;
        }
    }

    /// <summary>Retains the primary context on first use and makes it current on the calling thread.</summary>
    internal void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        nint current = Volatile.Read(ref context);
        if (current == 0)
        {
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                if (context == 0)
                {
                    nint retained;
                    native.Check(native.cuDevicePrimaryCtxRetain(&retained, device), "cuDevicePrimaryCtxRetain");
                    Volatile.Write(ref context, retained);
                }
                current = context;
            }
        }
        native.Check(native.cuCtxSetCurrent(current), "cuCtxSetCurrent");
    }

    /// <summary>Frees a buffer unless the device already freed it on disposal.</summary>
    internal void Free(CudaBuffer buffer)
    {
        lock (gate)
        {
            if (!buffers.Remove(buffer) || disposed || context == 0) return;
            native.cuCtxSetCurrent(context);
            native.cuMemFree_v2(buffer.Address); // Ignored for the same reason as in Dispose.
        }
    }

    /// <summary>The NVRTC options: the newest virtual architecture both sides know, no FMA contraction, no fast math.</summary>
    private string[] OptionsForThisDevice()
    {
        int deviceArchitecture = ComputeCapability.Major * 10 + ComputeCapability.Minor;
        int[] supported = nvrtc.SupportedArchitectures();
        int architecture = Nvrtc.ChooseArchitecture(deviceArchitecture, supported);
        if (architecture < 0)
            throw new DeviceException($"NVRTC {CudaNative.FormatVersion(nvrtc.Version)} ({nvrtc.Location}) cannot target sm_{deviceArchitecture} "
                                      + $"(oldest it supports: compute_{supported.Min()}): use an older CUDA toolkit for this GPU");
        return CompileOptions(architecture);
    }

    /// <summary>
    /// The options for a virtual architecture (90 for compute_90). --fmad=false: a*b+c rounds twice, as in the managed
    /// backend, so per-path outputs can be compared bit for bit; no --use_fast_math for the same reason.
    /// </summary>
    internal static string[] CompileOptions(int architecture) =>
        [$"--gpu-architecture=compute_{architecture}", "--fmad=false", "-default-device"];

    private nint LoadModule(byte[] ptx)
    {
        MakeCurrent();
        const int logBytes = 8192;
        byte[] log = new byte[logBytes];
        int* keys = stackalloc int[2];
        void** values = stackalloc void*[2];
        keys[0] = CudaNative.JitErrorLogBuffer;
        keys[1] = CudaNative.JitErrorLogBufferSizeBytes;
        nint module;
        int result;
        fixed (byte* image = ptx)
        fixed (byte* errors = log)
        {
            values[0] = errors;
            values[1] = (void*)(nuint)logBytes; // Option values are passed in the pointer itself.
            result = native.cuModuleLoadDataEx(&module, image, 2, keys, values);
        }
        if (result == CudaNative.Success) return module;

        string name = CudaNative.ErrorName(result, native.cuGetErrorName);
        if (result == CudaNative.ErrorUnsupportedPtxVersion || (result == CudaNative.ErrorInvalidPtx && nvrtc.Version > driverVersion))
            throw new DeviceException(PtxMismatchMessage(nvrtc.Version, driverVersion, name));
        DeviceException error = native.Error("cuModuleLoadDataEx", result);
        string jitLog = Encoding.UTF8.GetString(log).TrimEnd('\0', '\n', ' ');
        if (error is DeviceOutOfMemoryException || jitLog.Length == 0) throw error;
        throw new DeviceException($"{error.Message}\n{jitLog}");
    }

    /// <summary>The message for PTX the driver refuses because NVRTC is newer than the driver.</summary>
    internal static string PtxMismatchMessage(int nvrtcVersion, int driverVersion, string errorName) =>
        $"NVRTC {CudaNative.FormatVersion(nvrtcVersion)} produced PTX that the CUDA driver {CudaNative.FormatVersion(driverVersion)} "
        + $"cannot load ({errorName}): use an NVRTC no newer than the driver (set CUDA_PATH to a matching toolkit)";

    private int Attribute(int attribute)
    {
        int value;
        native.Check(native.cuDeviceGetAttribute(&value, attribute, device), "cuDeviceGetAttribute");
        return value;
    }
}
