using GpuCascade.Backends.Ilgpu;

namespace GpuCascade.Tests.Backends;

/// <summary>
/// Every ILGPU device the parity suite runs on: <c>ilgpu-cpu</c> always, CUDA and OpenCL GPUs where present. An API
/// with no usable device is one case reported as skipped with the reason (with CI=true only ilgpu-cpu is required).
/// </summary>
internal static class Devices
{
    public static IEnumerable<TestFixtureData> Cases()
    {
        foreach (var device in IlgpuDevices.All.Where(d => d.Unsupported is null))
            yield return new TestFixtureData(device.Name, "").SetArgDisplayNames(device.Name);
        foreach (var api in new[] { "cuda", "opencl" })
        {
            if (IlgpuDevices.All.Any(d => d.Api == api && d.Unsupported is null)) continue;
            string why = IlgpuDevices.Unavailable.FirstOrDefault(u => u.StartsWith(api + ":", StringComparison.Ordinal))
                         ?? string.Join("; ", IlgpuDevices.All.Where(d => d.Api == api).Select(d => $"{d.Name}: {d.Unsupported}"));
            // Unavailable lines already start with the api ("cuda: libcuda.so.1 not found ...").
            yield return new TestFixtureData("", why.StartsWith(api + ":", StringComparison.Ordinal) ? why : $"{api}: {why}").SetArgDisplayNames($"{api}: none");
        }
    }

    /// <summary>The device by name, or skip with the reason.</summary>
    public static IlgpuDevice Require(string name, string reason)
    {
        if (name.Length == 0) Assert.Ignore($"no usable device: {reason} (the tests run on every GPU ILGPU finds; ilgpu-cpu's parity runs everywhere)");
        return IlgpuDevices.Find(name)!;
    }
}
