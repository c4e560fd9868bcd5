using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuCascade.Backends.Ilgpu;

/// <summary>A device ILGPU offers: <c>ilgpu-cpu</c>, <c>cuda:&lt;i&gt;</c> or <c>opencl:&lt;p&gt;:&lt;d&gt;</c>.</summary>
public sealed class IlgpuDevice
{
    internal IlgpuDevice(string name, string api, ILGPU.Runtime.Device device, string details, string? unsupported)
    {
        Name = name;
        Api = api;
        Device = device;
        Details = details;
        Unsupported = unsupported;
    }

    /// <summary>Stable name: <c>ilgpu-cpu</c>, <c>cuda:i</c> or <c>opencl:p:d</c>.</summary>
    public string Name { get; }
    /// <summary>"cpu", "cuda" or "opencl".</summary>
    public string Api { get; }
    /// <summary>The device's own name.</summary>
    public string Model => Device.Name;
    /// <summary>Global memory in bytes (the host's memory for ILGPU's CPU accelerator, which reports no limit).</summary>
    public long MemoryBytes => Api == "cpu" ? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes : Device.MemorySize;
    /// <summary>Multiprocessors or compute units; the CPU accelerator's threads.</summary>
    public int ComputeUnits => Api == "cpu" ? (int)Math.Min(int.MaxValue, Device.MaxNumThreads) : Device.NumMultiprocessors;
    /// <summary>A GPU (CUDA or an OpenCL GPU), as opposed to ILGPU's CPU accelerator or a CPU OpenCL device.</summary>
    public bool IsGpu => Device.AcceleratorType is AcceleratorType.Cuda
                         || (Device is CLDevice cl && cl.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU);
    /// <summary>API and driver, for reports.</summary>
    public string Details { get; }
    /// <summary>Why ILGPU cannot run the path kernel here (for example no generic address space), or null.</summary>
    public string? Unsupported { get; }
    /// <summary>The ILGPU device.</summary>
    public ILGPU.Runtime.Device Device { get; }

    internal Accelerator CreateAccelerator() => Device.CreateAccelerator(IlgpuDevices.Context);
}

/// <summary>
/// ILGPU's devices on this machine, found once per process. The ILGPU context is created on first use only, so a
/// managed run never pays for it. CUDA and OpenCL are optional: without a driver (libcuda.so.1) or an ICD loader
/// (ILGPU loads <c>libOpenCL.so</c>) their lists are empty and <see cref="Unavailable"/> says why.
/// </summary>
public static class IlgpuDevices
{
    private static readonly Lazy<Context> LazyContext = new(CreateContext);
    private static readonly Lazy<(IReadOnlyList<IlgpuDevice> Devices, IReadOnlyList<string> Unavailable)> Found = new(Discover);

    /// <summary>The process's ILGPU context (CPU, CUDA and OpenCL devices; ILGPU.Algorithms' math).</summary>
    internal static Context Context => LazyContext.Value;

    /// <summary>Every ILGPU device, <c>ilgpu-cpu</c> first, then CUDA, then OpenCL (supported or not).</summary>
    public static IReadOnlyList<IlgpuDevice> All => Found.Value.Devices;

    /// <summary>Why an API offers no device ("cuda: libcuda.so.1 not found (no NVIDIA driver)").</summary>
    public static IReadOnlyList<string> Unavailable => Found.Value.Unavailable;

    /// <summary>
    /// Whether a GPU driver library is loadable at all (libcuda.so.1, or the OpenCL ICD loader), checked without creating
    /// the ILGPU context: when neither is, <c>auto</c> goes straight to the managed backend and the CLI pays nothing for
    /// ILGPU. <paramref name="reasons"/> says why each is missing.
    /// </summary>
    public static bool AnyGpuDriver(out IReadOnlyList<string> reasons)
    {
        var missing = new List<string>();
        if (CudaLibraryProblem is { } cuda) missing.Add($"cuda: {cuda} (no usable NVIDIA driver)");
        if (OpenClLibraryProblem is { } opencl) missing.Add($"opencl: {opencl} (ILGPU loads the ICD loader by that name; Debian: ocl-icd-opencl-dev)");
        reasons = missing;
        return missing.Count < 2;
    }

    private static readonly Lazy<string?> CudaProblem = new(() => NotLoadable("libcuda.so.1"));
    private static readonly Lazy<string?> OpenClProblem = new(() => NotLoadable("libOpenCL.so"));
    private static string? CudaLibraryProblem => CudaProblem.Value;
    private static string? OpenClLibraryProblem => OpenClProblem.Value;

    /// <summary>The device named <paramref name="name"/>, or null.</summary>
    public static IlgpuDevice? Find(string name) => All.FirstOrDefault(d => d.Name == name);

    private static Context CreateContext() =>
        Context.Create(builder =>
        {
            // ILGPU's default CPU device (16 threads); CUDA and every OpenCL device (the unsupported ones are listed with
            // the reason and never used); ILGPU.Algorithms' math for Math.* on devices.
            builder.CPU(CPUDevice.Default).Cuda().OpenCL(_ => true).EnableAlgorithms();
            // NVIDIA's libdevice math where a CUDA toolkit is installed; else ILGPU.Algorithms' routines (docs/backends.md).
            if (CudaToolkit.LibDevice() is var (nvvm, libdevice)) builder.LibDevice(nvvm, libdevice);
        });

    /// <summary>Why <paramref name="library"/> cannot be loaded (absent, or present but broken), or null when it can.</summary>
    private static string? NotLoadable(string library)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(library));
            return null;
        }
        catch (DllNotFoundException e)
        {
            // .NET's message, then dlopen's own words per path tried: "cannot open shared object file" (absent), or
            // "file too short", "invalid ELF header"... (present but broken).
            var reasons = e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Where(l => !l.Contains("cannot open shared object file", StringComparison.Ordinal)).ToList();
            return reasons.Count == 0 ? $"{library} not found" : $"{library} cannot be loaded: {string.Join("; ", reasons)}";
        }
        catch (BadImageFormatException e)
        {
            return $"{library} cannot be loaded ({e.Message})";
        }
    }

    private static (IReadOnlyList<IlgpuDevice>, IReadOnlyList<string>) Discover()
    {
        var devices = new List<IlgpuDevice>();
        var unavailable = new List<string>();
        Context context;
        try
        {
            context = Context;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            unavailable.Add($"ilgpu: the context could not be created: {e.Message}");
            return (devices, unavailable);
        }
        foreach (var cpu in context.GetCPUDevices())
        {
            devices.Add(new IlgpuDevice("ilgpu-cpu", "cpu", cpu, $"ILGPU {typeof(Context).Assembly.GetName().Version?.ToString(3)} CPU accelerator", null));
            break;
        }

        var cuda = context.GetCudaDevices();
        if (cuda.Count == 0)
            unavailable.Add(CudaLibraryProblem is { } why ? $"cuda: {why} (no usable NVIDIA driver)" : "cuda: the driver reports no device");
        for (int i = 0; i < cuda.Count; i++)
        {
            var d = cuda[i];
            devices.Add(new IlgpuDevice($"cuda:{i}", "cuda", d,
                $"CUDA driver {d.DriverVersion}, {d.Architecture}, {(LibDeviceConfigured ? "libdevice math" : "ILGPU.Algorithms math")}", null));
        }

        var opencl = context.GetCLDevices();
        if (opencl.Count == 0)
            unavailable.Add(OpenClLibraryProblem is { } why
                ? $"opencl: {why} (ILGPU loads the ICD loader by that name; Debian: ocl-icd-opencl-dev)"
                : "opencl: no platform or device");
        var platforms = new List<IntPtr>();
        var perPlatform = new Dictionary<IntPtr, int>();
        foreach (var d in opencl)
        {
            if (!perPlatform.TryGetValue(d.PlatformId, out int index))
            {
                platforms.Add(d.PlatformId);
                index = 0;
            }
            perPlatform[d.PlatformId] = index + 1;
            int p = platforms.IndexOf(d.PlatformId);
            string? why = !d.Capabilities.GenericAddressSpace
                ? "no generic address space (an OpenCL 2.0+ feature ILGPU needs; POCL lacks it)"
                : d.CLStdVersion < ILGPU.Backends.OpenCL.CLBackend.MinimumVersion ? $"OpenCL C {d.CLStdVersion} (ILGPU needs 2.0+)"
                : !d.Capabilities.Float64 ? "no double precision (cl_khr_fp64), which money needs in both precisions" : null;
            devices.Add(new IlgpuDevice($"opencl:{p}:{index}", "opencl", d, $"{d.PlatformName}, {d.CVersion}", why));
        }
        return (devices, unavailable);
    }

    /// <summary>Whether the context found a CUDA toolkit's libdevice and NVVM (NVIDIA's double math on CUDA).</summary>
    public static bool LibDeviceConfigured => CudaToolkit.LibDevice() is not null;

    /// <summary>Whether <paramref name="e"/> is a device out-of-memory failure.</summary>
    internal static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException
        || (e is CudaException cuda && cuda.Error.Contains("OUT_OF_MEMORY", StringComparison.Ordinal))
        // Not CL_OUT_OF_RESOURCES: drivers also report kernel faults that way, which halving would only hide.
        || (e is CLException cl && cl.Error.ToString().Contains("MEM_OBJECT_ALLOCATION_FAILURE", StringComparison.Ordinal))
        || (e.InnerException is { } inner && IsOutOfMemory(inner));
}

/// <summary>
/// Finds a CUDA toolkit's NVVM library and libdevice bitcode, which ILGPU needs to compile Math.* on CUDA with
/// NVIDIA's own math (libdevice) instead of ILGPU.Algorithms' software routines. ILGPU's own search needs CUDA_HOME
/// laid out as NVIDIA's installer does; this one also knows Debian's packages (nvidia-cuda-toolkit, libnvvm4).
/// </summary>
internal static class CudaToolkit
{
    private static readonly Lazy<(string Nvvm, string LibDevice)?> Found = new(Search);

    /// <summary>(libnvvm, libdevice.10.bc) paths, or null when no toolkit is installed.</summary>
    public static (string Nvvm, string LibDevice)? LibDevice() => Found.Value;

    private static (string, string)? Search()
    {
        // GPUCASCADE_LIBDEVICE=off: ILGPU.Algorithms' math even where a toolkit is installed (to compare the two).
        if (string.Equals(Environment.GetEnvironmentVariable("GPUCASCADE_LIBDEVICE"), "off", StringComparison.OrdinalIgnoreCase)) return null;
        var roots = new List<string>();
        foreach (var variable in new[] { "GPUCASCADE_CUDA_HOME", "CUDA_HOME", "CUDA_PATH" })
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } root) roots.Add(root);
        roots.Add("/usr/local/cuda");
        if (Directory.Exists("/usr/local"))
            roots.AddRange(Directory.GetDirectories("/usr/local", "cuda-*").OrderDescending());
        foreach (var root in roots)
        {
            string? nvvm = First(Path.Combine(root, "nvvm", "lib64"), "libnvvm.so*") ?? First(Path.Combine(root, "nvvm", "bin"), "nvvm64*.dll");
            string? bitcode = First(Path.Combine(root, "nvvm", "libdevice"), "libdevice*.bc");
            if (nvvm is not null && bitcode is not null) return (nvvm, bitcode);
        }
        // Debian and Ubuntu: nvidia-cuda-toolkit and libnvvm4, installed, or unpacked under GPUCASCADE_CUDA_ROOT (dpkg -x).
        foreach (var prefix in DebianPrefixes())
        {
            string? nvvm = First(Path.Combine(prefix, "usr/lib/x86_64-linux-gnu"), "libnvvm.so*");
            string? bitcode = First(Path.Combine(prefix, "usr/lib/nvidia-cuda-toolkit/libdevice"), "libdevice*.bc");
            if (nvvm is not null && bitcode is not null) return (nvvm, bitcode);
        }
        return null;
    }

    /// <summary>Where Debian's CUDA packages may be: GPUCASCADE_CUDA_ROOT (a dpkg -x target), then the system.</summary>
    internal static IEnumerable<string> DebianPrefixes()
    {
        if (Environment.GetEnvironmentVariable("GPUCASCADE_CUDA_ROOT") is { Length: > 0 } root) yield return root;
        yield return "/";
    }

    /// <summary>NVIDIA's PTX assembler where installed (PATH, CUDA_HOME, /usr/local/cuda, Debian's toolkit), else null.</summary>
    public static string? Ptxas() => Tool("ptxas");

    /// <summary>NVIDIA's cubin disassembler (for the machine code ptxas made), else null.</summary>
    public static string? Cuobjdump() => Tool("cuobjdump");

    private static string? Tool(string name)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Where(d => d.Length > 0)
            .Concat(new[] { "GPUCASCADE_CUDA_HOME", "CUDA_HOME", "CUDA_PATH" }
                .Select(Environment.GetEnvironmentVariable).Where(v => !string.IsNullOrEmpty(v)).Select(v => Path.Combine(v!, "bin")))
            .Append("/usr/local/cuda/bin")
            .Concat(DebianPrefixes().Select(p => Path.Combine(p, "usr/bin")));
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    private static string? First(string directory, string pattern) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, pattern).Order().FirstOrDefault() : null;
}
