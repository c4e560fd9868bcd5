using GpuCascade.Backends.Device;

namespace GpuCascade.Backends.OpenCl;

/// <summary>OpenCL status codes by name, and the checks that turn a failed call into a <see cref="DeviceException"/>.</summary>
internal static class OpenClErrors
{
    internal const int Success = 0;
    internal const int DeviceNotFound = -1;
    internal const int MemObjectAllocationFailure = -4;
    internal const int OutOfResources = -5;
    internal const int OutOfHostMemory = -6;
    internal const int BuildProgramFailure = -11;
    internal const int InvalidBufferSize = -61;
    internal const int PlatformNotFoundKhr = -1001;

    // The standard codes of cl.h (1.0 to 3.0), index = -code; gaps (-20..-29) are unassigned.
    private static readonly string?[] Names = BuildNames();

    private static string?[] BuildNames()
    {
        var names = new string?[73];
        string[] low =
        [
            "CL_SUCCESS", "CL_DEVICE_NOT_FOUND", "CL_DEVICE_NOT_AVAILABLE", "CL_COMPILER_NOT_AVAILABLE",
            "CL_MEM_OBJECT_ALLOCATION_FAILURE", "CL_OUT_OF_RESOURCES", "CL_OUT_OF_HOST_MEMORY",
            "CL_PROFILING_INFO_NOT_AVAILABLE", "CL_MEM_COPY_OVERLAP", "CL_IMAGE_FORMAT_MISMATCH",
            "CL_IMAGE_FORMAT_NOT_SUPPORTED", "CL_BUILD_PROGRAM_FAILURE", "CL_MAP_FAILURE",
            "CL_MISALIGNED_SUB_BUFFER_OFFSET", "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
            "CL_COMPILE_PROGRAM_FAILURE", "CL_LINKER_NOT_AVAILABLE", "CL_LINK_PROGRAM_FAILURE",
            "CL_DEVICE_PARTITION_FAILED", "CL_KERNEL_ARG_INFO_NOT_AVAILABLE",
        ];
        string[] invalid =
        [
            "CL_INVALID_VALUE", "CL_INVALID_DEVICE_TYPE", "CL_INVALID_PLATFORM", "CL_INVALID_DEVICE",
            "CL_INVALID_CONTEXT", "CL_INVALID_QUEUE_PROPERTIES", "CL_INVALID_COMMAND_QUEUE", "CL_INVALID_HOST_PTR",
            "CL_INVALID_MEM_OBJECT", "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR", "CL_INVALID_IMAGE_SIZE",
            "CL_INVALID_SAMPLER", "CL_INVALID_BINARY", "CL_INVALID_BUILD_OPTIONS", "CL_INVALID_PROGRAM",
            "CL_INVALID_PROGRAM_EXECUTABLE", "CL_INVALID_KERNEL_NAME", "CL_INVALID_KERNEL_DEFINITION",
            "CL_INVALID_KERNEL", "CL_INVALID_ARG_INDEX", "CL_INVALID_ARG_VALUE", "CL_INVALID_ARG_SIZE",
            "CL_INVALID_KERNEL_ARGS", "CL_INVALID_WORK_DIMENSION", "CL_INVALID_WORK_GROUP_SIZE",
            "CL_INVALID_WORK_ITEM_SIZE", "CL_INVALID_GLOBAL_OFFSET", "CL_INVALID_EVENT_WAIT_LIST",
            "CL_INVALID_EVENT", "CL_INVALID_OPERATION", "CL_INVALID_GL_OBJECT", "CL_INVALID_BUFFER_SIZE",
            "CL_INVALID_MIP_LEVEL", "CL_INVALID_GLOBAL_WORK_SIZE", "CL_INVALID_PROPERTY",
            "CL_INVALID_IMAGE_DESCRIPTOR", "CL_INVALID_COMPILER_OPTIONS", "CL_INVALID_LINKER_OPTIONS",
            "CL_INVALID_DEVICE_PARTITION_COUNT", "CL_INVALID_PIPE_SIZE", "CL_INVALID_DEVICE_QUEUE",
            "CL_INVALID_SPEC_ID", "CL_MAX_SIZE_RESTRICTION_EXCEEDED",
        ];
        low.CopyTo(names, 0);
        invalid.CopyTo(names, 30);
        return names;
    }

    /// <summary>The symbolic name of <paramref name="status"/>, for example <c>CL_INVALID_VALUE</c>.</summary>
    internal static string Name(int status) => status switch
    {
        <= 0 and >= -72 when Names[-status] is { } name => name,
        PlatformNotFoundKhr => "CL_PLATFORM_NOT_FOUND_KHR",
        _ => "CL_UNKNOWN_ERROR",
    };

    /// <summary>"<c>clFoo failed: CL_NAME (code)</c>", the prefix of every message.</summary>
    internal static string Describe(string function, int status) => $"{function} failed: {Name(status)} ({status})";

    /// <summary>
    /// Throws when <paramref name="status"/> is not CL_SUCCESS. <paramref name="memoryCall"/> marks allocations and
    /// transfers, where CL_OUT_OF_RESOURCES means the memory did not fit; after a launch it usually means a kernel
    /// fault or too many registers, which a smaller batch would not cure.
    /// </summary>
    internal static void Check(int status, string function, string? context = null, bool memoryCall = false)
    {
        if (status != Success) throw Exception(status, function, context, memoryCall);
    }

    /// <summary>The exception for a failed call: <see cref="DeviceOutOfMemoryException"/> for the out-of-memory codes.</summary>
    internal static DeviceException Exception(int status, string function, string? context = null, bool memoryCall = false)
    {
        string message = context is null ? Describe(function, status) : $"{Describe(function, status)}: {context}";
        bool outOfMemory = status is MemObjectAllocationFailure or OutOfHostMemory
                           || (memoryCall && status is OutOfResources or InvalidBufferSize);
        return outOfMemory ? new DeviceOutOfMemoryException(message) : new DeviceException(message);
    }
}
