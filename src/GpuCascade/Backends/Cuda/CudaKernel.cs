using GpuCascade.Backends.Device;

namespace GpuCascade.Backends.Cuda;

/// <summary>
/// A kernel function of a module cached by its <see cref="CudaDevice"/>; the module lives as long as the device,
/// so disposing the kernel only retires this handle.
/// </summary>
internal sealed unsafe class CudaKernel(CudaDevice device, nint function, string name, int maxThreadsPerBlock) : DeviceKernel
{
    /// <summary>Threads per block when the caller leaves the choice to us: a multiple of the warp that fits every kernel.</summary>
    internal const int DefaultBlockSize = 256;
    // Far more than the kernels need, and small enough to keep the argument slots on the stack.
    private const int MaxArguments = 64;

    private bool disposed;

    /// <summary>The kernel's name in the module (unmangled: the sources use extern "C").</summary>
    public string Name { get; } = name;

    /// <summary>The most threads per block this kernel can launch with (limited by its register use).</summary>
    public override int MaxGroupSize { get; } = maxThreadsPerBlock;

    /// <inheritdoc/>
    public override string? Resources { get; init; }

    /// <inheritdoc/>
    public override void Launch(long globalSize, int localSize, params KernelArgument[] arguments)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentOutOfRangeException.ThrowIfNegative(globalSize);
        if (localSize < 0 || localSize > MaxGroupSize)
            throw new ArgumentOutOfRangeException(nameof(localSize), localSize,
                $"must be 0 (automatic) or 1..{MaxGroupSize} for kernel {Name}");
        if (arguments.Length > MaxArguments)
            throw new ArgumentException($"at most {MaxArguments} kernel arguments", nameof(arguments));
        if (globalSize == 0) return; // A zero grid is an error in CUDA; launching nothing is not.

        int block = localSize == 0 ? Math.Min(DefaultBlockSize, MaxGroupSize) : localSize;
        long grid = globalSize / block + (globalSize % block == 0 ? 0 : 1);
        if (grid > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(globalSize), globalSize, $"needs {grid} blocks of {block}; CUDA allows {int.MaxValue}");

        // cuLaunchKernel takes one pointer per parameter to its value; every value fits an 8-byte slot on the stack
        // (an int in the low half, little-endian), and the driver copies them before returning.
        ulong* slots = stackalloc ulong[MaxArguments];
        void** parameters = stackalloc void*[MaxArguments];
        for (int i = 0; i < arguments.Length; i++)
        {
            KernelArgument argument = arguments[i];
            switch (argument.Kind)
            {
                case KernelArgumentKind.Buffer:
                    if (argument.Buffer is not CudaBuffer buffer || buffer.Device != device)
                        throw new ArgumentException($"argument {i} of {Name} is not a buffer of {device.Name}", nameof(arguments));
                    slots[i] = buffer.Pointer;
                    break;
                case KernelArgumentKind.Int32:
                    slots[i] = 0;
                    *(int*)(slots + i) = (int)argument.Integer;
                    break;
                case KernelArgumentKind.Int64:
                    slots[i] = (ulong)argument.Integer;
                    break;
                case KernelArgumentKind.Float64:
                    *(double*)(slots + i) = argument.Real;
                    break;
                default:
                    throw new ArgumentException($"argument {i} of {Name} has unknown kind {argument.Kind}", nameof(arguments));
            }
            parameters[i] = slots + i;
        }

        device.MakeCurrent();
        CudaNative native = device.Native;
        native.Check(native.cuLaunchKernel(function, (uint)grid, 1, 1, (uint)block, 1, 1, 0, 0, parameters, null), "cuLaunchKernel");
    }

    /// <inheritdoc/>
    public override void Dispose() => disposed = true;
}
