using System.Text;
using GpuCascade.Backends.Cuda;
using GpuCascade.Backends.Device;
using GpuCascade.Scenarios;

namespace GpuCascade.Tests.Backends;

/// <summary>
/// The CUDA backend: library search, error and version formatting everywhere; known-answer kernels, the compile cache and
/// out-of-memory only where a CUDA device exists (skipped with the discovery's reason elsewhere).
/// </summary>
public unsafe class CudaTests
{
    private const string AxpySource = """
        extern "C" __global__ void axpy(double* y, const double* x, double a, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) y[i] = a * x[i] + y[i];
        }
        """;

    // 64-bit count: exercises Int64 arguments; __umulhi is the mulhi of the Philox rounds.
    private const string MulHiSource = """
        extern "C" __global__ void mul_hi(unsigned int* hi, const unsigned int* a, const unsigned int* b, long long n)
        {
            long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) hi[i] = __umulhi(a[i], b[i]);
        }
        """;

    private DeviceDiscovery discovery = null!;

    [OneTimeSetUp]
    public void Discover() => discovery = CudaDevice.Discover();

    [OneTimeTearDown]
    public void DisposeDevices()
    {
        foreach (ComputeDevice device in discovery.Devices) device.Dispose();
    }

    /// <summary>The devices, or the test is skipped with the reason there are none.</summary>
    private IReadOnlyList<CudaDevice> Devices()
    {
        if (discovery.Devices.Count == 0) Assert.Ignore(discovery.UnavailableReason ?? "CUDA: no devices");
        return discovery.Devices.Cast<CudaDevice>().ToList();
    }

    [Test]
    public void DiscoveryNeverThrowsAndExplainsAnEmptyList()
    {
        DeviceDiscovery again = CudaDevice.Discover();
        Assert.That(again.Api, Is.EqualTo("cuda"));
        if (again.Devices.Count > 0)
        {
            Assert.That(again.UnavailableReason, Is.Null);
            foreach (ComputeDevice device in again.Devices)
            {
                Assert.That(device.Name, Does.StartWith("cuda:"));
                Assert.That(device.IsGpu && device.SupportsDouble, Is.True);
                Assert.That(device.ApiVersion, Does.StartWith("CUDA driver ").And.Contain("NVRTC").And.Contain("sm_"));
                device.Dispose();
            }
        }
        else
        {
            Assert.That(again.UnavailableReason, Is.Not.Null.And.Not.Empty);
            Assert.That(again.UnavailableReason, Does.StartWith("CUDA: "));
            Assert.That(again.UnavailableReason, Does.Match("libcuda|nvcuda|NVRTC|CUDA_ERROR|no devices"));
        }
    }

    [Test]
    public void NvrtcSearchPrefersCudaPathThenUsrLocalCudaThenNewestToolkitThenPip()
    {
        var tree = new Dictionary<string, string[]>
        {
            ["/usr/local"] = ["/usr/local/cuda-11.8", "/usr/local/cuda-12.10", "/usr/local/cuda-12.9"],
            ["/usr/local/lib"] = ["/usr/local/lib/python3.10", "/usr/local/lib/python3.12"],
            ["/home/q/.local/lib"] = ["/home/q/.local/lib/python3.12"],
        };
        IEnumerable<string> Subdirectories(string parent, string pattern) =>
            tree.TryGetValue(parent, out string[]? children)
                ? children.Where(c => Path.GetFileName(c).StartsWith(pattern.TrimEnd('*'), StringComparison.Ordinal))
                : [];

        IReadOnlyList<string> candidates = Nvrtc.CandidateLibraries("/opt/cuda", "/home/q", Subdirectories);
        int At(string path)
        {
            int index = candidates.ToList().IndexOf(path);
            Assert.That(index, Is.GreaterThanOrEqualTo(0), $"{path} is not searched");
            return index;
        }

        Assert.That(candidates.Take(4), Is.EqualTo(new[] { "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so" }));
        Assert.That(At("/opt/cuda/lib64/libnvrtc.so.12"), Is.LessThan(At("/usr/local/cuda/lib64/libnvrtc.so.12")));
        Assert.That(At("/opt/cuda/lib64/libnvrtc.so.13"), Is.LessThan(At("/opt/cuda/lib64/libnvrtc.so.12")));
        Assert.That(At("/usr/local/cuda/lib64/libnvrtc.so.12"), Is.LessThan(At("/usr/local/cuda-12.10/lib64/libnvrtc.so.12")));
        Assert.That(At("/usr/local/cuda-12.10/lib64/libnvrtc.so.12"), Is.LessThan(At("/usr/local/cuda-12.9/lib64/libnvrtc.so.12")));
        Assert.That(At("/usr/local/cuda-12.9/lib64/libnvrtc.so.12"), Is.LessThan(At("/usr/local/cuda-11.8/lib64/libnvrtc.so.11.2")));
        Assert.That(At("/usr/local/cuda-11.8/lib64/libnvrtc.so"),
            Is.LessThan(At("/usr/local/lib/python3.12/dist-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12")));
        Assert.That(At("/usr/local/lib/python3.12/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12"),
            Is.LessThan(At("/usr/local/lib/python3.10/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12")));
        At("/home/q/.local/lib/python3.12/site-packages/nvidia/cu13/lib/libnvrtc.so.13");
        Assert.That(candidates, Has.None.Contain("python3.11"));
    }

    [Test]
    public void NvrtcSearchWithoutCudaPathStartsAtUsrLocalCuda()
    {
        IReadOnlyList<string> candidates = Nvrtc.CandidateLibraries(null, null, (_, _) => []);
        Assert.That(candidates[4], Is.EqualTo("/usr/local/cuda/lib64/libnvrtc.so.13"));
        Assert.That(candidates, Has.Count.EqualTo(8), "plain names, then /usr/local/cuda/lib64 only");
    }

    [Test]
    public void NvrtcArchitectureIsTheNewestTheDeviceRuns()
    {
        Assert.That(Nvrtc.ChooseArchitecture(90, [75, 80, 86, 89, 90, 100, 120]), Is.EqualTo(90));
        Assert.That(Nvrtc.ChooseArchitecture(90, [50, 60, 70, 75, 80, 86]), Is.EqualTo(86));
        Assert.That(Nvrtc.ChooseArchitecture(70, [75, 80, 90]), Is.EqualTo(-1));
        Assert.That(Nvrtc.ChooseArchitecture(89, []), Is.EqualTo(89));
    }

    [TestCase(12040, "12.4")]
    [TestCase(13000, "13.0")]
    [TestCase(11020, "11.2")]
    [TestCase(12080, "12.8")]
    public void VersionsReadAsMajorDotMinor(int version, string text) =>
        Assert.That(CudaNative.FormatVersion(version), Is.EqualTo(text));

    [Test]
    public void ErrorNamesFallBackToOurTableWithoutCuGetErrorName()
    {
        Assert.That(CudaNative.ErrorName(2, null), Is.EqualTo("CUDA_ERROR_OUT_OF_MEMORY"));
        Assert.That(CudaNative.ErrorName(222, null), Is.EqualTo("CUDA_ERROR_UNSUPPORTED_PTX_VERSION"));
        Assert.That(CudaNative.ErrorName(100, null), Is.EqualTo("CUDA_ERROR_NO_DEVICE"));
        Assert.That(CudaNative.ErrorName(12345, null), Is.EqualTo("CUDA_ERROR_CODE_12345"));
    }

    [Test]
    public void FailuresNameTheCallAndTheErrorAndOutOfMemoryHasItsOwnType()
    {
        DeviceException invalid = CudaNative.CreateError("cuLaunchKernel", 1, "CUDA_ERROR_INVALID_VALUE", "invalid argument");
        Assert.That(invalid.Message, Is.EqualTo("cuLaunchKernel failed: CUDA_ERROR_INVALID_VALUE (1): invalid argument"));
        Assert.That(invalid, Is.Not.InstanceOf<DeviceOutOfMemoryException>());
        DeviceException memory = CudaNative.CreateError("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", null);
        Assert.That(memory, Is.InstanceOf<DeviceOutOfMemoryException>());
        Assert.That(memory.Message, Is.EqualTo("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)"));
    }

    [Test]
    public void PtxFromANewerNvrtcGetsAnActionableMessage() =>
        Assert.That(CudaDevice.PtxMismatchMessage(13000, 12040, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"), Is.EqualTo(
            "NVRTC 13.0 produced PTX that the CUDA driver 12.4 cannot load (CUDA_ERROR_UNSUPPORTED_PTX_VERSION): "
            + "use an NVRTC no newer than the driver (set CUDA_PATH to a matching toolkit)"));

    [Test]
    public void NvrtcCompilesWithoutFmaContraction()
    {
        // NVRTC runs on the CPU: this needs the library, not a GPU (skipped where it is absent, as in CI).
        if (!Nvrtc.TryGet(int.MaxValue, out Nvrtc nvrtc, out string reason)) Assert.Ignore(reason);
        int architecture = Nvrtc.ChooseArchitecture(90, nvrtc.SupportedArchitectures());
        if (architecture < 0) Assert.Ignore($"NVRTC {CudaNative.FormatVersion(nvrtc.Version)} cannot target sm_90");

        string ptx = Encoding.UTF8.GetString(nvrtc.CompileToPtx(AxpySource, "axpy.cu", CudaDevice.CompileOptions(architecture)));
        Assert.That(ptx, Does.Contain(".entry axpy(").And.Contain($".target sm_{architecture}"));
        Assert.That(ptx, Does.Contain("mul.rn.f64").And.Contain("add.rn.f64").And.Not.Contain("fma.rn.f64"));
        Assert.That(ptx, Does.EndWith("\0"), "cuModuleLoadDataEx reads PTX as a C string");

        var bad = Assert.Throws<DeviceException>(() =>
            nvrtc.CompileToPtx("extern \"C\" __global__ void broken( { }", "broken.cu", CudaDevice.CompileOptions(architecture)));
        Assert.That(bad!.Message, Does.Contain("NVRTC_ERROR_COMPILATION").And.Contain("broken.cu(1): error"));
    }

    /// <summary>The real path kernel, in every shape the engine uses, compiles under NVRTC without contraction.</summary>
    [TestCase(1, Precision.Double)]
    [TestCase(4, Precision.Double)]
    [TestCase(3, Precision.Single)]
    public void NvrtcCompilesThePathKernel(int assets, Precision precision)
    {
        if (!Nvrtc.TryGet(int.MaxValue, out Nvrtc nvrtc, out string reason)) Assert.Ignore(reason);
        int architecture = Nvrtc.ChooseArchitecture(90, nvrtc.SupportedArchitectures());
        if (architecture < 0) Assert.Ignore($"NVRTC {CudaNative.FormatVersion(nvrtc.Version)} cannot target sm_90");
        string source = KernelSource.For(KernelDialect.Cuda, assets, precision);
        string ptx = Encoding.UTF8.GetString(nvrtc.CompileToPtx(source, "cascade_paths.cu", CudaDevice.CompileOptions(architecture)));
        Assert.That(ptx, Does.Contain(".entry cascade_paths(").And.Contain(".entry philox_kat(").And.Contain(".entry contraction_probe("));
    }

    [Test]
    public void DevicesDescribeThemselves()
    {
        foreach (CudaDevice device in Devices())
        {
            Assert.That(device.Name, Is.EqualTo($"cuda:{device.Ordinal}"));
            Assert.That(device.Model, Is.Not.Empty);
            Assert.That(device.GlobalMemoryBytes, Is.GreaterThan(0));
            Assert.That(device.ComputeUnits, Is.GreaterThan(0));
            Assert.That(device.ComputeCapability.Major, Is.GreaterThanOrEqualTo(3));
            Assert.That(device.ApiVersion, Does.EndWith($"sm_{device.ComputeCapability.Major}{device.ComputeCapability.Minor}"));
        }
    }

    [Test]
    public void AxpyKnownAnswerIsBitExactWithoutFma()
    {
        foreach (CudaDevice device in Devices())
        {
            const int n = 1000; // Not a multiple of the block: the kernel's guard matters.
            double[] x = Enumerable.Range(0, n).Select(i => 1.0 / (i + 3)).ToArray();
            double[] y = Enumerable.Range(0, n).Select(i => Math.Sqrt(i + 0.5)).ToArray();
            const double a = 0.1;
            double[] expected = x.Zip(y, (xi, yi) => a * xi + yi).ToArray(); // Two roundings, as --fmad=false asks.

            using DeviceBuffer yBuffer = device.Allocate(n * sizeof(double));
            using DeviceBuffer xBuffer = device.Allocate(n * sizeof(double));
            yBuffer.Write<double>(y);
            xBuffer.Write<double>(x);
            using DeviceKernel axpy = device.Compile(AxpySource, "axpy");
            axpy.Launch(n, 128, yBuffer, xBuffer, KernelArgument.Float64(a), KernelArgument.Int32(n));
            device.Synchronize();
            var actual = new double[n];
            yBuffer.Read<double>(actual);
            Assert.That(actual, Is.EqualTo(expected), device.Name);
        }
    }

    [Test]
    public void MulHiKnownAnswers()
    {
        foreach (CudaDevice device in Devices())
        {
            // Philox multipliers against extremes and the Random123 test key words.
            uint[] a = [0xD2511F53u, 0xCD9E8D57u, 0xFFFFFFFFu, 0u, 1u, 0x243F6A88u, 0xD2511F53u];
            uint[] b = [0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x85A308D3u, 0x13198A2Eu];
            uint[] expected = a.Zip(b, (p, q) => (uint)((ulong)p * q >> 32)).ToArray();
            Assert.That(expected[0], Is.EqualTo(0xD2511F52u));

            using DeviceBuffer hi = device.Allocate(a.Length * sizeof(uint));
            using DeviceBuffer aBuffer = device.Allocate(a.Length * sizeof(uint));
            using DeviceBuffer bBuffer = device.Allocate(b.Length * sizeof(uint));
            aBuffer.Write<uint>(a);
            bBuffer.Write<uint>(b);
            using DeviceKernel mulHi = device.Compile(MulHiSource, "mul_hi");
            mulHi.Launch(a.Length, 0, hi, aBuffer, bBuffer, KernelArgument.Int64(a.Length));
            var actual = new uint[a.Length];
            hi.Read<uint>(actual);
            Assert.That(actual, Is.EqualTo(expected), device.Name);
        }
    }

    [Test]
    public void CompiledProgramsAreCachedBySource()
    {
        foreach (CudaDevice device in Devices())
        {
            int before = device.CompiledPrograms;
            using (device.Compile(AxpySource + "\n// cache probe", "axpy")) { }
            using (device.Compile(AxpySource + "\n// cache probe", "axpy")) { }
            Assert.That(device.CompiledPrograms, Is.EqualTo(before + 1));
            Assert.That(device.CompileTime, Is.GreaterThan(TimeSpan.Zero));
            using (device.Compile(AxpySource + "\n// another probe", "axpy")) { }
            Assert.That(device.CompiledPrograms, Is.EqualTo(before + 2));
        }
    }

    [Test]
    public void CompileErrorsCarryTheLogAndUnknownKernelsTheName()
    {
        foreach (CudaDevice device in Devices())
        {
            var bad = Assert.Throws<DeviceException>(() => device.Compile("extern \"C\" __global__ void broken( { }", "broken"));
            Assert.That(bad!.Message, Does.Contain("NVRTC_ERROR_COMPILATION").And.Contain("error"));
            var missing = Assert.Throws<DeviceException>(() => device.Compile(AxpySource, "axpy_missing"));
            Assert.That(missing!.Message, Does.Contain("axpy_missing").And.Contain("CUDA_ERROR_NOT_FOUND"));
        }
    }

    [Test]
    public void OnePebibyteIsOutOfMemory()
    {
        foreach (CudaDevice device in Devices())
        {
            var error = Assert.Throws<DeviceOutOfMemoryException>(() => device.Allocate(1L << 50));
            Assert.That(error!.Message, Does.Contain("CUDA_ERROR_OUT_OF_MEMORY"));
            using DeviceBuffer after = device.Allocate(1024); // The context survives a refused allocation.
        }
    }

    [Test]
    public void CopiesLargerThanTheBufferAreRefused()
    {
        foreach (CudaDevice device in Devices())
        {
            using DeviceBuffer buffer = device.Allocate(16);
            Assert.Throws<ArgumentException>(() => buffer.Write<double>(new double[3]));
            Assert.Throws<ArgumentException>(() => buffer.Read<double>(new double[3]));
            Assert.Throws<ArgumentOutOfRangeException>(() => device.Allocate(0));
        }
    }

    [Test]
    public void DisposeIsIdempotentAndBuffersMayOutliveTheirDevice()
    {
        if (Devices().Count == 0) return;
        foreach (ComputeDevice fresh in CudaDevice.Discover().Devices)
        {
            DeviceBuffer buffer = fresh.Allocate(64);
            fresh.Dispose();
            fresh.Dispose();
            buffer.Dispose(); // Already freed with the device: a no-op, not a crash.
            Assert.Throws<ObjectDisposedException>(() => fresh.Allocate(64));
        }
    }
}
