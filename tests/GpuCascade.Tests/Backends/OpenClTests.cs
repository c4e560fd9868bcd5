using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using GpuCascade.Backends.Device;
using GpuCascade.Backends.OpenCl;

namespace GpuCascade.Tests.Backends;

/// <summary>
/// The OpenCL binding on every OpenCL device found (POCL on CPU-only machines). Without a device the tests are
/// skipped with the reason, except under CI=true, where POCL must be installed and its absence is a failure.
/// </summary>
public class OpenClTests
{
    private const string NoDevice = "(no OpenCL device)";
    private const int N = 1000;

    private const string AxpySource = """
        #pragma OPENCL EXTENSION cl_khr_fp64 : enable
        #pragma OPENCL FP_CONTRACT OFF
        __kernel void axpy(__global double* y, __global const double* x, double a, int n)
        {
            int i = get_global_id(0);
            if (i < n) y[i] += a * x[i];
        }
        """;

    // 64-bit arguments and both widths of mul_hi: the integer work of Philox and the path-index keys.
    private const string ScrambleSource = """
        __kernel void scramble(__global long* wide, __global uint* narrow, long seed, int n)
        {
            int i = get_global_id(0);
            if (i >= n) return;
            ulong k = (ulong)i * 0x9E3779B97F4A7C15UL + 1UL;
            ulong s = (ulong)seed;
            wide[i] = (long)(mul_hi(k, s) ^ (k * s));
            uint lo = (uint)k, hi = (uint)(k >> 32);
            narrow[i] = mul_hi(lo, 0xD2511F53u) ^ (hi * 0xCD9E8D57u);
        }
        """;

    // Already done by the module initializer below; kept so the fixture states its own requirement.
    [OneTimeSetUp]
    public void GivePoclAPrivateCache() => PrivatePoclCache.Ensure();

    public static IEnumerable<string> DeviceNames()
    {
        DeviceDiscovery discovery = OpenClDevice.Discover();
        string[] names = discovery.Devices.Count == 0 ? [NoDevice] : discovery.Devices.Select(d => d.Name).ToArray();
        foreach (ComputeDevice device in discovery.Devices) device.Dispose();
        return names;
    }

    public static IEnumerable<TestCaseData> DevicesAndGroupSizes() =>
        from name in DeviceNames() from local in new[] { 0, 64 } select new TestCaseData(name, local);

    [Test]
    public void Discovery_GivesDevicesOrAReason()
    {
        DeviceDiscovery discovery = OpenClDevice.Discover();
        try
        {
            Assert.That(discovery.Api, Is.EqualTo("opencl"));
            if (discovery.Devices.Count == 0)
            {
                Assert.That(discovery.UnavailableReason, Does.StartWith("OpenCL: "));
                SkipOrFail(discovery.UnavailableReason!);
            }
            Assert.That(discovery.UnavailableReason, Is.Null);
            Assert.That(discovery.Devices.Select(d => d.Name), Is.Unique);
        }
        finally
        {
            foreach (ComputeDevice device in discovery.Devices) device.Dispose();
        }
    }

    [TestCaseSource(nameof(DeviceNames))]
    public void Discovery_DescribesTheDevice(string name)
    {
        using OpenClDevice device = Open(name);
        Assert.Multiple(() =>
        {
            Assert.That(device.Name, Does.Match(new Regex(@"^opencl:\d+:\d+$")));
            Assert.That(device.Model, Is.Not.Empty.And.EqualTo(device.Model.Trim()));
            Assert.That(device.GlobalMemoryBytes, Is.GreaterThan(64L << 20));
            Assert.That(device.MaxAllocationBytes, Is.InRange(1L << 20, device.GlobalMemoryBytes));
            Assert.That(device.ComputeUnits, Is.Positive);
            Assert.That(device.MaxWorkGroupSize, Is.Positive);
            Assert.That(device.ApiVersion, Does.Contain("OpenCL"));
            Assert.That(device.CompiledPrograms, Is.Zero);
        });
        if (device.ApiVersion.Contains("Portable Computing Language") || device.ApiVersion.Contains("PoCL"))
        {
            // POCL's CPU device: the one CI runs every kernel on, so it must do double precision.
            Assert.That(device.IsGpu, Is.False);
            Assert.That(device.SupportsDouble, Is.True);
        }
    }

    [TestCaseSource(nameof(DevicesAndGroupSizes))]
    public void Axpy_IsExact(string name, int localSize)
    {
        using OpenClDevice device = Open(name);
        RequireDouble(device);
        var x = new double[N];
        var y = new double[N];
        for (int i = 0; i < N; i++)
        {
            x[i] = Math.Sin(i) * 1e3 / 7.0;
            y[i] = 1.0 / (i + 1);
        }
        const double a = 0.1 + 1.0 / 3.0;
        using DeviceBuffer yBuffer = device.Allocate(N * sizeof(double));
        using DeviceBuffer xBuffer = device.Allocate(N * sizeof(double));
        yBuffer.Write<double>(y);
        xBuffer.Write<double>(x);
        using DeviceKernel kernel = device.Compile(AxpySource, "axpy");
        kernel.Launch(N, localSize, yBuffer, xBuffer, KernelArgument.Float64(a), KernelArgument.Int32(N));
        device.Synchronize();
        var result = new double[N];
        yBuffer.Read<double>(result);

        // FP_CONTRACT OFF on the device and no contraction by the JIT: the same two roundings, bit for bit.
        double[] expected = y.Select((yi, i) => yi + a * x[i]).ToArray();
        Assert.That(result.Select(BitConverter.DoubleToInt64Bits), Is.EqualTo(expected.Select(BitConverter.DoubleToInt64Bits)));
    }

    [TestCaseSource(nameof(DevicesAndGroupSizes))]
    public void LongArgumentsAndMulHi_AreExact(string name, int localSize)
    {
        using OpenClDevice device = Open(name);
        long seed = unchecked((long)0xDEADBEEFCAFEF00DUL); // negative: the 64-bit argument keeps its sign bit
        using DeviceBuffer wide = device.Allocate(N * sizeof(long));
        using DeviceBuffer narrow = device.Allocate(N * sizeof(uint));
        using DeviceKernel kernel = device.Compile(ScrambleSource, "scramble");
        kernel.Launch(N, localSize, wide, narrow, KernelArgument.Int64(seed), KernelArgument.Int32(N));
        var wideResult = new long[N];
        var narrowResult = new uint[N];
        wide.Read<long>(wideResult);
        narrow.Read<uint>(narrowResult);

        var wideExpected = new long[N];
        var narrowExpected = new uint[N];
        for (int i = 0; i < N; i++)
        {
            ulong k = unchecked((ulong)i * 0x9E3779B97F4A7C15UL + 1UL);
            ulong high = Math.BigMul(k, (ulong)seed, out ulong low);
            wideExpected[i] = (long)(high ^ low);
            uint lo = (uint)k, hi = (uint)(k >> 32);
            narrowExpected[i] = (uint)(((ulong)lo * 0xD2511F53u) >> 32) ^ unchecked(hi * 0xCD9E8D57u);
        }
        Assert.That(wideResult, Is.EqualTo(wideExpected));
        Assert.That(narrowResult, Is.EqualTo(narrowExpected));
    }

    [TestCaseSource(nameof(DeviceNames))]
    public void CompileError_CarriesTheBuildLog(string name)
    {
        using OpenClDevice device = Open(name);
        const string broken = "__kernel void broken(__global int* y) { y[get_global_id(0)] = undeclared_cascade_symbol; }";
        var error = Assert.Throws<DeviceException>(() => device.Compile(broken, "broken"));
        Assert.That(error.Message, Does.StartWith("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)"));
        Assert.That(error.Message, Does.Contain("undeclared_cascade_symbol"));
        Assert.That(device.CompiledPrograms, Is.Zero);
    }

    [TestCaseSource(nameof(DeviceNames))]
    public void UnknownKernelName_Throws(string name)
    {
        using OpenClDevice device = Open(name);
        var error = Assert.Throws<DeviceException>(() => device.Compile(ScrambleSource, "no_such_kernel"));
        Assert.That(error.Message, Does.Contain("CL_INVALID_KERNEL_NAME (-46)").And.Contain("no_such_kernel"));
    }

    [TestCaseSource(nameof(DeviceNames))]
    public void SameSource_CompilesOnce(string name)
    {
        using OpenClDevice device = Open(name);
        using (device.Compile(ScrambleSource, "scramble")) { }
        Assert.That(device.CompiledPrograms, Is.EqualTo(1));
        using DeviceKernel again = device.Compile(ScrambleSource, "scramble");
        Assert.That(device.CompiledPrograms, Is.EqualTo(1), "the same source is built once per device");
        using DeviceKernel changed = device.Compile(ScrambleSource + "\n// another program\n", "scramble");
        Assert.That(device.CompiledPrograms, Is.EqualTo(2));

        // The cached program still yields working kernels.
        using DeviceBuffer wide = device.Allocate(sizeof(long));
        using DeviceBuffer narrow = device.Allocate(sizeof(uint));
        again.Launch(1, 0, wide, narrow, KernelArgument.Int64(3), KernelArgument.Int32(1));
        var result = new long[1];
        wide.Read<long>(result);
        Assert.That(result[0], Is.EqualTo(3L)); // i = 0: k = 1, mul_hi(1, 3) ^ (1 * 3) = 3
    }

    [TestCaseSource(nameof(DeviceNames))]
    public void KernelWorkGroupSize_IsKnown(string name)
    {
        using OpenClDevice device = Open(name);
        using DeviceKernel kernel = device.Compile(ScrambleSource, "scramble");
        Assert.That(((OpenClKernel)kernel).WorkGroupSize, Is.InRange(1, device.MaxWorkGroupSize));
    }

    [TestCaseSource(nameof(DeviceNames))]
    public void TooLargeAllocation_IsOutOfMemory(string name)
    {
        using OpenClDevice device = Open(name);
        Assert.Throws<DeviceOutOfMemoryException>(() => device.Allocate(device.MaxAllocationBytes + 1));
        var error = Assert.Throws<DeviceOutOfMemoryException>(() => device.Allocate(1L << 50));
        Assert.That(error.Message, Does.Contain("CL_DEVICE_MAX_MEM_ALLOC_SIZE").And.Contain(device.Name));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Allocate(0));
    }

    [TestCaseSource(nameof(DeviceNames))]
    public void ReadWrite_RoundTrips(string name)
    {
        using OpenClDevice device = Open(name);
        int[] ints = Enumerable.Range(0, N).Select(i => i * 7919 - 500_000).ToArray();
        double[] doubles = Enumerable.Range(0, N).Select(i => Math.Exp(i / 10.0) - 3.0).ToArray();
        doubles[0] = double.NaN;
        doubles[1] = -0.0;
        doubles[2] = double.Epsilon;
        doubles[3] = double.MaxValue;
        doubles[4] = double.NegativeInfinity;

        using DeviceBuffer intBuffer = device.Allocate(N * sizeof(int));
        using DeviceBuffer doubleBuffer = device.Allocate(N * sizeof(double) + 8);
        intBuffer.Write<int>(ints);
        doubleBuffer.Write<double>(doubles);
        var intsBack = new int[N];
        var doublesBack = new double[N];
        intBuffer.Read<int>(intsBack);
        doubleBuffer.Read<double>(doublesBack);
        Assert.That(intsBack, Is.EqualTo(ints));
        Assert.That(doublesBack.Select(BitConverter.DoubleToInt64Bits), Is.EqualTo(doubles.Select(BitConverter.DoubleToInt64Bits)));

        var head = new int[10];
        intBuffer.Read<int>(head);
        Assert.That(head, Is.EqualTo(ints[..10]));
    }

    [TestCaseSource(nameof(DeviceNames))]
    public void TransfersBeyondTheBuffer_AreRejected(string name)
    {
        using OpenClDevice device = Open(name);
        using DeviceBuffer buffer = device.Allocate(16);
        Assert.That(buffer.Bytes, Is.EqualTo(16));
        Assert.Throws<ArgumentException>(() => buffer.Write<double>(new double[3]));
        Assert.Throws<ArgumentException>(() => buffer.Read<int>(new int[5]));
        Assert.DoesNotThrow(() => buffer.Write<int>(new int[4]));
    }

    [TestCaseSource(nameof(DeviceNames))]
    public void LaunchArguments_AreChecked(string name)
    {
        using OpenClDevice device = Open(name);
        using DeviceBuffer wide = device.Allocate(N * sizeof(long));
        using DeviceKernel kernel = device.Compile(ScrambleSource, "scramble");

        // A buffer of another device object lives in another context.
        using OpenClDevice other = Open(name);
        using DeviceBuffer foreign = other.Allocate(N * sizeof(uint));
        Assert.Throws<ArgumentException>(() => kernel.Launch(N, 0, wide, foreign, KernelArgument.Int64(1), KernelArgument.Int32(N)));

        // A scalar where the kernel wants a pointer is refused by the driver, with the error's name.
        var error = Assert.Throws<DeviceException>(() =>
            kernel.Launch(N, 0, wide, KernelArgument.Int32(0), KernelArgument.Int64(1), KernelArgument.Int32(N)));
        Assert.That(error.Message, Does.StartWith("clSetKernelArg failed: CL_INVALID_ARG_SIZE (-51)"));
        Assert.Throws<ArgumentOutOfRangeException>(() => kernel.Launch(-1, 0));
        Assert.DoesNotThrow(() => kernel.Launch(0, 0)); // an empty range is nothing to do
    }

    [TestCaseSource(nameof(DeviceNames))]
    public void Dispose_IsIdempotent(string name)
    {
        OpenClDevice device = Open(name);
        DeviceBuffer buffer = device.Allocate(1024);
        buffer.Write<int>(new int[256]);
        DeviceKernel kernel = device.Compile(ScrambleSource, "scramble");

        // The device first: OpenCL keeps the context alive until its last buffer and kernel are released.
        device.Dispose();
        device.Dispose();
        Assert.Throws<ObjectDisposedException>(() => device.Allocate(8));
        Assert.Throws<ObjectDisposedException>(() => device.Compile(ScrambleSource, "scramble"));
        Assert.Throws<ObjectDisposedException>(() => device.Synchronize());
        Assert.Throws<ObjectDisposedException>(() => buffer.Read<int>(new int[1]));
        buffer.Dispose();
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => buffer.Write<int>(new int[1]));
        kernel.Dispose();
        kernel.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kernel.Launch(1, 0));
    }

    [Test]
    public void ErrorNames_FollowTheHeaders()
    {
        Assert.Multiple(() =>
        {
            Assert.That(OpenClErrors.Name(0), Is.EqualTo("CL_SUCCESS"));
            Assert.That(OpenClErrors.Name(-5), Is.EqualTo("CL_OUT_OF_RESOURCES"));
            Assert.That(OpenClErrors.Name(-19), Is.EqualTo("CL_KERNEL_ARG_INFO_NOT_AVAILABLE"));
            Assert.That(OpenClErrors.Name(-30), Is.EqualTo("CL_INVALID_VALUE"));
            Assert.That(OpenClErrors.Name(-54), Is.EqualTo("CL_INVALID_WORK_GROUP_SIZE"));
            Assert.That(OpenClErrors.Name(-68), Is.EqualTo("CL_INVALID_DEVICE_PARTITION_COUNT"));
            Assert.That(OpenClErrors.Name(-72), Is.EqualTo("CL_MAX_SIZE_RESTRICTION_EXCEEDED"));
            Assert.That(OpenClErrors.Name(-1001), Is.EqualTo("CL_PLATFORM_NOT_FOUND_KHR"));
            Assert.That(OpenClErrors.Name(-25), Is.EqualTo("CL_UNKNOWN_ERROR"));
            Assert.That(OpenClErrors.Name(-9999), Is.EqualTo("CL_UNKNOWN_ERROR"));
            Assert.That(OpenClErrors.Exception(-11, "clBuildProgram").Message, Is.EqualTo("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)"));
            Assert.That(OpenClErrors.Exception(-4, "clEnqueueNDRangeKernel"), Is.TypeOf<DeviceOutOfMemoryException>());
            Assert.That(OpenClErrors.Exception(-5, "clCreateBuffer", memoryCall: true), Is.TypeOf<DeviceOutOfMemoryException>());
            Assert.That(OpenClErrors.Exception(-5, "clFinish"), Is.TypeOf<DeviceException>());
        });
    }

    private static OpenClDevice Open(string name)
    {
        DeviceDiscovery discovery = OpenClDevice.Discover();
        OpenClDevice? found = null;
        foreach (ComputeDevice device in discovery.Devices)
        {
            if (found is null && device.Name == name) found = (OpenClDevice)device;
            else device.Dispose();
        }
        if (found is not null) return found;
        SkipOrFail(discovery.UnavailableReason ?? $"{name} is no longer listed");
        throw new InvalidOperationException("unreachable");
    }

    private static void SkipOrFail(string reason)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail($"CI must have an OpenCL device (apt-get install pocl-opencl-icd): {reason}");
        Assert.Ignore(reason);
    }

    private static void RequireDouble(ComputeDevice device)
    {
        if (!device.SupportsDouble) Assert.Ignore($"{device.Name} ({device.Model}) has no double precision (cl_khr_fp64)");
    }
}

/// <summary>
/// Gives POCL a private kernel cache for the whole test process (no stale binaries from other runs, no races with
/// parallel test processes). A module initializer, because POCL reads POCL_CACHE_DIR once, at the first OpenCL call,
/// and test-case sources of any fixture may make that call before any set-up runs.
/// </summary>
internal static unsafe class PrivatePoclCache
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Must run before any fixture's test source touches OpenCL.")]
    internal static void Initialize() => Ensure();

    internal static void Ensure()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("POCL_CACHE_DIR"))) return;
        string directory = Directory.CreateTempSubdirectory("gpucascade-pocl-").FullName;
        Environment.SetEnvironmentVariable("POCL_CACHE_DIR", directory);
        // On Unix .NET keeps its own copy of the environment: native getenv (POCL's) only sees what setenv writes.
        if (OperatingSystem.IsWindows()
            || !NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "setenv", out nint setenv)) return;
        byte[] value = Encoding.UTF8.GetBytes(directory + "\0");
        fixed (byte* name = "POCL_CACHE_DIR\0"u8, text = value)
            ((delegate* unmanaged<byte*, byte*, int, int>)setenv)(name, text, 1);
    }
}
