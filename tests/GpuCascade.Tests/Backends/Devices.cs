using GpuCascade.Backends.Device;
using GpuCascade.Backends.OpenCl;

namespace GpuCascade.Tests.Backends;

/// <summary>Every device the parity suite runs on; absent ones are reported as skipped with the reason.</summary>
internal static class Devices
{
    private static readonly Lazy<IReadOnlyList<DeviceDiscovery>> All = new(() =>
    {
        if (Environment.GetEnvironmentVariable("POCL_CACHE_DIR") is null)
            Environment.SetEnvironmentVariable("POCL_CACHE_DIR", Directory.CreateTempSubdirectory("gpucascade-pocl-").FullName);
        return [OpenClDevice.Discover(), GpuCascade.Backends.Cuda.CudaDevice.Discover()];
    });

    public static IEnumerable<TestFixtureData> Cases()
    {
        foreach (var discovery in All.Value)
        {
            if (discovery.Devices.Count == 0)
                yield return new TestFixtureData("", discovery.Api, discovery.UnavailableReason ?? "") .SetArgDisplayNames($"{discovery.Api}: none");
            foreach (var device in discovery.Devices)
                yield return new TestFixtureData(device.Name, discovery.Api, "").SetArgDisplayNames(device.Name);
        }
    }

    /// <summary>The device by name, or skip (in CI, fail when the POCL OpenCL device is missing).</summary>
    public static ComputeDevice Require(string name, string api, string reason)
    {
        if (name.Length == 0)
        {
            if (api == "opencl" && Environment.GetEnvironmentVariable("CI") == "true")
                Assert.Fail($"CI must have an OpenCL device (POCL): {reason}");
            Assert.Ignore($"no {api} device: {reason}");
        }
        return All.Value.SelectMany(d => d.Devices).Single(d => d.Name == name);
    }
}
