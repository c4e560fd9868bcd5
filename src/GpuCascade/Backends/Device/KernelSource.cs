using System.Reflection;
using GpuCascade.Scenarios;

namespace GpuCascade.Backends.Device;

/// <summary>The language a device compiles.</summary>
public enum KernelDialect
{
    /// <summary>OpenCL C 1.2.</summary>
    OpenCl,
    /// <summary>CUDA C++ compiled by NVRTC.</summary>
    Cuda,
}

/// <summary>
/// Assembles the kernel source for a device: the dialect prelude, the plan layout and shape, then the one portable
/// kernel file. All three files are embedded resources of this assembly, never read from disk at run time.
/// </summary>
public static class KernelSource
{
    /// <summary>The portable path kernel.</summary>
    public const string PathKernel = "cascade_paths";
    /// <summary>The Philox known-answer kernel.</summary>
    public const string PhiloxKernel = "philox_kat";

    private static readonly Lazy<string> Body = new(() => Resource("cascade_paths.c"));
    private static readonly Lazy<string> OpenClPrelude = new(() => Resource("prelude_opencl.h"));
    private static readonly Lazy<string> CudaPrelude = new(() => Resource("prelude_cuda.h"));

    /// <summary>The contraction probe kernel (a * b + c must round twice).</summary>
    public const string ContractionProbe = "contraction_probe";

    /// <summary>The dialect a device compiles (by its stable name).</summary>
    public static KernelDialect DialectOf(ComputeDevice device) =>
        device.Name.StartsWith("cuda", StringComparison.Ordinal) ? KernelDialect.Cuda : KernelDialect.OpenCl;

    /// <summary>The full source for <paramref name="dialect"/>, <paramref name="assetCount"/> assets and a precision.</summary>
    public static string For(KernelDialect dialect, int assetCount, Precision precision) =>
        (dialect == KernelDialect.Cuda ? CudaPrelude.Value : OpenClPrelude.Value) + "\n"
        + DevicePlan.Defines(assetCount, precision) + "\n"
        + Body.Value;

    private static string Resource(string name)
    {
        var assembly = typeof(KernelSource).Assembly;
        using var stream = assembly.GetManifestResourceStream($"GpuCascade.Kernels.{name}")
            ?? throw new InvalidOperationException($"embedded kernel resource {name} is missing from {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
