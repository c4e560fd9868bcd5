using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.Win32.SafeHandles;

namespace GpuCascade.Backends.OpenCl;

/// <summary>
/// Our own thin binding to the OpenCL 1.2 ICD loader: only the calls the device backend needs.
/// Platform and device ids are plain handles (root devices are never released); everything we create is
/// wrapped in a <see cref="SafeHandle"/> the moment it is returned, so no path leaks it.
/// </summary>
internal static unsafe partial class OpenClNative
{
    private const string Library = "OpenCL";

    // The loader's versioned Linux name first: libOpenCL.so only exists with the -dev package.
    private static readonly string[] Candidates = OperatingSystem.IsWindows() ? ["OpenCL.dll"]
        : OperatingSystem.IsMacOS() ? ["/System/Library/Frameworks/OpenCL.framework/OpenCL"]
        : ["libOpenCL.so.1", "libOpenCL.so"];

    /// <summary>The library name to quote when it is missing.</summary>
    internal static string LibraryFileName => Candidates[0];

    static OpenClNative()
    {
        // NativeLibrary.SetDllImportResolver allows one resolver per assembly, and the CUDA binding lives in the same
        // assembly; the load context's event is multicast, so each binding resolves its own names independently.
        AssemblyLoadContext.GetLoadContext(typeof(OpenClNative).Assembly)!.ResolvingUnmanagedDll += Resolve;
    }

    private static IntPtr Resolve(Assembly assembly, string name)
    {
        if (assembly != typeof(OpenClNative).Assembly || name != Library) return IntPtr.Zero;
        foreach (string candidate in Candidates)
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle)) return handle;
        return IntPtr.Zero;
    }

    internal const uint CL_TRUE = 1;

    internal const uint CL_PLATFORM_VERSION = 0x0901;
    internal const uint CL_PLATFORM_NAME = 0x0902;

    internal const ulong CL_DEVICE_TYPE_GPU = 1 << 2;
    internal const ulong CL_DEVICE_TYPE_ACCELERATOR = 1 << 3;
    internal const ulong CL_DEVICE_TYPE_ALL = 0xFFFFFFFF;

    internal const uint CL_DEVICE_TYPE = 0x1000;
    internal const uint CL_DEVICE_MAX_COMPUTE_UNITS = 0x1002;
    internal const uint CL_DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;
    internal const uint CL_DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010;
    internal const uint CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F;
    internal const uint CL_DEVICE_NAME = 0x102B;
    internal const uint CL_DRIVER_VERSION = 0x102D;
    internal const uint CL_DEVICE_VERSION = 0x102F;
    internal const uint CL_DEVICE_EXTENSIONS = 0x1030;
    internal const uint CL_DEVICE_DOUBLE_FP_CONFIG = 0x1032;

    internal const nint CL_CONTEXT_PLATFORM = 0x1084;
    internal const ulong CL_MEM_READ_WRITE = 1 << 0;
    internal const uint CL_PROGRAM_BUILD_LOG = 0x1183;
    internal const uint CL_KERNEL_WORK_GROUP_SIZE = 0x11B0;

    [LibraryImport(Library)]
    internal static partial int clGetPlatformIDs(uint numEntries, nint* platforms, uint* numPlatforms);

    [LibraryImport(Library)]
    internal static partial int clGetPlatformInfo(nint platform, uint paramName, nuint valueSize, void* value, nuint* valueSizeRet);

    [LibraryImport(Library)]
    internal static partial int clGetDeviceIDs(nint platform, ulong deviceType, uint numEntries, nint* devices, uint* numDevices);

    [LibraryImport(Library)]
    internal static partial int clGetDeviceInfo(nint device, uint paramName, nuint valueSize, void* value, nuint* valueSizeRet);

    [LibraryImport(Library)]
    internal static partial ClContextHandle clCreateContext(nint* properties, uint numDevices, nint* devices,
        nint notify, nint userData, out int status);

    [LibraryImport(Library)]
    internal static partial ClQueueHandle clCreateCommandQueue(ClContextHandle context, nint device, ulong properties, out int status);

    [LibraryImport(Library)]
    internal static partial ClProgramHandle clCreateProgramWithSource(ClContextHandle context, uint count, byte** strings,
        nuint* lengths, out int status);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int clBuildProgram(ClProgramHandle program, uint numDevices, nint* devices, string options,
        nint notify, nint userData);

    [LibraryImport(Library)]
    internal static partial int clGetProgramBuildInfo(ClProgramHandle program, nint device, uint paramName, nuint valueSize,
        void* value, nuint* valueSizeRet);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial ClKernelHandle clCreateKernel(ClProgramHandle program, string kernelName, out int status);

    [LibraryImport(Library)]
    internal static partial int clSetKernelArg(ClKernelHandle kernel, uint index, nuint size, void* value);

    [LibraryImport(Library)]
    internal static partial int clGetKernelWorkGroupInfo(ClKernelHandle kernel, nint device, uint paramName, nuint valueSize,
        void* value, nuint* valueSizeRet);

    [LibraryImport(Library)]
    internal static partial ClMemHandle clCreateBuffer(ClContextHandle context, ulong flags, nuint size, void* hostPointer, out int status);

    [LibraryImport(Library)]
    internal static partial int clEnqueueWriteBuffer(ClQueueHandle queue, ClMemHandle buffer, uint blocking, nuint offset, nuint size,
        void* source, uint numEvents, nint* waitList, nint* evt);

    [LibraryImport(Library)]
    internal static partial int clEnqueueReadBuffer(ClQueueHandle queue, ClMemHandle buffer, uint blocking, nuint offset, nuint size,
        void* destination, uint numEvents, nint* waitList, nint* evt);

    [LibraryImport(Library)]
    internal static partial int clEnqueueNDRangeKernel(ClQueueHandle queue, ClKernelHandle kernel, uint workDimensions,
        nuint* globalOffset, nuint* globalSize, nuint* localSize, uint numEvents, nint* waitList, nint* evt);

    [LibraryImport(Library)]
    internal static partial int clFinish(ClQueueHandle queue);

    [LibraryImport(Library)]
    internal static partial int clReleaseMemObject(nint buffer);

    [LibraryImport(Library)]
    internal static partial int clReleaseKernel(nint kernel);

    [LibraryImport(Library)]
    internal static partial int clReleaseProgram(nint program);

    [LibraryImport(Library)]
    internal static partial int clReleaseCommandQueue(nint queue);

    [LibraryImport(Library)]
    internal static partial int clReleaseContext(nint context);
}

/// <summary>An owned cl_context.</summary>
internal sealed class ClContextHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle() => OpenClNative.clReleaseContext(handle) == 0;
}

/// <summary>An owned cl_command_queue.</summary>
internal sealed class ClQueueHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle() => OpenClNative.clReleaseCommandQueue(handle) == 0;
}

/// <summary>An owned cl_program.</summary>
internal sealed class ClProgramHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle() => OpenClNative.clReleaseProgram(handle) == 0;
}

/// <summary>An owned cl_kernel.</summary>
internal sealed class ClKernelHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle() => OpenClNative.clReleaseKernel(handle) == 0;
}

/// <summary>An owned cl_mem.</summary>
internal sealed class ClMemHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle() => OpenClNative.clReleaseMemObject(handle) == 0;
}
