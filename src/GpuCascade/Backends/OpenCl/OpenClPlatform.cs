using System.Text;
using GpuCascade.Backends.Device;
using static GpuCascade.Backends.OpenCl.OpenClNative;

namespace GpuCascade.Backends.OpenCl;

/// <summary>Walks the ICD loader's platforms and devices, and reads their properties.</summary>
internal static unsafe class OpenClPlatform
{
    internal const string Api = "opencl";

    /// <summary>Every device of every platform, in the loader's order; never throws.</summary>
    internal static DeviceDiscovery Discover()
    {
        try
        {
            nint[] platforms = PlatformIds();
            if (platforms.Length == 0)
                return Empty("OpenCL: no platform installed (CL_PLATFORM_NOT_FOUND_KHR): install a driver such as "
                             + "pocl-opencl-icd, and check /etc/OpenCL/vendors");
            var devices = new List<ComputeDevice>();
            var problems = new List<string>();
            for (int p = 0; p < platforms.Length; p++)
            {
                try
                {
                    string platformName = PlatformString(platforms[p], CL_PLATFORM_NAME);
                    nint[] ids = DeviceIds(platforms[p]);
                    for (int d = 0; d < ids.Length; d++)
                    {
                        // A device whose properties cannot be read is skipped, but keeps its index: names stay stable.
                        try { devices.Add(new OpenClDevice(platforms[p], ids[d], p, d, platformName)); }
                        catch (DeviceException e) { problems.Add($"opencl:{p}:{d}: {e.Message}"); }
                    }
                }
                catch (DeviceException e) { problems.Add($"platform {p}: {e.Message}"); }
            }
            if (devices.Count > 0) return new DeviceDiscovery(Api, devices, null);
            return Empty(problems.Count > 0
                ? $"OpenCL: no usable device ({string.Join("; ", problems)})"
                : $"OpenCL: {platforms.Length} platform(s) but no devices (CL_DEVICE_NOT_FOUND)");
        }
        catch (DllNotFoundException)
        {
            return Empty(OperatingSystem.IsLinux()
                ? $"OpenCL: {LibraryFileName} not found (install ocl-icd-libopencl1 and a driver such as pocl-opencl-icd)"
                : $"OpenCL: {LibraryFileName} not found (install a driver that ships an OpenCL ICD)");
        }
        catch (EntryPointNotFoundException e)
        {
            return Empty($"OpenCL: the loader {LibraryFileName} lacks an OpenCL 1.2 function ({e.Message})");
        }
        catch (Exception e)
        {
            // Discovery feeds `auto` device selection and the self-test listing: it reports, it does not throw.
            return Empty($"OpenCL: discovery failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private static DeviceDiscovery Empty(string reason) => new(Api, [], reason);

    private static nint[] PlatformIds()
    {
        uint count;
        int status = clGetPlatformIDs(0, null, &count);
        // The ICD loader answers CL_PLATFORM_NOT_FOUND_KHR when /etc/OpenCL/vendors names no loadable driver.
        if (status == OpenClErrors.PlatformNotFoundKhr || (status == OpenClErrors.Success && count == 0)) return [];
        OpenClErrors.Check(status, "clGetPlatformIDs");
        var ids = new nint[count];
        fixed (nint* p = ids) OpenClErrors.Check(clGetPlatformIDs(count, p, &count), "clGetPlatformIDs");
        return ids[..(int)Math.Min(count, (uint)ids.Length)];
    }

    private static nint[] DeviceIds(nint platform)
    {
        uint count;
        int status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, &count);
        if (status == OpenClErrors.DeviceNotFound || (status == OpenClErrors.Success && count == 0)) return [];
        OpenClErrors.Check(status, "clGetDeviceIDs");
        var ids = new nint[count];
        fixed (nint* d = ids) OpenClErrors.Check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, count, d, &count), "clGetDeviceIDs");
        return ids[..(int)Math.Min(count, (uint)ids.Length)];
    }

    internal static string PlatformString(nint platform, uint parameter)
    {
        nuint size;
        OpenClErrors.Check(clGetPlatformInfo(platform, parameter, 0, null, &size), "clGetPlatformInfo");
        var bytes = new byte[(int)size];
        if (size > 0)
            fixed (byte* b = bytes) OpenClErrors.Check(clGetPlatformInfo(platform, parameter, size, b, null), "clGetPlatformInfo");
        return Decode(bytes);
    }

    internal static string DeviceString(nint device, uint parameter)
    {
        nuint size;
        OpenClErrors.Check(clGetDeviceInfo(device, parameter, 0, null, &size), "clGetDeviceInfo");
        var bytes = new byte[(int)size];
        if (size > 0)
            fixed (byte* b = bytes) OpenClErrors.Check(clGetDeviceInfo(device, parameter, size, b, null), "clGetDeviceInfo");
        return Decode(bytes);
    }

    /// <summary>A scalar property; <typeparamref name="T"/> must match the parameter's C type (cl_uint, cl_ulong, size_t...).</summary>
    internal static T DeviceValue<T>(nint device, uint parameter) where T : unmanaged
    {
        T value = default;
        OpenClErrors.Check(clGetDeviceInfo(device, parameter, (nuint)sizeof(T), &value, null), "clGetDeviceInfo");
        return value;
    }

    // Info strings end in NUL; some drivers pad device names with spaces.
    internal static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes).TrimEnd('\0').Trim();
}
