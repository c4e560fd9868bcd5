using GpuCascade.Backends.Device;
using static GpuCascade.Backends.OpenCl.OpenClNative;

namespace GpuCascade.Backends.OpenCl;

/// <summary>A cl_kernel: arguments are set and the one-dimensional range enqueued in one step.</summary>
internal sealed unsafe class OpenClKernel(OpenClDevice device, ClKernelHandle handle, string name) : DeviceKernel
{
    // clSetKernelArg is the one OpenCL call that is not thread-safe: argument setting and enqueue go together.
    private readonly Lock _gate = new();

    /// <summary>The kernel function's name.</summary>
    internal string Name { get; } = name;

    /// <summary>The largest work-group this kernel can run with on its device (CL_KERNEL_WORK_GROUP_SIZE).</summary>
    internal int WorkGroupSize
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            nuint size = 0;
            OpenClErrors.Check(clGetKernelWorkGroupInfo(handle, device.DeviceId, CL_KERNEL_WORK_GROUP_SIZE,
                (nuint)sizeof(nuint), &size, null), "clGetKernelWorkGroupInfo", Name);
            return (int)Math.Min(size, int.MaxValue);
        }
    }

    /// <inheritdoc/>
    public override void Launch(long globalSize, int localSize, params KernelArgument[] arguments)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(globalSize);
        ArgumentOutOfRangeException.ThrowIfNegative(localSize);
        ArgumentNullException.ThrowIfNull(arguments);
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        ClQueueHandle queue = device.Queue;
        if (globalSize == 0) return; // OpenCL 1.2 rejects an empty range
        // Round up to whole groups; kernels guard their index against the true size they are passed.
        nuint global = (nuint)(localSize > 0 ? (globalSize + localSize - 1) / localSize * localSize : globalSize);
        nuint local = (nuint)localSize;
        lock (_gate)
        {
            for (int i = 0; i < arguments.Length; i++) SetArgument((uint)i, arguments[i]);
            OpenClErrors.Check(clEnqueueNDRangeKernel(queue, handle, 1, null, &global, localSize > 0 ? &local : null, 0, null, null),
                "clEnqueueNDRangeKernel", $"kernel '{Name}', global {global}, local {(localSize > 0 ? localSize.ToString() : "auto")} on {device.Name}");
        }
    }

    private void SetArgument(uint index, KernelArgument argument)
    {
        int status;
        switch (argument.Kind)
        {
            case KernelArgumentKind.Buffer:
                if (argument.Buffer is not OpenClBuffer buffer || buffer.Device != device)
                    throw new ArgumentException($"Argument {index} of kernel '{Name}' is not a buffer of {device.Name}.", "arguments");
                status = buffer.SetAsArgument(handle, index);
                break;
            case KernelArgumentKind.Int32:
                int int32 = (int)argument.Integer;
                status = clSetKernelArg(handle, index, sizeof(int), &int32);
                break;
            case KernelArgumentKind.Int64:
                long int64 = argument.Integer;
                status = clSetKernelArg(handle, index, sizeof(long), &int64);
                break;
            case KernelArgumentKind.Float64:
                double real = argument.Real;
                status = clSetKernelArg(handle, index, sizeof(double), &real);
                break;
            default:
                throw new ArgumentException($"Argument {index} of kernel '{Name}' has unknown kind {argument.Kind}.", "arguments");
        }
        OpenClErrors.Check(status, "clSetKernelArg", $"kernel '{Name}', argument {index} ({argument.Kind})");
    }

    /// <inheritdoc/>
    public override void Dispose() => handle.Dispose();
}
