using GpuCascade.Backends.Cuda;
using GpuCascade.Backends.Device;
using GpuCascade.Backends.Managed;
using GpuCascade.Backends.OpenCl;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Backends;

/// <summary>A backend name that cannot be served on this machine; the message says why.</summary>
public sealed class BackendUnavailableException(string message) : Exception(message);

/// <summary>One line of <c>gpucascade devices</c>.</summary>
/// <param name="Name">Stable name: <c>managed</c>, <c>opencl:p:d</c>, <c>cuda:i</c>.</param>
/// <param name="Model">The device's own name.</param>
/// <param name="Kind">cpu or gpu.</param>
/// <param name="MemoryBytes">Global memory (host memory for managed).</param>
/// <param name="ComputeUnits">Compute units, multiprocessors or cores.</param>
/// <param name="Details">API and driver versions.</param>
public sealed record DeviceListing(string Name, string Model, string Kind, long MemoryBytes, int ComputeUnits, string Details);

/// <summary>
/// Finds the devices of this machine and turns a backend name into a backend:
/// <c>auto</c> (CUDA, then an OpenCL GPU, else managed), <c>managed</c>, <c>opencl</c>, <c>opencl:p:d</c>, <c>cuda</c>,
/// <c>cuda:i</c>, <c>all</c> (every device at once). Discovery runs once per process.
/// </summary>
public static class BackendCatalog
{
    private static readonly Lazy<IReadOnlyList<DeviceDiscovery>> Discovered =
        new(() => [CudaDevice.Discover(), OpenClDevice.Discover()]);

    /// <summary>CUDA and OpenCL discovery results (devices, or why there are none).</summary>
    public static IReadOnlyList<DeviceDiscovery> Discoveries => Discovered.Value;

    /// <summary>Every device, managed first, then CUDA, then OpenCL.</summary>
    public static IReadOnlyList<DeviceListing> List()
    {
        var list = new List<DeviceListing>
        {
            new("managed", "managed CPU reference (.NET)", "cpu", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
                Environment.ProcessorCount, $".NET {Environment.Version}, double precision"),
        };
        foreach (var d in Discoveries.SelectMany(x => x.Devices))
            list.Add(new(d.Name, d.Model, d.IsGpu ? "gpu" : "cpu", d.GlobalMemoryBytes, d.ComputeUnits, d.ApiVersion));
        return list;
    }

    /// <summary>Creates the backend named <paramref name="name"/>.</summary>
    /// <param name="name">A backend name (see the class summary).</param>
    /// <param name="precision">Device precision (the managed backend always computes in double).</param>
    /// <param name="threads">Managed worker threads; all cores when null.</param>
    /// <param name="notice">Receives a line when <c>auto</c> falls back, or a device is skipped.</param>
    /// <exception cref="BackendUnavailableException">The name is unknown or its device is absent.</exception>
    public static ISimulationBackend Create(string name, Precision precision = Precision.Double, int? threads = null,
        Action<string>? notice = null)
    {
        var cuda = Discoveries.Single(d => d.Api == "cuda");
        var opencl = Discoveries.Single(d => d.Api == "opencl");
        switch (name)
        {
            case "managed":
                return new ManagedBackend(threads);
            case "auto":
            {
                // CUDA first, then an OpenCL GPU; each candidate must compile the kernels here (an NVRTC newer than
                // the driver, say, fails only then), else the next one is tried and the reason given.
                var reasons = new List<string>();
                foreach (var device in cuda.Devices.Concat(opencl.Devices.Where(d => d.IsGpu)))
                {
                    if (!device.SupportsDouble)
                    {
                        reasons.Add($"{device.Name}: no double precision");
                        continue;
                    }
                    try
                    {
                        device.Compile(KernelSource.For(KernelSource.DialectOf(device), 1, Precision.Double), KernelSource.PhiloxKernel).Dispose();
                        return new DeviceBackend(device, precision);
                    }
                    catch (DeviceException e)
                    {
                        reasons.Add($"{device.Name}: {e.Message.Split('\n')[0]}");
                    }
                }
                if (cuda.Devices.Count == 0) reasons.Add(Why(cuda));
                if (!opencl.Devices.Any(d => d.IsGpu))
                    reasons.Add(opencl.Devices.Count == 0 ? opencl.UnavailableReason ?? "OpenCL: no device"
                        : "OpenCL: no GPU among " + string.Join(", ", opencl.Devices.Select(d => d.Name)));
                notice?.Invoke($"auto: no usable GPU ({string.Join("; ", reasons)}); using the managed backend");
                return new ManagedBackend(threads);
            }
            case "cuda":
                return new DeviceBackend(cuda.Devices.FirstOrDefault() ?? throw Unavailable(name, cuda), precision);
            case "opencl":
                return new DeviceBackend(opencl.Devices.FirstOrDefault(d => d.IsGpu) ?? opencl.Devices.FirstOrDefault()
                                         ?? throw Unavailable(name, opencl), precision);
            case "all":
            {
                // The managed backend has the CPU cores, so CPU OpenCL devices (POCL) are left out; so are NVIDIA's
                // OpenCL GPUs when CUDA sees the same cards.
                var backends = new List<ISimulationBackend> { new ManagedBackend(threads) };
                foreach (var d in cuda.Devices.Concat(opencl.Devices))
                {
                    if (!d.SupportsDouble) notice?.Invoke($"all: skipping {d.Name} ({d.Model}): no double precision");
                    else if (!d.IsGpu) notice?.Invoke($"all: skipping {d.Name} ({d.Model}): a CPU device (the managed backend uses the cores)");
                    else if (cuda.Devices.Count > 0 && KernelSource.DialectOf(d) == KernelDialect.OpenCl
                             && d.ApiVersion.Contains("NVIDIA", StringComparison.OrdinalIgnoreCase))
                        notice?.Invoke($"all: skipping {d.Name} ({d.Model}): the same GPU as a CUDA device");
                    else backends.Add(new DeviceBackend(d, precision));
                }
                return new MultiBackend(backends);
            }
        }
        if (name.StartsWith("cuda:", StringComparison.Ordinal) || name.StartsWith("opencl:", StringComparison.Ordinal))
        {
            var discovery = name.StartsWith("cuda:", StringComparison.Ordinal) ? cuda : opencl;
            var device = discovery.Devices.FirstOrDefault(d => d.Name == name);
            if (device is not null) return new DeviceBackend(device, precision);
            if (discovery.Devices.Count == 0) throw Unavailable(name, discovery);
            throw new BackendUnavailableException(
                $"--backend: no device {name} (found: {string.Join(", ", discovery.Devices.Select(d => d.Name))}; see 'gpucascade devices')");
        }
        throw new BackendUnavailableException(
            $"--backend: unknown backend '{name}' (expected auto, managed, cuda[:i], opencl[:p:d] or all)");
    }

    private static string Why(DeviceDiscovery d) => d.UnavailableReason ?? $"{d.Api}: no usable device";

    private static BackendUnavailableException Unavailable(string name, DeviceDiscovery d) =>
        new($"--backend: {name} is not available: {Why(d)}");
}
