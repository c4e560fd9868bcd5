using System.Runtime.InteropServices;
using GpuCascade.Backends.Device;

namespace GpuCascade.Backends.Cuda;

/// <summary>
/// The slice of the CUDA driver API (cuda.h) the backend uses, bound by hand to <c>libcuda.so.1</c> through
/// function pointers. The library is loaded once per process; a missing library or entry point is a reason, not a crash.
/// Handles (CUcontext, CUmodule, CUfunction, CUstream) are <see cref="nint"/>; CUdeviceptr is 64-bit; CUresult is int.
/// </summary>
internal sealed unsafe class CudaNative
{
    // CUresult values the backend acts on.
    internal const int Success = 0;
    internal const int ErrorOutOfMemory = 2;
    internal const int ErrorInvalidPtx = 218;
    internal const int ErrorUnsupportedPtxVersion = 222;

    // CUdevice_attribute and CUfunction_attribute values.
    internal const int AttributeMultiprocessorCount = 16;
    internal const int AttributeComputeCapabilityMajor = 75;
    internal const int AttributeComputeCapabilityMinor = 76;
    internal const int FunctionAttributeMaxThreadsPerBlock = 0;
    internal const int FunctionAttributeLocalSizeBytes = 3;
    internal const int FunctionAttributeNumRegs = 4;

    // CUjit_option values for cuModuleLoadDataEx: the JIT's error log tells why PTX was refused.
    internal const int JitErrorLogBuffer = 5;
    internal const int JitErrorLogBufferSizeBytes = 6;

    // Fields carry the C names, so the bindings read like cuda.h.
    public readonly delegate* unmanaged<uint, int> cuInit;
    public readonly delegate* unmanaged<int*, int> cuDriverGetVersion;
    public readonly delegate* unmanaged<int*, int> cuDeviceGetCount;
    public readonly delegate* unmanaged<int*, int, int> cuDeviceGet;
    public readonly delegate* unmanaged<byte*, int, int, int> cuDeviceGetName;
    public readonly delegate* unmanaged<nuint*, int, int> cuDeviceTotalMem_v2;
    public readonly delegate* unmanaged<int*, int, int, int> cuDeviceGetAttribute;
    public readonly delegate* unmanaged<nint*, int, int> cuDevicePrimaryCtxRetain;
    public readonly delegate* unmanaged<int, int> cuDevicePrimaryCtxRelease_v2;
    public readonly delegate* unmanaged<nint, int> cuCtxSetCurrent;
    public readonly delegate* unmanaged<int> cuCtxSynchronize;
    public readonly delegate* unmanaged<nint*, void*, uint, int*, void**, int> cuModuleLoadDataEx;
    public readonly delegate* unmanaged<nint*, nint, byte*, int> cuModuleGetFunction;
    public readonly delegate* unmanaged<nint, int> cuModuleUnload;
    public readonly delegate* unmanaged<ulong*, nuint, int> cuMemAlloc_v2;
    public readonly delegate* unmanaged<ulong, int> cuMemFree_v2;
    public readonly delegate* unmanaged<ulong, void*, nuint, int> cuMemcpyHtoD_v2;
    public readonly delegate* unmanaged<void*, ulong, nuint, int> cuMemcpyDtoH_v2;
    public readonly delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> cuLaunchKernel;
    public readonly delegate* unmanaged<int*, int, nint, int> cuFuncGetAttribute;
    // Optional (absent from very old drivers): null when missing.
    public readonly delegate* unmanaged<int, byte**, int> cuGetErrorName;
    public readonly delegate* unmanaged<int, byte**, int> cuGetErrorString;

    private CudaNative(nint library)
    {
        cuInit = (delegate* unmanaged<uint, int>)Export(library, "cuInit");
        cuDriverGetVersion = (delegate* unmanaged<int*, int>)Export(library, "cuDriverGetVersion");
        cuDeviceGetCount = (delegate* unmanaged<int*, int>)Export(library, "cuDeviceGetCount");
        cuDeviceGet = (delegate* unmanaged<int*, int, int>)Export(library, "cuDeviceGet");
        cuDeviceGetName = (delegate* unmanaged<byte*, int, int, int>)Export(library, "cuDeviceGetName");
        cuDeviceTotalMem_v2 = (delegate* unmanaged<nuint*, int, int>)Export(library, "cuDeviceTotalMem_v2");
        cuDeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)Export(library, "cuDeviceGetAttribute");
        cuDevicePrimaryCtxRetain = (delegate* unmanaged<nint*, int, int>)Export(library, "cuDevicePrimaryCtxRetain");
        cuDevicePrimaryCtxRelease_v2 = (delegate* unmanaged<int, int>)Export(library, "cuDevicePrimaryCtxRelease_v2");
        cuCtxSetCurrent = (delegate* unmanaged<nint, int>)Export(library, "cuCtxSetCurrent");
        cuCtxSynchronize = (delegate* unmanaged<int>)Export(library, "cuCtxSynchronize");
        cuModuleLoadDataEx = (delegate* unmanaged<nint*, void*, uint, int*, void**, int>)Export(library, "cuModuleLoadDataEx");
        cuModuleGetFunction = (delegate* unmanaged<nint*, nint, byte*, int>)Export(library, "cuModuleGetFunction");
        cuModuleUnload = (delegate* unmanaged<nint, int>)Export(library, "cuModuleUnload");
        cuMemAlloc_v2 = (delegate* unmanaged<ulong*, nuint, int>)Export(library, "cuMemAlloc_v2");
        cuMemFree_v2 = (delegate* unmanaged<ulong, int>)Export(library, "cuMemFree_v2");
        cuMemcpyHtoD_v2 = (delegate* unmanaged<ulong, void*, nuint, int>)Export(library, "cuMemcpyHtoD_v2");
        cuMemcpyDtoH_v2 = (delegate* unmanaged<void*, ulong, nuint, int>)Export(library, "cuMemcpyDtoH_v2");
        cuLaunchKernel = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)
            Export(library, "cuLaunchKernel");
        cuFuncGetAttribute = (delegate* unmanaged<int*, int, nint, int>)Export(library, "cuFuncGetAttribute");
        NativeLibrary.TryGetExport(library, "cuGetErrorName", out nint name);
        NativeLibrary.TryGetExport(library, "cuGetErrorString", out nint text);
        cuGetErrorName = (delegate* unmanaged<int, byte**, int>)name;
        cuGetErrorString = (delegate* unmanaged<int, byte**, int>)text;
    }

    /// <summary>The driver library names, most specific first (libcuda.so without .1 is only a dev symlink).</summary>
    internal static IReadOnlyList<string> LibraryNames =>
        OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"];

    private static readonly Lazy<(CudaNative? Native, string? Reason)> Loaded = new(Load);

    /// <summary>The process-wide bindings, or false with the reason the driver cannot be used.</summary>
    internal static bool TryGet(out CudaNative native, out string reason)
    {
        (CudaNative? loaded, string? why) = Loaded.Value;
        native = loaded!;
        reason = why ?? "";
        return loaded is not null;
    }

    private static (CudaNative?, string?) Load()
    {
        foreach (string name in LibraryNames)
        {
            if (!NativeLibrary.TryLoad(name, out nint library)) continue;
            try
            {
                return (new CudaNative(library), null);
            }
            catch (EntryPointNotFoundException e)
            {
                // Kept loaded: freeing a driver library mid-process is riskier than a few pages of address space.
                return (null, $"CUDA: {name} is too old ({e.Message})");
            }
        }
        return (null, $"CUDA: {LibraryNames[0]} not found (no NVIDIA driver)");
    }

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address)
            ? address
            : throw new EntryPointNotFoundException($"no entry point {name}");

    /// <summary>Throws the <see cref="DeviceException"/> for <paramref name="result"/> unless it is CUDA_SUCCESS.</summary>
    internal void Check(int result, string function)
    {
        if (result != Success) throw Error(function, result);
    }

    /// <summary>The exception for a failed call: out of memory becomes <see cref="DeviceOutOfMemoryException"/>.</summary>
    internal DeviceException Error(string function, int result) =>
        CreateError(function, result, ErrorName(result, cuGetErrorName), ErrorString(result));

    /// <summary>"cuLaunchKernel failed: CUDA_ERROR_INVALID_VALUE (1): invalid argument".</summary>
    internal static DeviceException CreateError(string function, int result, string name, string? description)
    {
        string message = $"{function} failed: {name} ({result})" + (string.IsNullOrEmpty(description) ? "" : $": {description}");
        return result == ErrorOutOfMemory ? new DeviceOutOfMemoryException(message) : new DeviceException(message);
    }

    /// <summary>The driver's name for <paramref name="result"/>, or our own table when the driver cannot say.</summary>
    internal static string ErrorName(int result, delegate* unmanaged<int, byte**, int> getErrorName)
    {
        byte* text = null;
        if (getErrorName != null && getErrorName(result, &text) == Success && text != null)
            return Marshal.PtrToStringUTF8((nint)text) ?? FallbackErrorName(result);
        return FallbackErrorName(result);
    }

    /// <summary>The driver's description of <paramref name="result"/>, or null.</summary>
    internal string? ErrorString(int result)
    {
        byte* text = null;
        if (cuGetErrorString != null && cuGetErrorString(result, &text) == Success && text != null)
            return Marshal.PtrToStringUTF8((nint)text);
        return null;
    }

    /// <summary>Names of the CUresult values this backend meets, for drivers without cuGetErrorName.</summary>
    internal static string FallbackErrorName(int result) => result switch
    {
        0 => "CUDA_SUCCESS",
        1 => "CUDA_ERROR_INVALID_VALUE",
        2 => "CUDA_ERROR_OUT_OF_MEMORY",
        3 => "CUDA_ERROR_NOT_INITIALIZED",
        4 => "CUDA_ERROR_DEINITIALIZED",
        34 => "CUDA_ERROR_STUB_LIBRARY",
        35 => "CUDA_ERROR_INSUFFICIENT_DRIVER",
        100 => "CUDA_ERROR_NO_DEVICE",
        101 => "CUDA_ERROR_INVALID_DEVICE",
        200 => "CUDA_ERROR_INVALID_IMAGE",
        201 => "CUDA_ERROR_INVALID_CONTEXT",
        209 => "CUDA_ERROR_NO_BINARY_FOR_GPU",
        218 => "CUDA_ERROR_INVALID_PTX",
        222 => "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
        400 => "CUDA_ERROR_INVALID_HANDLE",
        500 => "CUDA_ERROR_NOT_FOUND",
        700 => "CUDA_ERROR_ILLEGAL_ADDRESS",
        701 => "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
        702 => "CUDA_ERROR_LAUNCH_TIMEOUT",
        719 => "CUDA_ERROR_LAUNCH_FAILED",
        999 => "CUDA_ERROR_UNKNOWN",
        _ => $"CUDA_ERROR_CODE_{result}",
    };

    /// <summary>A CUDA version number as "major.minor": 12040 is "12.4", 13000 is "13.0".</summary>
    internal static string FormatVersion(int version) => $"{version / 1000}.{version % 1000 / 10}";
}
