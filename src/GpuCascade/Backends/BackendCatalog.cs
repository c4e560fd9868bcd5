using GpuCascade.Backends.Ilgpu;
using GpuCascade.Backends.Managed;
using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Scenarios;

namespace GpuCascade.Backends;

/// <summary>A backend name that cannot be served on this machine; the message says why.</summary>
public sealed class BackendUnavailableException(string message) : Exception(message);

/// <summary>One line of <c>gpucascade devices</c>.</summary>
/// <param name="Name">Stable name: <c>managed</c>, <c>ilgpu-cpu</c>, <c>cuda:i</c>, <c>opencl:p:d</c>.</param>
/// <param name="Model">The device's own name.</param>
/// <param name="Kind">cpu or gpu.</param>
/// <param name="MemoryBytes">Global memory (host memory for managed).</param>
/// <param name="ComputeUnits">Compute units, multiprocessors or cores.</param>
/// <param name="Details">API and driver versions.</param>
/// <param name="Skipped">Why the device cannot run the path kernel (it is listed, never used), or null.</param>
public sealed record DeviceListing(string Name, string Model, string Kind, long MemoryBytes, int ComputeUnits, string Details,
    string? Skipped = null);

/// <summary>
/// Turns a backend name into a backend: <c>auto</c> (CUDA, then an OpenCL GPU, else managed), <c>managed</c>,
/// <c>ilgpu-cpu</c>, <c>cuda</c>, <c>cuda:i</c>, <c>opencl</c>, <c>opencl:p:d</c>, <c>all</c> (every GPU with the managed
/// backend). Device discovery (the ILGPU context) happens only when a name needs it, so <c>managed</c> never pays for it.
/// </summary>
public static class BackendCatalog
{
    /// <summary>The backend names, for messages.</summary>
    public const string Names = "auto, managed, ilgpu-cpu, cuda[:i], opencl[:p:d] or all";

    /// <summary>Every device, managed first, then ILGPU's (CPU accelerator, CUDA, OpenCL).</summary>
    public static IReadOnlyList<DeviceListing> List()
    {
        var list = new List<DeviceListing>
        {
            new("managed", "managed CPU reference (.NET)", "cpu", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
                Environment.ProcessorCount, $".NET {Environment.Version}, double precision"),
        };
        foreach (var d in IlgpuDevices.All)
            list.Add(new(d.Name, d.Model, d.IsGpu ? "gpu" : "cpu", d.MemoryBytes, d.ComputeUnits, d.Details, d.Unsupported));
        return list;
    }

    /// <summary>Why CUDA or OpenCL offers no device on this machine (empty when both do).</summary>
    public static IReadOnlyList<string> Unavailable => IlgpuDevices.Unavailable;

    /// <summary>Creates the backend named <paramref name="name"/>.</summary>
    /// <param name="name">A backend name (see the class summary).</param>
    /// <param name="precision">Device precision (the managed backend always computes in double).</param>
    /// <param name="threads">Managed worker threads; all cores when null.</param>
    /// <param name="notice">Receives a line when <c>auto</c> falls back, or a device is skipped.</param>
    /// <exception cref="BackendUnavailableException">The name is unknown or its device is absent.</exception>
    public static ISimulationBackend Create(string name, Precision precision = Precision.Double, int? threads = null,
        Action<string>? notice = null)
    {
        switch (name)
        {
            case "managed":
                return new ManagedBackend(threads);
            case "auto":
            {
                // No GPU driver library at all (most CPU machines): the managed backend, without creating ILGPU's context.
                if (!IlgpuDevices.AnyGpuDriver(out var missing))
                {
                    notice?.Invoke($"auto: no GPU driver ({string.Join("; ", missing)}); using the managed backend");
                    return new ManagedBackend(threads);
                }
                var gpu = Gpus().FirstOrDefault();
                if (gpu is not null) return new IlgpuBackend(gpu, precision);
                var reasons = IlgpuDevices.Unavailable.Concat(IlgpuDevices.All.Where(d => d.Unsupported is not null)
                    .Select(d => $"{d.Name}: {d.Unsupported}")).ToList();
                if (reasons.Count == 0) reasons.Add("no GPU among " + string.Join(", ", IlgpuDevices.All.Select(d => d.Name)));
                notice?.Invoke($"auto: no usable GPU ({string.Join("; ", reasons)}); using the managed backend");
                return new ManagedBackend(threads);
            }
            case "ilgpu-cpu":
                return new IlgpuBackend(IlgpuDevices.Find(name) ?? throw NotAvailable(name, "ilgpu"), precision);
            case "cuda":
            case "opencl":
            {
                var device = IlgpuDevices.All.FirstOrDefault(d => d.Api == name && d.Unsupported is null && d.IsGpu)
                             ?? IlgpuDevices.All.FirstOrDefault(d => d.Api == name && d.Unsupported is null)
                             ?? throw NotAvailable(name, name);
                return new IlgpuBackend(device, precision);
            }
            case "all":
            {
                // The managed backend has the CPU cores, so CPU devices (ilgpu-cpu, POCL) are left out; so are NVIDIA's
                // OpenCL GPUs when CUDA sees the same cards.
                var backends = new List<ISimulationBackend> { new ManagedBackend(threads) };
                bool anyCuda = IlgpuDevices.All.Any(d => d.Api == "cuda");
                foreach (var d in IlgpuDevices.All.Where(d => d.Api != "cpu"))
                {
                    if (d.Unsupported is { } why) notice?.Invoke($"all: skipping {d.Name} ({d.Model}): {why}");
                    else if (!d.IsGpu) notice?.Invoke($"all: skipping {d.Name} ({d.Model}): a CPU device (the managed backend uses the cores)");
                    else if (anyCuda && d.Api == "opencl" && d.Details.Contains("NVIDIA", StringComparison.OrdinalIgnoreCase))
                        notice?.Invoke($"all: skipping {d.Name} ({d.Model}): the same GPU as a CUDA device");
                    else backends.Add(new IlgpuBackend(d, precision));
                }
                return new MultiBackend(backends);
            }
        }
        if (name.StartsWith("cuda:", StringComparison.Ordinal) || name.StartsWith("opencl:", StringComparison.Ordinal))
        {
            string api = name[..name.IndexOf(':')];
            var device = IlgpuDevices.Find(name);
            if (device is null)
            {
                var same = IlgpuDevices.All.Where(d => d.Api == api).Select(d => d.Name).ToList();
                string found = same.Count > 0 ? $"found: {string.Join(", ", same)}"
                    : IlgpuDevices.Unavailable.FirstOrDefault(u => u.StartsWith(api + ":", StringComparison.Ordinal)) ?? $"{api}: no device";
                throw new BackendUnavailableException($"--backend: no device {name} ({found}; see 'gpucascade devices')");
            }
            if (device.Unsupported is { } why) throw new BackendUnavailableException($"--backend: {name} ({device.Model}) cannot run the path kernel: {why}");
            return new IlgpuBackend(device, precision);
        }
        throw new BackendUnavailableException($"--backend: unknown backend {Echo.Quote(name)} (expected {Names})");
    }

    /// <summary>Usable GPUs in the order <c>auto</c> prefers them: CUDA, then OpenCL.</summary>
    private static IEnumerable<IlgpuDevice> Gpus() =>
        IlgpuDevices.All.Where(d => d.IsGpu && d.Unsupported is null).OrderBy(d => d.Api == "cuda" ? 0 : 1);

    private static BackendUnavailableException NotAvailable(string name, string api)
    {
        string? why = IlgpuDevices.Unavailable.FirstOrDefault(u => u.StartsWith(api + ":", StringComparison.Ordinal));
        if (why is null)
        {
            var skipped = IlgpuDevices.All.FirstOrDefault(d => d.Api == api && d.Unsupported is not null);
            why = skipped is null ? $"{api}: no usable device" : $"{skipped.Name} ({skipped.Model}) cannot run the path kernel: {skipped.Unsupported}";
        }
        return new($"--backend: {name} is not available: {why}");
    }
}
